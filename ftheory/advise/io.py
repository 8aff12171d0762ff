"""Input checks for the advisor: arrays and pandas tables (files are read by ftheory.advise.files and
ftheory.advise.weights_file).

Every problem raises ``ValueError`` naming the input, what is wrong and what is expected.
"""
from __future__ import annotations

import numpy as np

__all__ = ["check_inputs"]


def _reject_complex(name, A):
    """``ValueError`` for complex values and a missing input (None); text was refused by :func:`check_inputs`
    (:func:`_reject_text`) before any conversion."""
    if A is None:
        raise ValueError(f"{name} is None: expected an array of numbers")
    if np.iscomplexobj(A):
        raise ValueError(f"{name} is complex: expected real numbers (the imaginary part is not dropped silently)")


_TEXT = (str, bytes)


def _reject_text(name, A):
    """``ValueError`` naming the first text entry of ``A`` (an array, a list, a pandas Series or table) and its
    position: text is refused everywhere, even text that reads as a number ('1.5')."""
    if isinstance(A, _TEXT):
        raise ValueError(f"{name} is the text {A[:40]!r}: expected an array of numbers")
    if hasattr(A, "columns") and hasattr(A, "dtypes"):  # a table: by column name and row
        for j, c in enumerate(A.columns):  # by position: a repeated name is reported by the table check
            col = A.iloc[:, j]
            if getattr(col.dtype, "kind", "O") in "biuf":
                continue
            at = _first_text_at(col.to_numpy(dtype=object))
            if at is not None:
                raise ValueError(f"{name} column {str(c)!r} holds the text {at[1]!r} at row {at[0][0]} (counting "
                                 f"from 0{_written(at[1])}): expected numbers" + _CONVERT)
        return
    kind = getattr(getattr(A, "dtype", None), "kind", None)
    if kind in tuple("biufc"):
        return
    if hasattr(A, "to_numpy"):
        A = A.to_numpy(dtype=object)
    elif kind is None:
        if not isinstance(A, (list, tuple)):
            return
        try:
            if np.asarray(A).dtype.kind in "biufc":  # a list of numbers: the common case, no scan
                return
        except (TypeError, ValueError):
            pass  # a ragged list: reported by the numeric conversion
    try:
        A = np.asarray(A, dtype=object)
    except (TypeError, ValueError):
        return
    at = _first_text_at(A)
    if at is not None:
        where = (f"at position {at[0][0]}" if len(at[0]) == 1 else
                 "at " + ", ".join(f"{w} {i}" for w, i in zip(("row", "column", "index"), at[0])))
        where += f" (counting from 0{_written(at[1])})"
        raise ValueError(f"{name} holds the text {at[1]!r} {where}: expected numbers" + _CONVERT)


_CONVERT = (" (text is not converted silently, even text that reads as a number: convert it first, e.g. "
            "np.asarray(v, dtype=float), if it holds numbers)")


def _first_text_at(A):
    """``(index, value)`` of the first str/bytes entry of an object array, else None."""
    is_text = np.frompyfunc(lambda v: isinstance(v, _TEXT), 1, 1)(A).astype(bool) if A.size else A.astype(bool)
    if not np.any(is_text):
        return None
    idx = tuple(int(i) for i in np.argwhere(is_text)[0])
    v = A[idx]
    return idx, (v[:40] if isinstance(v, _TEXT) else v)


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
    """A column of a table by its name (its position among the features is not its column in a file), else by
    its position counting from 0 (rows and columns of an array)."""
    return f"column {names[int(j)]!r}" if names else f"column {int(j)} (counting from 0)"


def _cell(i, j, names):
    return (f"row {int(i)} (counting from 0), {_col(j, names)}" if names
            else f"row {int(i)}, column {int(j)} (both counting from 0)")


def _matrix(name, A):
    """``A`` as a finite 2-d float array (``ValueError`` naming ``name`` otherwise; a 1-d array is refused, not read
    as one column: it may as well be one row, and d = 1 is outside the advisor's range)."""
    names = _names(A)
    _reject_complex(name, A)
    if names is not None:
        dup = A.columns[A.columns.duplicated()]
        if len(dup):
            raise ValueError(f"{name} has the column name {str(dup[0])!r} more than once: expected distinct names")
        _not_numeric(A, f"{name} ")
        A = A.to_numpy(dtype=float, na_value=np.nan)  # nullable columns: pandas.NA is a missing value (NaN)
    try:
        A = np.asarray(A, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} is invalid: expected a numeric array") from None
    if A.ndim == 1:
        raise ValueError(f"{name} has shape {A.shape}: a 1-d vector (one row? one feature?); expected a 2-d (n, d) "
                         f"array of n rows and d feature columns (one feature: {name}.reshape(-1, 1) or a Series' "
                         ".to_frame(), though the advisor is built for d in the tens and more: at d <= 2 the "
                         "cosine test's interval can be implausibly narrow or wide)")
    if A.ndim != 2:
        raise ValueError(f"{name} has shape {A.shape}: expected a 2-d array (samples x features)")
    if A.size and not np.all(np.isfinite(A)):
        i, j = np.argwhere(~np.isfinite(A))[0]
        raise ValueError(f"{name} contains {A[i, j]} at {_cell(i, j, names)}: expected finite numbers "
                         "(NaN and inf are not dropped silently; remove or impute them)")
    _magnitude(name, A)
    return A


def _not_numeric(df, before, after=""):
    """``ValueError`` for the columns of table ``df`` that are not real numbers (text, dates, categories, complex,
    objects), naming the first one's offending entry or type: ``{before}column(s) [...]{after} are not numeric``
    (``before="X "`` for a table passed to the API, ``after=" of 'f.csv'"`` for a file). The one check of both."""
    import pandas as pd

    bad = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c].dtype)
           or pd.api.types.is_complex_dtype(df[c].dtype)]
    if bad:
        raise ValueError(f"{before}column(s) {_some(map(str, bad))}{after} are not numeric"
                         f"{_first_text(df[bad[0]])}: expected real numbers (text, dates and categories are not "
                         "converted silently: encode them as numbers first)")


def _is_number(text):
    """Does ``float(text)`` accept ``text``?"""
    try:
        float(text)
    except ValueError:
        return False
    return True


def _first_text(col):
    """`` (column 'c' holds 'abc' at row 5, counting data rows from 0)`` for the first entry of a text column that
    is not a number, `` (column 'c' is of type datetime64[ns])`` for another column type."""
    import pandas as pd

    if not (pd.api.types.is_object_dtype(col.dtype) or pd.api.types.is_string_dtype(col.dtype)):
        return f" (column {str(col.name)!r} is of type {col.dtype})"
    for i, v in enumerate(col.tolist()):
        if not isinstance(v, (int, float)) and not (isinstance(v, str) and _is_number(v)):
            return f" (column {str(col.name)!r} holds {v!r} at row {i}, counting data rows from 0{_written(v)})"
    return ""


def _written(text):
    """``: a number written with thousands separators? write 1257.30`` when ``text`` is a number but for its commas
    (thousands separators or a decimal comma) or a trailing percent sign, else ``""``."""
    import re

    t = text.strip() if isinstance(text, str) else ""
    plain, dot = t.replace(",", ""), t.replace(",", ".")
    thousands = re.fullmatch(r"[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d*)?", t) is not None
    decimal = t.count(",") == 1 and "." not in t and _is_number(dot)
    if thousands or decimal:
        what = " or ".join(w for w, yes in (("thousands separators", thousands), ("a decimal comma", decimal)) if yes)
        return f": a number written with {what}? write {' or '.join([plain] * thousands + [dot] * decimal)}"
    if t.endswith("%") and _is_number(t[:-1]):
        return f": a percentage? write {t[:-1]} (or {float(t[:-1]) / 100:g})"
    return ""


def _vector(name, v, n):
    _reject_complex(name, v)
    try:
        if hasattr(v, "to_numpy"):  # pandas: a missing value (pandas.NA) becomes NaN, named below
            v = v.to_numpy(dtype=float, na_value=np.nan)
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
        raise ValueError(f"{name} contains {v[i]} at position {i} (counting from 0): expected finite numbers "
                         "(NaN and inf are not dropped silently)")
    _magnitude(name, v)
    return v


def _check_columns(name, A, what="column", names=None):
    sd = A.std(axis=0)
    scale = np.abs(A).max(axis=0)
    const = np.flatnonzero(sd <= 1e-12 * np.maximum(scale, 1e-300))
    if const.size:
        which = [names[j] for j in const[:10]] if names else f"{const[:10].tolist()} (counting from 0)"
        raise ValueError(f"{name} has constant {what}(s) {which}: a constant input carries no "
                         "information and makes the covariance singular; drop it (the advisor fits an "
                         "intercept)")
    Z = (A - A.mean(0)) / sd
    n, d = A.shape
    C = Z.T @ Z / n if d <= max(n, 256) else None  # the d x d correlations, unless larger than the data
    pair = _duplicated_pair(Z, C)
    if pair is not None:
        i, j = pair
        raise ValueError(f"{name} has duplicated (perfectly correlated) {what}s: {_col(i, names)} and "
                         f"{_col(j, names)}; drop one of them")
    if n > d + 1:  # more centred rows than columns: full rank unless collinear
        lam, V = np.linalg.eigh(0.5 * (C + C.T))
        if lam[0] < 1e-10 * lam[-1]:
            v = np.abs(V[:, 0])
            idx = np.flatnonzero(v > 1e-3 * v.max())
            idx = idx[np.argsort(-v[idx], kind="stable")]  # the largest weight first: often the one to drop
            shown = _some([names[j] for j in idx] if names else idx.tolist(), 8)
            cols = shown if names else f"{shown} (counting from 0)"
            cond = np.sqrt(lam[-1] / max(lam[0], 1e-300))
            how = f"condition number {cond:.2g} > 1e5" if cond < 1e15 else "exactly, up to rounding"
            raise ValueError(f"{name} has linearly dependent {what}s {cols}, largest weight in the combination "
                             f"first: one is a combination of the others ({how}; the covariance is singular); drop "
                             "one of them")


def _duplicated_pair(Z, C=None, eps=1e-10):
    """A pair ``(i, j)``, ``i < j``, of columns of ``Z`` (centred, each with squared norm ``n``) whose
    correlation exceeds ``1 - eps`` in magnitude (the first one if their correlations ``C`` are given), or
    None. Without ``C`` the candidates are neighbours in the sorted ``|Z_j . g|`` (``g`` a fixed unit vector:
    such a pair differs there by at most ``sqrt(2 n eps)``), each checked exactly: memory and time O(n d)
    instead of the d x d correlations (20000 columns: 3.2 GB for them and as much for each temporary)."""
    n, d = Z.shape
    if C is not None:
        iu = np.argwhere(np.triu(np.abs(C) > 1 - eps, 1))
        return tuple(int(v) for v in iu[0]) if iu.size else None
    g = np.random.default_rng(0).standard_normal(n)
    key = np.abs(g @ Z) / np.linalg.norm(g)
    order = np.argsort(key, kind="stable")
    ks = key[order]
    tol = 1.01 * np.sqrt(2.0 * n * eps) + 1e-12 * max(float(ks[-1]), 1.0)
    found = []
    for m in range(1, d):
        near = np.flatnonzero(ks[m:] - ks[:-m] <= tol)
        if not near.size:
            break
        a, b = order[near], order[near + m]
        for lo in range(0, a.size, 4096):  # exact correlations of the candidates, a few thousand at a time
            i, j = a[lo:lo + 4096], b[lo:lo + 4096]
            c = np.einsum("ij,ij->j", Z[:, i], Z[:, j]) / n
            hit = np.abs(c) > 1 - eps
            found += zip(np.minimum(i, j)[hit].tolist(), np.maximum(i, j)[hit].tolist())
        if found:
            return min(found)
    return None


def _labels(index):
    """The labels of a pandas index as strings, None for the default positions 0, 1, ..., n-1."""
    import pandas as pd

    return None if index.equals(pd.RangeIndex(len(index))) else [str(c) for c in index]


def _same_rows(X, v, name):
    """``ValueError`` if ``X`` and ``v`` are pandas objects whose rows are paired by position although their
    indexes disagree: the same labels in another order, or two indexes that are neither the default 0..n-1
    (a table rebuilt from an array, e.g. after scaling, keeps the default index and pairs by position)."""
    if not (_is_pandas(X) and _is_pandas(v)) or len(X.index) != len(v.index) or X.index.equals(v.index):
        return  # (a length mismatch is reported by the shape check)
    import pandas as pd

    default = [idx.equals(pd.RangeIndex(len(idx))) for idx in (X.index, v.index)]
    if any(default) and set(X.index) != set(v.index):
        return
    i = int(np.flatnonzero(np.asarray(X.index != v.index))[0])
    where = f"at position {i} X has row {X.index.tolist()[i]!r} and {name} has {v.index.tolist()[i]!r}"
    raise ValueError(f"{name}'s index differs from X's ({where}): expected the same rows in the same order; "
                     f"align them ({name}.loc[X.index]) or pass arrays (.to_numpy())")


def _is_pandas(v):
    return hasattr(v, "index") and hasattr(v, "iloc")


def _align_weights(w, labels, features, what):
    """Weights ``w`` in the order of ``features``: when they carry ``labels`` (names from a table; None or the
    default positions 0, 1, ..., d-1 for unlabelled weights) and the features have names, every feature must
    be named exactly once and the weights are reordered by name; only unlabelled weights are used by
    position (labels that name no feature are an error, not a fallback to position)."""
    if labels is None or not features or len(labels) != len(w) or labels == [str(j) for j in range(len(w))]:
        return w  # (a length mismatch is reported by the caller's shape check)
    dup = sorted({c for c in labels if labels.count(c) > 1})
    missing = [c for c in features if c not in labels]
    extra = [c for c in labels if c not in features]
    if dup or missing or extra:
        what_is_wrong = "; ".join(t for t in (dup and f"names {_some(dup)} more than once",
                                               missing and f"lacks feature(s) {_some(missing)}",
                                               extra and f"names {_some(extra)}, not a feature") if t)
        raise ValueError(f"{what} {what_is_wrong}: expected one weight for each feature column of the target "
                         f"({_listing(features)}), matched by name (weights with labels are never used by position: "
                         + ("save them without the labels" if what.startswith("weights file") else
                            "drop the labels, e.g. .to_numpy(),") + " to use them in the order given)")
    order = {c: i for i, c in enumerate(labels)}
    return w[[order[c] for c in features]]


def _some(names, k=5) -> str:
    """``['a', 'b'] (2)`` style: the first ``k`` of ``names`` as a list, then how many there are in all when more."""
    names = list(names)
    return f"{names[:k]}" + (f" and {len(names) - k} more ({len(names)} in all)" if len(names) > k else "")


def _listing(names, head=5, tail=3):
    """``a, b, c, ..., y, z``: the first and last names of a long list (each cut to 40 characters)."""
    names = [str(c) if len(str(c)) <= 40 else str(c)[:37] + "..." for c in names]
    if len(names) <= head + tail + 1:
        return ", ".join(names)
    return ", ".join(names[:head] + ["..."] + names[-tail:])


def _warn_row_numbers(X, names):
    """``UserWarning`` for a column holding the row numbers 0..n-1 or 1..n: a row id or an index saved
    as a column (pandas' ``Unnamed: 0``), which the advisor would otherwise use as a feature silently."""
    import warnings

    n = X.shape[0]
    for j in range(X.shape[1] if n >= 10 else 0):
        if X[0, j] in (0.0, 1.0) and np.array_equal(X[:, j], np.arange(n) + X[0, j]):
            first, last = X[0, j], X[-1, j]
            hint = f" (ftheory advise: --ignore '{names[j]}')" if names else ""
            warnings.warn(f"feature {_col(j, names)} holds the row numbers {first:g}, {first + 1:g}, ..., {last:g}: "
                          f"it is used as a feature; drop it if it is a row id or an index saved as a column{hint}",
                          UserWarning, stacklevel=4)


def _one_row(unlabeled):
    """``ValueError`` when ``unlabeled`` is one-dimensional (one row, or one column, of a pool that must be 2-d)."""
    try:
        shape = np.shape(unlabeled)
    except ValueError:                  # ragged: left to the input checks
        return
    if unlabeled is not None and len(shape) == 1:
        raise ValueError(f"unlabeled has shape {shape}: a 1-d vector (one row?); expected a 2-d (N, d) array of N "
                         "unlabeled rows with X's d columns (one row is far too few: at least d + 6 rows)")


def check_inputs(X, y, source_pred=None, source_weights=None, unlabeled=None, min_rows=3):
    """Validated float arrays ``(X, y, z, unlabeled)``; ``z`` is the pretrained prediction on ``X``
    (tables name their columns in the messages; at least ``min_rows`` rows). With pandas objects, rows
    are paired by position unless their indexes show a reordering (an error), an unlabeled table and
    weights labelled by feature name are matched to X's columns by name, and a column holding the row
    numbers 0..n-1 or 1..n warns."""
    _one_row(unlabeled)  # before _matrix: a 1-d unlabeled is named as one row
    for key, v in (("X", X), ("y", y), ("source_pred", source_pred), ("source_weights", source_weights),
                   ("unlabeled", unlabeled)):
        _reject_text(key, v)  # before any conversion: no input's text is converted silently
    names, unames = _names(X), _names(unlabeled)
    y_name = str(y.name) if getattr(y, "name", None) is not None else None
    for key, v in (("y", y), ("source_pred", source_pred)):
        _same_rows(X, v, key)
    if names is not None and _is_pandas(source_weights):  # a Series or table labelled by feature name
        one_row = getattr(source_weights, "ndim", 1) == 2 and source_weights.shape[0] == 1
        labels = [str(c) for c in source_weights.columns] if one_row else _labels(source_weights.index)
        try:
            source_weights = _align_weights(source_weights.to_numpy(dtype=float, na_value=np.nan).ravel(),
                                            labels, names, "source_weights")
        except (TypeError, ValueError) as exc:
            if "source_weights" in str(exc):
                raise  # (values that are not numbers are reported by the vector check below)
    if names is not None and unames is not None and unames != names:
        # two tables: match the unlabeled columns to the features by name, not by position
        missing = [c for c in names if c not in unames]
        extra = [c for c in unames if c not in names]
        if missing:
            raise ValueError(f"unlabeled lacks feature column(s) {_some(missing)} of X: expected X's columns")
        if extra:
            raise ValueError(f"unlabeled has column(s) {_some(extra)} that are not a feature of X: drop them")
        unlabeled = unlabeled.set_axis(unames, axis=1)[names]  # names as strings: 0 and "0" are one name
        unames = names
    X = _matrix("X", X)
    n, d = X.shape
    if n < min_rows:
        raise ValueError(f"X has n={n} rows: expected at least {min_rows}"
                         + (" (3 centred rows once the intercept is fitted)" if min_rows == 4 else ""))
    if d < 1:
        raise ValueError("X has no columns: expected at least one feature")
    if np.ndim(y) == 1 and len(y) == d != n:
        raise ValueError(f"y has {len(y)} entries but X has {n} rows and {d} columns: shapes must match (is X "
                         "transposed? expected one row per sample, X.T)")
    y = _vector("y", y, n)
    _check_columns("X", X, names=names)
    _warn_row_numbers(X, names)
    if np.std(y) <= 1e-12 * max(np.abs(y).max(), 1e-300):
        raise ValueError(f"y is constant (every entry {y[0]:.6g}): expected labels that vary; there is nothing "
                         "to predict")
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
    j = names.index(y_name) if names and y_name in names else None  # the whole table passed as X
    if j is not None and np.array_equal(X[:, j], y):
        raise ValueError(f"X {_col(j, names)} is y itself: the label is among the features (a leak); drop it from X")
    if z is not None and np.std(z) <= 1e-12 * max(np.abs(z).max(), 1e-300):
        who = "source_pred" if source_weights is None else "X @ source_weights"
        raise ValueError(f"{who} is constant: the pretrained predictor is constant on the target inputs (every "
                         f"prediction {z[0]:.6g}): expected predictions that vary; a constant carries no feature "
                         "to transfer")
    if z is not None and abs(np.corrcoef(y, z)[0, 1]) > 1 - 1e-12:
        raise ValueError("source_pred is y itself, up to scale and shift (correlation 1 with the labels): the "
                         "pretrained predictions must come from a model not fitted to these labels (in-sample "
                         "predictions of a model trained on them?); noise-free labels that a pretrained model "
                         "predicts exactly leave nothing to advise" if source_weights is None else
                         "X @ source_weights is y itself, up to scale and shift (correlation 1 with the labels): "
                         "the weights fit these labels exactly (fitted to them?); expected weights of a model "
                         "trained on other data")
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
