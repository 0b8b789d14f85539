"""The record's costs: the peak GPU memory of training, where CUDA reports it."""

import json
from functools import partial
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from torch import nn

from actlab.callbacks.run_record import RunRecord
from actlab.training.classifier import Classifier


class Said(Classifier):
    """A classifier whose device is what `on` says."""

    on = torch.device("cpu")

    @property
    def device(self) -> torch.device:
        return self.on


def test_the_peak_gpu_memory_of_training_is_recorded_where_cuda_reports_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # No GPU here: CUDA's own counters are stood in for, and the module said to be on one.
    reset: list[torch.device] = []
    monkeypatch.setattr(torch.cuda, "reset_peak_memory_stats", reset.append)
    monkeypatch.setattr(torch.cuda, "max_memory_allocated", lambda device: 1536 * 2**20)
    net = nn.Sequential(nn.Linear(3, 4), nn.PReLU(4), nn.Linear(4, 2))
    module = Said(net, 2, optimizer=partial(torch.optim.SGD, lr=0.1))
    trainer = SimpleNamespace(early_stopping_callbacks=[])
    record = RunRecord(tmp_path, "val/acc", "max", {})
    record.on_fit_start(trainer, module)  # on the CPU: nothing asked of CUDA
    record.on_train_end(trainer, module)
    assert reset == [] and record.record["peak_gpu_memory_mib"] is None
    assert record.record["activation_params"] == 4  # PReLU's slope per channel
    module.on = torch.device("cuda", 0)
    record.on_fit_start(trainer, module)
    record.on_train_end(trainer, module)
    assert reset == [torch.device("cuda", 0)]
    written = json.loads((tmp_path / "metrics.json").read_text())
    assert written["peak_gpu_memory_mib"] == 1536.0
