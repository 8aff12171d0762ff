"""1000 x 1000 linear-transfer phase diagram: ftheory's evaluator against the authors' approach.

Baseline (the straightforward NumPy formula on full meshgrids, as in the authors' plotting code):
``np.where(G < 1, ((1 - G)**2 + G s^2)/(1 - G), s^2/(G - 1)) - sin(TH)**2`` with warnings
silenced. ftheory evaluates the registered ``linear_transfer_transferability`` on the same
meshgrid, and on an open grid (``gamma[:, None]``, ``theta[None, :]``), where the generated code
runs the branch logic on the gamma column and the theta part on the theta row (the separation is
detected symbolically by ``ftheory.codegen.split_common_additive``).

Run: ``python benchmarks/bench_phase_diagram.py [--size 1000] [--repeat 7]``.
"""
import argparse
import statistics
import time

import numpy as np

import ftheory


def authors(G, TH, sigma):
    with np.errstate(divide="ignore", invalid="ignore"):
        r_sc = np.where(G < 1, ((1 - G) ** 2 + G * sigma ** 2) / (1 - G), sigma ** 2 / (G - 1))
    return r_sc - np.sin(TH) ** 2


def timeit(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=7)
    ns = ap.parse_args()
    r = ftheory.get("linear_transfer_transferability")
    g = np.linspace(0, 2, ns.size)
    th = np.linspace(0, np.pi / 2, ns.size)
    G, TH = np.meshgrid(g, th, indexing="ij")
    sigma = 0.2
    base = timeit(lambda: authors(G, TH, sigma), ns.repeat)
    mesh = timeit(lambda: r(gamma=G, theta=TH, sigma=sigma), ns.repeat)
    open_ = timeit(lambda: r(gamma=g[:, None], theta=th[None, :], sigma=sigma), ns.repeat)
    ref = authors(G, TH, sigma)
    ours = r(gamma=g[:, None], theta=th[None, :], sigma=sigma)
    finite = np.isfinite(ref) & np.isfinite(ours)
    print(f"{ns.size} x {ns.size} grid, sigma = {sigma}")
    print(f"{'evaluator':44s} {'median s':>9s} {'speed-up':>9s}")
    print(f"{'authors: np.where on meshgrids (baseline)':44s} {base:9.4f} {1:9.1f}")
    print(f"{'ftheory, meshgrid inputs':44s} {mesh:9.4f} {base / mesh:9.1f}")
    print(f"{'ftheory, open grid (separable evaluation)':44s} {open_:9.4f} {base / open_:9.1f}")
    print(f"max |difference| on finite points: {np.max(np.abs(ref[finite] - ours[finite])):.2e}; "
          f"baseline NaN points: {int(np.isnan(ref).sum())}, ftheory NaN points: {int(np.isnan(ours).sum())}")


if __name__ == "__main__":
    main()
