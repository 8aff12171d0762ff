"""Every ``ftheory CMD --help`` tells a new user what the command does and what each argument is."""
import pytest

from ftheory import cli


def _subparsers():
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return sub.choices


@pytest.mark.parametrize("name", sorted(_subparsers()))
def test_every_subcommand_help_has_a_description_and_every_argument_a_help(name, capsys):
    p = _subparsers()[name]
    assert p.description, f"ftheory {name} --help has no description"
    undocumented = [a.dest for a in p._actions if not a.help and a.dest not in ("help", "json")]
    assert not undocumented, f"ftheory {name}: arguments without help: {undocumented}"
    with pytest.raises(SystemExit) as exc:
        cli.main([name, "--help"])
    assert exc.value.code == 0
    assert p.description.split()[0] in capsys.readouterr().out


def test_reproduce_out_that_is_a_file_is_one_line(tmp_path, capsys):
    f = tmp_path / "figures"
    f.write_text("not a folder")
    assert cli.main(["reproduce", "--only", "scratch-dd", "--scale", "tiny", "--out", str(f)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"ftheory: error: --out {str(f)!r} is a file: expected a folder (created if missing)"]


def test_list_unknown_topic_is_an_error(capsys):
    assert cli.main(["list", "--topic", "nosuch"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--topic 'nosuch' is not a topic; topics are " in err[0] and "scratch" in err[0]
