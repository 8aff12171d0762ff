"""docs/cluster.md's commands name real options (its SLURM and Kubernetes sections need a cluster and are not run):
every `ftheory` command parses with the CLI's own parser, every `dask scheduler` / `dask worker` option exists in
distributed's command line, every `--option` quoted in the text belongs to one of them, and every ftheory call of
its Python blocks binds to the function's signature with valid values. helm and kubectl (external tools, with no
option of ftheory's) are only counted, so that a new kind of command in the page fails here until it is checked."""
import ast
import importlib
import inspect
import os
import re
import shlex

import pytest

from ftheory import cli

PAGE = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "cluster.md")
EXTERNAL = {"helm", "kubectl"}


def _blocks(lang):
    with open(PAGE, encoding="utf-8") as fh:
        text = fh.read()
    return re.findall(r"^```%s\n(.*?)^```" % lang, text, flags=re.S | re.M)


def _commands():
    """Each shell command of the bash blocks as an argv (continuation lines joined, comments, `&&` and `&` split)."""
    out = []
    for block in _blocks("bash"):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split("#", 1)[0].strip()
            for part in re.split(r"&&|&$", line):
                if part.strip():
                    out.append(shlex.split(part))
    return out


def _dask_options(command):
    pytest.importorskip("distributed")
    from distributed.cli import dask_scheduler, dask_worker

    main = {"scheduler": dask_scheduler.main, "worker": dask_worker.main}[command]
    return {o for p in main.params for o in p.opts if o.startswith("--")}


def test_the_page_has_the_commands_this_test_checks():
    heads = [argv[0] for argv in _commands()]
    assert set(heads) <= {"ftheory", "dask"} | EXTERNAL, heads
    assert heads.count("ftheory") >= 3 and "helm" in heads and "kubectl" in heads    # sections 1 and 3
    assert len(_blocks("python")) >= 3                                                  # sections 1 and 2


@pytest.mark.parametrize("argv", [a for a in _commands() if a[0] == "ftheory"], ids=" ".join)
def test_every_ftheory_command_parses(argv):
    ns = cli.build_parser().parse_args(argv[1:])      # an unknown option or a bad choice exits (status 2)
    assert ns.command in ("sweep", "reproduce") and ns.scheduler.startswith("tcp://")
    used = {a.split("=", 1)[0] for a in argv[2:] if a.startswith("--")}
    assert used <= _options(argv[1])                  # spelled out (argparse also takes a prefix: --stor)


def _options(command):
    sub = next(a for a in cli.build_parser()._actions if a.dest == "command").choices[command]
    return {o for a in sub._actions for o in a.option_strings}


@pytest.mark.parametrize("argv", [a for a in _commands() if a[0] == "dask"], ids=" ".join)
def test_every_dask_command_names_real_options(argv):
    used = {a.split("=", 1)[0] for a in argv[2:] if a.startswith("--")}
    assert used and used <= _dask_options(argv[1])


def test_every_option_quoted_in_the_text_exists():
    """Options in inline code (`--scheduler`, `--nthreads 1`, `dask scheduler --scheduler-file sched.json`, ...)."""
    with open(PAGE, encoding="utf-8") as fh:
        text = re.sub(r"^```.*?^```", "", fh.read(), flags=re.S | re.M)
    quoted = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", " ".join(re.findall(r"`([^`]+)`", text, flags=re.S))))
    ours = _options("sweep") | _options("reproduce")
    theirs = _dask_options("scheduler") | _dask_options("worker")
    assert quoted and quoted <= ours | theirs, sorted(quoted - ours - theirs)


def _ftheory_calls(block):
    """The names a block imports from ftheory and ``(function, args, keywords)`` of every call to one of them or to a
    function of an imported module (``A.window_pair(...)``); arguments that are not literals are None."""
    tree = ast.parse(block)
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module.split(".")[0] == "ftheory":
            module = importlib.import_module(node.module)
            for alias in node.names:
                names[alias.asname or alias.name] = (getattr(module, alias.name, None)
                                                     or importlib.import_module(f"{node.module}.{alias.name}"))
    calls = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if isinstance(f, ast.Name) and f.id in names:
            fn = names[f.id]
        elif isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and inspect.ismodule(names.get(f.value.id)):
            fn = getattr(names[f.value.id], f.attr)      # AttributeError: the module has no such function
        else:
            continue
        kw = {k.arg: (k.value.value if isinstance(k.value, ast.Constant) else None) for k in node.keywords}
        args = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
        calls.append((fn, args, kw))
    return names, calls


@pytest.mark.parametrize("block", _blocks("python"), ids=lambda b: b.split("\n", 1)[0][:40])
def test_every_python_block_parses_and_its_ftheory_calls_bind(block):
    from ftheory.figures import SCALES, reproduce
    from ftheory.simulate.sweeps import EXECUTORS, use_executor

    names, calls = _ftheory_calls(block)
    assert names and calls
    for fn, args, kw in calls:
        bound = inspect.signature(fn).bind(*args, **kw)   # TypeError on a wrong keyword or count
        if fn is use_executor:
            assert bound.arguments["executor"] in EXECUTORS
        if fn is reproduce:
            assert bound.arguments["scale"] in SCALES
