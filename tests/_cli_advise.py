"""Helpers shared by the ``ftheory advise`` CLI tests."""
import numpy as np
import pandas as pd

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


def target_frame(seed, n=40, d=5):
    """A target table: features ``f0..``, label ``y`` (noise 0.3) and a column ``pretrained`` of predictions."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    bt = np.ones(d) / np.sqrt(d)
    df = pd.DataFrame(X, columns=[f"f{j}" for j in range(d)])
    return df.assign(y=X @ bt + 0.3 * rng.standard_normal(n), pretrained=X @ (bt + 0.2))


def warnings_only(err):
    """``err`` without the note of a recommendation not resolved at 95% (``--json`` prints it on stderr)."""
    return [e for e in err if not e.startswith("ftheory: note: recommendation ")]
