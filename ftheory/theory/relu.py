r"""Two-layer ReLU networks: arc-cosine kernels and their Mercer decomposition (docs/background.md §10.2).

Kernels between two neurons (inputs ``x ~ N(0, I_d)``)
------------------------------------------------------
For neurons ``w, v`` the pair ``(w.x, v.x)`` is bivariate normal, so the kernels depend on the
norms and on the cosine ``u`` only. :func:`polar_expectation` computes them as the Gaussian
integral in polar coordinates of the plane spanned by ``w, v`` (docs/background.md §10.2 route 1, (T8)):

* ``relu_arccos_kernel`` - ``E[relu(w.x) relu(v.x)] = |w||v| (sqrt(1-u^2) + u (pi - arccos u))/(2 pi)``
  (paper eq. (167));
* ``relu_step_kernel`` - ``E[step(w.x) step(v.x)] = (pi - arccos u)/(2 pi)`` (degree 0).

The Hermite route (§10.2 route 2, Mehler's formula) gives ``kappa(u) = sum_l xi_l^2 u^l`` with
``xi_l^2`` = ``relu_hermite_coefficient_sq``; ``derivations/relu.py`` derives both routes and
checks that they agree.

Mercer decomposition on the sphere (Funk-Hecke)
-----------------------------------------------
On ``S^{d-1}`` with the uniform *probability* measure, a zonal function ``f(w.x)`` acts on the
spherical harmonics ``Y_{l,j}`` (degree ``l``, ``j = 1..N(d, l)``, orthonormal) as a multiple of the
identity (Funk-Hecke):

    int f(w.x) Y_{l,j}(w) dsigma(w) = lambda_l(f) Y_{l,j}(x),
    lambda_l(f) = Gamma(d/2)/(sqrt(pi) Gamma((d-1)/2)) int_{-1}^{1} f(t) P_l^{(d)}(t) (1-t^2)^{(d-3)/2} dt,

with ``P_l^{(d)}`` the Legendre (normalised Gegenbauer, ``P_l^{(d)}(1) = 1``) polynomial of
dimension ``d``. For ``f = relu`` the Rodrigues formula and two integrations by parts give the
closed form (``relu_funk_hecke``; cf. Bach 2017, JMLR 18(19), App. D.2, for the same computation)

    lambda_0 = Gamma(d/2) / (2 sqrt(pi) Gamma((d+1)/2)),   lambda_1 = 1/(2d),
    lambda_l = 0 for odd l >= 3,
    lambda_l = (-1)^{l/2} B(d/2, (l+1)/2) / (2 pi (1 - l)) for even l (this also covers l = 0),

and for the step function (``step_funk_hecke``) ``lambda_0 = 1/2``, ``lambda_l = 0`` for even
``l >= 2`` and ``lambda_l = (-1)^{(l-1)/2} B(d/2, l/2)/(2 pi)`` for odd ``l``.

Which kernel is decomposed (the relation between them)
------------------------------------------------------
* ``K_unif(x, x') = E_{w ~ Unif(S^{d-1})}[relu(w.x) relu(w.x')]`` (the kernel of the uniform
  neuron distribution, docs/background.md §10.2 route 3). Writing ``relu(w.x) = sum_l lambda_l sum_j
  Y_{l,j}(w) Y_{l,j}(x)`` on the sphere, its Mercer eigenvalues are ``lambda_l^2``
  (``relu_uniform_kernel_eigenvalue``), each with multiplicity ``N(d, l)``
  (``sphere_harmonic_multiplicity``).
* The arc-cosine kernel ``kappa(x.x')`` itself: ``kappa(x.x') = E_{w ~ N(0, I_d)}[relu(w.x) relu(w.x')]``
  for unit ``x, x'`` (the roles of neuron and input are symmetric), and ``w = |w| w_hat`` with
  ``E|w|^2 = d`` gives ``kappa = d K_unif`` on the sphere: eigenvalues ``mu_l = d lambda_l^2``
  (``relu_sphere_eigenvalue``). Hence ``kappa(t) = sum_l mu_l N(d, l) P_l^{(d)}(t)`` and
  ``sum_l mu_l N(d, l) = kappa(1) = 1/2``. The degree-0 kernel is 0-homogeneous, so its sphere
  eigenvalues are ``lambda_l(step)^2`` (``step_sphere_eigenvalue``) with no factor ``d``.
* Gaussian inputs: ``relu`` is 1-homogeneous, ``K(x, x') = |x||x'| kappa(x_hat.x_hat')`` on
  ``L^2(N(0, I_d))``. With ``x = r x_hat`` (``r`` independent of ``x_hat``, ``E r^2 = d``) its
  eigenfunctions are ``|x| Y_{l,j}(x_hat)/sqrt(d)`` with eigenvalues ``d mu_l = d^2 lambda_l^2``
  (``relu_gaussian_eigenvalue``); every function not of this form is in the null space. A neuron
  expands as ``relu(w.x) = |w| sqrt(d) sum_l lambda_l sum_j Y_{l,j}(w_hat) [|x| Y_{l,j}(x_hat)/sqrt(d)]``,
  so the span of any set of ReLU neurons lies in the even degrees plus degree 1: the odd
  harmonics of degree >= 3 are never reachable (docs/background.md §10.3).

Numerics: the Beta function is kept as :class:`Beta` (printed as ``scipy.special.beta`` /
``mpmath.beta``), so the evaluators do not overflow where ``Gamma`` alone would (``d`` in the
hundreds or thousands).
"""
import sympy as sp

from ftheory.result import register
from ftheory.theory._symbols import d, ell, norm_v, norm_w, u

__all__ = ["Beta", "polar_expectation", "sphere_projection_density", "rodrigues_constant",
           "hermite_coefficient", "gegenbauer_normalised"]



# ----------------------------------------------------------------------------------------------
# The Euler Beta function as a printable SymPy function
# ----------------------------------------------------------------------------------------------

class Beta(sp.Function):
    r"""Euler's Beta function ``Beta(a, b) = Gamma(a) Gamma(b) / Gamma(a + b)``.

    SymPy's own ``beta`` has no SciPy printer and no LaTeX parser entry; this one evaluates to the
    exact Gamma ratio for numeric arguments (so ``.subs(d=3, ell=2)`` gives rationals and ``pi``),
    rewrites as ``Gamma`` (``expr.rewrite(sympy.gamma)``), and prints :func:`ftheory.special.beta`
    (exact ratios for the integer and half-integer arguments of the Mercer eigenvalues: full float64
    accuracy where ``scipy.special.beta`` loses up to 1e-11) / ``mpmath.beta`` (no overflow for large
    arguments) and ``\operatorname{Beta}(a, b)``.

    Examples
    --------
    >>> Beta(sp.Rational(3, 2), sp.Rational(3, 2))
    pi/8
    """

    nargs = 2
    _runtime_modules = ("ftheory.special",)

    @classmethod
    def eval(cls, a, b):
        if a.is_Number and b.is_Number and a.is_positive and b.is_positive:
            return sp.gamma(a) * sp.gamma(b) / sp.gamma(a + b)
        return None

    def _eval_rewrite_as_gamma(self, a, b, **kwargs):
        return sp.gamma(a) * sp.gamma(b) / sp.gamma(a + b)

    def _eval_is_positive(self):
        return True if all(x.is_positive for x in self.args) else None

    def _eval_is_real(self):
        return True if all(x.is_positive for x in self.args) else None

    def _eval_evalf(self, prec):
        return self.rewrite(sp.gamma)._eval_evalf(prec)

    def _latex(self, printer, exp=None):
        args = ", ".join(printer._print(a) for a in self.args)
        tex = rf"\operatorname{{Beta}}\left({args}\right)"
        return tex if exp is None else rf"\left({tex}\right)^{{{exp}}}"

    def _numpy_code(self, printer):
        return "ftheory.special.beta({})".format(", ".join(printer.doprint(a) for a in self.args))

    def _mpmath_code(self, printer):
        return "mpmath.beta({})".format(", ".join(printer.doprint(a) for a in self.args))


# ----------------------------------------------------------------------------------------------
# Route 1: the Gaussian integral in polar coordinates
# ----------------------------------------------------------------------------------------------

_phi = sp.Symbol("phi", nonnegative=True)       # angle between w and v, in [0, pi]
_alpha = sp.Symbol("alpha", real=True)          # polar angle of x in the plane of w and v
_r = sp.Symbol("r", positive=True)              # radius of x in that plane
_a = sp.Symbol("a", positive=True)              # |w| while deriving
_b = sp.Symbol("b", positive=True)              # |v| while deriving


def polar_expectation(degree: int, norms=(_a, _b)):
    r"""``E_x[relu(w.x)^deg relu(v.x)^deg]``-type Gaussian integral in polar coordinates (§10.2 route 1).

    Only the projection of ``x`` on the plane of ``w = |w| e_1`` and
    ``v = |v| (cos phi e_1 + sin phi e_2)`` matters (T8): a standard 2-D Gaussian,
    ``x = r (cos alpha, sin alpha)`` with density ``r e^{-r^2/2} dr dalpha / (2 pi)``. The product
    ``sigma(w.x) sigma(v.x)`` for ``sigma(t) = t^deg 1{t > 0}`` (``deg = 1``: ReLU, ``deg = 0``:
    step) is ``(|w||v| r^2 cos(alpha) cos(alpha - phi))^deg`` where both cosines are positive,
    i.e. on ``alpha in (phi - pi/2, pi/2)`` for ``phi in [0, pi]``, and 0 elsewhere.

    Returns the expectation as a function of ``phi`` (SymPy), in the given norm symbols.
    """
    a, b = norms
    radial = sp.integrate(_r ** (2 * degree + 1) * sp.exp(-_r ** 2 / 2), (_r, 0, sp.oo))
    angular = sp.integrate((a * b * sp.cos(_alpha) * sp.cos(_alpha - _phi)) ** degree,
                           (_alpha, _phi - sp.pi / 2, sp.pi / 2))
    return sp.simplify(radial * angular / (2 * sp.pi))


def _in_cosine(expr_phi):
    """Substitute ``phi = arccos(u)`` (``sin(arccos u) = sqrt(1 - u^2)`` is applied by SymPy)."""
    return sp.expand(expr_phi.subs(_phi, sp.acos(u)))


@register("relu_arccos_kernel", params=("u", "norm_w", "norm_v"), status="PAPER",
          reference="docs/background.md §10.2; paper eq. (167)", topic="relu", 
          summary="Degree-1 arc-cosine kernel E_x[relu(w.x) relu(v.x)], x ~ N(0, I_d), for neurons of norms "
                  "|w|, |v| and cosine u: |w||v| (sqrt(1 - u^2) + u (pi - arccos u))/(2 pi); derived as the "
                  "Gaussian integral in polar coordinates.")
def relu_arccos_kernel():
    derived = polar_expectation(1)
    unit = sp.together(sp.simplify(_in_cosine(derived) / (_a * _b)))  # 1-homogeneous in each norm
    return norm_w * norm_v * unit


@register("relu_step_kernel", params=("u",), status="EXT", reference="docs/background.md §10.2", topic="relu",
          summary="Degree-0 arc-cosine kernel E_x[step(w.x) step(v.x)] = (pi - arccos u)/(2 pi) (any norms; "
                  "step(t) = 1{t > 0}); the kernel of the ReLU derivative, derived in polar coordinates.")
def relu_step_kernel():
    return _in_cosine(polar_expectation(0))


# ----------------------------------------------------------------------------------------------
# Route 2: Hermite coefficients (Mehler)
# ----------------------------------------------------------------------------------------------

def hermite_coefficient(index: int):
    r"""``xi_l = E[relu(g) He_l(g)] / sqrt(l!)``, ``g ~ N(0, 1)``, by direct integration (§10.2 route 2).

    ``He_l`` is the probabilists' Hermite polynomial (``sympy.hermite_prob``), orthogonal with
    ``E[He_k He_l] = l! delta_{kl}``, so ``relu = sum_l xi_l He_l / sqrt(l!)`` in ``L^2(N(0, 1))``
    and Mehler's formula gives ``kappa(u) = sum_l xi_l^2 u^l``.
    """
    g = sp.Symbol("g", positive=True)
    moment = sp.integrate(g * sp.hermite_prob(index, g) * sp.exp(-g ** 2 / 2), (g, 0, sp.oo)) / sp.sqrt(2 * sp.pi)
    return sp.nsimplify(sp.simplify(moment / sp.sqrt(sp.factorial(index))))


@register("relu_hermite_coefficient_sq", params=("ell",), status="EXT", reference="docs/background.md §10.2 (route 2)",
          topic="relu", 
          summary="Squared Hermite coefficient xi_l^2 of relu = Taylor coefficient of u^l in the arc-cosine "
                  "kernel (Mehler): 1/(2 pi), 1/4, then 0 for odd l >= 3 and "
                  "Beta((l-1)/2, 3/2)/(2 pi^2 (l-1)) = ((l-3)!!)^2/(2 pi l!) for even l >= 2.")
def relu_hermite_coefficient_sq():
    # Gaussian integration by parts (E[f He_l] = E[f^{(l)}]) with relu'' = delta_0:
    # E[relu He_l] = E[delta_0^{(l-2)}(g)] = He_{l-2}(0) / sqrt(2 pi), He_{l-2}(0) = (-1)^{l/2-1} (l-3)!!
    # for even l; so xi_l^2 = ((l-3)!!)^2 / (2 pi l!). With (l-3)!! = 2^{l/2-1} Gamma((l-1)/2)/sqrt(pi) and
    # Legendre's duplication for l! this is Beta((l-1)/2, 3/2) / (2 pi^2 (l - 1)) (checked in
    # derivations/relu.py against direct integration of hermite_coefficient for l <= 16).
    even = Beta((ell - 1) / 2, sp.Rational(3, 2)) / (2 * sp.pi ** 2 * (ell - 1))
    return sp.Piecewise((1 / (2 * sp.pi), sp.Eq(ell, 0)), (sp.Rational(1, 4), sp.Eq(ell, 1)),
                        (0, sp.Eq((-1) ** ell, -1)), (even, True))


# ----------------------------------------------------------------------------------------------
# Route 3: Funk-Hecke / Gegenbauer on the sphere
# ----------------------------------------------------------------------------------------------

def sphere_projection_density(dim=d):
    """``|S^{d-2}| / |S^{d-1}| = Gamma(d/2) / (sqrt(pi) Gamma((d-1)/2))``: density of ``t = w.x``
    for ``w`` uniform on ``S^{d-1}`` is this constant times ``(1 - t^2)^{(d-3)/2}``."""
    dim = sp.sympify(dim)
    return sp.gamma(dim / 2) / (sp.sqrt(sp.pi) * sp.gamma((dim - 1) / 2))


def rodrigues_constant(degree, dim=d):
    """``R_{l,d} = Gamma((d-1)/2) / (2^l Gamma(l + (d-1)/2))`` of the Rodrigues formula
    ``P_l^{(d)}(t) (1-t^2)^{(d-3)/2} = (-1)^l R_{l,d} (d/dt)^l (1-t^2)^{l + (d-3)/2}``."""
    dim = sp.sympify(dim)
    return sp.gamma((dim - 1) / 2) / (2 ** degree * sp.gamma(degree + (dim - 1) / 2))


def gegenbauer_normalised(degree: int, dim, t):
    """Legendre polynomial of dimension ``d``: ``C_l^{(d-2)/2}(t) / C_l^{(d-2)/2}(1)`` (Chebyshev
    ``T_l`` for ``d = 2``), ``P_l^{(d)}(1) = 1``. For explicit integer ``degree`` and ``dim``."""
    if dim == 2:
        return sp.chebyshevt(degree, t)
    alpha = sp.Rational(dim - 2, 2)
    poly = sp.gegenbauer(degree, alpha, t)
    return sp.expand(poly / poly.subs(t, 1))


def _relu_funk_hecke_even():
    """``lambda_l`` of relu for even ``l``, in the Beta form (derived in derivations/relu.py from the
    Rodrigues formula: ``lambda_l = c_d R_{l,d} g^{(l-2)}(0)`` with ``g = (1-t^2)^{l+(d-3)/2}``)."""
    return (-1) ** (ell / 2) * Beta(d / 2, (ell + 1) / 2) / (2 * sp.pi * (1 - ell))


def _step_funk_hecke_odd():
    """``lambda_l`` of the step function for odd ``l``: ``c_d R_{l,d} g^{(l-1)}(0)``, Beta form."""
    return (-1) ** ((ell - 1) / 2) * Beta(d / 2, ell / 2) / (2 * sp.pi)


@register("relu_funk_hecke", params=("d", "ell"), status="EXT", reference="docs/background.md §10.2 (route 3)",
          topic="relu", constraints="sphere S^{d-1}: d >= 2 (d = 1: only l <= 1 exist)", at_least=[("d", 2)],
          summary="Funk-Hecke coefficient lambda_l of relu on S^{d-1} (uniform probability measure): "
                  "relu(w.x) = sum_l lambda_l sum_j Y_lj(w) Y_lj(x); 1/(2d) at l = 1, 0 at odd l >= 3, "
                  "(-1)^{l/2} Beta(d/2, (l+1)/2)/(2 pi (1 - l)) at even l.")
def relu_funk_hecke():
    return sp.Piecewise((1 / (2 * d), sp.Eq(ell, 1)), (0, sp.Eq((-1) ** ell, -1)), (_relu_funk_hecke_even(), True))


def _squared_branches(scale):
    """``scale * lambda_l(relu)^2`` branch by branch (``((-1)^{l/2})^2 = 1`` on the even branch)."""
    lam1 = 1 / (2 * d)
    even = Beta(d / 2, (ell + 1) / 2) ** 2 / (4 * sp.pi ** 2 * (ell - 1) ** 2)
    return sp.Piecewise((sp.simplify(scale * lam1 ** 2), sp.Eq(ell, 1)), (0, sp.Eq((-1) ** ell, -1)),
                        (scale * even, True))


@register("relu_uniform_kernel_eigenvalue", params=("d", "ell"), status="EXT",
          reference="docs/background.md §10.2 (route 3)", topic="relu", 
          constraints="sphere S^{d-1}: d >= 2", at_least=[("d", 2)],
          summary="Mercer eigenvalue (multiplicity N(d, l)) of K(x, x') = E_{w ~ Unif(S^{d-1})}[relu(w.x) relu(w.x')] "
                  "on the sphere: lambda_l^2, the square of relu's Funk-Hecke coefficient.")
def relu_uniform_kernel_eigenvalue():
    return _squared_branches(1)


@register("relu_sphere_eigenvalue", params=("d", "ell"), status="EXT", reference="docs/background.md §10.2 (route 3)",
          topic="relu", constraints="sphere S^{d-1}: d >= 2", at_least=[("d", 2)],
          summary="Mercer eigenvalue mu_l (multiplicity N(d, l)) of the arc-cosine kernel kappa(x.x') on S^{d-1}: "
                  "d lambda_l^2 (kappa = E_{w ~ N(0, I)} = d E_{w ~ Unif}); 1/(4d) at l = 1, 0 at odd l >= 3; "
                  "kappa(t) = sum_l mu_l N(d, l) P_l(t).")
def relu_sphere_eigenvalue():
    return _squared_branches(d)


@register("relu_gaussian_eigenvalue", params=("d", "ell"), status="EXT", reference="docs/background.md §10.2 (route 3)",
          topic="relu", constraints="d >= 2", at_least=[("d", 2)],
          summary="Mercer eigenvalue of K(x, x') = |x||x'| kappa(x_hat.x_hat') = E_{w ~ N(0, I)}[relu(w.x) relu(w.x')] "
                  "on L^2(N(0, I_d)), eigenfunctions |x| Y_lj(x_hat)/sqrt(d) (multiplicity N(d, l)): d mu_l = "
                  "d^2 lambda_l^2; 1/4 at l = 1 for every d.")
def relu_gaussian_eigenvalue():
    return _squared_branches(d ** 2)


@register("sphere_harmonic_multiplicity", params=("d", "ell"), status="EXT", reference="docs/background.md §10.2 (route 3)",
          topic="relu", 
          summary="Dimension N(d, l) of the degree-l spherical harmonics on S^{d-1}: 1, d, then "
                  "(2l + d - 2)/(l + d - 2) binomial(l + d - 2, l) (0 for d = 1, l >= 2).")
def sphere_harmonic_multiplicity():
    # binomial(l + d - 2, l) = 1 / ((l + d - 1) Beta(d - 1, l + 1)), free of Gamma overflow
    general = (2 * ell + d - 2) / ((ell + d - 2) * (ell + d - 1) * Beta(d - 1, ell + 1))
    return sp.Piecewise((1, sp.Eq(ell, 0)), (d, sp.Eq(ell, 1)), (0, sp.Eq(d, 1)), (general, True))


@register("step_funk_hecke", params=("d", "ell"), status="EXT", reference="docs/background.md §10.2 (route 3)",
          topic="relu", constraints="sphere S^{d-1}: d >= 2", at_least=[("d", 2)],
          summary="Funk-Hecke coefficient of step(t) = 1{t > 0} on S^{d-1}: 1/2 at l = 0, 0 at even l >= 2, "
                  "(-1)^{(l-1)/2} Beta(d/2, l/2)/(2 pi) at odd l.")
def step_funk_hecke():
    return sp.Piecewise((sp.Rational(1, 2), sp.Eq(ell, 0)), (0, sp.Eq((-1) ** ell, 1)), (_step_funk_hecke_odd(), True))


@register("step_sphere_eigenvalue", params=("d", "ell"), status="EXT", reference="docs/background.md §10.2 (route 3)",
          topic="relu", constraints="sphere S^{d-1}: d >= 2", at_least=[("d", 2)],
          summary="Mercer eigenvalue (multiplicity N(d, l)) of the degree-0 arc-cosine kernel kappa_0(x.x') on "
                  "S^{d-1} (and, being 0-homogeneous, on N(0, I_d)): the squared step Funk-Hecke coefficient.")
def step_sphere_eigenvalue():
    odd = Beta(d / 2, ell / 2) ** 2 / (4 * sp.pi ** 2)
    return sp.Piecewise((sp.Rational(1, 4), sp.Eq(ell, 0)), (0, sp.Eq((-1) ** ell, 1)), (odd, True))
