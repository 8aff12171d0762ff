"""Machinery of the twin registry: regions, :class:`Twin`, :class:`Reason`, and one generic check.

A *twin* pairs a registered result with the simulator that estimates it. It declares

* ``simulator``: the dotted path of the function that produces the samples (resolved lazily, so
  importing the registry imports neither the theory nor the simulators);
* ``args``: the parameter map, result parameters -> simulator arguments (e.g. ``gamma`` ->
  ``n = round(gamma d)`` at a chosen ``d``);
* ``quantity``: what one sample is;
* ``expect``: the expectation the samples are compared with, named by ``oracle`` - the exact
  finite-size result where one exists (``scratch_risk_finite`` for ``scratch_risk``), else the result
  itself with a declared finite-size allowance ``finite_size / d``;
* ``limit``: for an asymptotic result with a finite-size oracle, the oracle evaluated at a huge size,
  which must agree with the result (so the chain simulation -> oracle -> limit is closed);
* ``region``: where points are drawn (by Hypothesis in the test, by a seeded generator in
  ``ftheory validate``), with an optional constraint ``where``.

A :class:`Reason` states why a result has no simulation twin (a bound, a boundary, an argmin).
"""
from __future__ import annotations

import importlib
import math
import zlib
from dataclasses import dataclass
from typing import Callable

import numpy as np

Z_MAX = 5.0
#: floor of every tolerance: float64 rounding of a sample (condition factor 1e6 times machine epsilon,
#: relative to the size of the expectation)
ROUNDING = 1e6 * np.finfo(float).eps
#: relative agreement required between an oracle at a huge size and its asymptotic result (the
#: finite-size corrections are O(1/size) with coefficients below 1e3 in every declared region)
LIMIT_RTOL = 1e-3


# -- regions --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class F:
    """Floats uniform in ``[lo, hi]``; ``zero=True`` also draws exactly 0."""

    lo: float
    hi: float
    zero: bool = False

    def strategy(self):
        """Hypothesis strategy of this range."""
        from hypothesis import strategies as st

        s = st.floats(self.lo, self.hi, allow_nan=False, allow_infinity=False)
        return st.one_of(st.just(0.0), s) if self.zero else s

    def sample(self, rng):
        """One value drawn with ``rng``."""
        if self.zero and rng.random() < 0.2:
            return 0.0
        return float(rng.uniform(self.lo, self.hi))


@dataclass(frozen=True)
class I:  # noqa: E742 (the integer range)
    """Integers uniform in ``[lo, hi]``."""

    lo: int
    hi: int

    def strategy(self):
        """Hypothesis strategy of this range."""
        from hypothesis import strategies as st

        return st.integers(self.lo, self.hi)

    def sample(self, rng):
        """One value drawn with ``rng``."""
        return int(rng.integers(self.lo, self.hi + 1))


@dataclass(frozen=True)
class C:
    """One of the listed values."""

    values: tuple

    def __init__(self, *values):
        object.__setattr__(self, "values", tuple(values))

    def strategy(self):
        """Hypothesis strategy of these values."""
        from hypothesis import strategies as st

        return st.sampled_from(self.values)

    def sample(self, rng):
        """One value drawn with ``rng``."""
        return self.values[int(rng.integers(len(self.values)))]


# -- declarations ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Twin:
    """A registered result paired with its simulator (see the module docstring)."""

    result: str
    simulator: str
    quantity: str
    region: dict
    args: Callable
    example: dict
    oracle: str = ""
    expect: Callable | None = None
    pick: Callable | None = None
    where: Callable | None = None
    limit: Callable | None = None
    finite_size: float = 0.0
    size: str = "d"
    random: bool = True
    rtol: float = 0.0
    slow: bool = False
    note: str = ""

    @property
    def label(self) -> str:
        """``result <- simulator`` (short name), for test ids and tables."""
        return f"{self.result}<-{self.simulator.rsplit('.', 1)[-1]}"

    def admits(self, point: dict) -> bool:
        """Whether ``point`` lies in the declared region and satisfies ``where``."""
        return set(point) == set(self.region) and (self.where is None or bool(self.where(point)))


@dataclass(frozen=True)
class Reason:
    """Why a result has no simulation twin."""

    result: str
    why: str


_TWINS: list = []
_REASONS: dict = {}


def declare(*items):
    """Add twins and reasons to the registry (called by the per-topic tables)."""
    for item in items:
        if isinstance(item, Twin):
            if any(t.label == item.label and t.region == item.region for t in _TWINS):
                raise ValueError(f"twin {item.label!r} is declared twice")
            if not item.admits(item.example):
                raise ValueError(f"twin {item.label}: example {item.example} is outside its region")
            _TWINS.append(item)
        elif isinstance(item, Reason):
            if item.result in _REASONS:
                raise ValueError(f"reason for {item.result!r} is declared twice")
            _REASONS[item.result] = item
        else:
            raise TypeError(f"expected Twin or Reason, got {item!r}")


def twins(result: str | None = None) -> list:
    """All declared twins (of one ``result``), in declaration order."""
    return [t for t in _TWINS if result is None or t.result == result]


def reasons() -> dict:
    """``result name -> Reason`` for the results without a simulation twin."""
    return dict(_REASONS)


def checked_by(result: str) -> str:
    """How ``result`` is checked, in one line: its twins' simulators (and oracles), or the reason none applies."""
    pairs = [t.simulator + (f" (exact finite-size oracle {t.oracle})" if t.oracle else "") for t in twins(result)]
    if pairs:
        return "; ".join(dict.fromkeys(pairs))
    return f"no simulation: {_REASONS[result].why}" if result in _REASONS else ""


def uncovered(names) -> list:
    """The names among ``names`` with neither a twin nor a reason."""
    have = {t.result for t in _TWINS} | set(_REASONS)
    return sorted(set(names) - have)


def resolve(path: str):
    """The object at the dotted ``path`` (``package.module.attribute``)."""
    module, _, attr = path.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def seed_for(twin: Twin, point: dict) -> int:
    """The fixed seed of a comparison: a CRC32 of the twin and the point (stable across runs)."""
    text = twin.label + "|" + ",".join(f"{k}={point[k]!r}" for k in sorted(point))
    return zlib.crc32(text.encode())


def sample_point(twin: Twin, rng, tries: int = 1000) -> dict:
    """A point of ``twin``'s region (rejection on ``where``) drawn with ``rng``."""
    for _ in range(tries):
        point = {k: dom.sample(rng) for k, dom in twin.region.items()}
        if twin.admits(point):
            return point
    raise ValueError(f"twin {twin.label}: no admissible point in {tries} draws")


# -- the one comparison ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Comparison:
    """Simulation against expectation at one point."""

    twin: Twin
    point: dict
    seed: int
    expected: float
    mean: float
    sem: float
    tolerance: float
    converged: int
    instances: int
    limit_gap: float | None = None
    limit_tolerance: float | None = None

    @property
    def z(self) -> float:
        """``(mean - expected) / sem`` (0 or inf when the estimate is exact)."""
        if not self.sem > 0:
            return 0.0 if abs(self.mean - self.expected) <= self.tolerance else math.inf
        return (self.mean - self.expected) / self.sem

    @property
    def passed(self) -> bool:
        """Within tolerance, every instance converged, and the limit (if any) agrees."""
        ok = abs(self.mean - self.expected) <= self.tolerance and self.converged == self.instances
        if self.limit_gap is not None:
            ok = ok and self.limit_gap <= self.limit_tolerance
        return bool(ok)

    def as_dict(self) -> dict:
        """Plain-data summary (for ``ftheory validate --json``)."""
        return {"result": self.twin.result, "simulator": self.twin.simulator, "oracle": self.twin.oracle
                or self.twin.result, "params": self.point, "seed": self.seed, "theory": self.expected,
                "simulation": self.mean, "sem": self.sem, "tolerance": self.tolerance, "z": self.z,
                "converged": self.converged, "instances": self.instances, "limit_gap": self.limit_gap,
                "passed": self.passed}


def compare(twin: Twin, point: dict, seed: int | None = None) -> Comparison:
    """Run ``twin``'s simulator at ``point`` and compare with its expectation.

    Tolerance: ``Z_MAX`` standard errors of the simulated mean, plus the declared finite-size
    allowance ``finite_size / size`` (0 where the oracle is exact), plus ``rtol |expected|`` for
    deterministic estimators (quadrature), plus the rounding floor ``ROUNDING (1 + |expected|)``.
    """
    import ftheory

    if not twin.admits(point):
        raise ValueError(f"twin {twin.label}: point {point} is outside its region")
    seed = seed_for(twin, point) if seed is None else seed
    kwargs = twin.args(point)
    fn = resolve(twin.simulator)
    out = fn(**kwargs, seed=seed) if twin.random else fn(**kwargs)
    est = twin.pick(out) if twin.pick else out
    expected = float(twin.expect(point)) if twin.expect else float(ftheory.get(twin.result)(**point))
    if hasattr(est, "sem"):
        mean, sem = est.mean, est.sem
        conv, inst = int(np.sum(est.converged)), est.instances
    else:
        mean, sem, conv, inst = float(est), 0.0, 1, 1
    size = kwargs.get(twin.size, point.get(twin.size)) if twin.finite_size else None
    tol = (Z_MAX * (sem if sem > 0 else 0.0) + (twin.finite_size / size if size else 0.0)
           + twin.rtol * abs(expected) + ROUNDING * (1 + abs(expected)))
    gap = gap_tol = None
    if twin.limit is not None:
        asym = float(ftheory.get(twin.result)(**point))
        gap = abs(float(twin.limit(point)) - asym)
        gap_tol = LIMIT_RTOL * (1 + abs(asym))
    return Comparison(twin, dict(point), int(seed), expected, float(mean), float(sem), float(tol), conv, inst,
                      gap, gap_tol)
