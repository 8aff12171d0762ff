"""Numeric ReLU kernels, Gram matrices and feature-space projections (THEORY.md §10.2-10.3).

Checked against Monte Carlo averages over Gaussian inputs (z-scores from the standard error), against
least squares on many samples, and by Hypothesis properties of projections.
"""
import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ftheory.relu.kernel import arccos_kernel, arccos_kernel0, gram, sample_kernel
from ftheory.relu.projection import Projection, project_onto_span, teacher_projection

Z_MAX = 4.5  # |z| bound for a single Monte Carlo comparison (false alarm ~ 7e-6)


def _unit(rng, m, d):
    W = rng.standard_normal((m, d))
    return W / np.linalg.norm(W, axis=1, keepdims=True)


# -- arccos_kernel / arccos_kernel0 -----------------------------------------------------------

def test_kernel_special_values_without_warnings():
    u = np.array([-1.0, 0.0, 1.0])
    np.testing.assert_allclose(arccos_kernel(u), [0.0, 1 / (2 * np.pi), 0.5], rtol=1e-15, atol=0)
    np.testing.assert_allclose(arccos_kernel0(u), [0.0, 0.25, 0.5], rtol=1e-15, atol=0)
    assert isinstance(arccos_kernel(0.3), float) and isinstance(arccos_kernel0(0.3), float)
    assert arccos_kernel(np.zeros((2, 3))).shape == (2, 3)


def test_kernel_clips_rounding_overshoot_and_rejects_real_errors():
    assert arccos_kernel(1 + 1e-9) == 0.5 and arccos_kernel(-1 - 1e-9) == 0.0
    for bad in (1.1, -2.0, np.nan, np.inf, "x"):
        with pytest.raises(ValueError, match="u"):
            arccos_kernel(bad)
    with pytest.raises(ValueError, match="u"):
        arccos_kernel0([0.0, 1.5])


@pytest.mark.parametrize("u", ["-1", "-0.9999999999", "-0.99999", "-0.999", "-0.99", "-0.995", "-0.9", "-0.5", "0",
                               "0.3", "0.99999999", "1"])
def test_kernel_relative_accuracy_against_mpmath(u):
    """Near u = -1 the kernel is O(s^3) (s = arccos(-u)); the series branch keeps relative accuracy."""
    with mpmath.workdps(50):
        x = mpmath.mpf(float(u))  # the float the NumPy code sees
        exact = (mpmath.sqrt(1 - x ** 2) + x * (mpmath.pi - mpmath.acos(x))) / (2 * mpmath.pi)
        exact0 = (mpmath.pi - mpmath.acos(x)) / (2 * mpmath.pi)
    got = arccos_kernel(float(u))
    assert got == pytest.approx(float(exact), rel=1e-12, abs=1e-300)
    assert arccos_kernel0(float(u)) == pytest.approx(float(exact0), rel=1e-13, abs=1e-300)


def test_series_branch_is_continuous_at_its_switch():
    s = np.array([0.1 - 1e-12, 0.1, 0.1 + 1e-12])
    u = -np.cos(s)
    vals = arccos_kernel(u)
    assert np.all(np.diff(vals) > 0) and (vals[2] - vals[0]) / vals[1] < 1e-9


@given(st.floats(-1, 1))
def test_kernel_bounds_and_derivative(u):
    """kappa >= max(u, 0)/2 ... kappa >= u/2, kappa <= 1/2, and kappa' = kappa_0 (Price)."""
    k = arccos_kernel(u)
    assert 0 <= k <= 0.5 and k >= u / 2 - 1e-15
    h = 1e-6
    lo, hi = max(u - h, -1.0), min(u + h, 1.0)
    if hi - lo > 1.5 * h:
        slope = (arccos_kernel(hi) - arccos_kernel(lo)) / (hi - lo)
        assert slope == pytest.approx(arccos_kernel0(0.5 * (lo + hi)), abs=2e-4)


@pytest.mark.parametrize("d,cos,nw,nv", [(3, 0.0, 1.0, 1.0), (10, 0.6, 1.0, 2.0), (50, -0.7, 0.5, 3.0),
                                         (100, 0.95, 1.3, 0.2), (5, -1.0, 1.0, 1.0)])
def test_kernel_matches_monte_carlo(d, cos, nw, nv):
    rng = np.random.default_rng(7)
    e1, e2 = np.linalg.qr(rng.standard_normal((d, 2)))[0].T
    w = nw * e1
    v = nv * (cos * e1 + np.sqrt(1 - cos ** 2) * e2)
    mc = sample_kernel(w, v, samples=200_000, seed=11)
    mc0 = sample_kernel(w, v, degree=0, samples=200_000, seed=12)
    if cos == -1.0:  # opposite neurons are never active together: exactly 0 on both sides
        assert mc.mean == mc0.mean == 0.0 and gram(w[None], v[None])[0, 0] == 0.0
        return
    assert abs(mc.zscore(gram(w[None], v[None])[0, 0])) < Z_MAX
    assert abs(mc0.zscore(arccos_kernel0(cos))) < Z_MAX


def test_sample_kernel_validates():
    with pytest.raises(ValueError, match="degree"):
        sample_kernel([1.0, 0], [0, 1.0], degree=2)
    with pytest.raises(ValueError, match="v"):
        sample_kernel([1.0, 0], [0, 1.0, 0])
    with pytest.raises(ValueError, match="samples"):
        sample_kernel([1.0, 0], [0, 1.0], samples=1)


# -- gram ----------------------------------------------------------------------------------------

def test_gram_structure():
    rng = np.random.default_rng(0)
    W = rng.standard_normal((30, 8)) * rng.uniform(0.1, 3, (30, 1))
    W[4] = 0.0
    G = gram(W)
    assert np.array_equal(G, G.T)
    np.testing.assert_allclose(np.diag(G), 0.5 * np.sum(W ** 2, axis=1), rtol=1e-15)
    assert np.all(G[4] == 0) and np.all(G[:, 4] == 0)
    evals = np.linalg.eigvalsh(G)
    assert evals.min() >= -1e-12 * evals.max()  # PSD
    V = rng.standard_normal((5, 8))
    GV = gram(W, V)
    assert GV.shape == (30, 5)
    norms = np.linalg.norm(W, axis=1)[:, None] * np.linalg.norm(V, axis=1)[None, :]
    cos = np.divide(W @ V.T, norms, out=np.zeros_like(norms), where=norms > 0)
    np.testing.assert_allclose(GV, norms * arccos_kernel(np.clip(cos, -1, 1)), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(gram(W, W), G, rtol=1e-12, atol=1e-15)


def test_gram_matches_monte_carlo_entrywise():
    rng = np.random.default_rng(3)
    W = rng.standard_normal((6, 12))
    X = rng.standard_normal((200_000, 12))
    F = np.maximum(X @ W.T, 0.0)
    prods = F[:, :, None] * F[:, None, :]
    mean, sem = prods.mean(0), prods.std(0, ddof=1) / np.sqrt(len(X))
    z = (mean - gram(W)) / sem
    assert np.max(np.abs(z)) < 5.0  # 21 distinct entries


def test_gram_validates():
    with pytest.raises(ValueError, match="W"):
        gram(np.ones(3))
    with pytest.raises(ValueError, match="W"):
        gram([[np.nan, 1.0]])
    with pytest.raises(ValueError, match="V"):
        gram(np.ones((2, 3)), np.ones((2, 4)))


# -- projection --------------------------------------------------------------------------------

def _teacher(seed, m=12, d=6):
    rng = np.random.default_rng(seed)
    return _unit(rng, m, d), rng.standard_normal(m)


def test_projection_pieces_add_up_and_match_formulas():
    W, c = _teacher(0)
    keep = np.arange(7)
    p = teacher_projection(W, c, keep)
    K = gram(W)
    norm_sq = c @ K @ c / len(c) ** 2
    v = (K @ c)[keep] / len(c)
    inside = v @ np.linalg.solve(K[np.ix_(keep, keep)], v)
    assert isinstance(p, Projection)
    assert p.norm_sq == pytest.approx(norm_sq, rel=1e-12)
    assert p.inside_sq == pytest.approx(inside, rel=1e-10)
    assert p.outside_sq == pytest.approx(norm_sq - inside, rel=1e-8)
    assert p.fraction == pytest.approx(p.outside_sq / p.norm_sq, rel=1e-12)
    q = project_onto_span(W, c, W[keep])
    assert q.outside_sq == pytest.approx(p.outside_sq, rel=1e-10)


@pytest.mark.parametrize("seed,keep_count,basis", [(1, 6, "teacher"), (2, 3, "teacher"), (3, 0, "student")])
def test_projection_matches_least_squares_on_samples(seed, keep_count, basis):
    """Fit f_t on the basis features by least squares with 200k Gaussian samples; the population
    residual of the fitted read-out (a) is >= outside_sq and within O(p/n) of it, and (b) equals
    the mean squared residual on 200k fresh samples (z-score)."""
    W, c = _teacher(seed)
    rng = np.random.default_rng(100 + seed)
    B = W[:keep_count] if basis == "teacher" else rng.standard_normal((9, W.shape[1]))
    proj = project_onto_span(W, c, B)
    n = 200_000
    X = rng.standard_normal((n, W.shape[1]))
    y = np.maximum(X @ W.T, 0) @ c / len(c)
    coef = np.linalg.lstsq(np.maximum(X @ B.T, 0), y, rcond=None)[0]
    # exact population residual of this read-out, from Gram matrices
    K_bb, K_bt = gram(B), gram(B, W)
    resid_pop = proj.norm_sq - 2 * coef @ (K_bt @ c) / len(c) + coef @ K_bb @ coef
    assert proj.outside_sq <= resid_pop * (1 + 1e-9) + 1e-15
    assert resid_pop - proj.outside_sq < 10 * len(B) / n * proj.norm_sq
    Xt = rng.standard_normal((n, W.shape[1]))
    r2 = (np.maximum(Xt @ W.T, 0) @ c / len(c) - np.maximum(Xt @ B.T, 0) @ coef) ** 2
    z = (r2.mean() - proj.outside_sq) / (r2.std(ddof=1) / np.sqrt(n))
    assert abs(z) < Z_MAX, (z, r2.mean(), proj.outside_sq)


def test_empty_basis_and_zero_target():
    W, c = _teacher(4)
    p = teacher_projection(W, c, [])
    assert p.inside_sq == 0 and p.fraction == 1.0 and p.outside_sq == p.norm_sq
    assert project_onto_span(W, c, np.zeros((0, W.shape[1]))).fraction == 1.0
    z = teacher_projection(W, np.zeros(len(c)), [0, 1])
    assert z.norm_sq == 0 and z.fraction == 0.0 and z.outside_sq == 0


def test_duplicate_and_rescaled_basis_neurons_do_not_change_the_span():
    W, c = _teacher(5)
    base = project_onto_span(W, c, W[:5])
    dup = project_onto_span(W, c, np.vstack([W[:5], W[:5], 2.5 * W[:2]]))  # singular K_bb
    assert dup.outside_sq == pytest.approx(base.outside_sq, rel=1e-7)
    assert teacher_projection(W, c, [0, 1, 2, 3, 4, 4, -len(c)]).outside_sq == pytest.approx(base.outside_sq,
                                                                                            rel=1e-10)


def test_keep_as_mask_or_indices():
    W, c = _teacher(6)
    mask = np.zeros(len(c), bool)
    mask[[1, 4, 7]] = True
    assert teacher_projection(W, c, mask) == teacher_projection(W, c, np.array([1, 4, 7]))


def test_paper_scale_teacher_is_fast_and_sane():
    """THEORY.md §10.6 defaults: d = 100, m* = 100; removing more neurons leaves more outside."""
    rng = np.random.default_rng(8)
    W, c = _unit(rng, 100, 100), rng.standard_normal(100)
    order = rng.permutation(100)
    fractions = [teacher_projection(W, c, order[: 100 - int(mu * 100)]).fraction for mu in (0.0, 0.1, 0.3, 0.6, 0.9)]
    assert fractions[0] < 1e-10
    assert all(a <= b + 1e-12 for a, b in zip(fractions, fractions[1:]))
    assert 0 < fractions[1] < fractions[-1] < 1


@pytest.mark.parametrize("kwargs,match", [
    (dict(W_t=np.ones(3), c_t=[1.0], keep=[0]), "W_t"),
    (dict(W_t=np.ones((3, 2)), c_t=[1.0, 2.0], keep=[0]), "c_t"),
    (dict(W_t=np.ones((3, 2)), c_t=[1.0, np.nan, 0.0], keep=[0]), "c_t"),
    (dict(W_t=np.ones((3, 2)), c_t=np.ones(3), keep=[3]), "keep"),
    (dict(W_t=np.ones((3, 2)), c_t=np.ones(3), keep=np.ones(2, bool)), "keep"),
    (dict(W_t=np.ones((3, 2)), c_t=np.ones(3), keep=[0.5]), "keep"),
    (dict(W_t=np.ones((3, 2)), c_t=np.ones(3), keep=[0], rcond=-1), "rcond"),
])
def test_teacher_projection_validates(kwargs, match):
    with pytest.raises(ValueError, match=match):
        teacher_projection(**kwargs)


def test_project_onto_span_validates():
    with pytest.raises(ValueError, match="W_basis"):
        project_onto_span(np.ones((3, 2)), np.ones(3), np.ones((2, 3)))
    with pytest.raises(ValueError, match="W_basis"):
        project_onto_span(np.ones((3, 2)), np.ones(3), [[np.inf, 0.0]])


@settings(max_examples=40)
@given(seed=st.integers(0, 10_000), m=st.integers(1, 15), d=st.integers(1, 8), data=st.data())
def test_projection_properties(seed, m, d, data):
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((m, d)) * rng.uniform(0.2, 2.0, (m, 1))
    c = rng.standard_normal(m)
    full = teacher_projection(W, c, np.arange(m))
    assert full.outside_sq <= 1e-9 * full.norm_sq + 1e-15 and full.fraction <= 1e-9
    small = data.draw(st.lists(st.integers(0, m - 1), unique=True, max_size=m))
    extra = data.draw(st.lists(st.integers(0, m - 1), unique=True, max_size=m))
    big = sorted(set(small) | set(extra))
    p_small, p_big = teacher_projection(W, c, small), teacher_projection(W, c, big)
    for p in (p_small, p_big):
        assert 0.0 <= p.fraction <= 1.0 and p.outside_sq >= 0 and p.inside_sq >= 0
        assert p.inside_sq + p.outside_sq == pytest.approx(p.norm_sq, rel=1e-12, abs=1e-300)
    # monotone in the kept set: a larger span leaves less outside
    assert p_big.outside_sq <= p_small.outside_sq + 1e-9 * full.norm_sq
    # the projection onto S is the projection onto the rows W[S], and the output scale is quadratic
    assert project_onto_span(W, c, W[small]).outside_sq == pytest.approx(p_small.outside_sq, rel=1e-8,
                                                                          abs=1e-12 * full.norm_sq)
    assert teacher_projection(W, 3 * c, small).outside_sq == pytest.approx(9 * p_small.outside_sq, rel=1e-8,
                                                                            abs=1e-12 * full.norm_sq)
