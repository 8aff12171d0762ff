"""Helpers shared by the ``ftheory advise`` CLI tests."""
from ftheory import cli


def run_advise(capsys, *args):
    """Exit status, stdout and the stderr lines of ``ftheory advise ARGS``."""
    rc = cli.main(["advise", *map(str, args)])
    out, err = capsys.readouterr()
    return rc, out, err.strip().splitlines()


def one_line(rc, err, *words):
    """Assert a one-line ``ftheory: error:`` message with exit status 2 that contains ``words``."""
    assert rc == 2 and len(err) == 1 and err[0].startswith("ftheory: error:"), err
    for w in words:
        assert w in err[0], (w, err[0])
