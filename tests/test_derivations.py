"""Every derivation script runs and all of its checks pass."""
import pathlib
import subprocess
import sys

import pytest

DERIVATIONS = sorted(p for p in (pathlib.Path(__file__).parents[1] / "derivations").glob("*.py")
                     if not p.name.startswith("_"))


def test_there_are_derivations():
    assert DERIVATIONS


@pytest.mark.parametrize("path", DERIVATIONS, ids=lambda p: p.name)
def test_derivation_checks_itself(path):
    out = subprocess.run([sys.executable, str(path), "--quiet"], capture_output=True, text=True,
                         cwd=path.parent, timeout=600)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-4000:]
    assert "checks passed" in out.stdout
