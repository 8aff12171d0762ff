"""Labeled data: theory grids as xarray.DataArray, simulations and sweeps as xarray.Dataset.

* :func:`grid` - a registered result on a grid (``Result.grid``): one dimension per array
  parameter, named after the canonical parameter, with the result name, its LaTeX signature and
  the fixed parameter values in ``attrs``.
* :func:`to_dataset` - Monte Carlo estimates (one, a dict of quantities, or a list over a grid)
  as a Dataset with the variables ``mean``, ``sem``, ``std``, ``instances``, ``converged``.
* :func:`sweep_dataset` - a sweep (:class:`~ftheory.simulate.sweeps.SweepResult`, the output of
  ``ftheory sweep --json`` as a file or parsed dict, or a ``--store`` folder) as a Dataset over
  the swept parameters and ``quantity``.
* :func:`reproduce_dataset` - the per-point stores of ``ftheory reproduce`` (``OUT/store``) as
  one Dataset per stored sweep.

Every Dataset converts to a tidy pandas frame with ``.to_dataframe()``. xarray and pandas are
imported inside these functions only, never on the numeric path.
"""
from __future__ import annotations

import json
import math
import os

import numpy as np

from ftheory._checks import overflow_hint
from ftheory.params import PARAMS
from ftheory.simulate.sweeps import row_quantity

__all__ = ["grid", "to_dataset", "sweep_dataset", "store_dataset", "reproduce_dataset", "SUMMARY_VARIABLES"]

#: the variables of every simulation Dataset, with their meaning
SUMMARY_VARIABLES = {
    "mean": "Monte Carlo mean over the instances",
    "sem": "standard error of the mean, std / sqrt(instances)",
    "std": "sample standard deviation (ddof = 1)",
    "instances": "number of independent instances",
    "converged": "instances whose training met its convergence criterion",
}


def _coord_attrs(name: str) -> dict:
    if name not in PARAMS:
        return {}
    p = PARAMS[name]
    return {"long_name": p.description, "latex": p.latex, "domain": p.domain}


MAX_GRID_POINTS = 50_000_000   # 0.8 GB of float64 values (twice that while broadcasting); a typo is refused


def grid(result, **params):
    """``result`` evaluated on the grid of its array parameters, as an ``xarray.DataArray``.

    Each one-dimensional array (list, tuple, NumPy array) becomes a dimension of that name, in
    the order given; scalars are held fixed. Omitted parameters take their defaults. The values
    are float64 (``inf`` at singular points, as ``result(...)``). ``attrs`` holds ``result``,
    ``latex`` (the signature, e.g. ``\\mathtt{scratch\\_risk}(\\gamma, \\sigma, \\|\\beta_{t}\\|)``),
    ``reference``, ``status``, ``fixed`` (``"sigma=0.2, norm_t=1"``) and each fixed value under
    its parameter name.

    >>> import ftheory
    >>> da = ftheory.get("scratch_risk").grid(gamma=[0.25, 0.5], sigma=0.2)
    >>> da.dims, float(da.sel(gamma=0.5))
    (('gamma',), 0.54)
    """
    import xarray as xr

    from ftheory.display import signature_latex

    axes, fixed = {}, {}
    for name, value in params.items():
        if name not in result.params:
            from ftheory._hints import unknown_parameter

            raise unknown_parameter(result.name, name, result.params)
        arr = np.asarray(value)
        with overflow_hint(".mp(...)"):  # text beyond float64 ("1e400")
            if arr.ndim == 0:
                fixed[name] = PARAMS[name].validate(value)  # text such as "pi/4" read as by result(...)
            elif arr.ndim == 1:
                if arr.size == 0:
                    raise ValueError(f"{name}=[] is empty; give at least one value")
                axes[name] = PARAMS[name].validate(arr)
            else:
                raise ValueError(f"{name} has shape {arr.shape}; expected a scalar or a one-dimensional array")
    if not axes:
        raise ValueError(f"{result.name}.grid: give at least one parameter as a one-dimensional array "
                         f"(parameters are {', '.join(result.params)})")
    names = list(axes)
    points = math.prod(axes[n].size for n in names)
    if points > MAX_GRID_POINTS:
        raise ValueError(f"{result.name}.grid: {' x '.join(str(axes[n].size) for n in names)} = {points:.3g} points "
                         f"(about {16 * points / 1e9:.3g} GB): expected at most MAX_GRID_POINTS = {MAX_GRID_POINTS:.0e}; "
                         "use coarser axes")
    shaped = {n: axes[n].reshape([-1 if i == k else 1 for i in range(len(names))]) for k, n in enumerate(names)}
    values = np.asarray(result(**shaped, **fixed), dtype=float)
    values = np.broadcast_to(values, tuple(axes[n].size for n in names)).copy()
    shown = {**result.defaults, **{k: v for k, v in fixed.items()}}
    shown = {k: shown[k] for k in result.params if k in shown and k not in axes}
    attrs = {"result": result.name, "latex": signature_latex(result), "reference": result.reference,
             "status": result.status, "long_name": result.summary,
             "fixed": ", ".join(f"{k}={float(v):g}" for k, v in shown.items())}
    attrs.update({k: int(v) if PARAMS[k].integer else float(v) for k, v in shown.items()})
    coords = {n: xr.Variable(n, axes[n], attrs=_coord_attrs(n)) for n in names}
    return xr.DataArray(values, dims=names, coords=coords, name=result.name, attrs=attrs)


# -- Monte Carlo estimates -------------------------------------------------------------------------

def _summary(est) -> dict:
    return {"mean": est.mean, "sem": est.sem, "std": est.std, "instances": est.instances,
            "converged": int(np.count_nonzero(est.converged))}


def _is_estimate(obj) -> bool:
    return all(hasattr(obj, a) for a in ("samples", "converged", "mean", "sem"))


def to_dataset(estimates, coords: dict | None = None, *, attrs: dict | None = None):
    """Monte Carlo estimates as an ``xarray.Dataset`` of ``mean, sem, std, instances, converged``.

    ``estimates`` is one :class:`~ftheory.simulate.MCEstimate` (scalar variables), a dict
    ``quantity -> MCEstimate`` (a ``quantity`` dimension; what ``simulate_transfer`` and
    ``simulate_scratch_and_transfer`` return), or a list of either, one per point of ``coords``
    (``{"n": [50, 100, 150]}`` for one dimension; several entries mean their Cartesian product,
    the list in row-major order). ``gamma = n / d`` is added as a coordinate when ``n`` is a
    dimension and ``d`` is given in ``attrs``.

    >>> from ftheory.simulate.linear import simulate_min_norm_risk
    >>> ns = [20, 60]
    >>> ds = to_dataset([simulate_min_norm_risk(n, 40, 0.0, instances=10, seed=n) for n in ns],
    ...                 {"n": ns}, attrs={"d": 40, "sigma": 0.0})
    >>> list(ds.data_vars), ds.gamma.values.tolist()
    (['mean', 'sem', 'std', 'instances', 'converged'], [0.5, 1.5])
    """
    attrs = dict(attrs or {})
    if coords is None:
        if isinstance(estimates, (list, tuple)):
            raise ValueError("to_dataset: a list of estimates needs coords (e.g. {'n': [...]})")
        return _point_dataset(estimates, attrs)
    import itertools

    coords = {k: np.atleast_1d(v).tolist() for k, v in coords.items()}
    shape = tuple(len(v) for v in coords.values())
    items = list(estimates)
    if len(items) != math.prod(shape):
        raise ValueError(f"to_dataset: {len(items)} estimates for a grid of shape {shape} ({', '.join(coords)})")
    rows = []
    for point, est in zip(itertools.product(*coords.values()), items):
        where = dict(zip(coords, point))
        if _is_estimate(est):
            rows.append({**where, **_summary(est)})
        elif isinstance(est, dict) and est and all(_is_estimate(v) for v in est.values()):
            rows += [{**where, "quantity": q, **_summary(e)} for q, e in est.items()]
        else:
            raise ValueError(f"to_dataset: expected an MCEstimate or a dict of them, got {type(est).__name__}")
    return _rows_dataset(rows, list(coords), attrs)


def _point_dataset(est, attrs):
    import xarray as xr

    if _is_estimate(est):
        ds = xr.Dataset({k: ((), v) for k, v in _summary(est).items()})
    elif isinstance(est, dict) and est and all(_is_estimate(v) for v in est.values()):
        names = list(est)
        ds = xr.Dataset({k: ("quantity", [_summary(est[q])[k] for q in names]) for k in SUMMARY_VARIABLES},
                        coords={"quantity": names})
    else:
        raise ValueError(f"to_dataset: expected an MCEstimate or a dict of them, got {type(est).__name__}")
    for k, meaning in SUMMARY_VARIABLES.items():
        ds[k].attrs["description"] = meaning
    ds.attrs.update(attrs)
    return ds


def _with_gamma(ds):
    if "n" in ds.dims and "gamma" not in ds.coords:
        d = ds.attrs.get("d")
        if isinstance(d, (int, float, np.integer, np.floating)) and d > 0:
            ds = ds.assign_coords(gamma=("n", np.asarray(ds["n"].values, float) / float(d)))
            ds["gamma"].attrs.update(_coord_attrs("gamma"))
    return ds


# -- sweeps and stores -----------------------------------------------------------------------------

def _repeated_point(frame, index, folder):
    """The ``ValueError`` for rows repeating a point of ``index``; from a store ``folder``, it names the folder,
    the point, the instance counts and the cause (runs with other instances, seeds or fixed values)."""
    if folder is None:
        return ValueError(f"records repeat a point of ({', '.join(index)}); they do not form one grid")
    same = next(iter(frame[frame.duplicated(index, keep=False)].groupby(index, dropna=False, sort=False)))[1]
    first = same.iloc[0]
    names = [n for n in index if n != "quantity"]
    point = ", ".join(f"{n}={first[n]:.6g}" if isinstance(first[n], float) else f"{n}={first[n]}" for n in names)
    counts = ", ".join(str(c) for c in sorted(same["instances"]))
    return ValueError(f"folder={folder!r} holds {len(same)} records of the point {point} (quantity "
                      f"{first['quantity']!r}) with {counts} instances: runs with other instances, seeds or "
                      "fixed values share this store (a point's file is keyed on them); use one --store "
                      "folder per run")


def _rows_dataset(rows, dims, attrs, folder=None):
    """Tidy rows (dicts with the ``dims``, ``quantity`` and the summary variables) -> Dataset; rows repeating a
    point are refused (naming the store ``folder`` they were read from, if given)."""
    import pandas as pd
    import xarray as xr

    if not rows:
        raise ValueError("no simulation records to convert")
    frame = pd.DataFrame(rows)
    index = list(dims) + (["quantity"] if "quantity" in frame else [])
    if frame.duplicated(index).any():
        raise _repeated_point(frame, index, folder)
    columns = [c for c in SUMMARY_VARIABLES if c in frame]
    ds = xr.Dataset.from_dataframe(frame.set_index(index)[columns])
    for k in columns:
        ds[k].attrs["description"] = SUMMARY_VARIABLES[k]
    for name in dims:
        ds[name].attrs.update(_coord_attrs(name))
    if "gamma" in dims and "n" not in dims and "n" in frame:      # a gamma sweep: the n each point ran at
        ds = ds.assign_coords(n=xr.DataArray.from_series(frame.drop_duplicates(list(dims)).set_index(list(dims))["n"]))
        ds["n"].attrs.update(_coord_attrs("n"))
    ds.attrs.update({k: v for k, v in attrs.items() if isinstance(v, (int, float, str))})
    return _with_gamma(ds)


def sweep_dataset(source):
    """A sweep as an ``xarray.Dataset`` over its swept parameters and ``quantity``.

    ``source`` is a :class:`~ftheory.simulate.sweeps.SweepResult`, the JSON written by
    ``ftheory sweep ... --json`` (a file path, its text or the parsed dict), or a sweep store
    folder (``--store DIR``; see :func:`store_dataset`). Fixed parameters, ``instances`` and
    ``seed`` go to ``attrs``; missing grid points (an unfinished store) are NaN.
    """
    if hasattr(source, "records") and hasattr(source, "grid"):
        data = {"grid": source.grid, "fixed": source.fixed, "instances": source.instances,
                "seed": source.seed, "rows": source.rows}
    elif isinstance(source, dict):
        data = source
    elif isinstance(source, (str, os.PathLike)) and os.path.isdir(source):
        return store_dataset(source)
    elif isinstance(source, (str, os.PathLike)):
        text = str(source)
        if not text.lstrip().startswith("{"):
            if not os.path.isfile(source):
                raise ValueError(f"source={text[:200]!r} is neither sweep JSON text nor an existing file or store "
                                 "folder (ftheory sweep --json / --store)")
            with open(source, encoding="utf-8", errors="replace") as fh:
                text = fh.read()
        try:
            data = json.loads(text)
        except ValueError:
            raise ValueError(f"source={str(source)[:60]!r} is not sweep JSON (ftheory sweep --json)") from None
    else:
        raise ValueError(f"source={source!r} is invalid: expected a SweepResult, sweep JSON or a store folder")
    if not isinstance(data, dict) or "rows" not in data or "grid" not in data:
        raise ValueError("sweep JSON must have 'grid' and 'rows' (the output of ftheory sweep --json)")
    rows = [{k: (math.inf if v == "inf" else -math.inf if v == "-inf" else v) for k, v in r.items()}
            for r in data["rows"]]
    attrs = {**{k: v for k, v in (data.get("fixed") or {}).items()},
             **{k: data[k] for k in ("simulator", "instances", "seed") if k in data}}
    return _rows_dataset(rows, list(data["grid"]), attrs)


def _row_dims(rec) -> list:
    """The parameters a row record varies along (one store file per n holding a whole row of angles,
    ``T_ft:i``): those of its indexed quantities' ``info`` that take more than one value."""
    seen = {}
    for quantity, q in rec["quantities"].items():
        if row_quantity(quantity)[1]:
            for k, v in (q.get("info") or {}).items():
                if k in PARAMS and k not in rec["point"] and isinstance(v, (int, float)) and not isinstance(v, bool):
                    seen.setdefault(k, set()).add(v)
    return [k for k, v in seen.items() if len(v) > 1]


def _store_rows(folder):
    """``(rows, point_names, info_params)`` of every sweep record below ``folder`` (not recursive)."""
    from ftheory.simulate.estimate import MCEstimate

    rows, names, info = [], [], {}
    for fname in sorted(os.listdir(folder)):
        if not fname.endswith(".json") or fname.startswith("."):
            continue
        try:
            with open(os.path.join(folder, fname)) as fh:
                rec = json.load(fh)
        except (OSError, ValueError):
            continue
        if not (isinstance(rec, dict) and isinstance(rec.get("quantities"), dict) and isinstance(rec.get("point"), dict)):
            continue
        for k in rec["point"]:
            if k not in names:
                names.append(k)
        along = _row_dims(rec)
        for k in along:
            if k not in names:
                names.append(k)
        for quantity, q in rec["quantities"].items():
            est = MCEstimate(np.asarray(q.get("samples", []), float), np.asarray(q.get("converged", []), bool)
                             if q.get("converged") else None)
            if est.instances == 0:
                continue
            quantity, indexed = row_quantity(quantity)
            extra = {k: (q.get("info") or {}).get(k) for k in along} if indexed else {}
            rows.append({**rec["point"], **extra, "quantity": quantity, **_summary(est)})
            for k, v in (q.get("info") or {}).items():
                if k in PARAMS and isinstance(v, (int, float)) and not isinstance(v, bool) and k not in rec["point"]:
                    info.setdefault(k, set()).add(v)
    return rows, names, info


def store_dataset(folder):
    """The records of one sweep store folder (``sweep(..., store=DIR)``) as an ``xarray.Dataset``.

    Dimensions are the swept parameters (the keys of each record's ``point``) and ``quantity``;
    parameters recorded by the simulator that take one value in the whole store go to ``attrs``
    (so ``gamma = n/d`` is added when ``n`` is swept at fixed ``d``).
    """
    folder = os.fspath(folder)
    if not os.path.isdir(folder):
        raise ValueError(f"folder={folder!r} is not a directory (expected a sweep store folder)")
    rows, names, info = _store_rows(folder)
    if not rows:
        raise ValueError(f"folder={folder!r} holds no sweep records (*.json files with 'point' and 'quantities')")
    for row in rows:
        for n in names:
            row.setdefault(n, math.nan)
    attrs = {k: next(iter(v)) for k, v in info.items() if len(v) == 1}
    attrs["store"] = os.path.abspath(folder)
    return _rows_dataset(rows, names, attrs, folder)


def reproduce_dataset(out):
    """The simulation stores of ``ftheory reproduce --out OUT`` as ``{name: Dataset}``.

    ``out`` is the output folder (its ``store/`` is read) or a store folder itself. Each folder
    holding sweep records becomes one Dataset (see :func:`store_dataset`), named by its path
    relative to the store, e.g. ``"tiny/1/scratch_dd/curve_sigma0.2"``.
    """
    out = os.fspath(out)
    root = os.path.join(out, "store") if os.path.isdir(os.path.join(out, "store")) else out
    if not os.path.isdir(root):
        raise ValueError(f"out={out!r} is not a directory (expected the output folder of ftheory reproduce)")
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        if any(f.endswith(".json") and not f.startswith(".") for f in filenames):
            try:
                found[os.path.relpath(dirpath, root)] = store_dataset(dirpath)
            except ValueError:
                continue
    if not found:
        raise ValueError(f"out={out!r} holds no simulation store (run ftheory reproduce --out {out} first)")
    return found
