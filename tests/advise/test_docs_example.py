"""The ``--json`` example printed in docs/advisor.md is the real output for the sample it names (the
sample of ``benchmarks/advisor_report_figure.py``, written as ``target.csv``), so the page cannot go stale."""
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ftheory import cli
from ftheory.advise.synthetic import make_task

DOC = Path(__file__).resolve().parents[2] / "docs" / "advisor.md"


def _numbers(obj, prefix=""):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _numbers(v, f"{prefix}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _numbers(v, f"{prefix}[{i}]")
    else:
        yield prefix, obj


def test_json_example_in_docs_is_the_real_output(tmp_path, capsys):
    shown = json.loads(re.search(r"```json\n(.*?)```", DOC.read_text(), re.S).group(1))
    task = make_task(d=100, theta=0.9, sigma=0.6, seed=7)
    X, y = task.sample(60, np.random.default_rng(8))
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    df["y"], df["pretrained"] = y, X @ task.beta_s
    path = tmp_path / "target.csv"
    df.to_csv(path, index=False, float_format="%.17g")  # round-trips float64 exactly
    assert cli.main(["advise", "--target", str(path), "--label", "y", "--source-pred", "pretrained", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    a, b = dict(_numbers(shown)), dict(_numbers(got))
    assert a.keys() == b.keys()
    for k, v in a.items():
        if isinstance(v, float):
            # the same computation on the same machine type; 1e-9 leaves room for BLAS summation order
            assert abs(b[k] - v) <= 1e-9 * max(1.0, abs(v)), (k, v, b[k])
        else:
            assert b[k] == v, (k, v, b[k])


README = DOC.parents[1] / "README.md"
BANDS = ("scratch_min_norm", "scratch_ridge", "linear_transfer", "finetune_min_norm", "finetune_ridge",
         "T_linear_transfer", "T_finetune")


def _truth(tr, n, d):
    """The theory at the true parameters for every band (as benchmarks/advisor_band_coverage.py; n - 1 rows
    after the intercept)."""
    from ftheory.advise.predict import PROCEDURES, isotropic_risk

    p = np.array([tr["signal"], tr["noise_variance"], tr["overlap_inner"], tr["source_signal"]])
    t = {proc: isotropic_risk(proc, n - 1, d, p) for proc in PROCEDURES}
    t["T_linear_transfer"] = t["scratch_ridge"] - t["linear_transfer"]
    t["T_finetune"] = t["scratch_ridge"] - t["finetune_ridge"]
    return t


def _bands(rep):
    return {**rep.predictions, **{f"T_{k}": v for k, v in rep.transferability.items()}}


def _shown(x, text):
    """``text`` (two decimals) is ``x`` rounded."""
    return abs(x - float(text)) <= 0.005 + 1e-12


def test_readme_example_states_its_truth_and_its_misses():
    """The README's advisor example is one draw: the paragraph under it gives its truth, the recommendation, and
    every band that misses the truth (no more, no fewer), with the numbers the code prints."""
    import ftheory

    text = README.read_text()
    code = re.search(r"```python\n(import numpy as np, ftheory\n\nrng = np.random.default_rng\(0\).*?)```", text, re.S).group(1)
    setup = code[:code.index("report.recommendation")]
    ns = {}
    exec(setup, ns)                                     # the README's own lines, up to the report
    rep, beta_t, beta_s = ns["report"], ns["beta_t"], ns["beta_s"]
    tr = {"signal": beta_t @ beta_t, "noise_variance": 0.09, "overlap_inner": beta_t @ beta_s,
          "source_signal": beta_s @ beta_s}
    truth = _truth(tr, 100, 200)
    para = text[text.index("This is one draw, and its truth is known"):]
    para = " ".join(para[:para.index("\n\n")].split())
    m = re.search(r"signal ([\d.]+), noise ([\d.]+), cosine ([\d.]+); theory at the truth: tuned fine-tuning "
                  r"([\d.]+), linear probe ([\d.]+), tuned scratch ([\d.]+)\)", para)
    cosine = tr["overlap_inner"] / np.sqrt(tr["signal"] * tr["source_signal"])
    for x, shown in zip((tr["signal"], 0.09, cosine, truth["finetune_ridge"], truth["linear_transfer"],
                         truth["scratch_ridge"]), m.groups()):
        assert _shown(x, shown), (x, shown)
    assert "recommends fine-tuning, resolved at 95%" in para
    assert rep.recommendation == "finetune" and rep.resolved
    assert min(("scratch_ridge", "linear_transfer", "finetune_ridge"), key=truth.get) == "finetune_ridge"
    stated = re.findall(r"`(\w+)` \[(-?\d+\.\d+), (-?\d+\.\d+)\], truth (-?\d+\.\d+)", para)
    bands = _bands(rep)
    missed = [k for k in BANDS if not bands[k].low <= truth[k] <= bands[k].high]
    assert [k for k, *_ in stated] == missed and f"{['no', 'one', 'two', 'three'][len(missed)]} of its seven" in para
    for k, low, high, t in stated:
        assert _shown(bands[k].low, low) and _shown(bands[k].high, high) and _shown(truth[k], t)


def test_plot_caption_states_the_truth_of_the_json_example():
    """The caption under the report's plot (the sample of the JSON example): every interval contains the truth,
    the risks at the truth it gives, and a recommendation neither resolved nor the truth's best."""
    from ftheory.advise import advise

    task = make_task(d=100, theta=0.9, sigma=0.6, seed=7)
    X, y = task.sample(60, np.random.default_rng(8))
    rep = advise(X, y, source_weights=task.beta_s)
    tr, truth = task.truth(), _truth(task.truth(), 60, 100)
    caption = " ".join(DOC.read_text().split("*Isotropic task, d = 100, n = 60")[1].split("*")[0].split())
    m = re.search(r"Truth: signal ([\d.]+), noise ([\d.]+), overlap ([\d.]+) — all inside the intervals, as are the "
                  r"risks at the truth \(tuned scratch ([\d.]+), linear probe ([\d.]+), tuned fine-tuning ([\d.]+)\)",
                  caption)
    for x, shown in zip((tr["signal"], tr["noise_variance"], tr["overlap"], truth["scratch_ridge"],
                         truth["linear_transfer"], truth["finetune_ridge"]), m.groups()):
        assert _shown(x, shown), (x, shown)
    assert all(rep.estimates[k].low <= tr[k] <= rep.estimates[k].high for k in ("signal", "noise_variance", "overlap"))
    bands = _bands(rep)
    assert all(bands[k].low <= truth[k] <= bands[k].high for k in BANDS)
    assert "the linear probe by point estimate, is not resolved at 95% and is not the truth's best (tuned fine-tuning)" in caption
    assert rep.recommendation == "linear_transfer" and not rep.resolved
    assert min(("scratch_ridge", "linear_transfer", "finetune_ridge"), key=truth.get) == "finetune_ridge"
