"""The training loop: batches from pre-built tensors or gathered from a window bank, Adam,
loss, clipping, early stopping."""

from rnnforecast.training.loop import TrainConfig, TrainResult, train

__all__ = ["TrainConfig", "TrainResult", "train"]
