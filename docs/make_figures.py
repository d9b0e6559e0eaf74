"""Regenerate the figures of docs/learn.md (about 90 s of CPU on one thread):

    .venv/bin/python docs/make_figures.py

The AirPassengers figures are the very files the commands write (``rnnforecast explain
gradients`` and ``rnnforecast explain compare`` run here through their entry point), saved
as 256-colour PNGs to keep the repository small; the memory-task figure comes from
`rnnforecast.explain.gradients.memory_experiment`. The numbers quoted in learn.md are
printed at the end. (docs/images/demo-forecast.png is made by ``rnnforecast demo``.)
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image
from typer.testing import CliRunner

from rnnforecast import load_dataset
from rnnforecast.cli import app
from rnnforecast.explain.gradients import memory_experiment
from rnnforecast.plotting.explain import gradient_flow_figure

IMAGES = Path(__file__).resolve().parent / "images"


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


def main() -> None:
    IMAGES.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        air = load_dataset("airpassengers")
        data = work / "AirPassengers.csv"
        data.write_text("Month,#Passengers\n" + "".join(
            f"{d:%Y-%m},{int(v)}\n" for d, v in zip(air["ds"], air["y"], strict=True)))

        # 1. the memory task: the answer lies 40 steps back; freshly initialised networks
        flows = memory_experiment(seed=0)
        table = pd.concat([f.to_frame() for f in flows.values()], ignore_index=True)
        gradient_flow_figure(table, path=work / "memory.png", mark_lag=40,
                             title="Memory task (answer 40 steps back), untrained networks: "
                             "||dL/dh|| relative to the last step")
        small_png(work / "memory.png", IMAGES / "learn-memory-task.png")
        ratios = {m: f.ratio(40) for m, f in flows.items()}
        gaps = np.array([np.log10(f["lstm"].ratio(40) / f["rnn"].ratio(40))
                         for f in (memory_experiment(seed=s) for s in range(30))])

        # 2. gradient flow and clipping on AirPassengers
        grads = run("explain", "gradients", str(data), "--out", str(work / "gradients"))
        small_png(work / "gradients" / "gradient-flow.png", IMAGES / "learn-gradient-flow.png")
        small_png(work / "gradients" / "clipping.png", IMAGES / "learn-clipping.png")

        # 3. one factor at a time
        compared = run("explain", "compare", str(data), "--horizon", "12", "--out",
                       str(work / "compare"))
        small_png(work / "compare" / "compare.png", IMAGES / "learn-compare.png", width=1400)
        payload = json.loads((work / "compare" / "compare.json").read_text())

    print("\nmemory task, ||dL/dh_{T-41}|| / ||dL/dh_{T-1}||:",
          ", ".join(f"{m} {r:.1e}" for m, r in ratios.items()))
    print(f"over seeds 0-29, log10(lstm / rnn) at lag 40: median {np.median(gaps):.1f}, "
          f"min {gaps.min():.1f}, > 2 in {np.mean(gaps > 2):.0%} of the seeds")
    print("\nexplain gradients:\n" + grads)
    print("explain compare:\n" + compared)
    print(f"compare CPU seconds: {payload['notes']['cpu_seconds']:.1f}")


if __name__ == "__main__":
    main()
