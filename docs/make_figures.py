"""Regenerate the figures of docs/learn.md and the numbers it quotes about them (about 90 s
of CPU on one thread; ``--sections gradients`` about 10 s):

    .venv/bin/python docs/make_figures.py [--sections memory,gradients,compare]

The gradient-flow table and the paragraphs that quote its numbers are written into learn.md
between ``<!-- begin generated: NAME -->`` and ``<!-- end generated: NAME -->`` by
`gradient_blocks`, from the JSON that ``rnnforecast explain gradients`` writes; the test
tests/test_docs_learn.py runs the same command and checks that the page still agrees.

The AirPassengers figures are the very files the commands write (``rnnforecast explain
gradients`` and ``rnnforecast explain compare`` run here through their entry point), saved
as 256-colour PNGs to keep the repository small; the memory-task figure comes from
`rnnforecast.explain.gradients.memory_experiment`. The numbers quoted in learn.md are
printed at the end. (docs/images/demo-forecast.png is made by ``rnnforecast demo``.)
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from PIL import Image
from typer.testing import CliRunner

from rnnforecast import load_dataset
from rnnforecast.cli import app
from rnnforecast.explain.gradients import memory_experiment
from rnnforecast.plotting.explain import gradient_flow_figure

IMAGES = Path(__file__).resolve().parent / "images"
LEARN = Path(__file__).resolve().parent / "learn.md"
SECTIONS = ("memory", "gradients", "compare")
#: the lags of the table: 1, one season, half the 48-step window, the oldest step
LAGS = (1, 12, 24, 47)


def small_png(source: Path, target: Path, width: int = 1100) -> None:
    """``source`` as a palette PNG at most ``width`` pixels wide."""
    image = Image.open(source).convert("RGB")
    if image.width > width:
        image = image.resize((width, round(image.height * width / image.width)),
                             Image.Resampling.LANCZOS)
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)
    print(f"{target.relative_to(IMAGES.parent.parent)}: {target.stat().st_size / 1024:.0f} KB")


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    if result.exit_code != 0:
        raise SystemExit(f"rnnforecast {' '.join(args)} failed:\n{result.output}")
    return result.stdout


def write_air(path: Path) -> Path:
    """AirPassengers as Kaggle's file (``Month,#Passengers``), the input of every command."""
    air = load_dataset("airpassengers")
    path.write_text("Month,#Passengers\n" + "".join(
        f"{d:%Y-%m},{int(v)}\n" for d, v in zip(air["ds"], air["y"], strict=True)))
    return path


def sci(value: float) -> str:
    """One significant digit, as the prose quotes them: 0.00098 -> "1e-3"."""
    mantissa, exponent = f"{value:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def ratios(payload: dict[str, Any]) -> dict[tuple[str, str], dict[int, float]]:
    """(model, state) -> lag -> ||dL/dh|| relative to the last step, top layer, from
    gradient-flow.json."""
    out = {}
    for flow in payload["flows"]:
        top, steps = flow["relative"][-1], int(flow["steps"])
        out[(flow["model"], flow["state"])] = {k: float(top[steps - 1 - k]) for k in LAGS}
    return out


def gradient_blocks(payload: dict[str, Any]) -> dict[str, str]:
    """The generated parts of learn.md: the gradient table with the reading of it, and the
    clipping paragraph, every number taken from ``explain gradients``' JSON."""
    r = ratios(payload)
    models = list(dict.fromkeys(m for m, _ in r))
    rows = [f"| {m} | {s} | " + " | ".join(f"{r[(m, s)][k]:.1e}" for k in LAGS) + " |"
            for m in models for s in ("trained", "initial")]
    table = "\n".join([
        "| model | weights | " + " | ".join(f"lag {k}" for k in LAGS) + " |",
        "|---|---|" + "---:|" * len(LAGS), *rows])
    old = LAGS[-1]
    rnn_t, rnn_i = r[("rnn", "trained")], r[("rnn", "initial")]
    falls = [old / -np.log10(x[old]) for x in (rnn_t, rnn_i) if 0 < x[old] < 1]
    per_decade = sorted(falls) if len(falls) == 2 else None
    flattened = all(r[(m, "trained")][old] > r[(m, "initial")][old] for m in models)
    keeps = max(models, key=lambda m: r[(m, "trained")][old])
    others = [m for m in models if m != keeps]
    names = {"rnn": "RNN's", "lstm": "LSTM's", "gru": "GRU's"}
    reading = (
        "How to read it: "
        + (f"the Elman RNN's gradient falls by a factor of ten every {per_decade[0]:.0f} to "
           f"{per_decade[1]:.0f} steps. " if per_decade else "")
        + f"One year back (lag 12) the Elman RNN's gradient is "
        f"{sci(rnn_t[12])} of the last step's after training ({sci(rnn_i[12])} before), two "
        f"years back {sci(rnn_t[24])} ({sci(rnn_i[24])} before), at the oldest step of the "
        f"window (lag {old}) {sci(rnn_t[old])} ({sci(rnn_i[old])} before). "
        + ("Training flattened every curve. " if flattened else "")
        + f"The {names[keeps]} trained gradient keeps the most: {sci(r[(keeps, 'trained')][24])}"
        f" two years back and {sci(r[(keeps, 'trained')][old])} at the start of the window, "
        "where the " + " and the ".join(
            f"{names[m]} is {sci(r[(m, 'trained')][old])}" for m in others) + ". This is the "
        "vanishing gradient, measured: a plain RNN given a long window learns mostly from "
        "its most recent steps.")
    peaks = {m: max(c["grad_norm"]) for m, c in payload["clipping"].items()}
    clip = payload["clip"].get("rnn")
    top = max(peaks, key=lambda m: peaks[m])
    rest = ", ".join(f"the {names[m]} {peaks[m]:.2f}" for m in peaks if m != top)
    above = {m: sum(n > clip for n in c["grad_norm"]) if clip is not None else 0
             for m, c in payload["clipping"].items()}
    epochs = {m: len(c["grad_norm"]) for m, c in payload["clipping"].items()}
    acted = [f"on the {names[m][:-2]} in {above[m]} of its {epochs[m]} epochs" for m in above
             if above[m]]
    clipping = (
        f"On AirPassengers the largest gradient norm of any epoch was {peaks[top]:.2f} (the "
        f"{names[top]}; {rest}), against the clip at {clip:g}: "
        + (f"clipping acted {' and '.join(acted)}, and nowhere else, so after clipping "
           "equals before almost everywhere." if acted else
           "clipping never acted, so after clipping equals before.")
        + " On a series with sharp jumps, or with a larger learning rate, the same figure "
        "shows the clipped epochs.")
    return {"gradients": table, "reading": textwrap.fill(reading, 92),
            "clipping": textwrap.fill(clipping, 92)}


def block_pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- begin generated: {name} -->\n)(.*?)(\n<!-- end generated: "
                      rf"{name} -->)", re.DOTALL)


def fill_blocks(text: str, blocks: dict[str, str]) -> str:
    """``text`` with each generated block replaced (a block missing from it is an error)."""
    for name, body in blocks.items():
        pattern = block_pattern(name)
        if not pattern.search(text):
            raise SystemExit(f"learn.md has no generated block '{name}'")
        text = pattern.sub(lambda m, b=body: m[1] + b + m[3], text)
    return text


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Regenerate docs/learn.md's figures")
    parser.add_argument("--sections", default=",".join(SECTIONS),
                        help=f"comma-separated, any of {', '.join(SECTIONS)}")
    wanted = parser.parse_args(argv).sections.split(",")
    IMAGES.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        data = write_air(work / "AirPassengers.csv")
        if "memory" in wanted:
            memory()
        if "gradients" in wanted:
            grads = run("explain", "gradients", str(data), "--out", str(work / "gradients"))
            small_png(work / "gradients" / "gradient-flow.png",
                      IMAGES / "learn-gradient-flow.png")
            small_png(work / "gradients" / "clipping.png", IMAGES / "learn-clipping.png")
            payload = json.loads((work / "gradients" / "gradient-flow.json").read_text())
            LEARN.write_text(fill_blocks(LEARN.read_text(), gradient_blocks(payload)))
            print("\nexplain gradients (learn.md updated):\n" + grads)
        if "compare" in wanted:
            compared = run("explain", "compare", str(data), "--horizon", "12", "--out",
                           str(work / "compare"))
            small_png(work / "compare" / "compare.png", IMAGES / "learn-compare.png",
                      width=1400)
            notes = json.loads((work / "compare" / "compare.json").read_text())["notes"]
            print("explain compare:\n" + compared)
            print(f"compare CPU seconds: {notes['cpu_seconds']:.1f}")


def memory() -> None:
    """The memory task (the answer lies 40 steps back) on freshly initialised networks."""
    with tempfile.TemporaryDirectory() as tmp:
        flows = memory_experiment(seed=0)
        table = pd.concat([f.to_frame() for f in flows.values()], ignore_index=True)
        gradient_flow_figure(table, path=Path(tmp) / "memory.png", mark_lag=40,
                             title="Memory task (answer 40 steps back), untrained networks: "
                             "||dL/dh|| relative to the last step")
        small_png(Path(tmp) / "memory.png", IMAGES / "learn-memory-task.png")
    gaps = np.array([np.log10(f["lstm"].ratio(40) / f["rnn"].ratio(40))
                     for f in (memory_experiment(seed=s) for s in range(30))])
    print("\nmemory task, ||dL/dh_{T-41}|| / ||dL/dh_{T-1}||:",
          ", ".join(f"{m} {f.ratio(40):.1e}" for m, f in flows.items()))
    print(f"over seeds 0-29, log10(lstm / rnn) at lag 40: median {np.median(gaps):.1f}, "
          f"min {gaps.min():.1f}, > 2 in {np.mean(gaps > 2):.0%} of the seeds")


if __name__ == "__main__":
    main()
