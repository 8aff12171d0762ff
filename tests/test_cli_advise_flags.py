"""``ftheory advise --json`` keeps its fixed keys on stdout and puts the report's flags that question the
predictions (correlated features without unlabeled inputs, few-valued labels) on stderr: without them a
JSON user never learnt that the isotropic theory did not describe the data (digits: z = 108)."""
import json
import sys

import numpy as np
import pandas as pd

from tests._cli_advise import run_advise


def test_json_puts_the_validity_flags_on_stderr(tmp_path, capsys):
    rng = np.random.default_rng(5)
    n, d = 60, 30
    X = np.sqrt(0.7) * rng.standard_normal((n, d)) + np.sqrt(0.3) * rng.standard_normal((n, 1))  # correlated
    beta = rng.standard_normal(d) / np.sqrt(d)
    df = pd.DataFrame(X, columns=[f"f{j}" for j in range(d)])
    df = df.assign(y=(X @ beta + 0.5 * rng.standard_normal(n) > 0).astype(int), p=X @ (beta + 0.2))
    df.to_csv(tmp_path / "t.csv", index=False)
    args = ("--target", tmp_path / "t.csv", "--label", "y", "--source-pred", "p")
    rc, out, err = run_advise(capsys, *args)
    flags = [line.strip()[len("FLAG: "):] for line in out.splitlines() if line.strip().startswith("FLAG: ")]
    assert rc == 0 and any(f.startswith("the features are correlated") for f in flags)
    rc, out, err = run_advise(capsys, *args, "--json")
    assert rc == 0 and list(json.loads(out)) == ["n", "d", "estimates", "predictions", "recommendation", "crossover_n"]
    assert all(line.startswith("ftheory: flag: ") for line in err), err
    assert [line.split(": ", 2)[2][:40] for line in err[:2]] == [
        "the features are correlated (Schott's te", "binary labels (0, 1): the Gaussian linea"]
    assert not any(": the unbiased estimate" in line for line in err)  # values shown at the nearest task: text only


def test_missing_pandas_or_pyarrow_is_one_line_with_the_install_command(tmp_path, capsys, monkeypatch):
    # `pip install -e .` installs neither (the `advise` extra does): a traceback, exit 1, before
    df = pd.DataFrame({"a": [1.0, 2.0, 0.5, 3.0, 1.5], "b": [0.2, 0.1, 0.4, 0.3, 0.9]})
    df.assign(y=df.a - df.b, p=df.a).to_parquet(tmp_path / "t.parquet")
    args = ("--target", tmp_path / "t.parquet", "--label", "y", "--source-pred", "p", "--json")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "fastparquet", None)
    rc, out, err = run_advise(capsys, *args)
    assert rc == 2 and len(err) == 1 and "reading Parquet needs pyarrow" in err[0] and "pip install pyarrow" in err[0]
    monkeypatch.setitem(sys.modules, "pandas", None)
    rc, out, err = run_advise(capsys, *args)
    assert rc == 2 and len(err) == 1 and "needs pandas" in err[0] and "pip install pandas pyarrow" in err[0], err
