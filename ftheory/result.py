"""`Result`: a named closed form of the theory, and the decorator that declares one.

A result is declared once, in a theory module, by a *builder* that derives its SymPy expression
from the primitives of :mod:`ftheory.rmt`::

    @register("scratch_risk", params=("gamma", "sigma", "norm_t"), status="PAPER",
              reference="docs/background.md §3.2; paper Theorem 3.6, eq. (8)", topic="scratch",
              summary="Excess risk of training from scratch in the proportional limit.")
    def scratch_risk():
        return rmt.proportional_limit(expr_of("scratch_risk_finite"), n, d, gamma)

``python -m ftheory.generate`` turns every registered expression into branch-safe NumPy and
mpmath evaluators in :mod:`ftheory._generated.evaluators` (committed; a test fails when it is
stale). At run time a :class:`Result` evaluates through that generated code, so numeric calls
never import SymPy; ``.expr``, ``.latex()``, ``.limit()`` and ``.series()`` import the theory
lazily.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ftheory._checks import overflow_hint
from ftheory._hints import unknown_parameter
from ftheory.params import PARAMS, get_param

__all__ = ["Result", "ResultSpec", "register", "expr_of", "STATUSES", "MAX_DPS", "MAX_SERIES_ORDER"]

#: largest precision (significant digits) that :meth:`Result.mp` and ``ftheory eval --dps`` offer
MAX_DPS = 1000
#: largest order that :meth:`Result.series` and ``ftheory series --order`` offer
MAX_SERIES_ORDER = 30

STATUSES = {
    "PAPER": "result of the paper",
    "PAPER*": "result of the paper, stated in publicly corrected form",
    "EXT": "extension or correction not in the paper, derived for the toolkit",
    "CODE": "convention taken from the authors' public code",
    "DEFAULT": "left unspecified by the paper; the toolkit's documented default",
}


@dataclass(frozen=True)
class ResultSpec:
    """Metadata of a result: everything but the expression (plain data, no SymPy)."""

    name: str
    params: tuple
    status: str
    reference: str
    topic: str
    summary: str
    constraints: str = ""
    #: ``((param, largest value, reason[, other]), ...)``: where float64 evaluation is not supported (``.mp`` is)
    float64_limits: tuple = ()
    #: ``((param, minimum), ...)``: a result's own lower bounds beyond the parameter's domain (e.g. ``d >= 2``)
    at_least: tuple = ()

    def __post_init__(self):
        for p in self.params:
            get_param(p)
        if self.status not in STATUSES:
            raise ValueError(f"status={self.status!r} is invalid; expected one of {sorted(STATUSES)}")

    def as_dict(self) -> dict:
        """The metadata as a plain dict."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


_PRETTY_NAMES = {"norm_s": "‖βₛ‖", "norm_t": "‖βₜ‖"}
_BUILDERS: dict = {}
_EXPR_CACHE: dict = {}


def register(name, *, params, status, reference, topic, summary, constraints="",
             float64_limits=(), at_least=()):
    """Declare a result: decorate a zero-argument builder that returns its SymPy expression.

    The expression must be written in the canonical symbols ``PARAMS[p].symbol`` of the
    declared ``params`` (a subset of :data:`ftheory.params.PARAMS`). ``float64_limits`` lists
    ``(param, largest value, reason[, other])`` beyond which the float64 evaluator raises ``ValueError``
    pointing to ``.mp`` (measured: beyond it float64 cannot reach 1e-12 relative accuracy); with
    ``other`` the limit applies only where parameter ``other`` is positive. ``at_least`` lists
    ``(param, minimum)`` bounds of the result's own domain (``ValueError`` below them).
    """
    spec = ResultSpec(name, tuple(params), status, reference, topic, summary, constraints,
                      tuple(tuple(x) for x in float64_limits), tuple(tuple(x) for x in at_least))

    def deco(builder):
        if name in _BUILDERS:
            raise ValueError(f"result {name!r} is registered twice")
        if not (builder.__doc__ or "").strip():
            builder.__doc__ = f"Build the SymPy expression of ``{name}``: {summary} ({reference})"
        _BUILDERS[name] = (spec, builder)
        return builder

    return deco


def builders() -> dict:
    """The (spec, builder) pairs registered so far (:func:`ftheory.symbolic.builders` loads them all)."""
    return dict(_BUILDERS)


def expr_of(name: str):
    """The SymPy expression of a registered result (built once, then cached).

    Within the theory every result is registered before any builder runs; elsewhere use
    :func:`ftheory.symbolic.expr_of`, which imports the theory first.
    """
    if name not in _EXPR_CACHE:
        if name not in _BUILDERS:
            raise ValueError(f"unknown result {name!r} (not registered: is ftheory.theory imported? "
                             "ftheory.symbolic.expr_of imports it)")
        spec, builder = _BUILDERS[name]
        expr = builder()
        allowed = {PARAMS[p].symbol for p in spec.params}
        extra = expr.free_symbols - allowed
        if extra:
            raise ValueError(f"result {name!r}: expression has undeclared symbols {sorted(map(str, extra))}")
        _EXPR_CACHE[name] = expr
    return _EXPR_CACHE[name]


class Result:
    """A registered closed form: metadata, SymPy expression, fast and exact evaluators.

    Do not construct directly; use :func:`ftheory.get`.

    Attributes
    ----------
    name, params, status, reference, topic, summary
        See :class:`ResultSpec`. ``params`` lists every parameter in call order; those with a
        canonical default (``norm_t=1``, ``lam=0``, ``depth=2`` ...) may be omitted.

    Examples
    --------
    >>> import numpy as np, ftheory
    >>> r = ftheory.get("scratch_risk")
    >>> float(r(gamma=0.5, sigma=0.2))
    0.54
    >>> r(gamma=np.array([0.0, 1.0, 2.0]), sigma=0.2)
    array([1.  ,  inf, 0.04])
    """

    def __init__(self, spec: ResultSpec, numpy_fn, mp_fn, expr_source=None, lookup=None):
        self.spec = spec
        self._lookup = lookup
        self._numpy = numpy_fn
        self._mp = mp_fn
        self._expr_source = expr_of if expr_source is None else expr_source

    # -- metadata -------------------------------------------------------------------------
    name = property(lambda self: self.spec.name, doc="Registered name.")
    params = property(lambda self: self.spec.params, doc="Parameters in call order.")
    status = property(lambda self: self.spec.status, doc="Status label (see STATUSES).")
    reference = property(lambda self: self.spec.reference, doc="Where the result is stated or derived.")
    topic = property(lambda self: self.spec.topic, doc="Part of the theory it belongs to.")
    summary = property(lambda self: self.spec.summary, doc="One-sentence statement.")

    @property
    def required(self) -> tuple:
        """Parameters without a default."""
        return tuple(p for p in self.params if PARAMS[p].default is None)

    @property
    def defaults(self) -> dict:
        """``parameter -> canonical default`` for the parameters that have one."""
        return {p: PARAMS[p].default for p in self.params if PARAMS[p].default is not None}

    @property
    def domain(self) -> dict:
        """``parameter -> domain`` (plus ``"constraints"`` when the result has extra ones)."""
        dom = {p: PARAMS[p].domain for p in self.params}
        for p, minimum in self.spec.at_least:
            dom[p] = f"{dom[p]}, >= {minimum}" if not PARAMS[p].integer else f"integers >= {minimum}"
        if self.spec.constraints:
            dom["constraints"] = self.spec.constraints
        return dom

    def __repr__(self):
        args = ", ".join(p if PARAMS[p].default is None else f"{p}={PARAMS[p].default:g}" for p in self.params)
        return f"<Result {self.name}({args}) [{self.status}] {self.reference}>"

    # -- notebook display, labeled grids, quick plots (ftheory.display, .labeled, .plotting) ----
    def _repr_latex_(self):
        """The formula in display math (Jupyter); see :func:`ftheory.display.latex_repr`."""
        from ftheory.display import latex_repr

        return latex_repr(self)

    def _repr_html_(self):
        """A compact card: formula, parameters and domains, reference, labels (Jupyter)."""
        from ftheory.display import html_card

        return html_card(self)

    def grid(self, **params):
        """Evaluate on the grid of the array parameters: an ``xarray.DataArray`` with one named
        dimension per array parameter (see :func:`ftheory.labeled.grid`)."""
        from ftheory.labeled import grid

        return grid(self, **params)

    @property
    def lookup(self):
        """``name -> Result`` of the registry this result belongs to (boundaries drawn by :meth:`plot`)."""
        if self._lookup is None:
            raise ValueError(f"result {self.name!r} is not attached to a registry: use ftheory.get({self.name!r})")
        return self._lookup

    def plot(self, ax=None, **params):
        """Line plot over one array parameter, map over two (registered boundaries drawn);
        returns the matplotlib Axes (see :func:`ftheory.plotting.plot_result`)."""
        from ftheory.plotting import plot_result

        return plot_result(self, ax=ax, **params)

    # -- arguments ------------------------------------------------------------------------
    def _arguments(self, kwargs: dict, validate) -> list:
        unknown = [k for k in kwargs if k not in self.params]
        if unknown:
            raise unknown_parameter(self.name, unknown[0], self.params)
        missing = [p for p in self.required if p not in kwargs]
        if missing:
            raise ValueError(f"{self.name}: missing parameter {missing[0]!r} "
                             f"(domain {PARAMS[missing[0]].domain}); parameters are {', '.join(self.params)}")
        values = [validate(p, kwargs.get(p, PARAMS[p].default)) for p in self.params]
        for p, minimum in self.spec.at_least:
            v = values[self.params.index(p)]
            if np.any(np.asarray(v < minimum)):
                shown = v if np.ndim(v) == 0 else np.asarray(v)[np.asarray(v) < minimum].ravel()[0].item()
                raise ValueError(f"{self.name}: {p}={shown!r} is out of its domain {p} >= {minimum} "
                                 f"({self.spec.constraints or PARAMS[p].description})")
        return values

    # -- evaluation -----------------------------------------------------------------------
    def __call__(self, **params):
        """Evaluate in float64 with NumPy broadcasting; each Piecewise branch only where it applies.

        Values may be text read as on the command line (``theta="pi/4"``, :meth:`ftheory.params.Param.parse`).
        Returns a NumPy scalar for scalar inputs, an array of the broadcast shape otherwise.
        Singular points return ``inf`` (never NaN) without floating-point warnings. Near-singular
        inputs whose value exceeds the float64 range (e.g. a KL divergence at ``sigma = 1e-200``)
        overflow silently to ``inf``; invalid operations are never silenced.
        """
        with overflow_hint(".mp(...)"):  # text beyond float64 ("1e400"): .mp reads it exactly
            args = self._arguments(params, lambda p, v: PARAMS[p].validate(v))
        for p, v in zip(self.params, args):
            PARAMS[p].check_float64(v)
        for p, limit, reason, *when in self.spec.float64_limits:
            v = np.asarray(args[self.params.index(p)])
            over = v > limit
            if when:  # the limit applies only where this parameter is positive (e.g. the quadrature branch)
                over = over & (np.asarray(args[self.params.index(when[0])]) > 0)
            if np.any(over):
                shown = np.broadcast_to(v, over.shape)[over].ravel()[0].item()
                raise ValueError(f"{self.name}: {p}={shown!r} exceeds {limit:g}, where float64 cannot evaluate it "
                                 f"({reason}); use .mp(...)")
        with np.errstate(over="ignore", under="ignore", divide="ignore"):
            return self._numpy(*args)

    def mp(self, dps: int = 50, **params):
        """Evaluate with mpmath to ``dps`` significant digits (scalars), ``1 <= dps <= MAX_DPS``.

        Pass parameters as strings (``gamma="0.99999999999999999999"``, ``theta="3*pi/8"``) to keep
        digits that a float cannot hold; numbers are converted exactly from their binary value. Inputs
        are re-read and checked against their domains at every working precision, and the precision is
        raised (up to ``8 * dps + 200`` digits) until two evaluations agree to ``dps`` digits, so
        cancellation near a singular point (``1 - gamma`` with ``gamma`` close to 1) does not eat the
        requested digits. A zero is returned only if it stays exactly zero up to that cap; a division by a
        quantity that cancels to zero at a working precision is retried at the next one.

        Returns an ``mpf`` whose ``repr`` and ``str`` show the ``dps`` digits
        (:class:`ftheory._mpvalue.MpValue`); ``float()`` and arithmetic work as usual.
        """
        import mpmath

        from ftheory._mpvalue import MpValue

        if isinstance(dps, bool) or not isinstance(dps, (int, np.integer)) or not 1 <= dps <= MAX_DPS:
            raise ValueError(f"dps={dps!r} is invalid: expected an integer in [1, {MAX_DPS}] "
                             "(ftheory.result.MAX_DPS, the largest precision offered)")
        dps = int(dps)

        def at(digits):
            with mpmath.workdps(digits):
                args = self._arguments(params, lambda p, v: PARAMS[p].to_mp(v))
                try:
                    return self._mp(*args)
                except ZeroDivisionError:  # a nonzero divisor cancelled to 0 at this precision
                    return None

        work, cap = dps + 10, 8 * dps + 200
        previous = at(work)
        while (previous is None or mpmath.isfinite(previous)) and work < cap:
            work = min(2 * work, cap)
            current = at(work)
            with mpmath.workdps(work):
                if current is None or previous is None or current == previous == 0:
                    previous = current
                    continue  # zero or a division by zero so far: a cancellation may resolve at higher precision
                if abs(current - previous) <= abs(current) * mpmath.mpf(10) ** (-dps - 2):
                    previous = current
                    break
            previous = current
        if previous is None:
            raise ValueError(f"{self.name}: the mpmath evaluation still divides by a cancelled (zero) quantity at "
                             f"{cap} digits, the precision cap for dps={dps}; ask for a larger dps (at most {MAX_DPS})")
        return MpValue(previous, dps)  # rounded to the requested precision

    # -- symbolic -------------------------------------------------------------------------
    @property
    def expr(self):
        """The SymPy expression (usually a Piecewise) in the canonical symbols."""
        return self._expr_source(self.name)

    @property
    def symbols(self) -> dict:
        """``parameter name -> SymPy symbol`` for this result."""
        return {p: PARAMS[p].symbol for p in self.params}

    def latex(self, **options) -> str:
        """LaTeX of the expression, with the canonical LaTeX names of the parameters; a Piecewise states the
        condition under which each case is taken within the parameters' domains (:func:`ftheory.latex.to_latex`)."""
        from ftheory.latex import to_latex
        from ftheory.piecewise_text import param_domains

        return to_latex(self.expr, param_domains(self.domain), **options)

    def pretty(self) -> str:
        """Unicode pretty-print of the expression."""
        import sympy as sp

        shown = {PARAMS[p].symbol: sp.Symbol(_PRETTY_NAMES.get(p, PARAMS[p].symbol.name)) for p in self.params}
        return sp.pretty(self.expr.xreplace(shown), use_unicode=True)

    def _generic(self, subs: dict):
        """Expression at generic parameter values, with ``subs`` (name -> value) substituted."""
        import sympy as sp

        expr = self.expr
        if subs:  # given values first (so that e.g. Eq(lam, 0) can still select its branch) ...
            values = {}
            for p, v in subs.items():
                if p not in self.params:
                    raise unknown_parameter(self.name, p, self.params)
                values[PARAMS[p].symbol] = _sympify_value(p, v)
            expr = expr.xreplace(values)
            expr = sp.piecewise_fold(expr) if expr.has(sp.Piecewise) else expr
        # ... then generic (strictly positive) symbols for the rest
        expr = expr.xreplace({PARAMS[p].symbol: PARAMS[p].generic_symbol for p in self.params})
        return expr

    def branch(self, param: str, point, direction: str = "+", **subs):
        """The Piecewise branch that applies next to ``param = point`` on side ``direction``.

        Other parameters take generic values (e.g. ``sigma > 0``) unless given in ``subs``.
        """
        import sympy as sp

        sym = self._param_symbol(param)
        expr = self._generic(subs)
        pt = _sympify_value(param, point, allow_inf=True)
        if not isinstance(expr, sp.Piecewise):
            return expr
        probe = _probe_point(pt, direction)
        for value, cond in expr.args:
            truth = cond.xreplace({sym: probe}) if cond is not sp.true else sp.true
            if truth is sp.true:
                return value
            if truth is not sp.false:
                raise ValueError(f"{self.name}: cannot decide which branch applies near {param}={point} "
                                 f"({cond}); give numeric values for the other parameters")
        raise ValueError(f"{self.name}: no branch applies near {param}={point}")  # pragma: no cover

    def limit(self, param: str, point, dir: str = "+-", **subs):
        """Symbolic limit as ``param -> point`` (``dir`` is ``"+"``, ``"-"`` or ``"+-"``).

        Other parameters are generic (strictly positive where their domain starts at 0) unless
        given in ``subs``; e.g. ``r.limit("gamma", 1, "-")`` is ``oo`` (generic sigma > 0) and
        ``r.limit("gamma", 1, "-", sigma=0)`` is ``0``. A two-sided limit whose sides differ
        raises ``ValueError``; at an end of the domain (``gamma = 0``) or at ``oo`` only the inside counts.
        """
        import sympy as sp

        if dir not in ("+", "-", "+-"):
            raise ValueError(f"dir={dir!r} is invalid: expected '+', '-' or '+-'")
        sym = self._param_symbol(param)
        pt = _sympify_value(param, point, allow_inf=True)
        return self._canonical(self._one_sided_or_equal(
            f"the limit {param} -> {point}", param, pt, dir,
            lambda side: sp.simplify(sp.limit(self.branch(param, point, side, **subs), sym, pt, side))))

    def series(self, param: str, point=0, order: int = 3, dir: str = "+-", **subs):
        """Series expansion around ``param = point`` (``point`` may be ``oo``) to ``O(order)``.

        ``dir`` is ``"+"`` or ``"-"`` (expand on that side of ``point``, with the branch that applies
        there) or ``"+-"`` (both sides, which must agree, else ``ValueError``, as for :meth:`limit`);
        at an end of the domain only the inside counts; at infinity the expansion is in ``1/param``.
        """
        import sympy as sp

        if dir not in ("+", "-", "+-"):
            raise ValueError(f"dir={dir!r} is invalid: expected '+', '-' or '+-'")
        if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or not 1 <= order <= MAX_SERIES_ORDER:
            raise ValueError(f"order={order!r} is invalid: expected an integer in [1, {MAX_SERIES_ORDER}] "
                             "(ftheory.result.MAX_SERIES_ORDER)")
        sym = self._param_symbol(param)
        pt = _sympify_value(param, point, allow_inf=True)
        return self._canonical(self._one_sided_or_equal(
            f"the series in {param} at {point}", param, pt, dir,
            lambda side: sp.series(self.branch(param, point, side, **subs), sym, pt, int(order), dir=side)))

    def _one_sided_or_equal(self, what, param, pt, dir, compute):
        """``compute(side)`` on the side ``dir``, or for ``"+-"`` on both sides of ``pt`` (one side at infinity
        or at an end of the domain): the common value, or ``ValueError`` if the two sides differ."""
        import sympy as sp

        p = PARAMS[param]
        if not p.low <= (float(pt) if pt.is_finite else pt) <= p.high:  # the closed domain: its ends count
            raise ValueError(f"{self.name}: {param}={pt} is out of its domain {p.domain} ({p.description})")
        if pt in (sp.oo, -sp.oo):
            dir = "-" if pt == sp.oo else "+"
        elif dir == "+-" and float(pt) in (p.low, p.high):
            dir = "+" if float(pt) == p.low else "-"
        if dir != "+-":
            return compute(dir)
        left, right = compute("-"), compute("+")
        if left.is_infinite or right.is_infinite:
            same = left == right
        else:
            same = left.getO() == right.getO() and sp.simplify(left.removeO() - right.removeO()) == 0
        if not same:
            raise ValueError(f"{self.name}: {what} differs on the two sides: {_short(left)} from the left, "
                             f"{_short(right)} from the right; pass dir='-' or dir='+'")
        return right

    def _canonical(self, expr):
        """Map the generic symbols back to the canonical ones (what ``.expr`` uses)."""
        return expr.xreplace({PARAMS[p].generic_symbol: PARAMS[p].symbol for p in self.params})

    def _param_symbol(self, param):
        if param not in self.params:
            raise unknown_parameter(self.name, param, self.params)
        return PARAMS[param].generic_symbol


def _sympify_value(param, value, allow_inf=False):
    import sympy as sp

    text = value if isinstance(value, str) else repr(value)
    text = text.strip().replace("\u2212", "-")  # U+2212 minus reads as - (as parse_number does): -oo too
    if allow_inf and text in ("oo", "inf", "+oo", "+inf", "infinity"):
        return sp.oo
    if allow_inf and text in ("-oo", "-inf"):
        return -sp.oo
    from ftheory.params import MAX_EXACT_DIGITS, _source, exact_digits, parse_number

    try:
        parse_number(text)  # validates the syntax safely before SymPy sees it
        digits = exact_digits(text)
    except ValueError:
        raise ValueError(f"{param}={value!r} is not a number") from None
    if digits > MAX_EXACT_DIGITS:  # e.g. (1/3)**1e300: SymPy would compute 3**(10**300) exactly
        raise ValueError(f"{param}={value!r} is too large an exact number for symbolic work (about "
                         f"{digits:.3g} digits, at most {MAX_EXACT_DIGITS}); give a decimal value")
    if isinstance(value, float):
        return sp.Rational(value)
    return sp.sympify(_source(text), locals={"pi": sp.pi, "e": sp.E}, rational=True)  # what parse_number read


def _short(expr, width=120) -> str:
    """``str(expr)``, cut to ``width`` characters with ``...``."""
    text = str(expr)
    return text if len(text) <= width else text[:width - 3] + "..."


def _probe_point(pt, direction):
    """An exact point just beside ``pt`` (or far out, for infinite points) to test conditions."""
    import sympy as sp

    tiny = sp.Rational(1, 10 ** 40)
    if pt == sp.oo:
        return sp.Integer(10) ** 40
    if pt == -sp.oo:
        return -sp.Integer(10) ** 40
    return pt + tiny if direction == "+" else pt - tiny
