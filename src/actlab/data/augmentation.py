"""Training augmentation applied to whole batches on the device, never per sample in Python."""

import torch
from torch import Tensor, nn


class RandomCropFlip(nn.Module):
    """Pad by `padding` pixels with zeros, crop back at a random offset and flip horizontally
    with probability `flip`, each sample drawing its own offset and flip (CIFAR's standard
    augmentation, as torchvision's RandomCrop(padding=4) and RandomHorizontalFlip do it)."""

    def __init__(self, padding: int = 4, flip: float = 0.5) -> None:
        super().__init__()
        self.padding = padding
        self.flip = flip

    def forward(self, images: Tensor) -> Tensor:
        count, _, height, width = images.shape
        device = images.device
        if self.padding > 0:
            padded = nn.functional.pad(images, [self.padding] * 4)
            top = torch.randint(0, 2 * self.padding + 1, (count, 1), device=device)
            left = torch.randint(0, 2 * self.padding + 1, (count, 1), device=device)
            rows = (top + torch.arange(height, device=device))[:, None, :, None]
            cols = (left + torch.arange(width, device=device))[:, None, None, :]
            samples = torch.arange(count, device=device)[:, None, None, None]
            channels = torch.arange(images.shape[1], device=device)[None, :, None, None]
            images = padded[samples, channels, rows, cols]
        flipped = torch.rand(count, device=device) < self.flip
        return torch.where(flipped[:, None, None, None], images.flip(-1), images)
