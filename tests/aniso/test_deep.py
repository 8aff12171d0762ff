"""Deep linear networks fine-tuned from the balanced rank-one state on anisotropic inputs: the
anisotropic null-space scale c (deterministic equivalents of a and b in the scale equation) and the
predicted risk against gradient-flow simulations (ftheory.simulate.deep_linear with x ~ N(0, Sigma)).

Measured (this configuration, 8 instances, gradient flow): depth 2 c = 1.087 +- 0.022 (theory 1.0895),
risk 0.694 +- 0.039 (theory 0.681; the linear fine-tune, c = 1, gives 0.636); depth 3 c = 1.137 +- 0.035
(theory 1.139), risk 0.730 +- 0.046 (theory 0.709).
"""
import numpy as np
import pytest

from ftheory import aniso as A
from ftheory.simulate import aniso as S


@pytest.mark.slow
def test_anisotropic_scale_and_risk_of_the_deep_network():
    d, n, sigma = 120, 48, 0.5
    ev, m = A.two_level_spectrum(d, 0.25, 4.0)
    rng = np.random.default_rng(0)
    bs = rng.standard_normal(d)
    bs /= np.linalg.norm(bs)
    bt = 0.6 * bs + 0.8 * S.block_teacher(d, m, 0.8, seed=1)
    res = S.simulate_aniso_deep_finetune(ev, bs, bt, n, sigma, depth=2, instances=8, seed=2, method="flow",
                                   max_steps=2000)
    assert res["deep"].all_converged
    # the structure beta_ft = beta_sc + c (I - P) beta_s holds up to the flow's tolerance
    assert res["deep"].info["null_leak"] < 1e-3
    c = A.finetune_deep_scale(ev, bs, bt, n, sigma, depth=2)
    assert abs(res["scale"].zscore(c)) < 4
    assert abs(res["deep"].zscore(A.finetune_deep_risk(ev, bs, bt, n, sigma, depth=2))) < 4
    assert abs(res["linear"].zscore(A.finetune_linear_risk(ev, bs, bt, n, sigma))) < 4
    # the scale is not 1 here: the network keeps more of the source than the linear fine-tune
    assert c > 1 + 4 * res["scale"].sem
