"""ftheory.simulate.deep_linear.options: binding, the generated signature and docstring block (written against
mutmut survivors)."""
import inspect

import pytest

from ftheory.simulate.deep_linear.options import OPTIONS, TASK, bind, doc_block, signature

DEFAULTS = {"theta": 0.0, "sigma": 0.0, "depth": 2, "lam": 0.0, "alpha": None, "lr": None, "max_steps": 10000,
            "tol": 1e-6, "wd": 0.0, "gamma_s": None, "sigma_s": 0.0, "norm_s": 1.0, "norm_t": 1.0, "width": None,
            "instances": 20, "seed": None, "method": "gd", "reduced": True, "pretrained": "gd", "pretrain_lr": None,
            "pretrain_steps": 20000, "pretrain_tol": 1e-12, "early_stop": True, "rcond": 1e-3, "rank": None}


def test_bind_fills_every_default():
    assert bind({"n": 5, "d": 10}, {}) == {"n": 5, "d": 10, **DEFAULTS}
    assert bind({"n": 5, "d": 10, "theta": None}, {"depth": 3})["theta"] is None  # only n, d drop None
    assert bind({"n": 5, "d": 10}, {"depth": 3, "seed": 4})["depth"] == 3


@pytest.mark.parametrize("gamma,d,n", [(0.5, 10, 5), (1.25, 8, 10), (0.15, 10, 2), (0.05, 10, None)])
def test_bind_gamma_gives_n_rounded(gamma, d, n):
    if n is None:  # round(0.5) = 0
        with pytest.raises(ValueError, match=r"^gamma=0.05 is invalid at d=10: n = round\(gamma d\) = 0, expected n >= 1"):
            bind({"gamma": gamma, "d": d}, {})
        return
    out = bind({"n": None, "gamma": gamma, "d": d}, {})
    assert out["n"] == n and type(out["n"]) is int and "gamma" not in out


@pytest.mark.parametrize("task,options,match", [
    ({"n": 5, "d": 10}, {"widht": 3}, r"^unknown parameter 'widht': the deep-linear simulators take n, d, theta"),
    ({"n": 5, "d": 10, "bogus": 1}, {}, "^unknown parameter 'bogus'"),
    ({"n": 5, "d": 10}, {"a": 1, "b": 2}, "^unknown parameter 'a'"),
    ({"n": 5}, {}, r"^d=None is invalid: the input dimension d \(an integer >= 2\) is required"),
    ({"n": 5, "d": None}, {}, "^d=None is invalid"),
    ({"d": 10}, {}, r"^n=None is invalid: give the sample size n \(an integer >= 1\) or gamma"),
    ({"n": 4, "gamma": 0.5, "d": 10}, {}, "^n=4 and gamma=0.5: give one of n and gamma"),
    ({"gamma": -1.0, "d": 10}, {}, "^gamma="),
    ({"gamma": 0.5, "d": 0}, {}, "^d="),
])
def test_bind_bad_input(task, options, match):
    with pytest.raises(ValueError, match=match):
        bind(task, options)


def test_signature_layout():
    sig = signature(("procedure",))
    names = list(sig.parameters)
    assert names == ["procedure", "n", "d", "theta", "sigma", "gamma"] + [o.name for o in OPTIONS]
    P = inspect.Parameter
    kinds = {k: p.kind for k, p in sig.parameters.items()}
    assert kinds["procedure"] == P.POSITIONAL_OR_KEYWORD and sig.parameters["procedure"].default is P.empty
    assert all(kinds[k] == P.POSITIONAL_OR_KEYWORD for k in ("n", "d", "theta", "sigma"))
    assert kinds["gamma"] == P.KEYWORD_ONLY
    assert all(kinds[o.name] == P.KEYWORD_ONLY for o in OPTIONS)
    assert sig.parameters["max_steps"].default == 10000 and sig.parameters["n"].default is None
    assert list(signature().parameters)[0] == "n"


def test_doc_block_lines():
    lines = doc_block().split("\n")
    assert len(lines) == 2 * len(TASK + OPTIONS)
    assert lines[0] == "n : int, default None" and lines[1] == "    target sample size (or give gamma)."
    block = doc_block()
    assert "theta : float, default 0.0\n    source-target angle in radians, [0, pi]." in block
    assert "depth : int, default 2\n" in block  # a canonical integer parameter
    assert "max_steps : int, default 10000\n" in block
    assert "tol : float, default 1e-06\n" in block
    assert "reduced : bool, default True\n" in block
    assert "method : {'gd', 'flow'}, default 'gd'\n" in block
    assert "pretrained : {'gd', 'balanced'}, default 'gd'\n" in block
