"""Is the bootstrap's law of (U_y, S_y) the law of the real data's statistics at index 6? Two-sample KS tests
and moments: the estimates of accept.py's data sets (streams 10, 11) against 16000 exact draws (Worlds seed 5)
at the true (tau^2, sigma^2).

    PYTHONPATH=. python benchmarks/diagnostics/sig19/law_check.py acc_6_s10.json acc_6_s11.json
"""
import json
import sys

import numpy as np
from scipy.stats import ks_2samp

from ftheory.advise.bootstrap import BUDGET, Worlds

P = np.array([r["p"] for f in sys.argv[1:] for r in json.load(open(f))["recs"]])
T = np.column_stack([P[:, 0], P[:, 0] + P[:, 1]])
W = Worlds(29, 60, 1199, len(T), 5, budget=BUDGET * 100)
D = W.draws_at([1.0, 0.25, 0.7648421872844885, 1.0])
Ts = np.column_stack([D[:, 0], D[:, 0] + D[:, 1]])
for k, name in enumerate(("U_y", "S_y")):
    a, b = T[:, k], Ts[:, k]
    print(f"{name}: data mean {a.mean():.4f} sd {a.std():.4f} skew {np.mean((a - a.mean()) ** 3) / a.std() ** 3:.3f} | "
          f"draws mean {b.mean():.4f} sd {b.std():.4f} skew {np.mean((b - b.mean()) ** 3) / b.std() ** 3:.3f} | "
          f"KS p = {ks_2samp(a, b).pvalue:.3f}")
print(f"corr data {np.corrcoef(T.T)[0, 1]:.4f} draws {np.corrcoef(Ts.T)[0, 1]:.4f}; n = {len(T)}")
