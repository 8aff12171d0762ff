"""The text report as a reader meets it: how strong the recommendation is, lines of at most 100 columns
with every flag's words kept, and the flag for binary or few-valued labels."""
import re

import numpy as np
import pytest

import ftheory
from ftheory.advise.estimators import Interval
from ftheory.advise.predict import PROCEDURES
from ftheory.advise.report import WIDTH, Report
from ftheory.advise.report_flags import label_flags as _label_flags


def _report(rec, t_lt, t_ft):
    """A report whose only content that matters is the recommendation and the two T bands."""
    iv = Interval(1.0, 0.5, 2.0, 0.4)
    T = {"linear_transfer": Interval(*t_lt, 1.0), "finetune": Interval(*t_ft, 1.0)}
    curves = {"n": np.array([10, 20])}
    curves.update({proc: ([1.0, 0.8], [0.5, 0.4], [2.0, 1.6]) for proc in PROCEDURES})
    return Report(20, 10, 19, {"signal": iv}, {"scratch_ridge": iv}, T, rec, None, curves, "isotropic")


@pytest.mark.parametrize("rec, t_lt, t_ft, resolved, text", [
    ("finetune", (0.1, -0.2, 0.4), (0.3, 0.05, 0.6), True,
     "finetune (beats scratch at 95%: T_finetune in [0.05, 0.6] > 0; chosen over linear_transfer by point "
     "estimate)"),
    ("finetune", (0.1, -0.2, 0.4), (0.3, -0.05, 0.6), False,
     "finetune by point estimate; not resolved at 95%: T_finetune in [-0.05, 0.6] contains 0"),
    ("linear_transfer", (0.4, 0.1, 0.7), (0.3, -0.05, 0.6), True,
     "linear_transfer (beats scratch at 95%: T_linear_transfer in [0.1, 0.7] > 0; chosen over finetune by "
     "point estimate)"),
    ("linear_transfer", (0.4, 0.0, 0.7), (0.3, 0.1, 0.6), False,   # a band ending at 0 does not resolve
     "linear_transfer by point estimate; not resolved at 95%: T_linear_transfer in [0, 0.7] contains 0"),
    ("scratch", (-0.4, -0.7, -0.1), (-0.3, -0.6, -0.01), True,
     "scratch (transfer hurts at 95%: T_linear_transfer in [-0.7, -0.1] < 0 and T_finetune in [-0.6, -0.01] "
     "< 0)"),
    ("scratch", (-0.4, -0.7, -0.1), (-0.3, -0.6, 0.2), False,
     "scratch by point estimate; not resolved at 95%: T_finetune in [-0.6, 0.2] contains 0"),
    ("scratch", (-0.4, -0.7, 0.1), (-0.3, -0.6, 0.2), False,
     "scratch by point estimate; not resolved at 95%: T_linear_transfer in [-0.7, 0.1] and T_finetune in "
     "[-0.6, 0.2] contain 0"),
])
def test_strength_says_whether_the_bands_confirm_the_recommendation(rec, t_lt, t_ft, resolved, text):
    rep = _report(rec, t_lt, t_ft)
    assert rep.resolved is resolved
    assert rep.strength == text
    import matplotlib
    matplotlib.use("Agg")
    fig = rep.plot()
    title = fig.axes[0].get_title()
    assert title.startswith(f"Recommendation at n = 20: {rec} (")
    assert ("not resolved at 95%" in title) is (not resolved)
    assert ("hurts at 95%" if rec == "scratch" else "beats scratch at 95%") in title or not resolved
    import matplotlib.pyplot as plt
    plt.close(fig)
    summary = rep.summary()
    line = summary[summary.index("Recommendation: "):].split("\nScratch")[0]
    assert " ".join(line.split()) == "Recommendation: " + text


def _small():
    rng = np.random.default_rng(0)
    d, n = 10, 4
    bt = rng.standard_normal(d) / np.sqrt(d)
    bs = bt + 0.5 * rng.standard_normal(d) / np.sqrt(d)
    X = rng.standard_normal((n, d))
    return X, X @ bt + 0.3 * rng.standard_normal(n), bs


def test_tiny_sample_recommendation_is_marked_unresolved_and_the_json_keeps_its_shape(tmp_path):
    # the user trial: n = 4, d = 10 recommended "finetune" while every T band contains 0
    X, y, bs = _small()
    rep = ftheory.advise(X, y, source_weights=bs, grid_size=6)
    assert all(iv.low <= 0 <= iv.high for iv in rep.transferability.values())
    assert rep.resolved is False
    assert rep.strength.startswith(f"{rep.recommendation} by point estimate; not resolved at 95%")
    d = rep.to_dict()
    assert set(d) == {"n", "d", "estimates", "predictions", "recommendation", "crossover_n"}
    assert d["recommendation"] == rep.recommendation in ("scratch", "linear_transfer", "finetune")
    fig = rep.plot(path=str(tmp_path / "a.png"))
    assert "not resolved at 95%" in fig.axes[0].get_title()


def test_summary_lines_fit_and_keep_every_word_of_the_notes_and_flags():
    # FLAG lines reached ~330 columns; wrapped, they must still say exactly the same
    X, y, bs = _small()
    rep = ftheory.advise(X, y, source_weights=bs, grid_size=6)
    assert rep.flags, "this sample has negative variance estimates: flags expected"
    text = rep.summary()
    assert max(len(line) for line in text.splitlines()) <= WIDTH
    # rebuild each note and flag from its wrapped lines: a labelled line, then lines indented 8
    items, cur = [], None
    for line in text.splitlines():
        m = re.match(r"  (note|FLAG): (.*)", line)
        if m:
            cur = [m.group(1), m.group(2)]
            items.append(cur)
        elif cur is not None and line.startswith(" " * 8):
            cur[1] += " " + line.strip()
        else:
            cur = None
    assert [t for kind, t in items if kind == "FLAG"] == [" ".join(f.split()) for f in rep.flags]
    assert [t for kind, t in items if kind == "note"] == [" ".join(n.split()) for n in rep.notes]
    for f in rep.flags:
        assert len(f) < 260, f  # shortened: the longest was ~330 before the wrapping


def test_negative_estimate_flag_names_the_sign_and_the_interval():
    X, y, bs = _small()
    rep = ftheory.advise(X, y, source_weights=bs, grid_size=0)
    sig = rep.estimates["signal"]
    flag = [f for f in rep.flags if f.startswith("signal: the unbiased estimate")]
    assert len(flag) == 1
    assert re.search(rf"estimate -[0-9.]+ < 0 \(sampling noise\) lies outside \[{sig.low:.4g}, {sig.high:.4g}\]",
                     flag[0])
    assert f"the value shown, {sig.value:.4g}, is that of the nearest possible task" in flag[0]


def test_binary_and_few_valued_labels_are_flagged():
    rng = np.random.default_rng(3)
    n, d = 80, 12
    X = rng.standard_normal((n, d))
    bt = rng.standard_normal(d) / np.sqrt(d)
    y01 = (X @ bt + 0.3 * rng.standard_normal(n) > 0).astype(float)
    rep = ftheory.advise(X, y01, source_weights=bt, grid_size=0)
    flag = [f for f in rep.flags if f.startswith("binary labels (0, 1): the Gaussian linear model is misspecified")]
    assert len(flag) == 1 and "Still unbiased" in flag[0] and "Not guaranteed: the 95% intervals" in flag[0]
    assert "FLAG: binary labels" in rep.summary()
    ratings = np.digitize(X @ bt, [-1, -0.3, 0.3, 1]) + 1.0           # 1..5 stars
    assert _label_flags(ratings)[0].startswith("labels with only 5 distinct values (1, 2, 3, 4, 5)")
    assert _label_flags(np.r_[ratings, 6.0]) == []                      # 6 distinct values: not flagged
    assert _label_flags(X @ bt) == []                                   # continuous labels
    assert _label_flags(np.array([0.0, 1.0, 2.0, 3.0])) == []           # 4 rows, 4 values: nothing repeats
    assert _label_flags(np.array([0.0, 1.0, 1.0, 0.0])) != []           # 4 rows, binary


def test_binary_labels_moment_estimates_are_unbiased_for_the_best_linear_predictor():
    """What the binary-label flag says still holds: for y = 1{x.beta + s e > 0}, x ~ N(0, I), the best
    linear predictor has tau^2 = |E x y|^2 = |beta|^2 / (2 pi v), v = |beta|^2 + s^2, residual variance
    Var y - tau^2 = 1/4 - tau^2 (after centring), inner product with the source rho = beta_s.beta /
    sqrt(2 pi v). Mean of the unbiased estimates over 1500 samples within 4 standard errors."""
    from ftheory.advise.estimators import _L
    from ftheory.advise.moments import Moments
    from ftheory.advise.prepared import prepare

    rng = np.random.default_rng(11)
    d, n, reps, s = 20, 30, 1500, 0.5
    beta = rng.standard_normal(d)
    beta /= np.linalg.norm(beta)
    bs = beta + 0.7 * rng.standard_normal(d) / np.sqrt(d)
    v = 1 + s * s
    truth = np.array([1 / (2 * np.pi * v), 0.25 - 1 / (2 * np.pi * v), beta @ bs / np.sqrt(2 * np.pi * v), bs @ bs])
    P = np.empty((reps, 4))
    for k in range(reps):
        X = rng.standard_normal((n, d))
        y = (X @ beta + s * rng.standard_normal(n) > 0).astype(float)
        pr = prepare(X, y, X @ bs, center=True, standardize=False)
        m = Moments(pr.X, pr.y, pr.z)
        stats = [("S", [1, 0]), ("U", [1, 0], m.kinv(), "inv"), ("S", [0, 1]), ("S", [1, 1])]
        P[k] = _L @ np.array([m.value(st) for st in stats])
    se = P.std(0, ddof=1) / np.sqrt(reps)
    assert np.all(np.abs(P.mean(0) - truth) < 4 * se), (P.mean(0), truth, se)


def test_estimate_flag_wording_per_case():
    from types import SimpleNamespace

    from ftheory.advise.report_flags import report_flags as _flags

    def flags(p, **ivs):
        # below the least-squares switch the reported signal and noise are the unbiased p[0], p[1]
        pe = SimpleNamespace(p=np.array(p, float), signal_value=float(p[0]), noise_value=float(p[1]))
        return _flags(pe, {k: Interval(*v, 0.1) for k, v in ivs.items()}, {}, {})

    # a negative variance estimate; a legitimately negative inner product outside its interval is not "< 0"
    out = flags([-0.5, 1.0, -0.3, 1.0], signal=(0.0, 0.0, 0.4), overlap_inner=(-0.1, -0.2, 0.4))
    assert out[0].startswith("signal: the unbiased estimate -0.5 < 0 (sampling noise) lies outside [0, 0.4]; ")
    assert out[1].startswith("overlap_inner: the unbiased estimate -0.3 lies outside [-0.2, 0.4] (the exact test "
                             "rejects it); the value shown, -0.1,")
    out = flags([0.25, 1.0, 0.6, 1.0], overlap=(1.0, 0.8, 1.0))           # cos = 0.6 / 0.5 = 1.2
    assert out == ["overlap: the unbiased estimate 1.2 has |cos| > 1 (sampling noise) and lies outside [0.8, 1]; "
                   "the value shown, 1, is that of the nearest possible task (variances >= 0, |cos| <= 1, total "
                   "label variance kept), clipped to the interval"]
    out = flags([-0.2, 1.0, 0.1, 1.0], overlap=(1.0, 0.3, 1.0))
    assert out[0].startswith("overlap: the unbiased estimate is undefined (signal estimate <= 0: sampling noise); ")
