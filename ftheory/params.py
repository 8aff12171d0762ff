"""Canonical parameters, declared once (docs/background.md §0.3).

Each :class:`Param` is the single declaration of a parameter. From it come

* the SymPy symbol with its assumptions (:attr:`Param.symbol`, built lazily so that the numeric
  path never imports SymPy),
* runtime validation of user input (:meth:`Param.validate`), which raises ``ValueError``
  naming the parameter, the value and the domain,
* CLI parsing (:meth:`Param.parse`, which accepts expressions such as ``pi/4``),
* Hypothesis strategies (:meth:`Param.strategy`),
* the LaTeX name used in exported formulas.

Example
-------
>>> from ftheory.params import PARAMS
>>> PARAMS["theta"].parse("pi/4")
0.7853981633974483
>>> PARAMS["sigma"].validate(-1.0)
Traceback (most recent call last):
...
ValueError: sigma=-1.0 is out of its domain [0, inf) (target label-noise standard deviation)
"""
from __future__ import annotations

import ast
import math
import numbers
import operator
import re
from dataclasses import dataclass, field

import numpy as np

from ftheory._checks import outside

__all__ = ["Param", "PARAMS", "get_param", "parse_number", "validate_params", "exact_digits", "MAX_EXACT_INT", "FLOAT64_SCALE"]


@dataclass(frozen=True)
class Param:
    """One canonical parameter.

    Attributes
    ----------
    name : str
        Canonical name (``gamma``, ``theta``, ...).
    description : str
        One line of meaning.
    low, high : float
        Bounds of the numeric domain (``-inf``/``inf`` allowed).
    low_open, high_open : bool
        Whether the bound itself is excluded.
    integer : bool
        Integer-valued parameter (``n``, ``d``, ``depth``).
    default : float or None
        Default value used when a result lists the parameter as optional.
    latex : str
        LaTeX for the symbol.
    """

    name: str
    description: str
    low: float = -math.inf
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False
    integer: bool = False
    default: float | None = None
    latex: str = ""
    symbol_name: str = ""
    strategy_high: float | None = None  # upper bound for Hypothesis draws of unbounded domains
    scale: bool = False  # a magnitude (noise, norm, ratio, penalty): float64 evaluates it within FLOAT64_SCALE
    float64_max: float | None = None  # largest value the float64 evaluators accept (with the reason below)
    float64_reason: str = ""
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    # -- domain ---------------------------------------------------------------------------
    @property
    def domain(self) -> str:
        """Human-readable domain, e.g. ``[0, pi]`` or ``integers >= 1``."""
        if self.integer:
            low = int(self.low) + (1 if self.low_open else 0)
            return f"integers >= {low}" if self.high == math.inf else f"integers in [{low}, {int(self.high)}]"
        left = "(" if self.low_open or self.low == -math.inf else "["
        right = ")" if self.high_open or self.high == math.inf else "]"
        return f"{left}{_fmt_bound(self.low)}, {_fmt_bound(self.high)}{right}"

    def contains(self, value) -> np.ndarray:
        """Elementwise membership test of the numeric domain (NaN is never inside)."""
        v = np.asarray(value, dtype=float)
        with np.errstate(invalid="ignore"):
            ok = ~np.isnan(v)
            ok &= (v > self.low) if self.low_open else (v >= self.low)
            ok &= (v < self.high) if self.high_open else (v <= self.high)
            ok &= np.isfinite(v)
            if self.integer:
                ok &= np.floor(np.where(ok, v, 0.0)) == np.where(ok, v, 0.0)
        return ok

    def validate(self, value):
        """Check ``value`` (scalar or array-like) and return it as float (or int) NumPy data; text
        (``"0.2"``, ``"pi/4"``) is read by :meth:`parse`, as on the command line.

        Raises
        ------
        ValueError
            If any element is non-numeric, NaN or outside the domain. The message names the
            parameter, the offending value and the domain.
        """
        try:
            raw = np.asarray(value)
        except (TypeError, ValueError):  # pragma: no cover - e.g. ragged nested sequences
            raw = np.array(0, dtype=object)  # not None: only a None given is reported as None
        if raw.dtype == object and any(v is None for v in raw.ravel()):  # NumPy would read None as NaN
            raise ValueError(f"{self.name}=None is not a number; expected a value in {self.domain} ({self.description})")
        # True is not 1 (also as an element of a list such as [0.5, True], which NumPy turns into floats)
        has_bool = isinstance(value, (list, tuple)) and any(isinstance(v, (bool, np.bool_)) for v in value)
        if raw.dtype.kind in "bc" or isinstance(value, bool) or has_bool:  # 0.5+1j is not 0.5
            kind = "a boolean" if raw.dtype.kind == "b" or isinstance(value, bool) or has_bool else "complex"
            raise ValueError(f"{self.name}={value!r} is {kind}, not a real number; expected a value in "
                             f"{self.domain} ({self.description})")
        if raw.dtype.kind in "US":  # text ("0.2", "pi/4") is read as on the command line, element by element
            return self.parse(value) if raw.ndim == 0 else self.validate([self.parse(str(t)) for t in raw.ravel()]).reshape(raw.shape)
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"{self.name}={value!r} is not a number; expected a value in "
                             f"{self.domain} ({self.description})") from None
        ok = self.contains(arr)
        if not np.all(ok):
            bad = arr[~ok].ravel()[0] if arr.ndim else arr.item()
            shown = (value.item() if isinstance(value, np.generic) else value) if arr.ndim == 0 else bad.item()
            raise outside(f"{self.name}={shown!r}", bad, self.domain, self.description)
        if self.integer:
            big = np.abs(arr) > MAX_EXACT_INT
            if np.any(big) or (isinstance(value, numbers.Integral) and abs(int(value)) > MAX_EXACT_INT):
                shown = value if arr.ndim == 0 else arr[big].ravel()[0].item()
                raise ValueError(f"{self.name}={shown!r} exceeds 2**53 = {MAX_EXACT_INT}, the largest integer that "
                                 "float64 holds exactly, so float64 cannot evaluate there; use .mp(...) "
                                 "(exact integer input)")
            return arr.astype(np.int64) if arr.ndim else int(arr)
        return arr if arr.ndim else float(arr)

    def to_mp(self, value):
        """``value`` as an mpmath number at the current working precision, checked against the domain.

        Strings keep every digit (``"1.000000000000000000000000001"``) and may be expressions
        (``"3*pi/8"``, evaluated in mpmath); integers and floats convert exactly. The domain is
        checked at the working precision, so ``u="1.000000000000000000000000001"`` (above 1) and
        ``sigma="-1e-400"`` (below 0, although ``float`` rounds it to ``-0.0``) are rejected.
        """
        import mpmath

        def bad(what):
            return ValueError(f"{self.name}={value!r} {what}; expected a value in {self.domain} "
                              f"({self.description})")

        value = value.item() if isinstance(value, np.generic) else value  # np.float64(0.5) is shown as 0.5
        if isinstance(value, (bool, np.bool_)):
            raise bad("is a boolean, not a real number")
        if isinstance(value, (complex, np.complexfloating, mpmath.mpc)):
            raise bad("is complex, not a real number")
        if isinstance(value, str):
            text = value.strip()
            try:
                x = mpmath.mpf(text)
            except (TypeError, ValueError):
                try:
                    x = _evaluate(text, _MP_NAMESPACE)
                except ValueError:
                    raise bad("is not a number") from None
        elif isinstance(value, (numbers.Real, mpmath.mpf)):  # integers convert exactly
            x = mpmath.mpf(int(value) if isinstance(value, numbers.Integral) else value)
        else:
            raise bad("is not a number")
        if not mpmath.isfinite(x) or not self._contains_mp(x):  # NaN, infinite or outside
            raise outside(f"{self.name}={value!r}", x, self.domain, self.description)
        return x

    def _contains_mp(self, x) -> bool:
        import mpmath

        def bound(b):
            return mpmath.pi if b == math.pi else mpmath.mpf(b)

        if self.low != -math.inf and (x < bound(self.low) or (self.low_open and x == bound(self.low))):
            return False
        if self.high != math.inf and (x > bound(self.high) or (self.high_open and x == bound(self.high))):
            return False
        return not self.integer or x == mpmath.floor(x)

    def check_float64(self, value):
        """Raise ``ValueError`` where float64 evaluation of the closed forms is not supported.

        Magnitudes (``scale`` parameters) must not exceed ``FLOAT64_SCALE``: the formulas raise them
        to powers up to about 8, which would overflow; integers must not exceed 2**53 (checked by
        :meth:`validate`); ``float64_max`` bounds others (``depth``). ``.mp`` has no such limits.
        """
        if self.float64_max is not None:
            arr = np.asarray(value, dtype=float)
            if np.any(arr > self.float64_max):
                shown = value if arr.ndim == 0 else arr[arr > self.float64_max].ravel()[0].item()
                raise ValueError(f"{self.name}={shown!r} exceeds {self.float64_max:g}, the float64 range of the "
                                 f"closed forms ({self.float64_reason}): float64 cannot evaluate there; use "
                                 ".mp(...) (arbitrary precision)")
        if not self.scale:
            return
        arr = np.abs(np.asarray(value, dtype=float))
        bad = arr > FLOAT64_SCALE
        if np.any(bad):
            shown = value if arr.ndim == 0 else np.asarray(value, dtype=float)[bad].ravel()[0].item()
            raise ValueError(f"{self.name}={shown!r} exceeds 1e{_EXP}, the float64 range of the closed forms "
                             "(they raise magnitudes to powers up to about 8, which would overflow): float64 "
                             "cannot evaluate there; use .mp(...) (arbitrary precision)")

    # -- parsing --------------------------------------------------------------------------
    def parse(self, text: str):
        """Parse a command-line value such as ``0.2``, ``1e-3``, ``pi/4`` or ``3*pi/8``, then validate."""
        try:
            value = parse_number(text)
        except ValueError as exc:
            raise ValueError(f"{self.name}={text!r} is not a number ({exc}); expected a value in "
                             f"{self.domain}") from None
        if not np.all(self.contains(value)) or (value == 0 and math.copysign(1.0, value) < 0 and self.low == 0
                                                  and any(c in "123456789" for c in text)):
            # -0.0 comes from a negative number that underflowed (sigma=-1e-400): outside [0, inf)
            raise outside(f"{self.name}={text!r}" + ("" if math.isinf(value) else f" (= {value:g})"), value,
                          self.domain, self.description, text)
        return self.validate(value)

    # -- SymPy ----------------------------------------------------------------------------
    @property
    def symbol(self):
        """The SymPy symbol with assumptions matching the domain (imported lazily)."""
        sym = self._cache.get("symbol")
        if sym is None:
            import sympy as sp

            assumptions = {"real": True}
            if self.integer:
                assumptions = {"integer": True}
            if self.low >= 0:
                key = "positive" if (self.low > 0 or self.low_open) else "nonnegative"
                assumptions[key] = True
            sym = sp.Symbol(self.symbol_name or self.name, **assumptions)
            self._cache["symbol"] = sym
        return sym

    @property
    def generic_symbol(self):
        """A symbol for *generic* values: strictly positive when the domain starts at 0.

        Limits and series are taken at generic parameter values (e.g. sigma > 0); the
        boundary value itself is a special case the user asks for by substitution.
        """
        sym = self._cache.get("generic")
        if sym is None:
            import sympy as sp

            if self.low == 0 and not self.low_open:
                sym = sp.Symbol(self.symbol_name or self.name, positive=True,
                                **({"integer": True} if self.integer else {}))
            else:
                sym = self.symbol
            self._cache["generic"] = sym
        return sym

    # -- Hypothesis -----------------------------------------------------------------------
    def strategy(self, low=None, high=None):
        """A Hypothesis strategy over (a finite part of) the domain, optionally narrowed."""
        from hypothesis import strategies as st

        lo = self.low if low is None else max(low, self.low)
        hi = self.high if high is None else min(high, self.high)
        if hi == math.inf:
            hi = self.strategy_high if self.strategy_high is not None else max(lo, 0) + 10.0
        if self.integer:
            lo_i = int(math.floor(lo)) + (1 if self.low_open and lo == self.low else 0)
            return st.integers(min_value=max(lo_i, int(math.ceil(lo))), max_value=int(hi))
        return st.floats(min_value=lo, max_value=hi,
                         exclude_min=self.low_open and lo == self.low,
                         exclude_max=self.high_open and hi == self.high,
                         allow_nan=False, allow_infinity=False)


def _fmt_bound(x: float) -> str:
    return {math.inf: "inf", -math.inf: "-inf", math.pi: "pi"}.get(x, f"{x:g}")


_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv, ast.Pow: operator.pow}
_UNOPS = {ast.UAdd: operator.pos, ast.USub: operator.neg}
_NAMES = {"pi": math.pi, "e": math.e, "inf": math.inf}
_FUNCS = {"sqrt": math.sqrt, "cos": math.cos, "sin": math.sin, "acos": math.acos,
          "asin": math.asin, "atan": math.atan, "exp": math.exp, "log": math.log}
_FLOAT_NAMESPACE = {**_NAMES, **_FUNCS, "number": lambda value, text: float(value)}


class _MpNamespace(dict):
    """mpmath constants and functions, built on first use (mpmath is imported lazily)."""

    def __missing__(self, key):
        import mpmath

        if not self:
            self.update({"pi": mpmath.pi, "e": mpmath.e, "inf": mpmath.inf,
                         "number": lambda value, text: mpmath.mpf(text) if text else mpmath.mpf(value)})
            self.update({f: getattr(mpmath, f) for f in _FUNCS})
            self.update({"sqrt": lambda x: mpmath.sqrt(x) if x >= 0 else _raise(),
                         "log": lambda x: mpmath.log(x) if x > 0 else _raise(),
                         "acos": lambda x: mpmath.acos(x) if -1 <= x <= 1 else _raise(),
                         "asin": lambda x: mpmath.asin(x) if -1 <= x <= 1 else _raise()})
            return self[key]
        raise KeyError(key)


def _raise():
    raise ValueError("math domain error")


_MP_NAMESPACE = _MpNamespace()


def parse_number(text) -> float:
    """Evaluate a small arithmetic expression safely (no ``eval``).

    Accepts numbers, ``pi``, ``e``, ``inf``, ``+ - * / **`` and ``sqrt cos sin acos asin atan
    exp log``. Raises ``ValueError`` on anything else.

    >>> parse_number("3*pi/8")
    1.1780972450961724
    """
    if isinstance(text, numbers.Real) and not isinstance(text, bool):
        return float(text)
    if not isinstance(text, str):
        raise ValueError(f"cannot parse {text!r}")
    return float(_evaluate(text, _FLOAT_NAMESPACE))


#: longest expression text accepted (a number or a formula such as ``3*pi/8`` is far shorter)
MAX_EXPRESSION_LENGTH = 200
#: largest exact rational, in decimal digits, that an expression may denote for SymPy (see :func:`exact_digits`)
MAX_EXACT_DIGITS = 2000
#: integers beyond 2**53 are not all representable in float64
MAX_EXACT_INT = 2 ** 53
#: float64 evaluators accept magnitudes (``Param.scale``) up to FLOAT64_SCALE
_EXP = 30
FLOAT64_SCALE = 10.0 ** _EXP


def _tree(text: str, source: str | None = None):
    """The syntax tree of expression ``text``, parsed from ``source`` (:func:`_source` of ``text`` unless given)."""
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise ValueError(f"expression of {len(text)} characters is too long (at most {MAX_EXPRESSION_LENGTH})")
    try:
        return ast.parse(_source(text) if source is None else source, mode="eval")
    except SyntaxError:
        if re.search(r"(deg|degrees?|°)\s*$", text.strip()):
            raise ValueError(f"cannot parse {text!r}: angles are in radians (45 degrees is pi/4)") from None
        if re.search(r"\d\s*(?:π|[A-Za-z_(])", text):                 # "2π", "2pi", "3 sqrt(2)"
            raise ValueError(f"cannot parse {text!r}: multiplication is written with * (2*pi, 3*sqrt(2))") from None
        raise ValueError(f"cannot parse {text!r}") from None


def _source(text: str) -> str:
    """The expression as Python: ``^`` is ``**``, ``π`` is ``pi`` and the minus sign ``−`` (U+2212) is ``-``."""
    return text.strip().replace("^", "**").replace("π", "pi").replace("\u2212", "-")


def _evaluate(text: str, ns):
    """Evaluate an expression with the constants, operators and functions of namespace ``ns``."""
    source = _source(text)
    tree = _tree(text, source)

    def ev(node):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
                and not isinstance(node.value, bool):
            return ns["number"](node.value, ast.get_source_segment(source, node))
        if isinstance(node, ast.Name) and node.id in _NAMES:
            return ns[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            return _BINOPS[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNOPS:
            return _UNOPS[type(node.op)](ev(node.operand))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCS \
                and len(node.args) == 1 and not node.keywords:
            return ns[node.func.id](ev(node.args[0]))
        raise ValueError(f"cannot parse {text!r}")

    try:
        value = ev(tree)
        if isinstance(value, complex) or getattr(value, "imag", 0):
            raise ValueError
        return value
    except (ZeroDivisionError, OverflowError, ValueError, TypeError):
        raise ValueError(f"cannot parse {text!r}") from None


def exact_digits(text: str) -> float:
    """Upper estimate of the decimal digits of the exact rational an expression denotes.

    SymPy reads ``(1/3)**1e300`` exactly, i.e. ``3**(10**300)``, which never finishes; limits and
    series refuse expressions above :data:`MAX_EXACT_DIGITS`. A literal counts its digits and
    decimal exponent, ``+ - * /`` add, ``a**b`` multiplies the digits of ``a`` by ``|b|``.
    """
    tree = _tree(text)

    def size(node):
        if isinstance(node, ast.Expression):
            return size(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            v = abs(float(node.value))
            return len(repr(node.value)) + (abs(math.log10(v)) if 0 < v < math.inf else 0)
        if isinstance(node, ast.Name):
            return 1
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Pow):
                exponent = abs(parse_number(ast.unparse(node.right)))
                return size(node.left) * max(exponent, 1) + size(node.right)
            return size(node.left) + size(node.right)
        if isinstance(node, ast.UnaryOp):
            return size(node.operand)
        if isinstance(node, ast.Call):
            return sum(size(a) for a in node.args) + 1
        raise ValueError(f"cannot parse {text!r}")

    return size(tree)


_DECLARATIONS = [
    Param("gamma", "target samples per input dimension n/d", low=0.0, latex=r"\gamma", strategy_high=4.0, scale=True),
    Param("theta", "source-target teacher angle in radians", low=0.0, high=math.pi, latex=r"\theta"),
    Param("sigma", "target label-noise standard deviation", low=0.0, latex=r"\sigma", strategy_high=2.0, scale=True),
    Param("lam", "ridge penalty in (1/n)|y - F c|^2 + lam |c|^2 (F: the read-out features, or X for scratch)",
          low=0.0, default=0.0,
          latex=r"\lambda", strategy_high=5.0, scale=True),
    Param("n", "number of target samples", low=1, integer=True, latex="n", strategy_high=400),
    Param("d", "input dimension", low=1, integer=True, latex="d", strategy_high=400),
    Param("gamma_s", "source samples per input dimension n_s/d", low=0.0, low_open=True,
          latex=r"\gamma_{s}", strategy_high=4.0, scale=True),
    Param("sigma_s", "source label-noise standard deviation", low=0.0, latex=r"\sigma_{s}", strategy_high=2.0, scale=True),
    Param("depth", "number of weight matrices of the deep linear network", low=2, integer=True, default=2,
          latex="L", symbol_name="L", strategy_high=6, float64_max=1000,
          float64_reason="powers w^L of the fine-tuning scale amplify rounding by L: ~1e-13 at L = 1000"),
    Param("norm_s", "norm of the source teacher", low=0.0, low_open=True, default=1.0,
          latex=r"\|\beta_{s}\|", symbol_name="r_s", strategy_high=3.0, scale=True),
    Param("norm_t", "norm of the target teacher", low=0.0, low_open=True, default=1.0,
          latex=r"\|\beta_{t}\|", symbol_name="r_t", strategy_high=3.0, scale=True),
    Param("mu", "fraction of teacher neurons removed to form the ReLU source", low=0.0, high=1.0,
          high_open=True, latex=r"\mu"),
    # Suggested further names (docs/background.md §0.3 [DEFAULT]) that results need:
    Param("k", "number of pretrained features (rank of the frozen feature space)", low=1, integer=True,
          latex="k", strategy_high=100),
    Param("residual", "part of a unit target teacher outside the pretrained feature space, "
          "||(I - U U^T) beta_t||^2", low=0.0, high=1.0, latex=r"\rho", symbol_name="rho"),
    # Two-layer ReLU networks (docs/background.md §10.2): kernels between two neurons w, v and their
    # Mercer decomposition on the sphere.
    Param("u", "cosine between two neuron weight vectors w.v/(|w||v|) (or two inputs on the sphere)",
          low=-1.0, high=1.0, latex="u"),
    Param("norm_w", "norm |w| of the first neuron's weight vector", low=0.0, default=1.0,
          latex=r"\|w\|", symbol_name="r_w", strategy_high=3.0, scale=True),
    Param("norm_v", "norm |v| of the second neuron's weight vector", low=0.0, default=1.0,
          latex=r"\|v\|", symbol_name="r_v", strategy_high=3.0, scale=True),
    Param("ell", "degree of a spherical harmonic (Gegenbauer / Hermite index of a Mercer expansion)",
          low=0, integer=True, latex=r"\ell", strategy_high=40),
    # Structured input covariance (docs/aniso.md): a two-level spectrum, a fraction frac_a of the
    # eigenvalues equal to a and the rest to b, a/b = eig_ratio, normalised to trace d; teachers
    # described by the fraction of their squared norm on the a-block.
    Param("frac_a", "fraction of input directions in the first block (eigenvalue a) of a two-level spectrum",
          low=0.0, high=1.0, low_open=True, high_open=True, latex=r"\rho_{a}", symbol_name="rho_a"),
    Param("eig_ratio", "ratio a/b of the two eigenvalues of a two-level spectrum (1: isotropic)",
          low=0.0, low_open=True, latex=r"r_{ab}", symbol_name="r_ab", strategy_high=20.0, scale=True),
    Param("energy_t", "fraction of the target teacher's squared norm on the eigenvalue-a block",
          low=0.0, high=1.0, latex=r"e_{t}", symbol_name="e_t"),
    Param("energy_s", "fraction of the source teacher's squared norm on the eigenvalue-a block",
          low=0.0, high=1.0, latex=r"e_{s}", symbol_name="e_s"),
    Param("energy_perp", "fraction on the eigenvalue-a block of the squared norm of the part of the target "
          "teacher orthogonal to the source (orthogonal within each block)",
          low=0.0, high=1.0, latex=r"e_{\perp}", symbol_name="e_perp"),
]

PARAMS: dict[str, Param] = {p.name: p for p in _DECLARATIONS}


def get_param(name: str) -> Param:
    """Return the declaration of a canonical parameter, or raise ``ValueError`` listing them."""
    try:
        return PARAMS[name]
    except KeyError:
        raise ValueError(f"unknown parameter {name!r}; canonical parameters: {', '.join(PARAMS)}") from None


def validate_params(values: dict) -> dict:
    """Validate a mapping ``name -> value`` of canonical parameters; return validated values."""
    return {name: get_param(name).validate(v) for name, v in values.items()}
