"""Linear transfer on ReLU features at finite n: predictions of the risk [EXT] (docs/background.md §10.4, §13).

Set-up (docs/background.md §10.1, §10.4): the pretrained features are ``phi_i(x) = relu(b_i . x)`` (rows ``b_i``
of ``W_basis``, ``i = 1..k``); linear transfer refits only the read-out by least squares on ``n``
target samples ``y = f_t(x) + sigma * eps`` with ``f_t(x) = (1/m*) sum_j c_j relu(w*_j . x)`` and
``x ~ N(0, I_d)``. The excess risk of the refitted read-out ``a_hat`` is

    R = ||f_t - a_hat . phi||^2 = ||P_perp f_t||^2 + (a_hat - a*)^T K (a_hat - a*),

``K = E[phi phi^T]`` (the Gram matrix of :func:`ftheory.relu.kernel.gram`) and ``a* = K^+ v`` the
projection coefficients (:mod:`ftheory.relu.projection`). The paper gives no form for the estimation
term ``C(n)`` (its eq. (18)); this module offers two predictions for ``n >= k + 2`` and the exact
simulation they are compared with. Both are the toolkit's own ([EXT]); neither is exact at finite n
for ReLU features.

``method="gaussian"`` - the §10.4 heuristic
    ``C(n) = (sigma^2 + ||P_perp f_t||^2) k / (n - k - 1)``: the exact risk if the whitened features
    were Gaussian and independent of the residual (registered result ``linear_transfer_risk_rank_k``,
    rescaled to the target norm: ``R = ||f_t||^2 R_k(n, k, fraction, sigma / ||f_t||)``).

``method="leverage"`` - non-Gaussian correction (sandwich + leverage dispersion)
    With the population leverage ``h(x) = phi(x)^T K^+ phi(x)`` (``E h = k``) and the residual
    ``r = P_perp f_t``, expanding ``(Phi^T Phi)^{-1}`` around ``n K`` to second order gives
    ``E tr(K (Phi^T Phi)^{-1}) = (k/n) (1 + kappa/n + O(n^-2))`` with ``kappa = E[h^2]/k - 1``, and the
    misspecification term ``E[h r^2]/n`` to first order (White's sandwich). Resummed like the Gaussian
    case,

        C(n) = (sigma^2 k + E[h r^2]) / (n - kappa).

    For Gaussian features ``E[h^2] = k^2 + 2k`` (``kappa = k + 1``) and ``E[h r^2] = k ||r||^2``, so it
    reduces to the exact Gaussian formula. ReLU features have a non-zero mean and heavier leverage tails
    (``kappa > k + 1``), so the Gaussian heuristic underestimates ``C(n)``. The two population
    constants ``E[h^2]`` and ``E[h r^2]`` are fourth moments of four ReLU neurons (no closed form);
    they are computed once by Monte Carlo over ``x`` (no fitting), with their standard errors.

Measured (the simulation below, 1000-4000 refits per point):

* d = 20, m* = 20 unit teacher, k = 14 kept neurons (tests/relu/test_transfer.py): ``E[h^2] = 261``
  against ``k^2 + 2k = 224``. The Gaussian heuristic is 6-25 % low for n <= 2k (sigma = 0.3: 0.099
  against 0.113 at n = 30) and still 1-3 % low at n = 50-100 (|z| = 4-11); the leverage form is within
  2 % from n = 50 (|z| <= 3) but overshoots close to the threshold (n = 20: 0.60 against 0.36).
* d = 100, m* = 100, k = 70 (docs/background.md §10.6 scale): ``E[h^2] = 5226`` against 5040, so the features
  are close to Gaussian-equivalent; both forms are within ~4 % from n = 150 (|z| <= 3.6), the leverage
  form overshoots by 9 % at n = 100.

Near the interpolation threshold the risk is governed by the smallest eigenvalues of the sample
covariance, which no moment expansion captures: use :func:`simulate_relu_readout_risk` there.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ftheory._checks import check_int, check_real, psd_pinv
from ftheory.relu.kernel import gram
from ftheory.relu.projection import DEFAULT_RCOND, project_onto_span
from ftheory.simulate._random import as_generator
from ftheory.simulate.estimate import MCEstimate

__all__ = ["LinearTransferPrediction", "predict_linear_transfer_risk", "simulate_relu_readout_risk",
           "leverage_moments"]

_METHODS = ("gaussian", "leverage")


@dataclass(frozen=True)
class LinearTransferPrediction:
    """Predicted expected excess risk of linear transfer on ReLU features [EXT].

    Attributes
    ----------
    risk : float
        ``outside_sq + estimation``.
    outside_sq : float
        ``||P_perp f_t||^2`` (exact, from Gram matrices).
    estimation : float
        Predicted ``E[(a_hat - a*)^T K (a_hat - a*)]``, the ``C(n)`` of docs/background.md §10.4.
    norm_sq : float
        ``||f_t||^2``.
    k : int
        Effective number of features (numerical rank of the basis Gram matrix).
    n : int
    sigma : float
    method : str
        ``"gaussian"`` or ``"leverage"``.
    kappa : float
        Denominator shift: ``k + 1`` (gaussian) or ``E[h^2]/k - 1`` (leverage).
    leverage_residual : float
        ``E[h r^2]`` (leverage) or ``k ||r||^2`` (gaussian).
    stderr : dict
        Monte Carlo standard errors of ``E[h^2]`` and ``E[h r^2]`` (leverage method; empty otherwise).
    """

    risk: float
    outside_sq: float
    estimation: float
    norm_sq: float
    k: int
    n: int
    sigma: float
    method: str
    kappa: float
    leverage_residual: float
    stderr: dict


def _check_sigma(sigma):
    return check_real("sigma", sigma, 0.0, description="target label-noise standard deviation", allow_bool=True)


def leverage_moments(W_t, c_t, W_basis, *, samples: int = 200_000, seed=None, chunk: int = 50_000,
                     rcond: float = DEFAULT_RCOND) -> dict:
    """Monte Carlo estimates of ``E[h]``, ``E[h^2]``, ``E[h r^2]`` and ``E[r^2]`` over ``x ~ N(0, I_d)``.

    ``h = phi^T K^+ phi`` is the population leverage of the basis features and ``r = f_t - a*.phi``
    the part of the target outside their span (``E[h] = rank K`` and ``E[r^2] = ||P_perp f_t||^2``
    exactly: useful checks). Returns ``{name: MCEstimate}`` with keys ``h``, ``h2``, ``hr2``, ``r2``.
    """
    Wt = np.asarray(W_t, dtype=float)
    c = np.asarray(c_t, dtype=float)
    B = np.asarray(W_basis, dtype=float)
    project_onto_span(Wt, c, B, rcond=rcond)  # validates shapes and values
    samples = check_int("samples", samples, 2)
    chunk = check_int("chunk", chunk, 1)
    rng = as_generator(seed)
    K_inv, _ = psd_pinv(gram(B), rcond)
    a_star = K_inv @ (gram(B, Wt) @ c) / len(c)
    out = {key: np.empty(samples) for key in ("h", "h2", "hr2", "r2")}
    done = 0
    while done < samples:
        m = min(chunk, samples - done)
        X = rng.standard_normal((m, Wt.shape[1]))
        F = np.maximum(X @ B.T, 0.0)
        r = np.maximum(X @ Wt.T, 0.0) @ c / len(c) - F @ a_star
        h = np.einsum("ij,ij->i", F @ K_inv, F)
        sl = slice(done, done + m)
        out["h"][sl], out["h2"][sl], out["hr2"][sl], out["r2"][sl] = h, h * h, h * r * r, r * r
        done += m
    return {key: MCEstimate(val, info={"samples": samples}) for key, val in out.items()}


def predict_linear_transfer_risk(W_t, c_t, W_basis, n: int, sigma: float = 0.0, *, method: str = "leverage",
                                 samples: int = 200_000, seed=None,
                                 rcond: float = DEFAULT_RCOND) -> LinearTransferPrediction:
    """Predict ``E[R_lt]`` of refitting the read-out on ReLU features with ``n`` samples [EXT].

    Parameters
    ----------
    W_t : array_like, shape (m*, d)
        Target teacher neurons.
    c_t : array_like, shape (m*,)
        Target read-out (``f_t = (1/m*) sum_j c_j relu(W_t[j] . x)``).
    W_basis : array_like, shape (k, d)
        Frozen feature neurons (source teacher's kept neurons, or a pretrained student's first layer).
    n : int >= k + 2
        Number of target samples (the read-out is refitted by least squares).
    sigma : float >= 0
        Target label-noise standard deviation.
    method : {"leverage", "gaussian"}
        See the module notes; ``"gaussian"`` is the §10.4 heuristic (registered
        ``linear_transfer_risk_rank_k``), ``"leverage"`` adds the non-Gaussian corrections.
    samples : int
        Monte Carlo inputs for the population constants of the leverage method.
    seed : int, numpy.random.Generator, SeedSequence or None
        For the leverage method's population constants.
    rcond : float
        Relative eigenvalue cut-off for ``K^+`` (and the effective ``k``).

    Returns
    -------
    LinearTransferPrediction

    Raises
    ------
    ValueError
        Bad inputs, unknown ``method``, or ``n < k + 2`` (the formulas are for the over-determined side;
        the leverage form also needs ``n > kappa``).
    """
    if method not in _METHODS:
        raise ValueError(f"method={method!r} is invalid: expected one of {_METHODS}")
    proj = project_onto_span(W_t, c_t, W_basis, rcond=rcond)
    n = check_int("n", n, 1)
    s = _check_sigma(sigma)
    B = np.asarray(W_basis, dtype=float)
    _, k = psd_pinv(gram(B), rcond) if B.shape[0] else (None, 0)
    if n < k + 2:
        raise ValueError(f"n={n} is out of its domain: the predictions need n >= k + 2 = {k + 2} samples")
    res = proj.outside_sq
    if method == "gaussian":
        from ftheory import get

        if proj.norm_sq > 0:
            unit = float(get("linear_transfer_risk_rank_k")(n=n, k=k, residual=min(proj.fraction, 1.0),
                                                            sigma=s / np.sqrt(proj.norm_sq)))
            risk = proj.norm_sq * unit
        else:
            risk = s ** 2 * k / (n - k - 1)
        return LinearTransferPrediction(risk=risk, outside_sq=res, estimation=risk - res, norm_sq=proj.norm_sq,
                                        k=k, n=n, sigma=s, method=method, kappa=k + 1.0,
                                        leverage_residual=k * res, stderr={})
    moments = leverage_moments(W_t, c_t, W_basis, samples=samples, seed=seed, rcond=rcond)
    kappa = moments["h2"].mean / k - 1.0
    if n <= kappa:
        raise ValueError(f"n={n} is out of its domain for method='leverage': needs n > kappa = {kappa:.3g}")
    hr2 = moments["hr2"].mean
    estimation = (s ** 2 * k + hr2) / (n - kappa)
    return LinearTransferPrediction(risk=res + estimation, outside_sq=res, estimation=estimation,
                                    norm_sq=proj.norm_sq, k=k, n=n, sigma=s, method=method, kappa=kappa,
                                    leverage_residual=hr2,
                                    stderr={"h2": moments["h2"].sem, "hr2": moments["hr2"].sem})


def simulate_relu_readout_risk(W_t, c_t, W_basis, n: int, sigma: float = 0.0, *, instances: int = 1000,
                                  seed=None) -> MCEstimate:
    """Exact-per-instance simulation of linear transfer on ReLU features (the twin of the predictions).

    Each instance draws ``n`` inputs ``x ~ N(0, I_d)`` and labels ``y = f_t(x) + sigma eps``, refits the
    read-out by ``numpy.linalg.lstsq`` (minimum norm when ``n < k``) and records the *population* excess
    risk ``||f_t - a_hat . phi||^2 = ||f_t||^2 - 2 a_hat . v + a_hat^T K a_hat`` from Gram matrices (no
    test-set noise).

    Returns
    -------
    MCEstimate
        One risk per instance.
    """
    Wt = np.asarray(W_t, dtype=float)
    c = np.asarray(c_t, dtype=float)
    B = np.asarray(W_basis, dtype=float)
    proj = project_onto_span(Wt, c, B)
    n = check_int("n", n, 1)
    s = _check_sigma(sigma)
    instances = check_int("instances", instances, 2)
    rng = as_generator(seed)
    K = gram(B)
    v = gram(B, Wt) @ c / len(c)
    out = np.empty(instances)
    for i in range(instances):
        X = rng.standard_normal((n, Wt.shape[1]))
        y = np.maximum(X @ Wt.T, 0.0) @ c / len(c) + s * rng.standard_normal(n)
        a = np.linalg.lstsq(np.maximum(X @ B.T, 0.0), y, rcond=None)[0]
        out[i] = proj.norm_sq - 2 * a @ v + a @ K @ a
    return MCEstimate(out, info={"n": n, "sigma": s, "k": int(B.shape[0])})
