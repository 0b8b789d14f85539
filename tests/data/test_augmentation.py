"""Batch-wise augmentation on tensors."""

import torch

from actlab.data.augmentation import RandomCropFlip


def images(count: int = 64) -> torch.Tensor:
    return torch.randint(1, 256, (count, 3, 8, 8), dtype=torch.uint8)


def crop_offsets(original: torch.Tensor, cropped: torch.Tensor, padding: int) -> set[tuple]:
    """Every (top, left, flipped) for which `cropped` is that window of the padded original."""
    padded = torch.nn.functional.pad(original, [padding] * 4)
    size = original.shape[-1]
    found = set()
    for top in range(2 * padding + 1):
        for left in range(2 * padding + 1):
            window = padded[:, top : top + size, left : left + size]
            for flipped in (False, True):
                if torch.equal(cropped, window.flip(-1) if flipped else window):
                    found.add((top, left, flipped))
    return found


def test_each_image_is_a_padded_crop_of_itself_possibly_flipped() -> None:
    batch = images()
    augmented = RandomCropFlip(padding=2, flip=0.5)(batch)
    assert augmented.shape == batch.shape and augmented.dtype == torch.uint8
    offsets = [crop_offsets(o, a, padding=2) for o, a in zip(batch, augmented, strict=True)]
    assert all(offsets)
    assert len({next(iter(found)) for found in offsets}) > 5  # each image draws its own


def test_without_padding_or_flip_images_are_unchanged() -> None:
    batch = images()
    assert torch.equal(RandomCropFlip(padding=0, flip=0.0)(batch), batch)


def test_flip_probability_one_mirrors_every_image() -> None:
    batch = images()
    assert torch.equal(RandomCropFlip(padding=0, flip=1.0)(batch), batch.flip(-1))


def test_borders_are_filled_with_zeros_as_torchvision_pads() -> None:
    batch = images(256)
    augmented = RandomCropFlip(padding=4, flip=0.0)(batch)
    assert (augmented == 0).any()  # some crops reach into the zero border
