"""The Forecaster's side of covariates, series embeddings and the seq2seq model: parameter
checks, the `InputPlan` of a fitted model and the network that reads its windows.

The Forecaster calls three functions (`check_params`, `plan_for`, `build_net`); the window
layout itself is documented in `rnnforecast.data.covariates`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from rnnforecast.data.covariates import CALENDAR, InputPlan
from rnnforecast.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

    from rnnforecast.models import RecurrentNet

__all__ = ["CELL_NAMES", "build_net", "check_params", "covariate_columns",
           "forecast_with_future", "input_columns", "parse_columns", "plan_for"]

CELL_NAMES = ("lstm", "gru", "rnn")
_RESERVED = ("unique_id", "ds", "y")


def check_params(f: Any) -> None:
    """Validate ``cell``, ``future_cols``, ``past_cols`` and ``embedding`` (a `ConfigError`
    saying what to use)."""
    if f.cell not in CELL_NAMES:
        raise ConfigError(f"cell={f.cell!r} is invalid: use one of {', '.join(CELL_NAMES)}")
    for name in ("future_cols", "past_cols"):
        cols = getattr(f, name)
        if cols is None:
            continue
        if isinstance(cols, str) or not all(isinstance(c, str) and c for c in cols):
            raise ConfigError(f"{name}={cols!r} is invalid: use a list of column names")
        bad = [c for c in cols if c in _RESERVED]
        if bad or len(set(cols)) != len(cols):
            raise ConfigError(f"{name}={cols!r} is invalid: name each covariate column once, "
                              f"other than {', '.join(_RESERVED)}")
    both = set(f.future_cols or ()) & set(f.past_cols or ())
    if both:
        raise ConfigError(f"column(s) {sorted(both)} are in both future_cols and past_cols: a "
                          "column known over the horizon belongs in future_cols only")
    if CALENDAR in (f.past_cols or ()):
        raise ConfigError("'calendar' is known over the horizon: put it in future_cols")
    emb = f.embedding
    if emb is not None and (not isinstance(emb, int) or isinstance(emb, bool) or emb < 1):
        raise ConfigError(f"embedding={emb!r} is invalid: use an integer >= 1 or None")
    if f.strategy == "recursive" and f.model == "seq2seq":
        raise ConfigError("model='seq2seq' forecasts the whole horizon at once: use "
                          "strategy='direct'")
    if f.strategy == "recursive" and (f.future_cols or f.past_cols):
        raise ConfigError("covariates (future_cols, past_cols) need strategy='direct': a "
                          "recursive model would need their values at every step it feeds back")


def input_columns(f: Any) -> list[str]:
    """The covariate columns to read from the data (the calendar is computed, not read)."""
    return covariate_columns(f.future_cols, f.past_cols)


def covariate_columns(future_cols: Any, past_cols: Any) -> list[str]:
    return [*(past_cols or ()), *(c for c in (future_cols or ()) if c != CALENDAR)]


def forecast_with_future(model: Any, held: pd.DataFrame,
                         data: pd.DataFrame | None = None) -> pd.DataFrame:
    """``model.predict()`` (``predict(data=data)`` when ``data`` is given), with the held-out
    rows' future-known columns for a network fitted with ``future_cols``; baselines and
    models without such columns forecast as usual."""
    columns = [c for c in getattr(model, "future_cols", None) or () if c != CALENDAR]
    kwargs: dict[str, Any] = {} if data is None else {"data": data}
    if columns:
        kwargs["future"] = held[["unique_id", "ds", *columns]]
    return model.predict(**kwargs)  # type: ignore[no-any-return]


def parse_columns(value: Any, option: str) -> list[str] | None:
    """``"a,b"`` (a command-line flag) or a list (a --config file) -> ``["a", "b"]``."""
    if value is None:
        return None
    names = value.split(",") if isinstance(value, str) else list(value)
    names = [str(n).strip() for n in names]
    if not names or not all(names):
        raise ConfigError(f"{option} {value!r} is invalid: give column names separated by "
                          "commas, e.g. promo,price")
    return names


def plan_for(f: Any) -> InputPlan:
    """The window layout of a model whose ``lookback_`` and ``freq_`` are known; the static
    columns' scales come from the fitted series (`InputPlan.fit_statics` sets them in fit)."""
    plan = InputPlan.create(
        past_cols=f.past_cols, future_cols=f.future_cols, embedding=f.embedding,
        seq2seq=f.model == "seq2seq", lookback=int(f.lookback_),
        horizon=int(f.horizon) if f.strategy == "direct" else 1, freq=str(f.freq_),
    )
    fitted = next(iter(getattr(f, "series_", {}).values()), None)
    if fitted is None or not fitted.inputs:
        return plan
    scales = fitted.inputs["scales"]
    return replace(plan, static={c: v for c, v in scales.items() if len(v) > 2})


def build_net(f: Any, output_size: int, blocks: int = 1) -> RecurrentNet | None:
    """The network of a seq2seq model or of one with covariates or an embedding (the caller
    has seeded torch); ``None`` for the plain `RecurrentNet` the Forecaster builds itself.
    ``output_size`` counts every output (``blocks`` blocks of horizon steps)."""
    plan = plan_for(f)
    if not plan.active:
        return None
    from rnnforecast.models import DirectNet, Seq2SeqNet

    hidden = int(f.settings_["hidden_size"])
    common: dict[str, Any] = {
        "dropout": float(f.dropout), "members": int(f.settings_["ensemble"]),
        "series": len(f.series_), "width": int(f.embedding or 0),
    }
    if f.model == "seq2seq":
        return Seq2SeqNet(f.cell, plan.channels, hidden, int(f.num_layers), output_size // blocks,
                          decoder_from=plan.decoder_from, blocks=blocks, **common)
    return DirectNet(f.model, plan.channels, hidden, int(f.num_layers), output_size,
                     future_from=plan.decoder_from, future=plan.n_future, horizon=plan.horizon,
                     **common)
