"""Canonical SymPy symbols for the theory modules (from :mod:`ftheory.params`)."""
from ftheory.params import PARAMS

gamma = PARAMS["gamma"].symbol
theta = PARAMS["theta"].symbol
sigma = PARAMS["sigma"].symbol
lam = PARAMS["lam"].symbol
n = PARAMS["n"].symbol
d = PARAMS["d"].symbol
gamma_s = PARAMS["gamma_s"].symbol
sigma_s = PARAMS["sigma_s"].symbol
depth = PARAMS["depth"].symbol
norm_s = PARAMS["norm_s"].symbol
norm_t = PARAMS["norm_t"].symbol
mu = PARAMS["mu"].symbol
k = PARAMS["k"].symbol
residual = PARAMS["residual"].symbol
u = PARAMS["u"].symbol
norm_w = PARAMS["norm_w"].symbol
norm_v = PARAMS["norm_v"].symbol
ell = PARAMS["ell"].symbol
frac_a = PARAMS["frac_a"].symbol
eig_ratio = PARAMS["eig_ratio"].symbol
energy_t = PARAMS["energy_t"].symbol
energy_s = PARAMS["energy_s"].symbol
energy_perp = PARAMS["energy_perp"].symbol
