"""The report plot of docs/advisor.md: a synthetic isotropic task with known truth.

    PYTHONPATH=. python benchmarks/advisor_report_figure.py [target.csv]

With a path, the same sample is also written as the CSV of the docs' CLI example (columns x0..x99,
y, pretrained = the pretrained model's predictions). The figure goes to docs/images/advisor_report.png
of this repository whatever the current folder.
"""
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402

from ftheory.advise import advise  # noqa: E402
from ftheory.advise.synthetic import make_task  # noqa: E402

task = make_task(d=100, theta=0.9, sigma=0.6, seed=7)
X, y = task.sample(60, np.random.default_rng(8))
if len(sys.argv) > 1:
    import pandas as pd
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    df["y"], df["pretrained"] = y, X @ task.beta_s
    df.to_csv(sys.argv[1], index=False, float_format="%.17g")
rep = advise(X, y, source_weights=task.beta_s)
rep.plot(path=Path(__file__).resolve().parents[1] / "docs" / "images" / "advisor_report.png")
print(rep.summary())
print(json.dumps(rep.to_dict(), indent=1))
print("truth:", {k: round(float(v), 4) for k, v in task.truth().items()})
