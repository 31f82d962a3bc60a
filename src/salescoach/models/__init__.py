"""Shipped model weights (JSON), produced by the training scripts in tools/."""
