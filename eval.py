"""Evaluate from a checkout: `python eval.py ckpt_path=<run dir>/checkpoints/<file>.ckpt`."""

from actlab.cli.evaluate import main

if __name__ == "__main__":
    main()
