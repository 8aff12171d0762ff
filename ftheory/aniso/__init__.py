"""Transfer theory with structured input covariance (issue 15): x ~ N(0, Sigma), arbitrary spectra.

Everything is written in Sigma's eigenbasis: ``eigenvalues`` (length d) and teachers as coefficient
vectors. Risks are ``E||b - beta_t||_Sigma^2``. See docs/aniso.md.

>>> import numpy as np
>>> from ftheory.aniso import scratch_risk, linear_transfer_risk, finetune_linear_risk
"""
from ftheory.aniso.scratch import (TunedRidge, effective_regularisation, projection_weights, risk_weights_many,
                                   scratch_risk, scratch_risk_de, tuned_ridge)
from ftheory.aniso.spectra import (eigenbasis, normalise_spectrum, power_law_spectrum, power_law_teacher,
                                   two_level_spectrum, window_pair)
from ftheory.aniso.transfer import (finetune_deep_risk, finetune_deep_scale, finetune_linear_risk,
                                    linear_transfer_risk, sigma_cosine, transferability)

__all__ = ["scratch_risk", "scratch_risk_de", "tuned_ridge", "TunedRidge", "effective_regularisation",
           "projection_weights", "risk_weights_many", "linear_transfer_risk", "finetune_linear_risk",
           "finetune_deep_scale", "finetune_deep_risk", "sigma_cosine", "transferability", "eigenbasis",
           "normalise_spectrum", "power_law_spectrum", "two_level_spectrum", "power_law_teacher", "window_pair"]
