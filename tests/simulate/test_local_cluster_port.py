"""executor='dask' without a scheduler starts a LocalCluster whose scheduler serves no fixed HTTP port: with 8787 busy
(another cluster's dashboard, a second sweep at the same time) distributed warned 'Port 8787 is already in use', which
the test suite's warnings-as-errors turned into 'Cluster failed to start' (seen once under load)."""
import socket
import warnings

import pytest

pytest.importorskip("distributed")

from ftheory.simulate.linear import simulate_min_norm_risk  # noqa: E402
from ftheory.simulate.sweeps import sweep  # noqa: E402


def test_a_busy_port_8787_does_not_disturb_a_local_cluster():
    holder = socket.socket()
    try:
        holder.bind(("127.0.0.1", 8787))
        holder.listen()
    except OSError:
        pass                                  # already taken by someone else: the same situation
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            res = sweep(simulate_min_norm_risk, {"n": [10, 20]}, fixed={"d": 20, "sigma": 0.1}, instances=3, seed=1,
                        executor="dask", workers=2, progress=False)
    finally:
        holder.close()
    assert res.records == sweep(simulate_min_norm_risk, {"n": [10, 20]}, fixed={"d": 20, "sigma": 0.1}, instances=3,
                                seed=1, progress=False).records
