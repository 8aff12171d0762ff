"""Numbers behind the explorer's ReLU boundary widget (docs/background.md §10.3-§10.5), computed in Python.

The part of the target teacher outside the source feature space, ``||P_perp f_t||^2(mu)``, is not a
closed form: it depends on the random teacher (its neurons ``w*_j``, read-out ``c_j`` and which
neurons the source loses). The page therefore embeds numbers computed when it is built:

* :func:`teacher_residual_curve` — one seeded default teacher (:data:`DEFAULT_TEACHER`: the paper's
  ``d = 100``, ``m* = 100`` with the §10.6 defaults of :func:`ftheory.simulate.relu.draw_teacher`),
  projected onto the span of its kept neurons with
  :func:`ftheory.relu.projection.teacher_projection` at every ``mu = k/m*`` (exact, from kernel
  Gram matrices; ~0.1 s with one BLAS thread);
* :func:`load_reproduce_relu` — with ``ftheory explore --data FIGURES_DIR``, the scratch power law
  ``A, nu`` fitted by ``ftheory reproduce`` (``data/relu-phase.json``, or ``relu-powerlaw.json``),
  its residual curves (``relu-projection.json``: mean over many teachers) and the predicted
  thresholds it stored, so that the page can show them and check its own ``n*`` against them.

The widget computes ``n*(mu) = (A / ||P_perp f_t||^2(mu))^{1/nu}`` (§10.5) from these numbers and
the sliders for ``A`` and ``nu``. Nothing here imports SymPy.
"""
from __future__ import annotations

import json
import math
import os

__all__ = ["DEFAULT_TEACHER", "DEFAULT_NU", "teacher_residual_curve", "load_reproduce_relu", "relu_page_data"]

#: The teacher of the embedded residual curve: docs/background.md §10.1 sizes, a fixed seed.
DEFAULT_TEACHER = {"d": 100, "m_star": 100, "seed": 0}
#: Exponent of the scratch power law used when no fit is loaded: the paper's value (§10.4).
DEFAULT_NU = 1.18
#: Relative residuals below this are rounding (mu = 0 projects onto the whole teacher span).
_ROUNDING = 1e-10
_FILES = ("relu-phase.json", "relu-powerlaw.json", "relu-projection.json")


def _finite(values) -> list:
    """Floats for JSON (the page's JSON has no inf/NaN): non-finite -> None."""
    return [float(v) if math.isfinite(float(v)) else None for v in values]


def teacher_residual_curve(d: int = 100, m_star: int = 100, seed: int = 0, mus=None) -> dict:
    """``||P_perp f_t||^2`` against ``mu`` for one seeded teacher (docs/background.md §10.3, exact).

    Parameters
    ----------
    d, m_star : int >= 1
        Input dimension and teacher width.
    seed : int
        Seed of :func:`ftheory.simulate.relu.draw_teacher` (teacher neurons uniform on the sphere,
        ``c_j ~ N(0, 1)``, a random removal order; the removed sets are nested in ``mu``).
    mus : sequence of float in [0, 1), optional
        Default: ``k / m_star`` for ``k = 0 .. m_star - 1`` (every kept count once).

    Returns
    -------
    dict
        ``mus``, ``kept`` (``|S|``), ``absolute`` (``||P_perp f_t||^2``), ``relative`` (divided by
        ``||f_t||^2``; values below 1e-10 set to 0), ``norm_sq``, and the settings.
    """
    from threadpoolctl import threadpool_limits

    from ftheory.relu.projection import teacher_projection
    from ftheory.simulate.relu import draw_teacher, kept_count

    if mus is None:
        mus = [k / m_star for k in range(m_star)]
    mus = [float(mu) for mu in mus]
    teacher = draw_teacher(d, m_star, instances=1, seed=seed)
    absolute, relative, kept, norm_sq = [], [], [], None
    with threadpool_limits(limits=1, user_api="blas"):  # small matrices: one thread is 10x faster under load
        for mu in mus:
            p = teacher_projection(teacher.weights[0], teacher.coef[0], teacher.keep(mu)[0])
            rel = p.fraction if p.fraction >= _ROUNDING else 0.0
            absolute.append(p.outside_sq if rel > 0 else 0.0)
            relative.append(rel)
            kept.append(kept_count(m_star, mu))
            norm_sq = p.norm_sq
    return {"label": f"default teacher (d = {d}, m* = {m_star}, seed {seed})", "d": d, "m_star": m_star,
            "seed": seed, "teachers": 1, "mus": mus, "kept": kept, "absolute": absolute, "relative": relative,
            "norm_sq": norm_sq, "source": "ftheory.relu.projection.teacher_projection at page build"}


def _read(path):
    try:
        with open(path) as fh:
            stored = json.load(fh)
    except (OSError, ValueError):
        return None
    if isinstance(stored, dict) and isinstance(stored.get("data"), dict):
        return stored
    return None


def _fit(stored, key="fit"):
    fit = stored["data"].get(key) if stored else None
    if not isinstance(fit, dict):
        return None
    try:
        A, nu = float(fit["A"]), float(fit["nu"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (math.isfinite(A) and A > 0 and math.isfinite(nu) and nu > 0):
        return None
    out = {"A": A, "nu": nu}
    for k in ("A_ci", "nu_ci"):
        ci = fit.get(k)
        if isinstance(ci, (list, tuple)) and len(ci) == 2:
            out[k] = _finite(ci)
    for k in ("level", "method", "fixed_nu", "instances"):
        if k in fit:
            out[k] = fit[k]
    return out


def _number(v):
    if v == "inf":
        return math.inf
    if v is None or v == "-inf":
        return math.nan
    return float(v)


def load_reproduce_relu(folder) -> dict | None:
    """The ReLU numbers of an ``ftheory reproduce`` output folder, or ``None`` if it has none.

    Looks for ``relu-phase.json``, ``relu-powerlaw.json`` and ``relu-projection.json`` (the
    ``{"scale", "seed", "data"}`` files that ``reproduce`` writes to ``OUT/data/``) anywhere below
    ``folder``; when several runs are present, the first in sorted path order is used and the others
    are counted.

    Returns
    -------
    dict or None
        ``fit`` (``A``, ``nu`` with confidence intervals, fitted to the scratch risk relative to
        ``||f_t||^2`` for ``n >= fit_n_min``), ``scale``, ``seed``, ``d``, ``m_star``, ``fit_n_min``,
        ``residual`` (mean relative and absolute ``||P_perp f_t||^2`` over the projection teachers, with
        standard errors) and ``n_star`` (the thresholds ``reproduce`` predicted at its ``mu`` grid from
        the mean relative residual of its instances), as far as the files have them.
    """
    folder = os.fspath(folder)
    if not os.path.isdir(folder):
        return None
    found = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames):
            if name in _FILES:
                found.setdefault(name, []).append(os.path.join(dirpath, name))
    if not found:
        return None
    phase = _read(found["relu-phase.json"][0]) if "relu-phase.json" in found else None
    power = _read(found["relu-powerlaw.json"][0]) if "relu-powerlaw.json" in found else None
    proj = _read(found["relu-projection.json"][0]) if "relu-projection.json" in found else None
    fit, origin = _fit(phase), phase
    if fit is None:
        fit, origin = _fit(power), power
    out = {"files": {k: os.path.relpath(v[0], folder) for k, v in found.items()},
           "runs": max(len(v) for v in found.values())}
    if fit is not None:
        cfg = origin["data"].get("config", {})
        out.update(fit=fit, scale=origin.get("scale"), seed=origin.get("seed"), d=cfg.get("d"),
                   m_star=cfg.get("m_star"), fit_n_min=cfg.get("fit_n_min"))
    if phase is not None:
        data = phase["data"]
        try:
            mus = [float(v) for v in data["mus"]]
            n_star = [_number(v) for v in data["n_star_teacher"]]
            rel = [float(v) for v in data["teacher_residual"]]
        except (KeyError, TypeError, ValueError):
            pass
        else:
            out["n_star"] = {"mus": mus, "n_star": _finite(n_star), "relative": rel}
    if proj is not None:
        data, cfg = proj["data"], proj["data"].get("config", {})
        try:
            curve = {"mus": [float(v) for v in data["mus_fine"]],
                     "relative": [float(v) for v in data["teacher_rel"][0]],
                     "relative_sem": _finite(data["teacher_rel"][1]),
                     "absolute": [float(v) for v in data["teacher_abs"][0]],
                     "absolute_sem": _finite(data["teacher_abs"][1])}
        except (KeyError, TypeError, ValueError, IndexError):
            pass
        else:
            curve["relative"] = [v if v >= _ROUNDING else 0.0 for v in curve["relative"]]
            curve["absolute"] = [a if r > 0 else 0.0 for a, r in zip(curve["absolute"], curve["relative"])]
            teachers = data.get("teachers")
            curve.update(teachers=teachers, d=cfg.get("d"), m_star=cfg.get("m_star"), scale=proj.get("scale"),
                         seed=proj.get("seed"),
                         label=f"ftheory reproduce ({proj.get('scale')}, d = {cfg.get('d')}, m* = {cfg.get('m_star')}): "
                               f"mean over {teachers} teachers",
                         source=out["files"]["relu-projection.json"])
            out["residual"] = curve
    return out if ("fit" in out or "residual" in out or "n_star" in out) else None


def relu_page_data(reproduce=None) -> dict:
    """The ``relu`` block of the page data: the default residual curve, defaults for ``A`` and ``nu``,
    and (optionally) the numbers of :func:`load_reproduce_relu`.

    Default ``A``: the paper does not report it (§10.4). The page uses ``A = d^nu`` with the default
    teacher's ``d = 100`` and ``nu = 1.18`` (the scratch risk equals ``||f_t||^2`` at ``n = d``), a
    placeholder of the right order, and says so; a loaded fit replaces it.
    """
    curve = teacher_residual_curve(**DEFAULT_TEACHER)
    default_A = float(DEFAULT_TEACHER["d"] ** DEFAULT_NU)
    block = {"default": curve, "defaults": {"A": default_A, "nu": DEFAULT_NU,
                                            "A_source": f"placeholder A = d^nu = {DEFAULT_TEACHER['d']}^{DEFAULT_NU} "
                                                        f"(the paper does not report A)",
                                            "nu_source": "the paper's nu = 1.18 (docs/background.md §10.4)"},
             "reproduce": reproduce}
    return block

