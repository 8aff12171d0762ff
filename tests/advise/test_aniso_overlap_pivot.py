"""T_lt below n = d by test inversion over the overlap (ftheory.advise.aniso_overlap_pivot)."""
import math

import numpy as np
import pytest

from ftheory.advise.aniso_overlap_pivot import RHO_SPAN, overlap_inverted


class _LinearLaw:
    """A stand-in for DifferenceLaw's worlds: in the world at overlap ``rho`` the pivot is ``(s0 + s1 rho/S_y) Z``
    (the same ``B`` standard normal draws ``Z`` in every world), the world's T_lt is ``k rho`` and each draw's
    estimated overlap over its label variance is ``rho/S_y + sr E``."""

    def __init__(self, s0=0.1, s1=1.0, k=4.0, sr=0.1, B=4000, seed=0, kind="linear"):
        rng = np.random.default_rng(seed)
        self.Z, self.E = rng.standard_normal(B), rng.standard_normal(B)
        self.s0, self.s1, self.k, self.sr, self.kind = s0, s1, k, sr, kind

    def scale(self, rho, Sy):
        return self.s0 + self.s1 * (rho / Sy if self.kind == "linear" else abs(rho / Sy))

    def T(self, rho, Sy):
        return self.k * rho if self.kind == "linear" else self.k * rho * rho / Sy

    def world(self, f, Sy, rho, r2, Sr, overlap=False):
        stat = np.repeat((self.scale(rho, Sy) * self.Z)[:, None], 2, 1)
        fhat = np.full(self.Z.size, f)
        if overlap:
            return stat, fhat, rho / Sy + self.sr * self.E, np.array([self.T(rho, Sy), 0.0])
        return stat, fhat


def _exact_band(law, v, Sy):
    """The accepted T0 = k rho of the linear law: v - (s0 + s1 rho/S_y) q_hi S_y <= k rho <= v - (...) q_lo S_y."""
    ql, qh = np.quantile(law.Z, [0.025, 0.975])
    lo = (v - law.s0 * qh * Sy) / (law.k + law.s1 * qh)
    hi = (v - law.s0 * ql * Sy) / (law.k + law.s1 * ql)
    return law.k * lo, law.k * hi


@pytest.mark.parametrize("v", [0.8, 1.5, 2.4])
def test_inverted_band_is_the_exact_acceptance_set_of_a_linear_law(v):
    """Quantiles and T linear in the overlap: the band is exactly the set of T0 = T(rho) whose own world's 95%
    law contains the data's (v - T0)/S_y (the linear inequalities solved in closed form), wherever its ends lie
    inside the grid of worlds."""
    law, Sy = _LinearLaw(s0=0.3), 2.0
    rho = 0.5 * Sy
    lo, hi, info = overlap_inverted(law, v, Sy, 0.5 * Sy, rho, 1.0)
    want = _exact_band(law, v, Sy)
    grid = law.k * Sy * (rho / Sy + np.std(law.E) * law.sr * RHO_SPAN)
    assert grid[0] < want[0] and want[1] < grid[-1] and law.scale(grid[0] / law.k, Sy) > 0
    np.testing.assert_allclose([lo, hi], want, rtol=1e-9)
    assert info["accepted"]


def test_inverted_band_uses_the_branch_of_the_datas_overlap():
    """T rising with the overlap's size (k rho^2 / S_y): the worlds of the other sign reach the same T0 but are
    not the nuisance's solution nearest the data; the band is the one of the positive branch alone, where below
    the branch's lowest world (rho near 0) the values are tested in that world."""
    Sy, v = 2.0, 0.9
    law = _LinearLaw(kind="square", sr=0.05)
    lo, hi, info = overlap_inverted(law, v, Sy, 0.5 * Sy, 0.6 * Sy, 1.0)
    assert np.all(info["rho"] > 0) and np.all(np.diff(info["T"]) > 0)
    # on the branch the acceptance interval of T0 = k rho^2/S_y is tested in the world at rho = sqrt(T0 S_y / k),
    # below the branch's lowest world in that world
    r = math.sqrt(hi * Sy / law.k)
    q = law.scale(r, Sy) * np.quantile(law.Z, [0.025, 0.975])
    assert (v - hi) / Sy == pytest.approx(q[0], rel=1e-2)          # the upper end: on the world's 2.5% point
    if lo < info["T"][0]:
        assert lo == pytest.approx(v - info["hi"][0] * Sy, rel=1e-12)
    else:
        q = law.scale(math.sqrt(lo * Sy / law.k), Sy) * np.quantile(law.Z, [0.025, 0.975])
        assert (v - lo) / Sy == pytest.approx(q[1], rel=1e-2)


def test_inverted_band_covers_the_linear_laws_truth():
    """Monte Carlo: data drawn from the world at the true overlap (pivot (s0 + s1 rho/S_y) Z', overlap estimate
    rho + sr S_y E'), the band contains the true T in 95% of 2000 replications within 3.5 binomial standard
    errors (the truth is accepted exactly when the data's pivot lies within its own world's law); the band of
    the world at the estimated overlap alone covers less (its width follows the noisy overlap)."""
    law, Sy, rho_t, reps = _LinearLaw(s0=0.05, s1=1.0, sr=0.15), 2.0, 0.8, 2000
    rng = np.random.default_rng(12)
    T_t = law.T(rho_t, Sy)
    hits = plug = 0
    ql, qh = np.quantile(law.Z, [0.025, 0.975])
    for z, e in rng.standard_normal((reps, 2)):
        v = T_t + law.scale(rho_t, Sy) * z * Sy
        rho = rho_t + law.sr * e * Sy
        lo, hi, _ = overlap_inverted(law, v, Sy, 0.5 * Sy, rho, 1.0)
        hits += lo <= T_t <= hi
        plug += v - law.scale(rho, Sy) * qh * Sy <= T_t <= v - law.scale(rho, Sy) * ql * Sy
    se = math.sqrt(0.95 * 0.05 / reps)
    assert abs(hits / reps - 0.95) <= 3.5 * se, hits / reps
    assert plug < hits, (plug, hits)
