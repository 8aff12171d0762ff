"""Monte Carlo twins of :mod:`ftheory.aniso`: regression with inputs ``x ~ N(0, Sigma)``.

Sigma is diagonal in the coordinates used (its eigenbasis; no loss of generality for rotation-
equivariant estimators: min-norm, ridge, the linear probe and gradient descent from ``beta_s``).
Per instance the simulators draw ``X = Z diag(sqrt(lambda))`` with ``Z`` i.i.d. N(0, 1), then the
label noise, from the instance's own child seed (the scheme of :mod:`ftheory.simulate.linear`:
results do not depend on chunking and the first ``m`` samples of a longer run are the run with
``m`` instances). The teachers are given, not drawn. Each sample is the exact excess risk
``||b - beta_t||_Sigma^2 = sum_i lambda_i (b_i - beta_t,i)^2`` of the fitted ``b``.

Simulate never imports the theory; tests compare the two.
"""
from __future__ import annotations

import math

import numpy as np

from ftheory.simulate.gamma import takes_gamma
from ftheory._checks import check_int, check_real
from ftheory.aniso.spectra import two_level_spectrum
from ftheory.simulate._random import as_generator, check_seed
from ftheory.simulate._threads import single_blas_thread
from ftheory.simulate.estimate import MCEstimate
from ftheory.simulate._linear_core import _run, _seed_info, _spectral_filter, _svd, _rmatvec
from ftheory.simulate.linear import TunedRidgeEstimate, linear_transfer_readout, min_norm, ridge

__all__ = ["sigma_data", "finetune_linear", "simulate_aniso_scratch_risk", "simulate_aniso_tuned_ridge_risk",
           "simulate_aniso_linear_transfer_risk", "simulate_aniso_finetune_linear_risk", "simulate_aniso_transfer",
           "simulate_aniso_deep_finetune", "block_teacher", "random_spectrum", "two_level_pair"]


def _dimension(arguments):
    """d of a simulator given the spectrum (gamma = n/d)."""
    return int(np.size(arguments["eigenvalues"]))


# ------------------------------------------------------------------------------------------
# validation
# ------------------------------------------------------------------------------------------
def _spectrum(eigenvalues):
    if np.iscomplexobj(eigenvalues):
        raise ValueError("eigenvalues is complex: expected real numbers (the imaginary part is not dropped silently)")
    try:
        ev = np.asarray(eigenvalues, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"eigenvalues={eigenvalues!r} is invalid: expected a one-dimensional array of "
                         "non-negative numbers") from None
    if ev.ndim != 1 or ev.size == 0:
        raise ValueError(f"eigenvalues has shape {ev.shape}: expected a non-empty one-dimensional array")
    bad = ~np.isfinite(ev) | (ev < 0)
    if np.any(bad):
        i = int(np.argmax(bad))
        raise ValueError(f"eigenvalues[{i}]={float(ev[i])!r} is out of its domain [0, inf)")
    if not ev.sum() > 0:
        raise ValueError("eigenvalues has trace 0: expected at least one positive eigenvalue")
    return ev


def _teacher(beta, d, name):
    if np.iscomplexobj(beta):
        raise ValueError(f"{name} is complex: expected real numbers (the imaginary part is not dropped silently)")
    try:
        b = np.asarray(beta, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={beta!r} is invalid: expected {d} real numbers") from None
    if b.shape != (d,) or not np.all(np.isfinite(b)):
        raise ValueError(f"{name} has shape {b.shape}: expected ({d},) finite coefficients in Sigma's eigenbasis")
    return b


def _common(eigenvalues, n, sigma, instances, chunk_size, seed):
    ev = _spectrum(eigenvalues)
    n = check_int("n", n, 1)
    sigma = check_real("sigma", sigma, 0.0, domain="[0, inf)")
    instances = check_int("instances", instances, 1)
    if chunk_size is not None:
        chunk_size = check_int("chunk_size", chunk_size, 1)
    check_seed(seed)
    return ev, n, sigma, instances, chunk_size


def _draw(ev, beta_t, n, sigma):
    root = np.sqrt(ev)

    def draw(rng):
        X = rng.standard_normal((n, ev.size)) * root
        y = X @ beta_t
        if sigma > 0:
            y = y + sigma * rng.standard_normal(n)
        return X, y
    return draw


def _risk(ev, b, beta_t):
    diff = b - beta_t
    return (diff * diff) @ ev


@takes_gamma(dimension=_dimension)
def sigma_data(eigenvalues, beta, n, *, sigma=0.0, seed=None):
    """One draw ``(X, y)``: ``X`` (n, d) with rows ``N(0, diag(eigenvalues))``, ``y = X beta + sigma eps``."""
    ev = _spectrum(eigenvalues)
    beta = _teacher(beta, ev.size, "beta")
    n = check_int("n", n, 1)
    sigma = check_real("sigma", sigma, 0.0, domain="[0, inf)")
    return _draw(ev, beta, n, sigma)(as_generator(seed))


def finetune_linear(X, y, beta_s):
    """Limit of gradient descent on ``(1/n)||y - X b||^2`` started at ``beta_s``: ``beta_s + X^+ (y - X beta_s)``
    (batched like :func:`ftheory.simulate.linear.min_norm`)."""
    beta_s = np.asarray(beta_s, dtype=float)
    X = np.asarray(X, dtype=float)
    resid = np.asarray(y, dtype=float) - np.matmul(X, beta_s[..., None])[..., 0]
    return beta_s + min_norm(X, resid)


# ------------------------------------------------------------------------------------------
# simulators
# ------------------------------------------------------------------------------------------
@takes_gamma(dimension=_dimension)
@single_blas_thread
def simulate_aniso_scratch_risk(eigenvalues, beta_t, n, sigma, *, lam=0.0, instances=200, seed=None, chunk_size=None):
    """Monte Carlo ``||b - beta_t||_Sigma^2`` of min-norm (``lam = 0``) or ridge regression from scratch.

    Twin of :func:`ftheory.aniso.scratch_risk`. Ridge minimises ``(1/n)||y - X b||^2 + lam ||b||^2``.
    Returns :class:`~ftheory.simulate.estimate.MCEstimate`.
    """
    ev, n, sigma, instances, chunk_size = _common(eigenvalues, n, sigma, instances, chunk_size, seed)
    beta_t = _teacher(beta_t, ev.size, "beta_t")
    lam = check_real("lam", lam, 0.0, domain="[0, inf)")

    def compute(X, y):
        return {"risk": _risk(ev, ridge(X, y, lam), beta_t)}

    out = _run(instances, seed, chunk_size, n * ev.size, _draw(ev, beta_t, n, sigma), compute)
    return MCEstimate(out["risk"], info={"estimator": "ridge" if lam else "min_norm", "n": n, "d": ev.size,
                                         "sigma": sigma, "lam": lam, **_seed_info(seed)})


@takes_gamma(dimension=_dimension)
@single_blas_thread
def simulate_aniso_tuned_ridge_risk(eigenvalues, beta_t, n, sigma, lams, *, instances=200, seed=None, chunk_size=None):
    """Ridge risks over a penalty grid on the same data (one SVD per instance); ``.best_mean`` is the
    tuned baseline (biased low by the selection). Same draws as :func:`simulate_aniso_scratch_risk`."""
    ev, n, sigma, instances, chunk_size = _common(eigenvalues, n, sigma, instances, chunk_size, seed)
    beta_t = _teacher(beta_t, ev.size, "beta_t")
    given = lams
    lams = np.atleast_1d(np.asarray(lams, dtype=float))
    if lams.ndim != 1 or lams.size == 0 or not np.all(np.isfinite(lams)) or np.any(lams < 0) \
            or np.asarray(given).dtype.kind == "b" or any(isinstance(v, (bool, np.bool_)) for v in np.ravel(np.asarray(given, dtype=object))):
        raise ValueError(f"lams={given!r} is invalid: expected a non-empty one-dimensional grid of numbers >= 0")
    rcond = max(n, ev.size) * np.finfo(float).eps

    def compute(X, y):
        U, s, Vt = _svd(X)
        Uty = _rmatvec(U, y)
        risks = np.empty((X.shape[0], lams.size))
        for j, lam in enumerate(lams):
            risks[:, j] = _risk(ev, _rmatvec(Vt, _spectral_filter(s, n, float(lam), rcond) * Uty), beta_t)
        return {"risk": risks}

    out = _run(instances, seed, chunk_size, n * ev.size, _draw(ev, beta_t, n, sigma), compute)
    base = {"estimator": "ridge", "n": n, "d": ev.size, "sigma": sigma, **_seed_info(seed)}
    return TunedRidgeEstimate(lams=lams.copy(), estimates=tuple(
        MCEstimate(out["risk"][:, j], info={**base, "lam": float(lam)}) for j, lam in enumerate(lams)))


def _pair(eigenvalues, beta_s, beta_t, n, sigma, instances, chunk_size, seed):
    ev, n, sigma, instances, chunk_size = _common(eigenvalues, n, sigma, instances, chunk_size, seed)
    beta_s = _teacher(beta_s, ev.size, "beta_s")
    beta_t = _teacher(beta_t, ev.size, "beta_t")
    if not (beta_s ** 2) @ ev > 0:
        raise ValueError("beta_s has ||beta_s||_Sigma = 0: the feature x.beta_s is identically zero")
    return ev, beta_s, beta_t, n, sigma, instances, chunk_size


@takes_gamma(dimension=_dimension)
@single_blas_thread
def simulate_aniso_linear_transfer_risk(eigenvalues, beta_s, beta_t, n, sigma, *, instances=200, seed=None,
                                  chunk_size=None):
    """Monte Carlo risk of refitting one read-out coefficient by least squares on the feature ``x.beta_s``.

    Twin of :func:`ftheory.aniso.linear_transfer_risk` (exact at finite ``n``). Same draws as
    :func:`simulate_aniso_scratch_risk` and :func:`simulate_aniso_transfer` for the same seed.
    """
    ev, beta_s, beta_t, n, sigma, instances, chunk_size = _pair(eigenvalues, beta_s, beta_t, n, sigma,
                                                                instances, chunk_size, seed)

    def compute(X, y):
        return {"risk": _risk(ev, linear_transfer_readout(X, y, beta_s), beta_t)}

    out = _run(instances, seed, chunk_size, n * ev.size, _draw(ev, beta_t, n, sigma), compute)
    return MCEstimate(out["risk"], info={"estimator": "linear_transfer", "n": n, "d": ev.size, "sigma": sigma,
                                         **_seed_info(seed)})


@takes_gamma(dimension=_dimension)
@single_blas_thread
def simulate_aniso_finetune_linear_risk(eigenvalues, beta_s, beta_t, n, sigma, *, instances=200, seed=None,
                                  chunk_size=None):
    """Monte Carlo risk of a linear model fine-tuned from ``beta_s`` (gradient descent to convergence,
    computed as its limit :func:`finetune_linear`). Twin of :func:`ftheory.aniso.finetune_linear_risk`."""
    ev, beta_s, beta_t, n, sigma, instances, chunk_size = _pair(eigenvalues, beta_s, beta_t, n, sigma,
                                                                instances, chunk_size, seed)

    def compute(X, y):
        return {"risk": _risk(ev, finetune_linear(X, y, beta_s), beta_t)}

    out = _run(instances, seed, chunk_size, n * ev.size, _draw(ev, beta_t, n, sigma), compute)
    return MCEstimate(out["risk"], info={"estimator": "finetune_linear", "n": n, "d": ev.size, "sigma": sigma,
                                         **_seed_info(seed)})


@takes_gamma(dimension=_dimension)
@single_blas_thread
def simulate_aniso_transfer(eigenvalues, beta_s, beta_t, n, sigma, *, instances=200, seed=None, chunk_size=None):
    """Scratch (min-norm), linear transfer and linear fine-tuning on the same data, with the per-instance
    transferabilities ``T = R_sc - R_transfer`` (common random numbers shrink their standard errors).

    Returns ``{"scratch", "linear_transfer", "finetune", "T_lt", "T_ft"}`` of MCEstimate.
    """
    ev, beta_s, beta_t, n, sigma, instances, chunk_size = _pair(eigenvalues, beta_s, beta_t, n, sigma,
                                                                instances, chunk_size, seed)

    def compute(X, y):
        sc = _risk(ev, min_norm(X, y), beta_t)
        lt = _risk(ev, linear_transfer_readout(X, y, beta_s), beta_t)
        ft = _risk(ev, finetune_linear(X, y, beta_s), beta_t)
        return {"sc": sc, "lt": lt, "ft": ft}

    out = _run(instances, seed, chunk_size, n * ev.size, _draw(ev, beta_t, n, sigma), compute)
    info = {"n": n, "d": ev.size, "sigma": sigma, **_seed_info(seed)}
    return {"scratch": MCEstimate(out["sc"], info=info), "linear_transfer": MCEstimate(out["lt"], info=info),
            "finetune": MCEstimate(out["ft"], info=info), "T_lt": MCEstimate(out["sc"] - out["lt"], info=info),
            "T_ft": MCEstimate(out["sc"] - out["ft"], info=info)}


@takes_gamma(dimension=_dimension)
def simulate_aniso_deep_finetune(eigenvalues, beta_s, beta_t, n, sigma, *, depth=2, instances=20, seed=None,
                           lr=None, max_steps=200_000, tol=1e-10, method="gd"):
    """Fine-tune a depth-``L`` linear network from the balanced rank-one state with end-to-end vector
    ``beta_s`` on ``x ~ N(0, Sigma)`` data (:func:`ftheory.simulate.deep_linear.finetune`).

    Returns ``{"deep": MCEstimate (risk of the network), "linear": MCEstimate (the linear fine-tune on the
    same data), "scale": MCEstimate}`` where the per-instance scale is
    ``c = <(I-P) beta_s, beta_ft - X^+ y> / ||(I-P) beta_s||^2`` (``P`` the row-space projector; ``nan``
    for ``n >= d``) and ``info["null_leak"]`` is the largest relative part of ``beta_ft - X^+ y`` that is
    not along ``(I-P) beta_s`` (0 if the structure ``beta_ft = beta_sc + c (I-P) beta_s`` holds).
    """
    from ftheory.simulate import deep_linear as dl
    from ftheory.simulate._random import spawn_seeds

    ev, beta_s, beta_t, n, sigma, instances, _ = _pair(eigenvalues, beta_s, beta_t, n, sigma, instances,
                                                       None, seed)
    depth = check_int("depth", depth, 2)
    children = spawn_seeds(seed, instances)
    draw = _draw(ev, beta_t, n, sigma)
    data = [draw(np.random.default_rng(c)) for c in children]
    X = np.stack([a for a, _ in data])
    y = np.stack([b for _, b in data])
    net = dl.pretrained_state(np.broadcast_to(beta_s, (instances, ev.size)), depth=depth,
                              seed=np.random.default_rng(children[0].spawn(1)[0]) if instances else None)
    res = dl.finetune(net, X, y, lr=lr, max_steps=max_steps, tol=tol, method=method)
    beta_ft = res.beta
    beta_sc = min_norm(X, y)
    lin = finetune_linear(X, y, beta_s)
    scale = np.full(instances, math.nan)
    leak = 0.0
    if n < ev.size:
        P_bs = np.stack([np.linalg.pinv(Xi) @ (Xi @ beta_s) for Xi in X])
        null = beta_s - P_bs
        delta = beta_ft - beta_sc
        nn = np.einsum("bd,bd->b", null, null)
        scale = np.einsum("bd,bd->b", null, delta) / nn
        rest = delta - scale[:, None] * null
        leak = float(np.max(np.linalg.norm(rest, axis=1) / np.maximum(np.linalg.norm(delta, axis=1), 1e-300)))
    info = {"n": n, "d": ev.size, "sigma": sigma, "depth": depth, "method": method, "null_leak": leak,
            "steps_max": int(np.max(res.steps)), **_seed_info(seed)}
    return {"deep": MCEstimate(_risk(ev, beta_ft, beta_t), converged=res.converged, info=info),
            "linear": MCEstimate(_risk(ev, lin, beta_t), info=info),
            "scale": MCEstimate(scale, converged=res.converged, info=info)}


# ------------------------------------------------------------------------------------------
# random problem generators (seeded)
# ------------------------------------------------------------------------------------------
def block_teacher(d, m, energy_a, *, norm=1.0, seed=None):
    """A teacher with a fraction ``energy_a`` of its squared norm on the first ``m`` coordinates, in a
    uniformly random direction within each block; Euclidean norm ``norm``."""
    d = check_int("d", d, 2)
    m = check_int("m", m, 1)
    if m >= d:
        raise ValueError(f"m={m!r} is invalid: expected an integer in [1, d - 1] with d={d}")
    energy_a = check_real("energy_a", energy_a, 0.0, 1.0)
    norm = check_real("norm", norm, 0.0)
    g = as_generator(seed).standard_normal(d)
    out = np.empty(d)
    out[:m] = g[:m] / np.linalg.norm(g[:m]) * math.sqrt(energy_a)
    out[m:] = g[m:] / np.linalg.norm(g[m:]) * math.sqrt(1.0 - energy_a)
    return norm * out


def random_spectrum(d, *, seed=None):
    """A spectrum drawn at random: the eigenvalues of a Wishart matrix ``W W^T / (2d)``, ``W`` a ``d x 2d``
    Gaussian matrix, times log-normal factors ``exp(N(0, 1))``, normalised to trace ``d`` (descending)."""
    d = check_int("d", d, 1)
    rng = as_generator(seed)
    W = rng.standard_normal((d, 2 * d))
    ev = np.linalg.eigvalsh(W @ W.T / (2 * d)) * np.exp(rng.standard_normal(d))
    ev = np.sort(ev)[::-1]
    return ev * (d / ev.sum())


def two_level_pair(d, frac_a, eig_ratio, theta, energy_s, energy_perp, *, norm_s=1.0, norm_t=1.0, seed=None):
    """The two-level problem of the registered ``aniso2_*`` results, drawn at dimension ``d``.

    Returns ``(eigenvalues, beta_s, beta_t)``: ``m = round(frac_a d)`` eigenvalues ``a``, the rest ``b``
    (``a/b = eig_ratio``, trace ``d``); ``beta_s = norm_s u_s`` and ``beta_t = norm_t (cos theta u_s +
    sin theta u_perp)`` with unit ``u_s``, ``u_perp`` putting fractions ``energy_s``, ``energy_perp`` of their
    squared norm on the ``a``-block, random within each block and orthogonal to ``u_s`` within each block.
    """
    d = check_int("d", d, 4)
    ev, m = two_level_spectrum(d, frac_a, eig_ratio)
    theta = check_real("theta", theta, 0.0, math.pi, domain="[0, pi]")
    energy_s = check_real("energy_s", energy_s, 0.0, 1.0)
    energy_perp = check_real("energy_perp", energy_perp, 0.0, 1.0)
    norm_s = check_real("norm_s", norm_s, 0.0, low_open=True, domain="(0, inf)")
    norm_t = check_real("norm_t", norm_t, 0.0, low_open=True, domain="(0, inf)")
    if not 2 <= m <= d - 2:
        raise ValueError(f"frac_a={frac_a!r} is invalid for d={d}: round(frac_a d) = {m} must be in [2, d - 2]")
    rng = as_generator(seed)
    g = rng.standard_normal((2, d))
    u = np.empty((2, d))
    for blk in (slice(0, m), slice(m, d)):
        x, y = g[0, blk], g[1, blk]
        x = x / np.linalg.norm(x)
        y = y - (y @ x) * x
        u[0, blk], u[1, blk] = x, y / np.linalg.norm(y)
    u_s = np.concatenate([u[0, :m] * math.sqrt(energy_s), u[0, m:] * math.sqrt(1 - energy_s)])
    u_p = np.concatenate([u[1, :m] * math.sqrt(energy_perp), u[1, m:] * math.sqrt(1 - energy_perp)])
    return ev, norm_s * u_s, norm_t * (math.cos(theta) * u_s + math.sin(theta) * u_p)
