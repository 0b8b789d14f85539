"""StackedClassifier: alike members in one vmapped call, each with its own logits, gradients and
BatchNorm statistics; members run one by one where vmap cannot batch their model."""

import logging
from types import SimpleNamespace

import pytest
import torch
from helpers import quiet_trainer
from torch import Tensor, nn

from actlab.callbacks.fast_path import FastPath
from actlab.training.classifier import Classifier
from actlab.training.stacked import StackedClassifier, alike, stacked_logits


def small_cnn(seed: int, dropout: float = 0.0) -> nn.Module:
    torch.manual_seed(seed)
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.GELU(), nn.Dropout(dropout), nn.Flatten(),
        nn.Linear(4 * 6 * 6, 3),
    )  # fmt: skip
    return model


def member(model: nn.Module) -> Classifier:
    return Classifier(model, num_classes=3, optimizer=torch.optim.SGD)


class Itemized(nn.Module):
    """A model whose forward reads a value to the host: vmap cannot batch it."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(64, 3)

    def forward(self, inputs: Tensor) -> Tensor:
        return self.linear(inputs.flatten(1)) * float(inputs.mean().item() > -10)


def test_alike_models_give_their_own_logits_gradients_and_batchnorm_statistics() -> None:
    models = [small_cnn(seed) for seed in range(3)]
    copies = [small_cnn(seed) for seed in range(3)]
    inputs = torch.randn(3, 5, 1, 8, 8)
    stacked = stacked_logits(models, inputs, batched=True)
    alone = torch.stack([copy(inputs[k]) for k, copy in enumerate(copies)])
    torch.testing.assert_close(stacked, alone)
    stacked.square().sum().backward()
    alone.square().sum().backward()
    for model, copy in zip(models, copies, strict=True):
        for (name, param), twin in zip(model.named_parameters(), copy.parameters(), strict=True):
            torch.testing.assert_close(param.grad, twin.grad, msg=name)
        torch.testing.assert_close(model[1].running_mean, copy[1].running_mean)
        assert model[1].num_batches_tracked == copy[1].num_batches_tracked == 1
    assert not torch.equal(models[0][1].running_mean, models[1][1].running_mean)


def test_members_are_called_together_only_where_their_models_are_alike() -> None:
    members = [member(small_cnn(0)), member(small_cnn(1)), member(small_cnn(2, dropout=0.5))]
    assert alike(members[0].model) == alike(members[1].model) != alike(members[2].model)
    fused, alone = StackedClassifier(members, fused=True), StackedClassifier(members, fused=False)
    assert fused.kinds == [[0, 1], [2]] and alone.kinds == [[0], [1], [2]]
    assert list(fused.models()) == []  # the fast path leaves stacked calls alone
    assert list(alone.models()) == [m.model for m in members]


def test_each_member_gets_its_own_dropout_masks() -> None:
    models = [small_cnn(0, dropout=0.5) for _ in range(2)]  # the same weights
    inputs = torch.randn(5, 1, 8, 8)
    logits = stacked_logits(models, inputs, batched=False)
    assert not torch.equal(logits[0], logits[1])


def test_members_that_vmap_cannot_batch_run_one_by_one_and_the_log_says_so(caplog) -> None:
    stack = StackedClassifier([member(Itemized()), member(Itemized())], fused=True)
    inputs = torch.randn(2, 4, 1, 8, 8)
    with caplog.at_level(logging.WARNING):
        logits = stack.logits(inputs, [0, 1], batched=True)
    assert "Members [0, 1] run one by one" in caplog.text
    for k in (0, 1):
        torch.testing.assert_close(logits[k], stack.members[k](inputs[k]))
    assert stack.kinds == [[0], [1]]


def test_a_member_whose_own_call_fails_leaves_the_stack_and_the_others_go_on() -> None:
    broken = member(nn.Linear(3, 3))  # takes 3 features, not 64
    left: dict[int, Exception] = {}
    stack = StackedClassifier([member(Itemized()), broken], on_leave=left.__setitem__)
    logits = stack.logits(torch.randn(2, 4, 1, 8, 8), [0, 1], batched=True)
    assert list(logits) == [0]
    assert list(left) == [1] and isinstance(left[1], RuntimeError)
    assert stack.training_members == [0] and stack.tested_members == [0]


@pytest.mark.parametrize("fuse", [True, False])
def test_a_stack_steps_each_member_as_its_own_optimizer_would(fuse: bool) -> None:
    models = [small_cnn(seed) for seed in range(2)]
    copies = [small_cnn(seed) for seed in range(2)]
    stack = StackedClassifier([member(model) for model in models], fused=fuse)
    stack.trainer = quiet_trainer()
    inputs, labels = torch.randn(2, 5, 1, 8, 8), torch.randint(0, 3, (2, 5))
    total = stack.training_step((inputs, labels), 0)["loss"]
    total.backward()
    for k, copy in enumerate(copies):
        nn.functional.cross_entropy(copy(inputs[k]), labels[k]).backward()
        for param, twin in zip(models[k].parameters(), copy.parameters(), strict=True):
            torch.testing.assert_close(param.grad, twin.grad)


def test_the_fast_path_line_of_a_fused_stack_on_a_gpu_says_channels_last_is_unused(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Fused calls leave the models' memory format alone (vmap cannot batch a change of it)."""
    gpu = torch.device("cuda")
    trainer = SimpleNamespace(strategy=SimpleNamespace(root_device=gpu), precision="32-true")
    for fused, said in ((True, "unused by fused members"), (False, "on")):
        stack = StackedClassifier([member(small_cnn(seed)) for seed in range(2)], fused=fused)
        fast_path = FastPath(channels_last=True)
        fast_path.setup(trainer, stack, "fit")
        with caplog.at_level(logging.INFO, logger="actlab.callbacks.fast_path"):
            fast_path.on_fit_start(trainer, SimpleNamespace(device=gpu))
        assert f"channels_last {said}," in caplog.records[-1].getMessage()
