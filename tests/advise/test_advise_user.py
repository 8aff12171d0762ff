"""The advisor as a new user meets it through the Python API: label scales anywhere in the accepted
range, rescaled feature columns, d = 1, n < d, flags and the summary's wording."""
import functools
import json

import numpy as np
import pytest

import ftheory


def _task(n=40, d=6, seed=2):
    rng = np.random.default_rng(seed)
    bt = rng.standard_normal(d) / np.sqrt(d)
    X = rng.standard_normal((n, d))
    return X, X @ bt + 0.4 * rng.standard_normal(n), X @ (bt + 0.3 * rng.standard_normal(d) / np.sqrt(d))


@functools.lru_cache(maxsize=None)
def _reference(kind, unlabeled):
    """The unscaled report that the scale tests compare with, computed once per (task, pool) (``advise`` is
    deterministic: seed 0): ``kind`` "labels" (``_task()``, pretrained predictions) or "features"
    (:func:`_feature_task`, pretrained weights); ``unlabeled`` adds the task's pool."""
    if kind == "labels":
        X, y, z = _task()
        U = np.random.default_rng(9).standard_normal((60, X.shape[1])) if unlabeled else None
        return ftheory.advise(X, y, source_pred=z, unlabeled=U, grid_size=8)
    X, y, w, U = _feature_task(unlabeled)
    return ftheory.advise(X, y, source_weights=w, unlabeled=U, grid_size=8)


def _feature_task(unlabeled):
    rng = np.random.default_rng(7)
    n, d = 40, 6
    X = rng.standard_normal((n, d))
    w = rng.standard_normal(d) / np.sqrt(d)
    y = X @ (w + 0.3 * rng.standard_normal(d) / np.sqrt(d)) + 0.4 * rng.standard_normal(n)
    U = rng.standard_normal((60, d)) if unlabeled else None
    return X, y, w, U


def _numbers(rep):
    """Every number of a report in label units squared (the overlap, a cosine, separately)."""
    out = {}
    for group in ("estimates", "predictions", "transferability"):
        for k, iv in getattr(rep, group).items():
            out[f"{group}.{k}"] = np.array([iv.value, iv.low, iv.high, iv.se])
    for k, v in rep.curves.items():
        if k != "n":
            out[f"curves.{k}"] = np.asarray(v, float)
    return out


@pytest.mark.parametrize("unlabeled", [False, True])
@pytest.mark.parametrize("k", [-450, -200, 200, 450])
def test_label_scale_is_exact_anywhere_in_the_accepted_range(k, unlabeled):
    # labels (and the pretrained predictions) in units 2^k: every variance and risk scales by 4^k, the
    # cosine not at all. At 1e140 the run failed ("SVD did not converge", overflow warnings) and at
    # 1e-140 the intervals collapsed onto their values, although both are inside [1e-150, 1e150].
    X, y, z = _task()
    U = np.random.default_rng(9).standard_normal((60, X.shape[1])) if unlabeled else None
    ref = _reference("labels", unlabeled)
    s = 2.0 ** k
    rep = ftheory.advise(X, y * s, source_pred=z * s, unlabeled=U, grid_size=8)
    a, b = _numbers(ref), _numbers(rep)
    for key in a:
        unit = 1.0 if key == "estimates.overlap" else s * s
        np.testing.assert_array_equal(b[key], a[key] * unit, err_msg=key)  # powers of two: exact
    assert rep.recommendation == ref.recommendation and rep.crossover_n == ref.crossover_n
    json.loads(rep.to_json(allow_nan=False))


@pytest.mark.parametrize("scale", [1e140, 1e-140, 3.7e-100])
def test_label_scale_decimal_factor(scale):
    # a decimal factor rounds the inputs (relative 1.1e-16), which the prediction bands (score crossings
    # interpolated between grid points, tuned penalties) resolve to about 2e-8 of each quantity's
    # magnitude - measured the same for factors 1.1 and 3 as for 1e140 and 1e-140, so this is the
    # bands' resolution, not the scale: tolerance 1e-7 of the magnitude. The estimates' values (closed
    # forms: sums over n = 40 rows) follow to 1e-12 (1e4 x eps).
    X, y, z = _task()
    ref = _reference("labels", False)
    rep = ftheory.advise(X, y * scale, source_pred=z * scale, grid_size=8)
    a, b = _numbers(ref), _numbers(rep)
    for key in a:
        unit = 1.0 if key == "estimates.overlap" else scale * scale
        got, want = b[key] / unit, a[key]
        assert np.array_equal(np.isfinite(got), np.isfinite(want)), key
        fin = np.isfinite(want)
        np.testing.assert_allclose(got[fin], want[fin], rtol=0, atol=1e-7 * np.max(np.abs(want[fin])), err_msg=key)
        if key.startswith("estimates."):
            np.testing.assert_allclose(got[0], want[0], rtol=1e-12, atol=0, err_msg=key)
    assert rep.recommendation == ref.recommendation and rep.crossover_n == ref.crossover_n


@pytest.mark.parametrize("mode", ["isotropic", "unlabeled"])
@pytest.mark.parametrize("k", [-400, -200, 200, 400])
def test_feature_scale_is_exact_anywhere_in_the_accepted_range(k, mode):
    # all inputs (and the unlabeled pool) in units 2^k, the weights in units 2^-k: the same task, the
    # same report (standardize=False is left out: it declares the given scale to be Sigma = I). At 2^400
    # (2.6e120) the column-variance test squared 1e240 and overflowed; with unlabeled inputs 2^-200 and
    # 2^200 overflowed in the anisotropic bands.
    X, y, w, U = _feature_task(mode == "unlabeled")
    s = 2.0 ** k
    ref = _reference("features", mode == "unlabeled")
    rep = ftheory.advise(X * s, y, source_weights=w / s, unlabeled=None if U is None else U * s, grid_size=8)
    a, b = _numbers(ref), _numbers(rep)
    for key in a:
        np.testing.assert_array_equal(b[key], a[key], err_msg=key)
    assert (rep.recommendation, rep.crossover_n, rep.notes) == (ref.recommendation, ref.crossover_n, ref.notes)


def test_summary_reads_as_sentences_and_cites_the_background():
    X, y, z = _task(n=60, d=8)
    rep = ftheory.advise(X, y, source_pred=z, grid_size=10)
    text = rep.summary()
    assert "n = never" not in text and "does not overtake" in text  # was "... at n = never on the grid"
    assert "docs/background.md §" in text and "docs/advisor.md" in text and "THEORY" not in text
    last = [ln for ln in text.splitlines() if ln.startswith("Scratch ")][0]
    assert ("never" in last and "n = " not in last.split("never")[0]) or rep.crossover_n is not None


def test_flag_says_what_the_shown_value_is():
    # the unbiased signal estimate 3.42 lies outside its interval [2.04, 3.21]; the value shown, 3.055, is
    # the signal of the nearest possible task, strictly inside the interval - the flag called it "the
    # nearest point of [low, high]", which it is not (seed 6 showed this before the spectral law took in the
    # estimated input scale, which widened its interval to contain the estimate)
    X, y, z = _task(n=40, d=6, seed=8)
    rep = ftheory.advise(X, y, source_pred=z, grid_size=0)
    flag = [f for f in rep.flags if f.startswith("signal: the unbiased estimate")]
    iv = rep.estimates["signal"]
    assert len(flag) == 1 and iv.low < iv.value < iv.high
    assert "nearest point of" not in flag[0] and "nearest possible task" in flag[0]
    assert f"the value shown, {iv.value:.4g}," in flag[0]


def test_plot_cites_the_background(tmp_path):
    X, y, z = _task(n=30, d=8)
    fig = ftheory.advise(X, y, source_pred=z, grid_size=10).plot(path=str(tmp_path / "a.png"))
    texts = [t.get_text() for ax in fig.axes for t in ax.texts] + [t.get_text() for t in fig.texts]
    assert any("docs/background.md §" in t for t in texts)
    assert (tmp_path / "a.png").stat().st_size > 1000


def test_unlabeled_table_is_matched_to_the_features_by_name():
    # pandas tables in a different column order were used by position: a wrong covariance, silently
    pd = pytest.importorskip("pandas")
    X, y, z = _task(n=40, d=5)
    rng = np.random.default_rng(1)
    cols = [f"f{j}" for j in range(5)]
    U = pd.DataFrame(rng.standard_normal((60, 5)) * [1, 2, 3, 4, 5], columns=cols)
    Xd = pd.DataFrame(X, columns=cols)
    ref = ftheory.advise(Xd, y, source_pred=z, unlabeled=U, grid_size=0)
    rev = ftheory.advise(Xd, y, source_pred=z, unlabeled=U[cols[::-1]], grid_size=0)
    assert rev.to_dict() == ref.to_dict()
    with pytest.raises(ValueError, match=r"unlabeled.*'g'.*not a feature"):
        ftheory.advise(Xd, y, source_pred=z, unlabeled=U.assign(g=1.0), grid_size=0)
    with pytest.raises(ValueError, match=r"unlabeled lacks.*'f4'"):
        ftheory.advise(Xd, y, source_pred=z, unlabeled=U.drop(columns="f4"), grid_size=0)


def test_text_column_of_a_table_is_named():
    pd = pytest.importorskip("pandas")
    X, y, z = _task(n=20, d=3)
    Xd = pd.DataFrame(X, columns=["a", "b", "c"]).assign(city="Paris")
    with pytest.raises(ValueError, match=r"X column 'city' holds the text 'Paris' at row 0 \(counting from 0\): expected numbers"):
        ftheory.advise(Xd, y, source_pred=z)


def test_tiny_sample_with_unlabeled_data_runs_without_warnings():
    """n = 5, d = 3 with unlabeled rows: unbounded band ends must not leak an inf - inf RuntimeWarning."""
    import warnings

    rng = np.random.default_rng(0)
    X = rng.standard_normal((5, 3))
    y = X @ [1.0, 0.5, 0.0] + 0.3 * rng.standard_normal(5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rep = ftheory.advise(X, y, source_pred=X[:, 0], unlabeled=rng.standard_normal((200, 3)))
    for iv in rep.predictions.values():
        assert iv.low <= iv.value <= iv.high
