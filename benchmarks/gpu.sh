#!/usr/bin/env bash
# The GPU figures of docs/performance.md, from one command, in under 8 minutes on one GPU:
#   bash benchmarks/gpu.sh          # on a machine with a CUDA GPU, from the repository root
#   bash benchmarks/gpu.sh --toy    # every part at a toy size, on any machine: does it all run?
# 1. The fast path at batch 128 and 512: ResNet-18 on CIFAR-shaped data, through actlab with each
#    switch (bf16, channels-last, cuDNN autotuning, torch.compile, CUDA graphs), against the plain
#    PyTorch loop with the same precision and memory format.
# 2. A 16-run sweep (LeNet, Fashion-MNIST, 2 epochs, 4 activations x 4 seeds) with 1, 2 and 4 jobs
#    at once on the GPU (placement=gpus placement.per_gpu=K), against one job after another; start
#    NVIDIA's MPS daemon first (nvidia-cuda-mps-control -d) for K > 1 to pay.
# 3. experiment=cifar10_fast's seconds per epoch, on random CIFAR-shaped data (no CIFAR-10 needed).
# 4. The same 16-run sweep (1 epoch) stacked, all 16 runs in one model (stack.size=16), one by
#    one and fused (stack.fuse=true), against one run after another and against 4 solo
#    jobs at once on the GPU (placement): which pays.
# 5. 8 seeds of ResNet-18 at batch 128 on Fashion-MNIST (100 steps each) stacked (stack.size=8)
#    against one after another, and the memory of a stack of 8 against one run.
# 6. What a report says each activation costs on a GPU: 3 activations x 2 seeds of the
#    breast-cancer MLP, then actlab-report's cost table (epoch time, peak GPU memory, parameters).
# 7. What each activation option costs against ReLU (benchmarks/activation_cost.py): forward and
#    backward time on ResNet-18's and the MLP's tensor sizes, and the memory autograd keeps.
# 8. study=dubey2022's hours on this GPU, from each network's measured step time (batch 128 on
#    CIFAR-10, 64 on CIFAR-100; benchmarks/study_hours.py).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
if [ "${1:-}" = "--toy" ]; then
  # Parts 1 and 3 compile their model; at toy size it is an MLP: on some CPUs without AVX-512
  # (an AMD EPYC of family 25, 2026-12-07), oneDNN's backward of a channels-last strided 1x1
  # convolution, which torch.compile's CPU kernels call, corrupts memory or never returns.
  FAST=(model=mlp model.hidden=[16] --steps 2 --warmup 1 --train-size 2000)
  SIZES=(16)
  SWEEP=(--jobs 1 --per-gpu 1 --per-gpu 2 model.channels=[3,4] model.hidden=[16,8]
         trainer.max_epochs=1 +trainer.limit_train_batches=3 +trainer.limit_val_batches=1
         +trainer.limit_test_batches=1 activation=relu,gelu)
  RECIPE=(model=mlp model.hidden=[16] --steps 2 --warmup 1 --train-size 2000 --batch-size 16)
  STACKED=(--stack 4 --fused --per-gpu 2 model.channels=[3,4] model.hidden=[16,8] +trainer.limit_train_batches=3
           +trainer.limit_val_batches=1 +trainer.limit_test_batches=1 activation=relu,gelu seed=1,2)
  RESNETS=(--stack 2 --memory 2 model.width=0.0625 +trainer.limit_train_batches=2 seed=0,1)
  COST=(relu gelu pau --batch 2 --rounds 1)
  HOURS=(--steps 1 --warmup 1 ++model.width=0.0625)
else
  FAST=(--steps 150 --warmup 30)
  SIZES=(128 512)
  SWEEP=(--jobs 4 --per-gpu 1 --per-gpu 2 --per-gpu 4 trainer.max_epochs=2
         activation=relu,gelu,silu,tanh)
  RECIPE=(--steps 100 --warmup 40 --batch-size 512)
  STACKED=(--stack 16 --fused --per-gpu 4 activation=relu,gelu,silu,tanh seed=1,2,3,4)
  RESNETS=(--stack 8 --memory 8 +trainer.limit_train_batches=100 seed=0,1,2,3,4,5,6,7)
  COST=(--batch 128 --rounds 5)
  HOURS=(--steps 30 --warmup 10)
fi
"$PYTHON" -c "import torch, lightning; print('torch', torch.__version__, 'lightning', lightning.__version__, \
'on', torch.cuda.get_device_name() if torch.cuda.is_available() else 'CPU'); import datetime; print(datetime.date.today())"
ROWS=("all off" "+ bf16-mixed" "+ channels_last" "+ cudnn benchmark (defaults)" "+ compile, CUDA graphs")
for size in "${SIZES[@]}"; do
  echo "== 1. the fast path at batch $size"
  "$PYTHON" benchmarks/fast_path.py "${FAST[@]}" --batch-size "$size" --rows "${ROWS[@]}"
  ROWS=("+ cudnn benchmark (defaults)" "+ compile, CUDA graphs")   # at 512: the two that matter
done
echo "== 2. a sweep of 16 runs with K jobs at once on the GPU"
"$PYTHON" benchmarks/concurrent_jobs.py data=fashion_mnist model=lenet "${SWEEP[@]}"
echo "== 3. experiment=cifar10_fast, seconds per epoch of CIFAR-10's 49,000 training images"
"$PYTHON" benchmarks/fast_path.py experiment=cifar10_fast "${RECIPE[@]}" --rows "+ compile, CUDA graphs"
echo "== 4. the 16-run sweep, stacked: all its runs in one model"
"$PYTHON" benchmarks/stacked_sweep.py data=fashion_mnist model=lenet trainer.max_epochs=1 "${STACKED[@]}"
echo "== 5. 8 seeds of ResNet-18 at batch 128, stacked"
"$PYTHON" benchmarks/stacked_sweep.py data=fashion_mnist model=resnet data.batch_size=128 \
  trainer.max_epochs=1 +trainer.limit_val_batches=5 +trainer.limit_test_batches=5 "${RESNETS[@]}"
echo "== 6. a report's costs: peak GPU memory and epoch time per activation"
COSTS=$(mktemp -d)
"$PYTHON" train.py -m data=breast_cancer model=mlp activation=relu,prelu,arelu seed=0,1 \
  trainer.max_epochs=2 callbacks.progress_bar=null hydra.sweep.dir="$COSTS/sweep" > /dev/null 2>&1
"$PYTHON" -m actlab.cli.report "$COSTS/sweep" > /dev/null
sed -n '/^## What each costs/,/^## /p' "$COSTS/sweep/report.md" | grep '^|'
rm -rf "$COSTS"
echo "== 7. what each activation costs against ReLU"
"$PYTHON" benchmarks/activation_cost.py "${COST[@]}"
echo "== 8. study=dubey2022's hours on this GPU"
"$PYTHON" benchmarks/study_hours.py "${HOURS[@]}" 2> /dev/null
