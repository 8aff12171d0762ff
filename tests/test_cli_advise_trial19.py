"""``ftheory advise`` messages found wanting in the new-user trial of 5 December 2026 (docs/advisor_validation.md, ux19):
a mistyped column is answered with the closest names, a long list of missing names says how many there are, an
empty weights file asks for d numbers, running out of memory (d = 1e5 features) is one line, and the plot keeps the
report's flags."""
import numpy as np
import pandas as pd
import pytest

from tests._cli_advise import one_line, run_advise, target_frame


def test_a_mistyped_column_gets_the_closest_names(tmp_path, capsys):
    target_frame(0).to_csv(tmp_path / "t.csv", index=False)
    rc, out, err = run_advise(capsys, "--target", tmp_path / "t.csv", "--label", "y", "--source-pred", "pred")
    one_line(rc, err, "source-pred column 'pred' is missing", "(the closest name: 'pretrained')")
    rc, out, err = run_advise(capsys, "--target", tmp_path / "t.csv", "--label", "Y", "--source-pred", "pretrained")
    one_line(rc, err, "did you mean 'y'?")                            # case: the exact hint comes first


def test_labelled_weights_that_miss_many_features_are_counted(tmp_path, capsys):
    df = target_frame(0, d=12)
    df.to_csv(tmp_path / "t.csv", index=False)
    pd.Series(np.ones(12), index=[f"x{j}" for j in range(12)]).to_csv(tmp_path / "w.csv")
    rc, out, err = run_advise(capsys, "--target", tmp_path / "t.csv", "--label", "y", "--source-weights",
                              tmp_path / "w.csv", "--ignore", "pretrained")
    one_line(rc, err, "lacks feature(s) ['f0', 'f1', 'f2', 'f3', 'f4'] and 7 more (12 in all)",
             "names ['x0', 'x1', 'x2', 'x3', 'x4'] and 7 more (12 in all), not a feature")


@pytest.mark.parametrize("content", ["", "\n \n"])
def test_an_empty_weights_file_asks_for_d_numbers(tmp_path, capsys, content):
    target_frame(0).to_csv(tmp_path / "t.csv", index=False)
    (tmp_path / "w.txt").write_text(content)
    rc, out, err = run_advise(capsys, "--target", tmp_path / "t.csv", "--label", "y", "--source-weights",
                              tmp_path / "w.txt", "--ignore", "pretrained")
    one_line(rc, err, f"weights file '{tmp_path / 'w.txt'}' is empty: expected d = 5 numbers")


def test_out_of_memory_is_one_line_naming_the_size(tmp_path, capsys, monkeypatch):
    import sys

    adv = sys.modules["ftheory.advise"]                                 # (ftheory.advise the attribute is the function)

    def exhausted(*a, **k):
        raise MemoryError("Unable to allocate 2.98 GiB for an array with shape (4000, 100000) and data type float64")
    monkeypatch.setattr(adv, "advise", exhausted)
    target_frame(0).to_csv(tmp_path / "t.csv", index=False)
    rc, out, err = run_advise(capsys, "--target", tmp_path / "t.csv", "--label", "y", "--source-pred", "pretrained")
    one_line(rc, err, "(n = 40 rows, d = 5 features) needs more memory than is free (Unable to allocate 2.98 GiB",
             "reduce the features")


def test_plot_file_carries_the_flags(tmp_path, capsys, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    from ftheory.advise import report_plot

    seen = {}
    real = report_plot.plot_report

    def spy(rep, **kw):
        fig = real(rep, **kw)
        seen["texts"] = [t.get_text() for t in fig.axes[0].texts]
        return fig
    monkeypatch.setattr(report_plot, "plot_report", spy)
    df = target_frame(0)
    df["y"] = (df["y"] > 0).astype(float)                              # binary labels: a FLAG line
    df.to_csv(tmp_path / "t.csv", index=False)
    rc, out, err = run_advise(capsys, "--target", tmp_path / "t.csv", "--label", "y", "--source-pred", "pretrained",
                              "--plot", tmp_path / "a.png")
    assert rc == 0 and (tmp_path / "a.png").stat().st_size > 0
    assert any("FLAG" in t and "binary labels (0, 1)" in t for t in seen["texts"])


def test_ignore_accepts_a_comma_list_with_spaces(tmp_path, capsys):
    df = target_frame(0)
    df.insert(0, "id", np.arange(len(df)) * 7 % 13)
    df["other model"] = df["pretrained"] * 0.5 + df["f0"]              # another model's predictions: collinear
    df.to_csv(tmp_path / "t.csv", index=False)
    rc, out, err = run_advise(capsys, "--target", tmp_path / "t.csv", "--label", "y", "--source-pred", "pretrained",
                              "--ignore", "id, other model", "--json")
    assert rc == 0, err


def test_a_collinear_column_is_named_first(tmp_path, capsys):
    df = target_frame(0, d=12)
    df["other model"] = df["pretrained"] * 0.5                         # a combination of every feature
    df.to_csv(tmp_path / "t.csv", index=False)
    rc, out, err = run_advise(capsys, "--target", tmp_path / "t.csv", "--label", "y", "--source-pred", "pretrained")
    one_line(rc, err, "linearly dependent columns ['other model', ", "and 5 more (13 in all), largest weight")


@pytest.mark.parametrize("where", ["load_target", "load_unlabeled"])
def test_out_of_memory_while_reading_a_file_is_one_line(tmp_path, capsys, monkeypatch, where):
    # rev19: only advise() itself was guarded; a MemoryError while reading a table (a huge pool) was a traceback
    from ftheory.advise import files

    def exhausted(*a, **k):
        raise MemoryError()                                             # numpy/pandas may give no text
    monkeypatch.setattr(files, where, exhausted)
    target_frame(0).to_csv(tmp_path / "t.csv", index=False)
    target_frame(1).drop(columns=["y", "pretrained"]).to_csv(tmp_path / "u.csv", index=False)
    rc, out, err = run_advise(capsys, "--target", tmp_path / "t.csv", "--label", "y", "--source-pred", "pretrained",
                              "--unlabeled", tmp_path / "u.csv")
    one_line(rc, err, "needs more memory than is free")
    assert "()" not in err[0]
    assert ("t.csv" if where == "load_target" else "u.csv") in err[0]
