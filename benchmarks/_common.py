"""What the advisor's Monte Carlo benchmarks share: the load-average lines of their logs and the JSON rows
they save (rewritten after every setting, or every few replications, so a run stopped early keeps what it
did), and the advisor's seed per replication of ``--advisor-seeds rep``."""
from __future__ import annotations

import json
import os
import time

import numpy as np


def print_load(when: str) -> None:
    """Print ``load average at <when>: x.x`` (the 1-minute load average; timings are read against it)."""
    print(f"load average at {when}: {os.getloadavg()[0]:.1f}", flush=True)


def write_json(path, obj) -> None:
    """Write ``obj`` as JSON (indent 1) to ``path``; nothing when ``path`` is None or empty."""
    if path:
        with open(path, "w") as fh:
            json.dump(obj, fh, indent=1)


def row_saver(rows: list, path, result_key: str, **fields):
    """``save(done, result, final=False)`` for one setting of a long run: the row ``{**fields, result_key:
    result, "reps": done, "seconds": since this call}``, with ``"partial": True`` unless ``final``, is written
    after the finished ``rows`` to ``path`` (:func:`write_json`) and returned."""
    t0 = time.time()

    def save(done, result, final=False):
        row = {**fields, result_key: result, "reps": done, "seconds": time.time() - t0}
        if not final:
            row["partial"] = True
        write_json(path, rows + [row])
        return row

    return save


def advisor_seed(seed, stream, rep):
    """The advisor's seed of replication ``rep`` under ``--advisor-seeds rep``: an int from the setting's seed,
    the stream and the replication."""
    return int(np.random.SeedSequence([seed, stream, rep]).generate_state(1)[0])
