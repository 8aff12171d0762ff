"""benchmarks/advisor_cosine_split.py: its replications are the coverage study's samples (the interval
it records is the one ``advisor_coverage.py`` counts), and its table splits by the sign of tau_hat^2."""
import numpy as np

from ftheory.advise.estimators import estimate_parameters, prepare
from ftheory.advise.synthetic import make_task
from tests.advise._bench import load_benchmark


def test_rows_are_the_coverage_study_samples():
    """Two replications of index 11, stream 1: the same tau_hat^2, width and coverage as the advisor's
    interval on the samples drawn here from the coverage study's task (seed 100 + 11) and stream."""
    bench = load_benchmark("advisor_cosine_split")
    rows = bench.run(11, 2, stream=1)
    d, gamma, theta, sigma, _ = bench.SETTINGS[11]
    n = int(round(gamma * d))
    task = make_task(d, theta, sigma, eigenvalues=np.arange(1, d + 1) ** -1.0, seed=111)
    rng = np.random.default_rng([112, 1])
    for row in rows:
        X, y = task.sample(n, rng)
        U = task.sample(20 * d, rng)[0]
        pe = estimate_parameters(prepare(X, y, X @ task.beta_s, U, center=True))
        iv = pe.interval("overlap")
        assert row["tau2"] == float(pe.p[0])
        assert row["width"] == float(iv.high - iv.low)
        assert row["cover"] == bool(iv.covers(task.truth()["overlap"]))


def test_table_splits_by_the_sign_of_the_signal_estimate():
    bench = load_benchmark("advisor_cosine_split")
    rows = [dict(tau2=t, cover=c, accept=a, accept_true=b, width=w)
            for t, c, a, b, w in ((-1.0, True, True, True, 2.0), (0.0, False, False, True, 1.0),
                                  (0.5, True, False, False, 0.5), (2.0, True, True, True, 0.25))]
    lines = bench.tables([dict(index=11, stream=0, rows=rows[:2]), dict(index=11, stream=1, rows=rows[2:])])
    body = [ln.split(" | ") for ln in lines.splitlines()[2:]]
    assert [b[2] for b in body] == ["all", "tau_hat^2 <= 0", "tau_hat^2 > 0"]
    assert [b[1] for b in body] == ["0,1"] * 3
    assert [b[3:7] for b in body] == [["4", "0.750", "0.500", "0.750"], ["2", "0.500", "0.500", "1.000"],
                                      ["2", "1.000", "0.500", "0.500"]]
    assert [b[7].rstrip(" |") for b in body] == ["0.938", "1.500", "0.375"]
