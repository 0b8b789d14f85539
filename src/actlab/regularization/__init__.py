"""Regularisation terms of the training loss."""
