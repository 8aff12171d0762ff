"""Completed sweep results -> points with error bars for the explorer (``ftheory explore --data``).

A sweep store (:func:`ftheory.simulate.sweep` with ``store=DIR``, and the per-figure stores of
``ftheory reproduce``) holds one JSON file per finished grid point::

    {"point": {...swept values...}, "fixed": {...parameters held fixed...},
     "quantities": {NAME: {"samples": [...], "converged": [...], "info": {...parameters...}}}}

The simulators put parameters of the run into ``info`` (``n``, ``d``, ``theta``, ``sigma``,
...), together with ``estimator`` or ``procedure``; ``point`` and ``fixed`` together are every
argument of the call, so a record that has them is *complete*: a parameter it lacks (say
``gamma_s``) was not given, i.e. the simulator's default (a population source) was used. Records
written before ``fixed`` was stored are marked ``"complete": false``; the explorer plots them only
where every parameter it matches on is present, never as "no finite source". :func:`load_store` walks a folder recursively,
reads every such file, and turns each quantity it recognises into a record

    {"kind": "T_lt", "params": {"n": 50, "d": 100, "gamma": 0.5, "theta": ..., ...},
     "mean": ..., "sem": ..., "std": ..., "instances": 30, "converged": 30, "complete": true,
     "file": "a/b.json"}

with ``kind`` one of :data:`KINDS`. Quantities it does not recognise (e.g. diagnostic scales) are
counted in the summary and skipped; so are files that are not sweep records, and the runs of the
structured-covariance simulators (their spectrum and teachers match no widget's sliders).
"""
from __future__ import annotations

import json
import math
import os

import numpy as np

from ftheory.simulate.sweeps import row_quantity

__all__ = ["KINDS", "STRUCTURED", "classify", "load_store"]

#: record kinds the widgets plot, with what they measure
KINDS = {
    "scratch_risk": "excess risk of training from scratch (min-norm / gradient descent)",
    "ridge_risk": "excess risk of ridge regression from scratch at a fixed lam",
    "lt_risk": "excess risk of linear transfer (read-out refit)",
    "ft_risk": "excess risk of fine-tuning",
    "T_lt": "linear-transfer transferability R_sc - R_lt (paired per instance)",
    "T_ft": "fine-tuning transferability R_sc - R_ft (paired per instance)",
}

_BY_QUANTITY = {"scratch": "scratch_risk", "sc": "scratch_risk", "linear_transfer": "lt_risk", "lt": "lt_risk",
                "ft": "ft_risk", "finetune": "ft_risk", "transferability": "T_lt", "T_lt": "T_lt",
                "T_ft": "T_ft"}
_BY_ESTIMATOR = {"min_norm": "scratch_risk", "ridge": "ridge_risk", "linear_transfer": "lt_risk",
                 "linear_transfer_finite_source": "lt_risk", "scratch - linear_transfer": "T_lt"}
_BY_PROCEDURE = {"sc": "scratch_risk", "lt": "lt_risk", "ft": "ft_risk", "T_lt": "T_lt", "T_ft": "T_ft"}

#: arguments of the structured-covariance simulators (:mod:`ftheory.simulate.aniso`): their runs are not drawn
STRUCTURED = ("eigenvalues", "beta_s", "beta_t")

#: parameters copied from ``info`` into a record (when present and numeric)
_PARAMS = ("n", "d", "theta", "sigma", "lam", "depth", "gamma_s", "sigma_s", "norm_s", "norm_t", "wd")


def classify(quantity: str, info: dict) -> str | None:
    """The record kind of a stored quantity, or None when the explorer has no use for it.

    The quantity name (without a row index, ``T_ft:2``; legacy ``T_ft@2``) decides where it is explicit (``T_lt``, ``scratch``, ...); a generic
    ``risk`` is classified by ``info["procedure"]`` or ``info["estimator"]``. A scratch run with
    weight decay ``wd > 0`` is not a min-norm scratch run and is skipped.
    """
    quantity = row_quantity(quantity)[0]   # a row record's quantity of one angle: T_ft:2 (legacy T_ft@2)
    kind = _BY_QUANTITY.get(quantity)
    if kind is None and quantity == "risk":
        kind = _BY_PROCEDURE.get(info.get("procedure")) or _BY_ESTIMATOR.get(info.get("estimator"))
    if kind is None:
        return None
    if kind == "T_lt" and info.get("procedure") == "T_ft":
        kind = "T_ft"
    if kind in ("scratch_risk", "ft_risk", "T_lt", "T_ft") and float(info.get("wd", 0) or 0) > 0:
        return None
    return kind


def _number(v):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return v if math.isfinite(v) else None


def _record(kind, quantity, q, point, fixed, path):
    info = q.get("info", {})
    samples = np.asarray(q.get("samples", []), dtype=float)
    converged = np.asarray(q.get("converged", [True] * samples.size), dtype=bool)
    finite = np.isfinite(samples)
    if not finite.any():
        return None
    params = {}
    for name in _PARAMS:
        value = _number(info.get(name, point.get(name, (fixed or {}).get(name))))
        if value is not None:
            params[name] = value
    if "n" not in params or "d" not in params:
        return None
    params["gamma"] = params["n"] / params["d"]
    s = samples[finite]
    std = float(np.std(s, ddof=1)) if s.size > 1 else None
    return {"kind": kind, "quantity": quantity, "params": params, "mean": float(np.mean(s)),
            "sem": std / math.sqrt(s.size) if std is not None else None, "std": std,
            "instances": int(s.size), "converged": int(np.count_nonzero(converged[finite])),
            "procedure": info.get("procedure") or info.get("estimator"), "complete": fixed is not None,
            "file": path}


def load_store(folder) -> tuple[list, dict]:
    """Read every sweep record below ``folder``; return ``(records, summary)``.

    ``summary`` counts files read, records per kind and skipped quantities by name, so the page
    can say what it shows and what it left out. Raises ``ValueError`` when ``folder`` is not a
    directory or holds no sweep record at all.
    """
    folder = os.fspath(folder)
    if not os.path.isdir(folder):
        raise ValueError(f"--data {folder!r} is not a directory (expected a sweep store folder)")
    records, skipped, files, bad = [], {}, 0, 0
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for fname in sorted(filenames):
            if not fname.endswith(".json") or fname.startswith("."):
                continue
            path = os.path.join(dirpath, fname)
            try:
                with open(path) as fh:
                    rec = json.load(fh)
            except (OSError, ValueError):
                bad += 1
                continue
            if not (isinstance(rec, dict) and isinstance(rec.get("quantities"), dict)):
                bad += 1
                continue
            files += 1
            point = rec.get("point") if isinstance(rec.get("point"), dict) else {}
            fixed = rec.get("fixed") if isinstance(rec.get("fixed"), dict) else None
            rel = os.path.relpath(path, folder)
            structured = any(k in STRUCTURED for k in (*point, *(fixed or {})))
            for quantity, q in rec["quantities"].items():
                if structured:          # a spectrum or teacher vectors: no widget's sliders describe the run
                    name = f"{quantity} (structured covariance)"
                    skipped[name] = skipped.get(name, 0) + 1
                    continue
                kind = classify(quantity, q.get("info", {}) if isinstance(q, dict) else {})
                made = _record(kind, quantity, q, point, fixed, rel) if kind else None
                if made is None:
                    skipped[quantity] = skipped.get(quantity, 0) + 1
                else:
                    records.append(made)
    if files == 0:
        raise ValueError(f"--data {folder!r} holds no sweep records (*.json files with 'quantities')")
    by_kind = {}
    for r in records:
        by_kind[r["kind"]] = by_kind.get(r["kind"], 0) + 1
    summary = {"folder": os.path.abspath(folder), "files": files, "records": len(records), "by_kind": by_kind,
               "skipped_quantities": skipped, "unreadable_files": bad,
               "incomplete": sum(1 for r in records if not r["complete"])}
    return records, summary
