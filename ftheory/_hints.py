"""The error for a misspelled parameter name, shared by :mod:`ftheory.result`, :mod:`ftheory.labeled` and the CLI."""
from __future__ import annotations

import difflib

from ftheory.params import PARAMS


def unknown_parameter(owner: str, name, params) -> ValueError:
    """The error for a parameter ``name`` that ``owner`` does not take, naming the closest of ``params``
    when ``name`` is no canonical parameter (a misspelling; ``sigma`` on a result without noise is not), or
    the parameter whose symbol ``name`` is (``θ``, as ``ftheory show`` prints it).

    >>> str(unknown_parameter("scratch_risk", "gama", ["gamma", "sigma", "norm_t"]))
    "scratch_risk: unknown parameter 'gama' (did you mean 'gamma'?); parameters are gamma, sigma, norm_t"
    >>> str(unknown_parameter("finetune_transferability", "sigma", ["gamma", "theta"]))
    "finetune_transferability: unknown parameter 'sigma'; parameters are gamma, theta"
    >>> str(unknown_parameter("finetune_transferability", "θ", ["gamma", "theta"]))
    "finetune_transferability: unknown parameter 'θ' (did you mean 'theta'?); parameters are gamma, theta"
    """
    from ftheory.display import _UNICODE_NAMES  # the names `ftheory show` prints: γ, θ, ‖βₜ‖ ...

    spelled = [p for p in params if _UNICODE_NAMES.get(p) == str(name).strip()]  # θ=0.5: the symbol shown
    close = spelled or ([] if name in PARAMS else difflib.get_close_matches(str(name), list(params), n=1, cutoff=0.6))
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return ValueError(f"{owner}: unknown parameter {name!r}{hint}; parameters are {', '.join(params)}")
