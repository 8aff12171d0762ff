"""What a new user follows in README.md and docs/: relative links resolve (files and, for docs pages,
their #anchors), and an instruction to run `jupyter lab` says how to install it (the notebook extra
brings only the kernel)."""
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _anchors(page):
    """GitHub-style heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    out = set()
    for line in page.read_text(encoding="utf-8").splitlines():
        m = re.match(r"#+\s+(.*)", line)
        if m:
            out.add(re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-"))
    return out


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_relative_links_resolve(page):
    text = page.read_text(encoding="utf-8")
    text = re.sub(r"\$\$.*?\$\$|\$[^$\n]*\$", "", text, flags=re.S)   # maths such as \\[2mm](\\gamma-1) is not a link
    bad = []
    for link in LINK.findall(text):
        if re.match(r"[a-z]+:", link):
            continue
        path, _, anchor = link.partition("#")
        target = (page.parent / path).resolve() if path else page
        if not target.exists():
            bad.append(f"{link} (no such file)")
        elif anchor and target.suffix == ".md" and anchor not in _anchors(target):
            bad.append(f"{link} (no heading #{anchor})")
    assert not bad, f"{page.relative_to(ROOT)}: " + ", ".join(bad)


def test_jupyter_lab_instructions_say_how_to_install_it():
    extras = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    notebook_extra = re.search(r"^notebook = \[(.*?)\]", extras, re.M | re.S)
    provided = notebook_extra is not None and "jupyterlab" in notebook_extra.group(1)
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        if "jupyter lab" in text and not provided:
            assert "jupyterlab" in text.replace("`jupyter lab`", ""), page.relative_to(ROOT)
