"""User-facing text cites only what users have: docs/background.md or the paper, never the
maintainers' private specification file (THEORY.md), which is not part of the repository."""
import argparse
import contextlib
import io
import os

import pytest

import ftheory
from ftheory import cli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PRIVATE = "THEORY.md"
TEXT_SUFFIXES = (".py", ".md", ".js", ".html", ".css", ".txt", ".toml", ".cfg")


def _user_files():
    """README, docs/, every source and asset file of the package, the derivations and benchmarks."""
    yield os.path.join(ROOT, "README.md")
    for top in ("docs", "ftheory", "derivations", "benchmarks", "notebooks"):
        for base, _dirs, files in os.walk(os.path.join(ROOT, top)):
            for name in files:
                if name.endswith(TEXT_SUFFIXES) or name.endswith(".ipynb"):
                    yield os.path.join(base, name)


def test_the_scan_sees_the_package_docs_and_generated_files():
    files = {os.path.relpath(p, ROOT) for p in _user_files()}
    for expected in ("README.md", "docs/background.md", "docs/theory.md", "ftheory/cli.py",
                     "ftheory/_generated/evaluators.py", "ftheory/explore/assets/evaluators.js",
                     "ftheory/explore/assets/page.html", "ftheory/figures/__init__.py"):
        assert expected in files


def test_no_user_file_cites_the_private_spec():
    hits = []
    for path in _user_files():
        with open(path, encoding="utf-8", errors="replace") as fh:
            for i, line in enumerate(fh, 1):
                if PRIVATE in line:
                    hits.append(f"{os.path.relpath(path, ROOT)}:{i}: {line.strip()[:100]}")
    assert not hits, "cite docs/background.md §x.y or the paper instead:\n" + "\n".join(hits)


def _run(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            cli.main(argv)
        except SystemExit:
            pass
    return out.getvalue() + err.getvalue()


def _subcommands():
    parser = cli.build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return sorted(action.choices)
    raise AssertionError("no subcommands found")


@pytest.mark.parametrize("command", _subcommands())
def test_cli_help_does_not_cite_the_private_spec(command):
    text = _run([command, "--help"])
    assert "usage" in text
    assert PRIVATE not in text


def test_list_and_show_cite_the_background_page():
    listing = _run(["list"])
    assert PRIVATE not in listing and "docs/background.md §" in listing
    for name in [r.name for r in ftheory.results()]:
        shown = _run(["show", name])
        assert PRIVATE not in shown, name
        assert "docs/background.md §" in shown or "paper" in shown, name
        assert "tests/" not in shown and "test_" not in shown, name   # a user has the docs, not the test suite


def test_background_page_has_every_section_it_is_cited_by():
    """Every "docs/background.md §x.y" cited anywhere must be a heading of docs/background.md."""
    import re

    with open(os.path.join(ROOT, "docs", "background.md"), encoding="utf-8") as fh:
        headings = set(re.findall(r"^#{2,3} (\d+(?:\.\d+)?)\.? ", fh.read(), flags=re.M))
    cited = set()
    for path in _user_files():
        with open(path, encoding="utf-8", errors="replace") as fh:
            for m in re.finditer(r"background\.md §(\d+(?:\.\d+)?)", fh.read()):
                cited.add((m.group(1), os.path.relpath(path, ROOT)))
    missing = sorted(c for c in cited if c[0] not in headings)
    assert cited and not missing, missing
