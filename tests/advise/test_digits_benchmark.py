"""The real-data benchmarks (benchmarks/advisor_digits.py, advisor_diabetes.py, their shared
_advisor_real.py) at tiny size: loader, split, oracle, one cell, the command line, and that the tables
of docs/advisor_validation.md are exactly those the benchmarks print from the JSON in docs/."""
import json
from pathlib import Path

import numpy as np
import pytest

from tests.advise._bench import load_benchmark

pytest.importorskip("sklearn")

_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench():
    return load_benchmark("advisor_digits")


@pytest.fixture(scope="module")
def diabetes():
    return load_benchmark("advisor_diabetes")


def test_loader_ships_with_sklearn_and_splits_disjointly(bench):
    X, digit, S, U, T = bench.load()
    assert X.shape == (1797, 46) and digit.shape == (1797,)
    assert np.all((X > 0).mean(0) >= bench.MIN_NONZERO)
    parts = [set(S), set(U), set(T)]
    assert [len(p) for p in parts] == [600, 600, 597]
    assert set().union(*parts) == set(range(1797)) and sum(map(len, parts)) == 1797


def test_same_task_oracle_has_zero_fine_tuning_gap_at_the_population_teacher(bench):
    # source = the population least-squares teacher itself: fine-tuning starts at the truth, so its
    # tuned risk is 0 and T_ft equals the tuned scratch risk (> 0); the probe's risk is then only its
    # variance term sigma^2/(m - 2), so T_lt = scratch - sigma^2/(m - 2)
    from ftheory.aniso import tuned_ridge
    X, digit, *_ = bench.load()
    pop = bench.population(X, digit, bench.lstsq(X, bench.LABELS["ge5"](digit)), "ge5")
    o = bench.oracle(pop, 40)
    ev, Q = np.linalg.eigh(pop["Sigma"])
    sc = float(tuned_ridge(np.maximum(ev, 0), Q.T @ pop["beta_t"], 39, np.sqrt(pop["sigma2"])).risk)
    assert o["raw"]["ft"] == pytest.approx(sc, rel=1e-9)
    assert o["raw"]["lt"] == pytest.approx(sc - pop["sigma2"] / 37, rel=1e-9)
    assert o["raw"]["ft_mn"] > 0 and abs(o["cos"] - 1) < 1e-12


@pytest.mark.slow
def test_one_tiny_cell_runs_and_is_consistent(bench, tmp_path, monkeypatch):
    res = bench.run(pairs=["value>ge5"], ns=(30,), reps=3, seed=5)
    s = res["summary"][0]
    for path in ("iso", "aniso"):
        for k in ("lt", "ft"):
            c = s[path][k]
            assert np.isfinite(c["pred"][0]) and np.isfinite(c["real"][0])
            assert 0 <= c["cover_real_mean"] <= 1 and c["width"] >= 0
    rows = res["rows"]["value>ge5"][30]
    assert len(rows) == 3 and all(r["aniso"]["theory"] == "anisotropic" for r in rows)
    assert all(r["iso"]["theory"] == "isotropic" for r in rows)
    # the linear probe is invariant to the pixel coding (same held-out MSE in raw and standardised
    # pixels); the scratch ridge is not (different penalty geometry)
    for r in rows:
        raw, std = r["real"]["raw"]["mse"], r["real"]["std"]["mse"]
        assert raw["linear_transfer"] == pytest.approx(std["linear_transfer"], rel=1e-9)
        assert r["real"]["raw"]["lt"] == pytest.approx(raw["scratch_ridge"] - raw["linear_transfer"], rel=1e-12)
    # the JSON columns give back the rows summarise needs: the same summary without the excess risks
    again = bench.real.summarise("value>ge5", 30, bench.real.rows_from_columns(bench.real.columns(rows)),
                                 s["oracle"])
    assert json.dumps([again["aniso"], again["iso"]]) == json.dumps([s["aniso"], s["iso"]])
    out = tmp_path / "r.json"
    bench.real.save(res, str(out))
    back = json.loads(out.read_text())
    assert len(back["rows"]["value>ge5"]["30"]["aniso_lt_low"]) == 3
    text = "\n".join(t for _, t in bench.blocks(back))
    assert text.count("| value>ge5 | 30 |") == 3      # two advisor paths and the excess risks
    monkeypatch.chdir(tmp_path)
    bench.real.figure(back["summary"], str(tmp_path / "f.png"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.png", "r.json"]


def test_least_squares_is_coding_invariant_above_d(bench):
    # above n = d, min-norm is ordinary least squares: invariant to rescaling the pixels, so its held-out
    # MSE (and that of min-norm fine-tuning) agrees between raw and standardised pixels
    X, digit, S, U, T = bench.load()
    y = bench.LABELS["ge5"](digit)
    w = bench.lstsq(X[S], bench.LABELS["value"](digit[S]))
    tr, te = T[:120], T[120:]
    cols = bench.usable_columns(X[tr])
    r = bench.realised(X[tr][:, cols], y[tr], X[te][:, cols], y[te], {"v": w[cols]})["v"]
    for k in ("scratch_min_norm", "finetune_min_norm"):
        assert r["raw"]["mse"][k] == pytest.approx(r["std"]["mse"][k], rel=1e-8)


def test_subsamples_are_reproducible_and_never_constant(bench):
    X, digit, S, U, T = bench.load()
    y = bench.LABELS["eq3"](digit)
    a = bench.subsamples(T, y, "eq3", 23, 40, 1)
    b = bench.subsamples(T, y, "eq3", 23, 40, 1)
    assert len(a) == 40 and all(np.array_equal(p[0], q[0]) for p, q in zip(a, b))
    assert all(np.ptp(y[tr]) > 0 and len(tr) == 23 and len(te) == 597 - 23 and not set(tr) & set(te) for tr, te in a)


def test_bad_pair_is_refused(bench):
    with pytest.raises(ValueError, match="pairs"):
        bench.run(pairs=["value>nosuch"], ns=(30,), reps=1)


def test_bad_flags_exit_with_one_line(bench, diabetes, capsys):
    for mod, argv, word in ((bench, ["--pairs", "value>nosuch"], "--pairs"), (bench, ["--n", "23,x"], "--n"),
                            (diabetes, ["--n", "3"], "--n"), (diabetes, ["--reps", "1"], "--reps"),
                            (diabetes, ["--from-json", "/nonexistent/x.json"], "nonexistent")):
        with pytest.raises(SystemExit) as e:
            mod.main(argv + ["--json", "", "--png", ""])
        err = capsys.readouterr().err.strip()
        assert e.value.code == 2 and len(err.splitlines()) == 1 and word in err


@pytest.mark.parametrize("name", ["advisor_digits", "advisor_diabetes"])
def test_docs_tables_are_the_benchmark_tables_of_the_docs_json(name, capsys):
    # every table the benchmark prints as a docs table, from the JSON kept in docs/, appears verbatim in
    # docs/advisor_validation.md: a re-run's JSON and the pasted tables cannot drift apart
    mod = load_benchmark(name)
    doc = (_ROOT / "docs" / "advisor_validation.md").read_text()
    res = mod.real.load_json(str(_ROOT / "docs" / f"{name}.json"))
    tables = [t for _, t in mod.blocks(res)]
    assert len(tables) == 3
    for t in tables:
        missing = [line for line in t.splitlines() if line not in doc]
        assert not missing and t in doc, missing[:3]
    # and the command line prints them (nothing computed, nothing written)
    mod.main(["--from-json", str(_ROOT / "docs" / f"{name}.json"), "--png", ""])
    out = capsys.readouterr().out
    assert all(t in out for t in tables)


def test_diabetes_groups_are_the_two_sex_values(diabetes):
    X, y, g = diabetes.load()
    assert X.shape == (442, 9) and y.shape == (442,)
    assert (len(g["A"]), len(g["B"])) == (235, 207) and not set(g["A"]) & set(g["B"])


def test_compare_resummarises_the_earlier_result_on_the_same_subsamples(bench):
    # a re-run with fewer subsamples (a prefix of the docs' draws) is compared with the earlier result on
    # those subsamples, not with its summary over all of them
    real = bench.real
    old = real.load_json(str(_ROOT / "docs" / "advisor_digits.json"))
    s_old = next(s for s in old["summary"] if (s["pair"], s["n"]) == ("value>ge5", 92))
    rows = real.rows_from_columns(old["rows"]["value>ge5"]["92"])
    half = len(rows) // 2
    new = real.summarise("value>ge5", 92, rows[:half], s_old["oracle"])
    assert new["reps"] == half
    (m,) = real.matched(old, [new])
    assert json.dumps(m["aniso"]) == json.dumps(new["aniso"]) and m["reps"] == half
    # all rows give back the stored summary (to its 5 significant digits; coverage to one subsample)
    full = real.summarise("value>ge5", 92, rows, s_old["oracle"])
    for path in ("aniso", "iso"):
        for k in ("lt", "ft"):
            for key in ("pred", "real"):
                assert full[path][k][key][0] == pytest.approx(s_old[path][k][key][0], rel=1e-4, abs=1e-9)
            assert abs(full[path][k]["cover_real_mean"] - s_old[path][k]["cover_real_mean"]) <= 1 / len(rows) + 1e-12
    assert m["aniso"]["lt"]["pred"][0] != pytest.approx(full["aniso"]["lt"]["pred"][0], rel=1e-3)
    assert real.matched(old, [full])[0] is s_old
    assert "| aniso | value>ge5 | 92 |" in real.compare_table([m], [new])
