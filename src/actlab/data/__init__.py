"""DataModules of the `data` config group, one per source.

Every dataset is held whole as tensors, normalised once with statistics of its training part, and
batched from memory on the training device (`InMemoryDataModule`), instead of per-sample transforms.
"""
