"""Linear transfer: refitting the read-out on the pretrained feature, and its phase diagram
(docs/background.md §4, §5; norms and depth §8).

The pretrained network is the balanced rank-one state of §2.4: its only feature is the source
teacher direction ``u_s``. Refitting the read-out on the target data is then a one-parameter
(ridge) regression on ``z = X u_s`` (§4.1):

    beta_lt = b u_s,   b = z^T y / (||z||^2 + n lam_eff),   lam_eff = lam / ||beta_s||^(2(L-1)/L),
    R_lt = (b - ||beta_t|| cos theta)^2 + ||beta_t||^2 sin^2 theta.

Writing ``y = ||beta_t|| cos(theta) z + eta`` with ``eta ~ N(0, s_eta^2 I_n)`` independent of
``z`` (T5), ``s_eta^2 = sigma^2 + ||beta_t||^2 sin^2 theta``, everything reduces to the law of
``q = ||z||^2 ~ chi^2_n``:

* :func:`linear_transfer_risk` - the proportional limit, by the law of large numbers
  (``||z||^2/n -> 1``, ``z^T y/n -> ||beta_t|| cos theta``): §4.3-§4.4, paper eqs. (10), (13).
* :func:`linear_transfer_risk_finite` - the exact mean at finite n: (T4) at ``lam = 0`` (§4.2),
  a one-dimensional chi-square integral for ``lam > 0`` (§4.4).
* :func:`linear_transfer_transferability` and ``..._finite`` - scratch minus transfer (§5.1, §5.5).
* the phase boundaries of §5.2-§5.4 (``lt_boundary_lower``, ``lt_boundary_upper``,
  ``lt_boundary_over``, ``lt_theta_min``, ``lt_boundary_noiseless``), obtained by solving
  ``T = 0`` branch by branch, are in :mod:`ftheory.theory.linear_transfer_boundaries`; the rank-k
  read-out of §4.5 is in :mod:`ftheory.theory.linear_transfer_rank_k`.

The boundaries are stated for a unit target teacher. Because
``T(gamma, theta, sigma; ||beta_t||) = ||beta_t||^2 T(gamma, theta, sigma/||beta_t||; 1)`` (§5.1),
they hold for any teacher norm after replacing ``sigma`` by ``sigma / ||beta_t||``.
"""
from __future__ import annotations

import functools

import sympy as sp

from ftheory import rmt
from ftheory.result import expr_of, register
from ftheory.theory._symbols import depth, lam, n, norm_s, norm_t, sigma, theta


#: Integration variables of the exact ridge risk. Positive while deriving; the registered
#: expression uses plain symbols (what SymPy's LaTeX parser reads back, so the round trip is exact).
_v = sp.Symbol("v", positive=True)
_x = sp.Symbol("x", positive=True)
_PLAIN = {_v: sp.Symbol("v"), _x: sp.Symbol("x")}


# ----------------------------------------------------------------------------------------------
# §4.1: the scalar reduction
# ----------------------------------------------------------------------------------------------

def lam_eff():
    """``lam_eff = lam / ||beta_s||^(2(L-1)/L)``: the penalty seen by the read-out coefficient (§4.1).

    The feature map of the balanced state has norm ``||beta_s||^((L-1)/L)`` (§2.4); a penalty
    ``lam ||W_L||^2`` on the read-out is a penalty ``lam_eff b^2`` on the coefficient ``b``.
    Equal to ``lam`` for a unit source teacher at every depth. [EXT for non-unit norms]
    """
    # written with the exponent 2/L - 2 so that powers of it stay in one canonical form
    return lam * norm_s ** (2 / depth - 2)


def readout_coefficient(zz, zy, size, penalty):
    """§4.1: ``b = z^T y / (||z||^2 + n lam_eff)`` from the two scalar statistics of the data."""
    return zy / (zz + size * penalty)


def risk_of_coefficient(b):
    """§4.1: ``R_lt = ||b u_s - beta_t||^2 = (b - ||beta_t|| cos theta)^2 + ||beta_t||^2 sin^2 theta``."""
    return (b - norm_t * sp.cos(theta)) ** 2 + norm_t ** 2 * sp.sin(theta) ** 2


def outside_feature():
    """``||beta_t||^2 sin^2 theta``: the part of the target teacher the feature cannot express."""
    return norm_t ** 2 * sp.sin(theta) ** 2


def shrinkage_bias():
    """``lam_eff^2/(1 + lam_eff)^2 ||beta_t||^2 cos^2 theta``: the squared ridge shrinkage of the
    read-out coefficient in the proportional limit (``b -> ||beta_t|| cos theta/(1 + lam_eff)``)."""
    le = lam_eff()
    return le ** 2 * norm_t ** 2 * sp.cos(theta) ** 2 / (1 + le) ** 2


def effective_noise_variance():
    """``s_eta^2 = sigma^2 + ||beta_t||^2 sin^2 theta``: variance of ``eta = y - ||beta_t|| cos(theta) z``.

    The part of the teacher outside the feature acts a second time, as label noise (§4.2, T5).
    """
    return sigma ** 2 + outside_feature()


def conditional_excess(q, penalty=None):
    """``E[(b - ||beta_t|| cos theta)^2 | q]`` with ``q = ||z||^2`` (§4.2, §4.4).

    ``b - c = (z^T eta - c n lam_eff)/(q + n lam_eff)`` with ``c = ||beta_t|| cos theta`` and
    ``z^T eta | z ~ N(0, s_eta^2 q)``, hence ``((n lam_eff c)^2 + s_eta^2 q) / (q + n lam_eff)^2``.
    """
    penalty = lam_eff() if penalty is None else penalty
    a = n * penalty
    return ((a * norm_t * sp.cos(theta)) ** 2 + effective_noise_variance() * q) / (q + a) ** 2


# ----------------------------------------------------------------------------------------------
# §4.4 exact: the chi-square expectation as a well-conditioned one-dimensional integral
# ----------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def chi2_laplace_transform(k, t):
    """``E[exp(-t q)]`` for ``q ~ chi^2_k``, derived as a Gamma integral: ``(1 + 2t)^(-k/2)``."""
    q = sp.Symbol("q", positive=True)
    kk = sp.Symbol("k", positive=True)
    density = q ** (kk / 2 - 1) * sp.exp(-q / 2) / (2 ** (kk / 2) * sp.gamma(kk / 2))
    value = sp.integrate(density * sp.exp(-t * q), (q, 0, sp.oo), conds="none")
    return sp.simplify(value).subs(kk, k)


def laplace_kernels():
    """The two chi-square expectations of §4.4 as Laplace integrals over ``y = 2t`` (no Gamma function).

    With ``1/(q + a)^2 = int_0^oo t e^{-t(q + a)} dt`` and ``E[q e^{-tq}] = -d/dt E[e^{-tq}]``:

        E[1/(q + a)^2] = (1/4) I_0,   E[q/(q + a)^2] = (n/4) I_1,
        I_k = int_0^oo y (1 + y)^(-n/2 - k) e^{-c y} dy,   c = a/2 = n lam_eff / 2.

    Returns ``(y, c, (integrand_0, integrand_1), (factor_0, factor_1))`` such that
    ``E[1/(q+a)^2] = factor_0 int integrand_0 dy`` etc.
    """
    t, y, a = sp.symbols("t y a", positive=True)
    mgf = chi2_laplace_transform(n, t)
    inv_sq = t * sp.exp(-a * t) * mgf                 # integrand of E[1/(q+a)^2] in t
    q_inv_sq = t * sp.exp(-a * t) * (-sp.diff(mgf, t))  # integrand of E[q/(q+a)^2] in t
    c = sp.Symbol("c", positive=True)
    to_y = {t: y / 2, a: 2 * c}
    forms = []
    for integrand, factor in ((inv_sq, sp.Rational(1, 4)), (q_inv_sq, n / 4)):
        in_y = sp.powsimp(sp.simplify(integrand.subs(to_y) / 2 / factor), force=True)
        forms.append(in_y)
    return y, c, tuple(forms), (sp.Rational(1, 4), n / 4)


def _change_variable(integrand, old, new_expr, new):
    """``integrand(old) d old`` with ``old = new_expr(new)``: the integrand in ``new`` (with Jacobian)."""
    return integrand.subs(old, new_expr) * sp.diff(new_expr, new)


def _scaled_kernel_integrals(k, c, scale):
    """``K_k = scale^2 I_k`` in the two well-conditioned forms used for quadrature.

    * small ``c`` (``c <= 1``): ``w = 1/(1 + y) = v^4`` maps ``[0, oo)`` to ``[0, 1]``; the
      algebraic endpoint behaviour ``w^(m-3)`` becomes ``v^(4m - 9)`` and the cut-off
      ``e^{-c(1-w)/w}`` near ``w = c`` is resolved by bisection;
    * large ``c``: ``y = x / scale`` puts the mass at ``x = O(1)``.

    ``scale = n(1 + lam_eff)/2`` makes both integrals O(1), so the absolute tolerance of the
    quadrature is also a relative one. Both are checked against the y-form here.
    """
    y = sp.Symbol("y", positive=True)
    w = sp.Symbol("w", positive=True)
    m = n / 2 + k
    y_form = y * (1 + y) ** (-m) * sp.exp(-c * y)
    # y: 0 -> oo is w: 1 -> 0, hence the sign.
    w_form = -_change_variable(y_form, y, (1 - w) / w, w)
    v_form = _change_variable(w_form, w, _v ** 4, _v)
    v_clean = 4 * (1 - _v ** 4) * _v ** (4 * m - 9) * sp.exp(-c * (1 - _v ** 4) / _v ** 4)
    x_form = _change_variable(y_form, y, _x / scale, _x)
    # one exponent: (1 + x/scale)^(-m) would be printed as 1/(...)^m, which overflows for large n
    x_clean = _x * sp.exp(-c * _x / scale - m * sp.log(1 + _x / scale)) / scale ** 2
    ratio = sp.powsimp(sp.powdenest(sp.simplify(v_form / v_clean), force=True), force=True)
    assert sp.simplify(ratio) == 1, (v_form, v_clean)
    log_ratio = sp.expand_log(sp.log(x_form) - sp.log(x_clean), force=True)
    assert sp.simplify(log_ratio) == 0, (x_form, x_clean)
    return (sp.Integral(scale ** 2 * v_clean, (_v, 0, 1)).xreplace(_PLAIN),
            sp.Integral(scale ** 2 * x_clean, (_x, 0, sp.oo)).xreplace(_PLAIN))


# ----------------------------------------------------------------------------------------------
# registered results: risks
# ----------------------------------------------------------------------------------------------

def law_of_large_numbers():
    """``(lim ||z||^2/n, lim z^T y/n)`` from the means (T4, T5); fluctuations are O(n^-1/2).

    ``E||z||^2 = E chi^2_n = n`` (Gamma integral); ``E z^T y = ||beta_t|| cos(theta) E||z||^2 +
    E z^T eta = n ||beta_t|| cos theta`` since ``eta`` is centred and independent of ``z``.
    """
    mean_q = rmt.inverse_chi2_moment(n, -1).value  # E[(chi^2_n)^{+1}] = n
    return sp.limit(mean_q / n, n, sp.oo), sp.limit(norm_t * sp.cos(theta) * mean_q / n, n, sp.oo)


@register("linear_transfer_risk", params=("theta", "lam", "norm_t", "norm_s", "depth"), status="PAPER",
          reference="docs/background.md §4.3-§4.4, §8; paper Theorem 3.7 eq. (10), Theorem 3.8 eq. (13)",
          topic="linear_transfer", 
          summary="Asymptotic excess risk of refitting the read-out (ridge lam) on the pretrained feature: "
                  "||beta_t||^2 [sin^2 theta + cos^2 theta lam_eff^2/(1 + lam_eff)^2], independent of gamma "
                  "and sigma; the general-norm/depth form via lam_eff = lam/||beta_s||^(2(L-1)/L) is [EXT].")
def linear_transfer_risk():
    """docs/background.md §4.3-§4.4: ``R_lt -> ||beta_t||^2 sin^2 theta + lam_eff^2/(1 + lam_eff)^2 ||beta_t||^2 cos^2 theta``.

    Derived from the scalar reduction (§4.1) by the law of large numbers: ``b -> ||beta_t|| cos
    theta/(1 + lam_eff)``. At ``lam = 0`` it is eq. (10) (``||beta_t||^2 sin^2 theta``, no dependence on
    gamma, sigma, depth or ``||beta_s||``); for unit teachers it equals eq. (13),
    ``1 - (1 + 2 lam)/(1 + lam)^2 cos^2 theta``, written here as a sum of two non-negative terms.
    Non-decreasing in ``lam``: read-out ridge never lowers the asymptotic risk.

    >>> import ftheory, math
    >>> r = ftheory.get("linear_transfer_risk")
    >>> round(float(r(theta=math.pi / 4)), 12), round(float(r(theta=math.pi / 8, lam=0.1)), 6)
    (0.5, 0.153501)
    """
    zz, zy = law_of_large_numbers()
    size = sp.Symbol("N", positive=True)  # ||z||^2 = N zz, z^T y = N zy with N = n -> oo
    b = sp.limit(readout_coefficient(size * zz, size * zy, size, lam_eff()), size, sp.oo)
    deviation = b - norm_t * sp.cos(theta)
    shrinkage = shrinkage_bias()
    assert sp.simplify(deviation ** 2 - shrinkage) == 0
    # sum of two non-negative terms: the cancellation-free form of 1 - (1 + 2 lam)/(1 + lam)^2 cos^2
    return shrinkage + outside_feature()


def _finite_ridgeless():
    """§4.2: ``||beta_t||^2 sin^2 theta + s_eta^2 E[1/chi^2_n]`` with (T4), as Piecewise in n."""
    q = sp.Symbol("q", positive=True)
    inverse = rmt.inverse_chi2_moment(n, 1)  # 1/(n - 2) for n > 2
    excess = conditional_excess(q, penalty=0)
    # at lam = 0 the conditional excess is s_eta^2 / q: linear in 1/q
    assert sp.simplify(excess - effective_noise_variance() / q) == 0
    regular = outside_feature() + effective_noise_variance() * inverse.value
    return sp.Piecewise(
        (regular, inverse.condition),
        # n <= 2: E[1/chi^2_n] = +oo; the risk is infinite unless there is nothing to estimate
        # s_eta^2 = |beta_t|^2 sin^2 theta + sigma^2 = 0 tested on its factors: the sum underflows to 0 in
        # float64 for theta ~ 1e-160 (picking this finite branch where the risk is +inf)
        (outside_feature(), sp.Eq(sigma, 0) & sp.Eq(sp.sin(theta), 0)),
        (sp.oo, True))


def _finite_ridge_pieces():
    """§4.4 exact, ``lam > 0``: ``[(value, condition), ...]`` with the quadrature forms."""
    le = lam_eff()
    c = n * le / 2
    scale = n * (1 + le) / 2
    q = sp.Symbol("q", positive=True)
    a = n * le
    excess = sp.expand(sp.cancel(conditional_excess(q) * (q + a) ** 2))
    coef_inv_sq = excess.coeff(q, 0)  # (n lam_eff ||beta_t|| cos)^2, multiplies E[1/(q+a)^2]
    coef_q = excess.coeff(q, 1)       # s_eta^2, multiplies E[q/(q+a)^2]
    assert sp.simplify(coef_inv_sq / (q + a) ** 2 + coef_q * q / (q + a) ** 2 - conditional_excess(q)) == 0
    y, c_sym, (i0, i1), (f0, f1) = laplace_kernels()
    # the y-integrands are y (1+y)^(-n/2-k) e^{-c y}
    for k, form in ((0, i0), (1, i1)):
        target = y * (1 + y) ** (-n / 2 - k) * sp.exp(-c_sym * y)
        assert sp.simplify(sp.powsimp(form / target, force=True)) == 1, form
    pieces = []
    for which in (0, 1):
        k0 = _scaled_kernel_integrals(0, c, scale)[which]
        k1 = _scaled_kernel_integrals(1, c, scale)[which]
        # E[...] = coef_inv_sq f0 K_0/scale^2 + coef_q f1 K_1/scale^2, regrouped with (n/(2 scale))^2
        front0 = le ** 2 * norm_t ** 2 * sp.cos(theta) ** 2 / (1 + le) ** 2
        front1 = effective_noise_variance() / (n * (1 + le) ** 2)
        assert sp.simplify(front0 - coef_inv_sq * f0 / scale ** 2) == 0
        assert sp.simplify(front1 - coef_q * f1 / scale ** 2) == 0
        pieces.append(outside_feature() + front0 * k0 + front1 * k1)
    return [(pieces[0], c <= 1), (pieces[1], True)]


@register("linear_transfer_risk_finite", params=("n", "theta", "sigma", "lam", "norm_t", "norm_s", "depth"),
          status="EXT", reference="docs/background.md §4.2, §4.4 (exact finite n), §8", topic="linear_transfer",
          constraints="lam = 0 needs n > 2 (else +inf unless sigma = 0 and sin(theta) = 0)",
          float64_limits=[("n", 10 ** 5, "for lam > 0 the integrand is a spike of width ~1/n that float64 "
                           "quadrature misses (0.13 relative error measured at n = 1e6)", "lam")],
          summary="Exact expected excess risk of linear transfer at finite n (independent of d): "
                  "||beta_t||^2 sin^2 theta + (sigma^2 + ||beta_t||^2 sin^2 theta)/(n - 2) at lam = 0; "
                  "a one-dimensional chi-square (Laplace) integral evaluated by quadrature for lam > 0.")
def linear_transfer_risk_finite():
    """docs/background.md §4.2 (``lam = 0``) and §4.4 exact (``lam > 0``): ``E R_lt`` at finite n (any d >= 2).

    * ``lam = 0``: ``||beta_t||^2 sin^2 theta + s_eta^2/(n - 2)`` for ``n > 2`` by (T4). For
      ``n <= 2``, ``E[1/chi^2_n] = +oo``: the value is ``+inf`` unless ``s_eta^2 = sigma^2 +
      ||beta_t||^2 sin^2 theta = 0`` (then the fit is exact and the risk 0).
    * ``lam > 0``: ``||beta_t||^2 sin^2 theta + [lam_eff^2 ||beta_t||^2 cos^2 theta K_0 + (s_eta^2/n) K_1]
      /(1 + lam_eff)^2`` with ``K_k = M^2 int_0^oo y (1 + y)^(-n/2-k) e^{-c y} dy``, ``c = n lam_eff/2``,
      ``M = n(1 + lam_eff)/2``: the chi-square integral of docs/background.md §4.4 rewritten through the chi-square
      Laplace transform (no Gamma function, no overflow at large n) and evaluated by quadrature in
      one of two well-conditioned variables (``c <= 1``: ``1/(1+y) = v^4`` on [0, 1]; else ``y = x/M``).
      float64 (scipy ``quad``) is accurate to about 1e-8 relative (typically 1e-12); ``.mp`` gives
      the requested digits but takes about a second. Finite for every n >= 1.

    >>> import ftheory, math
    >>> f = ftheory.get("linear_transfer_risk_finite")
    >>> round(float(f(n=10, theta=math.pi / 4, sigma=0.2)), 12)   # worked example 9
    0.5675
    >>> bool(f(n=5, theta=0.785, sigma=0.2, lam=0.05) < f(n=5, theta=0.785, sigma=0.2))
    True
    """
    ridgeless = _finite_ridgeless()
    pieces = [(value, sp.And(sp.Eq(lam, 0), cond)) for value, cond in ridgeless.args]
    return sp.Piecewise(*pieces, *_finite_ridge_pieces())


# ----------------------------------------------------------------------------------------------
# registered results: transferability
# ----------------------------------------------------------------------------------------------

@register("linear_transfer_transferability",
          params=("gamma", "theta", "sigma", "lam", "norm_t", "norm_s", "depth"), status="PAPER",
          reference="docs/background.md §5.1; paper eq. (11) (lam = 0), §4.4 ridge variant", topic="linear_transfer",
          summary="Asymptotic transferability of linear transfer, R_sc(gamma, sigma) - R_lt(theta, lam): "
                  "separable in gamma and theta; +inf at gamma = 1 for sigma > 0, exact limit -R_lt at "
                  "sigma = 0.")
def linear_transfer_transferability():
    """docs/background.md §5.1: ``T_lt = R_sc(gamma, sigma) - R_lt(theta, lam)`` (eq. (11); ridge variant §4.4).

    A function of gamma plus a function of theta. ``+inf`` at ``gamma = 1`` for ``sigma > 0`` (the
    scratch interpolation peak); at ``sigma = 0, gamma = 1`` the exact limit ``-R_lt``.

    >>> import ftheory, math
    >>> round(float(ftheory.get("linear_transfer_transferability")(gamma=0.5, theta=math.pi / 4, sigma=0.2)), 12)
    0.04
    """
    return _transferability_difference()


def _transferability_difference():
    """``R_sc - R_lt`` branch by branch, as the plain difference (the form the boundary derivations solve)."""
    scratch, transfer = expr_of("scratch_risk"), expr_of("linear_transfer_risk")
    return sp.Piecewise(*[(value if value.is_infinite else value - transfer, cond) for value, cond in scratch.args])


def _difference_of_finite_means(scratch, transfer):
    """``E R_sc - E R_lt`` for two finite-size Piecewise means, branch by branch.

    Each scratch branch restricts the transfer branches (``rmt.restrict``) so unreachable
    combinations disappear. Infinite means: ``+oo - finite = +oo``, ``finite - (+oo) = -oo``, and
    ``+oo - (+oo)`` (undefined) is returned as ``+oo``: the scratch peak takes precedence, the
    convention of docs/background.md §0.2 item 10.
    """
    out = []
    for s_value, s_cond in scratch.args:
        if s_value.is_infinite:
            out.append((s_value, s_cond))
            continue
        if s_cond is sp.true:
            restricted = transfer
        elif isinstance(s_cond, sp.Eq):
            restricted = transfer.subs(s_cond.lhs, s_cond.rhs)
        else:
            restricted = rmt.restrict(transfer, s_cond, n)
        branches = restricted.args if isinstance(restricted, sp.Piecewise) else ((restricted, sp.true),)
        for t_value, t_cond in branches:
            value = -t_value if t_value.is_infinite else s_value - t_value
            out.append((value, sp.And(s_cond, t_cond)))
            if t_cond is sp.true:
                break
    return sp.Piecewise(*out)


@register("linear_transfer_transferability_finite", params=("n", "d", "theta", "sigma", "norm_t"),
          status="EXT", reference="docs/background.md §5.5 (with §3.3, §4.2)", topic="linear_transfer",
          constraints="+inf for |n - d| <= 1 and sigma > 0 (scratch peak); -inf for n <= 2 otherwise "
                      "unless sigma = 0 and sin(theta) = 0",
          summary="Exact finite-size transferability E[R_sc] - E[R_lt] at lam = 0 (min-norm scratch vs "
                  "least-squares read-out); +inf where the scratch mean diverges.")
def linear_transfer_transferability_finite():
    """docs/background.md §5.5: ``E R_sc(n, d)`` (§3.3) ``- E R_lt(n)`` (§4.2), least-squares read-out (lam = 0).

    Infinite means: ``+inf`` where the scratch mean diverges (``|n - d| <= 1``, ``sigma > 0``; this
    includes the few points ``n <= 2`` where both diverge and the difference is undefined: the scratch
    peak takes precedence, docs/background.md §0.2 item 10), ``-inf`` for ``n <= 2`` otherwise (unless
    ``sigma = 0`` and ``sin theta = 0``).

    >>> import ftheory, math
    >>> round(float(ftheory.get("linear_transfer_transferability_finite")(n=100, d=200, theta=math.pi / 4,
    ...                                                                   sigma=0.2)), 6)
    0.034894
    """
    transfer = expr_of("linear_transfer_risk_finite").subs(lam, 0)
    diff = _difference_of_finite_means(expr_of("scratch_risk_finite"), transfer)
    return sp.Piecewise(*[(_collect_factored(v), c) for v, c in diff.args])


def _collect_factored(value):
    """``value`` as ``sigma^2 A + |beta_t|^2 sin^2(theta) B + |beta_t|^2 C`` with factored ``A, B, C``.

    The two means share their noise and misfit terms, e.g. ``d/(n - d - 1) - 1/(n - 2)`` multiplies
    ``sigma^2``; combined and factored (``(d - 1)(n - 1)/((n - d - 1)(n - 2))``) the coefficient has no
    float64 cancellation, which otherwise costs ``sigma^2/|T|`` relative accuracy (3e-11 measured at
    ``n = 5, d = 1, sigma = 1000``). Equal to ``value`` (checked symbolically).
    """
    if value.is_infinite or value.has(sp.Min):
        return value
    s2 = sp.sin(theta) ** 2
    parts = sp.collect(sp.expand(value), [sigma ** 2, norm_t ** 2 * s2, norm_t ** 2], evaluate=False)
    out = sp.Add(*[sp.factor(coef) * key for key, coef in parts.items()])
    assert sp.simplify(out - value) == 0
    return out
