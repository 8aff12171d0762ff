"""A new user's tasks on data sets that ship with scikit-learn (trial21, docs/advisor_notes/trial21.md): a risk band
[0, 0] that the noise interval contradicts is flagged; a table's columns are named in the units note; a degenerate
pool whose rows repeat (discrete features) is not blamed on X's rows; d = 1 gives no RuntimeWarning."""
import types
import warnings

import numpy as np
import pytest

import ftheory
from ftheory.advise.estimators import Interval
from ftheory.advise.pool_size import check_not_degenerate
from ftheory.advise.report_flags import report_flags

datasets = pytest.importorskip("sklearn.datasets")


def _diabetes_s5(n=25):
    """Diabetes, a labelling the docs do not use: s5 (log triglycerides) from the other variables; the pretrained
    model is least squares on the older half, the target the first ``n`` of the younger half (a fixed shuffle)."""
    from sklearn.linear_model import LinearRegression

    df = datasets.load_diabetes(as_frame=True, scaled=False).frame
    feats = [c for c in df.columns if c not in ("s5", "target")]
    old = df[df.age >= df.age.median()]
    young = df[df.age < df.age.median()].sample(frac=1, random_state=0)
    m = LinearRegression().fit(old[feats], old.s5)
    T = young.iloc[:n]
    return T[feats], T.s5, m.predict(T[feats]), young.iloc[n:][feats]


def _iris(n, seed=0, d=3):
    from sklearn.linear_model import LinearRegression

    df = datasets.load_iris(as_frame=True).frame
    fs = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)"][:d]
    lab = "petal width (cm)"
    src = df[df.target < 2]
    tgt = df[df.target == 2].sample(frac=1, random_state=seed)
    m = LinearRegression().fit(src[fs], src[lab])
    T = tgt.iloc[:n]
    return T[fs], T[lab], m.predict(T[fs]), tgt.iloc[n:][fs]


def test_zero_band_contradicting_the_noise_interval_is_flagged():
    # isotropic path, correlated features (flagged z = 19): the score region holds no task with noise > 0, so the
    # tuned risks' bands were [0, 0] with no word of warning while the noise interval reaches 0.18
    X, y, z, _ = _diabetes_s5()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rep = ftheory.advise(X, y, source_pred=z, grid_size=0)
    iv = rep.predictions["scratch_ridge"]
    assert iv.high == 0.0 and rep.estimates["noise_variance"].high > 0
    flag = [f for f in rep.flags if f.startswith("prediction scratch_ridge: band [0, 0], a risk of 0 for certain")]
    assert len(flag) == 1 and "docs/advisor.md, Bands" in flag[0]
    assert "FLAG: prediction scratch_ridge: band [0, 0]" in rep.summary()


def test_zero_band_flag_only_when_the_noise_interval_reaches_above_zero():
    pe = types.SimpleNamespace(p=np.array([1.0, 0.5, 0.5, 1.0]), signal_value=1.0, noise_value=0.5, n=30, d=10)

    def flags(noise_high, band):
        est = {"noise_variance": Interval(0.0, 0.0, noise_high, 0.1)}
        return [f for f in report_flags(pe, est, {"scratch_ridge": band}, {}) if f.startswith("prediction")]

    zero = Interval(0.0, 0.0, 0.0, 0.0)
    assert len(flags(0.2, zero)) == 1
    assert flags(0.0, zero) == []                                   # no noise possible: a risk 0 may be right
    assert flags(0.2, Interval(0.0, 0.0, 1e-9, 0.0)) == []          # a band above 0 is not flagged


def test_units_note_names_the_columns_of_a_table():
    # wine, alcohol from the 12 other measurements; hue (sd ~0.2) and proline (sd ~ 200): the note named
    # "column 9" and "column 11" of a table whose columns have names
    from sklearn.linear_model import LinearRegression

    D = datasets.load_wine(as_frame=True)
    df = D.frame
    feats = [c for c in D.feature_names if c != "alcohol"]
    m = LinearRegression().fit(df[df.target != 2][feats], df[df.target != 2].alcohol)
    tgt = df[df.target == 2].sample(frac=1, random_state=0)
    T, U = tgt.iloc[:20], tgt.iloc[20:]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rep = ftheory.advise(T[feats], T.alcohol, source_pred=m.predict(T[feats]), unlabeled=U[feats], grid_size=0)
        arr = ftheory.advise(T[feats].to_numpy(), T.alcohol.to_numpy(), source_pred=m.predict(T[feats]),
                             unlabeled=U[feats].to_numpy(), grid_size=0)
    assert any("(column 'hue' smallest, column 'proline' largest)" in t for t in rep.notes)
    assert any("(column 9 smallest, column 11 largest)" in t for t in arr.notes)   # arrays: positions, as before
    assert rep.to_json() == arr.to_json()


def test_degenerate_pool_with_repeating_rows_is_not_blamed_on_x():
    # iris virginica, n = 5 of 50 flowers, the other 45 as the pool: one labelled row equals a pool row because the
    # measurements are rounded to 0.1 cm; the refusal told the user to drop X's rows from the pool
    X, y, z, U = _iris(5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError) as exc:
            ftheory.advise(X, y, source_pred=z, unlabeled=U)
    msg = str(exc.value)
    assert msg.startswith("unlabeled: the scratch_ridge estimate is degenerate")
    assert "1 of them equal labelled rows of X, but 2 other rows (of the pool, or of X among themselves) repeat an earlier one too" in msg
    assert "drop X's rows" not in msg and "Pass no pool" in msg


def test_check_not_degenerate_repeats_only_change_the_shared_case():
    bands = {"scratch_ridge": (np.array([0.0]), np.array([0.0]), np.array([0.0]))}
    args = (bands, 0, np.array([9]), 3, 45, 0.1)
    msgs = {}
    for shared, repeats in ((0, 0), (0, 2), (1, 0), (1, 2)):
        with pytest.raises(ValueError) as exc:
            check_not_degenerate(*args, shared=shared, repeats=repeats)
        msgs[shared, repeats] = str(exc.value)
    assert msgs[0, 0] == msgs[0, 2]                                  # no labelled row in the pool: as before
    assert "drop X's rows: 44 would remain" in msgs[1, 0]            # a pool holding X's rows: as before
    assert "may coincide by chance" in msgs[1, 2] and "drop X's rows" not in msgs[1, 2]


def test_one_feature_gives_no_runtime_warning():
    # iris, d = 1: the cosine test's simulated rows overflowed (378 RuntimeWarnings in one report, overlap_lr)
    X, y, z, U = _iris(15, d=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        for pool in (None, U):
            rep = ftheory.advise(X, y, source_pred=z, unlabeled=pool, grid_size=0)
            assert np.isfinite(rep.predictions["linear_transfer"].value)


def test_zero_tuned_value_below_n_d_with_a_positive_signal_is_flagged():
    # d = 15 correlated features, n = 4 rows, 400 unlabeled: tuned scratch and fine-tuning were shown as 0 (level at
    # every n of the curves) and scratch was recommended by the tie rule, while the signal shown was 1.55 (truth 1.09)
    from sklearn.linear_model import Ridge

    rng = np.random.default_rng(3)
    d = 15
    A = rng.standard_normal((d, d)) / np.sqrt(d)
    L = np.linalg.cholesky(A @ A.T + 0.5 * np.eye(d))
    bt = rng.standard_normal(d) / np.sqrt(d)
    rng.standard_normal(d)

    def draw(k):
        X = rng.standard_normal((k, d)) @ L.T + 3.0
        return X, X @ bt + 0.5 * rng.standard_normal(k)

    w = Ridge(1.0).fit(*draw(2000)).coef_
    X, y = draw(40)
    U, _ = draw(400)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rep = ftheory.advise(X[:4], y[:4], source_weights=w, unlabeled=U, grid_size=0)
    assert rep.predictions["scratch_ridge"].value == 0.0 and rep.estimates["signal"].value > 1
    flag = [f for f in rep.flags if f.startswith("prediction scratch_ridge: value 0 at n = 3 effective samples < d = 15")]
    assert len(flag) == 1 and "the signal shown is 1.552" in flag[0]
    # the distance is shown as 0 too: tuned fine-tuning's 0 agrees with what the report shows, no flag
    assert not any("finetune_ridge: value" in f or "finetune_ridge: values" in f for f in rep.flags)
    assert rep.predictions["scratch_min_norm"].value > 0 and not any("scratch_min_norm: value 0" in f for f in rep.flags)


def test_zero_value_flag_needs_n_below_d_and_a_positive_parameter():
    from ftheory.advise.report_flags import zero_value_flags

    est = {"signal": Interval(0.5, 0.0, 2.0, 0.5), "distance": Interval(0.0, 0.0, 1.0, 0.3)}
    zero = Interval(0.0, 0.0, 1.0, 0.3)
    pred = {"scratch_ridge": zero, "finetune_ridge": zero}
    assert [f.split(":")[0] for f in zero_value_flags(10, 20, est, pred)] == ["prediction scratch_ridge"]
    pred["scratch_min_norm"] = zero                                 # min-norm below n = d: the same argument
    assert [f.split(":")[0] for f in zero_value_flags(10, 20, est, pred)] == [
        "predictions scratch_min_norm and scratch_ridge"]
    assert zero_value_flags(10, 20, est, pred, "finetune_ridge") == []   # the recommendation does not rest on it
    assert len(zero_value_flags(10, 20, est, pred, "scratch_ridge")) == 1
    assert zero_value_flags(20, 20, est, pred) == []               # n = d: interpolation can reach risk 0
    assert zero_value_flags(10, 20, est, {"scratch_ridge": Interval(1e-9, 0.0, 1.0, 0.3)}) == []
