"""``ftheory advise``: will pretraining help on my data? (docs/advisor.md)

    ftheory advise --target FILE --label COLUMN (--source-pred COLUMN | --source-weights FILE)
                   [--unlabeled FILE] [--ignore COLUMN[,COLUMN...]] [--json] [--plot OUT.png]
"""
from __future__ import annotations

import json
import sys
import warnings


def add_parser(sub):
    """Register the ``advise`` subcommand on the argparse sub-parsers ``sub``."""
    p = sub.add_parser("advise", help="will pretraining help on my data? estimates, predicted risks, recommendation",
                       description="Reads a target table (CSV, Parquet or NPZ) with a label column and the "
                       "pretrained model's predictions (a column) or weights (a file of d numbers), estimates "
                       "noise, signal and overlap with 95% intervals, predicts the risks of training from "
                       "scratch, a linear probe and fine-tuning, and recommends one. Bad input is one line and exit "
                       "status 2. See docs/advisor.md.")
    p.add_argument("--target", required=True, metavar="FILE",
                   help="target table (.csv/.txt, .parquet/.pq or .npz): the label, the feature columns and, "
                   "with --source-pred, the predictions; a first CSV column with an empty header is the row index")
    p.add_argument("--label", required=True, metavar="COLUMN", help="label column of the target table")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--source-pred", dest="source_pred", metavar="COLUMN",
                   help="column of the target table holding the pretrained model's predictions")
    g.add_argument("--source-weights", dest="source_weights", metavar="FILE",
                   help="pretrained linear weights (.npy, .csv/.txt, .parquet or .npz): d numbers in the order of "
                   "the feature columns, one per line or all on one line; weights labelled by feature name (a "
                   "pandas Series saved with its index, a name,weight table) are matched by name, and every label "
                   "must then name a feature; a first line of a text file is a header only if it is names")
    p.add_argument("--unlabeled", metavar="FILE",
                   help="unlabeled inputs: the target's feature columns in any order (its label and prediction "
                   "columns are ignored, any other column is an error); selects the anisotropic theory")
    p.add_argument("--ignore", action="append", default=[], metavar="COLUMN[,COLUMN...]",
                   help="columns of the target (and unlabeled) table that are not features, e.g. a row id or "
                   "another model's predictions: skipped (repeatable; comma-separated names)")
    p.add_argument("--json", action="store_true",
                   help="print the JSON summary (n, d, estimates, predictions, recommendation, crossover_n: "
                   "the integer n from which tuned scratch stays ahead of transfer, null if not by n_max) "
                   "instead of the text report; the report's flags that question the predictions (correlated features, "
                   "few unlabeled rows, few-valued labels, unbounded bands) go to stderr, one line each, and so does a "
                   "recommendation that is not resolved at 95%% (by point estimate only)")
    p.add_argument("--plot", metavar="OUT.png", help="also write the risk curves with 95%% bands to this image file "
                   "(the report's flags, if any, listed under the axes)")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the simulated data sets behind the intervals and bands (an integer >= 0, default 0): "
                   "the report is a deterministic function of the files for a given seed; another seed moves the "
                   "ends by their Monte Carlo error only")
    p.set_defaults(func=run)
    return p


def run(ns):
    """Run ``ftheory advise`` for parsed arguments ``ns``; bad input raises ``ValueError`` (exit 2)."""
    from ftheory.advise import advise
    from ftheory.advise.files import load_target, load_unlabeled, require_pandas
    from ftheory.advise.weights_file import read_weights

    require_pandas()
    if ns.plot:
        _check_plot_path(ns.plot)
    # "a, b": names of a comma-separated list lose the spaces around them (a single name is kept exactly)
    ignore = [c.strip() if "," in arg else c for arg in ns.ignore for c in arg.split(",") if c.strip()]
    # X and U are tables: a constant, duplicated or collinear column is named in the message
    try:
        X, y, z = load_target(ns.target, ns.label, ns.source_pred, ignore=ignore)
    except MemoryError as exc:  # a table larger than the free memory: one line, not a traceback
        raise ValueError(_no_memory(f"reading the target {ns.target!r}", exc)) from None
    feats = list(X.columns)
    w = read_weights(ns.source_weights, len(feats), feats) if ns.source_weights else None
    skip = (ns.label, ns.source_pred, *ignore)
    try:
        U = load_unlabeled(ns.unlabeled, feats, ignore=skip) if ns.unlabeled else None
    except MemoryError as exc:
        raise ValueError(_no_memory(f"reading the unlabeled file {ns.unlabeled!r} (d = {len(feats)} features)",
                                    exc)) from None
    with warnings.catch_warnings(record=True) as caught:  # e.g. a row-id column: one line each on stderr
        warnings.simplefilter("always")
        try:
            rep = advise(X, y, source_pred=z, source_weights=w, unlabeled=U, seed=ns.seed)
        except ValueError as exc:
            raise ValueError(_in_file_terms(str(exc), ns)) from None
        except MemoryError as exc:  # e.g. d x d covariances with very many features and unlabeled rows
            raise ValueError(_no_memory(f"the target {ns.target!r} (n = {X.shape[0]} rows, d = {len(feats)} features)",
                                        exc)) from None
    shown = [c for c in caught if not issubclass(c.category, (DeprecationWarning, PendingDeprecationWarning))]
    for text in _warning_lines(shown):
        print(f"ftheory: warning: {text}", file=sys.stderr)
    if ns.json:  # the JSON's keys are fixed: the flags that question the predictions go to stderr
        for text in _validity_flags(rep):
            print(f"ftheory: flag: {text}", file=sys.stderr)
        if not rep.resolved:  # the JSON has no field for it (its keys are fixed)
            print(f"ftheory: note: recommendation {' '.join(rep.strength.split())}", file=sys.stderr)
    if ns.plot:
        import matplotlib
        matplotlib.use("Agg")
        rep.plot(path=ns.plot)
    print(json.dumps(rep.to_dict(), indent=2) if ns.json else rep.summary())
    return 0


def _no_memory(what, exc):
    """The one-line message for a ``MemoryError`` ``exc`` raised by ``what``; its text in parentheses if it has one."""
    why = f" ({exc})" if str(exc) else ""
    return (f"{what} needs more memory than is free{why}: reduce the features (a selection or a projection) or the "
            "rows, or run on a machine with more memory")


def _in_file_terms(message, ns):
    """A message of ``ftheory.advise`` that starts with a parameter name (``X has n=3 rows``, ``y is constant``,
    ``unlabeled has 10 rows``) restated with the file or column the user gave for it."""
    names = [("X @ source_weights", f"the predictions of the weights file {ns.source_weights!r}"),
             ("X", f"the target {ns.target!r}"), ("y", f"label column {ns.label!r}"),
             ("source_pred", f"source-pred column {ns.source_pred!r}"),
             ("source_weights", f"weights file {ns.source_weights!r}"), ("unlabeled", f"unlabeled file {ns.unlabeled!r}")]
    for name, user in names:
        if message.startswith(name + " ") or message.startswith(name + ":"):
            message = user + message[len(name):]
            return message.replace(" is y itself", f" is label column {ns.label!r} itself", 1)
    return message


def _validity_flags(rep):
    """The report's FLAG lines that question its predictions (correlated features without unlabeled inputs,
    few unlabeled rows, few-valued labels, unbounded bands), one line each; not those that only say an
    estimate's value is shown at the nearest possible task ("signal: the unbiased estimate ...")."""
    return [" ".join(str(t).split()) for t in rep.flags
            if not any(str(t).startswith(f"{k}: the unbiased estimate") for k in rep.estimates)]


def _check_plot_path(path):
    """``ValueError`` naming ``--plot`` unless ``path`` is a new or existing image file matplotlib can write
    (checked before the work: matplotlib would add ``.png`` to a name without an extension)."""
    import os

    from matplotlib.figure import Figure

    formats = sorted(Figure().canvas.get_supported_filetypes())
    ext = os.path.splitext(path)[1].lower().lstrip(".")
    if os.path.isdir(path):
        raise ValueError(f"--plot {path!r} is a folder: expected an image file name such as advice.png")
    if ext not in formats:
        raise ValueError(f"--plot {path!r} has extension {('.' + ext) if ext else 'none'}: expected one of "
                         + ", ".join("." + f for f in formats) + " (e.g. advice.png)")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise ValueError(f"--plot {path!r}: folder {parent!r} does not exist")


def _warning_lines(caught):
    """One line per distinct warning (its first line); NumPy's floating-point warnings ("overflow
    encountered in multiply"), whose text alone does not say what they concern, become one line naming
    where they arose."""
    import os

    lines, numeric = {}, {}
    for w in caught:
        text = (str(w.message).splitlines() or [""])[0]
        if issubclass(w.category, RuntimeWarning) and " encountered in " in text:
            numeric.setdefault(f"{os.path.basename(str(w.filename))}:{w.lineno}: {text}", None)
        else:
            lines.setdefault(text, None)
    if numeric:
        where = list(numeric)
        more = f"; {len(where) - 2} more" if len(where) > 2 else ""
        lines[(f"{len(where)} numerical warning(s) inside ftheory ({'; '.join(where[:2])}{more}): the report "
               "may be unreliable; please report it with the shape of your data")] = None
    return list(lines)
