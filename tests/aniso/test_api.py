"""ftheory.aniso numeric API: isotropic special case equals the registered results, vectorisation,
the kappa solver, validation."""
import math

import numpy as np
import pytest

import ftheory
from ftheory import aniso as A

D = 200
ISO = np.ones(D)


def unit(d, k=0):
    v = np.zeros(d)
    v[k] = 1.0
    return v


def iso_pair(d, theta):
    return unit(d, 0), math.cos(theta) * unit(d, 0) + math.sin(theta) * unit(d, 1)


@pytest.mark.parametrize("n", [20, 100, 180])
@pytest.mark.parametrize("lam", [0.0, 0.01, 0.5, 3.0])
def test_isotropic_scratch_equals_registered(n, lam):
    bt = np.full(D, D ** -0.5)
    got = A.scratch_risk(ISO, bt, n, 0.3, lam=lam)
    want = ftheory.get("scratch_ridge_risk")(gamma=n / D, sigma=0.3, lam=lam)
    assert got == pytest.approx(float(want), rel=1e-12)


def test_underparameterised_ridgeless_is_the_exact_mean_for_any_spectrum():
    ev = A.power_law_spectrum(50, 1.5)
    bt = np.random.default_rng(0).standard_normal(50)
    for n in (52, 60, 200):
        assert A.scratch_risk(ev, bt, n, 0.4) == pytest.approx(0.16 * 50 / (n - 51), rel=1e-14)
        assert float(ftheory.get("scratch_risk_finite")(n=n, d=50, sigma=0.4)) == pytest.approx(0.16 * 50 / (n - 51))
    assert A.scratch_risk(ev, bt, [50, 51], 0.4).tolist() == [math.inf, math.inf]
    assert A.scratch_risk(ev, bt, [50, 51], 0.0).tolist() == [0.0, 0.0]
    # the deterministic equivalent itself: sigma^2 d/(n - d)
    assert A.scratch_risk_de(ev, bt, 60, 0.4) == pytest.approx(0.16 * 50 / 10, rel=1e-13)


def test_tuned_ridge_isotropic_equals_registered():
    bt = np.full(D, D ** -0.5)
    res = A.tuned_ridge(ISO, bt, np.array([60, 200, 300]), 0.2)
    for g, r, lam in zip((0.3, 1.0, 1.5), res.risk, res.lam):
        assert r == pytest.approx(float(ftheory.get("scratch_risk_optimal_ridge")(gamma=g, sigma=0.2)), rel=1e-10)
        assert lam == pytest.approx(float(ftheory.get("scratch_optimal_ridge")(gamma=g, sigma=0.2)), rel=1e-4)


def test_tuned_ridge_is_below_every_penalty_on_a_structured_problem():
    ev = A.power_law_spectrum(300, 1.0)
    bt = A.power_law_teacher(300, 0.3)
    res = A.tuned_ridge(ev, bt, 100, 0.5)
    lams = np.geomspace(1e-4, 1e2, 200)
    values = A.scratch_risk(ev, bt, 100, 0.5, lam=lams)
    assert res.risk <= values.min() * (1 + 1e-12)
    assert res.lam > 0


@pytest.mark.parametrize("theta", [0.0, 0.4, math.pi / 2, 2.5])
@pytest.mark.parametrize("n", [3, 10, 57])
def test_isotropic_linear_transfer_equals_registered_finite(theta, n):
    bs, bt = iso_pair(D, theta)
    got = A.linear_transfer_risk(ISO, bs, bt, n, 0.2)
    want = ftheory.get("linear_transfer_risk_finite")(n=n, theta=theta, sigma=0.2)
    assert got == pytest.approx(float(want), rel=1e-12, abs=1e-15)


def test_linear_transfer_small_n_and_scale_invariance():
    bs, bt = iso_pair(D, 0.7)
    assert A.linear_transfer_risk(ISO, bs, bt, [1, 2], 0.2).tolist() == [math.inf, math.inf]
    assert A.linear_transfer_risk(ISO, bs, bs, 2, 0.0) == 0.0
    ev = A.power_law_spectrum(D, 1.0)
    base = A.linear_transfer_risk(ev, bs, bt, 30, 0.2)
    # source norm does not matter; Sigma scaled by c with beta_t by 1/sqrt(c) leaves the risk unchanged
    assert A.linear_transfer_risk(ev, 7 * bs, bt, 30, 0.2) == pytest.approx(base, rel=1e-13)
    assert A.linear_transfer_risk(4 * ev, bs, bt / 2, 30, 0.2) == pytest.approx(base, rel=1e-13)


@pytest.mark.parametrize("theta", [0.3, 1.2])
def test_isotropic_finetune_equals_registered(theta):
    bs, bt = iso_pair(D, theta)
    for n in (50, 150):
        g = n / D
        sc = ftheory.get("scratch_risk")(gamma=g, sigma=0.0)
        want = sc - ftheory.get("finetune_transferability")(gamma=g, theta=theta)
        assert A.finetune_linear_risk(ISO, bs, bt, n, 0.0) == pytest.approx(float(want), rel=1e-12)
        for depth in (2, 3):
            c = A.finetune_deep_scale(ISO, bs, bt, n, 0.5, depth=depth)
            assert c == pytest.approx(float(ftheory.get("finetune_scale")(gamma=g, sigma=0.5, depth=depth)),
                                      rel=1e-12)


def test_scale_covariance_of_ridge():
    ev = A.power_law_spectrum(100, 0.8)
    bt = A.power_law_teacher(100, 1.0)
    base = A.scratch_risk(ev, bt, 40, 0.3, lam=0.2)
    assert A.scratch_risk(3 * ev, bt / math.sqrt(3), 40, 0.3, lam=0.6) == pytest.approx(base, rel=1e-12)


def test_kappa_solves_its_equation_across_scales():
    ev = np.concatenate([np.geomspace(1e6, 1e-8, 500), np.zeros(10)])
    ns = np.arange(1, 520, 7)
    for lam in (0.0, 1e-12, 1e-3, 10.0):
        k = A.effective_regularisation(ev, ns, lam)
        pos = ns < 500
        df1 = (ev / (ev + k[:, None])).sum(1) if lam > 0 else (ev / (ev + k[pos, None])).sum(1)
        if lam > 0:   # h = lam/kappa + df1/n - 1 = 0 to a few ulp (the product form is ill-conditioned)
            np.testing.assert_allclose(lam / k + df1 / ns, 1.0, rtol=0, atol=ev.size * 4 * np.finfo(float).eps)  # a sum of d terms
        else:
            np.testing.assert_allclose(df1, ns[pos], rtol=1e-12)
            assert np.all(k[~pos] == 0)


def test_vectorised_shapes_match_loops():
    ev = A.power_law_spectrum(80, 1.0)
    rng = np.random.default_rng(1)
    B = rng.standard_normal((5, 80))
    ns = np.array([10, 40, 79, 85])[:, None]
    grid = A.scratch_risk(ev, B, ns, 0.3)
    assert grid.shape == (4, 5)
    for i, n in enumerate(ns[:, 0]):
        for j in range(5):
            assert grid[i, j] == pytest.approx(A.scratch_risk(ev, B[j], int(n), 0.3), rel=1e-13)
    lt = A.linear_transfer_risk(ev, B[0], B, ns, 0.3)
    ft = A.finetune_linear_risk(ev, B[0], B, ns, 0.3)
    assert lt.shape == ft.shape == (4, 5)


@pytest.mark.parametrize("kwargs, match", [
    (dict(eigenvalues=[-1.0, 1.0]), "eigenvalues"),
    (dict(eigenvalues=[0.0, 0.0]), "eigenvalues has trace 0"),
    (dict(eigenvalues=[np.nan, 1.0]), "eigenvalues"),
    (dict(eigenvalues=[[1.0, 1.0]]), "eigenvalues has shape"),
    (dict(beta_t=[1.0, 2.0, 3.0]), "beta_t has shape"),
    (dict(beta_t=[1.0, np.inf]), "beta_t"),
    (dict(n=0), "n=0"),
    (dict(n=2.5), "n=2.5"),
    (dict(n=[3, -1]), "n=-1"),
    (dict(sigma=-1.0), "sigma=-1.0"),
    (dict(lam=-0.1), "lam=-0.1"),
])
def test_bad_input_names_the_parameter(kwargs, match):
    args = dict(eigenvalues=[1.0, 1.0], beta_t=[1.0, 0.0], n=3, sigma=0.1)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match.replace("[", r"\[")):
        A.scratch_risk(**args)


def test_bad_transfer_input():
    with pytest.raises(ValueError, match="beta_s"):
        A.linear_transfer_risk([1.0, 0.0], [0.0, 1.0], [1.0, 0.0], 5, 0.1)   # feature with zero variance
    with pytest.raises(ValueError, match="beta_s has shape"):
        A.finetune_linear_risk([1.0, 1.0], [1.0], [1.0, 0.0], 5, 0.1)
    with pytest.raises(ValueError, match="depth"):
        A.finetune_deep_scale([1.0, 1.0], [1.0, 0.0], [1.0, 0.0], 1, 0.1, depth=1)


def test_deep_scale_edges_without_warnings():
    ev = A.power_law_spectrum(50, 1.0)
    bs, bt = A.window_pair(ev, 0.5)
    c = A.finetune_deep_scale(ev, bs, bt, np.array([10, 49, 50, 51, 100]), 0.3, depth=3)
    assert np.all(np.isfinite(c[[0, 1, 3, 4]])) and c[2] == math.inf
    assert A.finetune_deep_risk(ev, bs, bt, 100, 0.3, depth=3) == pytest.approx(0.09 * 50 / 49)
    assert A.finetune_deep_risk(ev, bs, bt, 50, 0.3, depth=3) == math.inf


@pytest.mark.parametrize("zeros", [0, 30])
def test_finetune_transferability_is_zero_where_both_are_least_squares(zeros):
    """For n >= d+ (positive eigenvalues) fine-tuning and min-norm are the same least-squares fit, so T_ft = 0
    exactly, also at n = d+ and d+ + 1 where both mean risks are infinite (was NaN; the registered isotropic
    finetune_transferability_finite is 0 there)."""
    ev = np.r_[A.power_law_spectrum(100, 1.0), np.zeros(zeros)]
    bs, bt = A.window_pair(ev, 0.5)
    n = np.array([99, 100, 101, 102, 150])
    with np.errstate(all="raise"):
        t = A.transferability(ev, bs, bt, n, 0.2)
    assert np.all(t["finetune"][1:] == 0.0) and t["finetune"][0] != 0.0
    assert np.isposinf(t["linear_transfer"][1:3]).all() and np.isfinite(t["linear_transfer"][[0, 3, 4]]).all()
    iso = ftheory.get("finetune_transferability_finite")
    bs, bt = iso_pair(D, 0.7)
    for m in (D, D + 1):
        assert A.transferability(ISO, bs, bt, m, 0.3)["finetune"] == float(iso(n=m, d=D, theta=0.7)) == 0.0


def test_eigenbasis_of_a_covariance_matrix():
    """A full covariance and teachers in the original coordinates: the eigenbasis gives the same risks as a
    direct computation in rotated coordinates; rounding negatives are clipped; bad matrices name the parameter."""
    rng = np.random.default_rng(3)
    d = 60
    U, _ = np.linalg.qr(rng.standard_normal((d, d)))
    ev = A.power_law_spectrum(d, 1.2)
    cov = (U * ev) @ U.T
    bt, bs = rng.standard_normal(d), rng.standard_normal(d)
    w, (ct, cs) = A.eigenbasis(cov, bt, bs)
    assert np.all(np.diff(w) <= 0) and w == pytest.approx(ev, rel=1e-10, abs=1e-12)
    assert ct @ (w * cs) == pytest.approx(bt @ cov @ bs, rel=1e-10)
    assert A.scratch_risk(w, ct, 30, 0.2) == pytest.approx(float(A.scratch_risk(ev, U.T @ bt, 30, 0.2)), rel=1e-9)
    X = rng.standard_normal((40, d))                  # rank-deficient sample covariance: eigenvalues ~ -1e-16
    w0, _ = A.eigenbasis(np.cov(X, rowvar=False), np.ones(d))
    assert w0.min() == 0.0 and np.count_nonzero(w0) == 39
    bad = np.diag(np.r_[np.ones(d - 1), -0.5])
    for c, match in ((bad, r"covariance is not positive semi-definite: its smallest eigenvalue is -0.5"),
                     (cov + np.triu(np.ones((d, d)), 1) * 0.1, r"covariance is not symmetric"),
                     (np.ones((3, 4)), r"covariance has shape \(3, 4\)"),
                     (np.full((2, 2), np.nan), r"covariance contains a non-finite entry")):
        with pytest.raises(ValueError, match=match):
            A.eigenbasis(c)
    with pytest.raises(ValueError, match=r"beta_1 has shape \(59,\)"):
        A.eigenbasis(cov, bt, bs[:-1])
