"""Derivation: four independent exact statistics of the isotropic regression (the option
``bands.score_region(residual=...)``).

Run ``python derivations/band_regression.py`` (``--quiet`` for checks only).

Model: rows ``x_i ~ N(0, Sigma)`` (``n`` rows after centring, rank ``d < n``), ``y = X beta + eps``,
``eps ~ N(0, sigma^2 I)``, ``z = X beta_s``; ``p = (tau^2, sigma^2, rho, r^2)`` in Sigma-norms. Split
``beta = (rho/r^2) beta_s + beta_perp`` with ``beta_perp' Sigma beta_s = 0``: ``X beta_perp`` is
``N(0, e0 I)``, ``e0 = tau^2 - rho^2/r^2``, independent of ``z``. Let ``S = span(X) - span(z)`` (dimension
``d - 1``), ``RSS = |(I - P_X) y|^2``, ``RSS_z = |y|^2 - (y'z)^2/|z|^2``, ``D = RSS_z - RSS = |P_S y|^2``.

1. ``|z|^2 = r^2 chi2_n``.
2. Given ``z``: ``y'z/|z| = (rho/r^2)|z| + (X beta_perp + eps)'z/|z| ~ N((rho/r^2)|z|, e0 + sigma^2)``.
3. ``RSS/sigma^2 ~ chi2_{n-d}`` (eps projected off span(X)).
4. ``P_S y = v + w`` with ``v = (I - P_z) X beta_perp`` (in S, ``|v|^2 ~ e0 chi2_{n-1}``, independent of
   ``z`` and of ``z'X beta_perp``) and ``w = P_S eps ~ N(0, sigma^2 P_S)``: ``D/sigma^2`` given ``|v|^2`` is
   noncentral ``chi2_{d-1}(|v|^2/sigma^2)``.
5. The four use orthogonal projections of independent Gaussians (``z``; ``z'(X beta_perp + eps)``;
   ``(I - P_X) eps``; ``(I - P_z) X beta_perp`` and ``P_S eps``): they are independent, and every one is
   invariant to a rescaling of the columns of X (the advisor's standardisation).
6. Cumulants of ``D`` (below, from its cumulant generating function): the option uses the gamma law with
   these three (exact mean, variance and skewness).
"""

import sympy as sp

from _derive import check, done, step, title

title("Regression statistics of the isotropic option region: the law of D")

t, s2, e0, k, m = sp.symbols("t sigma2 e0 k m", positive=True)
# K(t) = log E exp(t D): E[exp(t D) | L] = (1 - 2 s2 t)^(-k/2) exp(L t/(1 - 2 s2 t)), L = e0 chi2_m
K = -k / 2 * sp.log(1 - 2 * s2 * t) - m / 2 * sp.log(1 - 2 * e0 * t / (1 - 2 * s2 * t))
step("cumulant generating function of D", K)
kappa = [sp.simplify(sp.diff(K, t, j).subs(t, 0)) for j in (1, 2, 3)]
check("mean = sigma^2 k + e0 m", sp.simplify(kappa[0] - (s2 * k + e0 * m)) == 0)
check("variance = 2 sigma^4 k + 4 sigma^2 e0 m + 2 e0^2 m",
      sp.simplify(kappa[1] - (2 * s2 ** 2 * k + 4 * s2 * e0 * m + 2 * e0 ** 2 * m)) == 0)
check("third cumulant = 8 sigma^6 k + 24 sigma^4 e0 m + 24 sigma^2 e0^2 m + 8 e0^3 m",
      sp.simplify(kappa[2] - (8 * s2 ** 3 * k + 24 * s2 ** 2 * e0 * m + 24 * s2 * e0 ** 2 * m
                              + 8 * e0 ** 3 * m)) == 0)
step("with k = d - 1, m = n - 1 (ftheory/advise/bands.py, _exact_scores); the Monte Carlo check of all four "
     "laws and their independence is tests/advise/test_bands_regression.py")
done()
