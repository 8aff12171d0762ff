"""The part of random ReLU target teachers outside the span of their kept neurons (docs/background.md §10.3):
fresh teachers drawn as :func:`~ftheory.simulate.relu.draw_teacher` draws them, each projected exactly
(:func:`~ftheory.relu.projection.teacher_projection`, from kernel Gram matrices) at every removed fraction."""
from __future__ import annotations

import numpy as np

from ftheory.relu.projection import teacher_projection
from ftheory.simulate.relu.network import draw_teacher

__all__ = ["simulate_teacher_outside"]


def simulate_teacher_outside(d, m_star, mus, *, instances=20, seed=None) -> dict:
    """``||P^perp f_t||^2`` onto the span of the kept neurons ``S`` (a fraction ``mu`` removed) for ``instances``
    teachers in ``R^d`` of width ``m_star``, at every ``mu`` in ``mus`` (the same teachers for every ``mu``).

    Returns ``{"absolute": (instances, len(mus)), "relative": (instances, len(mus))}`` (relative: divided by
    ``||f_t||^2``).

    >>> r = simulate_teacher_outside(4, 6, [0.0, 0.5], instances=3, seed=0)
    >>> r["relative"].shape, bool((r["relative"][:, 0] < 1e-10).all())   # nothing removed: rounding residues
    ((3, 2), True)
    """
    teachers = draw_teacher(d, m_star, instances=instances, seed=seed)
    mus = list(mus)
    absolute = np.empty((teachers.instances, len(mus)))
    relative = np.empty_like(absolute)
    for j, mu in enumerate(mus):
        keep = teachers.keep(mu)
        for i in range(teachers.instances):
            p = teacher_projection(teachers.weights[i], teachers.coef[i], keep[i])
            absolute[i, j], relative[i, j] = p.outside_sq, p.fraction
    return {"absolute": absolute, "relative": relative}
