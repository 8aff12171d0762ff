"""Private helpers shared by several modules: scalar input validation and a PSD pseudo-inverse.

Validation follows the toolkit's convention: bad input raises ``ValueError`` naming the parameter,
the offending value and the domain. NaN, an infinity and text beyond float64 are worded in one place
(:func:`nonfinite`: ``"... is not a number (NaN); expected ..."``, ``"... is infinite; expected ..."``,
``"... overflows float64 (largest about 1.8e308)"``). Otherwise two message styles are in use (and kept,
since callers and tests rely on them):

* ``"{name}={value!r} is invalid: expected ..."`` (the default);
* the :meth:`ftheory.params.Param.validate` style when a ``description`` is given:
  ``"{name}={value!r} is not a number; expected a value in {domain}"`` for a non-number, "a finite value
  in {domain}" after an infinity and ``"{name}={value!r} is out of its domain {domain} ({description})"``
  for another value outside it (:func:`outside`).

Nothing here imports from the rest of :mod:`ftheory`, so any module may use it.
"""
from __future__ import annotations

import contextlib
import math
import numbers

import numpy as np

__all__ = ["check_int", "check_real", "check_memory", "interval", "nonfinite", "outside", "overflow_hint", "psd_eigh",
           "psd_pinv"]


def check_int(name: str, value, minimum: int = 1, *, note: str | None = None) -> int:
    """Return ``value`` as ``int`` if it is an integer (not a bool) ``>= minimum``.

    Parameters
    ----------
    name : str
        Parameter name used in the message.
    value : object
        Python or NumPy integer.
    minimum : int
        Smallest accepted value.
    note : str, optional
        Appended to the message in parentheses (what the parameter means).

    Raises
    ------
    ValueError
        ``"{name}={value!r} is invalid: expected an integer >= {minimum}[ ({note})]"``.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        extra = f" ({note})" if note else ""
        raise ValueError(f"{name}={value!r} is invalid: expected an integer >= {minimum}{extra}")
    return int(value)


def interval(low: float, high: float = math.inf, low_open: bool = False, high_open: bool = False) -> str:
    """Interval notation such as ``"[0, inf)"`` or ``"(0, 1]"`` (an infinite end is always open)."""
    left = "(" if low_open else "["
    right = ")" if high_open or high == math.inf else "]"
    return f"{left}{low:g}, {high:g}{right}"


def outside(shown: str, value, domain: str, description: str | None = None, text: str | None = None) -> ValueError:
    """The ``ValueError`` for a real ``value`` (float, NumPy or mpmath) that is not in ``domain``.

    ``shown`` is how the input is named (``"gamma=nan"``, ``"gamma='inf'"``). NaN is "not a number (NaN)",
    an infinity "infinite" (no domain contains one), anything else "out of its domain"; the message ends
    with the domain and, if given, the ``description`` in parentheses. An infinity read from ``text``
    that does not spell one (``"1e400"``) overflowed float64: the message says so.

    >>> outside("gamma=inf", float("inf"), "[0, inf)")
    ValueError('gamma=inf is infinite; expected a finite value in [0, inf)')
    """
    tail = f" ({description})" if description else ""
    if description and "in radians" in description and 2 * math.pi < value <= 360:  # theta=45 meant degrees?
        tail = f" ({description}; {_degrees(float(value))})"
    return (nonfinite(shown, value, f"a value in {domain}{tail}", f"a finite value in {domain}{tail}", text)
            or ValueError(f"{shown} is out of its domain {domain}{tail}"))


def nonfinite(shown: str, value, expected: str, expected_finite: str | None = None,
              text: str | None = None) -> ValueError | None:
    """The ``ValueError`` for a NaN or infinite ``value`` (float, NumPy or mpmath), ``None`` for any other.

    The one wording of these cases (:func:`outside`, :func:`check_real`): NaN is
    ``"{shown} is not a number (NaN); expected {expected}"``, an infinity
    ``"{shown} is infinite; expected {expected_finite or expected}"``, and an infinity read from ``text``
    that does not spell one (``"1e400"``) ``"{shown} overflows float64 (largest about 1.8e308)"``.

    >>> nonfinite("x='1e400'", float("inf"), "a real number", text="1e400")
    ValueError("x='1e400' overflows float64 (largest about 1.8e308)")
    """
    if value != value:
        return ValueError(f"{shown} is not a number (NaN); expected {expected}")
    if value == math.inf or value == -math.inf:
        if isinstance(text, str) and "inf" not in text.lower():
            return ValueError(f"{shown} overflows float64 (largest about 1.8e308)")
        return ValueError(f"{shown} is infinite; expected {expected_finite or expected}")
    return None


@contextlib.contextmanager
def overflow_hint(where: str):
    """Append ``"; use {where} (arbitrary precision)"`` to a ValueError raised inside that says a value
    overflows float64 (:func:`outside`), where an arbitrary-precision path exists (``.mp(...)``, ``--dps N``)."""
    try:
        yield
    except ValueError as exc:
        if "overflows float64" not in str(exc) or "arbitrary precision" in str(exc):
            raise
        raise ValueError(f"{exc}; use {where} (arbitrary precision)") from None


def _degrees(value: float) -> str:
    """``"45 degrees is pi/4"``: what an angle given in degrees by mistake is in radians."""
    from fractions import Fraction

    f = Fraction(value) / 180
    if f.denominator > 360:
        return f"{value:g} degrees is {value:g}*pi/180"
    num = {1: "", -1: "-"}.get(f.numerator, f"{f.numerator}*")
    return f"{value:g} degrees is {num}pi" + ("" if f.denominator == 1 else f"/{f.denominator}")


def check_real(name: str, value, low: float = 0.0, high: float = math.inf, *, low_open: bool = False,
               high_open: bool = False, domain: str | None = None, expected: str | None = None,
               allow_bool: bool = False, description: str | None = None) -> float:
    """Return ``float(value)`` if it is a finite real number in the interval ``low .. high``.

    Parameters
    ----------
    name : str
        Parameter name used in the message.
    value : object
        Anything ``float()`` accepts.
    low, high : float
        Bounds; closed unless ``low_open`` / ``high_open``.
    domain : str, optional
        Domain as shown in the message; default :func:`interval` of the bounds.
    expected : str, optional
        Replaces ``"a real number in {domain}"`` in the default message.
    allow_bool : bool
        If True, ``True``/``False`` are accepted as 1.0/0.0; by default they are rejected (True is not 1).
    description : str, optional
        Switch to the :meth:`~ftheory.params.Param.validate` message style (see the module
        docstring), naming what the parameter means.

    Raises
    ------
    ValueError
        If ``value`` is not a number, not finite, or outside the interval.
    """
    if domain is None:
        domain = interval(low, high, low_open, high_open)

    def failure(not_a_number: bool) -> ValueError:
        text = value if isinstance(value, str) else None  # "1e400" overflows float64 rather than being infinite
        if description is None:
            what = f"a real number in {domain}" if expected is None else expected
            return ((not not_a_number and nonfinite(f"{name}={value!r}", v, what, text=text))
                    or ValueError(f"{name}={value!r} is invalid: expected {what}"))
        if not_a_number:
            return ValueError(f"{name}={value!r} is not a number; expected a value in {domain}")
        return outside(f"{name}={value!r}", v, domain, description, text)

    try:
        v = float(value)
    except (TypeError, ValueError):
        raise failure(True) from None
    if (not allow_bool and isinstance(value, (bool, np.bool_))) or not math.isfinite(v) or v < low \
            or (low_open and v == low) or v > high or (high_open and v == high):
        raise failure(False)
    return v


def psd_eigh(K: np.ndarray, rcond: float) -> tuple[np.ndarray, np.ndarray]:
    """Retained eigenpairs of a symmetric PSD matrix: eigenvalues ``> rcond * max eigenvalue``.

    Returns ``(evals, evecs)`` with ``evecs[:, i]`` the eigenvector of ``evals[i]``; nothing is
    retained when ``K`` is empty or its largest eigenvalue is ``<= 0``.
    """
    evals, evecs = np.linalg.eigh(K)
    if evals.size and evals[-1] > 0:
        keep = evals > rcond * evals[-1]
    else:
        keep = np.zeros(evals.shape, bool)
    return evals[keep], evecs[:, keep]


def psd_pinv(K: np.ndarray, rcond: float) -> tuple[np.ndarray, int]:
    """Pseudo-inverse of a symmetric PSD matrix from :func:`psd_eigh`, and its numerical rank."""
    evals, evecs = psd_eigh(K, rcond)
    return (evecs / evals) @ evecs.T, int(evals.size)


def _physical_memory() -> int:
    """Bytes of physical memory of this machine (1 TiB if the platform does not say)."""
    import os

    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):  # pragma: no cover - non-POSIX
        return 2 ** 40


def check_memory(where: str, floats: float, what: str, available: int | None = None) -> None:
    """Raise ``ValueError`` up front when an allocation of ``floats`` float64 numbers cannot fit in memory.

    Parameters
    ----------
    where : str
        The function and its size parameters, e.g. ``"simulate_min_norm_risk(n=10**12, d=100)"``.
    floats : float
        Number of float64 values the computation must hold at once (an estimate; may exceed 2**63).
    what : str
        What they are (``"one instance's n x d design matrix and its SVD"``).
    available : int, optional
        Bytes available; default the machine's physical memory.

    Raises
    ------
    ValueError
        ``"{where} needs about X GB ({what}); this machine has Y GB"``.
    """
    limit = _physical_memory() if available is None else int(available)
    need = 8.0 * float(floats)
    if need > limit:
        raise ValueError(f"{where} needs about {need / 1e9:.3g} GB ({what}); this machine has "
                         f"{limit / 1e9:.3g} GB of memory: reduce the sizes")
