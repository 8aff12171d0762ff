"""``advise(seed=...)`` and ``ftheory advise --seed``: the simulated draws behind the intervals and bands."""
import numpy as np
import pytest

import ftheory
from ftheory.advise.synthetic import make_task
from tests._cli_advise import one_line, run_advise, target_frame


def _data(d=12, n=9):
    """An anisotropic task below n = d (the pivot's draws are used), with unlabeled rows."""
    t = make_task(d, 0.6, 0.5, eigenvalues=1.0 / np.arange(1, d + 1), seed=3)
    rng = np.random.default_rng(1)
    X, y = t.sample(n, rng)
    return X, y, X @ t.beta_s, t.sample(20 * d, rng)[0]


def test_int_seed_is_deterministic_and_only_moves_the_ends():
    """Seed 0 twice: equal reports; seed 5: the same estimates and predicted values (no draw enters them),
    different interval ends somewhere; a Generator is accepted."""
    X, y, z, U = _data()
    run = lambda seed: ftheory.advise(X, y, source_pred=z, unlabeled=U, grid_size=0, seed=seed).to_dict()  # noqa: E731
    a, b, c = run(0), run(0), run(5)
    assert a == b
    for part in ("estimates", "predictions"):
        assert all(a[part][k]["value"] == c[part][k]["value"] for k in a[part])
    ends = lambda r: [e for part in ("estimates", "predictions") for k in r[part] for e in r[part][k]["ci"]]  # noqa: E731
    assert ends(a) != ends(c)
    assert run(np.random.default_rng(5))["n"] == a["n"]


@pytest.mark.parametrize("seed", [-1, "a", 1.5, True])
def test_bad_seed_names_it(seed):
    X, y, z, U = _data()
    with pytest.raises(ValueError, match=r"seed=.* is invalid: expected an integer >= 0"):
        ftheory.advise(X, y, source_pred=z, unlabeled=U, grid_size=0, seed=seed)


def test_cli_seed(tmp_path, capsys):
    """--seed 0 is the default's report; a negative seed is one line and exit status 2."""
    path = tmp_path / "t.csv"
    target_frame(2).to_csv(path, index=False)
    args = ("--target", path, "--label", "y", "--source-pred", "pretrained", "--json")
    rc0, out0, _ = run_advise(capsys, *args)
    rc1, out1, _ = run_advise(capsys, *args, "--seed", 0)
    assert rc0 == rc1 == 0 and out0 == out1
    rc, _, err = run_advise(capsys, *args, "--seed", -3)
    one_line(rc, err, "seed=-3", "integer >= 0")
