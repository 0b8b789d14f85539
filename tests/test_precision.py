"""trainer.precision: bf16-mixed where a CUDA GPU with bfloat16 trains, else 32-true."""

import pytest
import torch

from actlab.training.precision import best_precision


def test_cpu_training_uses_full_precision() -> None:
    assert best_precision("cpu") == "32-true"


def test_without_a_gpu_auto_uses_full_precision(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert best_precision("auto") == "32-true"


@pytest.mark.parametrize("accelerator", ["auto", "gpu", "cuda"])
def test_a_bf16_gpu_trains_in_bf16_mixed(monkeypatch, accelerator: str) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: True)
    assert best_precision(accelerator) == "bf16-mixed"


def test_a_gpu_without_bf16_keeps_full_precision(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: False)
    assert best_precision("gpu") == "32-true"


def test_the_trainer_config_resolves_it(compose_run) -> None:
    assert compose_run("trainer=cpu").trainer.precision == "32-true"
    assert compose_run("trainer.precision=16-mixed").trainer.precision == "16-mixed"
