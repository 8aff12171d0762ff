"""``ftheory advise`` with columns that are not features (``--ignore``), a label given by position, a
weights file one number short, a binary or UTF-16 CSV, and NumPy's numerical warnings: each is one line
that says what to do. The Python API names a missing (None) or text input."""
import json
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from ftheory.advise.io import check_inputs
from tests._cli_advise import one_line, run_advise, target_frame, warnings_only


@pytest.fixture
def frame():
    return target_frame(11)


def test_ignored_columns_are_not_features_in_the_target_and_the_pool(tmp_path, frame, capsys):
    # a row id (text here, which would otherwise be refused) and another model's predictions
    rng = np.random.default_rng(12)
    plain, extra = tmp_path / "plain.csv", tmp_path / "extra.csv"
    frame.to_csv(plain, index=False)
    frame.assign(id=[f"r{i}" for i in range(len(frame))], other=frame["pretrained"] * 2).to_csv(extra, index=False)
    pool = pd.DataFrame(rng.standard_normal((60, 5)), columns=[f"f{j}" for j in range(5)])
    pool_plain, pool_extra = tmp_path / "pool.csv", tmp_path / "pool_extra.csv"
    pool.to_csv(pool_plain, index=False)
    pool.assign(other=1.0).to_csv(pool_extra, index=False)
    base = ("--label", "y", "--source-pred", "pretrained", "--json")
    rc, out, err = run_advise(capsys, "--target", plain, "--unlabeled", pool_plain, *base)
    assert rc == 0, err
    want = json.loads(out)
    for ignore in (["--ignore", "id,other"], ["--ignore", "id", "--ignore", "other"]):
        rc, out, err = run_advise(capsys, "--target", extra, "--unlabeled", pool_extra, *ignore, *base)
        assert rc == 0 and not warnings_only(err), err
        assert json.loads(out) == want
    rc, out, err = run_advise(capsys, "--target", extra, *base)  # without --ignore the id is text
    one_line(rc, err, "'id'", "not numeric")


@pytest.mark.parametrize("ignore, words", [("nope", ["--ignore", "'nope'", "missing", "f0"]),
                                           ("y", ["--ignore", "'y'", "label"]),
                                           ("pretrained", ["--ignore", "'pretrained'", "source-pred"]),
                                           ("f0,f1,f2,f3,f4", ["no feature columns", "ignored"])])
def test_bad_ignore_is_one_line(tmp_path, frame, capsys, ignore, words):
    p = tmp_path / "t.csv"
    frame.to_csv(p, index=False)
    rc, out, err = run_advise(capsys, "--target", p, "--label", "y", "--source-pred", "pretrained", "--ignore", ignore)
    one_line(rc, err, *words)


def test_label_given_by_position_names_the_column_there(tmp_path, frame, capsys):
    p = tmp_path / "t.csv"
    frame.to_csv(p, index=False)
    rc, out, err = run_advise(capsys, "--target", p, "--label", "5", "--source-pred", "pretrained")
    one_line(rc, err, "label column '5' is missing", "chosen by name",
             "column 5 counting from 1 is 'f4', counting from 0 'y'")
    rc, out, err = run_advise(capsys, "--target", p, "--label", "y", "--source-pred", "6")
    one_line(rc, err, "source-pred column '6'", "column 6 counting from 1 is 'y', counting from 0 'pretrained'")
    rc, out, err = run_advise(capsys, "--target", p, "--label", "7", "--source-pred", "pretrained")
    one_line(rc, err, "label column '7' is missing", "column 7 counting from 1 is 'pretrained')")  # 7 columns
    rc, out, err = run_advise(capsys, "--target", p, "--label", "70", "--source-pred", "pretrained")
    one_line(rc, err, "label column '70' is missing")
    assert "counting from" not in err[0]  # no column 70


def test_weights_one_short_suggest_ignoring_a_column(tmp_path, frame, capsys):
    # the target still holds the predictions of another model: d = 6 columns, 5 weights
    t, w = tmp_path / "t.csv", tmp_path / "w.npy"
    frame.to_csv(t, index=False)
    np.save(w, np.ones(5))
    rc, out, err = run_advise(capsys, "--target", t, "--label", "y", "--source-weights", w)
    one_line(rc, err, "holds 5 numbers", "d=6", "pretrained", "--ignore")
    rc, out, err = run_advise(capsys, "--target", t, "--label", "y", "--source-weights", w, "--ignore", "pretrained")
    assert rc == 0, err


@pytest.mark.parametrize("content", [bytes(range(256)) * 4, "f0,y,p\n1,2,3\n2,3,5\n".encode("utf-16")])
def test_binary_or_utf16_csv_is_named(tmp_path, capsys, content):
    p = tmp_path / "t.csv"
    p.write_bytes(content)
    rc, out, err = run_advise(capsys, "--target", p, "--label", "y", "--source-pred", "p")
    one_line(rc, err, "t.csv", "NUL bytes", "UTF-8 CSV")


def test_numerical_warnings_inside_ftheory_are_one_line_naming_where(tmp_path, frame, capsys, monkeypatch):
    # NumPy's "overflow encountered in multiply" alone does not say what it concerns; ftheory's own
    # warnings (a row-number column) stay as they are
    module = sys.modules["ftheory.advise"]  # (the attribute ftheory.advise is the function)
    real = module.advise

    def noisy(*args, **kw):
        with np.errstate(over="warn", invalid="warn"):
            for _ in range(3):
                np.array([1e300]) * np.array([1e300])
                np.array([np.inf]) - np.array([np.inf])
        warnings.warn("a message of ftheory's own", UserWarning)
        return real(*args, **kw)

    monkeypatch.setattr(module, "advise", noisy)
    p = tmp_path / "t.csv"
    frame.to_csv(p, index=False)
    rc, out, err = run_advise(capsys, "--target", p, "--label", "y", "--source-pred", "pretrained")
    assert rc == 0 and "Recommendation" in out
    assert err[0] == "ftheory: warning: a message of ftheory's own"
    assert len(err) == 2 and err[1].startswith("ftheory: warning: 2 numerical warning(s) inside ftheory "
                                               "(test_cli_advise_columns.py:"), err
    assert "overflow encountered in multiply" in err[1] and "invalid value encountered in subtract" in err[1]


@pytest.mark.parametrize("which", ["X", "y", "source_pred"])
def test_api_none_and_text_inputs_are_named(which):
    rng = np.random.default_rng(0)
    args = {"X": rng.standard_normal((20, 3)), "y": rng.standard_normal(20), "source_pred": rng.standard_normal(20)}
    text = dict(args, **{which: args[which].astype(str)})
    with pytest.raises(ValueError, match=rf"^{which} holds the text '[-0-9.e]+' at (position 0|row 0, column 0) \(counting from 0\): expected numbers"):
        check_inputs(text["X"], text["y"], source_pred=text["source_pred"])
    if which != "source_pred":  # source_pred=None means "not given"
        none = dict(args, **{which: None})
        with pytest.raises(ValueError, match=rf"^{which} is None: expected an array of numbers"):
            check_inputs(none["X"], none["y"], source_pred=none["source_pred"])


@pytest.mark.parametrize("first", ["sep=,", "sep=;"])
def test_excel_separator_line_is_named(tmp_path, frame, capsys, first):
    # Excel writes "sep=," above the header; it was reported as an unnamed column 2
    p = tmp_path / "t.csv"
    p.write_text(first + "\n" + frame.to_csv(index=False))
    rc, out, err = run_advise(capsys, "--target", p, "--label", "y", "--source-pred", "pretrained")
    one_line(rc, err, "t.csv", "Excel's separator line", repr(first), "remove that line")
