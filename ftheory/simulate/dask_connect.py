"""Running sweep points on ``dask.distributed``: connecting to a scheduler (``--scheduler`` of ``ftheory sweep`` and
``reproduce``) and submitting the points (:func:`run_on_dask`; a lost scheduler is one ``ConnectionError``).

Before opening a client, the address is asked for its identity with a wall-clock limit, so that a wrong
address is one ``ValueError`` naming ``scheduler``: a path that is not a scheduler file, a server that is not a
dask scheduler (a dashboard or web port: silence, or bytes that distributed would read as a huge frame), a
dask worker's address, an unknown scheme. ``distributed.Client`` alone hangs on a silent server and fails with
a traceback on others.
"""
from __future__ import annotations

import asyncio
import json
import os
from concurrent.futures import CancelledError

__all__ = ["connect", "scheduler_address", "run_on_dask"]

_HELP = "expected a scheduler address tcp://host:port or the file of dask scheduler --scheduler-file"


def scheduler_address(scheduler) -> str:
    """The address named by ``scheduler`` (an address, or a scheduler file and its ``"address"``)."""
    text = str(scheduler)
    if os.path.isfile(text):
        try:
            with open(text) as fh:
                address = json.load(fh)["address"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"scheduler={text!r} is not a scheduler file ({type(exc).__name__}: {exc}); "
                             f"{_HELP}") from None
        return str(address)
    if "://" not in text and (text.endswith(".json") or os.sep in text or os.path.isdir(text)):
        raise ValueError(f"scheduler={text!r}: no such scheduler file; {_HELP}")
    return text


async def _identity(address, seconds):
    from distributed.comm import connect as comm_connect

    comm = await comm_connect(address, timeout=seconds)
    try:
        await comm.write({"op": "identity"})
        return await comm.read()
    finally:
        comm.abort()


def connect(scheduler, seconds=20.0):
    """A ``distributed.Client`` on the scheduler named by ``scheduler``; ``ValueError`` naming it when that
    is not a reachable dask scheduler within ``seconds`` (module docstring). The identity probe's limit is the
    one an unreachable address meets; the Client's own limit (also ``seconds``) only when a scheduler that
    answered the probe stops answering before the Client connects."""
    from distributed import Client

    address = scheduler_address(scheduler)
    try:   # this limit ends a refused, silent or unroutable address (comm_connect's, the same, paces its retries)
        reply = asyncio.run(asyncio.wait_for(_identity(address, seconds), seconds))
    except (asyncio.TimeoutError, TimeoutError):
        raise ValueError(f"scheduler={scheduler!r} is unreachable or not a dask scheduler: no answer within "
                         f"{seconds:g} s; {_HELP}") from None
    except OSError as exc:
        raise ValueError(f"scheduler={scheduler!r} is unreachable: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - garbage from a non-dask server, a bad scheme, ...
        raise ValueError(f"scheduler={scheduler!r} is not a dask scheduler ({type(exc).__name__}: "
                         f"{str(exc)[:120]}); {_HELP}") from None
    kind = reply.get("type") if isinstance(reply, dict) else None
    if kind != "Scheduler":
        raise ValueError(f"scheduler={scheduler!r} answers as {kind or 'something else'!s}, not as a dask "
                         f"scheduler; {_HELP}")
    try:
        return Client(address, timeout=f"{seconds:g}s")
    except (OSError, TimeoutError) as exc:
        raise ValueError(f"scheduler={scheduler!r} is unreachable: {exc}") from None


def run_on_dask(fn, calls, client, workers, finish):
    """``fn(*call)`` for each call on a Dask cluster (``client``, or a local one); ``finish(j, result)``."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:  # pragma: no cover - depends on the optional extra
        raise ValueError("executor='dask' needs the optional extra: pip install 'ftheory[dask]'") from None
    own, done = client is None, 0
    if own:
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                               dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})
        client = Client(cluster)
    try:
        futures = {client.submit(fn, *call, pure=False): j for j, call in enumerate(calls)}
        for fut in as_completed(list(futures)):
            finish(futures[fut], fut.result())
            done += 1
    except CancelledError as exc:             # e.g. the scheduler died: no traceback, say what is kept
        why = " ".join(str(exc).split())      # distributed's reason spans two lines
        raise ConnectionError(f"the dask cluster cancelled the run after {done} of {len(calls)} points ({why}); "
                              "points written to a store are kept: rerun the same command to resume") from None
    finally:
        if own:
            client.close()
            cluster.close()
