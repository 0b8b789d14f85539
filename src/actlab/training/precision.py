"""The training precision a machine runs best, for `trainer.precision`."""

import torch


def best_precision(accelerator: str) -> str:
    """`bf16-mixed` where training runs on a CUDA GPU that supports bfloat16, else `32-true`."""
    on_gpu = accelerator in ("auto", "gpu", "cuda") and torch.cuda.is_available()
    return "bf16-mixed" if on_gpu and torch.cuda.is_bf16_supported() else "32-true"
