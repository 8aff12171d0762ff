"""The theory's own SymPy functions and derivation helpers, against independent mathematics.

``PositiveRoot`` and ``Beta`` are custom SymPy functions (evaluation, evalf, derivatives, leading
terms, LaTeX, printed code); the helpers below are otherwise only exercised by the derivation scripts
(run in subprocesses by tests/test_derivations.py). Each is checked here against a definition it does
not share code with: mpmath root finding and quadrature, Euler's Beta integral, finite differences,
the Legendre/Chebyshev polynomials, the conservation of balancedness under gradient flow.
"""
import mpmath
import numpy as np
import pytest
import sympy as sp
from sympy.core.function import ArgumentIndexError

from ftheory import codegen
from ftheory.latex import parse_latex, to_latex
from ftheory.theory import finetune, linear_transfer, pretraining, relu, ridge
from ftheory.theory._symbols import d, ell, gamma, norm_t, sigma, theta

PositiveRoot, Beta = finetune.PositiveRoot, relu.Beta
x = sp.Symbol("x", positive=True)


def _close(value, want, rel, absolute=0):
    """|value - want| <= rel |want| + absolute, the SymPy number taken at 40 digits (call inside workdps(40))."""
    return abs(mpmath.mpf(sp.N(value, 40)) - want) <= rel * abs(want) + absolute


def _root(L, A, B):
    """The positive root of w^L - A w^(L-1) - B by bisection on (0, A + B + 1] (the map is increasing there)."""
    return mpmath.findroot(lambda w: w ** L - A * w ** (L - 1) - B, (mpmath.mpf(0), A + B + 1), solver="anderson")


# -- PositiveRoot -----------------------------------------------------------------------------

@pytest.mark.parametrize("L, A, B", [(2, sp.Rational(1, 3), sp.Rational(5, 2)), (1, 2, 3), (5, 0, 7), (4, 3, 0),
                                     (3, sp.Rational(1, 4), sp.Rational(3, 4))])
def test_positive_root_closed_forms_solve_the_polynomial(L, A, B):
    w = PositiveRoot(L, A, B)
    assert not isinstance(w, PositiveRoot), "L in {1, 2}, A = 0, B = 0 and A + B = 1 evaluate exactly"
    assert sp.simplify(w ** L - A * w ** (L - 1) - B) == 0 and w.is_positive


def test_positive_root_symbolic_closed_forms():
    a, b = sp.symbols("a b", positive=True)
    for L in (1, 2):
        w = PositiveRoot(L, a, b)
        assert sp.simplify(w ** L - a * w ** (L - 1) - b) == 0
    assert PositiveRoot(7, a, 0) == a and sp.simplify(PositiveRoot(7, 0, b) ** 7 - b) == 0
    assert PositiveRoot(7, a, 1 - a) == 1
    assert isinstance(PositiveRoot(3, a, b), PositiveRoot)  # no closed form: stays unevaluated


@pytest.mark.parametrize("L, A, B", [(3, 1, 2), (4, sp.Rational(1, 3), sp.Rational(9, 2)), (6, 5, sp.Rational(1, 100))])
def test_positive_root_evalf_is_the_root(L, A, B):
    got = PositiveRoot(L, A, B).evalf(30)
    with mpmath.workdps(40):
        assert _close(got, _root(L, mpmath.mpf(A), mpmath.mpf(B)), 1e-28)
    floated = PositiveRoot(sp.Float(L), A, B)  # a Float argument evaluates at its precision
    assert floated.is_Float and abs(floated - got) < 1e-14 * got


def test_positive_root_derivatives_are_finite_differences():
    sL, sA, sB = sp.symbols("sL sA sB", positive=True)
    w = PositiveRoot(sL, sA, sB)
    at = {sL: sp.Integer(3), sA: sp.Rational(7, 10), sB: sp.Rational(19, 10)}
    with mpmath.workdps(40):
        L, A, B = 3, mpmath.mpf(7) / 10, mpmath.mpf(19) / 10
        numeric = [mpmath.diff(lambda t: _root(t, A, B), L), mpmath.diff(lambda t: _root(L, t, B), A),
                   mpmath.diff(lambda t: _root(L, A, t), B)]
        for sym, want in zip((sL, sA, sB), numeric):
            assert _close(sp.diff(w, sym).subs(at), want, 1e-25), sym
    with pytest.raises(ArgumentIndexError):
        w.fdiff(4)


def test_positive_root_assumptions():
    a, b = sp.symbols("a b", positive=True)
    r, c = sp.Symbol("r", real=True), sp.Symbol("c", complex=True)
    assert PositiveRoot(3, a, b).is_positive and PositiveRoot(3, r, b).is_positive
    assert PositiveRoot(3, r, r).is_positive is None
    assert PositiveRoot(3, a, b).is_real and PositiveRoot(3, c, c).is_real is None
    e = sp.Symbol("e", extended_real=True)  # may be infinite
    assert PositiveRoot(3, a, b).is_finite and PositiveRoot(3, e, e).is_finite is None


def test_positive_root_limits_follow_the_dominant_coefficient():
    """w -> B^(1/L) when B -> oo, w -> A when A -> oo, continuity at finite limits."""
    assert sp.limit(PositiveRoot(3, 1, 8 / x) * x ** sp.Rational(1, 3), x, 0, "+") == 2
    assert sp.limit(PositiveRoot(3, 5 / x, 1) * x, x, 0, "+") == 5
    assert sp.limit(PositiveRoot(3, 1 + x, 2 - x), x, 0, "+") == PositiveRoot(3, 1, 2)
    assert sp.limit(PositiveRoot(3, 1 + x, 2 - x), x, 0, "-") == PositiveRoot(3, 1, 2)
    for bad in (lambda: PositiveRoot(3, 1, 1 / x).as_leading_term(x, cdir=-1),   # divergence from below
                lambda: PositiveRoot(3, 1 / x, 1 / x).as_leading_term(x),         # both diverge
                lambda: PositiveRoot(2 + x, 1, 1).as_leading_term(x),              # in the degree
                lambda: PositiveRoot(3, x, x).as_leading_term(x)):                 # zero root
        with pytest.raises(NotImplementedError):
            bad()


# -- Beta -------------------------------------------------------------------------------------

def test_beta_evaluates_numeric_positive_arguments_only():
    assert Beta(sp.Rational(3, 2), sp.Rational(3, 2)) == sp.pi / 8 and Beta(2, 3) == sp.Rational(1, 12)
    a = sp.Symbol("a", positive=True)
    for unevaluated in (Beta(2, a), Beta(a, 2), Beta(sp.Rational(-1, 2), 2), Beta(2, sp.Rational(-1, 2))):
        assert isinstance(unevaluated, Beta)  # printed as ftheory.special.beta, exact for half-integers


def test_beta_rewrite_and_evalf_are_euler_integral():
    a, b = sp.symbols("a b", positive=True)
    at = {a: sp.Rational(3, 10), b: sp.Rational(27, 10)}
    with mpmath.workdps(40):
        # Euler's integral with t = s^(1/a) (no endpoint singularity): B(a, b) = (1/a) int_0^1 (1 - s^(1/a))^(b-1) ds
        a_, b_ = mpmath.mpf(3) / 10, mpmath.mpf(27) / 10
        want = mpmath.quad(lambda s_: (1 - s_ ** (1 / a_)) ** (b_ - 1), [0, 1]) / a_
        for got in (Beta(a, b).evalf(35, subs=at), Beta(a, b).rewrite(sp.gamma).subs(at)):
            assert _close(got, want, 1e-30)
        # irrational arguments keep Beta unevaluated, so evalf goes through Beta._eval_evalf
        irrational = Beta(sp.sqrt(2), sp.pi)
        assert isinstance(irrational, Beta)
        s2, pi = mpmath.sqrt(2), +mpmath.pi
        want = mpmath.quad(lambda s_: (1 - s_ ** (1 / s2)) ** (pi - 1), [0, 1]) / s2
        assert _close(irrational.evalf(35), want, 1e-30)


def test_beta_assumptions():
    a, b, r = sp.Symbol("a", positive=True), sp.Symbol("b", positive=True), sp.Symbol("r", real=True)
    assert Beta(a, b).is_positive and Beta(a, b).is_real
    assert Beta(a, r).is_positive is None and Beta(r, b).is_real is None


@pytest.mark.parametrize("fn", [PositiveRoot, Beta])
def test_latex_round_trips(fn):
    args = (3, ell, d) if fn is PositiveRoot else (ell / 2, d)
    e = fn(*args)
    for expr in (e, e ** 2):
        tex = to_latex(expr)
        assert rf"\operatorname{{{fn.__name__}}}" in tex
        assert sp.simplify(parse_latex(tex) - expr) == 0, tex


def test_printed_code_of_the_custom_functions():
    """The NumPy and mpmath code printed for Beta and PositiveRoot evaluates the functions."""
    expr = Beta(d / 2, ell + 1) + PositiveRoot(3, ell, d)
    ns = {}
    exec(codegen.HEADER + codegen.numpy_source("probe", expr, ("ell", "d")) + "\n\n"
         + codegen.mp_source("probe", expr, ("ell", "d")), ns)
    for l_, d_ in [(1, 3), (2, 7), (0, 1)]:
        with mpmath.workdps(30):
            want = mpmath.beta(mpmath.mpf(d_) / 2, l_ + 1) + _root(3, mpmath.mpf(l_), mpmath.mpf(d_))
            assert abs(ns["probe__mp"](l_, d_) - want) < mpmath.mpf("1e-25") * abs(want)
        assert float(ns["probe__numpy"](np.float64(l_), np.float64(d_))) == pytest.approx(float(want), rel=1e-13)


# -- helpers used by the derivation scripts ---------------------------------------------------

def _he(l, g):
    """Probabilists' Hermite polynomial from the physicists' one: He_l(g) = 2^(-l/2) H_l(g/sqrt 2)."""
    return mpmath.hermite(l, g / mpmath.sqrt(2)) / mpmath.sqrt(2) ** l


@pytest.mark.parametrize("l", range(6))
def test_hermite_coefficient_is_the_gaussian_projection_of_relu(l):
    got = relu.hermite_coefficient(l)
    with mpmath.workdps(40):
        want = mpmath.quad(lambda g: g * _he(l, g) * mpmath.npdf(g), [0, mpmath.inf]) / mpmath.sqrt(mpmath.factorial(l))
        assert _close(got, want, 1e-30, absolute=1e-35)  # 0 for odd l >= 3


@pytest.mark.parametrize("l", range(5))
def test_gegenbauer_normalised_is_legendre_and_chebyshev(l):
    t = sp.Symbol("t")
    assert sp.expand(relu.gegenbauer_normalised(l, 3, t) - sp.legendre(l, t)) == 0
    for tv in (sp.Rational(-7, 10), sp.Rational(1, 3), 1):   # Chebyshev: T_l(cos a) = cos(l a)
        with mpmath.workdps(40):
            assert _close(relu.gegenbauer_normalised(l, 2, t).subs(t, tv), mpmath.cos(l * mpmath.acos(mpmath.mpf(tv))) + 1e-50, 1e-30)
    p5 = relu.gegenbauer_normalised(l, 5, t)   # orthogonal to lower degrees for (1 - t^2), P(1) = 1
    assert p5.subs(t, 1) == 1 and sp.Poly(p5, t).degree() == l
    for k in range(l):
        assert sp.integrate(p5 * t ** k * (1 - t ** 2), (t, -1, 1)) == 0


@pytest.mark.parametrize("dim", [3, 4, 5, 8])
def test_sphere_projection_density_integrates_to_one(dim):
    c = relu.sphere_projection_density(dim)
    with mpmath.workdps(30):
        total = mpmath.quad(lambda t: (1 - t ** 2) ** (mpmath.mpf(dim - 3) / 2), [-1, 1]) * sp.N(c, 35)
    assert abs(total - 1) < 1e-25
    assert sp.simplify(relu.sphere_projection_density().subs(d, dim) - c) == 0


@pytest.mark.parametrize("l, dim", [(0, 3), (2, 3), (3, 5), (2, 7), (4, 5)])
def test_rodrigues_formula(l, dim):
    """P_l^(d)(t) (1-t^2)^((d-3)/2) = (-1)^l R_{l,d} (d/dt)^l (1-t^2)^(l+(d-3)/2), at rational t."""
    t = sp.Symbol("t")
    lhs = sp.gegenbauer(l, sp.Rational(dim - 2, 2), t) / sp.gegenbauer(l, sp.Rational(dim - 2, 2), 1) \
        * (1 - t ** 2) ** sp.Rational(dim - 3, 2)
    rhs = (-1) ** l * relu.rodrigues_constant(l, dim) * sp.diff((1 - t ** 2) ** (l + sp.Rational(dim - 3, 2)), t, l)
    for tv in (sp.Rational(1, 3), sp.Rational(-4, 5)):
        assert sp.simplify((lhs - rhs).subs(t, tv)) == 0
    assert sp.simplify(relu.rodrigues_constant(l).subs(d, dim) - relu.rodrigues_constant(l, dim)) == 0


def _network(depth, dim, seed):
    rng = np.random.default_rng(seed)
    weights = [sp.Matrix(dim, dim, [sp.Rational(int(v), 7) for v in rng.integers(-9, 10, dim * dim)])
               for _ in range(depth - 1)]
    return weights + [sp.Matrix(dim, 1, [sp.Rational(int(v), 5) for v in rng.integers(-9, 10, dim)])]


@pytest.mark.parametrize("depth", [2, 3, 4])
def test_layer_gradients_are_derivatives_of_a_linear_loss(depth):
    """For L = g^T W_1 ... W_L (so grad_beta L = g), grad_{W_l} L is the entrywise derivative."""
    dim = 3
    weights = _network(depth, dim, seed=depth)
    g = sp.Matrix([sp.Rational(2, 3), -1, sp.Rational(5, 4)])
    grads = pretraining.layer_gradients(weights, g)
    assert len(grads) == depth
    for l, W in enumerate(weights):
        sym = sp.Matrix(*W.shape, lambda i, j: sp.Symbol(f"w{i}_{j}"))
        loss = (g.T * pretraining._prod(weights[:l] + [sym] + weights[l + 1:]))[0, 0]
        want = sym.applyfunc(lambda s: sp.diff(loss, s))
        assert grads[l] == want, l


@pytest.mark.parametrize("depth", [2, 3])
def test_balancedness_is_conserved_by_gradient_flow(depth):
    """d/dt (W_l^T W_l - W_{l+1} W_{l+1}^T) = 0 for any loss of the product (Arora et al. 2018)."""
    weights = _network(depth, 3, seed=10 + depth)
    rates = pretraining.balancedness_rates(weights, sp.Matrix([1, sp.Rational(-3, 2), sp.Rational(2, 7)]))
    assert len(rates) == depth - 1
    assert all(r == sp.zeros(*r.shape) for r in rates)
    # and the rate is not trivially zero: one layer's own term is nonzero
    grads = pretraining.layer_gradients(weights, sp.Matrix([1, sp.Rational(-3, 2), sp.Rational(2, 7)]))
    assert (grads[0].T * weights[0]) != sp.zeros(*weights[0].shape)


def test_risk_of_coefficient_is_the_squared_distance():
    b = sp.Symbol("b", real=True)
    beta_t = sp.Matrix([norm_t * sp.cos(theta), norm_t * sp.sin(theta)])
    dist = ((b * sp.Matrix([1, 0]) - beta_t).T * (b * sp.Matrix([1, 0]) - beta_t))[0, 0]
    assert sp.simplify(linear_transfer.risk_of_coefficient(b) - dist) == 0


def test_bayes_inverse_snr():
    """Optimal ridge penalty lam* = sigma^2 / (gamma ||beta_t||^2) (Dobriban & Wager 2018)."""
    assert sp.simplify(ridge.bayes_inverse_snr() - sigma ** 2 / norm_t ** 2) == 0
    assert sp.simplify(ridge.optimal_penalty() - sigma ** 2 / (gamma * norm_t ** 2)) == 0


def test_product_of_matrices():
    A, B, C = (sp.Matrix([[1, 2], [3, 4]]), sp.Matrix([[0, 1], [1, 0]]), sp.Matrix([[2, 0], [0, 3]]))
    assert pretraining._prod([A, B, C]) == A * B * C and pretraining._prod([A]) == A
