"""``ftheory advise``: will pretraining help on my data? (docs/advisor.md)

    ftheory advise --target FILE --label COLUMN (--source-pred COLUMN | --source-weights FILE)
                   [--unlabeled FILE] [--json] [--plot OUT.png]
"""
from __future__ import annotations

import json


def add_parser(sub):
    """Register the ``advise`` subcommand on the argparse sub-parsers ``sub``."""
    p = sub.add_parser("advise", help="will pretraining help on my data? estimates, predicted risks, recommendation",
                       description="Reads a target table (CSV, Parquet or NPZ) with a label column and the "
                       "pretrained model's predictions (a column) or weights (a file of d numbers), estimates "
                       "noise, signal and overlap with 95% intervals, predicts the risks of training from "
                       "scratch, a linear probe and fine-tuning, and recommends one. See docs/advisor.md.")
    p.add_argument("--target", required=True, metavar="FILE", help="target table: feature columns and the label")
    p.add_argument("--label", required=True, metavar="COLUMN", help="label column of the target table")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--source-pred", dest="source_pred", metavar="COLUMN",
                   help="column of the target table holding the pretrained model's predictions")
    g.add_argument("--source-weights", dest="source_weights", metavar="FILE",
                   help="pretrained linear weights on the same features (d numbers)")
    p.add_argument("--unlabeled", metavar="FILE", help="unlabeled inputs with the same feature columns "
                   "(selects the anisotropic theory)")
    p.add_argument("--json", action="store_true", help="print the JSON summary")
    p.add_argument("--plot", metavar="OUT.png", help="write the risk curves with 95%% bands")
    p.set_defaults(func=run)
    return p


def run(ns):
    """Run ``ftheory advise`` for parsed arguments ``ns``; bad input raises ``ValueError`` (exit 2)."""
    from ftheory.advise import advise
    from ftheory.advise.io import load_target, load_unlabeled, read_weights

    import pandas as pd

    X, y, z, feats = load_target(ns.target, ns.label, ns.source_pred)
    w = read_weights(ns.source_weights, X.shape[1]) if ns.source_weights else None
    U = load_unlabeled(ns.unlabeled, feats, ignore=(ns.label, ns.source_pred)) if ns.unlabeled else None
    # tables, so that a constant, duplicated or collinear column is named in the message
    X = pd.DataFrame(X, columns=feats)
    U = pd.DataFrame(U, columns=feats) if U is not None else None
    rep = advise(X, y, source_pred=z, source_weights=w, unlabeled=U)
    if ns.plot:
        import matplotlib
        matplotlib.use("Agg")
        rep.plot(path=ns.plot)
    print(json.dumps(rep.to_dict(), indent=2) if ns.json else rep.summary())
    return 0
