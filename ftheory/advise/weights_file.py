"""Reading the pretrained weights file (NPY, text/CSV, Parquet, NPZ) in the order of the target's features.

Every problem raises ``ValueError`` naming the file, what is wrong and what is expected.
"""
from __future__ import annotations

import os

import numpy as np

from ftheory.advise.files import _check_format, _header, _numeric, read_table
from ftheory.advise.io import _align_weights, _is_number, _labels, _listing

__all__ = ["read_weights"]


def read_weights(path, d, features=None):
    """Pretrained weights: a vector of ``d`` numbers in the order of the feature names ``features`` (if
    given). Text/CSV files hold one number per line or all on one line, with or without a header line;
    tables (CSV with a header or a pandas index, Parquet, NPZ) one column or one row. Weights labelled by
    feature name (an index or text column, or the header of a one-row table) are matched to
    ``features`` by name, and then every label must name a feature; only unlabelled weights (no labels, or
    pandas' default 0, 1, ..., d-1) are used in the file's order. A text file's first line is a header only
    if it is made of names (a letter or '_' first, then letters, digits, '_', '.', '-'), else it is data."""
    ext = os.path.splitext(path)[1].lower()
    if os.path.isfile(path):
        _check_format(path, ext)
    text = ext in (".csv", ".txt") and os.path.isfile(path)
    if text and not _has_text(path):  # (read as a table it was "expected a header line of column names")
        raise ValueError(f"weights file {path!r} is empty: expected d = {d} numbers, one per line or all on one line")
    if ext == ".npy" and os.path.isfile(path):
        w, labels = _npy(path), None
    elif text and not _table_like(path):
        w, labels = _plain_numbers(path), None
    else:  # a CSV with a pandas index or a header of two or more names, Parquet, NPZ
        w, labels = _weights_table(read_table(path), path)
    if w.shape[0] != d:
        cols = "" if not features else f" (every column but the label: {_listing(features)})"
        icpt = "; an intercept among them? give the feature weights only (the advisor fits its own intercept)"
        extra = ("; is one of these columns not a feature (a row id, another model's predictions)? skip it "
                 "(ftheory advise: --ignore COLUMN)")
        raise ValueError(f"weights file {path!r} holds {w.shape[0]} numbers but the target has d={d} features{cols}"
                         + (icpt if w.shape[0] == d + 1 else extra if w.shape[0] == d - 1 else ""))
    if not np.all(np.isfinite(w)):
        i = int(np.flatnonzero(~np.isfinite(w))[0])
        raise ValueError(f"weights file {path!r} holds {w[i]} at position {i} (counting from 0): expected finite "
                         "numbers")
    return _align_weights(w, labels, [str(c) for c in features] if features else None, f"weights file {path!r}")


def _npy(path):
    try:
        w = np.load(path, allow_pickle=False)
    except Exception as exc:
        raise ValueError(f"cannot read {path!r}: {type(exc).__name__}") from None
    if not (np.issubdtype(w.dtype, np.number) and not np.iscomplexobj(w)):
        raise ValueError(f"weights file {path!r} holds {w.dtype} values: expected real numbers")
    if w.ndim > 1 and sorted(w.shape)[-2] > 1:
        raise ValueError(f"weights file {path!r} holds an array of shape {w.shape}: expected d numbers (a 1-d "
                         "array, one row or one column)")
    return np.asarray(w, dtype=float).ravel()


def _has_text(path):
    """Does the text file ``path`` hold anything but white space (and a byte order mark)?"""
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        return any(line.strip() for line in fh)


def _table_like(path):
    """Is a text weights file a table for pandas: a pandas index column, or a header line of two or more
    comma-separated fields (no semicolons) that are not all numbers?"""
    fields, indexed = _header(path)
    return indexed or (len(fields) > 1 and not any(";" in f for f in fields)
                       and not all(_is_number(f) for f in fields))


def _weights_table(df, path):
    """``(w, labels)`` from a table of one numeric column or one numeric row; ``labels`` are the names the
    weights carry (an index or a text column of names, or the header of one row), else None."""
    import pandas as pd

    if len(df) == 0:  # e.g. a printed Python list "[0.1, 0.2]" read as a header line
        text = path.lower().endswith((".csv", ".txt"))
        raise ValueError(f"weights file {path!r} holds no numbers: "
                         + ("its one line was read as" if text else "it has no rows, only") + " the column names "
                         + _listing([str(c).strip() for c in df.columns]) + ": expected d numbers"
                         + (", one per line or all on one line, without brackets" if text else " in one column or one row"))
    labels = _labels(df.index)
    text = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c].dtype)]
    if labels is None and len(text) == 1 and df.shape[1] == 2:  # feature,weight
        labels = [str(v) for v in df[text[0]]]
        df = df.drop(columns=text)
    A = _numeric(df, path)
    if A.shape[1] == 1:
        return A[:, 0], labels
    if A.shape[0] == 1:
        return A[0], [str(c) for c in df.columns]
    raise ValueError(f"weights file {path!r} holds a table of {A.shape[0]} rows and {A.shape[1]} columns: "
                     "expected d numbers in one column or one row")


def _is_name(text):
    """Is ``text`` a column name of a header line: a letter or '_' first, then letters, digits, '_', '.', '-'
    (w, coef, beta_hat, weight.1), and not a number such as 'nan' or 'inf'?"""
    import re

    return bool(re.fullmatch(r"[^\W\d][\w.\-]*", text)) and not _is_number(text)


def _plain_numbers(path):
    """The numbers of a text file split at commas, semicolons and white space: one per line or all on one
    line; a first line of names (:func:`_is_name`) is a header, any other first line is data (so 'pi/4' on
    line 1 is named as not a number, never dropped as a header)."""
    import re

    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        lines = [line.strip() for line in fh if line.strip()]
    if not lines:
        raise ValueError(f"weights file {path!r} is empty")
    rows = [[t for t in re.split(r"[,;\s]+", line) if t] for line in lines]
    start = 0 if all(map(_is_number, rows[0])) else 1 if all(map(_is_name, rows[0])) else None
    if start is None and len(rows) > 1:
        bad = next(t for t in rows[0] if not _is_number(t))
        raise ValueError(f"weights file {path!r}, line 1: {bad[:40]!r} is not a number (nor a header of names: "
                         "a letter or '_' first, then letters, digits, '_', '.', '-')")
    if start is None or start == len(rows):  # one line, not numbers: e.g. a printed Python list "[0.1, 0.2]"
        bad = next(t for t in rows[0] if not _is_number(t))
        raise ValueError(f"weights file {path!r} holds no numbers: its one line is not numbers ({bad[:40]!r} is "
                         "not a number): expected d numbers, one per line or all on one line, without brackets")
    if len(rows) == 2 and start == 0 and len(rows[1]) > 1 and rows[0] == [str(j) for j in range(len(rows[1]))]:
        start = 1  # pandas' default header 0, 1, ..., k-1 above one row
    for i in range(start, len(rows)):
        for t in rows[i]:
            if not _is_number(t):
                raise ValueError(f"weights file {path!r}, line {i + 1}: {t!r} is not a number")
        if ";" in lines[i] and "," in lines[i]:
            raise ValueError(f"weights file {path!r}, line {i + 1} mixes ';' and ',': expected one separator "
                             "(and a decimal point: 0.5, not 0,5)")
        if len(rows) - start > 1 and len(rows[i]) > 1:
            comma = all(re.fullmatch(r"[-+]?\d+,\d+", ln) for ln in lines[start:])
            raise ValueError(f"weights file {path!r}, line {i + 1} holds {len(rows[i])} numbers: expected one "
                             "number per line or all on one line"
                             + (" (decimal commas? write 0.5, not 0,5)" if comma else ""))
    return np.array([float(t) for row in rows[start:] for t in row], dtype=float)
