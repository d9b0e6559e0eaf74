"""Regenerate the format-1 compatibility fixtures beside this script.

    .venv/bin/python tests/data/make_model_v1.py

Writes ``model-v1.rnnf`` (a tiny LSTM fitted on AirPassengers and saved with model file
format 1) and ``model-v1-forecast.csv`` (its forecast, every float written in full). Only
rerun this on purpose: the point of the fixture is that files written by an *older*
rnnforecast keep loading and forecasting the same numbers, so a test failing against it
means the format or the forecasting path changed.
"""

from __future__ import annotations

from pathlib import Path

import torch

from rnnforecast import Forecaster, load_dataset
from rnnforecast.io import FORMAT_VERSION

HERE = Path(__file__).parent
MODEL = HERE / "model-v1.rnnf"
FORECAST = HERE / "model-v1-forecast.csv"


def main() -> None:
    assert FORMAT_VERSION == 1, "this fixture pins model file format 1"
    torch.set_num_threads(1)
    model = Forecaster("lstm", horizon=6, hidden_size=4, epochs=2, ensemble=2, seed=0)
    model.fit(load_dataset("airpassengers"))
    model.save(MODEL)
    forecast = model.predict()
    lines = ["unique_id,ds,lstm"]
    for row in forecast.itertuples(index=False):
        lines.append(f"{row.unique_id},{row.ds.date().isoformat()},{float(row.lstm)!r}")
    FORECAST.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {MODEL} ({MODEL.stat().st_size} bytes) and {FORECAST}")


if __name__ == "__main__":
    main()
