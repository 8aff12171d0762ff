"""What every ``ftheory`` subcommand module shares: the one-line error, argument parsing, output."""
from __future__ import annotations

import argparse
import json
import math
import re
import sys


class CLIError(Exception):
    """An error reported as one line with exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, status 2 (argparse prints usage + message by default)
        raise CLIError(f"{message} (see '{self.prog} --help')")


#: values of one range start:stop:step (a typo such as n=1:1e12:1 is refused at once)
MAX_GRID_VALUES = 10_000


def range_values(prm, param: str, text: str) -> list:
    """The values of the inclusive range ``start:stop:step`` (expressions allowed: ``0:pi/2:pi/8``), each
    validated by ``prm`` (a :class:`~ftheory.params.Param` or a plain parser; integers rounded)."""
    from ftheory.params import parse_number

    try:
        start, stop, step = (parse_number(t) for t in text.split(":"))
    except ValueError:
        raise ValueError(f"{param}={text!r}: expected start:stop:step") from None
    if not (math.isfinite(start) and math.isfinite(stop) and math.isfinite(step)) or step <= 0 or stop < start:
        raise ValueError(f"{param}={text!r}: expected finite start <= stop and step > 0")
    count = math.floor((stop - start) / step + 1e-9) + 1
    if count > MAX_GRID_VALUES:
        raise ValueError(f"{param}={text!r} has {count:.3g} values: expected at most {MAX_GRID_VALUES} per grid axis")
    return [prm.validate(round(v) if prm.integer else v) for v in (start + k * step for k in range(count))]


def _assignments(items, result=None, parse: bool = True, notes: list | None = None) -> dict:
    """Parse ``name=value`` words (the parameters of ``result``, a :class:`~ftheory.result.Result`, if given);
    values may be expressions, comma-separated lists or ranges ``start:stop:step``; lists of several
    parameters pair element by element (equal lengths). ``parse=False`` keeps each value's text (for mpmath,
    which reads ``1e400`` and every digit exactly) after the same checks of the names. ``notes``: a list to
    which the notes on how a word was read are appended, for the command to print (``gamma=1,5``, a decimal
    comma?, is the list 1, 5)."""
    from ftheory.params import get_param
    from ftheory._hints import unknown_parameter

    values = {}
    for item in items:
        name, sep, text = item.partition("=")
        if not sep or not name:
            raise CLIError(f"expected NAME=VALUE, got {item!r}")
        if result is not None and name not in result.params:
            raise CLIError(str(unknown_parameter(result.name, name, result.params)))
        param = get_param(name)
        if name in values:
            raise CLIError(f"parameter {name!r} is given twice ({name}={values[name]!r} and {item!r}); "
                           "give it once (a list is gamma=0.5,0.7)")
        if ":" in text and parse:
            parts = range_values(param, name, text)
        else:
            parts = [param.parse(t) if parse else t for t in text.split(",")]
            if not param.integer and re.fullmatch(r"\d+,\d+", text.strip()) and notes is not None:
                a, b = text.strip().split(",")                               # a decimal comma? kept as a list
                notes.append(f"ftheory: note: {name}={text} is read as the list {a}, {b} (one result each); a "
                             f"decimal number is written with a point: {name}={a}.{b}")
        values[name] = parts[0] if len(parts) == 1 else parts
    lists = {k: len(v) for k, v in values.items() if isinstance(v, list)}
    if len(set(lists.values())) > 1:
        shown = " and ".join(f"{k} {n}" for k, n in lists.items())
        raise CLIError(f"lists pair element by element, but {shown} values are given: give equal "
                       "lengths (Result.grid in Python evaluates every combination)")
    return values


def parse_known_args(parser, argv):
    """``parser.parse_known_args(argv)`` (``argv`` None: the command line), where the POINT of ``limit`` and
    ``series`` may start with ``-`` (``-oo``, ``-pi/4``, ``-1/2``: argparse takes such a word for an option and
    says the point is missing)."""
    argv, point = _negative_point(sys.argv[1:] if argv is None else list(argv))
    ns, extra = parser.parse_known_args(argv)
    if point is not None:
        ns.point = point
    return ns, extra


def _negative_point(argv):
    """``(argv, point)``: for ``limit`` and ``series`` whose POINT starts with ``-``, ``argv`` with that word
    replaced by ``0`` and the word; else ``(argv, None)``."""
    if not argv or argv[0] not in ("limit", "series"):
        return argv, None
    seen, skip = 0, False
    for i, word in enumerate(argv[1:], 1):
        if skip or word in ("--dir", "--order", "--timeout"):  # an option and its value (which may be "-")
            skip = not skip
        elif word == "--":                                     # the user's own end of options: all positional
            break
        elif seen == 2 and word.startswith("-") and len(word) > 1 and not word.startswith("--") and word != "-h":
            return argv[:i] + ["0"] + argv[i + 1:], word
        elif not word.startswith("-"):
            seen += 1
    return argv, None


def _number(x):
    """A float for JSON, with infinities spelled as strings."""
    x = float(x)
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def _emit(data, as_json: bool, text: str):
    """Print ``data`` as JSON or ``text`` as it is."""
    print(json.dumps(data, indent=2, ensure_ascii=False) if as_json else text)


def _estimate_json(est):
    """An MCEstimate as JSON-ready numbers."""
    return {"mean": _number(est.mean), "sem": _number(est.sem), "std": _number(est.std),
            "instances": est.instances, "converged": int(est.converged.sum())}


_ROLE = re.compile(r":(?:func|class|mod|meth|data|attr|obj|exc|ref|doc):`~?([^`<]*?)(?:\s*<[^>]*>)?`")


def plain_text(text):
    """``text`` with its reStructuredText markup rendered for a terminal: a role such as ``:func:`` becomes
    the name it cites (the last dotted part when the name starts with ``~``); double and single backquotes
    are dropped. None stays None."""
    if text is None:
        return None

    def role(m):
        name = m.group(1)
        return name.rsplit(".", 1)[-1] if m.group(0).split("`", 1)[1].startswith("~") else name
    text = _ROLE.sub(role, text)
    text = re.sub(r"``([^`]+)``", r"\1", text)
    return re.sub(r"(?<![\w`])`([^`]+)`(?![\w`])", r"\1", text)
