"""Pure torch modules: recurrent stacks with forecasting heads. No pandas, no training."""

from rnnforecast.models.direct import DirectNet
from rnnforecast.models.embedding import SeriesEmbedding
from rnnforecast.models.recurrent import CELLS, RecurrentNet
from rnnforecast.models.seq2seq import Seq2SeqNet

__all__ = ["CELLS", "DirectNet", "RecurrentNet", "Seq2SeqNet", "SeriesEmbedding"]
