"""Hand-derived float64 forms of registered results whose SymPy expression cancels (SymPy-free).

:mod:`ftheory.codegen` routes the NumPy evaluator of the results listed in
:data:`ftheory.codegen.STABLE` to the functions here; the mpmath evaluator keeps the SymPy
expression (except where :data:`ftheory.codegen.MP_STABLE` routes it to :mod:`ftheory.stable_mp`). More forms,
for magnitudes whose squares underflow, are in :mod:`ftheory.stable_range`. ``tests/test_codegen.py`` checks each function against that expression evaluated
by mpmath at high precision (and ``derivations/stable_forms.py`` proves the identities used).

``wasserstein2_task``
    W2 between the Gaussian task laws. With the lower-triangular Cholesky factors
    ``L = [[I_2, 0], [b^T, s]]`` of the reduced covariances and ``M = L_s^T L_t``,

        W2^2 = |L_s|_F^2 + |L_t|_F^2 - 2 |M|_*  =  |L_s - L_t|_F^2 - 2 x,   x = |M|_* - tr M >= 0,

    where ``|L_s - L_t|_F^2 = Delta^2 + (sigma - sigma_s)^2`` is a sum of squares. The singular
    values of ``M`` have sum ``F``, pairwise-product sum ``G`` and product ``h = det M =
    sigma sigma_s``; ``F^2 = |M|_F^2 + 2 G`` and ``G^2 = |adj M|_F^2 + 2 h F``. Subtracting the
    same identities for the eigenvalues of ``M`` (``t = tr M``, ``e2`` = sum of its principal 2 x 2
    minors) leaves only the antisymmetric parts, which are small when the laws are close:

        x (2 t + x) = c^2 + v + 2 y,      y (2 e2 + y) = v + 2 h x,

    with ``y = G - e2``, ``c = norm_s norm_t sin(theta)``, ``v = |sigma b_s - sigma_s b_t|^2``,
    ``t = 2 + p + h``, ``e2 = 1 + p + 2 h``, ``p = norm_s norm_t cos(theta)``. The map
    ``(x, y) -> (sqrt(t^2 + c^2 + v + 2 y) - t, sqrt(e2^2 + v + 2 h x) - e2)`` is monotone and
    contracts by ``h/(F G) <= 1/9`` (AM-GM), so iterating from 0 converges to the solution; each
    square-root difference is evaluated without cancellation.

``relu_arccos_kernel``
    ``|w||v| (sin psi - psi cos psi)/(2 pi)`` with ``psi = acos(-u) = pi - acos(u)`` (the usual
    ``sqrt(1 - u^2) + u (pi - acos u)``), and its Taylor series ``sum_k (-1)^(k+1) 2k psi^(2k+1)/(2k+1)!``
    below ``psi = 1``, where the two terms cancel (near ``u = -1``).

``dudley_lower_bound_cosine``
    ``|exp(-a) - exp(-b)|/2`` with ``a = (norm_s^2 + sigma_s^2)/2``, ``b = (norm_t^2 + sigma^2)/2`` is
    ``exp(-min(a, b)) (-expm1(-|a - b|))/2``, with ``a - b = ((norm_s - norm_t)(norm_s + norm_t) + (sigma_s -
    sigma)(sigma_s + sigma))/2`` (no difference of two exponentials close to 1).

``scratch_optimal_ridge``
    ``sigma^2/(gamma norm_t^2) = q (q/gamma)``, ``q = sigma/norm_t``: no intermediate ``sigma^2`` that
    underflows (or overflows) while the value does not.

``finite_source_effective_angle``
    ``acos(a cos theta)`` with ``a^2 = gamma_s/(1 + e)``, ``e = sigma_s^2/(1 - gamma_s)`` below
    ``gamma_s = 1`` and ``a^2 = 1/(1 + e)``, ``e = sigma_s^2/(gamma_s - 1)`` above it, is
    ``atan2(sqrt(sin^2 theta + (1 - a^2) cos^2 theta), a cos theta)`` with ``1 - a^2 = (1 - gamma_s + e)/(1 + e)``
    (below) or ``e/(1 + e)`` (above), sums of non-negative terms (acos of a number close to 1 loses digits).

``lt_effective_ridge``, ``linear_transfer_risk``, ``linear_transfer_transferability``
    ``lam_eff = lam norm_s^(2/L - 2)``, through ``exp(log lam + (2/L - 2) log norm_s)`` where the power
    leaves the float64 range (relative error <= 1e-13 there: ``|log| <= 710``); the shrinkage
    ``q = lam_eff/(1 + lam_eff) = 1/(1 + 1/lam_eff)`` (no inf/inf) and ``1 - q^2 = (1 + q)/(1 + lam_eff)``.
    ``R_lt = norm_t^2 (sin^2 theta + q^2 cos^2 theta)``; below gamma = 1
    ``T = R_sc - R_lt = norm_t^2 ((1 - q^2) cos^2 theta - gamma) + gamma sigma^2/(1 - gamma)`` (the
    ``norm_t^2 (1 - sin^2 theta - q^2 cos^2 theta)`` that cancels for a large ridge is gone); above
    ``T = sigma^2/(gamma - 1) - R_lt``; at gamma = 1 ``-R_lt`` without noise, else ``+inf``.

``linear_transfer_transferability_finite_source``
    With ``g = gamma_s``, ``s = sigma_s``: ``R_lt = ((1 - g)^2 + g (1 - g) sin^2 theta + s^2)/(1 - g + s^2)`` below
    ``g = 1`` and ``(s^2 + (g - 1) sin^2 theta)/(g - 1 + s^2)`` above (sums of non-negative terms), and
    ``1 - R_lt = g (1 - g) cos^2 theta/(1 - g + s^2)`` resp. ``(g - 1) cos^2 theta/(g - 1 + s^2)`` (``cos^2``,
    resp. 0, at ``g = 1`` without, resp. with, noise). Then ``T = (1 - R_lt) - gamma + gamma sigma^2/(1 - gamma)``
    below ``gamma = 1`` (the ``1 - R_lt`` that cancelled, 3.5e-7 relative at ``g = 0.99999``, is gone),
    ``sigma^2/(gamma - 1) - R_lt`` above, ``-R_lt`` at ``gamma = 1`` without noise, else ``+inf``.

``aniso2_lt_transferability``
    Two-level spectrum ``lambda = (a, b)``, fractions ``rho_j``, root ``k`` of the kappa quadratic,
    ``v_j = k/(lambda_j + k)``, ``w_j = 1/(lambda_j + k)``, ``H = sum rho_j lambda_j v_j^2``. The quadratic is
    ``gamma = sum rho_i lambda_i/(lambda_i + k)``, i.e. ``gamma k = G = sum rho_i lambda_i v_i``. Splitting the
    target energies into the parts along the source, ``C_j``, and orthogonal to it, ``P_j``,
    ``bias - R_lt = (G sum lambda_j C_j v_j^2 + sum lambda_j P_j (G v_j^2 - H))/H`` and
    ``G v_j^2 - H = w_j sum_i rho_i lambda_i v_i ((lambda_i - lambda_j) v_i - lambda_j v_j)``: the O(1) terms
    ``G v_j^2`` and ``H`` that cancel for small gamma (5% error at gamma = 1e-15) are never formed.
    At gamma = 0 the value is ``sum lambda_j C_j``. For ``k < 1`` the same form is written in
    ``x_j = lambda_j/(lambda_j + k)``, ``u_j = k/(lambda_j + k)`` (``H = k H_x``, ``G = k G_x``, the ``s_j = k S_j``
    terms), with ``lambda_j/k`` formed from the quadratic without ``k``: a tiny eigenvalue ratio no longer underflows
    ``v_j^2`` (0 instead of 1.2e-279 at ``eig_ratio = 1e-140``, NaN at 1e-177).
    The quadratic's ``B = gamma (a + b) - 1 = M B'`` comes from :func:`two_level_b_prime` (``gamma + rho - 1`` by an
    error-free sum): rounded to 0 on a block's threshold it was wrong by a factor 1e137 (``gamma = 0.7 = 1 - frac_a``,
    ``eig_ratio = 2.2e-308``).

``lt_boundary_over``, ``kl_divergence_task``
    ``1 + (sigma/sin theta)^2`` and ``((norm_s - norm_t)/sigma)^2/2 + 2 (norm_s h/sigma)(norm_t h/sigma)``, ``h = sin(theta/2)``:
    ratios before squares, so tiny ``sigma`` and ``sin theta`` (or teacher norms) give no 0/0.

``aniso2_linear_transfer_risk_finite``, ``linear_transfer_risk_rank_k``
    The branch "no noise and no residual" is tested on the inputs (``sigma = 0`` and ``theta = 0``, resp.
    ``residual = 0``; ``a e_perp + b (1 - e_perp) > 0``), not on ``sigma^2 + rho = 0``, which underflows to a
    false zero (0 instead of +inf at ``theta = 1e-163``, ``n <= 2``); ``1 - n/k = (k - n)/k``.
"""
from __future__ import annotations

import numpy as np

__all__ = ["wasserstein2_task", "relu_arccos_kernel", "dudley_lower_bound_cosine", "scratch_optimal_ridge",
           "finite_source_effective_angle", "lt_effective_ridge", "linear_transfer_risk",
           "linear_transfer_transferability", "linear_transfer_transferability_finite_source",
           "aniso2_lt_transferability", "lt_boundary_over", "kl_divergence_task",
           "aniso2_linear_transfer_risk_finite", "linear_transfer_risk_rank_k", "rescaled", "no_overflow"]

_SPLIT = 134217729.0  # 2**27 + 1 (Veltkamp)


def _two_product(a, b):
    """``a * b = p + e`` exactly (Dekker), for |a|, |b| well inside the float64 range."""
    p = a * b
    ca, cb = _SPLIT * a, _SPLIT * b
    ah, bh = ca - (ca - a), cb - (cb - b)
    al, bl = a - ah, b - bh
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    return p, e


def _product_difference(a, b, c, d):
    """``a b - c d`` to a few ulps of the result (no cancellation)."""
    p1, e1 = _two_product(a, b)
    p2, e2 = _two_product(c, d)
    return (p1 - p2) + (e1 - e2)


def _root_gap(a, z):
    """``sqrt(a^2 + z) - a`` for ``z >= 0`` without cancellation."""
    r = np.sqrt(a * a + z)
    with np.errstate(invalid="ignore", divide="ignore"):
        small = np.where(r + a > 0, z / (r + a), 0.0)
    return np.where(a >= 0, small, r - a)


def wasserstein2_task(theta, sigma, sigma_s, norm_s, norm_t):
    """``W2(p_s, p_t)`` in float64 (see the module docstring), broadcast over the inputs."""
    theta, sigma, sigma_s, norm_s, norm_t = np.broadcast_arrays(
        *(np.asarray(a, dtype=float) for a in (theta, sigma, sigma_s, norm_s, norm_t)))
    half = np.sin(theta / 2) ** 2
    rr = norm_s * norm_t
    gap_sq = (norm_s - norm_t) ** 2 + 4 * rr * half                  # |b_s - b_t|^2
    dist_sq = gap_sq + (sigma - sigma_s) ** 2                          # |L_s - L_t|_F^2
    h = sigma * sigma_s
    v = _product_difference(sigma, norm_s, sigma_s, norm_t) ** 2 + 4 * h * rr * half
    c2 = (rr * np.sin(theta)) ** 2
    p = rr * np.cos(theta)
    t, e2 = 2 + p + h, 1 + p + 2 * h
    x = np.zeros(t.shape)
    y = np.zeros(t.shape)
    for _ in range(40):  # contraction <= 1/9: 40 steps reach the fixed point to rounding
        x_new = _root_gap(t, c2 + v + 2 * y)
        y = _root_gap(e2, v + 2 * h * x_new)
        if np.array_equal(x_new, x):
            break
        x = x_new
    w2_sq = np.maximum(dist_sq - 2 * x, 0.0)
    tiny = np.hypot(np.hypot(norm_s - norm_t, 2 * np.sqrt(rr) * np.sin(theta / 2)), sigma - sigma_s) < 2.0 ** -300
    scale = np.ones(t.shape)
    if np.any(tiny):  # squares of order dist_sq underflow: the same iteration in units of s^2, s ~ sqrt(dist_sq)
        dist_sq, w2_sq = np.array(dist_sq, dtype=float), np.array(w2_sq, dtype=float)
        dist_sq[tiny], w2_sq[tiny], scale[tiny] = _w2_scaled(
            *(a[tiny] for a in (theta, sigma, sigma_s, norm_s, norm_t)))
    # dist_sq - 2 x cancels when W2^2 is far below |L_s - L_t|_F^2 (large teacher norms: a rotation of x
    # almost undoes a rotation of the teacher); the relative error is then ~ eps dist_sq/W2^2, so float64
    # is refused where that ratio exceeds _MAX_CANCELLATION (error above ~1e-12)
    lossy = dist_sq > _MAX_CANCELLATION * w2_sq
    if np.any(lossy):
        i = np.flatnonzero(lossy.ravel())[0]
        at = ", ".join(f"{k}={a.ravel()[i]!r}" for k, a in zip(("theta", "sigma", "sigma_s", "norm_s", "norm_t"),
                                                             (theta, sigma, sigma_s, norm_s, norm_t)))
        raise ValueError(f"wasserstein2_task at {at}: float64 cannot evaluate there (W2^2 is below "
                         f"1/{_MAX_CANCELLATION:g} of |beta_s - beta_t|^2 + (sigma - sigma_s)^2, so rounding "
                         "would cost more than 4 digits); use .mp(...)")
    out = scale * np.sqrt(w2_sq)
    return out[()] if out.ndim == 0 else out


_MAX_CANCELLATION = 1000.0


def _w2_scaled(theta, sigma, sigma_s, norm_s, norm_t):
    """``(dist_sq, W2^2)/s^2`` and ``s`` (a power of 2 near ``sqrt(dist_sq)``) where ``dist_sq < 2**-600``.

    Every square in the iteration is formed in units of ``s`` (``x' = x/s^2``: ``x' = z'/(sqrt(t^2 + s^2 z') + t)``),
    so W2 = 1e-160 between laws that differ by 1e-160 keeps its digits (``dist_sq`` is subnormal there).
    """
    g, sh = np.sqrt(norm_s) * np.sqrt(norm_t), np.sin(theta / 2)
    root_dist = np.hypot(np.hypot(norm_s - norm_t, 2 * g * sh), sigma - sigma_s)
    _, e = np.frexp(np.where(root_dist > 0, root_dist, 1.0))
    s = np.ldexp(1.0, e)
    us, ut = norm_s / s, norm_t / s
    turn_sq = (2 * g / s * sh) ** 2                                        # 4 norm_s norm_t sin^2(theta/2) / s^2
    dist_sq = (us - ut) ** 2 + turn_sq + ((sigma - sigma_s) / s) ** 2
    h = sigma * sigma_s
    with np.errstate(over="ignore", invalid="ignore"):
        pd = _product_difference(sigma, us, sigma_s, ut)                  # (sigma norm_s - sigma_s norm_t)/s
    pd = np.where(np.isfinite(pd), pd, sigma * (us - ut) + (sigma - sigma_s) * ut)
    v = pd * pd + h * turn_sq
    c2 = (us * np.sin(theta) * norm_t) ** 2
    p = norm_s * norm_t * np.cos(theta)
    t, e2, s2 = 2 + p + h, 1 + p + 2 * h, s * s
    x = np.zeros(t.shape)
    y = np.zeros(t.shape)
    for _ in range(40):
        z = c2 + v + 2 * y
        x_new = z / (np.sqrt(t * t + s2 * z) + t)
        w = v + 2 * h * x_new
        y = w / (np.sqrt(e2 * e2 + s2 * w) + e2)
        if np.array_equal(x_new, x):
            break
        x = x_new
    return dist_sq, np.where(root_dist > 0, np.maximum(dist_sq - 2 * x, 0.0), 0.0), s


_PSI_SERIES = tuple((-1) ** (k + 1) * 2 * k / float(np.prod(np.arange(1, 2 * k + 2, dtype=float)))
                    for k in range(1, 11))


def relu_arccos_kernel(u, norm_w, norm_v):
    """First-order arc-cosine kernel ``|w||v| (sqrt(1 - u^2) + u (pi - acos u))/(2 pi)`` without cancellation."""
    u, norm_w, norm_v = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (u, norm_w, norm_v)))
    psi = np.arccos(-u)
    direct = np.sin(psi) - psi * np.cos(psi)
    z = psi * psi
    series = np.zeros(psi.shape)
    for coef in reversed(_PSI_SERIES):
        series = series * z + coef
    series = series * z * psi
    core = np.where(psi < 1.0, series, direct)
    out = norm_w * norm_v * core / (2 * np.pi)
    return out[()] if out.ndim == 0 else out


def scalar_or_array(x):
    """A 0-d array as its scalar, any other array unchanged (the forms' return convention)."""
    return x[()] if x.ndim == 0 else x


def dudley_lower_bound_cosine(sigma, sigma_s, norm_s, norm_t):
    """``|exp(-(norm_s^2 + sigma_s^2)/2) - exp(-(norm_t^2 + sigma^2)/2)|/2`` without cancellation."""
    sigma, sigma_s, norm_s, norm_t = np.broadcast_arrays(
        *(np.asarray(a, dtype=float) for a in (sigma, sigma_s, norm_s, norm_t)))
    a = (norm_s * norm_s + sigma_s * sigma_s) / 2
    b = (norm_t * norm_t + sigma * sigma) / 2
    gap = ((norm_s - norm_t) * (norm_s + norm_t) + (sigma_s - sigma) * (sigma_s + sigma)) / 2
    return scalar_or_array(np.exp(-np.minimum(a, b)) * -np.expm1(-np.abs(gap)) / 2)


def scratch_optimal_ridge(gamma, sigma, norm_t):
    """``sigma^2/(gamma norm_t^2)`` (0 at sigma = 0, inf at gamma = 0) without intermediate under/overflow."""
    gamma, sigma, norm_t = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (gamma, sigma, norm_t)))
    q = sigma / norm_t
    with np.errstate(divide="ignore", invalid="ignore"):
        value = q * (q / gamma)
    return scalar_or_array(np.where(sigma == 0, 0.0, np.where(gamma == 0, np.inf, value)))


def finite_source_effective_angle(theta, gamma_s, sigma_s):
    """``acos(a cos theta)`` of the module docstring as an ``atan2`` of accurate sides."""
    theta, gamma_s, sigma_s = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (theta, gamma_s, sigma_s)))
    below = gamma_s < 1
    with np.errstate(divide="ignore", invalid="ignore"):
        e = sigma_s * sigma_s / np.abs(1 - gamma_s)
        a_sq = np.where(below, gamma_s, 1.0) / (1 + e)
        rest = np.where(below, (1 - gamma_s) + e, e) / (1 + e)  # 1 - a^2
    at_one = gamma_s == 1  # theta itself without noise, pi/2 with
    a_sq = np.where(at_one, np.where(sigma_s == 0, 1.0, 0.0), a_sq)
    rest = np.where(at_one, np.where(sigma_s == 0, 0.0, 1.0), rest)
    c, s = np.cos(theta), np.sin(theta)
    return scalar_or_array(np.arctan2(np.sqrt(s * s + rest * c * c), np.sqrt(a_sq) * c))


def lt_effective_ridge(lam, norm_s, depth):
    """``lam_eff = lam norm_s^(2/L - 2)`` at any magnitude (``inf`` only where the value exceeds float64)."""
    lam, norm_s, depth = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (lam, norm_s, depth)))
    power = 2 / depth - 2
    with np.errstate(over="ignore", under="ignore", divide="ignore"):
        direct = lam * norm_s ** power
        logged = np.exp(np.log(lam) + power * np.log(norm_s))
    tiny = 2.2250738585072014e-308
    ok = np.isfinite(direct) & ((np.abs(direct) >= tiny) | (lam == 0)) & (norm_s ** power < np.inf)
    return scalar_or_array(np.where(lam == 0, 0.0, np.where(ok, direct, logged)))


def _shrinkage(lam, norm_s, depth):
    """``(q, 1 - q^2)`` with ``q = lam_eff/(1 + lam_eff)``, both accurate at any ``lam_eff`` in [0, inf]."""
    le = np.asarray(lt_effective_ridge(lam, norm_s, depth), dtype=float)
    with np.errstate(divide="ignore", over="ignore"):  # 1/0 and 1/subnormal: inf, so q = 0 (correctly rounded)
        q = 1 / (1 + 1 / le)
    return q, (1 + q) / (1 + le)


def linear_transfer_risk(theta, lam, norm_t, norm_s, depth):
    """``norm_t^2 (sin^2 theta + q^2 cos^2 theta)``: the linear-transfer risk with a ridge on the read-out."""
    theta, lam, norm_t, norm_s, depth = np.broadcast_arrays(
        *(np.asarray(a, dtype=float) for a in (theta, lam, norm_t, norm_s, depth)))
    q, _ = _shrinkage(lam, norm_s, depth)
    s, c = np.sin(theta), np.cos(theta)
    return scalar_or_array(norm_t * norm_t * (s * s + q * q * c * c))


def linear_transfer_transferability(gamma, theta, sigma, lam, norm_t, norm_s, depth):
    """``R_sc - R_lt`` in the form of the module docstring (no cancellation for a large ridge)."""
    gamma, theta, sigma, lam, norm_t, norm_s, depth = np.broadcast_arrays(
        *(np.asarray(a, dtype=float) for a in (gamma, theta, sigma, lam, norm_t, norm_s, depth)))
    q, gap = _shrinkage(lam, norm_s, depth)
    s, c = np.sin(theta), np.cos(theta)
    rt2 = norm_t * norm_t
    risk = rt2 * (s * s + q * q * c * c)
    with np.errstate(divide="ignore", invalid="ignore"):
        below = rt2 * (gap * c * c - gamma) + gamma * (sigma * sigma) / (1 - gamma)
        above = (sigma * sigma) / (gamma - 1) - risk
    out = np.where(gamma < 1, below, np.where(gamma > 1, above, np.where(sigma == 0, -risk, np.inf)))
    return scalar_or_array(out)


def linear_transfer_transferability_finite_source(gamma, theta, sigma, gamma_s, sigma_s):
    """``R_sc - R_lt`` with a finite-sample source teacher, in the form of the module docstring."""
    gamma, theta, sigma, g, s = np.broadcast_arrays(
        *(np.asarray(a, dtype=float) for a in (gamma, theta, sigma, gamma_s, sigma_s)))
    sin2, cos2 = np.sin(theta) ** 2, np.cos(theta) ** 2
    s2 = s * s
    with np.errstate(divide="ignore", invalid="ignore"):
        lo = 1 - g  # exact for g in [1/2, 1] (Sterbenz)
        hi = g - 1
        risk = np.where(g < 1, (lo * lo + g * lo * sin2 + s2) / (lo + s2),
                        np.where(g > 1, (s2 + hi * sin2) / (hi + s2), np.where(s == 0, sin2, 1.0)))
        kept = np.where(g < 1, g * lo * cos2 / (lo + s2),
                        np.where(g > 1, hi * cos2 / (hi + s2), np.where(s == 0, cos2, 0.0)))  # 1 - risk
        below = kept - gamma + gamma * (sigma * sigma) / (1 - gamma)
        above = (sigma * sigma) / (gamma - 1) - risk
    return scalar_or_array(np.where(gamma < 1, below, np.where(gamma > 1, above, np.where(sigma == 0, -risk, np.inf))))


def two_level_b_prime(gamma, rho, t, a_small):
    """``B' = (gamma - rho_2) + t (gamma - rho_1)`` with ``gamma + rho - 1`` by an error-free sum: one rounding where
    ``gamma + rho`` is in ``[1/2, 2]`` (``s - 1`` exact), so ``B'`` near 0 on a block's threshold keeps its digits."""
    s = gamma + rho
    z = s - gamma
    plus = (s - 1) + ((gamma - (s - z)) + (rho - z))
    minus = gamma - rho
    g2, g1 = np.where(a_small, plus, minus), np.where(a_small, minus, plus)  # gamma - rho_2, gamma - rho_1
    return g2 + t * g1


def aniso2_lt_transferability(gamma, theta, sigma, frac_a, eig_ratio, energy_s, energy_perp, norm_t):
    """``R_sc - R_lt`` on a two-level spectrum in the form of the module docstring."""
    gamma, theta, sigma, rho, r, e_s, e_p, norm_t = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (
        gamma, theta, sigma, frac_a, eig_ratio, energy_s, energy_perp, norm_t)))
    den = rho * r + (1 - rho)
    a, b = r / den, 1 / den
    rt2 = norm_t * norm_t
    c2, s2 = rt2 * np.cos(theta) ** 2, rt2 * np.sin(theta) ** 2
    ca, cb, pa, pb = c2 * e_s, c2 * (1 - e_s), s2 * e_p, s2 * (1 - e_p)
    lt = a * pa + b * pb
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        B = two_level_b_prime(gamma, rho, np.minimum(r, 1 / r), r <= 1) * np.maximum(a, b)  # gamma (a + b) - 1 = M B'
        root_d = np.hypot(B, 2 * np.sqrt(gamma * (1 - gamma)) * np.sqrt(a) * np.sqrt(b))  # sqrt(B^2 + 4 gamma C)
        up = B >= 0
        k = np.where(up, 2 * a * b * (1 - gamma) / (B + root_d), (root_d - B) / (2 * gamma))
        # k >= 1: v_j = k/(lambda_j + k) are the O(1) quantities
        va, vb = 1 / (1 + a / k), 1 / (1 + b / k)
        wa, wb = 1 / (a + k), 1 / (b + k)
        H = rho * a * va * va + (1 - rho) * b * vb * vb
        G = rho * a * va + (1 - rho) * b * vb
        sa = wa * (-rho * a * a * va * va + (1 - rho) * b * vb * ((b - a) * vb - a * va))
        sb = wb * (-(1 - rho) * b * b * vb * vb + rho * a * va * ((a - b) * va - b * vb))
        big_k = (G * (a * ca * va * va + b * cb * vb * vb) + a * pa * sa + b * pb * sb) / H \
            + sigma * sigma * (rho * a * va * (a * wa) + (1 - rho) * b * vb * (b * wb)) / H
        # k < 1: x_j = lambda_j/(lambda_j + k) with alpha = a/k, beta = b/k formed without k (no subnormal k)
        alpha = np.where(up, (B + root_d) / (2 * b * (1 - gamma)), 2 * gamma * a / (root_d - B))
        beta = np.where(up, (B + root_d) / (2 * a * (1 - gamma)), 2 * gamma * b / (root_d - B))
        xa, xb = 1 / (1 + 1 / alpha), 1 / (1 + 1 / beta)
        ua, ub = 1 / (1 + alpha), 1 / (1 + beta)
        m_ab = (b - a) / np.maximum(a, b) * np.where(a >= b, xa * ub, xb * ua)  # (b - a) k/((a + k)(b + k))
        Sa = -rho * xa * xa * ua + (1 - rho) * xb * (m_ab - xa * ua)
        Sb = -(1 - rho) * xb * xb * ub + rho * xa * (-m_ab - xb * ub)
        Hx = rho * xa * ua + (1 - rho) * xb * ub
        Gx = rho * xa + (1 - rho) * xb
        small_k = (k * Gx * (ca * xa * ua + cb * xb * ub) + a * pa * Sa + b * pb * Sb) / Hx \
            + sigma * sigma * (rho * xa * xa + (1 - rho) * xb * xb) / Hx
        mid = np.where(k >= 1, big_k, small_k)
        above = sigma * sigma / (gamma - 1) - lt
    out = np.where(gamma == 0, a * ca + b * cb, np.where(gamma < 1, mid, np.where(
        gamma > 1, above, np.where(sigma == 0, -lt, np.inf))))
    return scalar_or_array(out)


def lt_boundary_over(theta, sigma):
    """``1 + sigma^2/sin^2 theta`` (``inf`` at sin theta = 0, 1 without noise)."""
    theta, sigma = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (theta, sigma)))
    sin = np.sin(theta)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        value = 1 + (sigma / sin) ** 2
    return scalar_or_array(np.where(sin == 0, np.inf, np.where(sigma == 0, 1.0, value)))


def kl_divergence_task(theta, sigma, norm_s, norm_t):
    """``(4 r_s r_t sin^2(theta/2) + (r_s - r_t)^2)/(2 sigma^2)``; 0 for identical laws without noise, else inf."""
    theta, sigma, norm_s, norm_t = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (theta, sigma, norm_s, norm_t)))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        half = np.sin(theta / 2)
        turn = np.where(half == 0, 0.0, 2 * (norm_s / sigma * half) * (norm_t / sigma * half))  # no inf * 0
        value = ((norm_s - norm_t) / sigma) ** 2 / 2 + turn
    same = (norm_s == norm_t) & (theta == 0)
    return scalar_or_array(np.where(sigma > 0, value, np.where(same, 0.0, np.inf)))


def aniso2_linear_transfer_risk_finite(n, theta, sigma, frac_a, eig_ratio, energy_perp, norm_t):
    """``rho + (sigma^2 + rho)/(n - 2)`` for ``n > 2``; ``0`` without noise and residual; else ``inf``."""
    n, theta, sigma, rho_a, r, e_p, norm_t = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (
        n, theta, sigma, frac_a, eig_ratio, energy_perp, norm_t)))
    den = rho_a * r + (1 - rho_a)
    rho = norm_t * norm_t * np.sin(theta) ** 2 * (r / den * e_p + 1 / den * (1 - e_p))
    with np.errstate(divide="ignore", invalid="ignore"):
        value = rho + (sigma * sigma + rho) / (n - 2)
    return scalar_or_array(np.where(n > 2, value, np.where((sigma == 0) & (theta == 0), rho, np.inf)))


def linear_transfer_risk_rank_k(n, k, residual, sigma):
    """Finite-n risk of transfer through k pretrained features (the registered Piecewise, exact conditions)."""
    n, k, rho, sigma = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (n, k, residual, sigma)))
    noise = rho + sigma * sigma
    with np.errstate(divide="ignore", invalid="ignore"):
        under = n * noise / (k - n - 1) + rho + (1 - rho) * ((k - n) / k)
        over = k * noise / (n - k - 1) + rho
        clean = rho + (1 - rho) * ((k - np.minimum(k, n)) / k)
    out = np.where(n <= k - 2, under, np.where(n >= k + 2, over,
                                               np.where((rho == 0) & (sigma == 0), clean, np.inf)))
    return scalar_or_array(out)


#: magnitudes outside [2**-_SAFE_EXP, 2**_SAFE_EXP] are rescaled by :func:`rescaled` (inside it nothing changes)
_SAFE_EXP = 64


def rescaled(fn, args, group, degree):
    """``fn(*args)`` for a result homogeneous of ``degree`` in the arguments at indices ``group``, exact at any magnitude.

    ``f(c x_G, x_rest) = c^degree f(x_G, x_rest)`` (proved for each result in ``derivations/stable_forms.py``).
    Where the largest ``|x_i|``, ``i in G``, lies outside ``[2**-64, 2**64]`` the group is divided by an even
    power of two ``c = 4**m`` near it (exact: no rounding, square roots stay exact), ``fn`` is evaluated there
    and the value multiplied by ``c**degree`` (``ldexp``: exact, or the correctly rounded over/underflow).
    Elsewhere ``fn`` runs on the inputs unchanged, so ordinary values are bit-for-bit those of ``fn``.
    """
    arrays = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in args))
    big = np.max(np.abs(np.stack([arrays[i] for i in group])), axis=0)
    need = (big > 2.0 ** _SAFE_EXP) | ((big < 2.0 ** -_SAFE_EXP) & (big > 0))
    if not np.any(need):
        return fn(*args)
    shape = arrays[0].shape
    out = np.empty(shape)
    keep = ~need
    if np.any(keep):
        out[keep] = fn(*(a[keep] for a in arrays))
    _, e = np.frexp(big[need])
    shift = 2 * (e // 2)  # even: c = 2**shift = 4**(shift/2)
    moved = [np.ldexp(a[need], -shift) if i in group else a[need] for i, a in enumerate(arrays)]
    value = np.asarray(fn(*moved), dtype=float)
    power = (shift * degree).astype(np.int64) if degree else None
    with np.errstate(over="ignore", under="ignore"):  # the true value lies beyond the float64 range: inf or 0
        out[need] = value if power is None else np.ldexp(value, power)
    return out[()] if out.ndim == 0 else out


def no_overflow(fn):
    """``fn`` (a scalar quadrature branch, called with Python floats) with ``OverflowError`` turned into the
    ``ValueError`` of an evaluation float64 cannot do (a power such as ``norm_s**(4/L - 4)`` beyond its range)."""
    def call(*args):
        try:
            return fn(*args)
        except OverflowError:
            raise ValueError("float64 cannot evaluate there: an intermediate power of the exact finite-n risk "
                             "overflows (e.g. norm_s**(4/L - 4) for a tiny norm_s); use .mp(...)") from None
    return call
