"""tftune28: a screen of the tuned fine-tuning lower end over the profiles, from screen.py's records: the report's
band (base) against the same band with its lower end the lowest of the fitted profile's and the whitened-even and
coordinate-even profiles' ray ends (``lo_profiles``; the upper end already takes the largest over them). Misses below /
above per record and pooled.

    python benchmarks/diagnostics/tftune28/ana_screen.py REC.json [REC.json ...]
"""
import json
import math
import sys

import numpy as np

tot = np.zeros(5, int)
for f in sys.argv[1:]:
    r = json.load(open(f))
    t = r["truth"]["finetune_ridge"]
    if not math.isfinite(t):
        continue
    base_b = base_a = cand_b = 0
    for x in r["reps"]:
        v, lo, hi = x["ivs"]["finetune_ridge"]
        ends = [x["ends"][k][0] for k in ("finetune_1", "finetune_2", "finetune_3") if k in x["ends"]]
        alt = [e for e in ends if e == e]          # NaN: the ray gives no end there
        lo_c = min([lo] + alt) if len(alt) == len(ends) else lo
        base_b += t < lo
        base_a += t > hi
        cand_b += t < lo_c
    N = len(r["reps"])
    tot += [base_b, base_a, cand_b, N, 0]
    tag = {"grid": "", "offgrid": "o", "heldout": "h"}[r["set"]] + str(r["index"])
    print(f"{tag}: base {base_b} / {base_a} ({1 - (base_b + base_a) / N:.3f}); lo_profiles {cand_b} / {base_a} "
          f"({1 - (cand_b + base_a) / N:.3f}) of {N}")
b, a, c, N, _ = tot
print(f"pooled: base {b} / {a} ({1 - (b + a) / N:.4f}); lo_profiles {c} / {a} ({1 - (c + a) / N:.4f}) of {N}")
