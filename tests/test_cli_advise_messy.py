"""``ftheory advise`` with the messy files a new user has: header-less or empty CSVs, weights saved with
their feature names (in another order), weights tables of the wrong shape, NPZ arrays of different
lengths. Each problem is one line on stderr and exit status 2; valid files give the same report."""
import json

import numpy as np
import pandas as pd
import pytest

from tests._cli_advise import one_line, run_advise, warnings_only


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(4)
    n, d = 40, 5
    X = rng.standard_normal((n, d))
    bt = np.linspace(1.0, -0.5, d) / np.sqrt(d)
    cols = [f"f{j}" for j in range(d)]
    df = pd.DataFrame(X, columns=cols).assign(y=X @ bt + 0.3 * rng.standard_normal(n))
    t = tmp_path / "t.csv"
    df.to_csv(t, index=False)
    w = bt + 0.3 * rng.standard_normal(d) / np.sqrt(d)
    return tmp_path, t, cols, w


def test_weights_with_feature_names_in_another_order(files, capsys):
    tmp, t, cols, w = files
    np.save(tmp / "w.npy", w)
    pd.Series(w, index=cols).iloc[[3, 0, 4, 1, 2]].to_csv(tmp / "named.csv")  # model.coef_ by name, shuffled
    rc, ref, err = run_advise(capsys, "--target", t, "--label", "y", "--source-weights", tmp / "w.npy", "--json")
    assert rc == 0, err
    rc, out, err = run_advise(capsys, "--target", t, "--label", "y", "--source-weights", tmp / "named.csv", "--json")
    assert rc == 0 and json.loads(out) == json.loads(ref), err
    pd.Series(w, index=cols[:4] + ["g"]).to_csv(tmp / "bad.csv")
    rc, out, err = run_advise(capsys, "--target", t, "--label", "y", "--source-weights", tmp / "bad.csv")
    one_line(rc, err, "bad.csv' lacks feature(s) ['f4']", "['g'], not a feature", "matched by name")


@pytest.mark.parametrize("content, words", [
    ("a,b\n" + "1,2\n" * 5, ["table of 5 rows and 2 columns", "one column or one row"]),
    ("0,1\n0,2\n0,3\n0,4\n0,5\n", ["holds 2 numbers", "decimal commas"]),
    ("", ["is empty"]),
])
def test_weights_files_that_are_not_a_vector(files, capsys, content, words):
    tmp, t, cols, w = files
    (tmp / "w.csv").write_text(content)
    rc, out, err = run_advise(capsys, "--target", t, "--label", "y", "--source-weights", tmp / "w.csv")
    one_line(rc, err, "w.csv", *words)


def test_header_less_and_empty_targets(files, capsys):
    tmp, t, cols, w = files
    pd.read_csv(t).to_csv(tmp / "nohead.csv", index=False, header=False)
    rc, out, err = run_advise(capsys, "--target", tmp / "nohead.csv", "--label", "y", "--source-weights", t)
    one_line(rc, err, "label column 'y' is missing", "no header line")
    (tmp / "empty.csv").write_text("")
    rc, out, err = run_advise(capsys, "--target", tmp / "empty.csv", "--label", "y", "--source-pred", "p")
    one_line(rc, err, "empty.csv': the file is empty")


def test_missing_label_message_shows_the_last_columns(files, capsys):
    tmp, t, cols, w = files
    wide = pd.read_csv(t)
    wide = pd.concat([pd.DataFrame(np.ones((40, 20)), columns=[f"g{j}" for j in range(20)]), wide], axis=1)
    wide.to_csv(tmp / "wide.csv", index=False)
    rc, out, err = run_advise(capsys, "--target", tmp / "wide.csv", "--label", "Y", "--source-pred", "p")
    one_line(rc, err, "its 26 columns are g0, g1, g2, g3, g4, ..., f3, f4, y")


def test_npz_arrays_of_different_lengths_are_named(files, capsys):
    tmp, t, cols, w = files
    df = pd.read_csv(t)
    np.savez(tmp / "t.npz", x=df[cols].to_numpy(), y=df["y"].to_numpy(), ids=np.arange(3))
    rc, out, err = run_advise(capsys, "--target", tmp / "t.npz", "--label", "y", "--source-pred", "p")
    one_line(rc, err, "'x': 40, 'y': 40, 'ids': 3")


def test_row_id_column_is_one_warning_line_and_json_stays_clean(files, capsys):
    tmp, t, cols, w = files
    df = pd.read_csv(t)
    df.to_csv(tmp / "saved.csv")  # with its index ...
    pd.read_csv(tmp / "saved.csv").to_csv(tmp / "again.csv", index=False)  # ... read back and saved: "Unnamed: 0"
    np.save(tmp / "w.npy", np.r_[0.0, w])
    rc, out, err = run_advise(capsys, "--target", tmp / "again.csv", "--label", "y", "--source-weights", tmp / "w.npy",
                           "--json")
    assert rc == 0 and json.loads(out)["d"] == 6
    assert warnings_only(err) == ["ftheory: warning: feature column 'Unnamed: 0' holds the row numbers 0, 1, ..., 39: it is "
                   "used as a feature; drop it if it is a row id or an index saved as a column "
                   "(ftheory advise: --ignore 'Unnamed: 0')"]


def test_unlabeled_npz_under_another_key_lists_its_columns(files, capsys):
    tmp, t, cols, w = files
    df = pd.read_csv(t)
    np.savez(tmp / "t.npz", X=df[cols].to_numpy(), y=df["y"].to_numpy())
    np.savez(tmp / "u.npz", U=np.random.default_rng(0).standard_normal((30, 5)))
    np.save(tmp / "w.npy", w)
    rc, out, err = run_advise(capsys, "--target", tmp / "t.npz", "--label", "y", "--source-weights", tmp / "w.npy",
                           "--unlabeled", tmp / "u.npz")
    one_line(rc, err, "lacks feature column(s) ['X0', 'X1', 'X2', 'X3', 'X4']; its columns are U0, U1, U2, U3, U4",
              "use the target's key")
