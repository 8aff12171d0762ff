"""The tuned bands' logical caps (``ftheory.advise.caps``) and the exact inverse-Wishart variance of the noise
estimate's signal statistic in the anisotropic predictor (``AnisotropicPredictor._var_inv``)."""
import math

import numpy as np
import pytest

from ftheory.advise.aniso_predict import AnisotropicPredictor
from ftheory.advise.caps import CAPS, cap_tuned
from ftheory.advise.estimators import Interval, prepare
from ftheory.advise.param_cov import _var_u
from ftheory.advise.predict import isotropic_risk
from ftheory.advise.synthetic import make_task


def test_tuned_risks_never_exceed_the_capping_parameters():
    """The premise of the caps: the tuned scratch risk <= tau^2 and the tuned fine-tuning risk <= the distance,
    in the isotropic theory (random parameters) and the anisotropic one (1/i spectrum, random teachers)."""
    from ftheory.aniso import scratch_risk

    rng = np.random.default_rng(3)
    for _ in range(200):
        n, d = int(rng.integers(3, 300)), int(rng.integers(5, 200))
        tau2, sig2, r2 = rng.uniform(0.01, 3, 3)
        rho = rng.uniform(-1, 1) * math.sqrt(tau2 * r2)
        p = np.array([tau2, sig2, rho, r2])
        assert isotropic_risk("scratch_ridge", n, d, p) <= tau2 * (1 + 1e-9)
        assert isotropic_risk("finetune_ridge", n, d, p) <= (tau2 - 2 * rho + r2) * (1 + 1e-9) + 1e-12
    d = 30
    ev = np.arange(1, d + 1) ** -1.0
    lams = np.r_[0.0, ev.mean() * np.logspace(-4, 2, 41)]
    for n in (5, 15, 29, 31, 60):
        b = rng.standard_normal(d)
        with np.errstate(all="ignore"):
            r = np.asarray(scratch_risk(ev, b, n, 0.7, lams), float)
        assert np.nanmin(r[1:]) <= float(ev @ (b * b)) * (1 + 1e-9)


class _PE:
    def __init__(self, **iv):
        self.iv = iv

    def interval(self, name):
        return self.iv[name]


def test_cap_tuned_caps_only_the_tuned_upper_ends():
    bands = {"scratch_ridge": (np.array([0.5, 2.0, 0.2]), np.array([0.1, 1.5, 0.1]), np.array([3.0, 4.0, 0.3])),
             "finetune_ridge": (np.array([1.0, 1.0, 1.0]), np.zeros(3), np.array([9.99, 2.0, 5.0])),
             "scratch_min_norm": (np.ones(3), np.zeros(3), np.full(3, 50.0))}
    pe = _PE(signal=Interval(0.8, 0.4, 1.0, 0.2), distance=Interval(3.6, 1.88, 5.34, 0.9))
    out = cap_tuned(bands, pe)
    v, lo, hi = out["scratch_ridge"]
    np.testing.assert_array_equal(hi, [1.0, 1.0, 0.3])
    np.testing.assert_array_equal(v, [0.5, 1.0, 0.2])                # the value stays inside its band
    np.testing.assert_array_equal(lo, [0.1, 1.0, 0.1])
    np.testing.assert_array_equal(out["finetune_ridge"][2], [5.34, 2.0, 5.0])
    assert out["scratch_min_norm"] is bands["scratch_min_norm"]        # min-norm: no cap (it can exceed tau^2)
    assert bands["scratch_ridge"][2][0] == 3.0                          # input not modified
    assert set(CAPS) == {"scratch_ridge", "finetune_ridge"}
    inf = _PE(signal=Interval(0.8, 0.0, math.inf, math.inf), distance=Interval(1.0, 0.0, math.nan, math.nan))
    out = cap_tuned(bands, inf)
    for proc in CAPS:
        assert out[proc] is bands[proc]


def _task_data(d, n, N, seed):
    task = make_task(d, 0.9, 0.6, eigenvalues=np.arange(1, d + 1) ** -1.0, seed=seed)
    rng = np.random.default_rng(seed + 1)
    X, y = task.sample(n, rng)
    U = task.sample(N, rng)[0]
    return task, X, y, U


def test_var_inv_is_the_exact_wishart_variance():
    """``_var_inv`` is ``param_cov._var_u`` at the plug-in ``(U(y, A), S_y)`` (also in ``cov_functionals``), the
    old plug-in + ``2 tau^4/(N - d - 3)`` is smaller (0.3-0.9 of it at N = 3-20 d), and the exact value is
    ``Var U(y, A)`` of the predictor's own statistic over fresh data and N = 2 d unlabeled rows (Monte Carlo,
    tolerance 4.5 standard errors of the sample variance)."""
    d, n = 12, 10
    task, X, y, U = _task_data(d, n, 3 * d, 5)
    ap = AnisotropicPredictor(prepare(X, y, X @ task.beta_s, U), pivot_draws=0)
    N = ap.n_unlabeled
    tau2 = max(float(ap.kinv @ ap.u["y"]), 0.0)
    exact = _var_u(ap.n, d, tau2, float(ap.S[0, 0]), N)
    assert ap._var_inv() == pytest.approx(exact, rel=1e-12)
    F = [("Uinv", (1.0, 0.0), ap.kinv, 1.0)]
    assert ap.cov_functionals(F, F) == pytest.approx(exact, rel=1e-12)
    old = ap._cov_uu((1.0, 0.0), ap.kinv, (1.0, 0.0), ap.kinv) + 2 * tau2 ** 2 / (N - d - 3)
    assert old < 0.6 * exact
    # Monte Carlo at the truth: the statistic kinv . u_y of the predictor (centred data and pool, as prepare does)
    Sigma = task.Sigma
    tau_true = float(task.beta_t @ Sigma @ task.beta_t)
    s_true = tau_true + task.sigma ** 2
    rng = np.random.default_rng(8)
    L = np.linalg.cholesky(Sigma)
    vals = []
    Np = 2 * d + 1                                                    # N = 2 d pool rows after centring
    for _ in range(4000):
        Xr = rng.standard_normal((n, d)) @ L.T
        yr = Xr @ task.beta_t + task.sigma * rng.standard_normal(n)
        Ur = rng.standard_normal((Np, d)) @ L.T
        a = AnisotropicPredictor(prepare(Xr, yr, None, Ur), pivot_draws=0)
        vals.append(float(a.kinv @ a.u["y"]))
    vals = np.asarray(vals)
    dev2 = (vals - tau_true) ** 2                                     # E tau_hat = tau (unbiased)
    se = dev2.std() / math.sqrt(dev2.size)
    want = _var_u(n - 1, d, tau_true, s_true, Np - 1)             # centred: n - 1 rows, N - 1 pool rows
    assert abs(dev2.mean() - want) <= 4.5 * se, (dev2.mean(), want, se)
    known = _var_u(n - 1, d, tau_true, s_true) + 2 * tau_true ** 2 / (Np - 1 - d - 3)
    assert abs(dev2.mean() - known) > 4.5 * se                        # the old variance is rejected


def test_var_inv_without_a_finite_wishart_variance_is_the_plug_in():
    d = 10
    task, X, y, U = _task_data(d, 8, d + 3, 9)
    ap = AnisotropicPredictor(prepare(X, y, None, U, center=False), pivot_draws=0)
    assert ap.n_unlabeled <= d + 3
    yv = (1.0, 0.0)
    assert ap._var_inv() == pytest.approx(ap._cov_uu(yv, ap.kinv, yv, ap.kinv), rel=1e-12)



def test_pool_sd_matches_the_spread_over_real_pools():
    """``aniso_pool.pool_sd`` (bootstrap of the pool around Sigma_hat) against the estimate's spread over fresh
    pools from the true Sigma, the labeled data fixed (min-norm below n = d, 60 pools each: a ratio of standard
    deviations within a factor 1.6, about 4.5 standard errors); ``V`` times the exact excess sd of
    ``U(y, Sigma^-1)`` alone (the pivot's term before) is several times larger for scratch, whose signal term
    moves with the noise estimate. Seeded; zeros when the pool gives no finite variance."""
    from ftheory.advise.aniso_pool import _value, pool_sd

    d, n, N = 30, 15, 600
    task, X, y, U = _task_data(d, n, N, 21)
    z = X @ task.beta_s
    ap = AnisotropicPredictor(prepare(X, y, z, U), pivot_draws=0)
    ns, lams = np.array([n - 1]), np.array([0.0])
    boot = pool_sd(ap, "scratch", ns, lams, draws=60, seed=3)[0, 0]
    assert boot == pool_sd(ap, "scratch", ns, lams, draws=60, seed=3)[0, 0]
    two = np.array([0.0, 0.1])                                        # paired: one penalty per sample size
    grid = pool_sd(ap, "finetune", np.array([n - 1, n - 3]), two, draws=60, seed=3)
    np.testing.assert_allclose(pool_sd(ap, "finetune", np.array([n - 1, n - 3]), two, draws=60, seed=3, paired=True),
                               np.diag(grid), rtol=1e-12)
    rng = np.random.default_rng(4)
    real = np.std([_value(AnisotropicPredictor(prepare(X, y, z, task.sample(N, rng)[0]), pivot_draws=0),
                          "scratch", ns, lams)[0, 0] for _ in range(60)], ddof=1)
    assert 1 / 1.6 <= boot / real <= 1.6, (boot, real)
    V = float(ap._weights(ns, lams)[1][0, 0])
    tau, s = max(float(ap.kinv @ ap.u["y"]), 0.0), float(ap.S[0, 0])
    uy_only = V * math.sqrt(_var_u(ap.n, d, tau, s, ap.n_unlabeled) - _var_u(ap.n, d, tau, s))
    assert uy_only > 2.5 * real
    small = AnisotropicPredictor(prepare(X, y, z, U[:d + 3], center=False), pivot_draws=0)
    assert np.all(pool_sd(small, "scratch", ns, lams, seed=3) == 0.0)
