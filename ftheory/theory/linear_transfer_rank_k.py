"""Linear transfer onto k frozen features: the exact expected risk of the rank-k read-out
(docs/background.md §4.5), the scratch problem of §3.3 in k dimensions."""
from __future__ import annotations

import sympy as sp

from ftheory.result import expr_of, register
from ftheory.theory._symbols import d, k, norm_t, residual, sigma


@register("linear_transfer_risk_rank_k", params=("n", "k", "residual", "sigma"), status="EXT",
          reference="docs/background.md §4.5", topic="linear_transfer",
          summary="Exact expected risk of least squares on k frozen orthonormal features (unit target teacher, "
                  "a part `residual` of it outside their span): the scratch problem of §3.3 in k dimensions "
                  "with label noise sigma^2 + residual, plus the residual; +inf at |n - k| <= 1 unless "
                  "sigma^2 + residual = 0.")
def linear_transfer_risk_rank_k():
    # With Z = X U (n x k Gaussian, T5) and eta = X (I - U U^T) beta_t + eps ~ N(0, (residual + sigma^2) I)
    # independent of Z, the read-out is min-norm regression of the in-span teacher U^T beta_t (norm^2
    # 1 - residual) from Z with noise variance sigma^2 + residual: §3.3 with d -> k.
    inner = expr_of("scratch_risk_finite")
    noise = sp.sqrt(sigma ** 2 + residual)
    base = inner.xreplace({d: k, sigma: noise, norm_t: sp.sqrt(1 - residual)})
    pieces = []
    for value, cond in base.args:
        if cond == sp.Eq(noise, 0):
            cond = sp.Eq(sigma ** 2 + residual, 0)
        pieces.append((value + residual if not value.is_infinite else value, cond))
    return sp.Piecewise(*pieces)
