"""The explorer in a real browser (headless Chromium driven by Selenium).

* every result the page supports, evaluated by the page's own JavaScript (``window.ftheory.eval``)
  at random interior points and at singular points (interpolation peak, sigma = 0, theta = 0, pi/2,
  pi, n = d, ...), equals the Python evaluator to 1e-12 relative, with the same infinities and no NaN;
* the hand-ported runtime (positive root, quadrature) matches Python / known integrals;
* every widget renders without errors, moving a slider changes its readout and its picture,
  clicking the phase diagram picks a point, simulation data are drawn;
* a screenshot is not blank and shows both colours of the diverging map.

Skipped when Chromium, ChromeDriver or selenium is missing (Debian: ``apt-get install chromium
chromium-driver``; ``pip install '.[test]'``).
"""
import functools
import io
import math
import time

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import ftheory
from ftheory.explore.browser import BrowserUnavailable, find_browser
from ftheory.params import PARAMS
from tests._relu_figure_data import FIT, MUS, RELATIVE, write_reproduce_relu

try:
    find_browser()
except BrowserUnavailable as exc:  # pragma: no cover - depends on the machine
    pytest.skip(f"no headless browser: {exc}", allow_module_level=True)

RTOL = 1e-12
#: results with an Integral branch (the property test leaves them to the fixed points: quadrature is slow)
QUADRATURE = {"linear_transfer_risk_finite"}

#: values where formulas change branch or diverge; each is tried with the other parameters random
SPECIAL = {
    "gamma": [0.0, 1.0, 0.5, 2.0, 1 - 1e-9, 1 + 1e-9, 0.8],
    "theta": [0.0, math.pi / 2, math.pi, math.pi / 3, math.pi / 4, math.acos(0.8)],
    "sigma": [0.0, 0.2, 1.0, 1.5],
    "lam": [0.0, 0.1, 2.0],
    "n": [1, 2, 3, 10, 99, 100, 101, 102],
    "d": [1, 2, 100, 101],
    "gamma_s": [1.0, 0.5, 1.5, 1e-3],
    "sigma_s": [0.0, 0.2, 1.2],
    "depth": [2, 3, 5],
    "norm_s": [1.0, 0.5, 2.5],
    "norm_t": [1.0, 0.7, 2.0],
    "u": [-1.0, 0.0, 1.0, 0.5, -0.5],
    "norm_w": [0.0, 1.0, 2.5],
    "norm_v": [0.0, 1.0, 0.4],
    "ell": [0, 1, 2, 3, 4, 5, 30, 31, 50, 51],
}
#: upper ends of the random draws for unbounded domains (larger d for the ReLU Mercer results: see
#: test_beta_results_against_mpmath_up_to_large_d)
HIGH = {"gamma": 3.0, "gamma_s": 3.0, "n": 150, "d": 150, "depth": 6, "k": 60, "ell": 60}


def _draw(p, rng):
    prm = PARAMS[p]
    lo = max(prm.low, 0.0)
    hi = prm.high if math.isfinite(prm.high) else HIGH.get(p, 2.5)
    if prm.integer:
        return int(rng.integers(int(lo) + (1 if prm.low_open else 0), int(hi) + 1))
    return float(rng.uniform(lo + (1e-3 if prm.low_open else 0.0), hi - (1e-3 if prm.high_open else 0.0)))


def parameter_points(result, rng, random_count=8):
    """Random interior points, each special value with the rest random, and all-special points."""
    pts = [{p: _draw(p, rng) for p in result.params} for _ in range(random_count)]
    for p in result.params:
        for v in SPECIAL.get(p, []):
            pt = {q: _draw(q, rng) for q in result.params}
            pt[p] = v
            pts.append(pt)
    for _ in range(random_count):
        pts.append({p: SPECIAL[p][int(rng.integers(len(SPECIAL[p])))] if p in SPECIAL else _draw(p, rng)
                    for p in result.params})
    valid = []
    for pt in pts:
        try:
            for p, v in pt.items():
                PARAMS[p].validate(v)
        except ValueError:
            continue
        if any(pt[p] < minimum for p, minimum in (result.spec.at_least or ())):
            continue  # outside the result's own domain (e.g. d >= 2 on the sphere): Python refuses it
        valid.append(pt)
    return valid


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from ftheory.simulate import sweep
    from ftheory.simulate.linear import simulate_scratch_and_transfer

    root = tmp_path_factory.mktemp("explore_store")
    sweep(simulate_scratch_and_transfer, {"n": [10, 20, 30, 50, 60]},
          fixed={"d": 40, "theta": math.pi / 4, "sigma": 0.2}, instances=10, seed=5, store=str(root), progress=False)
    write_reproduce_relu(str(root / "figures"))  # the ReLU power-law fit of a reproduce run, as --data reads it
    return root


@pytest.fixture(scope="module")
def browser(tmp_path_factory, store):
    from ftheory.explore.browser import headless_chromium
    from ftheory.explore.page import write_page

    path = tmp_path_factory.mktemp("explorer") / "explorer.html"
    write_page(path, data_dir=store)
    with headless_chromium(width=1280, height=1000) as driver:
        driver.set_script_timeout(60)
        driver.get(path.as_uri())
        deadline = time.time() + 20
        while not driver.execute_script("return !!(window.ftheory && window.ftheory.ready)"):
            assert time.time() < deadline, "the page did not finish loading"
            time.sleep(0.05)
        yield driver


def js(driver, script, *args):
    return driver.execute_script(script, *args)


def wait_for(driver, script, *args, timeout=10):
    deadline = time.time() + timeout
    while True:
        value = driver.execute_script(script, *args)
        if value:
            return value
        assert time.time() < deadline, f"timed out waiting for: {script}"
        time.sleep(0.03)


#: quadrature results are accurate to about 1e-8 relative in float64 (their docstrings): the page's
#: integrator and scipy's quad agree to that, not to RTOL (measured differences up to 1.7e-12)
QUAD_RTOL = 1e-9


def _same(py, page, rtol=RTOL):
    if math.isnan(page):
        return False
    if math.isinf(py) or math.isinf(page) or py == 0:
        return py == page
    return abs(page - py) <= rtol * abs(py)


# -- the numbers ---------------------------------------------------------------------------------

def test_page_values_equal_python_evaluators(browser):
    supported = js(browser, "return ftheory.supported")
    unsupported = js(browser, "return ftheory.unsupported")
    assert set(supported) | set(unsupported) == {r.name for r in ftheory.results()}
    rng = np.random.default_rng(20261128)
    cases = {name: parameter_points(ftheory.get(name), rng) for name in supported}
    got = js(browser, "const out = {}; for (const [k, pts] of Object.entries(arguments[0]))"
                      " out[k] = ftheory.evalStrings(k, pts); return out;", cases)
    checked, infinite, worst = 0, 0, 0.0
    bad = []
    for name, pts in cases.items():
        r = ftheory.get(name)
        for pt, text in zip(pts, got[name]):
            assert not text.startswith("error"), (name, pt, text)
            page = float(text)
            py = float(r(**pt))
            checked += 1
            infinite += math.isinf(py)
            if not _same(py, page, QUAD_RTOL if name in QUADRATURE else RTOL):
                bad.append((name, pt, py, page))
            elif math.isfinite(py) and py != 0:
                worst = max(worst, abs(page - py) / abs(py))
    assert not bad, f"{len(bad)} of {checked} values differ, e.g. {bad[:3]}"
    assert checked > 40 * len(supported) // 2 and infinite > 10  # singular points were really exercised
    print(f"\n{checked} values of {len(supported)} results, {infinite} infinite; worst relative difference {worst:.2e}")


@settings(max_examples=150)
@given(data=st.data())
def test_page_values_equal_python_at_hypothesis_points(browser, data):
    """Property: for any supported closed form (no quadrature) and any point of the declared
    domains, the page's value equals the Python evaluator's (1e-12 relative, same infinities)."""
    names = [n for n in js(browser, "return ftheory.supported") if n not in QUADRATURE]
    name = data.draw(st.sampled_from(sorted(names)), label="result")
    r = ftheory.get(name)
    # below 1e-100 squares underflow and some NumPy evaluators warn while testing a branch
    # condition on every point (reported); the page itself is fine there
    point = {p: data.draw(PARAMS[p].strategy().filter(lambda v: v == 0 or abs(v) >= 1e-100), label=p)
             for p in r.params}
    assume(all(point[p] >= minimum for p, minimum in (r.spec.at_least or ())))  # the result's own domain
    page = float(js(browser, "return ftheory.evalStrings(arguments[0], [arguments[1]])[0]", name, point))
    if name in beta_results():
        # SciPy's beta loses up to 9e-13 at the d <= 400 drawn here (measured; 3.6e-11 at d ~ 9000),
        # too close to RTOL for the Python evaluator to be the reference: the exact value is
        py = float(r.mp(dps=30, **point))
    else:
        py = float(r(**point))
    assert _same(py, page), (name, point, py, page)


@functools.lru_cache(maxsize=None)
def beta_results() -> frozenset:
    """Registered results evaluated with the Beta function (ftheory.theory.relu.Beta), read from the
    generated NumPy evaluators (building every SymPy expression instead would take 20 s)."""
    import inspect

    from ftheory._generated import evaluators

    return frozenset(r.name for r in ftheory.results()
                     if hasattr(evaluators, f"_{r.name}__branches")  # stable hand-derived forms have none
                     and "ftheory.special.beta(" in inspect.getsource(getattr(evaluators, f"_{r.name}__branches")))


#: (d, ell) grid of the Beta results against mpmath: d from 1 to 10^5, degrees up to 60
BETA_D = [1, 2, 3, 4, 7, 100, 101, 399, 400, 999, 1000, 2999, 3000, 5000, 5001, 20000, 100000]
BETA_ELL = list(range(0, 13)) + [19, 20, 21, 30, 31, 40, 49, 50, 51, 59, 60]


def test_beta_results_against_mpmath_up_to_large_d(browser):
    """The eight ReLU results built on the Beta function, at d up to 10^5 and degree up to 60, against
    30-digit mpmath (an independent reference; the Python evaluators use ftheory.special.beta, the same
    exact-ratio algorithm, so they are checked against mpmath in tests/test_special.py)."""
    names = sorted(beta_results())
    assert len(names) >= 8 and all(js(browser, "return ftheory.has(arguments[0])", n) for n in names)
    cases = {}
    for name in names:
        params = ftheory.get(name).params
        if params == ("ell",):
            cases[name] = [{"ell": ell} for ell in range(0, 201)]
        else:
            low = dict(ftheory.get(name).spec.at_least or ()).get("d", 1)
            cases[name] = [{"d": d, "ell": ell} for d in BETA_D if d >= low for ell in BETA_ELL]
    got = js(browser, "const out = {}; for (const [k, pts] of Object.entries(arguments[0]))"
                      " out[k] = ftheory.evalStrings(k, pts); return out;", cases)
    worst, bad, nonzero = {}, [], 0
    for name, pts in cases.items():
        r = ftheory.get(name)
        worst[name] = 0.0
        for pt, text in zip(pts, got[name]):
            page = float(text)
            exact = r.mp(dps=30, **pt)
            if exact == 0:
                if page != 0:
                    bad.append((name, pt, 0.0, page))
                continue
            nonzero += 1
            err = float(abs(page - exact) / abs(exact))
            worst[name] = max(worst[name], err)
            if not err <= RTOL:
                bad.append((name, pt, float(exact), page))
    assert not bad, f"{len(bad)} values differ from mpmath, e.g. {bad[:3]}"
    assert nonzero > 1500
    print("\nworst relative error against mpmath: " + ", ".join(f"{k} {v:.1e}" for k, v in worst.items()))


def test_runtime_beta_against_mpmath(browser):
    """The runtime's Beta: the exact-ratio route for half-integers (error bound (2m + 4) 2^-53 with m
    < 60 factors: < 2e-14) and the Lanczos route for any positive arguments."""
    import mpmath

    rng = np.random.default_rng(11)
    half = [(d / 2, (ell + 1) / 2) for d in BETA_D for ell in BETA_ELL] + \
        [(d - 1.0, ell + 1.0) for d in BETA_D[1:] for ell in BETA_ELL] + [(0.5, 0.5), (1.0, 1.0), (0.5, 118.5)]
    general = [(float(a), float(b)) for a, b in 10 ** rng.uniform(-3, 5, (600, 2))] + \
        [(float(a), float(b)) for a, b in zip(10 ** rng.uniform(0, 5, 300), 10 ** rng.uniform(-3, 1.5, 300))]
    got = js(browser, "const R = ftheory.runtime; return [arguments[0].map(p => String(R.beta(p[0], p[1]))),"
                      " arguments[1].map(p => String(R.beta(p[0], p[1]))), arguments[0].map(p => String(R.betaGeneral(p[0], p[1])))];",
             half, general)
    with mpmath.workdps(30):
        exact_h = [mpmath.beta(mpmath.mpf(a), mpmath.mpf(b)) for a, b in half]
        exact_g = [mpmath.beta(mpmath.mpf(a), mpmath.mpf(b)) for a, b in general]

    def errors(values, exact):
        out = []
        for v, e in zip(values, exact):
            if abs(e) < mpmath.mpf("1e-290"):  # subnormal / underflowing results: no relative accuracy
                continue
            out.append(float(abs(float(v) - e) / e))
        return np.array(out)

    e_half, e_gen, e_half_lanczos = errors(got[0], exact_h), errors(got[1], exact_g), errors(got[2], exact_h)
    assert e_half.size > 700 and e_gen.size > 600
    assert e_half.max() < 2e-14, e_half.max()
    assert e_gen.max() < RTOL and e_half_lanczos.max() < RTOL, (e_gen.max(), e_half_lanczos.max())
    assert js(browser, "const R = ftheory.runtime; return [0, -1, NaN, Infinity].map(a => String(R.beta(a, 1)))") == \
        ["NaN"] * 4
    print(f"\nBeta: exact route worst {e_half.max():.1e}; Lanczos route worst {e_gen.max():.1e} (random), "
          f"{e_half_lanczos.max():.1e} (half-integer grid)")


def test_quadrature_result_against_mpmath(browser):
    """The integral branches (lam > 0) against the 20-digit mpmath evaluator, not only SciPy's quad."""
    r = ftheory.get("linear_transfer_risk_finite")
    points = [dict(n=10, theta=0.7, sigma=0.2, lam=0.1), dict(n=3, theta=1.2, sigma=0.0, lam=0.01),
              dict(n=60, theta=0.3, sigma=0.5, lam=1.5, norm_s=1.5, depth=3)]  # lam n > 2: the [0, oo) form
    got = js(browser, "return ftheory.evalStrings('linear_transfer_risk_finite', arguments[0])", points)
    for pt, text in zip(points, got):
        exact = float(r.mp(dps=20, **pt))
        assert float(text) == pytest.approx(exact, rel=RTOL, abs=0)


def test_runtime_positive_root_matches_python(browser):
    from ftheory.roots import positive_root

    rng = np.random.default_rng(3)
    L = np.concatenate([rng.uniform(1, 8, 150), [2, 3, 1, 1.5, 7]])
    A = np.concatenate([10 ** rng.uniform(-8, 4, 150), [0, 0.5, 0, 1e-300, 3]])
    B = np.concatenate([10 ** rng.uniform(-8, 4, 150), [1.5, 0, 0, 2, 1e-300]])
    got = js(browser, "return arguments[0].map(t => String(ftheory.runtime.positiveRoot(t[0], t[1], t[2])))",
             np.stack([L, A, B], axis=1).tolist())
    expected = positive_root(L, A, B)
    np.testing.assert_allclose([float(g) for g in got], expected, rtol=1e-13, atol=0)


def test_gradient_flow_scale_forms_match_python_over_the_float64_range(browser):
    """The port of ftheory/stable_finetune.py: norms and sigma from 2.2e-308 to 1e30 (ratios far beyond
    float64, where the coefficients of the positive root are held as logarithms), and ordinary ones."""
    rng = np.random.default_rng(12)
    for name in ("finetune_scale", "finetune_transferability_gf", "finetune_break_even_theta_gf"):
        r = ftheory.get(name)
        pts = []
        for i in range(150):
            low = -307.6 if i % 3 else -3.0
            pts.append({p: float(np.pi * rng.random()) if p == "theta" else
                        int(rng.choice([2, 3, 7, 40])) if p == "depth" else
                        float(rng.choice([0.0, rng.uniform(0, 2), 1 - 10 ** rng.uniform(-12, 0),
                                          10 ** rng.uniform(low, 0)])) if p == "gamma" else
                        float(10 ** rng.uniform(low, 3 if low == -3.0 else 30)) for p in r.params})
        got = js(browser, "return ftheory.evalStrings(arguments[0], arguments[1])", name, pts)
        for pt, text in zip(pts, got):
            assert not text.startswith("error"), (name, pt, text)
            py = float(r(**pt))
            assert _same(py, float(text)) or abs(py) < 1e-300 and abs(float(text)) < 1e-300, (name, pt, py, text)


def test_two_level_linear_transfer_form_matches_python_at_extreme_eigenvalue_ratios(browser):
    """The port of the k < 1 branch of ftheory.stable.aniso2_lt_transferability: eig_ratio from 2.2e-308 to 1e30."""
    rng = np.random.default_rng(13)
    r = ftheory.get("aniso2_lt_transferability")
    pts = [dict(gamma=float(rng.uniform(0.01, 0.999)), theta=float(np.pi * rng.random()),
                sigma=float(rng.uniform(0, 2) * (rng.random() < 0.7)), frac_a=float(rng.uniform(0.01, 0.99)),
                eig_ratio=float(10 ** rng.uniform(-307.6, 30)), energy_s=float(rng.random()),
                energy_perp=float(rng.random()), norm_t=float(rng.uniform(0.1, 3))) for _ in range(200)]
    got = js(browser, "return ftheory.evalStrings(arguments[0], arguments[1])", r.name, pts)
    for pt, text in zip(pts, got):
        assert not text.startswith("error"), (pt, text)
        py = float(r(**pt))
        assert _same(py, float(text)) or abs(py) < 1e-300 and abs(float(text)) < 1e-300, (pt, py, text)


def test_runtime_stable_forms_at_extreme_magnitudes(browser):
    """The JavaScript ports of the extreme-magnitude forms (ftheory.stable_range, W2's scaled path) equal the
    Python ones where squares and products of small terms underflow (issue 12 §3), to RTOL."""
    from ftheory import stable, stable_range

    rng = np.random.default_rng(12)
    forms = {"wasserstein1_lower_bound": stable_range.wasserstein1_lower_bound,
             "aniso2_ft_transferability": stable_range.aniso2_ft_transferability,
             "aniso2_scratch_risk": stable_range.aniso2_scratch_risk,
             "aniso2_finetune_risk": stable_range.aniso2_finetune_risk,
             "aniso2_kappa": stable_range.aniso2_kappa,
             "wasserstein2_task": stable.wasserstein2_task}
    cases = [("wasserstein1_lower_bound", [0.0018, 0.0, 0.0, 9e-195, 9e-195]),
             ("aniso2_ft_transferability", [0.5, 2.6, 0.9, 2.2e-178, 0.55, 0.03, 2.29, 1.66]),
             ("aniso2_scratch_risk", [0.1, 1.0, 0.9, 1e-300, 0.5, 1.0]),
             ("aniso2_scratch_risk", [0.3303275101605699, 0.0, 0.7, 1.767465216695525e-111, 0.0, 3.2e28]),
             ("aniso2_finetune_risk", [0.1, 1.0, 1.0, 0.9, 1e-300, 0.0, 0.0, 1.0, 1.0]),
             ("aniso2_kappa", [0.9999998884479563, 1 - 0.9999998884479563, 1e-26]),
             ("wasserstein2_task", [0.0, 1.0, 1.0, 3.829248410780254e-160, 1.6475957728570367e-264])]
    for _ in range(60):
        # the two-level min-norm risks on and near the block thresholds gamma = 1 - frac_a and gamma = frac_a
        rho, ratio = float(rng.uniform(0.01, 0.99)), float(10 ** rng.uniform(-307, 30))
        g = min(0.999, ((1 - rho) if ratio <= 1 else rho) * float(1 + rng.choice([0.0, 1e-12, -1e-6, 0.3])))
        sig, norm_t = float(rng.choice([0.0, 0.3, 10 ** rng.uniform(-300, 30)])), float(10 ** rng.uniform(-300, 30))
        cases.append(("aniso2_scratch_risk", [g, sig, rho, ratio, float(rng.random()), norm_t]))
        cases.append(("aniso2_finetune_risk", [g, float(np.pi * rng.random()), sig, rho, ratio, float(rng.random()),
                                               float(rng.random()), float(10 ** rng.uniform(-300, 30)), norm_t]))
        cases.append(("aniso2_kappa", [g, rho, ratio]))
        mag = [float(10 ** rng.uniform(-300, 300)) for _ in range(4)]
        cases.append(("wasserstein1_lower_bound", [float(np.pi * rng.random() ** 20)] + mag))
        cases.append(("aniso2_ft_transferability", [float(rng.uniform(0, 1.2)), float(np.pi * rng.random()),
                                                    float(rng.uniform(0.01, 0.99)), float(10 ** rng.uniform(-300, 300)),
                                                    float(rng.random()), 0.5, float(rng.uniform(0.1, 3)), 1.0]))
        norm = float(10 ** rng.uniform(-250, -100))
        cases.append(("wasserstein2_task", [float(np.pi * rng.random()), 0.3, 0.3 * float(rng.random() < 0.5), norm,
                                            norm * float(10 ** rng.uniform(-3, 0))]))
    got = js(browser, "return arguments[0].map(c => String(ftheory.runtime.stable[c[0]](...c[1])))", cases)
    for (name, args), text in zip(cases, got):
        try:
            expected = float(forms[name](*args))
        except ValueError:  # float64 refuses (W2 cancellation); the page shows NaN there
            expected = math.nan
        page = float(text)
        if math.isnan(expected) or math.isinf(expected):
            assert page == expected or (math.isnan(page) and math.isnan(expected)), (name, args, expected, text)
            continue
        # a few subnormal spacings (4.9e-324 each) where the value itself underflows: the page rescales in two steps
        assert abs(page - expected) <= RTOL * abs(expected) + 1e-322, (name, args, expected, text)


def test_runtime_quadrature_on_known_integrals(browser):
    got = js(browser, """
        const q = ftheory.runtime.quad;
        return [q(x => Math.pow(x, 7), 0, 1), q(x => Math.exp(-x), 0, Infinity),
                q(x => Math.exp(-x * x), 0, Infinity), q(x => 1 / (1 + x * x), 0, Infinity),
                q(x => Math.sqrt(x), 0, 1), q(x => Math.exp(-200 * (x - 0.3) * (x - 0.3)), 0, 1), q(x => 1, 2, 2)];""")
    exact = [1 / 8, 1.0, math.sqrt(math.pi) / 2, math.pi / 2, 2 / 3,
             math.sqrt(math.pi / 200) * 0.5 * (math.erf(0.7 * math.sqrt(200)) + math.erf(0.3 * math.sqrt(200))), 0.0]
    for g, e in zip(got, exact):
        assert g == pytest.approx(e, rel=1e-13, abs=1e-300)


def test_validation_errors_name_parameter_and_domain(browser):
    messages = js(browser, """
        const out = [];
        for (const call of [() => ftheory.eval('scratch_risk', {gamma: -1, sigma: 0.2}),
                            () => ftheory.eval('scratch_risk', {gamma: 0.5}),
                            () => ftheory.eval('scratch_risk', {gamma: 0.5, sigma: 0.2, theta: 1}),
                            () => ftheory.eval('scratch_risk_finite', {n: 2.5, d: 10, sigma: 0}),
                            () => ftheory.eval('no_such_result', {}),
                            () => ftheory.eval('scratch_risk', {gamma: NaN, sigma: 0.2}),
                            () => ftheory.eval('scratch_risk', {gamma: 0.5, sigma: Infinity})]) {
            try { call(); out.push(null); } catch (e) { out.push(e.message); }
        }
        return out;""")
    assert messages[0] == "gamma=-1 is out of its domain [0, inf) (target samples per input dimension n/d)"
    assert "missing parameter \"sigma\"" in messages[1]
    assert "unknown parameter \"theta\"" in messages[2]
    assert messages[3].startswith("n=2.5 is out of its domain integers >= 1")
    assert "unknown result" in messages[4]
    assert messages[5] == "gamma=NaN is not a number (NaN); expected a value in [0, inf) (target samples per input dimension n/d)"
    assert messages[6] == "sigma=Infinity is infinite; expected a finite value in [0, inf) (target label-noise standard deviation)"
    # defaults fill optional parameters exactly as in Python
    assert js(browser, "return ftheory.eval('linear_transfer_risk', {theta: Math.PI / 4})") == \
        pytest.approx(float(ftheory.get("linear_transfer_risk")(theta=math.pi / 4)), rel=RTOL)


# -- the widgets ---------------------------------------------------------------------------------

def test_widgets_render_without_errors(browser):
    state = js(browser, """
        return {errors: ftheory.errors, widgets: Object.values(ftheory.widgets).map(w =>
          ({id: w.id, missing: w.missing, renders: w.renders, readout: w.readout.textContent}))};""")
    assert state["errors"] == []
    ids = {w["id"] for w in state["widgets"]}
    assert {"lt-phase", "risks", "finetune", "finite-source", "tuned", "similarity", "aniso", "relu-kernel",
            "relu-mercer", "relu-boundary", "all-results"} <= ids
    for w in state["widgets"]:
        assert w["missing"] == [] and w["renders"] >= 1 and len(w["readout"]) > 20, w
    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []
    # the readout reproduces THEORY.md §12 worked examples 3 and 5 (T_lt = 0.04, lobe (0.5486, 0.9114), 1.08)
    text = next(w["readout"] for w in state["widgets"] if w["id"] == "lt-phase")
    assert "T_lt = 0.04 " in text and "(0.5486, 0.9114)" in text and "γ_over = 1.08" in text


def _canvas(driver, canvas_id):
    return driver.execute_script(f"return document.getElementById('{canvas_id}').toDataURL()")


def test_moving_a_slider_changes_readout_and_picture(browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    before = js(browser, "return document.getElementById('lt-phase-readout').textContent")
    picture = _canvas(browser, "lt-phase-fig0")
    renders = js(browser, "return ftheory.widgets['lt-phase'].renders")
    slider = browser.find_element(By.ID, "lt-phase-sigma")
    slider.send_keys(Keys.ARROW_RIGHT * 5)  # real key presses: sigma 0.2 -> 0.25
    wait_for(browser, "return ftheory.widgets['lt-phase'].renders > arguments[0]", renders)
    after = js(browser, "return document.getElementById('lt-phase-readout').textContent")
    assert js(browser, "return ftheory.widgets['lt-phase'].sliders.sigma.value") == pytest.approx(0.25)
    assert after != before and "T_lt = " in after
    assert _canvas(browser, "lt-phase-fig0") != picture
    # the readout shows what Python computes at the new point
    t = float(ftheory.get("linear_transfer_transferability")(gamma=0.5, theta=math.pi / 4, sigma=0.25))
    assert f"T_lt = {t:.6g}".replace("-", "−") in after


def test_clicking_the_phase_diagram_picks_a_point(browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    canvas = browser.find_element(By.ID, "lt-phase-fig0")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)
    renders = js(browser, "return ftheory.widgets['lt-phase'].renders")
    box = js(browser, "const f = ftheory.widgets['lt-phase'].figs[0]; return [f.box, f.width, f.height];")
    b, w, h = box
    # the point (theta, gamma) = (3pi/8, 1.5) of the plot, as an offset from the canvas centre
    x = b["x"] + 0.75 * b["w"] - w / 2
    y = b["y"] + 0.25 * b["h"] - h / 2
    ActionChains(browser).move_to_element_with_offset(canvas, int(round(x)), int(round(y))).click().perform()
    wait_for(browser, "return ftheory.widgets['lt-phase'].renders > arguments[0]", renders)
    picked = js(browser, "return ftheory.widgets['lt-phase'].values()")
    assert picked["theta"] == pytest.approx(3 * math.pi / 8, abs=math.pi / 80)
    assert picked["gamma"] == pytest.approx(1.5, abs=0.02)
    assert "slice at θ = " in js(browser, "return ftheory.widgets['lt-phase'].figs[1].opts.title")


def test_simulation_points_are_drawn(browser):
    from selenium.webdriver.common.by import By

    summary = js(browser, "return document.getElementById('ft-data-line').textContent")
    assert "15 points" in summary  # 5 grid points x (scratch, linear transfer, difference)
    buttons = browser.find_elements(By.CSS_SELECTOR, "#lt-phase-data button")
    assert len(buttons) == 1 and "theta=π/4" in buttons[0].text and "sigma=0.2" in buttons[0].text
    renders = js(browser, "return ftheory.widgets['lt-phase'].renders")
    buttons[0].click()
    wait_for(browser, "return ftheory.widgets['lt-phase'].renders > arguments[0]", renders)
    labels = js(browser, "return ftheory.widgets['lt-phase'].figs[1].legendItems.map(i => i.label)")
    assert any("sim., d=40" in label for label in labels)


def test_d_slider_is_disabled_while_no_finite_size_curve_is_drawn(browser):
    """The phase widget draws the exact finite-size curve (whose dimension the d slider sets) only at lam = 0;
    with lam > 0 the d slider moved nothing on the page (a practitioner's trial) and is now disabled, saying why."""
    from selenium.webdriver.common.keys import Keys

    state = "const s = ftheory.widgets['lt-phase'].sliders.d; return [s.input.disabled, s.el.title];"
    assert js(browser, state)[0] is False
    assert _press(browser, "lt-phase", "lam", Keys.ARROW_RIGHT * 5)["lam"] == pytest.approx(0.05)
    disabled, title = js(browser, state)
    assert disabled is True and "λ = 0" in title
    assert _press(browser, "lt-phase", "lam", Keys.ARROW_LEFT * 5)["lam"] == 0
    assert js(browser, state)[0] is False


def js_fmt(v, digits=4):
    """Python port of FTPlot.fmt (the readouts' number format)."""
    if v == math.inf:
        return "+∞"
    if v == -math.inf:
        return "−∞"
    if v != 0 and (abs(v) >= 1e5 or abs(v) < 1e-3):
        mantissa, exponent = f"{v:.{digits - 1}e}".split("e")
        return f"{mantissa}e{int(exponent):+d}".replace("-", "−")
    x = float(f"{v:.{digits}g}")
    return (str(int(x)) if x == int(x) else repr(x)).replace("-", "−")


def _press(driver, widget, key, keys):
    """Real key presses on a slider; waits for the widget to render again."""
    from selenium.webdriver.common.by import By

    renders = js(driver, "return ftheory.widgets[arguments[0]].renders", widget)
    slider = driver.find_element(By.ID, f"{widget}-{key}")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", slider)
    slider.send_keys(keys)
    wait_for(driver, "return ftheory.widgets[arguments[0]].renders > arguments[1]", widget, renders)
    return js(driver, "return ftheory.widgets[arguments[0]].values()", widget)


def _readout(driver, widget):
    return js(driver, "return ftheory.widgets[arguments[0]].readout.textContent", widget)


def test_relu_kernel_widget_responds_to_a_slider(browser):
    from selenium.webdriver.common.keys import Keys

    before, picture = _readout(browser, "relu-kernel"), _canvas(browser, "relu-kernel-fig0")
    k1 = ftheory.get("relu_arccos_kernel")
    assert f"κ₁ = {js_fmt(float(k1(u=0.5, norm_w=1.0, norm_v=1.0)), 8)}," in before
    values = _press(browser, "relu-kernel", "norm_w", Keys.ARROW_RIGHT * 5)  # |w| 1 -> 1.25
    assert values["norm_w"] == pytest.approx(1.25)
    after = _readout(browser, "relu-kernel")
    assert after != before and _canvas(browser, "relu-kernel-fig0") != picture
    assert f"κ₁ = {js_fmt(float(k1(u=0.5, norm_w=1.25, norm_v=1.0)), 8)}," in after
    assert f"κ₁(1) = |w||v|/2 = {js_fmt(0.625, 6)}," in after
    # at u = 1 Mehler's series sum_l xi_l^2 u^l converges slowly to kappa_1(1) = |w||v|/2: the readout's
    # truncation error is |w||v| (sum_{l <= 40} xi_l^2 - 1/2)
    _press(browser, "relu-kernel", "u", Keys.END)
    values = _press(browser, "relu-kernel", "L", Keys.END)
    assert values["L"] == 40 and values["u"] == 1
    xi = ftheory.get("relu_hermite_coefficient_sq")
    expected = 1.25 * (sum(float(xi(ell=ell)) for ell in range(41)) - 0.5)
    assert -1e-3 < expected < -1e-5
    assert f"(error {js_fmt(expected, 3)})" in _readout(browser, "relu-kernel")


def test_relu_mercer_widget_responds_to_a_slider(browser):
    from selenium.webdriver.common.keys import Keys

    before, picture = _readout(browser, "relu-mercer"), _canvas(browser, "relu-mercer-fig0")
    assert before.startswith("d = 100, ℓ = 2:")
    values = _press(browser, "relu-mercer", "d", Keys.ARROW_RIGHT * 60)  # log slider: d = 100 -> ~200
    d = values["d"]
    assert 180 < d < 220 and isinstance(d, int)
    after = _readout(browser, "relu-mercer")
    assert after.startswith(f"d = {d}, ℓ = 2:") and _canvas(browser, "relu-mercer-fig0") != picture
    for label, name in (("sphere μ_ℓ", "relu_sphere_eigenvalue"), ("Gaussian d μ_ℓ", "relu_gaussian_eigenvalue"),
                        ("N(d, ℓ)", "sphere_harmonic_multiplicity"), ("Funk–Hecke λ_ℓ", "relu_funk_hecke")):
        assert f"{label} = {js_fmt(float(ftheory.get(name)(d=d, ell=2)), 6)}" in after, (label, after)
    # the sum rule sum_l mu_l N(d, l) = kappa(1) = 1/2, truncated at l_max = 30
    mu, N = ftheory.get("relu_sphere_eigenvalue"), ftheory.get("sphere_harmonic_multiplicity")
    total = sum(float(mu(d=d, ell=ell)) * float(N(d=d, ell=ell)) for ell in range(31))
    assert f"Σ μ_ℓ N(d, ℓ) = {js_fmt(total, 8)}" in after and 0.499 < total < 0.5


def _boundary_state(driver):
    return js(driver, "const s = ftheory.widgets['relu-boundary'].state; return {curve: s.curve, mus: s.mus,"
                      " residual: s.residual, nStar: s.nStar.map(String), index: s.index, absolute: s.absolute};")


def _same_boundary(state, A, nu):
    from ftheory.relu.powerlaw import boundary_n

    expected = boundary_n(A, nu, np.array(state["residual"], float))
    got = np.array([float(v) for v in state["nStar"]])
    assert np.array_equal(np.isinf(got), np.isinf(expected))
    fin = np.isfinite(expected)
    np.testing.assert_allclose(got[fin], expected[fin], rtol=RTOL, atol=0)


def test_relu_boundary_widget_uses_the_loaded_fit_and_responds_to_a_slider(browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    w = "relu-boundary"
    relu = js(browser, "return ftheory.relu")
    assert relu["reproduce"]["fit"]["A"] == FIT["A"] and relu["default"]["m_star"] == 100
    values = js(browser, "return ftheory.widgets['relu-boundary'].values()")
    assert values["A"] == FIT["A"] and values["nu"] == FIT["nu"]  # exactly the fit, not a slider step
    state = _boundary_state(browser)
    assert state["curve"] == "reproduce" and not state["absolute"]
    _same_boundary(state, FIT["A"], FIT["nu"])
    before, picture = _readout(browser, w), _canvas(browser, "relu-boundary-fig1")
    assert "fitted by ftheory reproduce" in before
    # the experiment's residuals: the page's n* equals the n* that reproduce stored
    select = Select(browser.find_element(By.ID, "relu-boundary-curve"))
    select.select_by_index(next(i for i, o in enumerate(select.options) if "experiment" in o.text))
    wait_for(browser, "return ftheory.widgets['relu-boundary'].state.curve === 'experiment'")
    state = _boundary_state(browser)
    assert state["mus"] == MUS and state["residual"] == RELATIVE
    stored = js(browser, "return ftheory.relu.reproduce.n_star.n_star.map(String)")
    page = [float(v) for v in state["nStar"]]
    assert stored[0] == "null" and page[0] == math.inf
    np.testing.assert_allclose(page[1:], [float(v) for v in stored[1:]], rtol=RTOL, atol=0)
    # a real key press on nu: n* follows (A, nu) exactly
    values = _press(browser, w, "nu", Keys.ARROW_LEFT * 10)
    assert values["nu"] == pytest.approx(0.96) and values["A"] == FIT["A"]
    _same_boundary(_boundary_state(browser), values["A"], values["nu"])
    after = _readout(browser, w)
    assert after != before and _canvas(browser, "relu-boundary-fig1") != picture
    assert "ν = 0.96 (slider)" in after
    # the default teacher with the paper's exponent and the placeholder A (a button)
    select.select_by_index(0)
    button = next(b for b in browser.find_elements(By.CSS_SELECTOR, "#relu-boundary-data button") if "paper" in b.text)
    renders = js(browser, "return ftheory.widgets['relu-boundary'].renders")
    button.click()
    wait_for(browser, "return ftheory.widgets['relu-boundary'].renders > arguments[0]", renders)
    values = js(browser, "return ftheory.widgets['relu-boundary'].values()")
    assert values["nu"] == 1.18 and values["A"] == pytest.approx(100 ** 1.18, rel=1e-15)
    state = _boundary_state(browser)
    assert state["curve"] == "default" and len(state["mus"]) == 100
    _same_boundary(state, values["A"], values["nu"])
    assert "(kept 70 of m* = 100)" in _readout(browser, w)


# -- the picture ---------------------------------------------------------------------------------

def test_screenshot_is_not_blank(browser, tmp_path):
    from PIL import Image
    from selenium.webdriver.common.by import By

    browser.execute_script("window.scrollTo(0, 0)")
    shot = Image.open(io.BytesIO(browser.get_screenshot_as_png())).convert("RGB")
    pixels = np.asarray(shot, dtype=np.uint32)
    packed = (pixels[..., 0] << 16) | (pixels[..., 1] << 8) | pixels[..., 2]
    assert pixels.std() > 20 and len(np.unique(packed)) > 500
    heatmap = Image.open(io.BytesIO(browser.find_element(By.ID, "lt-phase-fig0").screenshot_as_png)).convert("RGB")
    arr = np.asarray(heatmap, dtype=float).reshape(-1, 3)
    blue = np.linalg.norm(arr - [0x44, 0x54, 0xc2], axis=1) < 40
    red = np.linalg.norm(arr - [0xc6, 0x42, 0x3c], axis=1) < 60
    assert blue.mean() > 0.01 and red.mean() > 0.01, (blue.mean(), red.mean())
    shot.save(tmp_path / "explorer.png")


# -- the structured-covariance widget (docs/aniso.md) ----------------------------------------------

#: slider settings of the aniso widget: spectra with the large block small or large, r < 1, r = 1
#: (isotropic), the interpolation peak gamma = 1, the under-parameterised side gamma > 1, sigma = 0
ANISO_SETTINGS = [
    dict(frac_a=0.2, eig_ratio=10.0, energy_s=0.2, energy_perp=0.5, theta=math.pi / 4, sigma=0.2, gamma=0.5),
    dict(frac_a=0.1, eig_ratio=40.0, energy_s=0.9, energy_perp=0.0, theta=3 * math.pi / 8, sigma=0.5, gamma=0.8),
    dict(frac_a=0.7, eig_ratio=0.05, energy_s=0.3, energy_perp=1.0, theta=math.pi / 8, sigma=0.0, gamma=0.25),
    dict(frac_a=0.5, eig_ratio=1.0, energy_s=0.6, energy_perp=0.3, theta=math.pi / 3, sigma=1.0, gamma=1.0),
    dict(frac_a=0.35, eig_ratio=3.0, energy_s=0.0, energy_perp=0.9, theta=math.pi / 2, sigma=0.3, gamma=1.5),
]


def _aniso_set(driver, setting):
    renders = js(driver, "return ftheory.widgets.aniso.renders")
    js(driver, "const w = ftheory.widgets.aniso; for (const [k, v] of Object.entries(arguments[0]))"
               " w.sliders[k].set(v); w.schedule();", setting)
    wait_for(driver, "return ftheory.widgets.aniso.renders > arguments[0]", renders)
    return js(driver, "const s = ftheory.widgets.aniso.state; return {values: s.values, T_lt: String(s.T_lt),"
                      " T_ft: String(s.T_ft), sigma_cosine: String(s.sigma_cosine), kappa: String(s.kappa),"
                      " R_sc: String(s.R_sc), R_lt: String(s.R_lt), R_ft: String(s.R_ft), n: s.n,"
                      " R_lt_finite: String(s.R_lt_finite), gamma: s.slice.gamma.filter((g, i) => i % 40 === 7),"
                      " slice_lt: s.slice.T_lt.filter((g, i) => i % 40 === 7).map(String),"
                      " slice_ft: s.slice.T_ft.filter((g, i) => i % 40 === 7).map(String)};")


def _aniso_expected(v, n):
    """The same quantities from the Python evaluators (ftheory.get(name)(...))."""
    g = ftheory.get
    spec = dict(frac_a=v["frac_a"], eig_ratio=v["eig_ratio"])
    pair = dict(spec, energy_s=v["energy_s"], energy_perp=v["energy_perp"], theta=v["theta"])
    c, s = math.cos(v["theta"]), math.sin(v["theta"])
    energy_t = min(1.0, max(0.0, c * c * v["energy_s"] + s * s * v["energy_perp"]))
    return {
        "T_lt": g("aniso2_lt_transferability")(gamma=v["gamma"], sigma=v["sigma"], **pair),
        "T_ft": g("aniso2_ft_transferability")(gamma=v["gamma"], **pair),
        "sigma_cosine": g("aniso2_sigma_cosine")(**pair),
        "kappa": g("aniso2_kappa")(gamma=v["gamma"], **spec),
        "R_sc": g("aniso2_scratch_risk")(gamma=v["gamma"], sigma=v["sigma"], energy_t=energy_t, **spec),
        "R_lt": g("aniso2_linear_transfer_risk")(theta=v["theta"], energy_perp=v["energy_perp"], **spec),
        "R_ft": g("aniso2_finetune_risk")(gamma=v["gamma"], sigma=v["sigma"], **pair),
        "R_lt_finite": g("aniso2_linear_transfer_risk_finite")(n=n, theta=v["theta"], sigma=v["sigma"],
                                                                energy_perp=v["energy_perp"], **spec),
    }


def test_aniso_widget_values_equal_python_evaluators(browser):
    """At several slider settings, every number the aniso widget computes (readout quantities and the
    slice against gamma) equals the Python evaluator of the same registered result to 1e-12 relative."""
    checked = 0
    for setting in ANISO_SETTINGS:
        state = _aniso_set(browser, setting)
        v = state["values"]
        for k, x in setting.items():  # the sliders hold exactly the requested values
            assert v[k] == pytest.approx(x, rel=1e-15, abs=0 if k != "theta" else math.pi / 320), (k, v[k], x)
        for name, py in _aniso_expected(v, state["n"]).items():
            assert _same(float(py), float(state[name])), (setting, name, float(py), state[name])
            checked += 1
        # the page's target split e_t (its only composition) agrees with the registered T_lt = R_sc - R_lt:
        # up to the rounding of the two operands and of T_lt's own subtraction (8 ulps of |R_sc| + |R_lt|)
        rsc, rlt, tlt = float(state["R_sc"]), float(state["R_lt"]), float(state["T_lt"])
        if math.isfinite(tlt):
            assert abs((rsc - rlt) - tlt) <= 4e-16 * (abs(rsc) + abs(rlt)) * 8, (setting, rsc, rlt, tlt)
        else:
            assert rsc == tlt
        pair = {k: v[k] for k in ("theta", "frac_a", "eig_ratio", "energy_s", "energy_perp")}
        for gam, lt, ft in zip(state["gamma"], state["slice_lt"], state["slice_ft"]):
            assert _same(float(ftheory.get("aniso2_lt_transferability")(gamma=gam, sigma=v["sigma"], **pair)), float(lt))
            assert _same(float(ftheory.get("aniso2_ft_transferability")(gamma=gam, **pair)), float(ft))
            checked += 2
        if setting["eig_ratio"] == 1.0:  # the isotropic case: the registered isotropic results
            iso = ftheory.get("linear_transfer_transferability")(gamma=v["gamma"], theta=v["theta"], sigma=v["sigma"])
            assert float(state["T_lt"]) == float(iso) == math.inf  # gamma = 1: the interpolation peak
            assert float(state["sigma_cosine"]) == pytest.approx(math.cos(v["theta"]), rel=RTOL)
    assert checked > 100
    assert js(browser, "return ftheory.errors") == []


def test_aniso_widget_responds_to_key_presses(browser):
    from selenium.webdriver.common.keys import Keys

    _aniso_set(browser, ANISO_SETTINGS[0])
    before, picture = _readout(browser, "aniso"), _canvas(browser, "aniso-fig0")
    v = js(browser, "return ftheory.widgets.aniso.values()")
    cos0 = float(ftheory.get("aniso2_sigma_cosine")(theta=v["theta"], frac_a=0.2, eig_ratio=10.0, energy_s=0.2,
                                                    energy_perp=0.5))
    assert f"cos θ_Σ = {js_fmt(cos0, 8)}" in before
    values = _press(browser, "aniso", "energy_s", Keys.ARROW_RIGHT * 10)  # real key presses: e_s 0.2 -> 0.3
    assert values["energy_s"] == pytest.approx(0.3)
    after = _readout(browser, "aniso")
    assert after != before and _canvas(browser, "aniso-fig0") != picture
    pair = dict(theta=values["theta"], frac_a=values["frac_a"], eig_ratio=values["eig_ratio"],
                energy_s=values["energy_s"], energy_perp=values["energy_perp"])
    cos1 = float(ftheory.get("aniso2_sigma_cosine")(**pair))
    t = float(ftheory.get("aniso2_lt_transferability")(gamma=values["gamma"], sigma=values["sigma"], **pair))
    assert cos1 != cos0 and f"cos θ_Σ = {js_fmt(cos1, 8)}" in after and f"T_lt = {js_fmt(t, 6)} " in after
