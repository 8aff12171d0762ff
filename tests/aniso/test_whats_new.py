"""What structured covariance changes: the same pair of teachers (same Euclidean angle) is helped by
linear transfer on one spectrum and hurt on another, in theory and in simulation."""
import numpy as np

from ftheory import aniso as A
from ftheory.simulate import aniso as S


def test_same_euclidean_angle_helps_on_one_spectrum_and_hurts_on_another():
    d, n, sigma = 200, 40, 0.2
    ev = A.power_law_spectrum(d, 1.0)
    bs, bt = A.window_pair(ev, 0.0)          # beta_t - beta_s on the first 10% of the coordinates
    cos = bs @ bt / np.linalg.norm(bs) / np.linalg.norm(bt)
    assert 0.8 < cos < 0.9                   # one Euclidean angle for both spectra
    forward, backward = ev, ev[::-1].copy()  # large eigenvalues on the difference / on the rest
    T_fwd = A.transferability(forward, bs, bt, n, sigma)["linear_transfer"]
    T_bwd = A.transferability(backward, bs, bt, n, sigma)["linear_transfer"]
    assert T_fwd < 0 < T_bwd
    # what moves is the Sigma-norm of the target's part outside the feature (n -> oo risk of the probe),
    # relative to what scratch achieves: it is over 30x larger when the difference sits on large eigenvalues
    big_n = 10 ** 9
    assert A.linear_transfer_risk(forward, bs, bt, big_n, 0) > 30 * A.linear_transfer_risk(backward, bs, bt, big_n, 0)
    sim_fwd = S.simulate_aniso_transfer(forward, bs, bt, n, sigma, instances=40, seed=0)["T_lt"]
    sim_bwd = S.simulate_aniso_transfer(backward, bs, bt, n, sigma, instances=40, seed=1)["T_lt"]
    assert sim_fwd.mean + 4 * sim_fwd.sem < 0 < sim_bwd.mean - 4 * sim_bwd.sem
    # and the simulations agree with the theory (finite-d bias allowance 2%, see test_mc.py)
    for sim, th in ((sim_fwd, T_fwd), (sim_bwd, T_bwd)):
        assert abs(sim.mean - th) <= 4 * sim.sem + 0.02 * abs(th) + 0.02 * A.scratch_risk(forward, bt, n, sigma)
