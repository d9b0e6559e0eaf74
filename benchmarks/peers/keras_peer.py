"""Keras 3 LSTM on the torch backend (benchmarks/.venvs/keras).

Written as Keras' time-series examples do it: standardise with the training mean and std,
windows of 24 months -> the next 24 (direct output), ``Sequential([LSTM(32), Dense(24)])``,
Adam lr 1e-3, MSE, batch_size 32 (Keras' default), 200 epochs, verbose 0.
"""

from __future__ import annotations

import os

os.environ["KERAS_BACKEND"] = "torch"

import _common  # first: one-thread variables before numpy/torch load
import keras
import numpy as np
import torch

SETTINGS = {"lookback": 24, "units": 32, "epochs": 200, "batch_size": 32, "lr": 1e-3,
            "loss": "mse", "scaling": "standardise on training mean/std"}


def fit_predict(y_train: np.ndarray, horizon: int, seed: int):
    keras.utils.set_random_seed(seed)
    lookback = SETTINGS["lookback"]
    mean, std = y_train.mean(), y_train.std()
    z = ((y_train - mean) / std).astype("float32")
    starts = np.arange(len(z) - lookback - horizon + 1)
    x = np.stack([z[s : s + lookback] for s in starts])[..., None]
    y = np.stack([z[s + lookback : s + lookback + horizon] for s in starts])
    model = keras.Sequential([keras.Input((lookback, 1)), keras.layers.LSTM(SETTINGS["units"]),
                              keras.layers.Dense(horizon)])
    model.compile(optimizer=keras.optimizers.Adam(SETTINGS["lr"]), loss=SETTINGS["loss"])
    model.fit(x, y, epochs=SETTINGS["epochs"], batch_size=SETTINGS["batch_size"],
              verbose=0)
    out = model.predict(z[-lookback:].reshape(1, lookback, 1), verbose=0)[0]
    return out * std + mean


def main() -> None:
    args = _common.arguments(__doc__ or "")
    _common.set_torch_threads()
    assert keras.backend.backend() == "torch"
    _, y = _common.load(args.data)
    train = y[: args.train]
    dynamo = _common.dynamo_loaded()
    first = _common.timed_runs(lambda seed: fit_predict(train, args.horizon, seed), 1)[0]
    runs = _common.timed_runs(lambda seed: fit_predict(train, args.horizon, seed), args.runs)
    _common.report("keras", {"keras": keras.__version__, "backend": keras.backend.backend(),
                             "torch": torch.__version__}, SETTINGS, runs,
                   first_fit_cpu_s=first["cpu_s"], dynamo_at_import=dynamo)


if __name__ == "__main__":
    main()
