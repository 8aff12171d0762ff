"""Input checks and file reading for the advisor (CSV, NPZ, Parquet).

Every problem raises ``ValueError`` naming the input, what is wrong and what is expected.
"""
from __future__ import annotations

import os

import numpy as np

__all__ = ["check_inputs", "read_table", "read_weights", "load_target"]


def _reject_complex(name, A):
    if np.iscomplexobj(A):
        raise ValueError(f"{name} is complex: expected real numbers (the imaginary part is not dropped silently)")


def _magnitude(name, A):
    """Squares of the values must stay normal float64 numbers (the estimators form sums of squares)."""
    if A.size:
        peaks = np.abs(A).max(axis=0).ravel()  # per column of a matrix
        bad = peaks[(peaks > 1e150) | ((peaks > 0.0) & (peaks < 1e-150))]
        if bad.size:
            raise ValueError(f"{name} has values of magnitude {bad[0]:.3g}: expected magnitudes in [1e-150, 1e150] "
                             "(their squares under- or overflow in float64); rescale it")


def _names(A):
    """Column names of a table (a ``pandas.DataFrame``), else None."""
    cols = getattr(A, "columns", None)
    return [str(c) for c in cols] if cols is not None else None


def _col(j, names):
    return f"column {int(j)} ({names[int(j)]!r})" if names else f"column {int(j)}"


def _matrix(name, A, ncols=None):
    names = _names(A)
    _reject_complex(name, A)
    if names is not None:
        import pandas as pd

        bad = [str(c) for c in A.columns if not pd.api.types.is_numeric_dtype(A[c].dtype)]
        if bad:
            raise ValueError(f"{name} column(s) {bad[:5]} are not numeric: expected real numeric features")
    try:
        A = np.asarray(A, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} is invalid: expected a numeric array") from None
    if A.ndim == 1 and ncols is None:
        A = A[:, None]
    if A.ndim != 2:
        raise ValueError(f"{name} has shape {A.shape}: expected a 2-d array (samples x features)")
    if A.size and not np.all(np.isfinite(A)):
        i, j = np.argwhere(~np.isfinite(A))[0]
        raise ValueError(f"{name} contains {A[i, j]} at row {i}, {_col(j, names)}: expected finite numbers "
                         "(NaN and inf are not dropped silently; remove or impute them)")
    _magnitude(name, A)
    return A


def _vector(name, v, n):
    _reject_complex(name, v)
    try:
        v = np.asarray(v, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} is invalid: expected a numeric vector") from None
    if v.ndim == 2 and 1 in v.shape:
        v = v.ravel()
    if v.ndim != 1:
        raise ValueError(f"{name} has shape {v.shape}: expected a vector")
    if n is not None and v.shape[0] != n:
        raise ValueError(f"{name} has {v.shape[0]} entries but X has {n} rows: shapes must match")
    if not np.all(np.isfinite(v)):
        i = int(np.argwhere(~np.isfinite(v))[0][0])
        raise ValueError(f"{name} contains {v[i]} at position {i}: expected finite numbers "
                         "(NaN and inf are not dropped silently)")
    _magnitude(name, v)
    return v


def _check_columns(name, A, what="column", names=None):
    sd = A.std(axis=0)
    scale = np.abs(A).max(axis=0)
    const = np.flatnonzero(sd <= 1e-12 * np.maximum(scale, 1e-300))
    if const.size:
        which = [names[j] for j in const[:10]] if names else const[:10].tolist()
        raise ValueError(f"{name} has constant {what}(s) {which}: a constant input carries no "
                         "information and makes the covariance singular; drop it (the advisor fits an "
                         "intercept)")
    Z = (A - A.mean(0)) / sd
    C = Z.T @ Z / A.shape[0]
    iu = np.argwhere(np.triu(np.abs(C) > 1 - 1e-10, 1))
    if iu.size:
        i, j = iu[0]
        raise ValueError(f"{name} has duplicated (perfectly correlated) {what}s {_col(i, names)} and "
                         f"{_col(j, names)}: drop one of them")
    if A.shape[0] > A.shape[1] + 1:  # more centred rows than columns: full rank unless collinear
        lam, V = np.linalg.eigh(0.5 * (C + C.T))
        if lam[0] < 1e-10 * lam[-1]:
            v = np.abs(V[:, 0])
            idx = np.flatnonzero(v > 1e-3 * v.max())[:8]
            cols = [names[j] for j in idx] if names else idx.tolist()
            cond = np.sqrt(lam[-1] / max(lam[0], 1e-300))
            how = f"condition number {cond:.2g} > 1e5" if cond < 1e15 else "exactly, up to rounding"
            raise ValueError(f"{name} has linearly dependent {what}s {cols}: one is a combination of the "
                             f"others ({how}; the covariance is singular); drop one of them")


def check_inputs(X, y, source_pred=None, source_weights=None, unlabeled=None, min_rows=3):
    """Validated float arrays ``(X, y, z, unlabeled)``; ``z`` is the pretrained prediction on ``X``
    (tables name their columns in the messages; at least ``min_rows`` rows)."""
    names, unames = _names(X), _names(unlabeled)
    if names is not None and unames is not None and unames != names:
        # two tables: match the unlabeled columns to the features by name, not by position
        missing = [c for c in names if c not in unames]
        extra = [c for c in unames if c not in names]
        if missing:
            raise ValueError(f"unlabeled lacks feature column(s) {missing[:5]} of X: expected X's columns")
        if extra:
            raise ValueError(f"unlabeled has column(s) {extra[:5]} that are not a feature of X: drop them")
        unlabeled = unlabeled[list(X.columns)]
        unames = names
    X = _matrix("X", X)
    n, d = X.shape
    if n < min_rows:
        raise ValueError(f"X has n={n} rows: expected at least {min_rows}"
                         + (" (3 centred rows once the intercept is fitted)" if min_rows == 4 else ""))
    if d < 1:
        raise ValueError("X has no columns: expected at least one feature")
    y = _vector("y", y, n)
    _check_columns("X", X, names=names)
    if np.std(y) <= 1e-12 * max(np.abs(y).max(), 1e-300):
        raise ValueError("y is constant: there is nothing to predict")
    if source_pred is not None and source_weights is not None:
        raise ValueError("give either source_pred or source_weights, not both")
    z = None
    if source_pred is not None:
        z = _vector("source_pred", source_pred, n)
    elif source_weights is not None:
        w = _vector("source_weights", source_weights, None)
        if w.shape[0] != d:
            raise ValueError(f"source_weights has {w.shape[0]} entries but X has d={d} columns: shapes must match")
        z = _vector("X @ source_weights", X @ w, n)
    if z is not None and np.std(z) <= 1e-12 * max(np.abs(z).max(), 1e-300):
        raise ValueError("the pretrained predictor is constant on the target inputs (source_pred/"
                         "source_weights): it carries no feature to transfer")
    U = None
    if unlabeled is not None:
        U = _matrix("unlabeled", unlabeled)
        if U.shape[1] != d:
            raise ValueError(f"unlabeled has {U.shape[1]} columns but X has d={d}: shapes must match")
        if U.shape[0] < d + 6:
            raise ValueError(f"unlabeled has {U.shape[0]} rows: expected at least d + 6 = {d + 6} to estimate the "
                             "input covariance (or omit it to use the isotropic theory)")
        _check_columns("unlabeled", U, names=unames)
    return X, y, z, U


# -- files ----------------------------------------------------------------------------------------

def read_table(path):
    """A ``pandas.DataFrame`` from a CSV, Parquet or NPZ file (NPZ: one array per column name,
    or a 2-d array ``X`` plus 1-d arrays)."""
    import pandas as pd

    if not os.path.exists(path):
        raise ValueError(f"file {path!r} does not exist")
    if os.path.isdir(path):
        raise ValueError(f"{path!r} is a folder: expected a .csv, .parquet or .npz file")
    ext = os.path.splitext(path)[1].lower()
    try:
        if ext in (".csv", ".txt"):
            return _csv(path)
        if ext in (".parquet", ".pq"):
            return _unique_names(pd.read_parquet(path), path)
        if ext == ".npz":
            with np.load(path, allow_pickle=False) as f:
                cols = {}
                for key in f.files:
                    a = f[key]
                    if a.ndim == 2:
                        for j in range(a.shape[1]):
                            cols[f"{key}{j}"] = a[:, j]
                    elif a.ndim == 1:
                        cols[key] = a
                    else:
                        raise ValueError(f"array {key!r} in {path!r} has {a.ndim} dimensions: expected 1 or 2")
                lengths = {len(v) for v in cols.values()}
                if len(lengths) > 1:
                    raise ValueError(f"arrays in {path!r} have different lengths {sorted(lengths)}")
                if len(cols) < sum(f[k].shape[1] if f[k].ndim == 2 else 1 for k in f.files):
                    raise ValueError(f"arrays in {path!r} give the same column name twice (a 2-d array "
                                     "'x' is split into columns 'x0', 'x1', ...): rename one")
                return pd.DataFrame(cols)
    except Exception as exc:  # parser errors of pandas / pyarrow / numpy (some are ValueErrors without the path)
        if isinstance(exc, ValueError) and path in str(exc):
            raise
        raise ValueError(f"cannot read {path!r}: {type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}") from None
    raise ValueError(f"file {path!r} has extension {ext!r}: expected .csv, .parquet or .npz")


def _csv(path):
    """A CSV table. A first column with an empty header is the row index that ``DataFrame.to_csv()``
    and R's ``write.csv`` write: it is read as the index, not as a feature. Any other unnamed or
    repeated header is an error (pandas would rename it silently)."""
    import csv

    import pandas as pd

    with open(path, newline="", encoding="utf-8-sig", errors="replace") as fh:
        header = next(csv.reader(fh), [])
    index = 0 if len(header) > 1 and header[0].strip() == "" else None
    names = header[1:] if index == 0 else header
    for j, c in enumerate(names):
        if c.strip() == "":
            raise ValueError(f"column {j + 1 + (index == 0)} of {path!r} has no name in the header line: "
                             "expected a name for every column (only a first, index column may be unnamed)")
    seen = set()
    for c in names:
        if c in seen:
            raise ValueError(f"column name {c!r} appears more than once in the header of {path!r}: "
                             "expected distinct names (pandas would rename the copy silently)")
        seen.add(c)
    return pd.read_csv(path, index_col=index)


def _unique_names(df, path):
    dup = df.columns[df.columns.duplicated()]
    if len(dup):
        raise ValueError(f"column name {str(dup[0])!r} appears more than once in {path!r}: expected distinct names")
    return df


def _numeric(df, path):
    import pandas as pd

    if len(df) == 0:
        raise ValueError(f"{path!r} has no data rows")
    bad = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c].dtype)
           or pd.api.types.is_complex_dtype(df[c].dtype)]
    if bad:
        raise ValueError(f"column(s) {bad[:5]} of {path!r} are not numeric: expected real numbers (text, dates "
                         "and categories are not converted silently: encode them as numbers first)")
    A = df.to_numpy(dtype=float)
    if not np.all(np.isfinite(A)):
        i, j = np.argwhere(~np.isfinite(A))[0]
        what = "a missing value (empty or NA)" if np.isnan(A[i, j]) else f"the value {A[i, j]}"
        raise ValueError(f"column {str(df.columns[j])!r} of {path!r} has {what} at row {i} (counting data rows "
                         "from 0): expected finite numbers (nothing is dropped silently; remove or impute it)")
    return A


def read_weights(path, d, features=None):
    """Pretrained weights: a vector of ``d`` numbers from a text/CSV file (one column or one row, with or
    without a header line; a pandas index column is skipped), Parquet, NPY or NPZ."""
    ext = os.path.splitext(path)[1].lower()
    if ext in (".csv", ".txt") and os.path.isfile(path) and _indexed_csv(path):
        w = _numeric(_csv(path), path).ravel()  # written by pandas with its index column
    elif ext in (".csv", ".txt") and os.path.isfile(path):
        w = _plain_numbers(path)
    elif ext == ".npy" and os.path.isfile(path):
        try:
            w = np.load(path, allow_pickle=False)
        except Exception as exc:
            raise ValueError(f"cannot read {path!r}: {type(exc).__name__}") from None
        if not (np.issubdtype(w.dtype, np.number) and not np.iscomplexobj(w)):
            raise ValueError(f"weights file {path!r} holds {w.dtype} values: expected real numbers")
        w = np.asarray(w, dtype=float).ravel()
    else:
        w = _numeric(read_table(path), path).ravel()
    if w.shape[0] != d:
        cols = "" if not features else (" (every column but the label: " + ", ".join(map(str, features[:8]))
                                         + (", ..." if len(features) > 8 else "") + ")")
        raise ValueError(f"weights file {path!r} holds {w.shape[0]} numbers but the target has d={d} features{cols}")
    return w


def _indexed_csv(path):
    """Does the header line of a CSV start with an empty field (``DataFrame.to_csv()`` with its index)?"""
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        first = fh.readline()
    return first.startswith(",") and len(first.strip()) > 1


def _plain_numbers(path):
    """Every number of a text file split at commas, semicolons and white space; a first line that is
    not numbers is a header."""
    import re

    with open(path, encoding="utf-8", errors="replace") as fh:
        rows = [[t for t in re.split(r"[,;\s]+", line.strip()) if t] for line in fh if line.strip()]
    if not rows:
        raise ValueError(f"weights file {path!r} is empty")
    try:
        [float(t) for t in rows[0]]
        start = 0
    except ValueError:
        start = 1  # a header line
    values = []
    for i, row in enumerate(rows[start:], start):
        for t in row:
            try:
                values.append(float(t))
            except ValueError:
                raise ValueError(f"weights file {path!r}, line {i + 1}: {t!r} is not a number") from None
    return np.array(values, dtype=float)


def load_target(path, label, source_pred=None):
    """``(X, y, z, feature_names)`` from a target table with label column ``label``."""
    df = read_table(path)
    if label not in df.columns:
        sep = next((c for c in ";\t|" if len(df.columns) == 1 and c in str(df.columns[0])), None)
        raise ValueError(f"label column {label!r} is missing from {path!r}; columns are "
                         f"{', '.join(map(str, list(df.columns)[:12]))}{' ...' if len(df.columns) > 12 else ''}"
                         + (f" (the file seems separated by {sep!r}: expected commas)" if sep else ""))
    if source_pred is not None and source_pred not in df.columns:
        raise ValueError(f"source-pred column {source_pred!r} is missing from {path!r}")
    if source_pred is not None and source_pred == label:
        raise ValueError(f"label column and source-pred column are both {label!r}: the pretrained model's "
                         "predictions must be a column of their own")
    y = _numeric(df[[label]], path).ravel()
    z = _numeric(df[[source_pred]], path).ravel() if source_pred is not None else None
    feats = [c for c in df.columns if c not in (label, source_pred)]
    if not feats:
        raise ValueError(f"{path!r} has no feature columns besides the label")
    return _numeric(df[feats], path), y, z, feats


def load_unlabeled(path, features, ignore=()):
    """Unlabeled inputs: the columns ``features`` of a CSV, Parquet or NPZ table, in that order; the
    columns ``ignore`` (the target's label and prediction columns) are skipped, any other is an error."""
    df = read_table(path)
    missing = [c for c in features if c not in df.columns]
    if missing:
        raise ValueError(f"unlabeled file {path!r} lacks feature column(s) {missing[:5]}")
    extra = [c for c in df.columns if c not in features and c not in ignore]
    if extra:
        raise ValueError(f"unlabeled file {path!r} has column(s) {extra[:5]} that are not a feature of the "
                         "target: expected the target's feature columns (its label and prediction columns "
                         "are ignored); drop them")
    return _numeric(df[features], path)
