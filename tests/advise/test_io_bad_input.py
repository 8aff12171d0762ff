"""Bad advisor inputs are one clear ValueError (CLI: one line, exit 2), never a traceback or a silently
altered number: complex values, under/overflowing magnitudes, text columns, empty tables, the label
used as the pretrained prediction, header-less weight files, unwritable plot paths."""
import numpy as np
import pandas as pd
import pytest

from ftheory import cli
from ftheory.advise.files import load_target, read_table
from ftheory.advise.weights_file import read_weights
from ftheory.advise.io import check_inputs


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 6))
    return X, X[:, 0] + 0.1 * rng.standard_normal(30), X[:, 1]


def test_complex_inputs_are_rejected_not_truncated(data):
    X, y, z = data
    with pytest.raises(ValueError, match="X is complex"):
        check_inputs(X + 1j, y, source_pred=z)
    with pytest.raises(ValueError, match="source_pred is complex"):
        check_inputs(X, y, source_pred=z + 0.5j)


@pytest.mark.parametrize("scale", [1e200, 1e-200])
def test_magnitudes_whose_squares_overflow_or_underflow_are_rejected(data, scale):
    X, y, z = data
    with pytest.raises(ValueError, match=r"X has values of magnitude .*rescale"):
        check_inputs(X * scale, y, source_pred=z)
    with pytest.raises(ValueError, match=r"y has values of magnitude"):
        check_inputs(X, y * scale, source_pred=z)


def test_ordinary_scales_still_pass(data):
    X, y, z = data
    Xc, yc, zc, _ = check_inputs(X * 1e100, y * 1e-100, source_pred=z)
    assert Xc.shape == X.shape and np.all(np.isfinite(zc))


def _table(tmp_path, df, name="t.csv"):
    path = str(tmp_path / name)
    df.to_csv(path, index=False)
    return path


def test_text_column_empty_table_folder_and_same_label_and_prediction(tmp_path, data):
    X, y, z = data
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])]).assign(y=y, pred=z)
    bad = df.astype({"x3": object})
    bad.loc[0, "x3"] = "abc"
    with pytest.raises(ValueError, match=r"\['x3'\].*not numeric"):
        load_target(_table(tmp_path, bad, "s.csv"), "y", "pred")
    with pytest.raises(ValueError, match="no data rows"):
        load_target(_table(tmp_path, df.head(0), "h.csv"), "y", "pred")
    empty = tmp_path / "e.csv"
    empty.write_text("")
    with pytest.raises(ValueError, match="cannot read .*e.csv"):
        read_table(str(empty))
    with pytest.raises(ValueError, match="is a folder"):
        read_table(str(tmp_path))
    with pytest.raises(ValueError, match="both 'pred'"):
        load_target(_table(tmp_path, df), "pred", "pred")


def test_a_column_that_is_not_numbers_reads_the_same_from_a_file_and_a_table(tmp_path, data):
    # io._not_numeric owns the check and its message (a table passed to the API was told only "not numeric")
    X, y, z = data
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])]).assign(when=pd.date_range("2020", periods=30))
    with pytest.raises(ValueError) as api:
        check_inputs(df, y)
    path = str(tmp_path / "t.parquet")
    df.assign(y=y).to_parquet(path)
    with pytest.raises(ValueError) as read:
        load_target(path, "y")
    tail = " are not numeric (column 'when' is of type datetime64"
    assert str(api.value).startswith("X column(s) ['when']" + tail)
    assert str(read.value).startswith(f"column(s) ['when'] of {path!r}" + tail)
    assert str(api.value).split(tail)[1] == str(read.value).split(tail)[1]
    with pytest.raises(ValueError, match=r"X column\(s\) \['c'\] are not numeric \(column 'c' is of type category\)"):
        check_inputs(df.drop(columns="when").assign(c=pd.Categorical([1, 2] * 15)), y)


def test_weights_files_with_or_without_header(tmp_path):
    w = np.array([0.5, -1.25, 2.0, 1e-3])
    np.savetxt(tmp_path / "plain.txt", w)
    np.savetxt(tmp_path / "row.csv", w[None], delimiter=",")
    (tmp_path / "head.csv").write_text("w\n" + "\n".join(str(float(v)) for v in w) + "\n")
    np.save(tmp_path / "w.npy", w)
    for name in ("plain.txt", "row.csv", "head.csv", "w.npy"):
        np.testing.assert_array_equal(read_weights(str(tmp_path / name), 4), w)
    (tmp_path / "bad.csv").write_text("w\n1\nabc\n")
    with pytest.raises(ValueError, match=r"line 3: 'abc' is not a number"):
        read_weights(str(tmp_path / "bad.csv"), 2)


@pytest.mark.parametrize("line, shown", [
    ("[0.5, -1.25, 2.0, 0.001]", r"its one line was read as the column names \[0.5, -1.25, 2.0, 0.001\]"),  # print(list(w))
    ("[0.5 -1.25 2.0 0.001]", r"its one line is not numbers \('\[0.5' is not a number\)"),   # print(w)
    ("weights", r"its one line is not numbers \('weights' is not a number\)"),
])
def test_weights_file_of_one_line_that_is_not_numbers(tmp_path, line, shown):
    # it was read as a header above no data: "holds 0 numbers but the target has d=4 features"
    (tmp_path / "w.txt").write_text(line + "\n")
    with pytest.raises(ValueError, match=r"weights file .*w.txt' holds no numbers: " + shown):
        read_weights(str(tmp_path / "w.txt"), 4)


def test_cli_unwritable_plot_path_is_one_line_exit_2(tmp_path, data, capsys):
    X, y, z = data
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])]).assign(y=y, pred=z)
    path = _table(tmp_path, df)
    out = str(tmp_path / "missing" / "a.png")
    assert cli.main(["advise", "--target", path, "--label", "y", "--source-pred", "pred", "--plot", out]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("ftheory: error:") and "a.png" in err[0]


def test_cli_text_column_is_one_line_exit_2(tmp_path, data, capsys):
    X, y, z = data
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])]).assign(y=y, pred=z)
    df = df.astype({"x2": object})
    df.loc[1, "x2"] = "n/a?"
    assert cli.main(["advise", "--target", _table(tmp_path, df), "--label", "y", "--source-pred", "pred"]) == 2
    assert "not numeric" in capsys.readouterr().err


@pytest.mark.parametrize("kwargs, match", [
    ({"center": "yes"}, r"center='yes' is invalid: expected True or False"),
    ({"standardize": "x"}, r"standardize='x' is invalid"),
    ({"n_max": 0}, r"n_max=0 is invalid: expected an integer >= 4"),
    ({"n_max": -5}, r"n_max=-5 is invalid"),
    ({"n_max": float("nan")}, r"n_max=nan is invalid"),
    ({"grid_size": 2.5}, r"grid_size=2.5 is invalid: expected an integer >= 0"),
    ({"grid_size": -1}, r"grid_size=-1 is invalid"),
])
def test_advise_keywords_are_checked_by_name(data, kwargs, match):
    import ftheory

    X, y, z = data
    with pytest.raises(ValueError, match=match):
        ftheory.advise(X, y, source_pred=z, **kwargs)


def test_predictions_equal_to_the_labels_and_a_transposed_x_are_named(data):
    X, y, z = data
    for pred in (y, 3.0 - 2.0 * y):               # the labels themselves, or an affine map of them (a leak)
        with pytest.raises(ValueError, match=r"source_pred is y itself, up to scale and shift"):
            check_inputs(X, y, pred)
    w = np.linalg.lstsq(X, y, rcond=None)[0]
    with pytest.raises(ValueError, match=r"X @ source_weights is y itself"):
        check_inputs(X[:6], X[:6] @ w, source_weights=w)  # weights that interpolate these 6 labels
    check_inputs(X, y, y + 1e-3 * np.random.default_rng(1).standard_normal(y.size))  # close is fine
    with pytest.raises(ValueError, match=r"y has 30 entries but X has 6 rows and 30 columns: .*transposed\?"):
        check_inputs(X.T, y, z)


def test_constant_labels_and_predictions_show_their_value(data):
    X, y, z = data
    with pytest.raises(ValueError, match=r"y is constant \(every entry 2.5\): expected labels that vary"):
        check_inputs(X, np.full_like(y, 2.5), z)
    with pytest.raises(ValueError, match=r"every prediction 0.7\): expected predictions that vary"):
        check_inputs(X, y, np.full_like(z, 0.7))


# -- text is refused everywhere, naming the first text value and its position (it used to be converted
#    silently from lists and Series of numeric strings, and named without value or position otherwise) --

@pytest.mark.parametrize("key, make, shown", [
    ("y", lambda X, y, z: np.array(["pi/4"] + y[1:].tolist(), dtype=object), r"y holds the text 'pi/4' at position 0"),
    ("y", lambda X, y, z: [repr(float(v)) for v in y], r"y holds the text '[-0-9.e]+' at position 0"),
    ("y", lambda X, y, z: pd.Series([repr(float(v)) for v in y]), r"y holds the text '[-0-9.e]+' at position 0"),
    ("y", lambda X, y, z: pd.Series(y.tolist()[:2] + ["1.5"] + y.tolist()[3:], dtype=object),
     r"y holds the text '1.5' at position 2"),
    ("source_pred", lambda X, y, z: [float(v) for v in z[:4]] + ["pi/4"] + [float(v) for v in z[5:]],
     r"source_pred holds the text 'pi/4' at position 4"),
    ("X", lambda X, y, z: [[repr(float(v)) for v in row] for row in X], r"X holds the text '[-0-9.e]+' at row 0, column 0"),
    ("X", lambda X, y, z: X.tolist()[:2] + [X[2, :3].tolist() + ["pi/4"] + X[2, 4:].tolist()] + X.tolist()[3:],
     r"X holds the text 'pi/4' at row 2, column 3"),
    ("X", lambda X, y, z: np.asarray(X).astype(str), r"X holds the text '[-0-9.e]+' at row 0, column 0"),
])
def test_python_text_is_refused_with_value_and_position(data, key, make, shown):
    X, y, z = data
    args = {"X": X, "y": y, "source_pred": z}
    args[key] = make(X, y, z)
    with pytest.raises(ValueError, match=shown + r" \(counting from 0\): expected numbers \(text is not converted"):
        check_inputs(args["X"], args["y"], args["source_pred"])


def test_text_in_a_table_column_and_in_weights_is_named(data):
    X, y, z = data
    df = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])]).astype({"f3": object})
    df.loc[3, "f3"] = "pi/4"
    with pytest.raises(ValueError, match=r"X column 'f3' holds the text 'pi/4' at row 3 \(counting from 0\)"):
        check_inputs(df, y, z)
    for w in ([repr(0.5)] * X.shape[1], pd.Series([repr(0.5)] * X.shape[1])):
        with pytest.raises(ValueError, match=r"source_weights holds the text '0.5' at position 0"):
            check_inputs(X, y, source_weights=w)
    named = pd.Series(["0.5"] * X.shape[1], index=[f"f{j}" for j in range(X.shape[1])])
    with pytest.raises(ValueError, match=r"source_weights holds the text '0.5' at position 0"):
        check_inputs(pd.DataFrame(X, columns=named.index), y, source_weights=named)


def test_n_max_below_the_target_n_is_refused(data):
    import ftheory

    X, y, z = data  # n = 30: the curves used to stop at n_max + 1 = 11 rows, before the target's n
    with pytest.raises(ValueError, match=r"n_max=10 is invalid: expected an integer >= 29 \(the target's n=30 rows, "
                                         r"less one for the intercept\)"):
        ftheory.advise(X, y, source_pred=z, n_max=10)
    with pytest.raises(ValueError, match=r"n_max=29 is invalid: expected an integer >= 30"):
        ftheory.advise(X, y, source_pred=z, n_max=29, center=False)
    rep = ftheory.advise(X, y, source_pred=z, n_max=29, grid_size=5)  # the smallest accepted: reaches n
    assert max(rep.curves["n"]) >= 30


@pytest.mark.parametrize("as_", [np.asarray, list, pd.Series])
def test_a_1d_x_is_refused_not_read_as_one_column(data, as_):
    # it was read as one feature (d = 1, outside the advisor's range), although a vector may as well be one row
    X, y, z = data
    with pytest.raises(ValueError, match=r"^X has shape \(30,\): a 1-d vector \(one row\? one feature\?\); expected a "
                                         r"2-d \(n, d\) array .*X.reshape\(-1, 1\)"):
        check_inputs(as_(X[:, 2]), y, source_pred=z)
    Xc = check_inputs(X[:, 2:3], y, source_pred=z)[0]           # one feature, said so: an (n, 1) array
    assert Xc.shape == (30, 1)


def test_text_that_is_a_number_written_for_people_names_the_plain_number(data):
    # as the file reader does (tests/test_cli_advise_spreadsheet.py): not converted, but the message says how
    X, y, z = data
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])]).astype({"x1": object})
    df.loc[3, "x1"] = "1,257.30"
    with pytest.raises(ValueError, match=r"X column 'x1' holds the text '1,257.30' at row 3 \(counting from 0: a number "
                                         r"written with thousands separators\? write 1257.30\): expected numbers"):
        check_inputs(df, y)
    with pytest.raises(ValueError, match=r"y holds the text '-0,5' at position 0 \(counting from 0: a number written "
                                         r"with a decimal comma\? write -0.5\): expected numbers"):
        check_inputs(X, ["-0,5"] + list(y[1:]))
