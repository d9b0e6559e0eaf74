"""darts ``BlockRNNModel(model="LSTM")`` (benchmarks/.venvs/darts).

Settings follow darts' RNN example notebook for AirPassengers (hidden_dim 20, batch 16,
300 epochs, Adam lr 1e-3, the default ``Scaler()`` = MinMax fitted on the training series)
with a block (direct) output of the whole horizon: input_chunk_length 24,
output_chunk_length 24. Progress bar and model summary off (they only add overhead).
"""

from __future__ import annotations

import logging
import os
import warnings

import _common  # first: one-thread variables before numpy/torch load

warnings.filterwarnings("ignore")
logging.disable(logging.WARNING)

import darts  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402
from darts import TimeSeries  # noqa: E402
from darts.dataprocessing.transformers import Scaler  # noqa: E402
from darts.models import BlockRNNModel  # noqa: E402

SETTINGS = {
    "model": "LSTM", "input_chunk_length": 24, "output_chunk_length": 24, "hidden_dim": 20,
    "n_rnn_layers": 1, "dropout": 0.0, "batch_size": 16, "n_epochs": 300,
    "optimizer_kwargs": {"lr": 1e-3},
}
TRAINER = {"accelerator": "cpu", "enable_progress_bar": False, "enable_model_summary": False,
           "logger": False}


def fit_predict(train: pd.DataFrame, horizon: int, seed: int):
    series = TimeSeries.from_dataframe(train, time_col="ds", value_cols="y", freq="MS")
    scaler = Scaler()
    scaled = scaler.fit_transform(series)
    model = BlockRNNModel(**SETTINGS, random_state=seed,
                          pl_trainer_kwargs=TRAINER, save_checkpoints=False,
                          work_dir=os.getcwd())
    model.fit(scaled, verbose=False)
    forecast = scaler.inverse_transform(model.predict(horizon, verbose=False))
    return forecast.values().ravel()


def main() -> None:
    args = _common.arguments(__doc__ or "")
    _common.set_torch_threads()
    ds, y = _common.load(args.data)
    frame = pd.DataFrame({"ds": pd.to_datetime(ds), "y": y})
    train = frame.iloc[: args.train].reset_index(drop=True)
    dynamo = _common.dynamo_loaded()
    first = _common.timed_runs(lambda seed: fit_predict(train, args.horizon, seed), 1)[0]
    runs = _common.timed_runs(lambda seed: fit_predict(train, args.horizon, seed), args.runs)
    _common.report("darts", {"darts": darts.__version__, "torch": torch.__version__},
                   {**SETTINGS, "scaler": "Scaler() (MinMax, default)",
                    "trainer": "progress bar and summary off, logger off"},
                   runs, first_fit_cpu_s=first["cpu_s"], dynamo_at_import=dynamo)


if __name__ == "__main__":
    main()
