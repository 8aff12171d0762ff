"""``ftheory advise`` with the files a spreadsheet or a European locale writes (ux20): a trailing empty column,
spaces after the commas, a semicolon separator, numbers quoted with thousands separators, a decimal comma or a
percent sign, a blank or missing label, a named column left empty, Parquet. A file that means the same table
gives the same report; any other is one line on stderr naming the cell and how to write it, exit status 2."""
import json

import numpy as np
import pytest

from tests._cli_advise import one_line, run_advise, target_frame


@pytest.fixture
def table(tmp_path):
    df = target_frame(7)
    df.to_csv(tmp_path / "t.csv", index=False)
    return tmp_path, df


def _report(capsys, path, *more):
    rc, out, err = run_advise(capsys, "--target", path, "--label", "y", "--source-pred", "pretrained", *more)
    return rc, out, err


def test_trailing_empty_column_and_spaces_after_commas_give_the_same_report(table, capsys):
    tmp, df = table
    rc, ref, err = _report(capsys, tmp / "t.csv", "--json")
    assert rc == 0, err
    lines = (tmp / "t.csv").read_text().splitlines()
    (tmp / "comma.csv").write_text("\n".join(ln + "," for ln in lines) + "\n")      # every line ends with a comma
    (tmp / "spaced.csv").write_text("\n".join([lines[0]] + [ln.replace(",", ", ") for ln in lines[1:]]) + "\n")
    for name in ("comma.csv", "spaced.csv"):
        rc, out, err = _report(capsys, tmp / name, "--json")
        assert rc == 0 and json.loads(out) == json.loads(ref), (name, err)


def test_semicolons_say_how_to_convert(table, capsys):
    tmp, df = table
    df.to_csv(tmp / "s.csv", index=False, sep=";", decimal=",")
    one_line(*_report(capsys, tmp / "s.csv")[::2], "label column 'y' is missing", "separated by ';': expected commas",
             "pandas.read_csv(path, sep=';')", "decimal=','")


@pytest.mark.parametrize("cell, shown", [
    ('"1,257.30"', "holds '1,257.30' at row 3, counting data rows from 0: a number written with thousands separators? "
                   "write 1257.30)"),
    ('"-0,25"', "holds '-0,25' at row 3, counting data rows from 0: a number written with a decimal comma? write -0.25)"),
    ('"1,250"', "a number written with thousands separators or a decimal comma? write 1250 or 1.250)"),
    ("12.5%", "holds '12.5%' at row 3, counting data rows from 0: a percentage? write 12.5 (or 0.125))"),
])
def test_numbers_written_for_people_name_the_cell_and_the_plain_number(table, capsys, cell, shown):
    # they were "not numeric ... encode them as numbers first" with no word on what was wrong with '1,257.30'
    tmp, df = table
    lines = (tmp / "t.csv").read_text().splitlines()
    lines[4] = cell + lines[4][lines[4].index(","):]                      # data row 3, column f0
    (tmp / "n.csv").write_text("\n".join(lines) + "\n")
    one_line(*_report(capsys, tmp / "n.csv")[::2], "column(s) ['f0'] of", "are not numeric", shown)


@pytest.mark.parametrize("cell", ["", "   ", "NA"])
def test_a_missing_or_blank_label_is_a_missing_value(table, capsys, cell):
    # a blank cell (spaces only) was "not numeric ... holds '   '": it is a missing value like an empty one
    tmp, df = table
    lines = (tmp / "t.csv").read_text().splitlines()
    fields = lines[18].split(",")
    fields[df.columns.get_loc("y")] = cell
    lines[18] = ",".join(fields)
    (tmp / "m.csv").write_text("\n".join(lines) + "\n")
    one_line(*_report(capsys, tmp / "m.csv")[::2], "column 'y' of", "has a missing value (empty, blank or NA) at row 17",
             "nothing is dropped silently")


def test_a_named_column_left_empty_is_named_as_empty_and_can_be_skipped(table, capsys):
    tmp, df = table
    df.assign(notes=np.nan).to_csv(tmp / "e.csv", index=False)
    one_line(*_report(capsys, tmp / "e.csv")[::2], "column 'notes' of", "is empty (no value in any of its 40 rows)",
             "--ignore 'notes'")
    rc, out, err = _report(capsys, tmp / "e.csv", "--ignore", "notes")
    assert rc == 0, err
    df.assign(y=np.nan).to_csv(tmp / "y.csv", index=False)                # the label: no --ignore suggested
    rc, out, err = _report(capsys, tmp / "y.csv")
    one_line(rc, err, "column 'y' of", "is empty (no value in any of its 40 rows): expected finite numbers")
    assert "--ignore" not in err[0]


def test_parquet_reads_as_the_csv_and_names_a_missing_label_or_a_date_column(table, capsys):
    pytest.importorskip("pyarrow")
    import pandas as pd

    tmp, df = table
    rc, ref, err = _report(capsys, tmp / "t.csv", "--json")
    df.to_parquet(tmp / "t.parquet")
    rc, out, err = _report(capsys, tmp / "t.parquet", "--json")
    assert rc == 0 and json.loads(out) == json.loads(ref), err
    df.assign(y=df.y.where(df.index != 17)).to_parquet(tmp / "m.parquet")
    one_line(*_report(capsys, tmp / "m.parquet")[::2], "column 'y' of", "missing value (empty, blank or NA) at row 17")
    df.assign(when=pd.date_range("2020", periods=len(df))).to_parquet(tmp / "d.parquet")
    one_line(*_report(capsys, tmp / "d.parquet")[::2], "column(s) ['when'] of", "is of type datetime64")
