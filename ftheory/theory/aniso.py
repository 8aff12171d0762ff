"""Structured input covariance: closed forms for a two-level spectrum (docs/aniso.md; issue 15).

Inputs ``x ~ N(0, Sigma)``; a fraction ``rho = frac_a`` of Sigma's eigenvalues equals ``a``, the rest
``b``, with ``a/b = eig_ratio`` and ``rho a + (1 - rho) b = 1`` (trace ``d``). Teachers are described
by the fraction of their squared norm on the ``a``-block; the part of the target orthogonal to the
source is taken orthogonal within each block too (the generic case for directions drawn within the
blocks in high dimension). Everything comes from the deterministic equivalent of min-norm
regression (Hastie, Montanari, Rosset & Tibshirani 2022), written per block:

* the proportional limit ``n = gamma d``: ``kappa`` solves ``gamma = sum_blocks rho_j lambda_j/(lambda_j + kappa)``,
  a quadratic for two blocks (:func:`kappa_quadratic`), with one positive root for ``gamma < 1``;
* risk ``= gamma kappa sum_j lambda_j E_j/(lambda_j + kappa)^2 / G + sigma^2 F / (kappa G)`` with
  ``G = sum_j rho_j lambda_j/(lambda_j + kappa)^2``, ``F = sum_j rho_j lambda_j^2/(lambda_j + kappa)^2`` and
  ``E_j`` the teacher's squared norm on block ``j`` (:func:`block_risk`): ``1 - df2/n = kappa G/gamma``
  by the fixed-point equation, a sum of positive terms, so nothing cancels;
* linear transfer: the Sigma-orthogonal residual of ``beta_t`` is its orthogonal part, of Sigma-norm
  ``||beta_t||^2 sin^2(theta) (a e_perp + b (1 - e_perp))``;
* linear fine-tuning: min-norm regression of ``beta_t - beta_s``.

Registered (topic ``"aniso"``): ``aniso2_kappa``, ``aniso2_scratch_risk``, ``aniso2_linear_transfer_risk``,
``aniso2_linear_transfer_risk_finite``, ``aniso2_finetune_risk``, ``aniso2_lt_transferability``,
``aniso2_ft_transferability``, ``aniso2_sigma_cosine``. Isotropic (``eig_ratio = 1``) values reduce
exactly to the registered isotropic results (checked in ``derivations/aniso.py`` and below).
"""
from __future__ import annotations

import functools

import sympy as sp

from ftheory.result import register
from ftheory.theory._symbols import (eig_ratio, energy_perp, energy_s, energy_t, frac_a, gamma, n, norm_s, norm_t,
                                     sigma, theta)

__all__ = ["eigenvalues", "kappa_quadratic", "kappa_root", "block_risk", "orthogonal_energies",
           "difference_energies"]


_k = sp.Symbol("kappa", positive=True)


def eigenvalues():
    """``(a, b)`` with ``a/b = eig_ratio`` and ``rho a + (1 - rho) b = 1``."""
    b = 1 / (frac_a * eig_ratio + 1 - frac_a)
    return eig_ratio * b, b


def _blocks():
    a, b = eigenvalues()
    return ((frac_a, a), (1 - frac_a, b))


def kappa_quadratic(k=_k):
    """``gamma (a + k)(b + k) - [rho a (b + k) + (1 - rho) b (a + k)]``: zero iff ``df1(k)/n = 1`` (two blocks)."""
    a, b = eigenvalues()
    return sp.expand(gamma * (a + k) * (b + k) - (frac_a * a * (b + k) + (1 - frac_a) * b * (a + k)))


@functools.lru_cache(maxsize=None)
def kappa_root():
    """The positive root of :func:`kappa_quadratic` for ``0 < gamma < 1`` as ``(over, under, B)``:
    ``2C/(B + sqrt(D))`` (no cancellation for ``B >= 0``) and ``(sqrt(D) - B)/(2 gamma)`` (for ``B < 0``),
    where the quadratic is ``gamma k^2 + B k - C`` with ``C = a b (1 - gamma) > 0``."""
    a, b = eigenvalues()
    poly = sp.Poly(kappa_quadratic(), _k)
    lead, lin, const = poly.all_coeffs()
    assert sp.simplify(lead - gamma) == 0
    # the trace normalisation rho a + (1 - rho) b = 1 simplifies the linear coefficient
    B = gamma * (a + b) - 1
    assert sp.simplify(lin - B) == 0, lin
    C = a * b * (1 - gamma)
    assert sp.simplify(const + C) == 0, const
    D = B ** 2 + 4 * gamma * C
    under = (sp.sqrt(D) - B) / (2 * gamma)
    over = 2 * C / (B + sp.sqrt(D))
    roots = sp.solve(kappa_quadratic(sp.Symbol("k")), sp.Symbol("k"))
    probe = {gamma: sp.Rational(1, 3), frac_a: sp.Rational(1, 5), eig_ratio: 7}
    assert any(abs(sp.N((r - under).subs(probe))) < 1e-30 for r in roots)
    assert abs(sp.N((over - under).subs(probe))) < 1e-30
    return over, under, B


def block_risk(k, energies, noise=sigma):
    """Min-norm risk at ``gamma < 1`` from the block sums, at a root ``k`` of :func:`kappa_quadratic`.

    ``energies = (E_a, E_b)``: the teacher's squared norm on each block. With ``v_j = 1/(1 + lambda_j/k)``
    (``= k/(lambda_j + k)``) returns ``gamma k sum_j lambda_j E_j v_j^2 / H + noise^2 sum_j rho_j lambda_j^2 v_j^2
    / (k H)``, ``H = sum_j rho_j lambda_j v_j^2`` (module docstring times ``k^2/k^2``): every ratio stays
    finite in float64 from ``k -> 0`` (gamma -> 1) to ``k -> oo`` (gamma -> 0).
    """
    (ra, a), (rb, b) = _blocks()
    Ea, Eb = energies
    va, vb = 1 / (1 + a / k), 1 / (1 + b / k)
    H = ra * a * va ** 2 + rb * b * vb ** 2
    bias = gamma * k * (a * Ea * va ** 2 + b * Eb * vb ** 2) / H
    variance = noise ** 2 * (ra * a ** 2 * va ** 2 + rb * b ** 2 * vb ** 2) / (k * H)
    return bias + variance


def _check_block_risk():
    """``block_risk`` equals the textbook form ``kappa^2 sum lambda beta^2/(lambda+kappa)^2/(1 - df2/n) +
    sigma^2 (df2/n)/(1 - df2/n)`` at the root (numerically, 40 digits, a few points)."""
    (ra, a), (rb, b) = _blocks()
    Ea, Eb = sp.symbols("E_a E_b", positive=True)
    over, under, _ = kappa_root()
    df2_n = (ra * a ** 2 / (a + _k) ** 2 + rb * b ** 2 / (b + _k) ** 2) / gamma
    textbook = (_k ** 2 * (a * Ea / (a + _k) ** 2 + b * Eb / (b + _k) ** 2) + sigma ** 2 * df2_n) / (1 - df2_n)
    for g, r, q in [("1/3", "1/5", 7), ("9/10", "1/2", "1/4"), ("1/20", "3/4", 30)]:
        pt = {gamma: sp.Rational(g), frac_a: sp.Rational(r), eig_ratio: sp.Rational(q), Ea: sp.Rational(2, 7),
              Eb: sp.Rational(3, 5), sigma: sp.Rational(1, 3)}
        kv = sp.N(under.subs(pt), 60)
        x = sp.N(textbook.subs(pt).subs(_k, kv), 50)
        y = sp.N(block_risk(_k, (Ea, Eb)).subs(pt).subs(_k, kv), 50)
        assert abs(x - y) < 1e-40 * (1 + abs(x)), (x, y)


def _risk_piecewise(energies):
    """Min-norm risk in the proportional limit, all ``gamma >= 0``, for block energies ``(E_a, E_b)``."""
    _check_block_risk()
    a, b = eigenvalues()
    over, under, B = kappa_root()
    Ea, Eb = energies
    total = a * Ea + b * Eb                                   # ||beta||_Sigma^2: gamma = 0 (nothing learnt)
    return sp.Piecewise((total, sp.Eq(gamma, 0)),
                        (block_risk(over, energies), sp.And(gamma < 1, B >= 0)),
                        (block_risk(under, energies), gamma < 1),
                        (sigma ** 2 / (gamma - 1), gamma > 1),
                        (0, sp.Eq(sigma, 0)),
                        (sp.oo, True))


def orthogonal_energies():
    """Target ``norm_t (cos theta u_s + sin theta u_perp)``: block energies of the source direction, the
    orthogonal direction and the target: ``((e_s, 1 - e_s), (e_perp, 1 - e_perp), (E_a, E_b))``."""
    c2, s2 = sp.cos(theta) ** 2, sp.sin(theta) ** 2
    target = (norm_t ** 2 * (c2 * energy_s + s2 * energy_perp), norm_t ** 2 * (c2 * (1 - energy_s) + s2 * (1 - energy_perp)))
    return (energy_s, 1 - energy_s), (energy_perp, 1 - energy_perp), target


def difference_energies():
    """Block energies of ``beta_t - beta_s = (norm_t cos theta - norm_s) u_s + norm_t sin theta u_perp``."""
    w = (norm_t * sp.cos(theta) - norm_s) ** 2
    s2 = norm_t ** 2 * sp.sin(theta) ** 2
    return (w * energy_s + s2 * energy_perp, w * (1 - energy_s) + s2 * (1 - energy_perp))


def _residual():
    """``||r||_Sigma^2`` of the Sigma-orthogonal residual of the target against the source feature."""
    a, b = eigenvalues()
    return norm_t ** 2 * sp.sin(theta) ** 2 * (a * energy_perp + b * (1 - energy_perp))


# ----------------------------------------------------------------------------------------------
# registered results
# ----------------------------------------------------------------------------------------------

@register("aniso2_kappa", params=("gamma", "frac_a", "eig_ratio"), status="EXT",
          reference="docs/aniso.md §1; docs/background.md §3.2 with Sigma; Hastie et al. 2022 Thm. 5", topic="aniso",
          summary="Effective regularisation kappa of min-norm regression on a two-level spectrum (n/d -> gamma): "
                  "the positive root of gamma k^2 + (gamma (a + b) - 1) k - a b (1 - gamma); +oo at gamma = 0, "
                  "0 for gamma >= 1; (1 - gamma)/gamma when eig_ratio = 1.")
def aniso2_kappa():
    over, under, B = kappa_root()
    return sp.Piecewise((sp.oo, sp.Eq(gamma, 0)), (over, sp.And(gamma < 1, B >= 0)), (under, gamma < 1), (0, True))


@register("aniso2_scratch_risk", params=("gamma", "sigma", "frac_a", "eig_ratio", "energy_t", "norm_t"),
          status="EXT", reference="docs/aniso.md §1; docs/background.md §3.2 with Sigma", topic="aniso",
          summary="Excess risk ||b - beta_t||_Sigma^2 of min-norm regression from scratch on a two-level spectrum "
                  "in the proportional limit; ||beta_t||_Sigma^2 at gamma = 0, sigma^2/(gamma - 1) for gamma > 1; "
                  "scratch_risk when eig_ratio = 1.")
def aniso2_scratch_risk():
    return _risk_piecewise((norm_t ** 2 * energy_t, norm_t ** 2 * (1 - energy_t)))


@register("aniso2_sigma_cosine", params=("theta", "frac_a", "eig_ratio", "energy_s", "energy_perp"),
          status="EXT", reference="docs/aniso.md §2; docs/background.md §4.3 with Sigma", topic="aniso",
          summary="Sigma-weighted cosine <beta_s, beta_t>_Sigma/(|beta_s|_Sigma |beta_t|_Sigma) of the two-level "
                  "teacher pair: cos(theta) sqrt(m_s / (cos^2 m_s + sin^2 m_perp)) with m = a e + b (1 - e).")
def aniso2_sigma_cosine():
    a, b = eigenvalues()
    m_s = a * energy_s + b * (1 - energy_s)
    m_p = a * energy_perp + b * (1 - energy_perp)
    return sp.cos(theta) * sp.sqrt(m_s) / sp.sqrt(sp.cos(theta) ** 2 * m_s + sp.sin(theta) ** 2 * m_p)


@register("aniso2_linear_transfer_risk", params=("theta", "frac_a", "eig_ratio", "energy_perp", "norm_t"),
          status="EXT", reference="docs/aniso.md §2; docs/background.md §4.3 with Sigma", topic="aniso",
          summary="Asymptotic (n -> oo) risk of linear transfer on a two-level spectrum: the Sigma-norm of the "
                  "target's part outside the feature, ||beta_t||^2 sin^2(theta) (a e_perp + b (1 - e_perp)); "
                  "independent of how the source sits in the spectrum.")
def aniso2_linear_transfer_risk():
    return _residual()


@register("aniso2_linear_transfer_risk_finite", params=("n", "theta", "sigma", "frac_a", "eig_ratio", "energy_perp",
                                                        "norm_t"),
          status="EXT", reference="docs/aniso.md §2; docs/background.md §4.2 with Sigma", topic="aniso",
          constraints="+inf for n <= 2 unless sigma = 0 and the residual is 0",
          summary="Exact expected risk of linear transfer at finite n (any d, Gaussian inputs): rho + (sigma^2 + "
                  "rho)/(n - 2) with rho = aniso2_linear_transfer_risk.")
def aniso2_linear_transfer_risk_finite():
    rho = _residual()
    return sp.Piecewise((rho + (sigma ** 2 + rho) / (n - 2), n > 2), (rho, sp.Eq(sigma ** 2 + rho, 0)), (sp.oo, True))


@register("aniso2_finetune_risk", params=("gamma", "theta", "sigma", "frac_a", "eig_ratio", "energy_s", "energy_perp",
                                          "norm_s", "norm_t"),
          status="EXT", reference="docs/aniso.md §3; docs/background.md §6.1 with Sigma", topic="aniso",
          summary="Risk of fine-tuning a linear model from beta_s (gradient descent to the nearest interpolator) "
                  "on a two-level spectrum: the min-norm risk of the target beta_t - beta_s.")
def aniso2_finetune_risk():
    return _risk_piecewise(difference_energies())


def _difference(first, second):
    out = []
    for (v1, c1), (v2, c2) in zip(first.args, second.args):
        assert c1 == c2
        out.append((v1 if v1.is_infinite else v1 - v2, c1))
    return sp.Piecewise(*out)


@register("aniso2_lt_transferability", params=("gamma", "theta", "sigma", "frac_a", "eig_ratio", "energy_s",
                                               "energy_perp", "norm_t"),
          status="EXT", reference="docs/aniso.md §2, §4; docs/background.md §5.1 with Sigma", topic="aniso", 
          summary="T_lt = scratch risk of beta_t minus the asymptotic linear-transfer risk on a two-level "
                  "spectrum; +oo at gamma = 1 for sigma > 0.")
def aniso2_lt_transferability():
    *_, target = orthogonal_energies()
    scratch = _risk_piecewise(target)
    lt = _residual()
    return sp.Piecewise(*[(v if v.is_infinite else v - lt, c) for v, c in scratch.args])


@register("aniso2_ft_transferability", params=("gamma", "theta", "frac_a", "eig_ratio", "energy_s", "energy_perp",
                                               "norm_s", "norm_t"),
          status="EXT", reference="docs/aniso.md §3, §4; docs/background.md §6.2 with Sigma", topic="aniso", 
          summary="T_ft = R_sc - R_ft on a two-level spectrum: (2 r_s r_t cos(theta) - r_s^2) gamma kappa "
                  "W_s / H for gamma < 1 (noise cancels), 0 for gamma >= 1: the break-even angle "
                  "cos(theta*) = r_s/(2 r_t) is the isotropic one.")
def aniso2_ft_transferability():
    *_, target = orthogonal_energies()
    over, under, B = kappa_root()
    (ra, a), (rb, b) = _blocks()
    delta = difference_energies()

    def gain(k):
        diff = block_risk(k, target) - block_risk(k, delta)
        va, vb = 1 / (1 + a / k), 1 / (1 + b / k)
        H = ra * a * va ** 2 + rb * b * vb ** 2
        W = a * energy_s * va ** 2 + b * (1 - energy_s) * vb ** 2
        factored = (2 * norm_s * norm_t * sp.cos(theta) - norm_s ** 2) * gamma * k * W / H
        probe = {gamma: sp.Rational(2, 5), frac_a: sp.Rational(1, 4), eig_ratio: 5, energy_s: sp.Rational(1, 3),
                 energy_perp: sp.Rational(5, 6), norm_s: sp.Rational(3, 2), norm_t: sp.Rational(4, 5),
                 theta: sp.Rational(7, 10), sigma: sp.Rational(1, 3)}
        kv = sp.N(under.subs(probe), 50)
        assert abs(sp.N((diff - factored).subs(probe).subs(_k, kv), 40)) < 1e-35
        return factored

    m_s = a * energy_s + b * (1 - energy_s)        # ||u_s||_Sigma^2: gamma = 0 compares ||beta_t||_Sigma^2, ||delta||_Sigma^2
    return sp.Piecewise(((2 * norm_s * norm_t * sp.cos(theta) - norm_s ** 2) * m_s, sp.Eq(gamma, 0)),
                        (gain(over), sp.And(gamma < 1, B >= 0)), (gain(under), gamma < 1), (0, True))
