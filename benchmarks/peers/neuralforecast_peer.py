"""neuralforecast ``LSTM`` (benchmarks/.venvs/neuralforecast).

Settings follow neuralforecast's quickstart (which fits LSTM on AirPassengers):
input_size 24, max_steps 500, scaler_type "standard", encoder/decoder hidden 64; the rest
defaults (2 encoder layers, MLP decoder of 2 layers, MAE loss, lr 1e-3, windows_batch_size
128). Progress bar, model summary and logger off.
"""

from __future__ import annotations

import logging
import warnings

import _common  # first: one-thread variables before numpy/torch load

warnings.filterwarnings("ignore")
logging.disable(logging.WARNING)

import neuralforecast  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402
from neuralforecast import NeuralForecast  # noqa: E402
from neuralforecast.models import LSTM  # noqa: E402

SETTINGS = {"input_size": 24, "max_steps": 500, "scaler_type": "standard",
            "encoder_hidden_size": 64, "decoder_hidden_size": 64}
TRAINER = {"accelerator": "cpu", "enable_progress_bar": False, "enable_model_summary": False,
           "logger": False, "enable_checkpointing": False}


def fit_predict(train: pd.DataFrame, horizon: int, seed: int):
    model = LSTM(h=horizon, **SETTINGS, random_seed=seed, **TRAINER)
    nf = NeuralForecast(models=[model], freq="MS")
    nf.fit(df=train)
    return nf.predict()["LSTM"].to_numpy()


def main() -> None:
    args = _common.arguments(__doc__ or "")
    _common.set_torch_threads()
    ds, y = _common.load(args.data)
    frame = pd.DataFrame({"unique_id": "AirPassengers", "ds": pd.to_datetime(ds), "y": y})
    train = frame.iloc[: args.train].reset_index(drop=True)
    dynamo = _common.dynamo_loaded()
    first = _common.timed_runs(lambda seed: fit_predict(train, args.horizon, seed), 1)[0]
    runs = _common.timed_runs(lambda seed: fit_predict(train, args.horizon, seed), args.runs)
    _common.report("neuralforecast",
                   {"neuralforecast": neuralforecast.__version__, "torch": torch.__version__},
                   {**SETTINGS, "h": args.horizon, "other": "defaults (2+2 layers, MAE loss, "
                    "lr 1e-3, windows_batch_size 128)",
                    "trainer": "progress bar, summary, logger, checkpointing off"},
                   runs, first_fit_cpu_s=first["cpu_s"], dynamo_at_import=dynamo)


if __name__ == "__main__":
    main()
