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


def _python(code, tmp_path, *argv):
    import os
    import subprocess
    import sys

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, *argv] if code is None else [sys.executable, "-c", code, *argv],
                          capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=120)


def test_python_dash_m_catches_the_cli_error_of_the_package_module(tmp_path):
    """`python -m ftheory.cli` loads cli.py twice (as __main__ and as ftheory.cli); subcommand modules
    (cli_sim, cli_aniso, ...) raise ftheory.cli.CLIError, which must still be one line and exit 2."""
    code = (
        "import runpy, sys, warnings\n"
        "warnings.simplefilter('ignore', RuntimeWarning)  # runpy: ftheory.cli is already imported\n"
        "import ftheory.cli\n"
        "def raising(ns):\n"
        "    raise ftheory.cli.CLIError('raised by a subcommand module')\n"
        "ftheory.cli.cmd_list = raising\n"
        "sys.argv = ['ftheory', 'list']\n"
        "runpy.run_module('ftheory.cli', run_name='__main__', alter_sys=True)\n"
    )
    proc = _python(code, tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip() == "ftheory: error: raised by a subcommand module"


def test_sweep_repeated_set_is_one_line_exit_2(tmp_path):
    """A parameter given twice is an error, not 'the last one wins' (python -m, as the docs say)."""
    proc = _python(None, tmp_path, "-m", "ftheory.cli", "sweep", "scratch", "--grid", "n=10",
                   "--set", "d=20", "--set", "sigma=0.1", "--set", "sigma=0.2")
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ftheory: error:") and "twice" in lines[0]
