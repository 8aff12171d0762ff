"""Dask paths of ``ftheory.simulate.sweeps`` on an in-process cluster (no worker processes): a client given
to :func:`sweep` (or opened by :func:`use_executor`) must actually run the points, ``workers`` must reach
the local cluster that ``_run_dask`` starts, and that cluster and its client must be closed afterwards.

Written against survivors listed as left in docs/testing.md (third run: ``_run_dask``'s cluster and finish,
``_dispatch`` without ``workers``, ``sweep``'s default client; fifth check: ``sweep`` ignoring a given
``client``, 2 mutants). Each test was checked to fail on the mutation applied by hand in this worktree (then
reverted): ``client = None`` / ``client if client is None else ...`` in ``sweep``, ``_dispatch(..., None,
workers, ...)`` in ``sweep``, ``_run_dask(..., client, None, finish)`` in ``_dispatch``, ``LocalCluster``
without ``processes=True`` or with ``processes=None``, ``cluster = None``, the ``client.close()`` /
``cluster.close()`` of an own cluster dropped, ``finish(None, ...)``. The expected numbers are the serial
sweep's: every point draws from its own seed, so the executor must not change them.
"""
import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

from ftheory.simulate import sweeps  # noqa: E402
from ftheory.simulate.linear import simulate_min_norm_risk  # noqa: E402
from ftheory.simulate.sweeps import sweep, use_executor  # noqa: E402

GRID = {"n": [3, 4, 6]}
FIXED = {"d": 5, "sigma": 0.1}


@pytest.fixture(scope="module")
def cluster():
    c = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None)
    yield c
    c.close()


@pytest.fixture(scope="module")
def serial():
    return sweep(simulate_min_norm_risk, GRID, fixed=FIXED, instances=3, seed=4, progress=False)


def _executor_seen(_):
    return sweeps._defaults()["executor"]


def _no_own_cluster(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("sweep started its own LocalCluster although a client was given")
    monkeypatch.setattr(distributed, "LocalCluster", refuse)


def _same(res, ref):
    assert [r["point"] for r in res.records] == [r["point"] for r in ref.records]
    for a, b in zip(res.records, ref.records):
        assert a["quantities"]["risk"]["samples"] == b["quantities"]["risk"]["samples"]


def test_a_given_client_runs_every_point(cluster, serial, monkeypatch):
    _no_own_cluster(monkeypatch)
    with distributed.Client(cluster) as client, distributed.get_task_stream(client) as ts:
        res = sweep(simulate_min_norm_risk, GRID, fixed=FIXED, instances=3, seed=4, executor="dask",
                    client=client, progress=False)
    assert len(ts.data) == 3 and all(t["key"].startswith("_in_worker-") for t in ts.data)
    assert res.computed == 3
    _same(res, serial)


def test_the_client_of_a_use_executor_block_runs_the_points(cluster, serial, monkeypatch):
    """Every sweep of the block runs on its client. (Regression: the worker threads of an in-process cluster
    used to reset this process's executor settings to serial, so every later sweep of the block silently ran
    serially here.)"""
    _no_own_cluster(monkeypatch)
    with use_executor("dask", scheduler=cluster.scheduler_address) as client:
        assert isinstance(client, distributed.Client)
        for _ in range(2):
            with distributed.get_task_stream(client) as ts:
                res = sweep(simulate_min_norm_risk, GRID, fixed=FIXED, instances=3, seed=4, progress=False)
            assert len(ts.data) == 3
            _same(res, serial)
        assert sweeps._defaults()["client"] is client
        # a task runs nested sweeps serially, in its own thread only
        assert sweeps.run_tasks(_executor_seen, [(0,), (1,)]) == ["serial", "serial"]
        assert sweeps._defaults()["executor"] == "dask"
    assert sweeps._defaults() == {"executor": None, "client": None, "workers": None}


def test_own_local_cluster_gets_the_worker_count_and_is_closed(cluster, serial, monkeypatch):
    """``_run_dask`` without a client starts ``LocalCluster(n_workers=workers, threads_per_worker=1,
    processes=True, dashboard_address=None, scheduler_kwargs=...)`` and closes it and its client; here the
    cluster is a stand-in that records its arguments and points at the in-process scheduler (no processes are
    started)."""
    made, clients = [], []

    class Stand:
        def __init__(self, **kwargs):
            self.kwargs, self.closed = kwargs, False
            self.scheduler_address = cluster.scheduler_address
            made.append(self)

        def close(self):
            self.closed = True

    real_client = distributed.Client

    class Recording(real_client):
        def __init__(self, address, **kwargs):
            super().__init__(address.scheduler_address, **kwargs)
            clients.append(self)

    monkeypatch.setattr(distributed, "LocalCluster", Stand)
    monkeypatch.setattr(distributed, "Client", Recording)
    res = sweep(simulate_min_norm_risk, GRID, fixed=FIXED, instances=3, seed=4, executor="dask", workers=3,
                progress=False)
    _same(res, serial)
    assert len(made) == 1 and made[0].kwargs == {"n_workers": 3, "threads_per_worker": 1, "processes": True,
                                                  "dashboard_address": None,
                                                  "scheduler_kwargs": {"dashboard_address": "127.0.0.1:0"}}
    assert made[0].closed and len(clients) == 1 and clients[0].status == "closed"
    # a use_executor block's worker count reaches the cluster, through sweep and through run_tasks
    import os
    k = (os.cpu_count() or 1) + 1                   # not the default count
    with use_executor("dask", workers=k):
        _same(sweep(simulate_min_norm_risk, GRID, fixed=FIXED, instances=3, seed=4, progress=False), serial)
        assert sweeps.run_tasks(divmod, [(7, 2), (9, 4)]) == [(3, 1), (2, 1)]
    assert [c.kwargs["n_workers"] for c in made[1:]] == [k, k] and all(c.closed for c in made)
