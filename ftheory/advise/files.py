"""Reading the advisor's input files: target and unlabeled tables (CSV, Parquet, NPZ); the pretrained
weights file is read by :mod:`ftheory.advise.weights_file`.

Every problem raises ``ValueError`` naming the file, what is wrong and what is expected.
"""
from __future__ import annotations

import contextlib
import os

import numpy as np

from ftheory.advise.io import _is_number, _listing, _not_numeric, _some

__all__ = ["read_table", "load_target", "load_unlabeled", "TABLE_EXTENSIONS"]

TABLE_EXTENSIONS = (".csv", ".txt", ".parquet", ".pq", ".npz")  # every extension read_table accepts


def _accepted(exts=TABLE_EXTENSIONS):
    """``.csv, .txt, .parquet, .pq or .npz``: the accepted extensions, for messages."""
    return ", ".join(exts[:-1]) + " or " + exts[-1]


def require_pandas():
    """``ValueError`` saying how to install pandas unless it can be imported (the file readers need it;
    ``pip install -e .`` does not install it: the ``advise`` extra does)."""
    import importlib

    try:
        importlib.import_module("pandas")
    except ImportError as exc:
        raise ValueError(f"reading the advisor's files needs pandas, which is not installed ({exc}): pip install "
                         "pandas pyarrow (or pip install -e '.[advise]' in ftheory's folder)") from None


def read_table(path):
    """A ``pandas.DataFrame`` from a CSV, Parquet or NPZ file (NPZ: one array per column name,
    or a 2-d array ``X`` plus 1-d arrays)."""
    require_pandas()
    import pandas as pd

    if not os.path.exists(path):
        raise ValueError(f"file {path!r} does not exist")
    if os.path.isdir(path):
        raise ValueError(f"{path!r} is a folder: expected a file ending in {_accepted()}")
    ext = os.path.splitext(path)[1].lower()
    _check_format(path, ext)
    try:
        if ext in (".csv", ".txt"):
            return _csv(path)
        if ext in (".parquet", ".pq"):
            return _unique_names(pd.read_parquet(path), path)
        if ext == ".npz":
            return _npz(path)
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path!r} is not UTF-8 text (it holds the byte 0x{exc.object[exc.start]:02x}): expected "
                         "a UTF-8 CSV; save it as UTF-8 (e.g. pandas.read_csv(path, encoding='latin-1')"
                         ".to_csv(new, index=False))") from None
    except ImportError as exc:  # pandas found no Parquet engine
        raise ValueError(f"cannot read {path!r}: reading Parquet needs pyarrow, which is not installed "
                         f"({(str(exc).splitlines() or [''])[0]}): pip install pyarrow (or pip install -e '.[advise]' in ftheory's folder), or save the "
                         "table as CSV or NPZ") from None
    except Exception as exc:  # parser errors of pandas / pyarrow / numpy (some are ValueErrors without the path)
        if isinstance(exc, ValueError) and path in str(exc):
            raise
        raise ValueError(f"cannot read {path!r}: {type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}") from None
    hint = {".xlsx": " (save the sheet as CSV)", ".xls": " (save the sheet as CSV)", ".gz": " (decompress it first)",
            ".tsv": " (convert it to comma-separated CSV)", ".json": " (convert it to CSV or Parquet)"}.get(ext, "")
    raise ValueError(f"file {path!r} has extension {ext!r}: expected {_accepted()}{hint}")


_KINDS = {".csv": "CSV text", ".txt": "CSV text", ".parquet": "a Parquet file", ".pq": "a Parquet file",
          ".npz": "an NPZ file", ".npy": "an NPY file"}
_MAGIC = {b"PAR1": ".parquet", b"PK\x03\x04": ".npz", b"\x93NUMPY": ".npy"}


def _check_format(path, ext):
    """``ValueError`` if the first bytes of the file show another format than its extension says."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if ext not in _KINDS or not head:
        return
    kind = next((e for magic, e in _MAGIC.items() if head.startswith(magic)), ".csv")
    other = ("gzip-compressed: decompress it first (gunzip)" if head.startswith(b"\x1f\x8b") else
             "an Excel workbook: save it as CSV" if kind == ".npz" and _is_workbook(path) else
             "binary data or UTF-16 text (it holds NUL bytes): save it as UTF-8 CSV"
             if kind == ".csv" and b"\x00" in head else None)
    if other:
        raise ValueError(f"{path!r} is {other} (expected {_KINDS[ext]})")
    if _KINDS[kind] != _KINDS[ext]:
        raise ValueError(f"{path!r} is {_KINDS[kind]} (by its first bytes), not {_KINDS[ext]} as its extension "
                         f"{ext!r} says: rename it to end in {kind}")


def _is_workbook(path):
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            return "[Content_Types].xml" in z.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def _npz(path):
    """Columns of an NPZ file: a 1-d array is a column, a 2-d array ``x`` the columns ``x0, x1, ...``."""
    import pandas as pd

    with np.load(path, allow_pickle=False) as f:
        cols, rows = {}, {}
        for key in f.files:
            a = f[key]
            if a.ndim not in (1, 2):
                raise ValueError(f"array {key!r} in {path!r} has {a.ndim} dimensions: expected 1 or 2")
            rows[key] = a.shape[0]
            for j in range(a.shape[1]) if a.ndim == 2 else [None]:
                name = key if j is None else f"{key}{j}"
                if name in cols:
                    raise ValueError(f"arrays in {path!r} give the column name {name!r} twice (a 2-d array "
                                     "'x' is split into columns 'x0', 'x1', ...): rename one")
                cols[name] = a if j is None else a[:, j]
    if len(set(rows.values())) > 1:
        sizes = ", ".join(f"{k!r}: {r}" for k, r in rows.items())
        raise ValueError(f"arrays in {path!r} have different numbers of rows ({sizes}): expected the same length "
                         "for every array")
    return pd.DataFrame(cols)


def _header(path):
    """``(fields, indexed)``: the first non-blank line of a CSV split into fields, and whether its first
    field is empty - the unnamed row-index column that ``DataFrame.to_csv()`` and R's ``write.csv``
    write. The one header parser for tables and weights files."""
    with contextlib.closing(_csv_lines(path)) as rows:
        return _split_header(next(rows, None), path)


def _csv_lines(path):
    """The non-blank lines of a CSV split into fields, parsed one at a time as they are asked for."""
    import csv

    with open(path, newline="", encoding="utf-8-sig", errors="replace") as fh:
        yield from (row for row in csv.reader(fh) if row)


def _split_header(fields, path):
    if fields is None:
        raise ValueError(f"cannot read {path!r}: the file is empty (expected a header line of column names "
                         "and data rows)")
    return fields, len(fields) > 1 and fields[0].strip() == ""


def _numbers_header(fields):
    """Is a header line made of numbers (a file without a header line), other than pandas' default column
    names 0, 1, ..., k-1?"""
    fields = [f.strip() for f in fields if f.strip()]
    return bool(fields) and all(map(_is_number, fields)) and fields != [str(j) for j in range(len(fields))]


_NO_HEADER = (" (its first line is numbers: the file seems to have no header line; expected column names in "
              "the first line)")


def _csv(path):
    """A CSV table. A first column with an empty header is the row index that ``DataFrame.to_csv()``
    and R's ``write.csv`` write: it is read as the index, not as a feature. What a spreadsheet adds when
    it saves a sheet as CSV is no column and no row: trailing columns without a name and without a value
    (every line ends with a comma) and trailing lines of commas alone. Any other unnamed or repeated header
    is an error (pandas would rename it silently)."""
    import pandas as pd

    with contextlib.closing(_csv_lines(path)) as rows:  # the header is checked before line 2 is parsed
        fields, indexed = _split_header(next(rows, None), path)
        if len(fields) == 1 and fields[0].lstrip().startswith("#"):
            raise ValueError(f"{path!r} starts with the comment line {fields[0][:40]!r}: expected the header line "
                             "of column names first; remove the comment lines")
        if ",".join(fields).strip().lower().startswith("sep="):
            raise ValueError(f"{path!r} starts with Excel's separator line {','.join(fields)[:10]!r}: expected the "
                             "header line of column names first; remove that line")
        row = next(rows, None)
    if row is not None and len(row) > len(fields) and all(f.strip() == "" for f in row[len(fields):]):
        fields = fields + [""] * (len(row) - len(fields))  # data lines end with commas the header lacks
    names = fields[1:] if indexed else fields
    named = [j for j, c in enumerate(names) if c.strip()]
    pad = len(names) - 1 - named[-1] if named else 0          # unnamed columns after the last named one
    for j, c in enumerate(names[:len(names) - pad]):
        if c.strip() == "":
            raise ValueError(f"column {j + 1 + indexed} of {path!r} (counting from 1) has no name in the header line: "
                             "expected a name for every column (only a first, index column may be unnamed)")
    seen = set()
    for c in names:
        if c in seen and c.strip():
            raise ValueError(f"column name {c!r} appears more than once in the header of {path!r}: "
                             "expected distinct names (pandas would rename the copy silently)"
                             + (_NO_HEADER if _numbers_header(names) else ""))
        seen.add(c)
    given = [*fields[:len(fields) - pad], *(f"\0pad{k}" for k in range(pad))]  # unique names for the padding
    # skipinitialspace: a blank cell (spaces only) is a missing value, not the text ' '; ' 1.5' stays 1.5
    df = pd.read_csv(path, names=given, header=0, index_col=0 if indexed else None, skipinitialspace=True)
    for j, c in enumerate(given[len(given) - pad:]):
        if df[c].notna().any():
            i = int(np.flatnonzero(df[c].notna().to_numpy())[0])
            raise ValueError(f"column {len(names) - pad + j + 1 + indexed} of {path!r} (counting from 1) has no name "
                             f"in the header line but holds {df[c].tolist()[i]!r} at row {i} (counting data rows from "
                             "0): expected a name for every column "
                             "(only a first, index column may be unnamed)")
    df = df.drop(columns=given[len(given) - pad:])
    blank = _trailing_comma_lines(path)
    if blank and np.all(df.iloc[len(df) - blank:].isna().to_numpy()) and (
            not indexed or df.index[len(df) - blank:].isna().all()):
        df = df.iloc[:len(df) - blank]
    return df


def _trailing_comma_lines(path, tail=1 << 16):
    """How many lines at the end of a CSV hold nothing but commas (and white space): the empty rows a
    spreadsheet writes below the data. Blank lines, which pandas skips anyway, are not counted. Reads the last
    ``tail`` bytes, and four times as many while they hold only such lines (the data's last line not reached)."""
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        while True:
            start = max(0, size - tail)
            fh.seek(start)
            k = 0
            for ln in reversed(fh.read().splitlines()[1:]):  # (the first line of the tail may be cut)
                ln = ln.strip()
                if not ln:
                    continue
                if ln.strip(b", \t") or b"," not in ln:
                    return k
                k += 1
            if start == 0:
                return k
            tail *= 4


def _unique_names(df, path):
    dup = df.columns[df.columns.duplicated()]
    if len(dup):
        raise ValueError(f"column name {str(dup[0])!r} appears more than once in {path!r}: expected distinct names")
    return df


def _numeric(df, path, features=False):
    """The table's values as a float array: ``ValueError`` naming the file for no rows, a column that is not
    numbers (:func:`~ftheory.advise.io._not_numeric`), an empty column (``features``: the message suggests
    ``--ignore``) or a missing or infinite value."""
    if len(df) == 0:
        raise ValueError(f"{path!r} has no data rows")
    _not_numeric(df, "", f" of {path!r}")
    A = df.to_numpy(dtype=float, na_value=np.nan)
    if not np.all(np.isfinite(A)):
        empty = np.flatnonzero(np.isnan(A).all(axis=0)) if len(A) > 1 else []
        if len(empty):
            c = df.columns[empty[0]]
            skip = f" (nothing is dropped silently; remove the column, or skip it: --ignore '{c}')"
            raise ValueError(f"column {str(c)!r} of {path!r} is empty (no value in any of its {len(A)} rows): "
                             f"expected finite numbers{skip if features else ''}")
        i, j = np.argwhere(~np.isfinite(A))[0]
        what = "a missing value (empty, blank or NA)" if np.isnan(A[i, j]) else f"the value {A[i, j]}"
        raise ValueError(f"column {str(df.columns[j])!r} of {path!r} has {what} at row {i} (counting data rows "
                         "from 0): expected finite numbers (nothing is dropped silently; remove or impute it)")
    return A


def _missing_hint(df, path, column):
    """Why ``column`` may be absent from a table read from ``path``: another case or spacing, a close name (a typo
    or an abbreviation), a separator other than commas, no header line, or a 2-d NPZ array split into columns."""
    cols = [str(c) for c in df.columns]
    near = [c for c in cols if c.strip().lower() == str(column).strip().lower()]
    if near:
        return f" (did you mean {near[0]!r}? names must match exactly, spaces and case included)"
    sep = next((c for c in ";\t| " if len(cols) == 1 and c in cols[0].strip()), None)
    if sep:
        arg = r"'\s+'" if sep == " " else repr(sep)
        return (f" (the file seems separated by {'spaces' if sep == ' ' else repr(sep)}: expected commas; convert it, "
                f"e.g. pandas.read_csv(path, sep={arg}).to_csv(new, index=False)"
                + (", with decimal=',' if its decimals are commas)" if sep == ";" else ")"))
    if path.lower().endswith(".csv") or path.lower().endswith(".txt"):
        if _numbers_header(cols):
            return _NO_HEADER
    elif f"{column}0" in cols:
        return (f" (a 2-d array {column!r} is split into columns '{column}0', '{column}1', ...: save a "
                "column as a 1-d array)")
    close = _close_matches(str(column), cols, n=2, cutoff=0.55)  # not X0 for U0 (0.5)
    return f" (the closest name{'s' if len(close) > 1 else ''}: {', '.join(map(repr, close))})" if close else ""


def _close_matches(word, names, n, cutoff):
    """``difflib.get_close_matches(word, names, n, cutoff)``, the same list, fast for 10^5 names: the exact ratio
    only while difflib's own upper bounds (``real_quick_ratio`` from the lengths, then ``quick_ratio`` from the
    common characters, both for all names at once) can still reach the ``n``-th best ratio found."""
    import difflib
    import heapq

    def ratio(matches, total):                   # difflib's _calculate_ratio, for arrays
        return np.where(total > 0, 2.0 * matches / np.maximum(total, 1), 1.0)

    lens = np.fromiter(map(len, names), float, len(names))
    idx = np.flatnonzero(ratio(np.minimum(lens, len(word)), lens + len(word)) >= cutoff)
    names = [names[i] for i in idx]
    inter = np.zeros(len(names))
    for c in set(word):
        inter += np.minimum(np.fromiter((s.count(c) for s in names), float, len(names)), word.count(c))
    bound = ratio(inter, lens[idx] + len(word))
    m = difflib.SequenceMatcher()
    m.set_seq2(word)
    top = []                                     # the n largest (ratio, name) >= cutoff: get_close_matches' order
    for k in np.argsort(-bound, kind="stable"):
        if bound[k] < cutoff or (len(top) == n and bound[k] < top[0][0]):
            break
        m.set_seq1(names[k])
        r = m.ratio()
        if r >= cutoff:
            (heapq.heappush if len(top) < n else heapq.heappushpop)(top, (r, names[k]))
    return [x for _, x in sorted(top, reverse=True)]


def load_target(path, label, source_pred=None, ignore=()):
    """``(X, y, z)`` from a target table with label column ``label``: ``X`` the feature columns (every
    other column but those in ``ignore``, e.g. a row id) as a float ``pandas.DataFrame`` keeping their
    names, ``y`` the labels, ``z`` the column ``source_pred`` (None if not given)."""
    import pandas as pd

    df = read_table(path)
    ignore = list(dict.fromkeys(ignore))
    for what, col in (("label column", label), ("source-pred column", source_pred)):
        if col is not None and col not in df.columns:
            cols = f"its {len(df.columns)} columns are" if len(df.columns) > 1 else "its one column is"
            raise ValueError(f"{what} {col!r} is missing from {path!r}; {cols} {_listing(df.columns)}"
                             + (_missing_hint(df, path, col) or _position_hint(df, col)))
    if source_pred is not None and source_pred == label:
        raise ValueError(f"label column and source-pred column are both {label!r}: the pretrained model's "
                         "predictions must be a column of their own")
    absent = [c for c in ignore if c not in df.columns]
    if absent:
        raise ValueError(f"--ignore column(s) {_some(absent)} are missing from {path!r}; its columns are "
                         f"{_listing(df.columns)}" + _missing_hint(df, path, absent[0]))
    both = [c for c in ignore if c in (label, source_pred)]
    if both:
        raise ValueError(f"--ignore column {both[0]!r} is the {'label' if both[0] == label else 'source-pred'} "
                         "column: expected columns that are neither the label nor the predictions")
    _no_empty_rows(df, path)
    y = _numeric(df[[label]], path).ravel()
    z = _numeric(df[[source_pred]], path).ravel() if source_pred is not None else None
    feats = [c for c in df.columns if c not in (label, source_pred) and c not in ignore]
    if not feats:
        raise ValueError(f"{path!r} has no feature columns besides the label"
                         + (" and the ignored columns" if ignore else ""))
    return pd.DataFrame(_numeric(df[feats], path, features=True), columns=feats), y, z


def _position_hint(df, column):
    """`` (columns are chosen by name, not by position: column 3 counting from 1 is 'x', counting from 0 'y')``
    for a name that is a position (a file's columns count from 1 in the other messages; pandas' from 0)."""
    text = str(column).strip()
    k, cols = (int(text) if text.isdigit() else -1), [str(c) for c in df.columns]
    at = [f"counting from 1 is {cols[k - 1]!r}"] if 1 <= k <= len(cols) else []
    if 0 <= k < len(cols):
        at.append(f"counting from 0{'' if at else ' is'} {cols[k]!r}")
    return f" (columns are chosen by name, not by position: column {k} {', '.join(at)})" if at else ""


def load_unlabeled(path, features, ignore=()):
    """Unlabeled inputs: the columns ``features`` of a CSV, Parquet or NPZ table, as a float
    ``pandas.DataFrame`` in that order; the columns ``ignore`` (the target's label, prediction and
    ignored columns) are skipped, any other is an error."""
    import pandas as pd

    df = read_table(path)
    features = list(features)
    missing = [c for c in features if c not in df.columns]
    if missing:
        npz = " (a 2-d array 'x' gives the columns 'x0', 'x1', ...: use the target's key)"
        raise ValueError(f"unlabeled file {path!r} lacks feature column(s) {_some(missing)}; its columns are "
                         f"{_listing(df.columns)}" + (_missing_hint(df, path, missing[0])
                                                      or (npz if path.lower().endswith(".npz") else "")))
    extra = [c for c in df.columns if c not in features and c not in ignore]
    if extra:
        raise ValueError(f"unlabeled file {path!r} has column(s) {_some(extra)} that are not a feature of the "
                         "target: expected the target's feature columns (its label, prediction and "
                         "--ignore columns are skipped); drop them or --ignore them")
    _no_empty_rows(df[features], path)
    return pd.DataFrame(_numeric(df[features], path, features=True), columns=features)


def _no_empty_rows(df, path):
    """``ValueError`` for a row whose every cell is empty or NA (a line of commas in a CSV), named by its
    position, before its first missing value would be reported as if one cell were missing."""
    empty = np.flatnonzero(df.isna().to_numpy().all(axis=1)) if df.shape[1] > 1 else []
    if len(empty):
        more = f" (and {len(empty) - 1} more)" if len(empty) > 1 else ""
        raise ValueError(f"row {empty[0]} of {path!r}{more} is empty: every cell is empty or NA (counting data "
                         "rows from 0); expected a value in every cell (nothing is dropped silently; remove it)")
