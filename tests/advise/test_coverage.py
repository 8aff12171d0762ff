"""Light coverage check of the 95% intervals (the full study: benchmarks/advisor_coverage.py)."""
import math

import numpy as np
import pytest

from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.predict import isotropic_risk
from ftheory.advise.report import _risk_interval
from ftheory.advise.synthetic import make_task

REPS = 200
# 3 binomial standard errors around 0.95 at 200 replications: [0.904, 0.996]
TOL = 3 * math.sqrt(0.95 * 0.05 / REPS)


@pytest.mark.slow
def test_intervals_cover_about_95_percent():
    d, n = 24, 36
    task = make_task(d, 0.7, 0.6, seed=11)
    tr = task.truth()
    p_true = np.array([tr["signal"], tr["noise_variance"], tr["overlap_inner"], tr["source_signal"]])
    rng = np.random.default_rng(12)
    names = ("noise_variance", "signal", "overlap")
    hits = dict.fromkeys(names + ("scratch_min_norm", "linear_transfer"), 0)
    for _ in range(REPS):
        X, y = task.sample(n, rng)
        prep = prepare(X, y, X @ task.beta_s)
        pe = estimate_parameters(prep)
        for k in names:
            hits[k] += pe.interval(k).covers(tr[k])
        m = prep.X.shape[0]
        for proc in ("scratch_min_norm", "linear_transfer"):
            f = (lambda q, proc=proc: isotropic_risk(proc, m, d, q))
            f.linear = proc == "scratch_min_norm"
            hits[proc] += _risk_interval(pe, f).covers(isotropic_risk(proc, m, d, p_true))
    cover = {k: v / REPS for k, v in hits.items()}
    assert all(abs(c - 0.95) <= TOL for c in cover.values()), cover


@pytest.mark.slow
@pytest.mark.parametrize("d, n, theta, sigma, spectrum", [(40, 12, 1.3, 1.0, None)])
def test_estimate_intervals_cover_small_n_and_anisotropic(d, n, theta, sigma, spectrum):
    """n < d near orthogonality (the boundary regime); ``spectrum="power"`` passes 10 d unlabeled rows
    (not parametrised yet: not run to completion on the loaded machine)."""
    ev = None if spectrum is None else np.arange(1, d + 1) ** -1.0
    task = make_task(d, theta, sigma, eigenvalues=ev, seed=21)
    tr = task.truth()
    rng = np.random.default_rng(22)
    names = ("noise_variance", "signal", "overlap")
    hits = dict.fromkeys(names, 0)
    for _ in range(REPS):
        X, y = task.sample(n, rng)
        U = None if ev is None else task.sample(10 * d, rng)[0]
        pe = estimate_parameters(prepare(X, y, X @ task.beta_s, U))
        for k in names:
            iv = pe.interval(k)
            assert iv.low <= iv.value <= iv.high
            hits[k] += iv.covers(tr[k])
    cover = {k: v / REPS for k, v in hits.items()}
    assert all(abs(c - 0.95) <= TOL for c in cover.values()), cover
