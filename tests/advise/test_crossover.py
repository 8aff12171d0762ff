"""``Report.crossover_n`` to the integer (ftheory.advise.crossover): the grid locates the last change of order, the
integers between its two grid points are searched; checked against a brute-force search over every integer, on
closed-form curves and on the advisor's own curves (a grid that holds every integer gives the same answer)."""
import time

import numpy as np
import pytest

import ftheory
from ftheory.advise.crossover import PROBES, crossover_line, crossovers, grid_start, is_level, refine


def _brute(ns_all, sc, tr):
    """Smallest n of ``ns_all`` from which ``sc <= tr`` holds to the end, or None."""
    ok = sc(ns_all) <= tr(ns_all)
    k = grid_start(ok)
    return None if k is None else int(ns_all[k])


@pytest.mark.parametrize("c", [0.0013, 0.002, 0.0101, 0.05, 0.3])
def test_crossover_is_the_exact_integer_on_monotone_curves(c):
    ns = np.unique(np.round(np.geomspace(3, 3000, 60)).astype(int))
    sc = lambda m: 1.0 / np.asarray(m, float)                          # noqa: E731 - scratch falls as 1/n
    tr = lambda m: np.full(np.shape(m), c)                             # noqa: E731 - transfer flat at c
    calls = []

    def values_at(ms):
        calls.append(len(ms))
        return {"scratch": sc(ms), "flat": tr(ms)}

    got = crossovers(ns, sc(ns), {"flat": tr(ns)}, values_at)
    assert got["flat"] == _brute(np.arange(3, 3001), sc, tr) == max(3, int(np.ceil(1 / c - 1e-12)))
    assert got["best"] == got["flat"]
    assert all(k <= PROBES for k in calls)                              # a few points per narrowing step


def test_ties_go_to_scratch_and_none_when_behind_at_the_end():
    ns = np.array([3, 5, 9, 17])
    assert crossovers(ns, [1, 1, 1, 1.0], {"t": [0, 0, 0.5, 1.0]})["t"] == 17          # level at the end: ahead
    assert crossovers(ns, [1, 1, 1, 1.0], {"t": [2, 0, 2, 0.5]})["t"] is None
    assert crossovers(ns, [0, 0, 0, 0.0], {"t": [1, 1, 1, 1.0]})["t"] == 3            # ahead from the grid's start
    both = crossovers(ns, [1, 1, 1, 0.0], {"a": [0, 0, 2, 2.0], "b": [0, 0, 0, 0.5]})
    assert (both["a"], both["b"], both["best"]) == (9, 17, 17)                          # ahead of both from 17
    assert crossovers(ns, [1, 1, 1, 1.0], {"a": [0, 0, 2, 2.0], "b": [2, 2, 2, 0.5]})["best"] is None  # never b


def test_refine_narrows_every_bracket_to_one_integer():
    cut = {"a": 1234, "b": 40}
    got = refine({"a": (1000, 1500), "b": (30, 41)}, lambda ms: {k: ms >= v for k, v in cut.items()})
    assert got == cut


def test_crossover_line_states_what_was_checked():
    rows = np.array([4, 10, 100, 1001])
    assert "never overtakes transfer up to n = 1001" in crossover_line(None, rows)
    assert "from n = 57 on (exact integer" in crossover_line(57, rows)
    assert "every n of the curves, n = 4 to 1001" in crossover_line(4, rows)
    assert "checked there only" in crossover_line(61, np.array([61]))


def _crossing_task():
    # isotropic d = 100, n = 60: scratch overtakes the probe between grid points (17 on the grid was 18)
    rng = np.random.default_rng(5)
    d, n = 100, 60
    bt = rng.standard_normal(d) / np.sqrt(d)
    bs = bt + 0.8 * rng.standard_normal(d) / np.sqrt(d)
    X = rng.standard_normal((n, d))
    y = X @ bt + 0.6 * rng.standard_normal(n)
    return X, y, bs


def test_advise_crossover_matches_a_grid_of_every_integer():
    X, y, bs = _crossing_task()
    rep = ftheory.advise(X, y, source_weights=bs)
    dense = ftheory.advise(X, y, source_weights=bs, n_max=100, grid_size=600)   # every integer from 3 to 100
    assert set(range(4, 102)) <= set(int(m) for m in dense.curves["n"])
    assert rep.crossover_n == dense.crossover_n == 17                # 18 on the default grid
    note = [t for t in rep.notes if t.startswith("scratch (tuned ridge)")]
    assert note == [t for t in dense.notes if t.startswith("scratch (tuned ridge)")]
    assert "overtakes the linear probe from n = 17 on" in note[0]


def test_anisotropic_refinement_reproduces_the_curves_at_grid_points():
    # the refinement's values (predict with n_at=None) are the curves' values at the same sample sizes
    from ftheory.advise import report as R
    from ftheory.advise.estimators import estimate_parameters, prepare

    rng = np.random.default_rng(4)
    d, n = 20, 40
    bt = rng.standard_normal(d) / np.sqrt(d)
    bs = bt + 1.2 * rng.standard_normal(d) / np.sqrt(d)
    X = rng.standard_normal((n, d))
    y = X @ bt + rng.standard_normal(n)
    U = rng.standard_normal((300, d))
    rep = ftheory.advise(X, y, source_weights=bs, unlabeled=U, grid_size=20)
    ns = np.asarray(rep.curves["n"], int) - 1                  # effective sizes (centred)
    # advise's units: powers of two near max |y| and max |X| (exact)
    unit = 2.0 ** int(np.frexp(np.max(np.abs(y)))[1])
    xunit = 2.0 ** int(np.frexp(np.max(np.abs(X)))[1])
    prep = prepare(X / xunit, y / unit, (X @ bs) / unit, U / xunit)
    pe = estimate_parameters(prep)
    b = R.predict(prep, pe, ns[::3], None)
    for proc in ("scratch_ridge", "linear_transfer", "finetune_ridge"):
        np.testing.assert_allclose(b[proc][0] * unit ** 2, np.asarray(rep.curves[proc][0])[::3], rtol=1e-12, atol=0)


def test_refinement_costs_little():
    X, y, bs = _crossing_task()
    ftheory.advise(X, y, source_weights=bs)                            # warm-up (imports, caches)
    t = time.process_time()
    ftheory.advise(X, y, source_weights=bs)
    full = time.process_time() - t
    from ftheory.advise import crossover
    old = crossover.crossovers
    try:
        crossover.crossovers = lambda ns, sc, tr, values_at=None: old(ns, sc, tr, None)
        t = time.process_time()
        ftheory.advise(X, y, source_weights=bs)
        grid = time.process_time() - t
    finally:
        crossover.crossovers = old
    assert full < 1.5 * grid + 0.2


def test_crossover_line_says_level_when_the_predictions_are_equal_from_there_on():
    # rev19: the README example's headline said "Scratch overtakes transfer from n = 201 on" where its note said
    # "is level with tuned fine-tuning from n = 201 on" (both predicted 0 there)
    rows = np.array([4, 10, 100, 201, 1001])
    line = crossover_line(201, rows, level=True)
    assert line.startswith("Scratch is level with transfer from n = 201 on (equal predictions: ties go to scratch")
    assert "overtakes" not in line
    assert crossover_line(4, rows, level=True).startswith("Scratch is level with transfer at every n of the curves")
    curves = {"n": rows, "scratch_ridge": ([3, 2, 0.5, 0, 0.0],), "linear_transfer": ([1, 1, 1, 1, 1.0],),
              "finetune_ridge": ([2, 1, 1, 0, 0.0],)}
    assert is_level(curves, 201) and not is_level(curves, 100) and not is_level(curves, None)


def test_readme_example_headline_agrees_with_its_note():
    rng = np.random.default_rng(0)                                      # README.md's example
    d, n = 200, 100
    beta_t = rng.standard_normal(d) / np.sqrt(d)
    beta_s = beta_t + 0.5 * rng.standard_normal(d) / np.sqrt(d)
    X = rng.standard_normal((n, d))
    y = X @ beta_t + 0.3 * rng.standard_normal(n)
    rep = ftheory.advise(X, y, source_weights=beta_s)
    assert rep.crossover_n == 201
    assert any("is level with tuned fine-tuning from n = 201 on" in t for t in rep.notes)
    assert "Scratch is level with transfer from n = 201 on" in rep.summary()
    # the crossover line was 102 columns here ("Scratch overtakes ... up to n = 1001)"): every line fits the width
    from ftheory.advise.report import WIDTH
    for width in (WIDTH, 72):
        assert max(len(line) for line in rep.summary(width).splitlines()) <= max(width, 80)
