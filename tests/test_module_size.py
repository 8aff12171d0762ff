"""House rule: modules with one job, fewer than 500 lines (the generated evaluators excepted)."""
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1] / "ftheory"
LIMIT = 500


def test_every_module_is_under_the_line_limit():
    paths = [p for p in ROOT.rglob("*.py") if "_generated" not in p.relative_to(ROOT).parts]
    assert len(paths) > 50  # the scan found the package
    long = {str(p.relative_to(ROOT)): n for p in paths
            if (n := len(p.read_text(encoding="utf-8").splitlines())) >= LIMIT}
    assert not long, f"modules with {LIMIT} lines or more (split them): {long}"
