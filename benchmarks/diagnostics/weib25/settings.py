"""weib25: the six random off-grid settings of the T_ft check (drawn before their runs; seed 2512), printed as
``[d, gamma, theta, sigma, spectrum, task seed]``; each was run as
``PYTHONPATH=. python benchmarks/diagnostics/weib25/both.py "(d, gamma, theta, sigma, spectrum)" SEED 250 OUT.json``."""
import json

import numpy as np

rng = np.random.default_rng(2512)
S = []
for i in range(6):
    d = int(rng.choice([40, 60, 80, 100]))
    g = round(float(rng.uniform(0.25, 0.8)), 2)
    th = round(float(rng.uniform(0.3, 1.4)), 2)
    sg = round(float(rng.uniform(0.2, 1.0)), 2)
    sp = str(rng.choice(["1/i", "two-level"]))
    S.append([d, g, th, sg, sp, 910 + i])
print(json.dumps(S))
