"""Pure torch modules: recurrent stacks with forecasting heads. No pandas, no training."""

from rnnforecast.models.recurrent import CELLS, RecurrentNet

__all__ = ["CELLS", "RecurrentNet"]
