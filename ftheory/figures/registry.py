"""A figure of ``ftheory reproduce``: how to compute its numbers, draw it and caption it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Figure:
    """One reproducible figure.

    ``compute(scale, seed, progress=None, store=None)`` returns JSON-serialisable numbers (``store``
    is a folder for resumable sweeps); ``render(data, path_stem)`` writes PNG and PDF and returns
    the paths; ``caption(data)`` states the parameters.
    """

    id: str
    title: str
    compute: Callable
    render: Callable
    caption: Callable
