"""Bias weights of the anisotropic risk estimates when Sigma is estimated from ``N`` unlabeled rows.

The ridge bias term is ``c' g(Sigma) c`` (``c = Sigma beta``) with the spectral function
``g(lambda) = W(lambda)/lambda^2 = [1/lambda - 1/(lambda + kappa) - kappa/(lambda + kappa)^2]/gap``, where the
effective penalty ``kappa`` and ``gap = 1 - df2/n`` depend on Sigma's whole spectrum
(:mod:`ftheory.aniso.scratch`). The predictor needs weights ``k`` (diagonal in Sigma_hat's eigenbasis) with
``E[Q' diag(k) Q] ~ g(Sigma)``:

* :func:`fixed_b_weights`: the inverse-Wishart identity, exact when the weights ``W`` are fixed (do not depend
  on Sigma_hat); with ``W`` read off Sigma_hat's own spectrum it scales the large-penalty signal by
  ``(N - 2 d - 2)/N``;
* :func:`resolvent_weights`: the three terms and the scalars ``kappa``, ``gap`` by the Marchenko-Pastur
  deterministic equivalent of ``(Sigma_hat + mu)^-1`` and its derivative in ``mu``, ``Sigma^-1`` by its
  ``mu -> 0`` limit ``(1 - d/N) Sigma_hat^-1``, with ``N`` replaced by ``N d/(d + 1)`` throughout so that this
  limit is the exact unbiased ``(N - d - 1)/N Sigma_hat^-1`` (derivation: ``derivations/advise_resolvent_weights.md``).
"""
from __future__ import annotations

import numpy as np

from ftheory.aniso.log_newton import log_newton

__all__ = ["fixed_b_weights", "resolvent_weights", "resolvent_weights_many", "resolvent_default", "RESOLVENT_BELOW",
           "RESOLVENT_FROM"]

#: pools of fewer than ``RESOLVENT_BELOW d`` unlabeled rows get the resolvent weights by default
#: (:func:`resolvent_default`): where the fixed-W weights' bias ``(N - 2 d - 2)/N`` cost coverage
RESOLVENT_BELOW = 10
#: ... and from ``RESOLVENT_FROM d`` rows on (the smallest pool measured; at 1.5-2 d the tuned estimates still
#: came out 0, and the former weights' degenerate bands make the advisor refuse such pools)
RESOLVENT_FROM = 3


def fixed_b_weights(W, ev, N):
    """``k`` with ``E[Q diag(k) Q'] = Sigma^-1 B Sigma^-1`` for ``B = Q diag(W) Q'`` fixed, ``Q``, ``ev`` the
    eigenbasis and eigenvalues of ``Sigma_hat = U'U/N`` (``N`` rows): ``D [(a - 1) S^-1 B S^-1 - tr(S^-1 B)
    S^-1]/(N^2 (a - 2)(a + 1))``, ``a = N - d - 1``, ``D = (N - d)(N - d - 1)(N - d - 3)``; the plain
    ``W/ev^2`` when ``N <= d + 3`` (no finite inverse moment)."""
    ev = np.asarray(ev, float)
    k = W / ev ** 2
    d = ev.size
    if N <= d + 3:
        return k
    a = N - d - 1.0
    c = (N - d) * (N - d - 3.0) * a / (N * N * (a - 2.0) * (a + 1.0))
    return c * ((a - 1.0) * k - (W @ (1.0 / ev))[..., None] / ev)


def resolvent_default(rows, d):
    """Whether the anisotropic predictor uses :func:`resolvent_weights` by default for a pool of ``rows``
    unlabeled rows (as passed, before centring: the rows that :func:`ftheory.advise.pool_size.pool_flag`
    counts) and ``d`` features: ``RESOLVENT_FROM d <= rows < RESOLVENT_BELOW d``, the pool sizes where it was
    measured to help (docs/advisor_validation.md, covariance weights by pool size)."""
    return RESOLVENT_FROM * d <= rows < RESOLVENT_BELOW * d


def _check(ev, N, n, lam):
    ev = np.asarray(ev, float)
    if ev.ndim != 1 or ev.size < 1 or not np.all(np.isfinite(ev)) or not np.all(ev > 0):
        raise ValueError(f"ev={ev!r} is invalid: expected a 1-d array of finite positive eigenvalues")
    if not (isinstance(N, (int, np.integer)) and not isinstance(N, bool)) or N <= ev.size + 3:
        raise ValueError(f"N={N!r} is invalid: expected an integer above d + 3 = {ev.size + 3} unlabeled rows")
    n, lam = np.broadcast_arrays(np.asarray(n, float), np.asarray(lam, float))
    if not np.all(np.isfinite(n)) or np.any(n < 1) or np.any(n != np.round(n)):
        raise ValueError(f"n={n!r} is invalid: expected integers >= 1 (labeled sample sizes)")
    if not np.all(np.isfinite(lam)) or np.any(lam < 0):
        raise ValueError(f"lam={lam!r} is invalid: expected finite penalties >= 0")
    return ev, n, lam


def _pool_side(ev, N, mu):
    """At pool penalties ``mu`` (...): ``f = tr S(S + mu)^-1``, ``f1 = tr (S + mu)^-1``, ``f2 = tr (S + mu)^-2``,
    ``rho = mu/tau = 1 - f/N`` and ``drho = d rho/d mu = tr S (S + mu)^-2 / N`` (``ev``: ``(d,)``, or one spectrum
    per penalty ``(..., d)``)."""
    r = 1.0 / (ev + mu[..., None])
    f1, f2 = r.sum(-1), (r * r).sum(-1)
    f = ev.shape[-1] - mu * f1
    return f, f1, f2, 1.0 - f / N, (f1 - mu * f2) / N


def resolvent_weights(ev, N, n, lam):
    """Weights ``k`` (``(..., d)``, in Sigma_hat's eigenbasis; ``n``, ``lam`` broadcast to ``...``) with
    ``E[Q diag(k) Q'] = g(Sigma)`` to first order in ``1/N``, ``g = W/lambda^2`` the ridge (``lam > 0``) or min-norm
    (``lam = 0``) bias weights per unit ``(Q' Sigma beta)_i^2`` at the true Sigma; ``ev``: eigenvalues of
    ``Sigma_hat = U'U/N`` (``N`` rows, ``N > d + 3``, else ``ValueError``). Zero where the bias vanishes
    (min-norm with ``n >= d``). The pool-side penalty ``mu`` solves ``lam = kappa (1 - f(mu)/n)`` with
    ``kappa = mu/(1 - f(mu)/N)``, ``f(mu) = tr S (S + mu)^-1``; then ``(Sigma + kappa)^-1 ~ rho (S + mu)^-1``
    (``rho = mu/kappa``) and ``(Sigma + kappa)^-2`` is its ``kappa``-derivative, ``Sigma^-1 ~ (1 - d/N) S^-1``;
    with ``N`` taken as ``N d/(d + 1)`` throughout, so that the last is the exact ``(N - d - 1)/N S^-1``."""
    return resolvent_weights_many([ev], N, n, lam)[0]


def resolvent_weights_many(evs, N, n, lam):
    """``[resolvent_weights(ev, N, n, lam) for ev in evs]`` (spectra of one ``d``) with one Newton loop for all:
    the roots do not interact, so the numbers are the same."""
    if len(evs) == 0:
        raise ValueError("evs=[] is invalid: expected at least one spectrum")
    checked = [_check(ev, N, n, lam) for ev in evs]
    evs, (_, n, lam) = [c[0] for c in checked], checked[0]
    d = evs[0].size
    if any(ev.size != d for ev in evs):
        raise ValueError(f"evs has spectra of sizes {sorted({ev.size for ev in evs})}: expected one d")
    N = N * d / (d + 1.0)              # effective rows: the mu -> 0 limit becomes the exact (N - d - 1)/N Sigma_hat^-1
    shape = n.shape
    n, lam = n.ravel(), lam.ravel()
    m = n.size
    active = (lam > 0) | (n < d)
    # F(mu) = kappa(mu)(1 - f/n) - lam, increasing in t = log mu, is negative at lo, positive at hi
    t_lo = np.concatenate([np.log(np.where(lam > 0, lam * (1.0 - d / N), 1e-3 * ev.min())) for ev in evs])
    t_hi = np.concatenate([np.log(lam + ev.sum() / n + ev.max()) for ev in evs])
    t = 0.5 * (t_lo + t_hi)
    E, n_all, lam_all = (evs[0], n, lam) if len(evs) == 1 else (np.stack(evs), np.tile(n, len(evs)),
                                                              np.tile(lam, len(evs)))

    def residual(tt, idx):             # F and dF/dt
        mu = np.exp(tt)
        f, f1, f2, rho, drho = _pool_side(E if len(evs) == 1 else E[idx // m], N, mu)
        kap = mu / rho
        dkap = (rho - mu * drho) / rho ** 2
        return (kap * (1.0 - f / n_all[idx]) - lam_all[idx],
                mu * (dkap * (1.0 - f / n_all[idx]) + kap * (f1 - mu * f2) / n_all[idx]))

    log_newton(residual, t, t_lo, t_hi, np.concatenate([np.flatnonzero(active) + j * m for j in range(len(evs))]))
    return [_weights_at(ev, N, n, lam, active, np.exp(t[j * m:(j + 1) * m])).reshape(shape + (d,))
            for j, ev in enumerate(evs)]


def _weights_at(ev, N, n, lam, active, mu):
    """The weights ``k`` ``(m, d)`` at the solved pool-side penalties ``mu`` ``(m,)``."""
    d = ev.size
    f, f1, f2, rho, drho = _pool_side(ev, N, mu)
    kap = mu / rho
    # (Sigma + kappa)^-2 ~ -d/dkappa [rho (S + mu)^-1] = (rho^2/(rho - mu drho)) [rho (S + mu)^-2 - drho (S + mu)^-1]
    c2 = rho ** 2 / (rho - mu * drho)
    trR, trR2 = rho * f1, c2 * (rho * f2 - drho * f1)
    gap = np.where(lam > 0, lam / np.where(lam > 0, kap, 1.0), 0.0) + kap / n * (trR - kap * trR2)
    r = 1.0 / (ev + mu[:, None])
    R = rho[:, None] * r
    R2 = c2[:, None] * (rho[:, None] * r * r - drho[:, None] * r)
    k = ((1.0 - d / N) / ev - R - kap[:, None] * R2) / gap[:, None]
    return np.where(active[:, None], k, 0.0)
