"""The fine-tuning min-norm world's noise below n = d from the residual ``y - z`` (``ScalePivot.ft_noise``, an
option off by default; docs/advisor_notes/ftmn17.md)."""
import math

import numpy as np
import pytest

from ftheory.advise.aniso_pivot import ScalePivot
from ftheory.advise.aniso_predict import AnisotropicPredictor
from ftheory.advise.estimators import prepare
from ftheory.advise.synthetic import make_task


def _data(task, n, d, rng):
    X, y = task.sample(n, rng)
    return prepare(X, y, X @ task.beta_s, task.sample(20 * d, rng)[0])


def _aniso(seed=3, n=14, d=30, theta=0.7, sigma=0.5):
    t = make_task(d, theta, sigma, eigenvalues=1.0 / np.arange(1, d + 1), seed=seed)
    return AnisotropicPredictor(_data(t, n, d, np.random.default_rng(seed + 1)), pivot_draws=128, seed=1)


def test_base_noise_rules_are_the_labels_or_residual_moment_estimates():
    """``base("finetune", rule)``: the noise is ``S_y - k.u_y`` ("labels"), ``S_r - k.u_{y-z}`` ("residual"),
    the one of the smaller mean square ("smaller"); the distance and source part do not depend on the rule;
    scratch ignores it; a bad rule is a ValueError naming it. (Noise 2: neither estimate is clipped.)"""
    ap = _aniso(theta=0.3, sigma=2.0)
    pv = ScalePivot(ap, draws=64, seed=0)
    S = ap.S_raw
    Sy, Sr = float(S[0, 0]), float(S[0, 0] - 2 * S[0, 1] + S[1, 1])
    dist, tau = float(ap.kinv @ ap.u["y-z"]), float(ap.kinv @ ap.u["y"])
    lab = pv.base("finetune", "labels")
    res = pv.base("finetune", "residual")
    assert lab == pv.base("finetune")
    assert Sy - tau > 0.05 * Sy and Sr - dist > 0.05 * Sr and lab[1] != res[1]
    assert lab[1] == Sy - tau
    assert res[1] == Sr - dist
    assert lab[0] == res[0] == max(dist, 0.05 * Sr) and lab[2] == res[2] == float(S[1, 1])
    assert pv.base("finetune", "smaller") == (res if Sr < Sy else lab)
    assert pv.base("scratch", "residual") == pv.base("scratch")
    with pytest.raises(ValueError, match="ft_noise"):
        pv.base("finetune", "both")


def test_residual_noise_estimate_is_unbiased_with_a_smaller_spread_near_the_source():
    """Monte Carlo (400 data sets, d = 20, n = 10, target at angle 0.3 from the source, noise 1): both moment
    estimates of the noise variance are unbiased (4 standard errors) and the residual's variance is smaller than
    the labels' (its label part is the distance ``|beta_t - beta_s|^2 = 0.09``, not ``|beta_t|^2 = 1``): the log
    variance ratio below 0 by more than 4 of its standard errors (``sqrt(4/(R - 1))``, an upper bound for
    correlated pairs)."""
    d, n, reps, sig = 20, 10, 400, 1.0
    t = make_task(d, 0.3, sig, eigenvalues=1.0 / np.arange(1, d + 1), seed=5)
    rng = np.random.default_rng(6)
    lab, res = [], []
    for _ in range(reps):
        ap = AnisotropicPredictor(_data(t, n, d, rng), n_lam=2, pivot_draws=0)
        S = ap.S_raw
        lab.append(S[0, 0] - ap.kinv @ ap.u["y"])
        res.append(S[0, 0] - 2 * S[0, 1] + S[1, 1] - ap.kinv @ ap.u["y-z"])
    lab, res = np.array(lab), np.array(res)
    for x in (lab, res):
        assert abs(x.mean() - sig ** 2) < 4 * x.std(ddof=1) / math.sqrt(reps)
    assert math.log(res.var(ddof=1) / lab.var(ddof=1)) < -4 * math.sqrt(4 / (reps - 1))


def test_ft_noise_moves_only_the_finetune_min_norm_band():
    """``ft_noise = "residual"`` changes the fine-tuning min-norm band below n = d and no other (scratch and the
    tuned bands bitwise equal); the default is "labels"."""
    assert ScalePivot.ft_noise == "labels"
    ap = _aniso(n=12)
    m = ap.n
    base = {p: ap.bands(p, [m]) for p in ("scratch_min_norm", "finetune_min_norm", "finetune_ridge")}
    try:
        ScalePivot.ft_noise = "residual"
        alt = {p: ap.bands(p, [m]) for p in base}
    finally:
        ScalePivot.ft_noise = "labels"
    for p in ("scratch_min_norm", "finetune_ridge"):
        for a, b in zip(base[p], alt[p]):
            assert np.array_equal(a, b, equal_nan=True)
    assert base["finetune_min_norm"][0] == alt["finetune_min_norm"][0]          # the value is the estimate's
    assert not np.array_equal(np.r_[base["finetune_min_norm"][1:]], np.r_[alt["finetune_min_norm"][1:]])


def test_alignment_path_at_zero_cosine_is_the_default_world(monkeypatch):
    """``ft_align`` splits the draws' rows into the signal term and the labels' noise estimate; at cosine 0 the
    world is the default one, so the fine-tuning min-norm band agrees to rounding (a wrong coefficient or row
    moves it by far more); at the data's cosine (negative here: the source and the distance point apart) the
    band moves."""
    ap = _aniso(n=12)
    m = ap.n
    base = ap.bands("finetune_min_norm", [m])
    pv = ap.pivot()
    assert pv._alignment(*[pv.base("finetune")[i] for i in (0, 2)]) < 0
    try:
        ScalePivot.ft_align = True
        moved = ap.bands("finetune_min_norm", [m])
        monkeypatch.setattr(ScalePivot, "_alignment", lambda self, L0, rz: 0.0)
        zero = ap.bands("finetune_min_norm", [m])
    finally:
        ScalePivot.ft_align = False
    for a, b in zip(base, zero):
        assert np.allclose(a, b, rtol=1e-9, atol=1e-12, equal_nan=True)
    assert not np.allclose(np.r_[base[1:]], np.r_[moved[1:]], rtol=1e-3, equal_nan=True)
