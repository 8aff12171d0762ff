"""clip21: offline screens on screen.py's records (the data sets whose noise estimate is clipped at 0).

    python benchmarks/diagnostics/clip21/ana.py worlds scr_8_s0.pkl [...]     # the law given the clip, world by world
    python benchmarks/diagnostics/clip21/ana.py variants scr_8_s0.pkl [...]   # pooled laws given the clip

``worlds``: per noise fraction f of the screen's grid (0 to 0.95 by 0.05): the median chance of a clipped draw,
the median 2.5 / 97.5% points of ``(T_hat - T)/S_y`` among the clipped draws, and the coverage in the clipped data
sets of the band cut there (the world at the true fraction is an oracle). ``variants``: the band from the clipped
draws pooled over the worlds (``pool``: the fraction uniform over the grid, each world weighted by its chance
of the clip; ``eq``: each world's law given the clip with equal weight; ``tail``: only draws whose raw noise
fraction is at most the data's; ``near``: the half of the clipped draws nearest the data's raw fraction), in the
clipped data sets and with the record's own T_lt band elsewhere ("all").
"""
import pickle
import sys

import numpy as np


def cov(T, lo, hi):
    lo, hi = np.asarray(lo), np.asarray(hi)
    b, a = int(np.sum(T < lo)), int(np.sum(T > hi))
    return f"{1 - (a + b) / len(lo):.3f} ({b:2d} / {a:2d}) w {np.median(hi - lo):.2f}"


def load(path):
    d = pickle.load(open(path, "rb"))
    cl = [r for r in d["rows"] if "worlds" in r]
    un = [r for r in d["rows"] if "worlds" not in r]
    return d, d["truth"]["T_linear_transfer"], cl, un


def worlds(path):
    d, T, cl, _ = load(path)
    lev = list(d["lev"])
    ia, ib, im = lev.index(0.025), lev.index(0.975), lev.index(0.5)
    err = np.array([r["T_lt"][0] - T for r in cl])
    print(f"{path}: setting {d['index']} stream {d['stream']}, clipped {len(cl)} of {len(d['rows'])}; real T_hat - T "
          f"median {np.median(err):.3f}, 2.5 / 97.5% {np.quantile(err, [0.025, 0.975]).round(3)}")
    print("  f     P(clip) q2.5    q97.5   median T_hat-T | band of this world, clipped data sets")
    for j, f in enumerate(w["f"] for w in cl[0]["worlds"]):
        ok = [r for r in cl if r["worlds"][j]["nclip"] >= 10]
        pc = np.median([r["worlds"][j]["pclip"] for r in cl])
        ql = np.median([r["worlds"][j]["q_clip"][ia] for r in ok])
        qh = np.median([r["worlds"][j]["q_clip"][ib] for r in ok])
        md = np.median([r["worlds"][j]["q_clip"][im] * r["Sy"] for r in ok])
        lo = [r["T_lt"][0] - r["worlds"][j]["q_clip"][ib] * r["Sy"] for r in ok]
        hi = [r["T_lt"][0] - r["worlds"][j]["q_clip"][ia] * r["Sy"] for r in ok]
        print(f"  {f:.2f}  {pc:.3f}  {ql:7.3f} {qh:7.3f} {md:7.3f}        | {cov(T, lo, hi)} of {len(ok)}")


def variants(path):
    d, T, cl, un = load(path)
    print(f"{path}: setting {d['index']} stream {d['stream']}, clipped {len(cl)} of {len(d['rows'])}")
    print(f"  record's band: clipped {cov(T, [r['T_lt'][1] for r in cl], [r['T_lt'][2] for r in cl])}; "
          f"others {cov(T, [r['T_lt'][1] for r in un], [r['T_lt'][2] for r in un])}; "
          f"all {cov(T, [r['T_lt'][1] for r in d['rows']], [r['T_lt'][2] for r in d['rows']])}")
    for name in ("pool", "eq", "tail", "near"):
        lo, hi = [], []
        for r in cl:
            fraw = (r["Sy"] - r["tau"]) / r["Sy"]
            ws = [w for w in r["worlds"] if w["nclip"] > 0]
            s = np.concatenate([w["stat_clip"] for w in ws])
            fr = np.concatenate([w["fr_clip"] for w in ws])
            wt = np.concatenate([np.full(w["nclip"], 1.0 / w["nclip"]) for w in ws]) if name == "eq" else np.ones(s.size)
            k = np.ones(s.size, bool)
            if name == "tail":
                k = fr <= fraw
            elif name == "near":
                k = np.abs(fr - fraw) <= np.quantile(np.abs(fr - fraw), 0.5)
            if k.sum() < 40:
                k = np.ones(s.size, bool)
            s, wt = s[k], wt[k]
            o = np.argsort(s)
            s, c = s[o], np.cumsum(wt[o]) / wt.sum()
            ql, qh = s[np.searchsorted(c, 0.025)], s[min(np.searchsorted(c, 0.975), s.size - 1)]
            lo.append(r["T_lt"][0] - qh * r["Sy"])
            hi.append(r["T_lt"][0] - ql * r["Sy"])
        LO = lo + [r["T_lt"][1] for r in un]
        HI = hi + [r["T_lt"][2] for r in un]
        print(f"  {name:5s} clipped {cov(T, lo, hi)}; all {cov(T, LO, HI)}")


if __name__ == "__main__":
    for p in sys.argv[2:]:
        {"worlds": worlds, "variants": variants}[sys.argv[1]](p)
