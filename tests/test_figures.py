"""`reproduce` at a tiny scale: every figure renders, numbers are stored and reused."""
import json
import os

import pytest

from ftheory.cli import main
from ftheory.figures import figure_modules, reproduce


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    out = tmp_path_factory.mktemp("figs")
    return out, reproduce(out=str(out), scale="tiny", seed=3, quiet=True)


def test_every_figure_renders_png_pdf_and_numbers(tiny):
    out, report = tiny
    assert set(report) == set(figure_modules())
    for fid, info in report.items():
        for f in info["files"]:
            assert os.path.getsize(f) > 1000
        data = json.loads((out / "data" / f"{fid}.json").read_text())
        assert data["scale"] == "tiny" and data["seed"] == 3 and data["data"]
    page = (out / "index.html").read_text()
    assert all(f'id="{fid}"' in page for fid in report)


def test_rerun_reuses_stored_numbers(tiny):
    out, report = tiny
    before = {fid: (out / "data" / f"{fid}.json").stat().st_mtime_ns for fid in report}
    reproduce(out=str(out), scale="tiny", seed=3, quiet=True)
    after = {fid: (out / "data" / f"{fid}.json").stat().st_mtime_ns for fid in report}
    assert before == after


def test_scratch_dd_numbers_agree_with_exact_finite_mean(tiny):
    """Student-t test per point (few instances at tiny scale), Bonferroni over the points at 1e-3."""
    from scipy import stats

    out, _ = tiny
    rows = json.loads((out / "data" / "scratch-dd.json").read_text())["data"]["rows"]
    testable = [r for r in rows if abs(r["n"] - r["d"]) >= 6]
    for r in testable:
        if r["sigma"] == 0 and r["n"] > r["d"]:
            assert r["theory_finite"] == 0 and r["mean"] < 1e-24  # exact recovery up to rounding
            continue
        t_crit = stats.t.ppf(1 - 1e-3 / (2 * len(testable)), r["instances"] - 1)
        assert abs(r["mean"] - r["theory_finite"]) < t_crit * r["sem"], r


def test_bad_arguments(tmp_path, capsys):
    with pytest.raises(ValueError, match="unknown figure 'nope'"):
        reproduce(out=str(tmp_path), only=["nope"], quiet=True)
    with pytest.raises(ValueError, match="scale="):
        reproduce(out=str(tmp_path), scale="huge", quiet=True)
    assert main(["reproduce", "--out", str(tmp_path), "--only", "nope"]) == 2
    assert "unknown figure" in capsys.readouterr().err
