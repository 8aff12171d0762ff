"""benchmarks/advisor_band_coverage.py ``--tables``: rows of different streams pool by replication counts;
the same stream of the same setting twice (the same samples) is refused."""
import pytest

from tests.advise._bench import load_benchmark


def _row(setting, below, above, counted, stream=None, reps=None, **extra):
    """A saved row as the benchmark writes it (one column, ``T_finetune``); ``stream=None``: no key."""
    row = {"setting": setting, "reps": reps or counted, "unlabeled_per_feature": 20, "seconds": 1.0,
           "coverage": {"T_finetune": 1 - (below + above) / counted},
           "truth_below_band": {"T_finetune": below / counted},
           "truth_above_band": {"T_finetune": above / counted}, "counted": {"T_finetune": counted}, **extra}
    if stream is not None:
        row["stream"] = stream
    return row


def test_streams_pool_by_counts():
    """Stream 0 without a "stream" key (3 below, 7 above of 500) and stream 1 (2 below, 20 above of 499
    counted in 500 replications: one non-finite truth): 5 / 27 misses of 999 counted; another setting and
    another unlabeled size stay separate rows (in setting order, then by unlabeled size); the table bolds
    coverage outside 93-97% only (0.980, not 0.968)."""
    bench = load_benchmark("advisor_band_coverage")
    s8, s9 = list(bench.SETTINGS[8]), list(bench.SETTINGS[9])
    rows = bench.pool([_row(s8, 3, 7, 500), _row(s9, 1, 1, 100, stream=1), _row(s8, 2, 20, 499, stream=1, reps=500),
                       _row(s8, 0, 0, 50, stream=1, unlabeled_per_feature=5)])
    assert [(r["setting"], r["streams"], r["unlabeled_per_feature"]) for r in rows] == [
        (s8, [1], 5), (s8, [0, 1], 20), (s9, [1], 20)]
    p = rows[1]
    assert p["counted"]["T_finetune"] == 999 and p["reps"] == 1000
    assert (p["misses_below"]["T_finetune"], p["misses_above"]["T_finetune"]) == (5, 27)
    assert p["coverage"]["T_finetune"] == pytest.approx(1 - 32 / 999, abs=1e-12)
    assert p["truth_above_band"]["T_finetune"] == pytest.approx(27 / 999, abs=1e-12)
    table = bench.tables(rows)
    assert "| 8 | 60 | 0.5 | 0.7 | 0.5 | 1/i | 0,1 | 1000 | " in table
    assert "| 0.968 |" in table and "| **0.980** |" in table


def test_same_stream_twice_is_refused():
    """Stream 0 given once without the key and once as ``"stream": 0``: the same samples, ValueError."""
    bench = load_benchmark("advisor_band_coverage")
    s8 = list(bench.SETTINGS[8])
    with pytest.raises(ValueError, match="stream 0 of setting"):
        bench.pool([_row(s8, 3, 7, 500), _row(s8, 2, 20, 500, stream=0)])
    assert len(bench.pool([_row(s8, 3, 7, 500), _row(s8, 2, 20, 500, stream=0, resolvent_weights=False)])) == 2


def test_seeds_and_pivot_draws_do_not_pool():
    """Rows measured with per-replication advisor seeds, or with another number of pivot draws, are other
    measurements: separate rows (a missing key is the former default: fixed seeds, 256 draws), marked in the
    table's streams column; the per-replication seeds differ across replications and streams."""
    bench = load_benchmark("advisor_band_coverage")
    s8 = list(bench.SETTINGS[8])
    rows = bench.pool([_row(s8, 3, 7, 500), _row(s8, 2, 20, 500, stream=1, advisor_seeds="rep", pivot_draws=1024),
                       _row(s8, 1, 2, 500, stream=0, advisor_seeds="rep", pivot_draws=1024),
                       _row(s8, 4, 4, 500, stream=1, pivot_draws=256)])
    assert [(r["streams"], r["advisor_seeds"], r["pivot_draws"]) for r in rows] == [
        ([0, 1], "fixed", 256), ([0, 1], "rep", 1024)]
    assert (rows[1]["misses_below"]["T_finetune"], rows[1]["misses_above"]["T_finetune"]) == (3, 22)
    assert "| 0,1 (rep seeds) (1024 pivot draws) | 1000 |" in bench.tables(rows)
    seeds = {bench.advisor_seed(508, s, r) for s in range(3) for r in range(200)}
    assert len(seeds) == 600 and all(isinstance(x, int) and x >= 0 for x in seeds)


def test_estimate_rows_pool_by_seeds():
    """benchmarks/advisor_coverage.py ``--tables``: rows of the same index pool across streams by replications,
    and rows with per-replication advisor seeds stay a separate row, marked in the table."""
    bench = load_benchmark("advisor_coverage")
    s = list(bench.SETTINGS[0])

    def row(stream, cov, seeds=None):
        c = {"noise_variance": cov, "signal": cov, "overlap": cov, "ep_noise_variance": cov, "ep_signal": cov,
             "width_noise_variance": 1.0, "width_ep_noise_variance": 1.0, "width_signal": 1.0,
             "width_ep_signal": 1.0, "width_overlap": 1.0, "cosine": 0.92}
        r = {"index": 0, "setting": s, "stream": stream, "reps": 500, "seconds": 10.0, "coverage": c}
        if seeds:
            r["advisor_seeds"] = seeds
        return r
    rows = bench.pool([row(0, 0.96), row(1, 0.98), row(0, 0.94, "rep"), row(1, 0.95, "rep")])
    assert [(r.get("advisor_seeds", "fixed"), r["reps"]) for r in rows] == [("fixed", 1000), ("rep", 1000)]
    assert rows[0]["coverage"]["noise_variance"] == pytest.approx(0.97, abs=1e-12)
    assert rows[1]["coverage"]["signal"] == pytest.approx(0.945, abs=1e-12)
    assert "| 1000 (rep seeds) | 0.945 |" in bench.tables(rows)


def test_datasets_replay_the_benchmarks_replications():
    """``datasets`` (what replays of the benchmark import) yields the benchmark's samples in order: the prepared
    data of replication 2 equal a direct draw of the task with the stream's generator (third X, y of it, the first
    two skipped), ``start`` skips replications without changing the later ones, and ``seeds="rep"`` gives each
    replication its ``advisor_seed`` (exact)."""
    import numpy as np

    from ftheory.advise.estimators import prepare

    bench = load_benchmark("advisor_band_coverage")
    setting = bench.SETTINGS[14]                         # isotropic, d = 20: cheap
    seed = 500 + 14
    full = list(bench.datasets(setting, seed, 3, stream=1, seeds="rep"))
    late = list(bench.datasets(setting, seed, 3, stream=1, seeds="rep", start=2))
    assert [r for r, *_ in full] == [0, 1, 2] and [r for r, *_ in late] == [2]
    np.testing.assert_array_equal(late[0][1].X, full[2][1].X)
    np.testing.assert_array_equal(late[0][2].p, full[2][2].p)
    task, ev, n = bench.setting_task(setting, seed)
    rng = np.random.default_rng([seed + 1, 1])
    for _ in range(3):
        X, y = task.sample(n, rng)
    direct = prepare(X, y, X @ task.beta_s, None)
    np.testing.assert_array_equal(direct.X, full[2][1].X)
    np.testing.assert_array_equal(direct.y, full[2][1].y)
    assert full[2][2].seed == bench.advisor_seed(seed, 1, 2)


def test_offgrid_settings_are_their_draw():
    """The off-grid settings written out in the benchmark are :func:`offgrid_settings`' draws (exact), of the kinds
    :data:`OFFGRID_DRAWS` declares, none on the grid; their task seeds (700 + i) are not the grid's (500 + i)."""
    bench = load_benchmark("advisor_band_coverage")
    drawn = [bench.offgrid_settings(kind, k, seed) for kind, k, seed in bench.OFFGRID_DRAWS]
    assert [s for part in drawn for s in part] == bench.OFFGRID
    n_d = {"below": lambda s: s[4] is not None and round(s[0] * s[1]) < s[0],
           "isotropic": lambda s: s[4] is None and abs(s[1] - 1) >= 0.15 and round(s[0] * s[1]) >= 8,
           "above": lambda s: s[4] is not None and round(s[0] * s[1]) > s[0]}
    assert all(n_d[kind](s) for (kind, _, _), part in zip(bench.OFFGRID_DRAWS, drawn) for s in part)
    assert not set(bench.OFFGRID) & set(bench.SETTINGS)
    grid = {bench.task_seed(i) for i in range(len(bench.SETTINGS))}
    assert not grid & {bench.task_seed(i, offgrid=True) for i in range(len(bench.OFFGRID))}


def test_heldout_settings_are_their_draw_and_apart_from_the_others():
    """The held-out set is :data:`HELDOUT_DRAW`'s draw (exact), anisotropic below n = d, on neither the grid nor
    the first off-grid set, with task seeds (900 + i) of its own; a seed cannot be asked of two sets at once."""
    bench = load_benchmark("advisor_band_coverage")
    assert bench.offgrid_settings(*bench.HELDOUT_DRAW) == bench.HELDOUT
    assert all(s[4] is not None and round(s[0] * s[1]) < s[0] for s in bench.HELDOUT)
    assert not set(bench.HELDOUT) & (set(bench.SETTINGS) | set(bench.OFFGRID))
    held = {bench.task_seed(i, heldout=True) for i in range(len(bench.HELDOUT))}
    others = {bench.task_seed(i) for i in range(len(bench.SETTINGS))}
    others |= {bench.task_seed(i, offgrid=True) for i in range(len(bench.OFFGRID))}
    assert held == set(range(900, 912)) and not held & others
    with pytest.raises(ValueError, match="exclude each other"):
        bench.task_seed(0, offgrid=True, heldout=True)
    assert bench.setting_at("heldout", 4) == (bench.HELDOUT[4], 904)
    assert bench.setting_at("offgrid", 3) == (bench.OFFGRID[3], 703)
    assert bench.setting_at("grid", 8) == (bench.SETTINGS[8], 508)
    with pytest.raises(ValueError, match="kind must be one of"):
        bench.setting_at("fresh", 0)
    assert [bench.set_label(k, 3) for k in ("grid", "offgrid", "heldout")] == ["3", "o3", "h3"]
    with pytest.raises(IndexError):
        bench.set_label("heldout", len(bench.HELDOUT))
