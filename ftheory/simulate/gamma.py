"""gamma = n/d in the simulators, as in the theory: the one conversion ``n = round(gamma d)`` (also
``n_s = round(gamma_s d)`` for a finite source set).

Every simulator that takes ``n`` (and ``d``, or a spectrum whose length is ``d``) also accepts
``gamma=`` through :func:`takes_gamma`, and :func:`~ftheory.simulate.sweeps.sweep` resolves a swept
``gamma`` with the same :func:`n_from_gamma`; a point asked for as gamma runs, is seeded and is stored
exactly as the point at its ``n``.
"""
from __future__ import annotations

import functools
import inspect
import math

import numpy as np

__all__ = ["n_from_gamma", "takes_gamma", "maps_gamma", "resolve_gamma"]


def n_from_gamma(gamma, d, *, min_n=1, name="gamma", count="n") -> int:
    """``n = round(gamma d)`` (Python's round), checked: ``ValueError`` naming gamma, its value and its
    domain at this ``d`` when gamma is not a finite number or ``n < min_n``. ``name``/``count`` name the
    ratio and the count in messages (``gamma_s``/``n_s`` for the source set)."""
    if isinstance(d, bool) or not isinstance(d, (int, float, np.integer, np.floating)) or not d >= 1 \
            or not float(d).is_integer():
        raise ValueError(f"d={d!r} is invalid: expected an integer >= 1 (input dimension)")
    d = int(d)
    try:
        g = float(gamma)
    except (TypeError, ValueError):
        g = math.nan
    if isinstance(gamma, bool) or not math.isfinite(g):
        raise ValueError(f"{name}={gamma!r} is invalid: expected a finite number >= 0 (samples per input dimension "
                         f"{count}/d)")
    n = int(round(g * d))
    if n < min_n:
        raise ValueError(f"{name}={gamma!r} is invalid at d={d}: {count} = round({name} d) = {n}, expected {count} >= "
                         f"{min_n} (domain at this d: round({name} d) >= {min_n}; {name} >= {min_n / d:.6g} suffices)")
    return n


def takes_gamma(min_n=1, dimension=None):
    """Decorator: the simulator (which takes ``n``) also accepts ``gamma=`` instead of ``n``, run at
    ``n = n_from_gamma(gamma, d, min_n=min_n)``; ``d`` is its argument ``d`` or ``dimension(arguments)``
    (e.g. the length of the spectrum)."""
    def deco(fn):
        sig = inspect.signature(fn)
        params = list(sig.parameters.values())
        at = next((i for i, p in enumerate(params) if p.kind == p.VAR_KEYWORD), len(params))
        params.insert(at, inspect.Parameter("gamma", inspect.Parameter.KEYWORD_ONLY, default=None))

        @functools.wraps(fn)
        def wrapper(*args, gamma=None, **kwargs):
            if gamma is not None:
                bound = sig.bind_partial(*args, **kwargs).arguments
                if "n" in bound:
                    raise ValueError(f"{fn.__name__}: give n or gamma (n = round(gamma d)), not both")
                kwargs["n"] = n_from_gamma(gamma, _dimension(wrapper, bound), min_n=min_n)
            return fn(*args, **kwargs)

        wrapper.__signature__ = sig.replace(parameters=params)
        wrapper.gamma_min_n = min_n
        wrapper.gamma_dimension = dimension
        return wrapper
    return deco


def _dimension(fn, arguments):
    dim = getattr(fn, "gamma_dimension", None)
    if dim is not None:
        return dim(arguments)
    if "d" not in arguments:
        raise ValueError(f"{fn.__name__}: gamma needs d (n = round(gamma d)); give d in the grid or as a fixed value")
    return arguments["d"]


def maps_gamma(fn) -> bool:
    """True if a sweep may give ``fn`` a ``gamma`` that it runs at ``n = round(gamma d)``: ``fn`` takes ``n`` and
    ``d`` (or is :func:`takes_gamma`-decorated) and has no ``gamma`` of its own."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins
        return False
    if hasattr(fn, "gamma_min_n"):
        return True
    return "n" in params and "d" in params and "gamma" not in params


def resolve_gamma(fn, kwargs: dict) -> dict:
    """``kwargs`` with ``gamma`` replaced by ``n = n_from_gamma(gamma, d)`` when :func:`maps_gamma` (``fn``'s
    own minimum n); otherwise ``kwargs`` unchanged."""
    if "gamma" not in kwargs or not maps_gamma(fn):
        return kwargs
    out = dict(kwargs)
    gamma = out.pop("gamma")
    out["n"] = n_from_gamma(gamma, _dimension(fn, out), min_n=getattr(fn, "gamma_min_n", 1))
    return out
