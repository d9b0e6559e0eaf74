"""rnnforecast's default ``Forecaster(model="lstm", horizon=24)`` (main venv).

Default mode: imports (rnnforecast, pandas, torch) first, then times the *first* fit +
predict in this process on its own (``first_fit_cpu_s``: what a user's first call costs once
the imports are paid), then ``runs`` timed fits with seeds 0..runs-1 (steady state).
``--first-only``: only the first fit (speed.py runs several fresh processes for a median).
"""

from __future__ import annotations

import sys

import _common  # first: one-thread variables before numpy/torch load

cpu0 = _common.cpu_seconds()
import pandas as pd  # noqa: E402

import rnnforecast  # noqa: E402
from rnnforecast import Forecaster  # noqa: E402

cpu1 = _common.cpu_seconds()
import torch  # noqa: E402

cpu2 = _common.cpu_seconds()


def settings(model: Forecaster) -> dict:
    """The settings the fit actually used (defaults resolved where the version does so)."""
    out = {"call": "Forecaster(model='lstm', horizon=24)", "lookback": model.lookback_}
    resolved = getattr(model, "settings_", None)
    if isinstance(resolved, dict):
        out.update(resolved)
    params = {k: v for k, v in model.get_params().items() if v is not None}
    for key in ("hidden_size", "num_layers", "ensemble", "epochs", "batch_size", "lr", "loss",
                "clip", "strategy", "transform", "framing"):
        if key in params:
            out.setdefault(key, params[key])
    out["parameters"] = sum(int(p.numel()) for p in model.net_.parameters())
    return out


def main() -> None:
    first_only = "--first-only" in sys.argv
    if first_only:
        sys.argv.remove("--first-only")
    args = _common.arguments(__doc__ or "")
    _common.set_torch_threads()
    ds, y = _common.load(args.data)
    frame = pd.DataFrame({"unique_id": "AirPassengers", "ds": pd.to_datetime(ds), "y": y})
    train = frame.iloc[: args.train].reset_index(drop=True)

    fitted: dict[str, Forecaster] = {}

    def fit_predict(seed: int):
        model = Forecaster(model="lstm", horizon=args.horizon, seed=seed)
        fitted["last"] = model
        return model.fit(train).predict()["lstm"].to_numpy()

    first = _common.timed_runs(fit_predict, 1)[0]
    runs = [] if first_only else _common.timed_runs(fit_predict, args.runs)
    _common.report(
        "rnnforecast", {"rnnforecast": rnnforecast.__version__, "torch": torch.__version__},
        settings(fitted["last"]),
        runs, first_fit_cpu_s=first["cpu_s"], first_fit_forecast=first["forecast"],
        import_rnnforecast_cpu_s=cpu1 - cpu0, import_torch_cpu_s=cpu2 - cpu1)


if __name__ == "__main__":
    main()
