"""The ``--json`` example printed in docs/advisor.md is the real output for the sample it names (the
sample of ``benchmarks/advisor_report_figure.py``, written as ``target.csv``), so the page cannot go stale."""
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ftheory import cli
from ftheory.advise.synthetic import make_task

DOC = Path(__file__).resolve().parents[2] / "docs" / "advisor.md"


def _numbers(obj, prefix=""):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _numbers(v, f"{prefix}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _numbers(v, f"{prefix}[{i}]")
    else:
        yield prefix, obj


def test_json_example_in_docs_is_the_real_output(tmp_path, capsys):
    shown = json.loads(re.search(r"```json\n(.*?)```", DOC.read_text(), re.S).group(1))
    task = make_task(d=100, theta=0.9, sigma=0.6, seed=7)
    X, y = task.sample(60, np.random.default_rng(8))
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    df["y"], df["pretrained"] = y, X @ task.beta_s
    path = tmp_path / "target.csv"
    df.to_csv(path, index=False, float_format="%.17g")  # round-trips float64 exactly
    assert cli.main(["advise", "--target", str(path), "--label", "y", "--source-pred", "pretrained", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    a, b = dict(_numbers(shown)), dict(_numbers(got))
    assert a.keys() == b.keys()
    for k, v in a.items():
        if isinstance(v, float):
            # the same computation on the same machine type; 1e-9 leaves room for BLAS summation order
            assert abs(b[k] - v) <= 1e-9 * max(1.0, abs(v)), (k, v, b[k])
        else:
            assert b[k] == v, (k, v, b[k])
