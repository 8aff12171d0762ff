"""advise() on 7 tasks: to_json sha256, transferability triples, summary. python bitwise.py OUT.json"""
import sys, json, hashlib, numpy as np
import ftheory
from ftheory.advise.synthetic import make_task
out = {}
tasks = [("iso_above", 30, 75, None), ("iso_below", 60, 30, None), ("inv_above", 60, 120, "1/i"),
         ("two_above", 60, 150, "two"), ("inv_below30", 60, 30, "1/i"), ("two_below30", 60, 30, "two"),
         ("inv_below18", 60, 18, "1/i")]
for name, d, n, spec in tasks:
    ev = None if spec is None else (np.arange(1, d+1)**-1.0 if spec == "1/i" else np.where(np.arange(d) < d//5, 10.0, 1.0))
    t = make_task(d, 0.7, 0.5, eigenvalues=ev, seed=11)
    rng = np.random.default_rng(3)
    X, y = t.sample(n, rng)
    U = t.sample(20*d, rng)[0] if spec else None
    rep = ftheory.advise(X, y, source_pred=X @ t.beta_s, unlabeled=U)
    js = rep.to_json()
    tr = {k: [iv.value, iv.low, iv.high] for k, iv in rep.transferability.items()} if hasattr(rep, "transferability") else None
    out[name] = {"sha": hashlib.sha256(js.encode()).hexdigest(), "T": tr, "summary": rep.summary()}
    print(name, out[name]["sha"][:12], tr, flush=True)
json.dump(out, open(sys.argv[1], "w"), indent=1, default=str)
