"""Train from a checkout: `python train.py [overrides]`, or `python train.py -m ...` for a sweep."""

from actlab.train import main

if __name__ == "__main__":
    main()
