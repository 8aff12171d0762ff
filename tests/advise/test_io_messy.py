"""Messy real-world inputs to the advisor's readers and checks (ftheory.advise.io): weights labelled by
feature name, weights tables of the wrong shape, decimal commas, header-less and odd CSV headers, NPZ
arrays of the wrong shape, pandas objects whose indexes or column names would be used silently."""
import numpy as np
import pandas as pd
import pytest

import ftheory
from ftheory.advise.files import _csv, _header, load_target, load_unlabeled
from ftheory.advise.weights_file import read_weights
from ftheory.advise.io import check_inputs

NAMES = [f"f{j}" for j in range(4)]
W = np.array([0.5, -1.25, 2.0, 1e-3])


@pytest.fixture
def task():
    rng = np.random.default_rng(11)
    X = pd.DataFrame(rng.standard_normal((30, 4)), columns=NAMES)
    y = X.to_numpy() @ [1.0, 0.5, 0.0, -0.5] + 0.3 * rng.standard_normal(30)
    return X, pd.Series(y, name="y")


# -- weights labelled by feature name are matched by name, never used in the file's order -----------

@pytest.mark.parametrize("write", [
    lambda p: pd.Series(W, index=NAMES).iloc[::-1].to_csv(p),                                  # index column
    lambda p: pd.Series(W, index=NAMES).iloc[::-1].rename_axis("feature").rename("w").to_csv(p),  # name column
    lambda p: pd.DataFrame([W[::-1]], columns=NAMES[::-1]).to_csv(p, index=False),             # one named row
], ids=["index", "name-column", "named-row"])
def test_weights_named_by_feature_are_reordered_by_name(tmp_path, write):
    p = str(tmp_path / "w.csv")
    write(p)
    np.testing.assert_array_equal(read_weights(p, 4, NAMES), W)


def test_named_weights_in_parquet_are_reordered_by_name(tmp_path):
    p = str(tmp_path / "w.parquet")
    pd.Series(W, index=NAMES).iloc[::-1].to_frame("w").to_parquet(p)
    np.testing.assert_array_equal(read_weights(p, 4, NAMES), W)


def test_generic_labels_keep_the_file_order(tmp_path):
    # pd.Series(w).to_csv(), a header "w", columns 0..k-1 of a one-row table: positions, not names
    for i, write in enumerate([lambda p: pd.Series(W).to_csv(p), lambda p: pd.DataFrame({"w": W}).to_csv(p),
                               lambda p: pd.DataFrame([W]).to_csv(p, index=False)]):
        p = str(tmp_path / f"w{i}.csv")
        write(p)
        np.testing.assert_array_equal(read_weights(p, 4, NAMES), W)


def test_weights_naming_a_wrong_feature_are_refused(tmp_path):
    p = str(tmp_path / "w.csv")
    pd.Series(W, index=["f0", "f1", "F2", "f3"]).to_csv(p)
    with pytest.raises(ValueError, match=r"w.csv' lacks feature\(s\) \['f2'\]; names \['F2'\], not a feature"):
        read_weights(p, 4, NAMES)


@pytest.mark.parametrize("content, match", [
    ("a,b\n1,2\n3,4\n", r"table of 2 rows and 2 columns: expected d numbers in one column or one row"),
    ("1 2\n3 4\n", r"line 1 holds 2 numbers: expected one number per line or all on one line"),
    ("0,5\n-1,25\n2,0\n0,001\n", r"decimal commas\? write 0.5, not 0,5"),
    ("0,5;-1,25\n", r"mixes ';' and ','"),
])
def test_weights_that_are_not_one_row_or_one_column_are_refused(tmp_path, content, match):
    # each of these used to be flattened into d numbers: a silent wrong vector whenever the count matched
    p = tmp_path / "w.csv"
    p.write_text(content)
    with pytest.raises(ValueError, match=match):
        read_weights(str(p), 4)


def test_weights_pandas_default_header_above_one_row_and_byte_order_mark(tmp_path):
    p = tmp_path / "w.txt"
    p.write_text("0 1 2 3\n" + " ".join(map(str, W.tolist())) + "\n")  # pd.DataFrame([w]).to_csv(sep=" ", index=False)
    np.testing.assert_array_equal(read_weights(str(p), 4), W)
    p.write_text("\ufeff" + "\n".join(map(str, W.tolist())) + "\n", encoding="utf-8")  # a BOM is not a header
    np.testing.assert_array_equal(read_weights(str(p), 4), W)


def test_weights_npy_matrix_npz_lengths_and_nan_are_named(tmp_path):
    np.save(tmp_path / "m.npy", np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"m.npy' holds an array of shape \(2, 2\)"):
        read_weights(str(tmp_path / "m.npy"), 4)
    np.save(tmp_path / "r.npy", W[None, :])  # one row is fine
    np.testing.assert_array_equal(read_weights(str(tmp_path / "r.npy"), 4), W)
    np.savez(tmp_path / "w.npz", coef=W, intercept=np.array([0.3]))
    with pytest.raises(ValueError, match=r"different numbers of rows \('coef': 4, 'intercept': 1\)"):
        read_weights(str(tmp_path / "w.npz"), 4)
    np.save(tmp_path / "n.npy", np.r_[W[:3], np.nan])
    with pytest.raises(ValueError, match=r"weights file .*n.npy' holds nan at position 3 \(counting from 0\)"):
        read_weights(str(tmp_path / "n.npy"), 4)


# -- one header parser for tables and weights --------------------------------------------------------

@pytest.mark.parametrize("line, fields, indexed", [
    (",a,b", ["", "a", "b"], True),          # DataFrame.to_csv()
    ('"",a,b', ["", "a", "b"], True),        # quoted empty name (R's write.csv quotes every name)
    (" ,a,b", [" ", "a", "b"], True),
    ("a,b", ["a", "b"], False),
    (",", ["", ""], True),                   # degenerate: an index and one unnamed column (refused by _csv)
    ("a", ["a"], False),
])
def test_header_parser(tmp_path, line, fields, indexed):
    p = tmp_path / "t.csv"
    p.write_text("\n" + line + "\n1,2,3\n")  # a blank first line is skipped, as pandas does
    assert _header(str(p)) == (fields, indexed)


def test_degenerate_header_is_refused_and_quoted_index_is_the_index(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text(",\n1,2\n")
    with pytest.raises(ValueError, match=r"column 2 of '[^']*' \(counting from 1\) has no name"):
        _csv(str(p))
    p.write_text('"","a","b"\n"r1",1,2\n"r2",3,4\n')
    df = _csv(str(p))
    assert list(df.columns) == ["a", "b"] and list(df.index) == ["r1", "r2"]
    p.write_text("")
    with pytest.raises(ValueError, match=r"t.csv': the file is empty"):
        _csv(str(p))


def test_header_less_csv_and_split_npz_label_get_a_hint(tmp_path):
    p = tmp_path / "t.csv"
    pd.DataFrame(np.random.default_rng(0).standard_normal((6, 3))).to_csv(p, index=False, header=False)
    with pytest.raises(ValueError, match="no header line"):
        load_target(str(p), "y")
    with pytest.raises(ValueError, match="no header line"):
        load_unlabeled(str(p), ["a", "b"])
    q = tmp_path / "t.npz"
    np.savez(q, x=np.ones((6, 2)), y=np.ones((6, 1)))
    with pytest.raises(ValueError, match=r"a 2-d array 'y' is split into columns 'y0', 'y1'"):
        load_target(str(q), "y")


def test_load_target_returns_a_named_float_table(tmp_path):
    p = tmp_path / "t.csv"
    df = pd.DataFrame({"b": [1, 2, 3, 5], "a": [0.5, 0.1, 0.2, 0.3], "y": [1.0, 2, 3, 4], "p": [0.0, 1, 2, 4]})
    df.to_csv(p)
    X, y, z = load_target(str(p), "y", "p")
    assert list(X.columns) == ["b", "a"] and X.dtypes.tolist() == [np.float64, np.float64]
    np.testing.assert_array_equal(X.to_numpy(), df[["b", "a"]].to_numpy(float))
    np.testing.assert_array_equal(y, df["y"].to_numpy())
    np.testing.assert_array_equal(z, df["p"].to_numpy(float))
    U = load_unlabeled(str(p), ["a", "b"], ignore=("y", "p"))
    assert list(U.columns) == ["a", "b"]


# -- the Python API: pandas objects -----------------------------------------------------------------

def test_misaligned_pandas_index_is_refused(task):
    X, y = task
    Xs = X.sample(frac=1, random_state=0)  # shuffled rows: by position y would belong to other rows
    with pytest.raises(ValueError, match=r"y's index differs from X's \(at position 0 X has row \d+ and y has 0\)"):
        check_inputs(Xs, y, source_pred=y)
    with pytest.raises(ValueError, match=r"source_pred's index differs"):
        check_inputs(Xs, y.loc[Xs.index], source_pred=y)
    z = X["f0"] + 0.5 * X["f1"]
    check_inputs(Xs, y.loc[Xs.index], source_pred=z.loc[Xs.index])
    check_inputs(Xs, y.to_numpy(), source_pred=list(z))  # arrays and lists: positions, as documented


def test_weights_series_is_matched_by_name(task):
    X, y = task
    w = pd.Series(W, index=NAMES)
    a = ftheory.advise(X, y, source_weights=w, grid_size=0).to_dict()
    assert ftheory.advise(X, y, source_weights=w.iloc[::-1], grid_size=0).to_dict() == a
    assert ftheory.advise(X, y, source_weights=W, grid_size=0).to_dict() == a
    with pytest.raises(ValueError, match=r"source_weights lacks feature\(s\) \['f3'\]"):
        ftheory.advise(X, y, source_weights=w.rename({"f3": "g"}), grid_size=0)


def test_duplicated_names_and_nullable_missing_values_are_named(task):
    X, y = task
    with pytest.raises(ValueError, match=r"X has the column name 'f0' more than once"):
        ftheory.advise(X.set_axis(["f0"] * 4, axis=1), y, source_pred=y)
    Xn = X.astype({"f2": "Float64"})
    Xn.loc[3, "f2"] = pd.NA
    with pytest.raises(ValueError, match=r"X contains nan at row 3 \(counting from 0\), column 'f2':"):
        ftheory.advise(Xn, y, source_pred=y)
    yn = y.astype("Float64")
    yn[5] = pd.NA
    with pytest.raises(ValueError, match=r"y contains nan at position 5 \(counting from 0\)"):
        ftheory.advise(X, yn, source_pred=y)


def test_row_number_column_warns(task):
    # pandas' "Unnamed: 0" (an index saved by to_csv and read back) or an id column: used as a feature,
    # so say so; a feature that only looks like a count (another start, another order) does not warn
    X, y = task
    with pytest.warns(UserWarning, match=r"feature column 'Unnamed: 0' holds the row numbers 0, 1, \.\.\., 29"):
        check_inputs(X.assign(f0=np.arange(30.0)).rename(columns={"f0": "Unnamed: 0"}), y)
    with pytest.warns(UserWarning, match=r"column 4 \(counting from 0\) holds the row numbers 1, 2, \.\.\., 30"):
        check_inputs(np.c_[X.to_numpy(), np.arange(1, 31)], y.to_numpy())
    check_inputs(np.c_[X.to_numpy(), np.arange(2, 32)], y.to_numpy())        # no warning (filterwarnings=error)
    check_inputs(np.c_[X.to_numpy(), np.arange(30)[::-1]], y.to_numpy())


def test_near_miss_column_name_gets_a_hint(tmp_path):
    p = tmp_path / "t.csv"
    pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [2.0, 1, 0, 3], "Sale Price ": [1.0, 2, 4, 3]}).to_csv(p, index=False)
    with pytest.raises(ValueError, match=r"did you mean 'Sale Price '\? names must match exactly"):
        load_target(str(p), "sale price")


def test_file_format_is_checked_by_its_first_bytes(tmp_path):
    df = pd.DataFrame({"a": [1.0, 2.0], "y": [0.5, 1.5]})
    df.to_parquet(tmp_path / "t.csv")                    # a Parquet file named .csv
    df.to_csv(tmp_path / "t.npz", index=False)           # text named .npz (numpy spoke of pickled data)
    np.save(tmp_path / "w.npy", W)
    (tmp_path / "w.npy").rename(tmp_path / "w.csv")
    with pytest.raises(ValueError, match=r"t.csv' is a Parquet file \(by its first bytes\), not CSV text .* \.parquet"):
        load_target(str(tmp_path / "t.csv"), "y")
    with pytest.raises(ValueError, match=r"t.npz' is CSV text \(by its first bytes\), not an NPZ file .* \.csv"):
        load_target(str(tmp_path / "t.npz"), "y")
    with pytest.raises(ValueError, match=r"w.csv' is an NPY file .* \.npy"):
        read_weights(str(tmp_path / "w.csv"), 4)


def test_text_encoding_trailing_comma_and_first_text_value_are_named(tmp_path):
    p = tmp_path / "t.csv"
    p.write_bytes("prix \xe9,y\n1,2\n3,4\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"t.csv' is not UTF-8 text \(it holds the byte 0xe9\)"):
        load_target(str(p), "y")
    p.write_text("a,y,\n1,2,\n3,4,5\n")
    with pytest.raises(ValueError, match=r"column 3 of '[^']*' \(counting from 1\) has no name in the header line "
                                         r"but holds 5.0 at row 1 \(counting data rows from 0\)"):
        load_target(str(p), "y")
    p.write_text("a,b,y\n1,2,3\n4,?,6\n7,8,9\n")
    with pytest.raises(ValueError, match=r"\['b'\] of .* are not numeric \(column 'b' holds '\?' at row 1, "
                                         r"counting data rows from 0\)"):
        load_target(str(p), "y")
    df = pd.DataFrame({"a": [1.0, 2.0], "d": pd.Categorical(["u", "v"]), "y": [1.0, 0.0]})
    df.to_parquet(tmp_path / "t.parquet")
    with pytest.raises(ValueError, match=r"\(column 'd' is of type category\)"):
        load_target(str(tmp_path / "t.parquet"), "y")


def test_weights_with_one_number_too_many_ask_about_an_intercept(tmp_path):
    np.save(tmp_path / "w.npy", np.r_[0.3, W])
    with pytest.raises(ValueError, match=r"holds 5 numbers but the target has d=4 features .*an intercept among them"):
        read_weights(str(tmp_path / "w.npy"), 4, NAMES)


def test_unlabeled_names_match_as_strings(task):
    # integer column names on X and the same names as text on the pool (a Parquet round trip): one name
    X, y = task
    Xi = X.set_axis(range(4), axis=1)
    U = pd.DataFrame(np.random.default_rng(2).standard_normal((30, 4)), columns=["0", "1", "2", "3"])
    _, _, _, a = check_inputs(Xi, y, unlabeled=U)
    _, _, _, b = check_inputs(Xi, y, unlabeled=U[["3", "1", "0", "2"]])  # was a KeyError
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match=r"unlabeled has the column name '1' more than once"):
        check_inputs(Xi, y, unlabeled=U.set_axis(["0", "1", "2", "1"], axis=1).assign(**{"3": 1.0}))


def test_weights_table_of_one_named_row_is_matched_by_name(task):
    X, y = task
    a = check_inputs(X, y, source_weights=W)[2]
    b = check_inputs(X, y, source_weights=pd.DataFrame([W[::-1]], columns=NAMES[::-1]))[2]
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match=r"source_weights holds the text .a. at position 0"):
        check_inputs(X, y, source_weights=pd.Series(["a", "b", "c", "d"], index=NAMES))


def test_space_separated_text_gets_a_hint_and_long_names_are_cut(tmp_path):
    # numpy.savetxt writes spaces; a header-less file's one "column name" is its whole first line
    p = tmp_path / "t.txt"
    np.savetxt(p, np.random.default_rng(0).standard_normal((5, 30)), header="a b y", comments="")
    with pytest.raises(ValueError, match=r"its one column is a b y \(the file seems separated by spaces"):
        load_target(str(p), "y")
    np.savetxt(p, np.random.default_rng(0).standard_normal((5, 30)))
    with pytest.raises(ValueError, match=r"its one column is .{37}\.\.\. \(the file seems separated by spaces"):
        load_target(str(p), "y")


def test_a_column_of_weights_0_and_1_is_not_a_header(tmp_path):
    p = tmp_path / "w.txt"
    p.write_text("0\n1\n")
    np.testing.assert_array_equal(read_weights(str(p), 2), [0.0, 1.0])


def test_table_rebuilt_from_an_array_pairs_by_position(task):
    # X_train scaled and rebuilt (default index 0..n-1) beside y_train of a train/test split (labels kept):
    # positions pair them correctly, so no error; two split indexes that disagree are an error
    X, y = task
    perm = np.random.default_rng(0).permutation(60)[:30]
    y_split = y.set_axis(perm)
    check_inputs(X, y_split, source_pred=(X["f0"] - X["f3"]).set_axis(perm))
    with pytest.raises(ValueError, match=r"y's index differs from X's"):
        check_inputs(X.set_axis(perm[::-1]), y_split)


def test_weights_of_numeric_feature_names_are_matched_by_name(tmp_path):
    # a target whose columns are named 0..3 (pandas' default header) and weights saved with that index
    # in another order: the index is read back as integers, still names
    p = str(tmp_path / "w.csv")
    pd.Series(W, index=[0, 1, 2, 3]).iloc[[2, 0, 3, 1]].to_csv(p)
    np.testing.assert_array_equal(read_weights(p, 4, ["0", "1", "2", "3"]), W)
    pd.Series(W).to_csv(p)  # the default index: positions
    np.testing.assert_array_equal(read_weights(p, 4, ["3", "2", "1", "0"]), W)


def test_comment_line_above_the_header_is_named(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("# exported 2024-01-01\na,b,y\n1,2,3\n4,5,7\n")
    with pytest.raises(ValueError, match=r"t.csv' starts with the comment line '# exported 2024-01-01'"):
        load_target(str(p), "y")


def test_label_left_among_the_features_is_refused(task):
    # the whole table passed as X: a column with y's name and values
    X, y = task
    with pytest.raises(ValueError, match=r"X column 'y' is y itself: the label is among the features"):
        check_inputs(X.assign(y=y), y)
    check_inputs(X.assign(y=y + 1.0), y)               # another column that happens to be named y
    check_inputs(X, y, source_pred=X["f0"])            # a pretrained model that is one feature: fine


def test_gzip_and_excel_files_are_named(tmp_path):
    import gzip
    import zipfile

    with gzip.open(tmp_path / "t.csv", "wt") as fh:
        fh.write("a,y\n1,2\n")
    with pytest.raises(ValueError, match=r"t.csv' is gzip-compressed: decompress it first"):
        load_target(str(tmp_path / "t.csv"), "y")
    with zipfile.ZipFile(tmp_path / "book.npz", "w") as z:  # the parts of an .xlsx workbook
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(ValueError, match=r"book.npz' is an Excel workbook: save it as CSV \(expected an NPZ file\)"):
        load_target(str(tmp_path / "book.npz"), "y")


def test_unsupported_extensions_say_what_to_do(tmp_path):
    for name, hint in (("t.xlsx", "save the sheet as CSV"), ("t.tsv", "convert it to comma-separated CSV")):
        (tmp_path / name).write_text("a\tb\n")
        with pytest.raises(ValueError, match=rf"has extension '\.\w+': expected \.csv, \.txt, \.parquet, \.pq or \.npz \({hint}\)"):
            load_target(str(tmp_path / name), "y")


@pytest.mark.parametrize("text", [
    "a,b,y,\n1,2,3,\n4,5,7,\n2,1,1,\n",                 # spreadsheet: every line ends with a comma
    "a,b,y\n1,2,3,\n4,5,7,\n2,1,1,\n",                   # the data lines only (pandas would shift every column)
    "\ufeffa,b,y,,\r\n1,2,3,,\r\n4,5,7,,\r\n2,1,1,,\r\n",  # byte order mark, CRLF, two empty columns
    "a,b,y\n1,2,3\n4,5,7\n2,1,1\n,,\n,,\n\n",             # lines of commas below the data
    ",a,b,y,\n0,1,2,3,\n1,4,5,7,\n2,2,1,1,\n,,,,\n",      # a pandas index column, trailing commas and a comma line
], ids=["all-lines", "data-lines", "bom-crlf", "comma-lines", "index"])
def test_spreadsheet_csv_reads_as_the_plain_table(tmp_path, text):
    p = tmp_path / "t.csv"
    p.write_bytes(text.encode("utf-8"))
    X, y, _ = load_target(str(p), "y")
    assert list(X.columns) == ["a", "b"]
    assert X.to_numpy().tolist() == [[1, 2], [4, 5], [2, 1]] and y.tolist() == [3, 7, 1]


def test_comma_lines_longer_than_the_tail_read_are_dropped(tmp_path):
    # more than the 64 KiB read at first (about 21 800 lines of ",,"): the rows beyond it were kept as NaN rows
    # and reported as a missing value at the first of them
    from ftheory.advise.files import _trailing_comma_lines

    p = tmp_path / "t.csv"
    for lines in (30_000, 120_000):
        p.write_text("a,b,y\n1,2,3\n4,5,7\n2,1,1\n" + ",,\n" * lines + "\n")
        X, y, _ = load_target(str(p), "y")
        assert X.to_numpy().tolist() == [[1, 2], [4, 5], [2, 1]] and y.tolist() == [3, 7, 1]
    assert _trailing_comma_lines(str(p)) == 120_000
    # the look further back starts from a short tail and stops at the data's last line, or at the file's start
    assert _trailing_comma_lines(str(p), tail=10) == 120_000
    p.write_text("a,b,y\n" + ",,\n" * 5)
    assert _trailing_comma_lines(str(p), tail=4) == 5
    p.write_text("a,b,y\n1,2,3\n,,\n4,5,7\n" + ",,\n" * 30_000)          # a comma line inside the data stays an error
    with pytest.raises(ValueError, match=r"row 1 of .*t.csv' is empty: every cell is empty or NA"):
        load_target(str(p), "y")


def test_empty_row_inside_the_data_is_named_as_a_row(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("a,b,y\n1,2,3\n,,\n4,5,7\n2,1,1\n")
    with pytest.raises(ValueError, match=r"row 1 of .*t.csv' is empty: every cell is empty or NA"):
        load_target(str(p), "y")
    p.write_text("a,b,y\n1,2,3\n4,5,7\n2,1,1\n")
    pd.DataFrame({"a": [1.0, np.nan, 2.0], "b": [2.0, np.nan, 3.0]}).to_csv(tmp_path / "u.csv", index=False)
    with pytest.raises(ValueError, match=r"row 1 of .*u.csv' is empty"):
        load_unlabeled(str(tmp_path / "u.csv"), ["a", "b"])


def test_feature_columns_are_named_by_name_in_tables_and_counted_from_0_in_arrays():
    # a table's feature position is not its column in a file (the label may come first): names only; plain
    # arrays: positions, saying where they count from (files' own messages count columns from 1)
    rng = np.random.default_rng(3)
    X = rng.standard_normal((30, 4))
    y = X.sum(1) + rng.standard_normal(30)
    bad = {"constant": np.c_[X, np.ones(30)], "dependent": np.c_[X, X[:, 0] + 2 * X[:, 1]],
           "duplicated": np.c_[X, 3 * X[:, 2]]}
    want = {"constant": (r"constant column\(s\) \[4\] \(counting from 0\)", r"constant column\(s\) \['e'\]:"),
            "dependent": (r"dependent columns \[4, 1, 0\] \(counting from 0\), largest weight in the combination first",
                          r"dependent columns \['e', 'b', 'a'\], largest weight"),  # e = a + 2 b: e first
            "duplicated": (r"column 2 \(counting from 0\) and column 4 \(counting from 0\);",
                           r"column 'c' and column 'e';")}
    for k, A in bad.items():
        with pytest.raises(ValueError, match=want[k][0]):
            check_inputs(A, y, source_weights=np.ones(5))
        with pytest.raises(ValueError, match=want[k][1]):
            check_inputs(pd.DataFrame(A, columns=list("abcde")), y, source_weights=np.ones(5))
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"X contains nan at row 3, column 1 \(both counting from 0\):"):
        check_inputs(X, y, source_weights=np.ones(4))


# -- weights whose labels name no feature are an error, not a fallback to position ---------------------

def test_weights_labelled_with_no_feature_name_are_refused(tmp_path, task):
    X, y = task
    wrong = [c + "x" for c in NAMES]  # used by position before: no label matched, so none was checked
    with pytest.raises(ValueError, match=r"source_weights lacks feature\(s\) \['f0', 'f1', 'f2', 'f3'\]; names "
                                         r"\['f0x', 'f1x', 'f2x', 'f3x'\], not a feature"):
        check_inputs(X, y, source_weights=pd.Series(W, index=wrong))
    p = str(tmp_path / "w.csv")
    pd.Series(W, index=wrong).to_csv(p)
    with pytest.raises(ValueError, match=r"w.csv' lacks feature\(s\) .*names \['f0x', 'f1x', 'f2x', 'f3x'\]"):
        read_weights(p, 4, NAMES)
    # unlabelled weights are still used by position: an array, a default index, pandas' default 0..d-1 header
    for w in (W, pd.Series(W), pd.DataFrame([W])):
        np.testing.assert_array_equal(check_inputs(X, y, source_weights=w)[2], X.to_numpy() @ W)


def test_cli_weights_with_wrong_names_exit_2(tmp_path, task, capsys):
    from ftheory import cli

    X, y = task
    target = str(tmp_path / "t.csv")
    X.assign(y=y).to_csv(target, index=False)
    w = str(tmp_path / "w_wrongnames.csv")
    pd.Series(W, index=[c + "x" for c in NAMES]).to_csv(w)
    assert cli.main(["advise", "--target", target, "--label", "y", "--source-weights", w]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "names ['f0x', 'f1x', 'f2x', 'f3x'], not a feature" in err[0]


# -- a first line that is neither numbers nor names is data (named), not a header dropped silently -----

@pytest.mark.parametrize("extra", [0, 1], ids=["d-lines", "d+1-lines"])
def test_weights_first_line_that_is_not_a_name_is_named(tmp_path, extra):
    p = tmp_path / "w.csv"
    p.write_text("pi/4\n" + "\n".join(map(repr, W.tolist()[1 - extra:] if extra else W.tolist()[1:])) + "\n")
    with pytest.raises(ValueError, match=r"w.csv', line 1: 'pi/4' is not a number \(nor a header of names"):
        read_weights(str(p), 4 - 1 + extra if not extra else 4)


@pytest.mark.parametrize("header", ["w", "coef", "beta_hat", "weight.1", "_w"])
def test_weights_header_of_names_is_a_header(tmp_path, header):
    p = tmp_path / "w.txt"
    p.write_text(header + "\n" + "\n".join(map(repr, W.tolist())) + "\n")
    np.testing.assert_array_equal(read_weights(str(p), 4), W)
