"""Training from scratch: implicit bias and double descent (docs/background.md §3).

From a small initialisation, gradient flow on the target loss converges to the minimum-norm
interpolator ``beta_sc = X^+ y = P beta_t + X^+ eps`` (§3.1, paper Theorem 3.5). Its excess
risk splits into two orthogonal pieces,

* bias ``||(I - P) beta_t||^2``: the part of the teacher outside the row space of X, (T1);
* variance ``||X^+ eps||^2``: the label noise mapped through the pseudo-inverse, (T2)-(T3);

whose exact expectations at finite ``n, d`` give :func:`scratch_risk_finite` (§3.3), and whose
proportional limit gives the double-descent curve :func:`scratch_risk` (§3.2, eq. (8)).
"""
import sympy as sp

from ftheory import rmt
from ftheory.result import expr_of, register
from ftheory.theory._symbols import d, gamma, n, norm_t, sigma



def bias_and_variance():
    """The two pieces of the finite-size risk, each as regular :class:`~ftheory.rmt.Case` s.

    Returns ``(bias, (variance_under, variance_over))`` where ``bias = ||beta_t||^2 E||(I-P)u||^2``
    holds for all n, d and the variance cases are (T3) scaled by ``sigma^2``.
    """
    bias = norm_t ** 2 * rmt.null_space_fraction(n, d)
    under, over = rmt.min_norm_noise_trace(n, d)
    return bias, (rmt.Case(sigma ** 2 * under.value, under.condition),
                  rmt.Case(sigma ** 2 * over.value, over.condition))


@register("scratch_risk_finite", params=("n", "d", "sigma", "norm_t"), status="EXT",
          reference="docs/background.md §3.3", topic="scratch", 
          summary="Exact expected excess risk of the min-norm interpolator at finite n, d "
                  "(Gaussian inputs); +inf at |n - d| <= 1 when sigma > 0.")
def scratch_risk_finite():
    bias, variances = bias_and_variance()
    regular = [(rmt.restrict(bias, v.condition, n) + v.value, v.condition) for v in variances]
    # Outside the regular cases (|n - d| <= 1) the variance is infinite unless there is no noise.
    return sp.Piecewise(*regular, (bias, sp.Eq(sigma, 0)), (sp.oo, True))


@register("scratch_risk", params=("gamma", "sigma", "norm_t"), status="PAPER",
          reference="docs/background.md §3.2; paper Theorem 3.6, eq. (8)", topic="scratch", 
          summary="Excess risk of training from scratch in the proportional limit n/d -> gamma: "
                  "double descent with the interpolation peak at gamma = 1.")
def scratch_risk():
    return rmt.proportional_limit(expr_of("scratch_risk_finite"), n, d, gamma)


def _over_parameterised_branch():
    return rmt.restrict(expr_of("scratch_risk").args[0][0], gamma < 1, gamma)


@register("scratch_optimal_gamma", params=("sigma", "norm_t"), status="EXT",
          reference="docs/background.md §3.4", topic="scratch",
          summary="Sample ratio gamma* < 1 minimising the scratch risk on the over-parameterised "
                  "side n < d (0 when sigma >= norm_t: the risk then increases on (0, 1)).")
def scratch_optimal_gamma():
    branch = _over_parameterised_branch()
    roots = sp.solve(sp.diff(branch, gamma), gamma)
    (inside,) = [r for r in roots if sp.simplify(r - 1).is_nonpositive]
    # inside = 1 - sigma/norm_t lies in (0, 1) iff sigma < norm_t.
    return sp.Piecewise((inside, sp.solve(inside > 0, sigma)), (0, True))


@register("scratch_risk_minimum", params=("sigma", "norm_t"), status="EXT",
          reference="docs/background.md §3.4", topic="scratch",
          summary="Smallest scratch risk over gamma < 1 (the value at gamma*); ||beta_t||^2 when "
                  "sigma >= norm_t (approached as gamma -> 0).")
def scratch_risk_minimum():
    g_star = expr_of("scratch_optimal_gamma")
    branch = _over_parameterised_branch()
    (inside, cond), _ = g_star.args
    return sp.Piecewise((sp.factor(sp.simplify(branch.subs(gamma, inside))), cond),
                        (branch.subs(gamma, 0), True))
