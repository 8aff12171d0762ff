"""Wide inputs (many more features than rows, e.g. 20000 gene-expression or embedding columns): the input
checks and the correlation flag work on the n x n side, never forming the d x d correlation matrix (with
n = 30, d = 20000 it took 45 s and 8.5 GB in check_inputs and 16 s in independence_z)."""
import difflib
import tracemalloc

import numpy as np
import pytest

from ftheory.advise.files import _close_matches
from ftheory.advise.io import _duplicated_pair, check_inputs
from ftheory.advise.prepared import independence_z


def _peak_bytes(f, *args):
    tracemalloc.start()
    try:
        out = f(*args)
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _wide(n=12, d=3000, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    return X, X[:, :5].sum(1) + 0.3 * rng.standard_normal(n), X[:, :7].sum(1)


def test_wide_check_inputs_stays_on_the_data_side():
    X, y, z = _wide()
    _, peak = _peak_bytes(check_inputs, X, y, z)
    # the d x d correlations alone are 72 MB; the data 0.3 MB
    assert peak < 20 * X.nbytes, peak


@pytest.mark.parametrize("sign", [1.0, -2.5])
def test_wide_duplicated_columns_are_found_and_named(sign):
    X, y, z = _wide()
    X[:, 2718] = sign * X[:, 31] + 4.0                # a copy up to sign, scale and shift, far from its twin
    with pytest.raises(ValueError, match=r"duplicated \(perfectly correlated\) columns: column 31 \(counting from 0\) "
                                         r"and column 2718 \(counting from 0\)"):
        check_inputs(X, y, z)
    X, y, z = _wide(d=3000, seed=1)                   # a near-copy (correlation 1 - 1e-8) is not a duplicate
    rng = np.random.default_rng(2)
    X[:, 100] = X[:, 7] + 1e-4 * rng.standard_normal(X.shape[0])
    check_inputs(X, y, z)


def test_wide_search_agrees_with_the_correlation_matrix():
    # candidates from the sorted projection, checked exactly, give the same first pair as the full matrix
    rng = np.random.default_rng(3)
    n, d = 8, 400
    Z = rng.standard_normal((n, d))
    for i, j in [(390, 12), (55, 57), (200, 301)]:
        Z[:, i] = -Z[:, j] if i % 2 else Z[:, j]
    Z = (Z - Z.mean(0)) / Z.std(0)
    C = Z.T @ Z / n
    assert _duplicated_pair(Z) == _duplicated_pair(Z, C) == (12, 390)
    assert _duplicated_pair(Z[:, :300]) == _duplicated_pair(Z[:, :300], C[:300, :300]) == (55, 57)
    keep = [j for j in range(d) if j not in (390, 57, 301)]
    assert _duplicated_pair(Z[:, keep]) is None and _duplicated_pair(Z[:, keep], C[np.ix_(keep, keep)]) is None


def test_wide_independence_statistic_uses_the_smaller_gram():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((10, 2500))
    z, peak = _peak_bytes(independence_z, X)
    assert peak < 20 * X.nbytes, peak             # the d x d correlations are 50 MB, the data 0.2 MB
    Xn = X / np.linalg.norm(X, axis=0)
    R = Xn.T @ Xn
    t = 0.5 * (np.sum(R * R) - np.sum(np.diag(R) ** 2)) - 2500 * 2499 / 20
    assert z == pytest.approx(t / np.sqrt(2500 * 2499 * 9 / (100 * 12)), rel=1e-9)


def test_closest_names_are_difflibs_and_quick_among_many_columns(monkeypatch):
    # the "closest name" hint of a missing column took 1.4-2.2 s with 10^5 columns (difflib's ratio for ~10^5 names)
    rng = np.random.default_rng(5)
    for case in range(600):                             # ties, empty names and words, several n and cutoffs
        alpha = list("abXé_0" if case % 2 else "ab")
        names = sorted({"".join(rng.choice(alpha, rng.integers(0, 7))) for _ in range(rng.integers(0, 40))})
        word = "".join(rng.choice(alpha, rng.integers(0, 6)))
        for n in (1, 2, 3):
            for cutoff in (0.0, 0.55, 0.8, 1.0):
                assert _close_matches(word, names, n, cutoff) == difflib.get_close_matches(word, names, n, cutoff)
    calls = []
    ratio = difflib.SequenceMatcher.ratio
    monkeypatch.setattr(difflib.SequenceMatcher, "ratio", lambda m: calls.append(1) or ratio(m))
    names = [f"feature_{j:06d}" for j in range(10 ** 5)]
    assert _close_matches("featur_000123", names, 2, 0.55) == ["feature_000123", "feature_090123"]
    assert len(calls) < 5000                             # get_close_matches: a ratio for each of the 10^5 names
