"""``ftheory advise`` in the terms of a CLI user: with ``--json`` its fixed keys stay on stdout and the
report's flags that question the predictions (correlated features without unlabeled inputs, few-valued
labels) go to stderr (a JSON user never learnt that the isotropic theory did not describe the data:
digits, z = 108); the checks' messages name the files and columns given, not the API's X, y, unlabeled;
a missing pandas or pyarrow is one line with the install command."""
import json
import sys

import numpy as np
import pandas as pd

from tests._cli_advise import one_line, run_advise, warnings_only


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
    err = warnings_only(err)                                    # the note of an unresolved recommendation aside
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


def test_messages_of_the_checks_name_the_files_and_columns_given(tmp_path, capsys):
    # the API's parameter names (X, y, unlabeled) meant nothing to a CLI user: 'y is constant' for --label price
    rng = np.random.default_rng(6)
    X = rng.standard_normal((30, 4))
    df = pd.DataFrame(X, columns=["a", "b", "c", "e"]).assign(price=2.0, p=X @ [1.0, 0.5, 0.0, 0.2])
    df.to_csv(tmp_path / "t.csv", index=False)
    rc, out, err = run_advise(capsys, "--target", tmp_path / "t.csv", "--label", "price", "--source-pred", "p")
    one_line(rc, err, "label column 'price' is constant")
    df.assign(price=X[:, 0] + 0.3 * rng.standard_normal(30)).head(3).to_csv(tmp_path / "s.csv", index=False)
    rc, out, err = run_advise(capsys, "--target", tmp_path / "s.csv", "--label", "price", "--source-pred", "p")
    one_line(rc, err, f"the target '{tmp_path / 's.csv'}' has n=3 rows")
    df = df.assign(price=X[:, 0] + 0.3 * rng.standard_normal(30))
    df.to_csv(tmp_path / "t.csv", index=False)
    pd.DataFrame(rng.standard_normal((6, 4)), columns=["a", "b", "c", "e"]).to_csv(tmp_path / "u.csv", index=False)
    rc, out, err = run_advise(capsys, "--target", tmp_path / "t.csv", "--label", "price", "--source-pred", "p",
                              "--unlabeled", tmp_path / "u.csv")
    one_line(rc, err, f"unlabeled file '{tmp_path / 'u.csv'}' has 6 rows: expected at least d + 6 = 10")
    df.assign(p=3 * df.price).to_csv(tmp_path / "t.csv", index=False)
    rc, out, err = run_advise(capsys, "--target", tmp_path / "t.csv", "--label", "price", "--source-pred", "p")
    one_line(rc, err, "source-pred column 'p' is label column 'price' itself")
    df.assign(p=3.0).to_csv(tmp_path / "t.csv", index=False)
    rc, out, err = run_advise(capsys, "--target", tmp_path / "t.csv", "--label", "price", "--source-pred", "p")
    one_line(rc, err, "source-pred column 'p' is constant")   # was 'source_pred/source_weights: every prediction 3'
    df.drop(columns="p").to_csv(tmp_path / "t.csv", index=False)
    pd.DataFrame({"w": [0.0] * 4}).to_csv(tmp_path / "w.csv", index=False)
    rc, out, err = run_advise(capsys, "--target", tmp_path / "t.csv", "--label", "price", "--source-weights",
                              tmp_path / "w.csv")
    one_line(rc, err, f"the predictions of the weights file '{tmp_path / 'w.csv'}' is constant")
