"""A pool of few unlabeled rows: the anisotropic risk estimates degenerate (bands [0, 0] or [0, nan]); the advisor
refuses with a ValueError naming ``unlabeled`` instead of reporting a risk of 0 (docs/advisor.md, Limits)."""
import warnings

import numpy as np
import pytest

import ftheory


def _task(N, seed=5, n=80, d=40):
    rng = np.random.default_rng(seed)
    bt = rng.normal(size=d) / np.sqrt(d)
    bs = bt + 0.5 * rng.normal(size=d) / np.sqrt(d)
    X = rng.normal(size=(n, d))
    y = X @ bt + 0.6 * rng.normal(size=n)
    return X, y, bs, rng.normal(size=(N, d))


def test_degenerate_pool_is_refused_naming_unlabeled():
    X, y, bs, U = _task(60)                    # 1.5 d rows: the tuned risks came out exactly 0 [0, 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match=r"^unlabeled: 59 effective rows are too few .* d = 40"):
            ftheory.advise(X, y, source_weights=bs, unlabeled=U)


def test_pool_of_four_d_rows_is_accepted_with_positive_tuned_risks():
    X, y, bs, U = _task(160)
    rep = ftheory.advise(X, y, source_weights=bs, unlabeled=U)
    for k in ("scratch_ridge", "finetune_ridge"):
        assert rep.predictions[k].high > 0 and rep.predictions[k].value > 0
