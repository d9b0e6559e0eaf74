"""The HTML report: every section present, every image embedded, nothing loaded from the
network, no script; and (slow) it renders in headless Chromium."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from rnnforecast import load_dataset
from rnnforecast.cli import app
from rnnforecast.explain.report import SECTIONS, default_models

PNG = b"\x89PNG\r\n\x1a\n"
CHROMIUM = Path("/usr/bin/chromium")
FAST = ["--epochs", "3", "--ensemble", "1"]


class PageParser(HTMLParser):
    """Collects what the checks need: tags, ids, src/href values, CSS text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.ids: list[str] = []
        self.sections: list[str] = []
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.imgs: list[str] = []
        self.style = ""
        self._in_style = False
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = {k: v or "" for k, v in attrs}
        if "id" in values:
            self.ids.append(values["id"])
            if tag == "section":
                self.sections.append(values["id"])
        for key in ("src", "href", "srcset", "action", "poster", "data"):
            if key in values:
                self.links.append((tag, key, values[key]))
        if tag == "img":
            self.imgs.append(values.get("src", ""))
        if "style" in values:
            self.style += values["style"]
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style += data
        else:
            self.text.append(data)


def write_air(path: Path) -> Path:
    air = load_dataset("airpassengers")
    path.write_text("Month,#Passengers\n" + "".join(
        f"{d:%Y-%m},{int(v)}\n" for d, v in zip(air["ds"], air["y"], strict=True)))
    return path


@pytest.fixture(scope="module")
def report_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("report")
    data = write_air(folder / "air.csv")
    out = folder / "report.html"
    result = CliRunner().invoke(app, ["report", str(data), "--out", str(out), *FAST])
    assert result.exit_code == 0, result.output
    return out, out.read_text(encoding="utf-8")


def parse(page: str) -> PageParser:
    parser = PageParser()
    parser.feed(page)
    parser.close()
    return parser


def test_report_has_every_section_and_the_default_models(report_page: tuple[Path, str]
                                                         ) -> None:
    _, page = report_page
    parsed = parse(page)
    assert parsed.sections == [sid for sid, _ in SECTIONS]
    assert page.startswith("<!DOCTYPE html>")
    text = " ".join(" ".join(parsed.text).split())
    for _, title in SECTIONS:
        assert title in text
    for model in ("lstm", "seasonal_naive", "naive2", "auto_ets_log"):
        assert model in text
    assert "1949-01-01 .. 1960-12-01" in text and "MS (season length 12)" in text
    assert "best: " in text and ("does NOT beat" in text or "beats" in text)
    # forecast, training curves, gradient flow
    assert len(parsed.imgs) == 3


def test_report_is_self_contained(report_page: tuple[Path, str]) -> None:
    _, page = report_page
    parsed = parse(page)
    for src in parsed.imgs:
        assert src.startswith("data:image/png;base64,"), src[:40]
        assert base64.b64decode(src.split(",", 1)[1]).startswith(PNG)
    for tag, key, value in parsed.links:
        low = value.strip().lower()
        assert not low.startswith(("http:", "https:", "//", "ftp:", "file:")), (tag, key)
        if tag != "img":
            assert low.startswith("#"), (tag, key, value)  # only in-page anchors
    assert not {"script", "link", "iframe", "object", "embed", "base"} & set(parsed.tags)
    assert "url(" not in parsed.style and "@import" not in parsed.style
    assert "http://" not in page and "https://" not in page


def test_default_models_follow_the_sign_of_the_data() -> None:
    assert default_models(True)[-1] == "auto_ets_log"
    assert default_models(False)[-1] == "auto_ets"
    assert default_models(False)[:3] == ["lstm", "seasonal_naive", "naive2"]


def test_report_without_a_network_keeps_every_section(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    n = 60
    y = 10 + np.sin(np.arange(n) / 7 * 2 * np.pi) + rng.normal(0, 0.1, n) - 10.5  # some < 0
    data = tmp_path / "daily.csv"
    data.write_text("date,value\n" + "".join(
        f"2024-01-{1 + i:02d},{v:.4f}\n" if i < 31 else f"2024-02-{i - 30:02d},{v:.4f}\n"
        for i, v in enumerate(y[:59])))
    out = tmp_path / "r.html"
    result = CliRunner().invoke(app, ["report", str(data), "--models", "naive,seasonal_naive",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    parsed = parse(out.read_text(encoding="utf-8"))
    assert parsed.sections == [sid for sid, _ in SECTIONS]
    text = " ".join(" ".join(parsed.text).split())
    assert "No recurrent network among the models" in text
    assert "horizon 14" in text  # two weeks of daily data
    assert len(parsed.imgs) == 1


@pytest.mark.parametrize(("args", "message"), [
    (["--models", "lstm,prophet"], "unknown model 'prophet'"),
    (["--horizon", "0"], "--horizon 0 is invalid"),
    (["--horizon", "140"], "use a shorter horizon"),
])
def test_report_errors_are_one_line_and_write_nothing(tmp_path: Path, args: list[str],
                                                      message: str) -> None:
    data = write_air(tmp_path / "air.csv")
    out = tmp_path / "r.html"
    result = CliRunner().invoke(app, ["report", str(data), *args, *FAST, "--out", str(out)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], lines
    assert not out.exists()


def test_report_refuses_a_folder_as_out(tmp_path: Path) -> None:
    data = write_air(tmp_path / "air.csv")
    result = CliRunner().invoke(app, ["report", str(data), "--out", str(tmp_path)])
    assert result.exit_code == 2 and "is a directory" in result.stderr


@pytest.mark.slow
def test_report_renders_offline_in_headless_chromium(report_page: tuple[Path, str],
                                                     tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip("headless rendering needs Chromium at /usr/bin/chromium "
                    "(Debian: apt-get install chromium)")
    page, _ = report_page
    shot = tmp_path / "shot.png"
    run = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}",
         "--window-size=1200,4000", page.resolve().as_uri()],
        capture_output=True, text=True, timeout=120, check=False)
    assert shot.exists(), run.stderr[-2000:]
    from matplotlib.image import imread

    pixels = imread(shot)[:, :, :3]
    assert pixels.shape[:2] == (4000, 1200)
    # content (dark pixels: text, axes, curves) all the way down to the last section
    dark = (pixels.mean(axis=2) < 0.5).sum(axis=1)
    rows = np.flatnonzero(dark > 0)
    assert rows.size > 500
    assert rows.max() > 2500, "the page is shorter than its five sections"
    # coloured blocks down the page: the links, the forecast, the table's verdicts, the
    # training curves and the gradient flow (about 1200 rows in all on AirPassengers)
    coloured = np.flatnonzero((pixels.max(axis=2) - pixels.min(axis=2) > 0.25).sum(axis=1)
                              >= 3)
    assert coloured.size > 600
    blocks = np.split(coloured, np.flatnonzero(np.diff(coloured) > 60) + 1)
    assert len(blocks) >= 4, [(int(b[0]), int(b[-1])) for b in blocks]
    keep = os.environ.get("RNNFORECAST_KEEP_SCREENSHOT")  # to look at it: a path to copy to
    if keep:
        shutil.copy(shot, keep)
