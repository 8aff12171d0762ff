"""tfc29, rule condition 4: the first N data sets of a run.py record through the report with
``ScalePivot.tuned_low = "profiles"``; every column but tuned fine-tuning must equal the record's intervals, and
tuned fine-tuning's lower end must equal ana.py's offline C2 end where that is above 0 (the pivot's lower ends are
clipped at 0 in the library; below 0 both are below every truth).

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/diagnostics/tfc29/check.py REC.json N [--c1]

``--c1``: the report under ``ParameterEstimates.distance = "residual"`` instead; tuned fine-tuning must equal ana.py's
offline C1 interval and the transferabilities the record's ``c1_T`` where it has one (run.py's second report), else
the rule in use's; every other column identical.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import advisor_band_coverage as b  # noqa: E402
from ana import capped, intervals, report_intervals  # noqa: E402
from ftheory.advise.aniso_pivot import ScalePivot  # noqa: E402
from ftheory.advise.estimators import ParameterEstimates  # noqa: E402


def main():
    rec, N = json.load(open(sys.argv[1])), int(sys.argv[2])
    c1 = "--c1" in sys.argv[3:]
    if c1:
        ParameterEstimates.distance = "residual"
    else:
        ScalePivot.tuned_low = "profiles"
    setting, seed = b.setting_at(rec["set"], rec["index"])
    bad = moved = 0
    for (rep, prep, pe), x in zip(b.datasets(setting, seed, N, rec["stream"], 20, "rep"), rec["reps"]):
        assert rep == x["rep"]
        ivs = report_intervals(prep, pe)
        for k, iv in ivs.items():
            want = list(x["ivs"][k])
            if c1:
                if k == "finetune_ridge":
                    want = list(capped(x["uncapped"], x["distance"]["residual"][1]))
                elif k.startswith("T_") and "c1_T" in x:
                    want = list(x["c1_T"][k])
            elif k == "finetune_ridge":
                lo_c = intervals(x)["C2"][0]
                moved += lo_c < want[1]
                want[1] = max(lo_c, 0.0)
            if iv != want:
                bad += 1
                print(f"rep {rep} {k}: library {iv} offline {want}")
    print(f"{N} data sets: {bad} differences" + ("" if c1 else f"; the lower end moved in {moved}"))


if __name__ == "__main__":
    main()
