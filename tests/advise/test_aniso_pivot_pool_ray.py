"""The min-norm worlds below n = d scale the unlabeled pool's term along the ray (ScalePivot, module docstring):
``R_hat/R`` is then exactly scale-free for scratch, whose every term is of degree 1 in ``(L, sigma^2)``."""
import numpy as np

from ftheory.advise.aniso_pivot import ScalePivot, PP_SCALES
from ftheory.advise.aniso_predict import AnisotropicPredictor
from ftheory.advise.estimators import prepare
from ftheory.advise.synthetic import make_task


def _aniso(seed=3, n=14, d=30):
    t = make_task(d, 0.5, 0.7, eigenvalues=1.0 / np.arange(1, d + 1), seed=seed)
    rng = np.random.default_rng(seed + 1)
    X, y = t.sample(n, rng)
    return AnisotropicPredictor(prepare(X, y, X @ t.beta_s, t.sample(20 * d, rng)[0]), pivot_draws=64, seed=1)


def _worlds(ap, which, extra):
    """The ``world`` function of the min-norm band of ``which`` at the data's size, with the pool spread
    ``extra`` (captured from ``ScalePivot._prepivot``), and the grid."""
    pv = ap.pivot()
    got = {}
    orig = ScalePivot._prepivot

    def cap(self, world, grid, i0, tot, alpha):
        got.update(world=world, grid=grid, i0=i0)
        return orig(self, world, grid, i0, tot, alpha)

    ns = np.array([ap.n])
    W, V = ap._weights(ns, np.array([0.0]))
    v = ap.linear_risks(which, ns, [0.0])[0]
    try:
        ScalePivot._prepivot = cap
        pv.bands(which, W, V, v, np.array([0]), False, extra_sd=np.full((1, 1), extra))
    finally:
        ScalePivot._prepivot = orig
    return got


def test_scratch_ratio_is_scale_free_with_the_pool_term():
    """Scratch min-norm, a pool spread as large as the risk: the statistic ``R_hat/R`` of every draw is the same
    (to rounding) at every scale of the prepivot's table, at three noise fractions; the pool term is not
    negligible (the statistic moves when it is removed)."""
    ap = _aniso()
    w = _worlds(ap, "scratch", 0.5)
    for f in (w["grid"][1], w["grid"][w["i0"]], w["grid"][-2]):
        ref = w["world"](f)[0]
        for c in PP_SCALES:
            np.testing.assert_allclose(w["world"](f, scale=c)[0], ref, rtol=1e-9, atol=1e-12)
    w0 = _worlds(ap, "scratch", 0.0)
    f = w["grid"][w["i0"]]
    assert np.max(np.abs(w["world"](f)[0] - w0["world"](f)[0])) > 1e-2


def test_pool_term_at_the_base_task_is_the_datas_spread():
    """At the base task (scale 1, its own noise fraction) the pool term is the data's spread times the draw's
    standard normal, over the risk, for scratch and for fine-tuning (coefficient 1), and linear in the spread."""
    ap = _aniso()
    for which in ("scratch", "finetune"):
        st = {e: _worlds(ap, which, e) for e in (0.0, 0.2, 0.4)}
        f0 = st[0.0]["grid"][st[0.0]["i0"]]
        s0, s1, s2 = (st[e]["world"](f0)[0] for e in (0.0, 0.2, 0.4))
        np.testing.assert_allclose(s2 - s0, 2 * (s1 - s0), rtol=1e-9, atol=1e-12)
        # each draw's pool term over the risk: g_b * 0.2 / R, R = L0 R_s + sigma0^2 V at the base task
        pv = ap.pivot()
        L0, sig0, _ = pv.base(which)
        W, V = ap._weights(np.array([ap.n]), np.array([0.0]))
        p = pv.P[0 if which == "scratch" else 1]
        R = L0 * np.sum(W[0, 0] * p / ap.ev ** 2) + sig0 * V[0, 0]
        np.testing.assert_allclose((s1 - s0)[:, 0], pv.pairs()["g"][0] * 0.2 / R, rtol=1e-8, atol=1e-12)
