"""Distances between the source and target task laws of the linear-Gaussian family (docs/background.md §9).

A task with teacher ``beta`` and label noise ``s`` is the joint law of ``(x, y)`` with
``x ~ N(0, I_d)`` and ``y = beta . x + s eps``, ``eps ~ N(0, 1)``: a centred Gaussian on
``R^(d+1)`` with covariance ``[[I, beta], [beta^T, |beta|^2 + s^2]]``. The source task has
``(beta_s, sigma_s)``, the target ``(beta_t, sigma)``, ``|beta_s| = norm_s``, ``|beta_t| = norm_t``
and angle ``theta``. Every distance depends on the teachers only through

    Delta^2 = |beta_s - beta_t|^2 = norm_s^2 + norm_t^2 - 2 norm_s norm_t cos(theta),

except the Wasserstein-2 distance, which also sees how the teachers sit relative to each other.
Results (ground metric Euclidean on ``(x, y)``):

* ``kl_divergence_task`` - ``KL(p_s || p_t) = Delta^2 / (2 sigma^2)`` at equal noise (§9.4), and
  ``kl_source_target`` / ``kl_target_source`` with two noise levels (both directions) [EXT];
* ``wasserstein2_task`` - the closed-form W2 between the two Gaussian joint laws (Gelbrich /
  Dowson-Landau formula reduced to a 3 x 3 problem and solved with the trigonometric form of the
  cubic) [EXT];
* ``wasserstein1_upper_bound`` - couple identical ``x`` and noise (§9.4) [PAPER; two noises EXT];
* ``wasserstein1_lower_bound`` - 1-Lipschitz test functions ``|y - beta . x| / sqrt(1 + |beta|^2)``
  and ``|y|`` (§9.4) [EXT];
* ``dudley_lower_bound_cosine`` - the cosine test function ``cos(y)/2`` of Theorem A.2 (§9.2)
  [PAPER*]. Within the paper's family it does not see the angle at all: it vanishes for equal norms
  and noises. :func:`ftheory.similarity.dudley_lower_bound` optimises a richer family numerically.

The Dudley metric never exceeds 2; KL and W1 are unbounded in general, but bounded on the unit-norm
family (§9.3).
"""
from __future__ import annotations

import sympy as sp

from ftheory.result import register
from ftheory.theory._symbols import norm_s, norm_t, sigma, sigma_s, theta

__all__ = ["teacher_gap_sq", "kl_conditional", "w2_fidelity"]



def teacher_gap_sq():
    """``Delta^2 = |beta_s - beta_t|^2`` in terms of the norms and the angle (law of cosines).

    Written ``(norm_s - norm_t)^2 + 4 norm_s norm_t sin^2(theta/2)``, which equals
    ``norm_s^2 + norm_t^2 - 2 norm_s norm_t cos(theta)`` but adds two non-negative terms, so float64
    keeps full relative accuracy when the teachers nearly coincide (the cosine form cancels:
    ``1 - cos(1e-7)`` has no correct digit).
    """
    return (norm_s - norm_t) ** 2 + 4 * norm_s * norm_t * sp.sin(theta / 2) ** 2


def _same_teachers():
    """``beta_s = beta_t``, tested on the inputs themselves (``Delta^2`` underflows to 0 for theta ~ 1e-162)."""
    return sp.Eq(norm_s, norm_t) & sp.Eq(theta, 0)


def kl_conditional(s_p, s_q, gap_sq):
    """``KL(N(m_p, s_p^2) || N(m_q, s_q^2))`` averaged over ``x`` with ``E (m_p - m_q)^2 = gap_sq``.

    The ``x``-marginals agree, so the chain rule leaves the expected KL of the conditionals:
    ``log(s_q/s_p) + (s_p^2 + gap_sq)/(2 s_q^2) - 1/2``. Singular cases (a zero noise):
    ``+oo`` unless the two laws coincide (``s_p = s_q = 0`` and ``gap_sq = 0``: 0).
    """
    # (s_p^2 + gap_sq)/(2 s_q^2) - 1/2 written without the cancelling 1/2 (equal noises: gap_sq/(2 s_q^2))
    regular = sp.log(s_q / s_p) + ((s_p - s_q) * (s_p + s_q) + gap_sq) / (2 * s_q ** 2)
    return sp.Piecewise(
        (regular, (s_p > 0) & (s_q > 0)),
        (0, sp.Eq(s_p, 0) & sp.Eq(s_q, 0) & _same_teachers()),
        (sp.oo, True))


@register("kl_source_target", params=("theta", "sigma", "sigma_s", "norm_s", "norm_t"), status="EXT",
          reference="docs/background.md §9.2 (KL ingredient), §9.4", topic="similarity", 
          constraints="+inf when a noise level is 0, unless the two laws coincide",
          summary="KL(p_s || p_t) between the source and target joint laws of (x, y): "
                  "log(sigma/sigma_s) + (sigma_s^2 + |beta_s - beta_t|^2)/(2 sigma^2) - 1/2.")
def kl_source_target():
    """docs/background.md §9.2/§9.4 with two noise levels: ``KL(p_s || p_t)``.

    The ``x``-marginals are equal, so ``KL = E_x KL(N(beta_s.x, sigma_s^2) || N(beta_t.x, sigma^2))``
    and ``E_x ((beta_s - beta_t).x)^2 = |beta_s - beta_t|^2``. At ``sigma_s = sigma`` it is
    ``|beta_s - beta_t|^2/(2 sigma^2)``, the paper's ``(1 - cos theta)/sigma^2`` for unit teachers.
    """
    return kl_conditional(sigma_s, sigma, teacher_gap_sq())


@register("kl_target_source", params=("theta", "sigma", "sigma_s", "norm_s", "norm_t"), status="EXT",
          reference="docs/background.md §9.2 (KL ingredient), §9.4", topic="similarity", 
          constraints="+inf when a noise level is 0, unless the two laws coincide",
          summary="KL(p_t || p_s), the reverse direction: log(sigma_s/sigma) + (sigma^2 + "
                  "|beta_s - beta_t|^2)/(2 sigma_s^2) - 1/2; differs from KL(p_s || p_t) when sigma_s != sigma.")
def kl_target_source():
    """docs/background.md §9.2/§9.4: ``KL(p_t || p_s)``; see :func:`kl_source_target`."""
    return kl_conditional(sigma, sigma_s, teacher_gap_sq())


@register("kl_divergence_task", params=("theta", "sigma", "norm_s", "norm_t"), status="PAPER",
          reference="docs/background.md §9.4; paper Appendix A, Fig. 4(a)", topic="similarity", 
          constraints="sigma = 0: +inf unless beta_s = beta_t (then 0)",
          summary="KL between the source and target laws at equal label noise, symmetric: "
                  "|beta_s - beta_t|^2/(2 sigma^2) = (1 - cos theta)/sigma^2 for unit teachers, "
                  "at most 2/sigma^2 (theta = pi).")
def kl_divergence_task():
    """docs/background.md §9.4: ``KL(p_s || p_t) = KL(p_t || p_s) = |beta_s - beta_t|^2 / (2 sigma^2)``."""
    return kl_conditional(sigma, sigma, teacher_gap_sq())


def w2_fidelity():
    """``F = tr (S_s^(1/2) S_t S_s^(1/2))^(1/2)`` for the two task covariances, in closed form.

    Only the span of ``beta_s``, ``beta_t`` and the ``y`` axis matters (on its orthogonal
    complement both covariances are the identity, contributing ``d - 2`` to ``F`` and to both traces,
    which cancels in W2). There ``S = [[I_2, b], [b^T, |b|^2 + s^2]]`` with ``b_s = (norm_s, 0)`` and
    ``b_t = norm_t (cos theta, sin theta)``; ``F = sum_i sqrt(mu_i)`` over the eigenvalues of
    ``S_s S_t`` (similar to a positive semi-definite matrix), the roots of
    ``mu^3 - e1 mu^2 + e2 mu - e3``. They are real, so the trigonometric form of the cubic applies:
    ``mu_k = e1/3 + 2 sqrt(-p/3) cos(phi/3 - 2 pi k/3)`` with ``p = e2 - e1^2/3 < 0`` (the three roots
    are never all equal for positive norms) and ``cos(phi) = (3 q/(2 p)) sqrt(-3/p)``, clamped to
    ``[-1, 1]`` against rounding; the roots are clamped at 0 likewise.
    """
    b_s = sp.Matrix([norm_s, 0])
    b_t = sp.Matrix([norm_t * sp.cos(theta), norm_t * sp.sin(theta)])

    def cov(b, s):
        return sp.Matrix(sp.BlockMatrix([[sp.eye(2), b], [b.T, sp.Matrix([[b.dot(b) + s ** 2]])]]))

    m = cov(b_s, sigma_s) * cov(b_t, sigma)
    e1 = sp.expand(sp.trigsimp(m.trace()))
    e2 = sp.expand(sp.trigsimp(sum(m.extract([i, j], [i, j]).det() for i in range(3) for j in range(i + 1, 3))))
    e3 = sp.factor(sp.trigsimp(m.det()))
    p = e2 - e1 ** 2 / 3
    q = -2 * e1 ** 3 / 27 + e1 * e2 / 3 - e3
    cos_phi = sp.Max(-1, sp.Min(1, 3 * q / (2 * p) * sp.sqrt(-3 / p)))
    phi = sp.acos(cos_phi)
    roots = [e1 / 3 + 2 * sp.sqrt(-p / 3) * sp.cos(phi / 3 - 2 * sp.pi * j / 3) for j in range(3)]
    return sum(sp.sqrt(sp.Max(0, r)) for r in roots), (e1, e2, e3)


@register("wasserstein2_task", params=("theta", "sigma", "sigma_s", "norm_s", "norm_t"), status="EXT",
          reference="docs/background.md §9.1, §9.4 (Gaussian joint laws); Dowson & Landau (1982), Gelbrich (1990)",
          topic="similarity", 
          summary="Wasserstein-2 distance between the Gaussian joint laws of (x, y) (Euclidean ground "
                  "metric): sqrt(tr S_s + tr S_t - 2 tr (S_s^1/2 S_t S_s^1/2)^1/2), reduced to three "
                  "dimensions and solved by the trigonometric form of a cubic; independent of d >= 2.")
def wasserstein2_task():
    """Closed-form ``W2(p_s, p_t)`` between the two centred Gaussian task laws (docs/background.md §9.4 [EXT]).

    ``W2^2 = tr S_s + tr S_t - 2 F`` with the fidelity ``F`` of :func:`w2_fidelity`; in the reduced
    three dimensions ``tr S = 2 + |b|^2 + s^2``. The radicand is clamped at 0 (rounding).

    Accuracy: the difference cancels when the laws nearly coincide, so in float64 the absolute error
    is about ``sqrt(machine epsilon x trace) ~ 1e-7`` there (relative accuracy ~1e-14 elsewhere);
    ``Result.mp`` evaluates it to any precision.
    """
    fidelity, _ = w2_fidelity()
    traces = 4 + norm_s ** 2 + sigma_s ** 2 + norm_t ** 2 + sigma ** 2
    return sp.sqrt(sp.Max(0, traces - 2 * fidelity))


@register("wasserstein1_upper_bound", params=("theta", "sigma", "sigma_s", "norm_s", "norm_t"),
          status="PAPER", reference="docs/background.md §9.4 (couple identical x and noise)", topic="similarity",
          summary="W1(p_s, p_t) <= sqrt(2/pi) sqrt(|beta_s - beta_t|^2 + (sigma_s - sigma)^2): the coupling "
                  "with the same x and noise; 2 sqrt(2/pi) sin(theta/2) for unit teachers, equal noise.")
def wasserstein1_upper_bound():
    """docs/background.md §9.4: couple ``(x, eps)`` identically; then ``y_s - y_t = (beta_s - beta_t).x +
    (sigma_s - sigma) eps ~ N(0, Delta^2 + (sigma_s - sigma)^2)`` and ``E|N(0, v)| = sqrt(2 v/pi)``.
    (The two noise levels are [EXT].)"""
    return sp.sqrt(2 / sp.pi) * sp.sqrt(teacher_gap_sq() + (sigma_s - sigma) ** 2)


@register("wasserstein1_lower_bound", params=("theta", "sigma", "sigma_s", "norm_s", "norm_t"), status="EXT",
          reference="docs/background.md §9.4 ([EXT] lower bound)", topic="similarity", 
          summary="W1(p_s, p_t) >= sqrt(2/pi) max{(sqrt(D^2 + sigma^2) - sigma_s)/sqrt(1 + norm_s^2), "
                  "(sqrt(D^2 + sigma_s^2) - sigma)/sqrt(1 + norm_t^2), |sqrt(norm_s^2 + sigma_s^2) - "
                  "sqrt(norm_t^2 + sigma^2)|}, D = |beta_s - beta_t|; for unit teachers and equal noise "
                  "(sqrt(4 sin^2(theta/2) + sigma^2) - sigma)/sqrt(pi).")
def wasserstein1_lower_bound():
    """docs/background.md §9.4 [EXT]: Kantorovich-Rubinstein duality with three 1-Lipschitz test functions.

    * ``h_s(x, y) = |y - beta_s.x| / sqrt(1 + |beta_s|^2)`` (a linear map of norm
      ``sqrt(1 + |beta_s|^2)``, then ``|.|``): ``E_{p_s} h_s = sqrt(2/pi) sigma_s/sqrt(1 + norm_s^2)``
      and ``E_{p_t} h_s = sqrt(2/pi) sqrt(Delta^2 + sigma^2)/sqrt(1 + norm_s^2)``;
    * ``h_t`` likewise with the roles exchanged;
    * ``h(x, y) = |y|``: ``y ~ N(0, |beta|^2 + s^2)`` under either law.

    For unit teachers and equal noise the first two give the bound of docs/background.md §9.4,
    ``pi^(-1/2) (sqrt(4 sin^2(theta/2) + sigma^2) - sigma)`` and the third gives 0.
    """
    gap = teacher_gap_sq()
    c = sp.sqrt(2 / sp.pi)
    via_s = (sp.sqrt(gap + sigma ** 2) - sigma_s) / sp.sqrt(1 + norm_s ** 2)
    via_t = (sp.sqrt(gap + sigma_s ** 2) - sigma) / sp.sqrt(1 + norm_t ** 2)
    via_y = sp.Abs(sp.sqrt(norm_s ** 2 + sigma_s ** 2) - sp.sqrt(norm_t ** 2 + sigma ** 2))
    return c * sp.Max(via_s, via_t, via_y)


@register("dudley_lower_bound_cosine", params=("sigma", "sigma_s", "norm_s", "norm_t"), status="PAPER*",
          reference="docs/background.md §9.2 (Dudley ingredient), §9.3", topic="similarity", 
          summary="Dudley (bounded-Lipschitz) distance >= |E_s cos y - E_t cos y|/2 = "
                  "|exp(-(norm_s^2 + sigma_s^2)/2) - exp(-(norm_t^2 + sigma^2)/2)|/2, the paper's cosine test "
                  "function; blind to theta, and 0 for equal norms and noises. The metric itself is at most 2.")
def dudley_lower_bound_cosine():
    """docs/background.md §9.2: ``h(x, y) = cos(y)/2`` has ``|h|_inf + |h|_Lip = 1`` and
    ``E_{p_f} cos y = exp(-s^2/2) E_x cos f(x)``; for ``f = beta.x`` with Gaussian ``x``,
    ``E_x cos(beta.x) = exp(-|beta|^2/2)``. The bound lies in ``[0, 1/2]``, far from the metric's range
    ``[0, 2]`` (§9.3)."""
    def mean_cos(norm, noise):
        return sp.exp(-(norm ** 2 + noise ** 2) / 2)

    return sp.Abs(mean_cos(norm_s, sigma_s) - mean_cos(norm_t, sigma)) / 2
