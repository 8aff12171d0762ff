"""Parameter sweeps of Monte Carlo simulators: grids x instances, resumable, serial/processes/Dask.

A sweep calls a simulator (any function returning an :class:`~ftheory.simulate.MCEstimate` or a
dict of them) at every point of a grid::

    from ftheory.simulate import sweep
    from ftheory.simulate.linear import simulate_min_norm_risk

    res = sweep(simulate_min_norm_risk, {"n": [50, 100, 150], "sigma": [0.0, 0.2]},
                fixed={"d": 100}, instances=100, seed=1, store="sweep_store/scratch")
    res.rows[0]       # {'n': 50, 'sigma': 0.0, 'quantity': 'risk', 'mean': ..., 'sem': ..., ...}
    res.to_pandas()   # tidy frame (needs pandas)

Reproducibility: each point draws from its own seed, derived from ``seed`` and the point's
parameter values as the simulator is called (a ``gamma`` point: its ``n = round(gamma d)``; not its
position or the order of execution), so serial, process-pool and Dask
runs give identical numbers, and growing a grid does not change the points already computed.

Resumability: with ``store=DIR`` every finished point is written at once to its own file
(atomically: temporary file + rename). Rerunning the same sweep loads finished points instead of
recomputing them, so a killed sweep loses at most the points in flight.
"""
from __future__ import annotations

import contextlib
import hashlib
import importlib
import importlib.util
import inspect
import itertools
import json
import math
import os
import reprlib
import tempfile
import threading
from dataclasses import dataclass, field

import numpy as np

from ftheory._checks import check_int
from ftheory.mc.estimate import MCEstimate
from ftheory.simulate.dask_connect import run_on_dask as _run_dask
from ftheory.simulate.gamma import maps_gamma, resolve_gamma
from ftheory.simulate.rowkeys import row_quantity, upgrade_record as _upgrade  # noqa: F401  (row_quantity: public here too)

__all__ = ["sweep", "SweepResult", "point_seed", "EXECUTORS", "MAX_POINTS", "use_executor", "check_call",
           "shared_progress", "run_tasks", "row_quantity"]

EXECUTORS = ("serial", "processes", "dask")
MAX_POINTS = 100_000        # a grid larger than this is refused (a typo such as n=1:1e12:1)
_DEFAULT = {"executor": None, "client": None, "workers": None}
_SHARED = {"bar": None}
_SERIAL = {"executor": "serial", "client": None, "workers": None}
_WORKER = threading.local()   # .nested: this thread is running a task of a sweep (nested sweeps run serially)


def _defaults() -> dict:
    """The enclosing :func:`use_executor` settings; serial inside a task (per thread: a Dask worker may be a
    thread of the client's own process, whose settings must not change)."""
    return _SERIAL if getattr(_WORKER, "nested", False) else _DEFAULT


def tqdm_for(show: bool):
    """``tqdm.auto.tqdm`` for a bar that shows, else ``tqdm.tqdm``: importing ``tqdm.auto`` in Jupyter
    without ipywidgets prints a TqdmWarning, even for a disabled bar."""
    return importlib.import_module("tqdm.auto" if show else "tqdm").tqdm


@contextlib.contextmanager
def shared_progress(desc="simulation points", disable=False):
    """Within the block, every :func:`sweep` reports to ONE progress bar over all its points (done,
    rate, time left), instead of one bar per sweep; the total grows as sweeps start."""
    bar = tqdm_for(not disable)(total=0, desc=desc, unit="pt", disable=disable, dynamic_ncols=True)
    saved = _SHARED["bar"]
    _SHARED["bar"] = bar
    try:
        yield bar
    finally:
        _SHARED["bar"] = saved
        bar.close()


@contextlib.contextmanager
def use_executor(executor="serial", scheduler=None, workers=None):
    """Within the block, every :func:`sweep` called without ``executor`` runs on this executor.

    ``scheduler`` is the address of a running ``dask.distributed`` scheduler (``tcp://host:8786``) or
    a scheduler file; one client is opened for the whole block and shared by all sweeps (this is how
    ``ftheory reproduce --executor dask --scheduler ADDRESS`` sends every figure's points to a cluster).
    """
    if executor not in EXECUTORS:
        raise ValueError(f"executor={executor!r} is invalid: expected one of {', '.join(EXECUTORS)}")
    if scheduler is not None and executor != "dask":
        raise ValueError(f"scheduler={scheduler!r} needs executor='dask', got executor={executor!r}")
    workers = None if workers is None else check_int("workers", workers, 1)
    client = _connect(scheduler) if scheduler is not None else None
    saved = dict(_DEFAULT)
    _DEFAULT.update(executor=executor, client=client, workers=workers)
    try:
        yield client
    finally:
        _DEFAULT.clear()
        _DEFAULT.update(saved)
        if client is not None:
            client.close()


def _connect(scheduler):
    if importlib.util.find_spec("distributed") is None:  # pragma: no cover - depends on the optional extra
        raise ValueError("executor='dask' needs the optional extra: pip install 'ftheory[dask]'")
    from ftheory.simulate.dask_connect import connect

    return connect(scheduler)


def check_call(fn, names) -> None:
    """Raise ValueError in one line if ``fn`` cannot be called with exactly these parameter names
    (plus ``instances`` and ``seed``): an unknown name, or a required parameter missing."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):  # pragma: no cover - builtins
        return
    params = sig.parameters
    takes = [p for p in params.values() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    listing = ", ".join(p.name for p in takes if p.name not in ("instances", "seed"))
    for need in ("instances", "seed"):
        if need not in params and not any(p.kind == p.VAR_KEYWORD for p in params.values()):
            raise ValueError(f"{fn.__name__} takes no {need!r}: it cannot be swept")
    if not any(p.kind == p.VAR_KEYWORD for p in params.values()):
        unknown = sorted(set(names) - {p.name for p in takes})
        if unknown:
            raise ValueError(f"{fn.__name__} has no parameter {unknown[0]!r}; its parameters are {listing}")
    missing = [p.name for p in takes if p.default is p.empty and p.name not in names
               and p.name not in ("instances", "seed")]
    if missing:
        raise ValueError(f"{fn.__name__} needs {missing[0]!r} (give it in the grid or as a fixed value); "
                         f"its parameters are {listing}")


def _as_called(fn, point: dict, fixed: dict) -> tuple:
    """``(point, fixed)`` as ``fn`` is called: ``gamma`` (swept or fixed) becomes ``n = round(gamma d)`` (one
    conversion, :func:`~ftheory.simulate.gamma.resolve_gamma`) for a simulator that takes n. The seed and
    the store file of a point are those of this call, so a gamma point is the n point it runs at, with
    the same numbers."""
    if not maps_gamma(fn) or ("gamma" not in point and "gamma" not in fixed):
        return point, fixed
    n = resolve_gamma(fn, {**fixed, **point})["n"]
    swap = lambda where: {("n" if k == "gamma" else k): (n if k == "gamma" else v) for k, v in where.items()}
    return (swap(point), fixed) if "gamma" in point else (point, swap(fixed))


def _canonical(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    return value


def _key(function_name: str, point: dict, fixed: dict, instances: int, seed) -> str:
    payload = json.dumps({"f": function_name, "point": point, "fixed": fixed, "instances": instances,
                          "seed": seed}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def point_seed(seed: int, point: dict) -> np.random.SeedSequence:
    """The seed of one grid point: a function of the root seed and the point's values only."""
    digest = hashlib.sha256(json.dumps(point, sort_keys=True, default=str).encode()).digest()
    words = [int.from_bytes(digest[i:i + 4], "little") for i in range(0, 16, 4)]
    return np.random.SeedSequence([int(seed), *words])


def _function_name(fn) -> str:
    """The name a point's store key is formed from: ``fn.sweep_name`` when set (a simulator moved to another
    module keeps the store keys of its points, :mod:`ftheory.simulate.keyed`), else ``module.qualname``."""
    name = getattr(fn, "sweep_name", None)
    return name if isinstance(name, str) and name else f"{fn.__module__}.{fn.__qualname__}"


def _in_worker(fn, *args):
    """Run ``fn(*args)`` in a worker: nested :func:`sweep` / :func:`run_tasks` calls there run serially."""
    outer = getattr(_WORKER, "nested", False)
    _WORKER.nested = True
    try:
        return fn(*args)
    finally:
        _WORKER.nested = outer


def run_tasks(fn, tasks, *, done=None) -> list:
    """``[fn(*args) for args in tasks]`` on the executor of the enclosing :func:`use_executor` block.

    ``fn`` must be a module-level function (process pools and Dask pickle it); ``done(i, result)`` is
    called in this process as each task finishes (in completion order), e.g. to write a checkpoint.
    Within :func:`shared_progress` each task counts as one point of its bar. The results do not depend
    on the executor: each task is the same computation wherever it runs.
    """
    tasks = [tuple(t) for t in tasks]
    now = _defaults()
    executor, client, workers = now["executor"] or "serial", now["client"], now["workers"]
    out = [None] * len(tasks)
    bar = _SHARED["bar"]          # inside shared_progress: the tasks count on its one bar
    if bar is not None:
        bar.total += len(tasks)
        bar.refresh()

    def finish(i, res):
        out[i] = res
        if bar is not None:
            bar.update(1)
        if done is not None:
            done(i, res)

    _dispatch(fn, tasks, executor if len(tasks) > 1 else "serial", client, workers, finish)
    return out


def _dispatch(fn, calls, executor, client, workers, finish):
    """``fn(*call)`` for each call: in this process (serial), on a process pool or on Dask (workers run
    nested sweeps serially); ``finish(j, result)`` in this process as each call finishes."""
    if executor == "serial" or not calls:
        for j, call in enumerate(calls):
            finish(j, fn(*call))
    elif executor == "processes":
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(_in_worker, fn, *call): j for j, call in enumerate(calls)}
            for fut in as_completed(futures):
                finish(futures[fut], fut.result())
    else:
        _run_dask(_in_worker, [(fn, *call) for call in calls], client, workers, finish)


def _run_point(fn, point, fixed, instances, seed):
    """Run one point (``point`` and ``fixed`` as :func:`_as_called`); returns JSON-ready dict (module-level so
    process pools can pickle it)."""
    out = fn(**fixed, **point, instances=instances, seed=point_seed(seed, point))
    estimates = out if isinstance(out, dict) else {"risk": out}
    record = {"point": point, "fixed": fixed, "quantities": {}}  # every parameter of the call
    for name, est in estimates.items():
        if not isinstance(est, MCEstimate):
            continue
        info = {k: v for k, v in est.info.items() if isinstance(v, (int, float, str, bool)) and
                not (isinstance(v, float) and not math.isfinite(v))}
        record["quantities"][name] = {"samples": [float(x) for x in est.samples],
                                      "converged": [bool(c) for c in est.converged], "info": info}
    return record


def _labelled(record, point):
    """The record as the sweep reports it: its ``point`` is the grid point as given (e.g. ``gamma``) with
    the call's own values added (the ``n`` that gamma ran at)."""
    return {**record, "point": {**point, **{k: v for k, v in record["point"].items() if k not in point}}}


def _storable(calls):
    """A stored point records its parameters as JSON: NumPy arrays become lists (the same numbers), and a value
    that JSON cannot hold is refused up front (not after computing the point)."""
    out = [tuple({k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in vs.items()} for vs in c) for c in calls]
    for k, v in ((k, v) for call in out for values in call for k, v in values.items()):
        try:
            json.dumps(v)
        except (TypeError, ValueError):
            raise ValueError(f"{k}={reprlib.repr(v)} is invalid with store=: a stored point records its parameters "
                             "as JSON (numbers, strings, booleans, None, lists of them, NumPy arrays)") from None
    return out


def _write_atomic(path, record):
    directory = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".json")
    with os.fdopen(fd, "w") as fh:
        json.dump(record, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


@dataclass
class SweepResult:
    """Outcome of a sweep: one record per grid point, each with raw per-instance samples."""

    grid: dict
    fixed: dict
    instances: int
    seed: int
    records: list = field(default_factory=list)
    computed: int = 0
    loaded: int = 0

    def estimate(self, quantity="risk", **point) -> MCEstimate:
        """The :class:`MCEstimate` of ``quantity`` at the grid point given by ``point``."""
        for rec in self.records:
            if all(rec["point"].get(k) == _canonical(v) for k, v in point.items()):
                q = rec["quantities"][quantity]
                return MCEstimate(np.array(q["samples"]), np.array(q["converged"]), dict(q["info"]))
        raise ValueError(f"no grid point {point!r} in this sweep")

    def values(self, name) -> list:
        """The distinct values of ``name`` over the points, sorted (e.g. ``values("n")`` of a gamma sweep: the
        sample counts its points ran at)."""
        return sorted({rec["point"][name] for rec in self.records if name in rec["point"]})

    @property
    def rows(self) -> list:
        """Tidy rows: grid values, quantity, mean, sem, std, instances, converged count."""
        rows = []
        for rec in self.records:
            for name, q in rec["quantities"].items():
                est = MCEstimate(np.array(q["samples"]), np.array(q["converged"]))
                rows.append({**rec["point"], "quantity": name, "mean": est.mean, "sem": est.sem,
                             "std": est.std, "instances": est.instances,
                             "converged": int(est.converged.sum())})
        return rows

    def to_xarray(self):
        """Labeled arrays: an :class:`xarray.Dataset` with variables ``mean``, ``sem``, ``std`` (float64) and the
        counts ``converged`` and ``instances`` (int64; 0 where a point did not report a quantity, its mean NaN)
        over the dimensions ``quantity`` and the grid names (coordinates: the grid values, and ``n`` over a
        ``gamma`` grid). Requires xarray."""
        import xarray as xr

        names = list(self.grid)
        quantities = list(dict.fromkeys(r["quantity"] for r in self.rows))
        shape = (len(quantities),) + tuple(len(self.grid[k]) for k in names)
        index = [{_canonical(v): i for i, v in enumerate(self.grid[k])} for k in names]
        data = {**{v: np.full(shape, np.nan) for v in ("mean", "sem", "std")},
                **{v: np.zeros(shape, np.int64) for v in ("converged", "instances")}}
        for row in self.rows:
            at = (quantities.index(row["quantity"]),) + tuple(ix[row[k]] for ix, k in zip(index, names))
            for v in data:
                data[v][at] = row[v]
        dims = ("quantity", *names)
        # values a point ran at besides its grid labels (the n of a gamma point): coordinates over the grid
        called = {}
        for rec in self.records:
            at = tuple(ix[rec["point"][k]] for ix, k in zip(index, names))
            for k, v in rec["point"].items():
                if k not in self.grid and isinstance(v, (int, float)) and not isinstance(v, bool):
                    called.setdefault(k, np.full(shape[1:], np.nan))[at] = v
        extra = {k: (names, a.astype(int) if np.all(np.isfinite(a)) and np.all(a == np.round(a)) else a)
                 for k, a in called.items()}
        return xr.Dataset({v: (dims, a) for v, a in data.items()},
                          coords={"quantity": quantities, **{k: list(self.grid[k]) for k in names}, **extra},
                          attrs={"instances": self.instances, "seed": self.seed,
                                 **{f"fixed_{k}": str(v) for k, v in self.fixed.items()}})

    def to_pandas(self):
        """The tidy rows as a :class:`pandas.DataFrame` (requires pandas)."""
        import pandas as pd

        return pd.DataFrame(self.rows)


def sweep(fn, grid: dict, *, fixed=None, instances=100, seed=0, store=None, executor=None,
          workers=None, client=None, progress=True) -> SweepResult:
    """Run simulator ``fn`` at every point of the Cartesian product of ``grid``.

    Parameters
    ----------
    fn : callable
        A module-level simulator ``fn(**fixed, **point, instances=..., seed=...)`` returning an
        :class:`MCEstimate` or a dict of them (e.g. ``simulate_scratch_and_transfer``).
    grid : dict name -> sequence
        Values to sweep (canonical parameter names of ``fn``; ``gamma`` for a simulator that takes
        ``n`` and ``d``: each point runs at ``n = round(gamma d)``
        (:func:`~ftheory.simulate.gamma.n_from_gamma`), is seeded and stored as that n point, and is
        labelled by its gamma and its n).
    fixed : dict, optional
        Parameters held fixed.
    instances : int >= 1
        Independent instances per point.
    seed : int >= 0
        Root seed; point seeds are derived from it and the point's values (:func:`point_seed`).
    store : str or None
        Folder for the resumable store (one JSON file per finished point).
    executor : {"serial", "processes", "dask"} or None
        Where points run (None: the executor of an enclosing :func:`use_executor` block, else
        ``"serial"``). ``"dask"`` uses ``client`` (a ``distributed.Client``), the block's client, or
        starts a local cluster (requires the ``dask`` extra). Every point is one task; a worker that
        dies mid-run has its points recomputed elsewhere with the same seeds, so the numbers do not
        change.
    workers : int, optional
        Process count for ``"processes"`` / local Dask (default: CPU count).
    progress : bool
        Show a tqdm progress bar naming the current point.
    """
    if executor is None:
        now = _defaults()
        executor = now["executor"] or "serial"
        client = client if client is not None else now["client"]
        workers = workers if workers is not None else now["workers"]
    workers = None if workers is None else check_int("workers", workers, 1)
    if not callable(fn):
        raise ValueError(f"fn={fn!r} is not callable")
    if not isinstance(grid, dict) or not grid:
        raise ValueError(f"grid={grid!r} is invalid: expected a non-empty dict name -> values")
    if executor not in EXECUTORS:
        raise ValueError(f"executor={executor!r} is invalid: expected one of {', '.join(EXECUTORS)}")
    if isinstance(instances, bool) or not isinstance(instances, (int, np.integer)) or instances < 1:
        raise ValueError(f"instances={instances!r} is invalid: expected an integer >= 1")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed={seed!r} is invalid: expected an integer >= 0")
    fixed = {k: _canonical(v) for k, v in (fixed or {}).items()}
    overlap = set(fixed) & set(grid)
    if overlap:
        raise ValueError(f"parameter {sorted(overlap)[0]!r} is both swept and fixed")
    names = list(grid)
    given = names + list(fixed)
    if "gamma" in given and maps_gamma(fn):                  # gamma = n/d, as in the theory
        if "n" in given:
            raise ValueError(f"{fn.__name__}: give n or gamma (n = round(gamma d)), not both")
        if "d" not in given and getattr(fn, "gamma_dimension", None) is None:
            raise ValueError(f"{fn.__name__}: gamma needs d (n = round(gamma d)); give d in the grid or as a fixed value")
        given = ["n" if x == "gamma" else x for x in given]
    check_call(fn, given)
    values = []
    for name in names:
        vals = [_canonical(v) for v in np.atleast_1d(np.asarray(grid[name], dtype=object)).tolist()]
        if not vals:
            raise ValueError(f"grid[{name!r}] is empty")
        values.append(vals)
    size = math.prod(len(v) for v in values)
    if size > MAX_POINTS:
        raise ValueError(f"grid={'x'.join(str(len(v)) for v in values)} has {size} points: expected at most "
                         f"{MAX_POINTS} (split the sweep)")
    points = [dict(zip(names, combo)) for combo in itertools.product(*values)]
    calls = [_as_called(fn, p, fixed) for p in points]           # every gamma gives a valid n, before any work
    fname = _function_name(fn)
    instances, seed = int(instances), int(seed)

    records: dict[int, dict] = {}
    paths = {}
    if store is not None:
        try:
            os.makedirs(store, exist_ok=True)
            probe = tempfile.NamedTemporaryFile(dir=store, prefix=".probe-")
            probe.close()
        except (OSError, ValueError) as exc:        # ValueError: e.g. an embedded null byte
            why = "it is a file" if os.path.isfile(store) else (getattr(exc, "strerror", None) or str(exc))
            raise ValueError(f"store={str(store)!r} is invalid: expected a writable folder ({why})") from None
        calls = _storable(calls)
        for i, p in enumerate(points):
            paths[i] = os.path.join(store, _key(fname, *calls[i], instances, seed) + ".json")
            try:
                with open(paths[i]) as fh:
                    records[i] = _upgrade(json.load(fh))
            except (OSError, ValueError, AttributeError, TypeError):
                pass
    loaded = len(records)
    todo = [i for i in range(len(points)) if i not in records]
    shared = _SHARED["bar"]
    if shared is not None:
        bar = shared
        bar.total += len(points)
        bar.update(loaded)
    else:
        bar = tqdm_for(progress)(total=len(points), initial=loaded, desc=fn.__name__, disable=not progress,
                                 unit="pt")

    def finish(i, rec):
        records[i] = rec
        if store is not None:
            _write_atomic(paths[i], rec)
        bar.set_postfix_str(", ".join(f"{k}={v}" for k, v in points[i].items()))
        bar.update(1)

    try:
        args = [(fn, *calls[i], instances, seed) for i in todo]
        _dispatch(_run_point, args, executor, client, workers, lambda j, rec: finish(todo[j], rec))
    finally:
        if shared is None:
            bar.close()
    return SweepResult(grid={n: v for n, v in zip(names, values)}, fixed=fixed, instances=instances,
                       seed=seed, records=[_labelled(records[i], points[i]) for i in range(len(points))],
                       computed=len(todo), loaded=loaded)
