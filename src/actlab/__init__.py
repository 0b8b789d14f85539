"""actlab: how activation functions change the training of classic networks."""
