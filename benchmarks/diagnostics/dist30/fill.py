"""dist30: the second reports under C1 (``ParameterEstimates.distance = "residual"``) that tfc29/run.py records as
``c1_T`` since dfdc7c3, added to a record written before it: for each data set where C1's capped tuned fine-tuning
value differs from the rule in use's, the data set is drawn again (``datasets(start=rep)``) and reported under C1.
The second report's tuned fine-tuning must equal the offline C1 interval and its scratch, min-norm and linear-probe
columns the record's: a difference is printed and counted.

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/diagnostics/dist30/fill.py REC.json OUT.json
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(HERE, "..", "tfc29"))
import advisor_band_coverage as b  # noqa: E402
from ana import capped, report_intervals  # noqa: E402
from ftheory.advise.estimators import ParameterEstimates  # noqa: E402


def main():
    rec = json.load(open(sys.argv[1]))
    assert not rec.get("c1_T"), "the record has its second reports already"
    setting, seed = b.setting_at(rec["set"], rec["index"])
    ParameterEstimates.distance = "residual"
    bad = filled = 0
    for x in rec["reps"]:
        c1 = list(capped(x["uncapped"], x["distance"]["residual"][1]))
        if c1[0] == x["ivs"]["finetune_ridge"][0]:
            continue
        rep = x["rep"]
        (r, prep, pe), = b.datasets(setting, seed, rep + 1, rec["stream"], 20, "rep", start=rep)
        ivs = report_intervals(prep, pe)
        for k, iv in ivs.items():
            want = c1 if k == "finetune_ridge" else x["ivs"][k]
            if not k.startswith("T_finetune") and iv != want:
                bad += 1
                print(f"rep {rep} {k}: second report {iv}, want {want}")
        x["c1_T"] = {k: v for k, v in ivs.items() if k.startswith("T_")}
        filled += 1
    rec["c1_T"] = True
    with open(sys.argv[2], "w") as fh:
        json.dump(rec, fh)
    print(f"{len(rec['reps'])} data sets, {filled} second reports, {bad} differences")


if __name__ == "__main__":
    main()
