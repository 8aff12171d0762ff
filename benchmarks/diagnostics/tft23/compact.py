"""tft23: one compact JSON of replay.py's runs (per data set: the band, the real statistic and its parts, f0, the clip,
the band's quantiles and levels, and the 2.5 / 97.5% points of every layer), for the repository.

    python benchmarks/diagnostics/tft23/compact.py OUT.json A.json [B.json ...]
"""
import json
import sys


def row(r):
    out = {k: r[k] for k in ("rep", "T_hat", "lo", "hi", "Sy", "f0", "clipped", "real")}
    out["P"] = [r["P"]["lo"], r["P"]["hi"], r["P"]["last"]["level_a"][1], r["P"]["last"]["level_b"][1]]
    for k in ("Fw", "Tw"):
        out[k] = [r[k]["q"][0], r[k]["q"][2]]
    for k in ("Fs", "Ts", "Ts_fm"):
        out[k] = [r[k]["q"][0][0], r[k]["q"][0][2]]
    out["Ts_pit"] = r["Ts"]["pit"]
    if "Pt" in r:
        out["Pt"] = [r["Pt"]["lo"], r["Pt"]["hi"], r["Pt"]["level_a"], r["Pt"]["level_b"]]
    if "cand" in r:
        out["cand"] = {k: r["cand"][k] for k in ("cond_fit", "cond_union", "post", "cond_pp", "cond_pp_levels")
                       if k in r["cand"]}
    return out


def main():
    res = None
    for p in sys.argv[2:]:
        r = json.load(open(p))
        if res is None:
            res = {k: r[k] for k in ("setting", "stream", "truth", "true_scalars")}
            res["reps"] = []
        res["reps"] += [row(x) for x in r["reps"]]
    res["reps"].sort(key=lambda x: x["rep"])
    with open(sys.argv[1], "w") as fh:
        json.dump(res, fh, separators=(",", ":"))


if __name__ == "__main__":
    main()
