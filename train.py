"""Train from a checkout: `python train.py [overrides]`, or `python train.py -m ...` for a sweep."""

from actlab.cli.train import main

if __name__ == "__main__":
    main()
