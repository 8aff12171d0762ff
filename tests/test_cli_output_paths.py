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
