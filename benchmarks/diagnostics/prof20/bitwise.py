"""Reports of ftheory.advise on tasks off the exact-cut path (and on it) as JSON digests: run with PYTHONPATH at
the base and at the branch, compare the printed digests (equal off the exact-cut path)."""
import hashlib
import numpy as np
import ftheory
from ftheory.advise.synthetic import make_task

cases = [  # d, theta, sigma, n, unlabeled factor, spectrum, seed
    (40, 0.7, 0.5, 150, 0, None, 1),      # isotropic, n > 100: regression region
    (60, 0.6, 0.8, 240, 0, None, 2),      # isotropic, n > 100
    (30, 0.8, 0.5, 60, 20, "1/i", 3),     # anisotropic below 100 rows
    (60, 0.7, 0.5, 30, 20, "1/i", 4),     # anisotropic below n = d
    (20, 0.8, 1.0, 80, 20, "two", 5),     # anisotropic above n = d
    (60, 0.5, 1.0, 19, 0, None, 6),       # isotropic exact cut (changes)
]
for d, th, sg, n, k, spec, seed in cases:
    ev = None if spec is None else (np.arange(1, d + 1) ** -1.0 if spec == "1/i" else np.where(np.arange(d) < d // 5, 10.0, 1.0))
    t = make_task(d, th, sg, eigenvalues=ev, seed=seed)
    rng = np.random.default_rng(seed)
    X, y = t.sample(n, rng)
    U = t.sample(k * d, rng)[0] if k else None
    r = ftheory.advise(X, y, X @ t.beta_s, unlabeled=U, grid_size=12)
    js = r.to_json()
    print(d, th, sg, n, k, spec, hashlib.sha256(js.encode()).hexdigest()[:16], flush=True)
