"""A self-contained HTML report for colleagues who do not run Python.

One page: the data summary, the forecast figure, the honest comparison table (hold-out, the
networks beside seasonal naive, Naive2 and AutoETS), the training curves and the gradient
flow through time. Figures are embedded as PNG ``data:`` URIs and the style sheet is inline:
the page loads nothing from anywhere, so it opens offline and can be mailed as one file. No
script at all.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import re
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rnnforecast._version import __version__
from rnnforecast.explain.common import check_int, data_summary, default_horizon

__all__ = ["SECTIONS", "Report", "build_report", "default_models"]

#: the report's sections, as (id, title), in page order
SECTIONS = (
    ("data", "Data"),
    ("forecast", "Forecast"),
    ("comparison", "Honest comparison"),
    ("training", "Training curves"),
    ("gradients", "Gradient flow through time"),
)


@dataclass
class Report:
    """The page (``html``), the comparison summary it shows and the facts behind it."""

    html: str
    summary: pd.DataFrame
    notes: dict[str, Any] = field(default_factory=dict)


def default_models(all_positive: bool) -> list[str]:
    """lstm, seasonal naive, Naive2, seasonal drift (no network, often the bar to beat) and
    AutoETS (on log(y) when every value is > 0)."""
    return ["lstm", "seasonal_naive", "naive2", "seasonal_drift",
            "auto_ets_log" if all_positive else "auto_ets"]


def build_report(
    data: Any,
    *,
    horizon: int | None = None,
    models: str | Iterable[str] | None = None,
    seeds: int = 1,
    epochs: int | None = None,
    ensemble: int | None = None,
    lookback: int | None = None,
    season_length: int | None = None,
    fill: str | None = None,
    time_col: str | None = None,
    value_col: str | None = None,
    id_col: str | None = None,
    title: str | None = None,
    command: str | None = None,
    on_step: Callable[[str], None] | None = None,
) -> Report:
    """Evaluate ``models`` on a hold-out of the last ``horizon`` points (default: two
    seasons, at most a quarter of the shortest series) and lay everything out as one HTML
    page."""
    from rnnforecast.data.reader import ReadOptions
    from rnnforecast.evaluation import resolve_models, run_protocol
    from rnnforecast.evaluation.summary import verdict
    from rnnforecast.forecaster.inputs import CELL_NAMES  # gradient flow: one recurrent stack

    start_cpu = time.process_time()
    say = on_step or (lambda _: None)
    frame = ReadOptions(time_col, value_col, id_col, fill).read(data)
    info = data_summary(frame, season_length)
    h = default_horizon(frame, 2, season_length) if horizon is None else horizon
    check_int(h, "horizon")
    check_int(seeds, "seeds")
    names = resolve_models(models if models is not None else default_models(info["all_positive"]))
    budget: dict[str, Any] = {k: v for k, v in (("epochs", epochs), ("ensemble", ensemble),
                                                ("fill", fill)) if v is not None}
    say(f"evaluating {', '.join(names)} on the last {h} points of each series")
    result = run_protocol(frame, names, horizon=h, protocol="holdout", seeds=seeds,
                          lookback=lookback, season_length=season_length, **budget)
    summary = result.summary()
    said = verdict(summary)
    mase = {str(m): float(v) for m, v in zip(summary["model"], summary["mase"], strict=True)}
    networks = [m for m in names if m in CELL_NAMES]
    images: dict[str, str] = {}
    ratios: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="rnnforecast-report-") as tmp:
        folder = Path(tmp)
        say("drawing the figures")
        images["forecast"] = _forecast_png(result, mase, folder / "forecast.png")
        if networks:
            fitted = result.fitted[networks[0]]
            images["training"] = _training_png(fitted, networks[0], folder / "training.png")
            say("measuring the gradient flow")
            images["gradients"], ratios = _gradients_png(
                [result.fitted[m] for m in networks], result.train, folder / "gradients.png")
    notes: dict[str, Any] = {
        "horizon": h, "models": names, "seeds": seeds, "data": info,
        "train_points": len(result.train), "test_points": len(result.test),
        "networks": networks, "gradient_ratios": ratios, "verdict": said.to_json(),
    }
    page = _page(title or "Forecast report", info, summary, images, ratios, notes, result,
                 command)
    notes["cpu_seconds"] = time.process_time() - start_cpu
    return Report(page, summary, notes)


# ------------------------------------------------------------------------- figures


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _forecast_png(result: Any, mase: dict[str, float], path: Path) -> str:
    from rnnforecast.plotting.figures import forecast_figure

    forecasts = result.forecast_frame()
    forecast_figure(result.train, forecasts.drop(columns=["y"]), result.test, path=path,
                    title=f"Hold-out: the last {result.horizon} points, forecast from the "
                    "training part", scores=mase)
    return _data_uri(path)


def _training_png(fitted: Any, model: str, path: Path) -> str:
    from rnnforecast.plotting.figures import training_figure

    epochs = len(fitted.history_["train_loss"])
    members = int(fitted.settings_["ensemble"])
    training_figure(fitted.history_, fitted.clip, path=path,
                    title=f"Training the {model} ({members} member"
                    f"{'s' if members > 1 else ''}, {epochs} epochs, seed 0)")
    return _data_uri(path)


def _gradients_png(fitted: list[Any], train: pd.DataFrame,
                   path: Path) -> tuple[str, list[dict[str, Any]]]:
    from rnnforecast.explain.gradients import forecaster_gradient_flow
    from rnnforecast.plotting.explain import gradient_flow_figure

    frames, ratios = [], []
    for forecaster in fitted:
        for initial in (False, True):
            flow = forecaster_gradient_flow(forecaster, train, initial=initial)
            frames.append(flow.to_frame())
            lags = report_lags(flow.steps, int(forecaster.season_length_))
            ratios.append({"model": flow.model, "state": flow.state,
                           **{f"lag {k}": flow.ratio(k) for k in lags}})
    table = pd.concat(frames, ignore_index=True)
    lookback = int(fitted[0].lookback_)
    gradient_flow_figure(table, path=path, mark_lag=lookback - 1,
                         title=f"How far back the loss reaches: ||dL/dh|| over the {lookback}-"
                         "step input window (solid: trained, dashed: initial)")
    return _data_uri(path), ratios


def report_lags(steps: int, season: int) -> list[int]:
    """Lags worth a number: 1, one season, half the window, the oldest step."""
    wanted = {1, season, steps // 2, steps - 1}
    return sorted(k for k in wanted if 1 <= k < steps)


# ---------------------------------------------------------------------------- page

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
margin:0;background:#f6f7f9;color:#1d2228;line-height:1.5}
main{max-width:1080px;margin:0 auto;padding:24px 32px 48px;background:#fff}
h1{font-size:1.7em;margin:0 0 4px}h2{font-size:1.3em;margin:36px 0 8px;
border-bottom:2px solid #dde2e8;padding-bottom:4px}
.meta{color:#5b6573;font-size:.92em;margin:0 0 12px}
nav{font-size:.95em;margin:12px 0}nav a{margin-right:14px;color:#1f5fa8}
table{border-collapse:collapse;margin:8px 0 10px;font-size:.93em}
th,td{border:1px solid #d5dbe2;padding:4px 10px;text-align:right}
th{background:#eef2f6}td:first-child,th:first-child{text-align:left}
img{max-width:100%;height:auto;border:1px solid #e3e7ec;margin:6px 0}
.note{color:#46505c;font-size:.93em;max-width:900px}
.good{color:#17733a;font-weight:600}.bad{color:#b3261e;font-weight:600}
code{background:#f0f2f5;padding:1px 4px;border-radius:3px}
footer{margin-top:40px;color:#5b6573;font-size:.88em}
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _num(value: Any, digits: int = 4) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "-"
    if not np.isfinite(v):
        return "-" if np.isnan(v) else ("inf" if v > 0 else "-inf")
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.{digits}g}"


def _table(header: list[str] | None, rows: list[list[str]]) -> str:
    head = ("<thead><tr>" + "".join(f"<th>{h}</th>" for h in header) + "</tr></thead>"
            if header else "")
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table>{head}<tbody>{body}</tbody></table>"


def _data_section(info: dict[str, Any]) -> str:
    rows = [
        ["series", _e(info["series"])],
        ["points", _e(f"{info['points']:,}") + (
            f" (each series {info['shortest']})" if info["shortest"] == info["longest"]
            else f" (series of {info['shortest']} to {info['longest']})")],
        ["span", _e(f"{info['first']} .. {info['last']}")],
        ["frequency", _e(f"{info['frequency']} (season length {info['season_length']})")],
        ["values", _e(f"min {_num(info['min'])}, median {_num(info['median'])}, "
                      f"max {_num(info['max'])}")],
        ["all values > 0", "yes" if info["all_positive"] else "no"],
    ]
    return _table(None, [[f"<b>{r[0]}</b>", r[1]] for r in rows])


def _verdict_html(text: str) -> str:
    """The verdict line with its judgements coloured (escaped first)."""
    out = _e(text).replace("does NOT beat", '<span class="bad">does NOT beat</span>')
    out = re.sub(r"(?<![\w>])beats ", '<span class="good">beats</span> ', out)
    return f'<p class="verdict"><b>{out}</b></p>'


def _comparison_section(summary: pd.DataFrame, notes: dict[str, Any]) -> str:
    """The scores sorted by MASE (best first) and the verdict line under them: the score
    table of the command line (`score_columns`), with the holdout's metrics."""
    from rnnforecast.evaluation.summary import score_columns

    keys = ("model", "mase", "smape", "rmse", "mae", "mape", "fit_seconds")
    columns = [c for c in score_columns(summary) if c.key in keys]
    rows = [[f"<b>{_e(columns[0].cells[i])}</b>", *[_e(c.cells[i]) for c in columns[1:]]]
            for i in range(len(columns[0].cells))]
    return _table([c.header for c in columns], rows) + _verdict_html(notes["verdict"]["text"])


def _ratio_section(ratios: list[dict[str, Any]]) -> str:
    if not ratios:
        return ""
    lags = [k for k in ratios[0] if k.startswith("lag ")]
    rows = [[f"<b>{_e(r['model'])}</b>", _e(r["state"]),
             *[_e(f"{r.get(k, float('nan')):.1e}") for k in lags]] for r in ratios]
    return _table(["model", "weights", *[_e(k) for k in lags]], rows)


def _page(title: str, info: dict[str, Any], summary: pd.DataFrame, images: dict[str, str],
          ratios: list[dict[str, Any]], notes: dict[str, Any], result: Any,
          command: str | None) -> str:
    h = notes["horizon"]
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    seeds = int(notes["seeds"])
    test_span = (f"{result.test['ds'].min()}", f"{result.test['ds'].max()}")
    span = " .. ".join(s.replace(" 00:00:00", "") for s in test_span)
    nav = "".join(f'<a href="#{sid}">{i}. {_e(name)}</a>'
                  for i, (sid, name) in enumerate(SECTIONS, start=1))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body><main>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="meta">Made with rnnforecast {_e(__version__)} on {today}. Everything on '
        "this page was computed from the data, nothing is illustrative; the page needs no "
        "network connection.</p>",
        f"<nav>{nav}</nav>",
    ]

    def section(sid: str, body: str) -> None:
        number = [s for s, _ in SECTIONS].index(sid) + 1
        name = dict(SECTIONS)[sid]
        parts.append(f'<section id="{sid}"><h2>{number}. {_e(name)}</h2>{body}</section>')

    section("data", _data_section(info))
    section("forecast", (
        f'<img src="{images["forecast"]}" alt="Forecast of the last {h} points beside the '
        'held-out actual values">'
        f'<p class="note">The last {h} points of each series ({_e(span)}) were held out; '
        "every model was fitted on the points before them and forecast all "
        f"{h} steps in one go. The legend gives each model's MASE on the hold-out "
        "(below 1: better than the training part's seasonal naive error).</p>"))
    seeds_note = (f"; networks fitted with {seeds} seeds, ± is the sd across seeds"
                  if seeds > 1 else "; networks fitted once (seed 0)")
    section("comparison", _comparison_section(summary, notes) + (
        f'<p class="note">Hold-out of {notes["test_points"]} points, '
        f"{notes['train_points']} for training{seeds_note}. MASE is scaled by the training "
        "part's seasonal naive error, sMAPE is on 0-200, lower is better everywhere. Seasonal "
        "naive repeats the last season; Naive2 is M4's seasonally adjusted naive; seasonal "
        "drift is seasonal naive plus the average yearly growth (on log values when every "
        "value is positive), no network at all; AutoETS "
        "is statsforecast's exponential smoothing (on log values when every value is "
        "positive). A network that does not beat these is not worth its cost on this "
        "data.</p>"))
    if "training" in images:
        model = notes["networks"][0]
        section("training", (
            f'<img src="{images["training"]}" alt="Training loss and gradient norm per epoch">'
            f'<p class="note">The {_e(model)} of the table (seed 0): the training loss per '
            "epoch (top) and the global gradient norm before clipping (bottom), with the "
            "clipping threshold as a dashed line: epochs above it had their step scaled "
            "down.</p>"))
    else:
        section("training", '<p class="note">No recurrent network among the models: add '
                "lstm, gru or rnn to --models to see how one trains.</p>")
    if "gradients" in images:
        section("gradients", (
            f'<img src="{images["gradients"]}" alt="Gradient norm per input step, log scale">'
            + _ratio_section(ratios) +
            '<p class="note">How strongly the training loss depends on the hidden state at '
            "each step of the input window: ||dL/dh<sub>t</sub>|| relative to the last step, "
            "on a log scale, for the trained network (solid) and the untrained network it "
            "started from (dashed). A curve that falls by orders of magnitude is a vanishing "
            "gradient: those steps barely shape what the network learns. Measured exactly "
            "by backpropagation through the unrolled network, averaged over the training "
            "windows (geometric mean over ensemble members).</p>"))
    else:
        section("gradients", '<p class="note">No recurrent network among the models: add '
                "lstm, gru or rnn to --models to see its gradient flow.</p>")
    again = (f"<p>Made by <code>{_e(command)}</code>.</p>" if command else "")
    parts.append(f"<footer>{again}<p>Models: {_e(', '.join(notes['models']))}; horizon {h}."
                 "</p></footer>")
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"
