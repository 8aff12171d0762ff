"""Complex inputs to ftheory.aniso are a ValueError naming the argument (numpy would otherwise drop the
imaginary part with only a ComplexWarning and return a number for a different input)."""
import numpy as np
import pytest

from ftheory import aniso

EV = np.array([1.5, 1.0, 1.0, 0.5])
BT = np.array([0.5, 0.5, 0.5, 0.5])
BS = np.array([1.0, 0.0, 0.0, 0.0])


@pytest.mark.parametrize("call, name", [
    (lambda: aniso.scratch_risk(EV + 0j, BT, 10, 0.2), "eigenvalues"),
    (lambda: aniso.scratch_risk(EV, BT + 1e-3j, 10, 0.2), "beta_t"),
    (lambda: aniso.scratch_risk(EV, BT, 10 + 0j, 0.2), "n"),
    (lambda: aniso.scratch_risk(EV, BT, 10, 0.2 + 0.1j), "sigma"),
    (lambda: aniso.scratch_risk(EV, BT, 3, 0.2, lam=0.1 + 0j), "lam"),
    (lambda: aniso.linear_transfer_risk(EV, BS + 0j, BT, 10, 0.2), "beta_s"),
    (lambda: aniso.finetune_linear_risk(EV, BS, BT, 10, np.complex128(0.2)), "sigma"),
])
def test_complex_input_is_a_value_error_naming_it(call, name):
    with pytest.raises(ValueError, match=rf"^{name} is complex"):
        call()


def test_real_input_still_evaluates():
    # n > d, isotropic up to the spectrum: exact mean of the least-squares risk is sigma^2 tr/(n - d - 1)
    assert aniso.scratch_risk(np.ones(4), BT, 10, 0.2) == pytest.approx(0.04 * 4 / 5, rel=1e-14)


def test_simulators_reject_complex_spectra_and_teachers():
    from ftheory.simulate import aniso as sim

    with pytest.raises(ValueError, match="^eigenvalues is complex"):
        sim.simulate_aniso_scratch_risk(EV + 0j, BT, 10, 0.2, instances=2, seed=0)
    with pytest.raises(ValueError, match="^beta_t is complex"):
        sim.simulate_aniso_scratch_risk(EV, BT + 0j, 10, 0.2, instances=2, seed=0)
    with pytest.raises(ValueError, match="^beta_s is complex"):
        sim.simulate_aniso_linear_transfer_risk(EV, BS + 1j, BT, 10, 0.2, instances=2, seed=0)
