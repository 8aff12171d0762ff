"""Uniform seed handling for every random function of ftheory.

Every simulator takes ``seed``: an ``int``, a :class:`numpy.random.Generator`, a
:class:`numpy.random.SeedSequence` or ``None`` (fresh OS entropy). The model is
scikit-learn's ``check_random_state``.
"""
from __future__ import annotations

import numbers

import numpy as np

SeedLike = "int | numpy.random.Generator | numpy.random.SeedSequence | None"


def as_generator(seed=None) -> np.random.Generator:
    """Return a :class:`numpy.random.Generator` for ``seed``.

    Parameters
    ----------
    seed : int >= 0, numpy.random.Generator, numpy.random.SeedSequence or None
        A generator is returned as is (so a caller can thread one generator through
        several calls); an int or SeedSequence seeds a new PCG64 generator; None draws
        fresh entropy.

    Raises
    ------
    ValueError
        If ``seed`` is of any other type or a negative integer.

    Examples
    --------
    >>> as_generator(0).standard_normal() == as_generator(0).standard_normal()
    True
    """
    if seed is None:
        return np.random.default_rng()
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, np.random.SeedSequence):
        return np.random.default_rng(seed)
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        if seed < 0:
            raise ValueError(f"seed={seed!r} is invalid: expected an integer >= 0, "
                             "a numpy.random.Generator, a SeedSequence or None")
        return np.random.default_rng(int(seed))
    raise ValueError(f"seed={seed!r} is invalid: expected an integer >= 0, "
                     "a numpy.random.Generator, a SeedSequence or None")


def spawn_seeds(seed, count: int) -> list[np.random.SeedSequence]:
    """Split ``seed`` into ``count`` independent child seed sequences.

    The children depend only on ``seed`` (not on the order in which they are used), which is
    what lets a sweep give the same numbers serially and in parallel.
    """
    if isinstance(seed, np.random.Generator):
        return seed.bit_generator.seed_seq.spawn(count)
    if isinstance(seed, np.random.SeedSequence):
        return seed.spawn(count)
    as_generator(seed)  # validates
    return np.random.SeedSequence(seed).spawn(count)


def int_seed(seed) -> int:
    """One integer seed for ``seed`` (any value :func:`as_generator` accepts): an int itself, else one drawn
    from ``as_generator(seed)`` (a Generator advances; None draws fresh entropy), so that draws keyed on it
    can be cached and shared."""
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        check_seed(seed)
        return int(seed)
    return int(as_generator(seed).integers(2 ** 63))


def check_seed(seed) -> None:
    """Raise ``ValueError`` naming ``seed`` unless :func:`as_generator` accepts it.

    A Generator or SeedSequence passes untouched (no number is drawn from it).
    """
    if not isinstance(seed, (np.random.Generator, np.random.SeedSequence)):
        as_generator(seed)
