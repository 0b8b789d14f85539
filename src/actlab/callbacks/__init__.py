"""Lightning callbacks of actlab: the run record, and those of the `callbacks` config group."""
