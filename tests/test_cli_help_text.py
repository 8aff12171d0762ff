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


# markup and Python-only words a command-line user cannot act on: reStructuredText roles and literals,
# numpy's seed types, Python booleans (the flags are --x / --no-x), the bare status tag [CODE]
_LEAKS = [r"``", r":(func|class|mod|meth|data|attr):`", r"(?<![\w])`[^`\s][^`]*`", r"SeedSequence", r"Generator",
          r"\b(True|False|None)\b", r"\[CODE\]", r"see train\b"]


@pytest.mark.parametrize("name", sorted(_subparsers()))
def test_help_is_plain_text_for_a_command_line_user(name, capsys):
    import re

    with pytest.raises(SystemExit):
        cli.main([name, "--help"])
    out = capsys.readouterr().out
    found = [(pat, m.group(0)) for pat in _LEAKS for m in [re.search(pat, out)] if m]
    assert not found, f"ftheory {name} --help: {found}"
    p = _subparsers()[name]
    assert all(a.help for a in p._actions), f"ftheory {name}: arguments without help"


def test_simulate_seed_says_what_it_accepts_and_what_omitting_it_does(capsys):
    with pytest.raises(SystemExit):
        cli.main(["simulate", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--seed SEED random seed: an integer >= 0" in out and "default 0" in out
    assert "(default --reduced)" in out and "(default --early-stop)" in out
    assert cli.main(["simulate", "scratch", "--d", "10", "--n", "5", "--seed", "-3", "--reps", "2"]) == 2
    assert capsys.readouterr().err.strip() == "ftheory: error: --seed -3 is invalid: expected an integer >= 0"


def test_aniso_help_starts_with_plain_words(capsys):
    with pytest.raises(SystemExit):
        cli.main(["aniso", "--help"])
    out = capsys.readouterr().out
    desc = out.split("\n\n")[1]
    assert desc.startswith("Risks of training from scratch") and "ftheory aniso" not in desc
    assert "Spectrum: --alpha A (power law lambda_k ~ k^-A)" in " ".join(out.split())


def test_plain_text_renders_roles_and_literals():
    from ftheory.cli_common import plain_text

    assert plain_text(":func:`~ftheory.aniso.scratch_risk` and ``x = 1``") == "scratch_risk and x = 1"
    assert plain_text(":class:`ftheory.advise.Report` `n`") == "ftheory.advise.Report n"
    assert plain_text("it's 'gd'") == "it's 'gd'" and plain_text(None) is None
