"""Weight initialisation of the `init` config group."""
