"""Settings of the ReLU simulations, declared once (:class:`ReluSpec`), and their presets.

Every simulator of :mod:`ftheory.simulate.relu` reads its sizes, step sizes, step budgets and
tolerances from one validated :class:`ReluSpec`; :data:`RELU_SCALES` holds the named presets. The
convergence rule of gradient descent is described in :mod:`ftheory.simulate.relu.gd`.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from ftheory._checks import check_int, check_real
from ftheory.params import PARAMS

__all__ = ["RELU_SCALES", "ReluSpec", "kept_count"]


# ------------------------------------------------------------------------------------------
# validators (each names the parameter, its value and its domain)
# ------------------------------------------------------------------------------------------
def real(name, value, **bounds):
    """:func:`ftheory._checks.check_real` rejecting bools (``lr=True`` is a mistake, not 1.0)."""
    return check_real(name, value, **bounds)


def check_mu(value):
    """``mu`` as a float in [0, 1) (removed fraction of teacher neurons); ValueError otherwise, also for a bool."""
    if isinstance(value, bool):
        raise ValueError(f"mu={value!r} is invalid: expected a real number in {PARAMS['mu'].domain}")
    return float(PARAMS["mu"].validate(value))


def check_grid(name, values, check):
    """A non-empty 1-D sequence ``values`` of distinct entries, each validated by ``check``; returns the list."""
    arr = np.atleast_1d(np.asarray(values, dtype=object))
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name}={values!r} is invalid: expected a non-empty 1-D sequence")
    out = [check(v) for v in arr.tolist()]
    if len(set(out)) != len(out):
        raise ValueError(f"{name}={values!r} is invalid: values must be distinct")
    return out


def check_source(source):
    """``source``: ``"population"`` or a sample size (int >= 1); ValueError otherwise."""
    if isinstance(source, str):
        if source != "population":
            raise ValueError(f"source={source!r} is invalid: expected 'population' or an integer >= 1")
        return source
    return check_int("source", source, 1)


def check_rcond(rcond):
    """``rcond`` as a float in [0, 1) (read-out singular-value cut-off); ValueError otherwise."""
    r = real("rcond", rcond)
    if r >= 1:
        raise ValueError(f"rcond={rcond!r} is invalid: expected a real number in [0, 1)")
    return r


def check_training(lr, steps, tol, grad_tol, prefix=""):
    """Validated ``(lr > 0, steps >= 0 int, tol >= 0, grad_tol >= 0)`` of one gradient descent; errors name
    the parameters with ``prefix`` (e.g. ``pretrain_lr``)."""
    return (real(prefix + "lr", lr, low_open=True), check_int(prefix + "steps", steps, 0), real(prefix + "tol", tol),
            real(prefix + "grad_tol", grad_tol))


def check_dtype(dtype):
    """``dtype`` if it is ``"float64"`` or ``"float32"``; ValueError otherwise."""
    if dtype not in ("float64", "float32"):
        raise ValueError(f"dtype={dtype!r} is invalid: expected 'float64' or 'float32'")
    return dtype


def kept_count(m_star: int, mu: float) -> int:
    """``|S| = m* - floor(mu m*)``: teacher neurons kept in the source (docs/background.md §10.1).

    The floor is taken of ``mu m* + 1e-9`` so that decimal grids such as ``mu = 0.29`` with
    ``m* = 100`` remove 29 neurons despite ``0.29 * 100 = 28.999999999999996`` in binary.

    >>> kept_count(100, 0.29), kept_count(100, 0.0), kept_count(20, 0.5)
    (71, 100, 10)
    """
    m_star = check_int("m_star", m_star, 1)
    mu = check_mu(mu)
    return m_star - int(math.floor(mu * m_star + 1e-9))


# ------------------------------------------------------------------------------------------
# the specification
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReluSpec:
    """Every setting of a ReLU transfer experiment except the grids and the seed (validated on creation).

    Sizes: ``d`` input dimension, ``m`` student width, ``m_star`` teacher width (int >= 1; defaults
    are the paper's, docs/background.md §10.6), ``sigma >= 0`` target label noise, ``instances >= 1``.

    Target gradient descent (scratch, and fine-tuning unless ``ft_lr``/``ft_steps`` are given):
    ``lr > 0`` mean-field step, ``steps >= 0`` budget, convergence when the training loss is
    ``<= tol`` times mean ``y^2`` or the gradient RMS ``<= grad_tol`` times its square root.

    Pretraining: ``pretrain_lr``, ``pretrain_steps`` (budget), ``pretrain_tol`` and
    ``pretrain_grad_tol`` (a pair is flagged converged when its source risk is
    ``<= pretrain_tol * ||f_s||^2`` or the gradient criterion holds), ``pretrain_early_stop`` (stop a
    pair as soon as it is converged; False: every pair runs the whole budget, the same training time
    for every ``mu``);
    ``source``: ``"population"`` (exact population loss) or the size of a finite source sample.

    ``plateau >= 0``: convergence rule on the quantity the experiment reports (0 switches it off).
    At geometrically spaced checkpoints (every factor ``sqrt(2)`` in steps, from step 64) the exact
    population risk (scratch, fine-tuning: against ``f_t``; pretraining: against ``f_s``) is
    evaluated; an instance stops when the local rate ``|d log R / d log t|`` is below ``plateau``
    on two consecutive checkpoint intervals (doubling the training time would change ``R`` by less
    than a factor ``2^plateau``). ``rcond`` in [0, 1): singular-value cut-off of the read-out refit;
    ``readout_scale >= 0``: standard deviation of the initial read-out; ``finetune``: also
    fine-tune; ``keep_init``: store the pretraining initialisation; ``dtype``: ``"float64"`` or
    ``"float32"`` for the *population* pretraining gradients only (the iterates, losses used for step
    acceptance, risks and everything on samples stay float64; docs/performance.md measures the effect).
    """

    d: int = 100
    m: int = 1000
    m_star: int = 100
    sigma: float = 0.0
    instances: int = 4
    lr: float = 1.0
    steps: int = 20000
    tol: float = 1e-8
    grad_tol: float = 1e-8
    pretrain_lr: float = 1.0
    pretrain_steps: int = 20000
    pretrain_tol: float = 1e-2
    pretrain_grad_tol: float = 1e-10
    pretrain_early_stop: bool = False
    source: object = "population"
    rcond: float = 1e-6
    readout_scale: float = 1.0
    finetune: bool = False
    ft_lr: float | None = None
    ft_steps: int | None = None
    keep_init: bool = False
    plateau: float = 0.0
    dtype: str = "float64"

    def __post_init__(self):
        put = lambda k, v: object.__setattr__(self, k, v)  # noqa: E731
        for k in ("d", "m", "m_star", "instances"):
            put(k, check_int(k, getattr(self, k)))
        put("sigma", real("sigma", self.sigma))
        lr, steps, tol, grad_tol = check_training(self.lr, self.steps, self.tol, self.grad_tol)
        put("lr", lr), put("steps", steps), put("tol", tol), put("grad_tol", grad_tol)
        vals = check_training(self.pretrain_lr, self.pretrain_steps, self.pretrain_tol, self.pretrain_grad_tol,
                              "pretrain_")
        for k, v in zip(("pretrain_lr", "pretrain_steps", "pretrain_tol", "pretrain_grad_tol"), vals):
            put(k, v)
        put("source", check_source(self.source))
        put("rcond", check_rcond(self.rcond))
        put("readout_scale", real("readout_scale", self.readout_scale))
        put("ft_lr", None if self.ft_lr is None else real("ft_lr", self.ft_lr, low_open=True))
        put("ft_steps", None if self.ft_steps is None else check_int("ft_steps", self.ft_steps, 0))
        put("plateau", real("plateau", self.plateau))
        put("dtype", check_dtype(self.dtype))
        for k in ("finetune", "keep_init", "pretrain_early_stop"):
            if not isinstance(getattr(self, k), (bool, np.bool_)):
                raise ValueError(f"{k}={getattr(self, k)!r} is invalid: expected True or False")
            put(k, bool(getattr(self, k)))

    @classmethod
    def names(cls) -> tuple:
        """The setting names, in declaration order."""
        return tuple(f.name for f in dataclasses.fields(cls))

    @classmethod
    def from_settings(cls, spec=None, **settings) -> "ReluSpec":
        """``spec`` (a ReluSpec, a dict or None for the defaults) updated by keyword ``settings``."""
        unknown = sorted(set(settings) - set(cls.names()))
        if unknown:
            raise ValueError(f"unknown ReLU setting(s) {', '.join(unknown)}: expected any of {', '.join(cls.names())}")
        if spec is None:
            return cls(**settings)
        if isinstance(spec, dict):
            return cls.from_settings(None, **{**spec, **settings})
        if not isinstance(spec, cls):
            raise ValueError(f"spec={spec!r} is invalid: expected a ReluSpec, a dict of settings or None")
        return dataclasses.replace(spec, **settings) if settings else spec

    @property
    def finetune_lr(self) -> float:
        """Fine-tuning step size: ``ft_lr``, or ``lr`` when it is None."""
        return self.lr if self.ft_lr is None else self.ft_lr

    @property
    def finetune_steps(self) -> int:
        """Fine-tuning step budget: ``ft_steps``, or ``steps`` when it is None."""
        return self.steps if self.ft_steps is None else self.ft_steps

    def as_dict(self) -> dict:
        """The settings as a dict, in declaration order."""
        return {k: getattr(self, k) for k in self.names()}


#: Named presets (settings of :class:`ReluSpec`). ``"paper"``: docs/background.md §10.1/§10.6 sizes (d = 100,
#: m = 1000, m* = 100, sigma = 0) with the protocol made to fit in 2 hours of one core (docs/performance.md,
#: ReLU section): pretraining at lr = 2 (at lr = 4 the step control halves to 2 within 250 steps, measured)
#: until the source risk is 3e-3 of ||f_s||^2 (about 3000 steps; budget 8000), float32 population gradients,
#: and the plateau rule (0.02) for every gradient descent. ``"cpu"``: the default scale of ``ftheory
#: reproduce`` (the paper's m*/d = 1 and m/m* = 5; the whole ReLU figure set in a few minutes); pretraining
#: runs its full budget. ``"tiny"``: tests. Scratch risks depend little on the number of steps once the
#: training loss is ~0 (measured at the cpu scale, 8 instances: 1500 -> 4000 steps changes R_sc by < 3% for
#: n <= 640 and by -7% at n = 1280; 500 steps gives +22% at n = 1280).
RELU_SCALES = {
    "paper": {"d": 100, "m": 1000, "m_star": 100, "sigma": 0.0, "lr": 1.0, "steps": 20000,
              "pretrain_lr": 2.0, "pretrain_steps": 8000, "pretrain_tol": 3e-3, "pretrain_early_stop": True,
              "plateau": 0.02, "dtype": "float32"},
    "cpu": {"d": 20, "m": 100, "m_star": 20, "sigma": 0.0, "lr": 1.0, "steps": 1500,
            "pretrain_lr": 2.0, "pretrain_steps": 1000},
    "tiny": {"d": 8, "m": 24, "m_star": 8, "sigma": 0.0, "lr": 1.0, "steps": 150,
             "pretrain_lr": 2.0, "pretrain_steps": 200},
}
