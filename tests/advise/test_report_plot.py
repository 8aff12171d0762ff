"""The report's figure carries its flags (ftheory.advise.report_plot): a figure pasted without the text report must
not hide a caveat. The title counts the flags, a caption under the axes lists each one's first clause."""
import numpy as np
import pytest

import ftheory
from ftheory.advise.estimators import Interval
from ftheory.advise.predict import PROCEDURES
from ftheory.advise.report import Report
from ftheory.advise.report_plot import _first_clause, flag_caption

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

FLAGS = ["overlap: the unbiased estimate 0.9649 lies outside [0.6721, 0.9174] (the exact test rejects it); the value "
         "shown, 0.9174, is that of the nearest possible task",
         "prediction scratch_min_norm: band unbounded above (the risk diverges somewhere in the 95% parameter region, "
         "e.g. near the interpolation peak n = d)",
         "binary labels (0, 1): the Gaussian linear model is misspecified. Still unbiased: the moment estimates"]


def _report(flags):
    iv = Interval(1.0, 0.5, 2.0, 0.4)
    T = {"linear_transfer": Interval(0.1, -0.2, 0.4, 1.0), "finetune": Interval(0.3, 0.05, 0.6, 1.0)}
    curves = {"n": np.array([10, 20])}
    curves.update({proc: ([1.0, 0.8], [0.5, 0.4], [2.0, 1.6]) for proc in PROCEDURES})
    return Report(20, 10, 19, {"signal": iv}, {"scratch_ridge": iv}, T, "finetune", None, curves, "isotropic",
                  flags=list(flags))


def _texts(fig):
    ax = fig.axes[0]
    return [t.get_text() for t in ax.texts] + [ax.get_title()]


def test_first_clause_stops_at_a_semicolon_or_sentence_end_not_at_decimals_or_e_g():
    assert _first_clause(FLAGS[0]) == ("overlap: the unbiased estimate 0.9649 lies outside [0.6721, 0.9174] (the exact "
                                       "test rejects it)")
    assert _first_clause(FLAGS[1]) == FLAGS[1]                       # "e.g. near" is not a sentence end
    assert _first_clause(FLAGS[2]) == "binary labels (0, 1): the Gaussian linear model is misspecified"
    assert flag_caption([]) == ""


def test_plot_lists_every_flag_under_the_axes_and_counts_them_in_the_title(tmp_path):
    import matplotlib.pyplot as plt

    fig = _report(FLAGS).plot(path=str(tmp_path / "f.png"))
    texts = _texts(fig)
    assert "3 flags: see below the plot" in fig.axes[0].get_title()
    caption = [t for t in texts if t.startswith("3 FLAGS")]
    assert len(caption) == 1
    flat = " ".join(caption[0].split())
    for i, f in enumerate(FLAGS, 1):
        assert f"{i}. {_first_clause(f)}" in flat
    assert (tmp_path / "f.png").stat().st_size > 0
    plt.close(fig)


def test_plot_without_flags_has_no_caption():
    import matplotlib.pyplot as plt

    fig = _report([]).plot()
    assert not any("FLAG" in t or "flag" in t for t in _texts(fig))
    plt.close(fig)


def test_advise_plot_shows_the_flags_of_a_real_report():
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(0)                                     # the README example: three FLAG lines
    d, n = 200, 100
    beta_t = rng.standard_normal(d) / np.sqrt(d)
    beta_s = beta_t + 0.5 * rng.standard_normal(d) / np.sqrt(d)
    X = rng.standard_normal((n, d))
    y = X @ beta_t + 0.3 * rng.standard_normal(n)
    rep = ftheory.advise(X, y, source_weights=beta_s, grid_size=10)
    assert rep.flags
    fig = rep.plot()
    caption = [t for t in _texts(fig) if "FLAG" in t][0]
    assert all(_first_clause(f)[:40] in " ".join(caption.split()) for f in rep.flags)
    plt.close(fig)


def test_caption_lines_keep_to_the_width_even_with_a_long_column_name():
    # a column name of 200 characters without spaces was one caption line of 240 columns, wider than the figure
    name = "sensor_" + "x" * 193
    flags = [f"feature column '{name}' holds the row numbers 0, 1, ..., 29: it is used as a feature", FLAGS[0]]
    for width in (110, 60):
        caption = flag_caption(flags, width=width)
        assert max(map(len, caption.splitlines())) <= width
        assert name in caption.replace("\n    ", "")                      # cut, not dropped
    assert flag_caption(FLAGS) == flag_caption(FLAGS, width=110)
