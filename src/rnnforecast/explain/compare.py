"""One factor at a time: RNN vs LSTM vs GRU, 1/2/3 layers, dropout, gradient clipping.

Starting from the default configuration (LSTM, 1 layer, no dropout, clipping at 1.0), each
factor is varied alone, never as a full grid, so that the whole experiment fits a CPU budget
of a few minutes on a small series. Every setting is fitted over the same seeds with the
same budget (epochs, members, hidden units) and scored by the same rolling-origin backtest
(`run_protocol(..., protocol="backtest")`, refitted at every origin); seasonal naive is the
reference line. Dropout acts between stacked layers only (a one-layer network has nowhere
to apply it), so the dropout factor compares 2 layers without and with dropout 0.2.

The reading (`CompareResult.paragraph`) is generated from the table by the rule in
`rnnforecast.explain.narrative`: a difference is stated only when it is larger than the
seeds' spread.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from rnnforecast.errors import ConfigError
from rnnforecast.explain.common import check_int, data_summary, default_horizon, season_of
from rnnforecast.explain.narrative import Claim, Stat, fmt, sentence, verdict

__all__ = ["FACTORS", "SETTINGS", "CompareResult", "compare"]

DEFAULT_CLIP = 1.0


@dataclass(frozen=True)
class Setting:
    """One network configuration of the experiment."""

    config: str
    model: str
    num_layers: int = 1
    dropout: float = 0.0
    clip: float | None = DEFAULT_CLIP

    def params(self) -> dict[str, Any]:
        return {"num_layers": self.num_layers, "dropout": self.dropout, "clip": self.clip}


SETTINGS: dict[str, Setting] = {s.config: s for s in (
    Setting("lstm", "lstm"),
    Setting("rnn", "rnn"),
    Setting("gru", "gru"),
    Setting("lstm-2-layers", "lstm", num_layers=2),
    Setting("lstm-3-layers", "lstm", num_layers=3),
    Setting("lstm-2-layers-dropout", "lstm", num_layers=2, dropout=0.2),
    Setting("lstm-no-clip", "lstm", clip=None),
)}


@dataclass(frozen=True)
class Factor:
    """A factor: its levels as (label, config, phrase in a sentence); the first level whose
    config is ``reference`` is the one the others are compared with."""

    name: str
    levels: tuple[tuple[str, str, str], ...]
    reference: str
    plural: bool = False


FACTORS: dict[str, Factor] = {f.name: f for f in (
    Factor("cell", (("rnn", "rnn", "the RNN"), ("lstm", "lstm", "the LSTM"),
                    ("gru", "gru", "the GRU")), "lstm"),
    Factor("layers", (("1", "lstm", "1 layer"), ("2", "lstm-2-layers", "2 layers"),
                      ("3", "lstm-3-layers", "3 layers")), "lstm", plural=True),
    Factor("dropout", (("0", "lstm-2-layers", "no dropout"),
                       ("0.2", "lstm-2-layers-dropout", "dropout 0.2 between the 2 layers")),
           "lstm-2-layers"),
    Factor("clipping", (("on (1.0)", "lstm", "clipping at 1.0"),
                        ("off", "lstm-no-clip", "no clipping")),
           "lstm"),
)}


@dataclass
class CompareResult:
    """``table``: one row per factor level (the default configuration appears under each
    factor it belongs to) plus seasonal naive; ``seeds``: MASE per setting and seed;
    ``claims`` and ``paragraph``: the reading; ``notes``: the experiment's settings, the
    data summary and the CPU seconds it took."""

    table: pd.DataFrame
    seeds: pd.DataFrame
    claims: list[Claim]
    paragraph: str
    notes: dict[str, Any] = field(default_factory=dict)

    def reference_mase(self) -> float:
        row = self.table[self.table["factor"] == "baseline"]
        return float(row["mase"].iloc[0]) if len(row) else float("nan")


def compare(
    data: Any,
    horizon: int | None = None,
    *,
    factors: Iterable[str] = tuple(FACTORS),
    seeds: int = 5,
    windows: int = 3,
    epochs: int | None = None,
    ensemble: int | None = None,
    hidden_size: int | None = None,
    lookback: int | None = None,
    season_length: int | None = None,
    fill: str | None = None,
    time_col: str | None = None,
    value_col: str | None = None,
    id_col: str | None = None,
    on_step: Callable[[str], None] | None = None,
) -> CompareResult:
    """Run the one-factor-at-a-time experiment on ``data`` (backtest MASE over ``seeds``
    seeds and ``windows`` origins ``horizon`` steps apart; ``horizon`` defaults to one
    season). ``epochs``, ``ensemble``, ``hidden_size``: the budget every setting gets
    (default: the library's defaults)."""
    from rnnforecast.data.reader import ReadOptions
    from rnnforecast.evaluation import run_protocol
    from rnnforecast.evaluation.summary import SEASONAL_NAIVE

    start_cpu = time.process_time()
    names = list(factors)
    for name in names:
        if name not in FACTORS:
            raise ConfigError(f"unknown factor '{name}': use any of {', '.join(FACTORS)}")
    if not names:
        raise ConfigError(f"no factor given: use any of {', '.join(FACTORS)}")
    check_int(seeds, "seeds")
    check_int(windows, "windows")
    frame = ReadOptions(time_col, value_col, id_col, fill).read(data)
    h = default_horizon(frame, 1, season_length, share=1 / 6) if horizon is None else horizon
    check_int(h, "horizon")
    budget: dict[str, Any] = {k: v for k, v in (("epochs", epochs), ("ensemble", ensemble),
                                ("hidden_size", hidden_size), ("fill", fill)) if v is not None}
    configs = list(dict.fromkeys(cfg for n in names for _, cfg, _ in FACTORS[n].levels))
    summaries: dict[str, dict[str, Any]] = {}
    per_seed: list[pd.DataFrame] = []
    baseline: dict[str, Any] | None = None
    first_fit: Any = None
    for i, config in enumerate(configs, start=1):
        setting = SETTINGS[config]
        if on_step is not None:
            on_step(f"[{i}/{len(configs)}] {config}: {seeds} seeds x {windows} windows")
        result = run_protocol(frame, [setting.model], horizon=h, protocol="backtest",
                              seeds=seeds, windows=windows, lookback=lookback,
                              season_length=season_length, **setting.params(), **budget)
        summary = result.summary().set_index("model")
        row = summary.loc[setting.model].to_dict()
        row["parameters"] = _parameters_per_member(setting, h, result.fitted[setting.model])
        summaries[config] = row
        scores = result.scores[result.scores["model"] == setting.model]
        seed_mase = scores.groupby("seed", sort=True)["mase"].mean()
        per_seed.append(pd.DataFrame({"config": config, "seed": seed_mase.index,
                                      "mase": seed_mase.to_numpy()}))
        if baseline is None:
            baseline = summary.loc[SEASONAL_NAIVE].to_dict()
            first_fit = result.fitted[setting.model]
    assert baseline is not None and first_fit is not None
    used = {name: int(first_fit.settings_[name])
            for name in ("epochs", "ensemble", "hidden_size")}
    table = _table(names, summaries, baseline, seeds, windows)
    claims = _claims(names, table)
    notes: dict[str, Any] = {
        "horizon": h, "windows": windows, "seeds": seeds, **used,
        "lookback": lookback, "season_length": season_of(frame, season_length),
        "factors": names, "data": data_summary(frame, season_length),
    }
    paragraph = _paragraph(claims, table, notes)
    notes["cpu_seconds"] = time.process_time() - start_cpu
    return CompareResult(table, pd.concat(per_seed, ignore_index=True), claims, paragraph,
                         notes)


def _parameters_per_member(setting: Setting, horizon: int, fitted: Any) -> int:
    """Trainable parameters of one member (the batched network's masked blocks excluded)."""
    from rnnforecast.models import RecurrentNet

    out = horizon if fitted.strategy == "direct" else 1
    net = RecurrentNet(setting.model, int(fitted.net_.rnn.input_size),
                       int(fitted.settings_["hidden_size"]), setting.num_layers, out,
                       dropout=setting.dropout, members=1)
    return int(sum(p.numel() for p in net.parameters()))


def _table(names: list[str], summaries: dict[str, dict[str, Any]], baseline: dict[str, Any],
           seeds: int, windows: int) -> pd.DataFrame:
    rows = []
    for name in names:
        factor = FACTORS[name]
        for level, config, _ in factor.levels:
            s, setting = summaries[config], SETTINGS[config]
            rows.append({
                "factor": name, "level": level, "config": config,
                "is_default": config == factor.reference, "model": setting.model,
                "num_layers": setting.num_layers, "dropout": setting.dropout,
                "clip": np.nan if setting.clip is None else setting.clip,
                "seeds": int(s["seeds"]), "windows": windows,
                "mase": float(s["mase"]), "mase_sd": float(s["mase_sd"]),
                "mase_max": float(s["mase_max"]),
                "smape": float(s["smape"]), "smape_sd": float(s["smape_sd"]),
                "fit_seconds": float(s.get("fit_seconds", np.nan)),
                "parameters": int(s["parameters"]),
            })
    rows.append({
        "factor": "baseline", "level": "seasonal_naive", "config": "seasonal_naive",
        "is_default": False, "model": "seasonal_naive", "num_layers": 0, "dropout": np.nan,
        "clip": np.nan, "seeds": 1, "windows": windows,
        "mase": float(baseline["mase"]), "mase_sd": 0.0, "mase_max": float(baseline["mase"]),
        "smape": float(baseline["smape"]), "smape_sd": 0.0,
        "fit_seconds": float(baseline.get("fit_seconds", np.nan)), "parameters": 0,
    })
    return pd.DataFrame(rows)


def stat_of(table: pd.DataFrame, config: str) -> Stat:
    """The MASE of one setting as a `Stat` (seasonal naive is deterministic)."""
    row = table[table["config"] == config].iloc[0]
    return Stat(float(row["mase"]), float(row["mase_sd"]), int(row["seeds"]),
                deterministic=config == "seasonal_naive")


def _claims(names: list[str], table: pd.DataFrame) -> list[Claim]:
    claims = []
    for name in names:
        factor = FACTORS[name]
        ref_phrase = next(p for _, c, p in factor.levels if c == factor.reference)
        b = stat_of(table, factor.reference)
        for _, config, phrase in factor.levels:
            if config == factor.reference:
                continue
            a = stat_of(table, config)
            claims.append(Claim(phrase, ref_phrase, config, factor.reference, a, b,
                                verdict(a, b), plural=factor.plural))
    return claims


def _paragraph(claims: list[Claim], table: pd.DataFrame, notes: dict[str, Any]) -> str:
    seeds, windows = notes["seeds"], notes["windows"]
    parts = [
        f"On this data, each setting was fitted with {seeds} seed{'s' if seeds > 1 else ''} "
        f"and the same budget ({notes['epochs']} epochs, {notes['ensemble']} member"
        f"{'s' if notes['ensemble'] > 1 else ''} of {notes['hidden_size']} units), and "
        f"scored on a backtest of {windows} window{'s' if windows > 1 else ''} of "
        f"{notes['horizon']} steps (test MASE, lower is better; sd across seeds)."
    ]
    parts += [sentence(c) for c in claims]
    ref = "lstm" if (table["config"] == "lstm").any() else "lstm-2-layers"
    name = {"lstm": "the default LSTM", "lstm-2-layers": "the 2-layer LSTM"}[ref]
    default, naive = stat_of(table, ref), stat_of(table, "seasonal_naive")
    v = verdict(default, naive)
    how = {"better": "was better than it", "worse": "was worse than it",
           "no clear difference": "showed no clear difference from it",
           "too few seeds": "cannot be told apart from it with one seed"}[v]
    parts.append(f"Seasonal naive scored {fmt(naive.mean)}; {name} "
                 f"({fmt(default.mean)}, sd {fmt(default.sd)}) {how}.")
    layers = table[table["factor"] == "layers"]
    if len(layers):
        p = layers.set_index("level")
        parts.append(
            "Parameters per member and CPU seconds per fit: " + ", ".join(
                f"{lvl} layer{'s' if lvl != '1' else ''} {int(p.loc[lvl, 'parameters'])} "
                f"and {fmt(float(p.loc[lvl, 'fit_seconds']))} s" for lvl in p.index) + ".")
    parts.append("A difference is stated only when the gap between the means is larger "
                 "than the sum of the two standard deviations across seeds.")
    return " ".join(parts)
