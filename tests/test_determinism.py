"""Determinism: the same data and seed give bit-identical weights and forecasts in two separate
processes (same machine, one thread). docs/errors.md lists what breaks bit-identity."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np

from rnnforecast import Forecaster, load_dataset

SCRIPT = textwrap.dedent(
    """
    import hashlib, json, sys
    import numpy as np
    from rnnforecast import Forecaster, load_dataset

    seed = int(sys.argv[1])
    data = load_dataset("airpassengers").iloc[:120]
    model = Forecaster("lstm", horizon=12, hidden_size=6, epochs=15, ensemble=3,
                       batch_size=32, num_layers=2, dropout=0.2, seed=seed).fit(data)
    weights = hashlib.sha256()
    for key, value in sorted(model.net_.state_dict().items()):
        weights.update(key.encode())
        weights.update(value.numpy().tobytes())
    forecast = model.predict()["lstm"].to_numpy()
    print(json.dumps({"forecast": [float(v).hex() for v in forecast],
                      "weights": weights.hexdigest(),
                      "loss": [float(v).hex() for v in model.history_["train_loss"]]}))
    """
)


def _run(seed: int) -> subprocess.Popen[str]:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "random"}
    return subprocess.Popen([sys.executable, "-c", SCRIPT, str(seed)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def test_same_seed_gives_bit_identical_forecasts_in_two_processes() -> None:
    first, second = _run(7), _run(7)  # at the same time: nothing shared between them
    outputs = []
    for process in (first, second):
        stdout, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr
        outputs.append(json.loads(stdout))
    a, b = outputs
    assert a["weights"] == b["weights"]
    assert a["forecast"] == b["forecast"]  # every bit of every value
    assert a["loss"] == b["loss"]
    assert len(a["forecast"]) == 12

    # and this process agrees with them: nothing depends on the process
    data = load_dataset("airpassengers").iloc[:120]
    here = Forecaster("lstm", horizon=12, hidden_size=6, epochs=15, ensemble=3, batch_size=32,
                      num_layers=2, dropout=0.2, seed=7).fit(data).predict()["lstm"].to_numpy()
    assert [float(v).hex() for v in here] == a["forecast"]


def test_another_seed_gives_another_forecast() -> None:
    data = load_dataset("airpassengers").iloc[:120]
    # the network's forecasts (the guard would pick seasonal naive for this 5-epoch one)
    params = {"horizon": 6, "hidden_size": 4, "epochs": 5, "ensemble": 1, "guard": False}
    a = Forecaster(**params, seed=0).fit(data).predict()["lstm"].to_numpy()
    b = Forecaster(**params, seed=1).fit(data).predict()["lstm"].to_numpy()
    assert not np.array_equal(a, b)
