"""The report plot of docs/advisor.md: a synthetic isotropic task with known truth.

    PYTHONPATH=. python benchmarks/advisor_report_figure.py
"""
import json

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402

from ftheory.advise import advise  # noqa: E402
from ftheory.advise.synthetic import make_task  # noqa: E402

task = make_task(d=100, theta=0.9, sigma=0.6, seed=7)
X, y = task.sample(60, np.random.default_rng(8))
rep = advise(X, y, source_weights=task.beta_s)
rep.plot(path="docs/images/advisor_report.png")
print(rep.summary())
print(json.dumps(rep.to_dict(), indent=1))
print("truth:", {k: round(v, 4) for k, v in task.truth().items()})
