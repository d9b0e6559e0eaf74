"""One factor at a time: the rule that decides what the text may claim, and the agreement
of the generated reading with the table (every number and every comparative claim)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from rnnforecast import load_dataset
from rnnforecast.cli import app
from rnnforecast.explain.compare import FACTORS, CompareResult, _claims, _paragraph, compare
from rnnforecast.explain.narrative import (
    BETTER,
    NO_CLEAR,
    TOO_FEW,
    WORSE,
    Stat,
    fmt,
    sentence,
    verdict,
)

PNG = b"\x89PNG\r\n\x1a\n"
TINY = {"seeds": 2, "windows": 2, "epochs": 3, "ensemble": 1, "hidden_size": 4}


# ------------------------------------------------------------------------ the rule


@pytest.mark.parametrize(("a", "b", "expected"), [
    (Stat(0.81, 0.05, 5), Stat(0.62, 0.03, 5), WORSE),       # gap 0.19 > 0.08
    (Stat(0.55, 0.02, 5), Stat(0.62, 0.03, 5), BETTER),      # gap 0.07 > 0.05
    (Stat(0.66, 0.05, 5), Stat(0.62, 0.03, 5), NO_CLEAR),    # gap 0.04 <= 0.08
    (Stat(0.70, 0.05, 5), Stat(0.62, 0.03, 5), NO_CLEAR),    # gap 0.08 = spread: not larger
    (Stat(0.81, 0.0, 1), Stat(0.62, 0.0, 1), TOO_FEW),       # one seed: spread unknown
    (Stat(0.81, 0.01, 3), Stat(0.62, 0.0, 1), TOO_FEW),
    (Stat(0.60, 0.01, 3), Stat(0.62, 0.0, 1, deterministic=True), BETTER),  # a baseline
    (Stat(0.6231, 0.0, 3), Stat(0.6219, 0.0, 3), NO_CLEAR),  # both print as 0.62
    (Stat(float("nan"), 0.1, 3), Stat(0.62, 0.03, 3), NO_CLEAR),
])
def test_a_difference_is_claimed_only_beyond_the_seeds_spread(a: Stat, b: Stat,
                                                               expected: str) -> None:
    assert verdict(a, b) == expected


def test_sentences_carry_the_printed_numbers() -> None:
    from rnnforecast.explain.narrative import Claim

    claim = Claim("2 layers", "1 layer", "lstm-2-layers", "lstm", Stat(0.8123, 0.051, 5),
                  Stat(0.6249, 0.0349, 5), WORSE, plural=True)
    assert sentence(claim) == ("2 layers were worse than 1 layer: test MASE 0.81 vs 0.62, "
                               "sd 0.05 and 0.03.")
    same = Claim("the GRU", "the LSTM", "gru", "lstm", Stat(0.64, 0.05, 5),
                 Stat(0.62, 0.03, 5), NO_CLEAR)
    assert sentence(same).startswith("The GRU and the LSTM showed no clear difference: "
                                     "test MASE 0.64 vs 0.62, sd 0.05 and 0.03")


# ------------------------------------------------------- the text against the table

_CLAIM = re.compile(
    r"^(?P<subject>.+?) (?:was|were) (?P<verdict>better|worse) than (?P<ref>[^:]+): "
    r"test MASE (?P<a>\d+\.\d+) vs (?P<b>\d+\.\d+), sd (?P<sa>\d+\.\d+) and (?P<sb>\d+\.\d+)")
_SAME = re.compile(
    r"^(?P<subject>.+?) and (?P<ref>[^:]+?) showed no clear difference: test MASE "
    r"(?P<a>\d+\.\d+) vs (?P<b>\d+\.\d+), sd (?P<sa>\d+\.\d+) and (?P<sb>\d+\.\d+)")


def _phrase_configs() -> dict[str, str]:
    """Every phrase the text uses for a setting -> that setting's config."""
    return {phrase.lower(): config for f in FACTORS.values() for _, config, phrase in f.levels}


def check_text_matches_table(result: CompareResult) -> int:
    """Parse the paragraph independently of the claim objects: every comparison it states
    names two settings whose table numbers it prints, and its verdict is the rule's verdict
    on those table numbers. Returns the number of comparisons found."""
    table, text = result.table, result.paragraph
    phrases = _phrase_configs()

    def stat(config: str) -> Stat:
        row = table[table["config"] == config].iloc[0]
        return Stat(float(row["mase"]), float(row["mase_sd"]), int(row["seeds"]))

    found = 0
    sentences = re.split(r"(?<=\.)\s+(?=[A-Z0-9])", text)
    for pattern, fixed in ((_CLAIM, None), (_SAME, NO_CLEAR)):
        for m in filter(None, map(pattern.match, sentences)):
            a_cfg, b_cfg = phrases[m["subject"].lower()], phrases[m["ref"].lower()]
            a, b = stat(a_cfg), stat(b_cfg)
            assert (m["a"], m["sa"]) == (fmt(a.mean), fmt(a.sd)), m.group(0)
            assert (m["b"], m["sb"]) == (fmt(b.mean), fmt(b.sd)), m.group(0)
            assert verdict(a, b) == (fixed or m["verdict"]), m.group(0)
            found += 1
    # every number printed in the text is a number of the table (as printed)
    printed = {fmt(v) for col in ("mase", "mase_sd", "fit_seconds")
               for v in table[col]} | {str(int(v)) for v in table["parameters"]}
    settings = result.notes
    allowed = printed | {str(settings[k]) for k in ("seeds", "windows", "epochs", "ensemble",
                                                    "hidden_size", "horizon")} | {"1", "2", "3"}
    settings_named = re.sub(r"(?i)clipping at 1\.0|dropout 0\.2", "", text)
    for number in re.findall(r"\d+(?:\.\d+)?", settings_named):
        assert number in allowed, number
    # no comparative word outside the sentences checked above and the baseline sentence
    comparative = re.compile(r"better|worse|no clear difference|beat|improv|hurt|help")
    baseline = [x for x in sentences if x.startswith("Seasonal naive scored")]
    assert len(baseline) == 1
    for x in sentences:
        definition = "lower is better" in x or x.startswith("A difference is stated only")
        if comparative.search(x) and x not in baseline and not definition:
            assert _CLAIM.match(x) or _SAME.match(x), x
    # the baseline sentence: the default LSTM against seasonal naive, by the same rule
    naive = table[table["config"] == "seasonal_naive"].iloc[0]
    lstm = stat("lstm")
    expected = verdict(lstm, Stat(float(naive["mase"]), 0.0, 1, deterministic=True))
    assert baseline[0].startswith(f"Seasonal naive scored {fmt(naive['mase'])}; the default "
                                  f"LSTM ({fmt(lstm.mean)}, sd {fmt(lstm.sd)})")
    said = {"better than it": BETTER, "worse than it": WORSE,
            "no clear difference": NO_CLEAR, "one seed": TOO_FEW}
    assert [v for k, v in said.items() if k in baseline[0]] == [expected]
    return found


@pytest.fixture(scope="module")
def tiny_compare() -> CompareResult:
    return compare(load_dataset("airpassengers"), 12, **TINY)  # type: ignore[arg-type]


def test_compare_table_has_every_factor_level_and_the_baseline(
        tiny_compare: CompareResult) -> None:
    table = tiny_compare.table
    assert list(dict.fromkeys(table["factor"])) == ["cell", "layers", "dropout", "clipping",
                                                    "baseline"]
    assert table.groupby("factor").size().to_dict() == {
        "cell": 3, "layers": 3, "dropout": 2, "clipping": 2, "baseline": 1}
    defaults = table[table["is_default"]]
    assert list(defaults["config"]) == ["lstm", "lstm", "lstm-2-layers", "lstm"]
    assert (table.loc[table["factor"] != "baseline", "seeds"] == 2).all()
    # one setting has the same numbers wherever it appears
    lstm = table[table["config"] == "lstm"]
    assert lstm["mase"].nunique() == 1
    params = table.set_index(["factor", "level"])["parameters"]
    assert params["layers", "1"] < params["layers", "2"] < params["layers", "3"]
    assert params["cell", "rnn"] < params["cell", "gru"] < params["cell", "lstm"]
    # the table's MASE is the mean of the per-seed MASE
    seeds = tiny_compare.seeds.groupby("config")["mase"].agg(["mean", "std"])
    for row in table[table["factor"] != "baseline"].itertuples():
        assert np.isclose(row.mase, seeds.loc[row.config, "mean"])
        assert np.isclose(row.mase_sd, seeds.loc[row.config, "std"])


def test_compare_text_agrees_with_its_table(tiny_compare: CompareResult) -> None:
    found = check_text_matches_table(tiny_compare)
    assert found == len(tiny_compare.claims) == 6
    for claim in tiny_compare.claims:
        assert sentence(claim) in tiny_compare.paragraph


def _fake_table(mase: dict[str, tuple[float, float]], seeds: int = 5) -> pd.DataFrame:
    rows = []
    for name, factor in FACTORS.items():
        for level, config, _ in factor.levels:
            m, sd = mase[config]
            rows.append({"factor": name, "level": level, "config": config,
                         "is_default": config == factor.reference, "seeds": seeds,
                         "mase": m, "mase_sd": sd, "fit_seconds": 0.5, "parameters": 100})
    rows.append({"factor": "baseline", "level": "seasonal_naive", "config": "seasonal_naive",
                 "is_default": False, "seeds": 1, "mase": 1.2, "mase_sd": 0.0,
                 "fit_seconds": 0.0, "parameters": 0})
    return pd.DataFrame(rows)


def test_the_reading_states_each_kind_of_outcome_as_the_rule_says() -> None:
    mase = {"lstm": (0.62, 0.03), "rnn": (0.81, 0.05), "gru": (0.64, 0.05),
            "lstm-2-layers": (0.55, 0.01), "lstm-3-layers": (0.70, 0.05),
            "lstm-2-layers-dropout": (0.56, 0.02), "lstm-no-clip": (0.6249, 0.0)}
    table = _fake_table(mase)
    claims = _claims(list(FACTORS), table)
    notes = {"seeds": 5, "windows": 3, "epochs": 150, "ensemble": 5, "hidden_size": 8,
             "horizon": 12}
    text = _paragraph(claims, table, notes)
    assert "The RNN was worse than the LSTM: test MASE 0.81 vs 0.62, sd 0.05 and 0.03." in text
    assert "The GRU and the LSTM showed no clear difference" in text
    assert "2 layers were better than 1 layer: test MASE 0.55 vs 0.62" in text
    assert "3 layers and 1 layer showed no clear difference" in text  # 0.08 = 0.05 + 0.03
    assert "Dropout 0.2 between the 2 layers and no dropout showed no clear difference" in text
    assert "No clipping and clipping at 1.0 showed no clear difference" in text
    assert "the default LSTM (0.62, sd 0.03) was better than it" in text
    result = CompareResult(table, pd.DataFrame(), claims, text, notes)
    assert check_text_matches_table(result) == 6
    only = table[table["factor"].isin(["dropout", "baseline"])].reset_index(drop=True)
    text_dropout = _paragraph(_claims(["dropout"], only), only, notes)
    assert "Seasonal naive scored 1.20; the 2-layer LSTM (0.55, sd 0.01) was better" in text_dropout
    one_seed = _fake_table(mase, seeds=1)
    text1 = _paragraph(_claims(list(FACTORS), one_seed), one_seed, notes | {"seeds": 1})
    assert "better than" not in text1.split("Seasonal naive")[0]
    assert "worse than" not in text1 and text1.count("no claim is made") == 6


# ----------------------------------------------------------------------------- CLI


def test_explain_compare_command_writes_table_figures_and_reading(tmp_path: Path) -> None:
    air = load_dataset("airpassengers")
    data = tmp_path / "air.csv"
    air[["ds", "y"]].to_csv(data, index=False)
    out = tmp_path / "cmp"
    result = CliRunner().invoke(app, [
        "explain", "compare", str(data), "--horizon", "12", "--factors", "cell,dropout",
        "--seeds", "2", "--windows", "2", "--epochs", "2", "--ensemble", "1",
        "--hidden-size", "4", "--out", str(out)])
    assert result.exit_code == 0, result.output
    for name in ("compare.png", "compare-cell.png", "compare-dropout.png"):
        assert (out / name).read_bytes().startswith(PNG)
    assert not (out / "compare-layers.png").exists()
    table = pd.read_csv(out / "compare.csv")
    assert set(table["factor"]) == {"cell", "dropout", "baseline"}
    payload = json.loads((out / "compare.json").read_text())
    assert payload["paragraph"] in " ".join(result.stdout.split())
    assert len(payload["claims"]) == 3
    seeds = pd.read_csv(out / "compare-seeds.csv")
    # five settings (rnn, lstm, gru; 2 layers without and with dropout) x 2 seeds
    assert len(seeds) == 5 * 2


@pytest.mark.parametrize(("args", "message"), [
    (["--factors", "cell,attention"], "unknown factor 'attention'"),
    (["--seeds", "0"], "--seeds 0 is invalid"),
    (["--horizon", "100"], "use a shorter horizon"),
])
def test_explain_compare_errors_are_one_line(tmp_path: Path, args: list[str],
                                             message: str) -> None:
    air = load_dataset("airpassengers")
    data = tmp_path / "air.csv"
    air[["ds", "y"]].to_csv(data, index=False)
    out = tmp_path / "cmp"
    result = CliRunner().invoke(app, ["explain", "compare", str(data), *args, "--epochs", "1",
                                      "--out", str(out)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], lines
    assert not out.exists()


@pytest.mark.slow
def test_explain_compare_on_airpassengers_fits_the_cpu_budget() -> None:
    start = time.process_time()
    result = compare(load_dataset("airpassengers"), 12)
    cpu = time.process_time() - start
    assert cpu < 180, f"{cpu:.0f} s CPU"
    assert result.notes["seeds"] == 5 and result.notes["windows"] == 3
    assert check_text_matches_table(result) == len(result.claims) == 6
