"""Loggers of the `logger` config group that add to Lightning's own."""
