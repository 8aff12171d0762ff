"""The batched solves of the anisotropic advisor's simulated pools give bit for bit the numbers of one spectrum at a
time: ``_kappa_many`` against ``effective_regularisation``, ``risk_weights_many`` against two ``scratch_risk``
calls, ``resolvent_weights_many`` against ``resolvent_weights``."""
import numpy as np
import pytest

from ftheory.advise.sigma_debias import resolvent_weights, resolvent_weights_many
from ftheory.aniso import effective_regularisation, scratch_risk
from ftheory.aniso.scratch import _kappa_many, risk_weights_many


def _spectra(d, k, seed):
    rng = np.random.default_rng(seed)
    base = np.arange(1, d + 1) ** -1.0
    return [base * np.exp(0.3 * rng.standard_normal(d)) for _ in range(k)]


@pytest.mark.parametrize("d", [1, 7, 40])
def test_batched_solves_equal_one_spectrum_at_a_time(d):
    evs = _spectra(d, 5, d)
    ns = np.array([1, 2, d // 2 + 1, d, d + 1, 3 * d + 5])[:, None]
    lams = np.r_[0.0, np.geomspace(1e-8, 1e3, 9)][None, :]
    kaps = _kappa_many(evs, ns.astype(float), lams)
    for ev, kap, (W, V) in zip(evs, kaps, risk_weights_many(evs, ns, lams)):
        assert np.array_equal(kap, effective_regularisation(ev, ns, lams))
        with np.errstate(all="ignore"):
            W1 = scratch_risk(ev, np.eye(d), ns[..., None], 0.0, lams[..., None])
            V1 = scratch_risk(ev, np.zeros(d), ns, 1.0, lams)
        assert np.array_equal(W, W1, equal_nan=True) and np.array_equal(V, V1, equal_nan=True)
    N = 4 * d + 4
    for ev, k in zip(evs, resolvent_weights_many(evs, N, ns, lams)):
        assert np.array_equal(k, resolvent_weights(ev, N, ns, lams))
    if d == 1:
        return
    # a spectrum with fewer positive eigenvalues is solved on its own, with the same numbers
    ev0 = np.r_[evs[0][:-1], 0.0]
    for ev, kap in zip([evs[1], ev0], _kappa_many([evs[1], ev0], ns.astype(float), lams)):
        assert np.array_equal(kap, effective_regularisation(ev, ns, lams))


def test_batched_resolvent_weights_refuse_spectra_of_different_sizes():
    with pytest.raises(ValueError, match=r"evs has spectra of sizes \[3, 4\]"):
        resolvent_weights_many([np.ones(3), np.ones(4)], 20, 5, 0.1)
    with pytest.raises(ValueError, match=r"evs=\[\] is invalid"):
        resolvent_weights_many([], 20, 5, 0.1)


def test_risk_weights_many_are_the_risks_linear_weights_and_check_their_input():
    """``W @ beta**2 + V sigma**2`` is ``scratch_risk`` for a teacher and noise that the weights never saw;
    an empty list or a bare spectrum is a ValueError naming it."""
    rng = np.random.default_rng(3)
    ev = np.sort(rng.uniform(0.2, 3.0, 12))[::-1]
    beta, sigma, n, lam = rng.normal(size=12), 0.7, np.array([5.0, 30.0]), np.array([0.0, 0.3])
    (W, V), = risk_weights_many([ev], n, lam)
    for k in range(2):
        want = scratch_risk(ev, beta, n[k], sigma, lam[k])
        assert abs(W[k] @ beta**2 + V[k] * sigma**2 - want) <= 64 * np.finfo(float).eps * want  # a d-term sum
    with pytest.raises(ValueError, match="spectra"):
        risk_weights_many([], n, lam)
    with pytest.raises(ValueError, match="eigenvalues"):
        risk_weights_many(ev, n, lam)
