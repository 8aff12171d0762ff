"""--scheduler mistakes are one ValueError naming `scheduler` (CLI: one line, status 2), never a hang or a traceback."""
import socket
import threading
import time

import pytest

pytest.importorskip("distributed")

from ftheory.cli import main  # noqa: E402
from ftheory.simulate.dask_connect import connect  # noqa: E402


def _server(reply):
    """A TCP server on localhost that accepts connections and sends ``reply`` (b"": stays silent)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    conns = []

    def serve():
        while True:
            try:
                c, _ = sock.accept()
            except OSError:
                return
            conns.append(c)
            if reply:
                c.sendall(reply)

    threading.Thread(target=serve, daemon=True).start()
    return sock, conns


@pytest.mark.parametrize("reply, match", [
    (b"", r"no answer within 1 s"),                                    # e.g. a web server waiting for a request
    (b"\xff" * 64, r"is not a dask scheduler|unreachable"),             # bytes read as a frame of exabytes
    (b"HTTP/1.0 400 Bad Request\r\n\r\n", r"is not a dask scheduler|unreachable"),
])
def test_a_server_that_is_not_a_scheduler_is_a_prompt_error(reply, match):
    sock, conns = _server(reply)
    address = "tcp://127.0.0.1:%d" % sock.getsockname()[1]
    t = time.monotonic()
    try:
        with pytest.raises(ValueError, match=r"scheduler='tcp://127\.0\.0\.1:\d+' .*(%s)" % match):
            connect(address, seconds=1.0)
    finally:
        sock.close()
        for c in conns:
            c.close()
    assert time.monotonic() - t < 10


@pytest.mark.parametrize("make, match", [
    (lambda p: str(p / "missing.json"), r"no such scheduler file"),
    (lambda p: (p / "bad.json").write_text("not json") and str(p / "bad.json"), r"is not a scheduler file"),
    (lambda p: (p / "noaddr.json").write_text("{}") and str(p / "noaddr.json"), r"is not a scheduler file"),
    (lambda p: "http://127.0.0.1:8787", r"is not a dask scheduler .*unknown address scheme"),
])
def test_bad_scheduler_files_and_schemes(tmp_path, make, match):
    with pytest.raises(ValueError, match=r"scheduler=.*" + match):
        connect(make(tmp_path), seconds=1.0)


def test_cli_bad_scheduler_is_one_line_and_status_2(tmp_path, capsys):
    bad = tmp_path / "sched.json"
    bad.write_text("garbage")
    assert main(["sweep", "gd-finetune", "--grid", "n=50", "--set", "d=20", "--scheduler", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "scheduler=" in err[0] and "is not a scheduler file" in err[0]


@pytest.mark.parametrize("workers", [0, -2, 1.5])
def test_bad_worker_count_names_workers(workers, capsys):
    """--workers 0 used to print a progress bar, then 'max_workers must be greater than 0'."""
    from ftheory.simulate.sweeps import use_executor

    with pytest.raises(ValueError, match=r"workers=.* is invalid: expected an integer >= 1"):
        with use_executor("processes", workers=workers):
            pass
    if workers == 0:
        assert main(["sweep", "gd-finetune", "--grid", "n=50", "--set", "d=20", "--executor", "processes",
                     "--workers", "0"]) == 2
        out, err = capsys.readouterr()
        assert err.strip().splitlines() == ["ftheory: error: workers=0 is invalid: expected an integer >= 1"]



def test_a_cancelled_run_is_one_connection_error_that_says_how_to_resume():
    """A scheduler that dies mid-run cancels the client's futures: `ftheory sweep --scheduler` ended in a
    FutureCancelledError traceback (exit 1). Here the remaining futures are cancelled after the first point."""
    from distributed import Client, Future, LocalCluster

    from ftheory.simulate.dask_connect import run_on_dask

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None,
                      scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}) as cluster, Client(cluster) as client:
        def finish(j, result):
            client.cancel([Future(key, client) for key in list(client.futures)])

        match = r"cancelled the run after 1 of 6 points .*rerun the same command"
        with pytest.raises(ConnectionError, match=match) as err:
            run_on_dask(time.sleep, [(0.2,)] * 6, client, None, finish)
        assert "\n" not in str(err.value)


def test_the_clients_limit_is_met_when_the_scheduler_goes_away_after_the_probe(monkeypatch):
    """The identity probe ends every unreachable address, so the Client's own limit (20 s by default) is met only
    when a scheduler that answered the probe stops answering before the Client connects. Here the probe's answer
    is a stand-in and the port is closed: the real Client gives up after `seconds` with the one-line error (this
    path was reached before only by a stand-in Client raising TimeoutError)."""
    from ftheory.simulate import dask_connect

    async def answered(address, seconds):
        return {"type": "Scheduler"}

    monkeypatch.setattr(dask_connect, "_identity", answered)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()                                    # nothing listens there any more
    t = time.monotonic()
    with pytest.raises(ValueError, match=r"^scheduler='tcp://127\.0\.0\.1:%d' is unreachable: Timed out trying to "
                                         r"connect to tcp://127\.0\.0\.1:%d after 0\.5 s" % (port, port)):
        connect("tcp://127.0.0.1:%d" % port, seconds=0.5)
    assert 0.5 <= time.monotonic() - t < 10
