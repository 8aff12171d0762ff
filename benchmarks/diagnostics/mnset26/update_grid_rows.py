"""Write the adopted rule's min-norm columns into the saved grid rows (docs/advisor_band_coverage.json): for each
both.py grid row, the saved row of the same setting and stream (rep seeds) must agree with both.py's former-rule
columns count for count (every column); its two min-norm columns are then replaced by the candidate's
(``@set_low``: the adopted rule's bands bit for bit, both.py's docstring). Rows touched get ``"min_norm_rule":
"set_low"``.

    python benchmarks/diagnostics/mnset26/update_grid_rows.py docs/advisor_band_coverage.json BOTH.json...
"""
import json
import sys

CAND = "@set_low"
MN = ("scratch_min_norm", "finetune_min_norm")
KEYS = ("coverage", "truth_below_band", "truth_above_band", "counted")


def counts(r, k):
    n = r["counted"][k]
    return round(r["truth_below_band"][k] * n), round(r["truth_above_band"][k] * n), n


path, news = sys.argv[1], sys.argv[2:]
rows = json.load(open(path))
done = 0
for p in news:
    for new in json.load(open(p)):
        if new.get("kind") != "grid":
            continue
        match = [r for r in rows if r["setting"] == list(new["setting"]) and r.get("stream", 0) == new["stream"]
                 and r.get("advisor_seeds") == "rep"]
        if len(match) != 1:
            raise SystemExit(f"{p}: {len(match)} saved rows match")
        old = match[0]
        bad = [k for k in old["counted"] if counts(old, k) != counts(new, k)]
        if bad:
            raise SystemExit(f"{p}: saved row differs from both.py's former-rule columns in {bad}")
        for k in MN:
            for key in KEYS:
                old[key][k] = new[key][k + CAND]
        old["min_norm_rule"] = "set_low"
        done += 1
with open(path, "w") as fh:
    json.dump(rows, fh, indent=1)
print(done, "rows updated")
