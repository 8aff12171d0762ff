"""Monte Carlo risk of linear transfer from a min-norm source estimate fitted on a finite source set
(docs/background.md §7); re-exported by :mod:`ftheory.simulate.linear`."""
from __future__ import annotations

from ftheory.simulate.gamma import n_from_gamma, takes_gamma
from ftheory.mc.batch import inner, sq_dist
from ftheory.mc.estimate import MCEstimate
from ftheory.mc.threads import single_blas_thread
from ftheory.params import PARAMS
from ftheory.simulate._linear_core import _run, _seed_info, _validate_transfer
from ftheory.simulate.data import gaussian_data, teachers
from ftheory.simulate.linear_estimators import linear_transfer_readout, min_norm

__all__ = ["simulate_linear_transfer_finite_source"]


@takes_gamma()
@single_blas_thread
def simulate_linear_transfer_finite_source(n, d, theta, sigma, gamma_s, sigma_s, *, lam=0.0,
                                           norm_s=1.0, norm_t=1.0, depth=2, instances=200, seed=None,
                                           chunk_size=None):
    """Monte Carlo linear-transfer risk with a finite source set (docs/background.md §2.5, §7.1, §7.3).

    Per instance, in this order: teachers (angle ``theta``), ``n_s = round(gamma_s * d)`` source
    samples ``y_s = X_s beta_s + sigma_s eps_s``, then the target data. Pretraining returns
    ``beta_hat_s = X_s^+ y_s`` (§2.5) and the pretrained network is the balanced rank-one state
    with ``beta_hat_s`` in place of ``beta_s``: feature direction ``beta_hat_s/||beta_hat_s||``,
    ``lam_eff = lam / ||beta_hat_s||^{2(L-1)/L}``. The sample is ``||beta_lt - beta_t||^2``.

    Parameters
    ----------
    n : int >= 1
    d : int >= 2
    theta : float in [0, pi]
    sigma : float >= 0
        Target noise.
    gamma_s : float > 0
        Source samples per dimension; ``round(gamma_s * d)`` must be >= 1.
    sigma_s : float >= 0
        Source noise.
    lam : float >= 0, keyword-only
    norm_s, norm_t : float > 0, keyword-only
    depth : int >= 2, keyword-only
    instances : int >= 1, keyword-only
    seed : int >= 0, Generator, SeedSequence or None, keyword-only
    chunk_size : int >= 1 or None, keyword-only
        Default keeps ``chunk * (n + n_s) * d <= 2e7``.

    Returns
    -------
    MCEstimate
        Linear-transfer excess risk samples. ``info`` holds, for comparison with §7.1:
        ``"n_s"``; ``"source_norm_sq"`` and ``"source_norm_sq_sem"`` (mean and standard error of
        ``||beta_hat_s||^2``); ``"source_overlap"`` and ``"source_overlap_sem"`` (of
        ``<beta_t, beta_hat_s>``); and the per-instance arrays ``"source_norm_sq_samples"``,
        ``"source_overlap_samples"``.

    Examples
    --------
    >>> est = simulate_linear_transfer_finite_source(20, 40, 0.3, 0.2, 0.5, 0.2, instances=20, seed=0)
    >>> est.info["n_s"], isinstance(est.info["source_norm_sq"], float)
    (20, True)
    """
    n, d, theta, sigma, lam, norm_s, norm_t, depth, instances, chunk_size = _validate_transfer(
        n, d, theta, sigma, lam, norm_s, norm_t, depth, instances, chunk_size, seed)
    gamma_s = float(PARAMS["gamma_s"].validate(gamma_s))
    sigma_s = float(PARAMS["sigma_s"].validate(sigma_s))
    n_s = n_from_gamma(gamma_s, d, name="gamma_s", count="n_s")
    exponent = (depth - 1) / depth

    def draw(rng):
        t = teachers(d, theta, instances=1, norm_s=norm_s, norm_t=norm_t, seed=rng)
        X_s, y_s = gaussian_data(t.beta_s, n_s, sigma=sigma_s, seed=rng)
        X, y = gaussian_data(t.beta_t, n, sigma=sigma, seed=rng)
        return t.beta_t[0], X_s[0], y_s[0], X[0], y[0]

    def compute(beta_t, X_s, y_s, X, y):
        beta_hat_s = min_norm(X_s, y_s)
        norm_sq = sq_dist(beta_hat_s)
        overlap = inner(beta_t, beta_hat_s)
        beta = linear_transfer_readout(X, y, beta_hat_s, lam, scale=norm_sq ** (exponent / 2))
        return {"risk": sq_dist(beta, beta_t), "norm_sq": norm_sq, "overlap": overlap}

    out = _run(instances, seed, chunk_size, (n + n_s) * d, draw, compute)
    norm_est, overlap_est = MCEstimate(out["norm_sq"]), MCEstimate(out["overlap"])
    info = {"estimator": "linear_transfer_finite_source", "n": n, "d": d, "theta": theta, "sigma": sigma,
            "gamma_s": gamma_s, "sigma_s": sigma_s, "n_s": n_s, "lam": lam, "norm_s": norm_s,
            "norm_t": norm_t, "depth": depth,
            "source_norm_sq": norm_est.mean, "source_norm_sq_sem": norm_est.sem,
            "source_overlap": overlap_est.mean, "source_overlap_sem": overlap_est.sem,
            "source_norm_sq_samples": out["norm_sq"], "source_overlap_samples": out["overlap"],
            **_seed_info(seed)}
    return MCEstimate(out["risk"], info=info)
