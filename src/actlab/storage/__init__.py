"""What a run keeps on disk: its folder and lock, its record (metrics.json), its checkpoints."""
