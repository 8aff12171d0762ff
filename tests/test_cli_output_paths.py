"""An output path that cannot be written is one error line and exit status 2, not an OSError traceback."""
import pytest

from ftheory import cli


@pytest.mark.parametrize("argv", [
    ["latex", "--all", "--out", "{missing}/sheet.tex"],
    ["phase-diagram", "linear_transfer_transferability", "--sigma", "0.2", "--size", "8", "--out", "{missing}/pd.png"],
])
def test_unwritable_output_is_one_line_exit_2(tmp_path, capsys, argv):
    argv = [a.format(missing=tmp_path / "no" / "such") for a in argv]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("ftheory: error: No such file or directory")


def test_python_dash_m_catches_the_errors_of_the_subcommand_modules(tmp_path):
    """`python -m ftheory.cli` loads cli.py twice (as __main__ and as ftheory.cli); a CLIError raised by
    ftheory.cli_sim (sweep's repeated --set) must still be one line and exit 2, not a traceback."""
    import os
    import subprocess
    import sys

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-m", "ftheory.cli", "sweep", "scratch", "--grid", "n=10",
                           "--set", "d=20", "--set", "sigma=0.1", "--set", "sigma=0.2"],
                          capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=120)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ftheory: error:") and "Traceback" not in proc.stderr
