"""Every public function and class of every ftheory module has a docstring (and so do public methods).

Public: a name without a leading underscore, defined in the module itself (not imported), in a
module whose own name has no leading underscore. The generated evaluators are skipped.
"""
import importlib
import inspect
import pkgutil

import ftheory

SKIP_MODULES = ("ftheory._generated",)


def public_modules():
    names = ["ftheory"]
    for info in pkgutil.walk_packages(ftheory.__path__, "ftheory."):
        if not any(part.startswith("_") for part in info.name.split(".")[1:]) and not info.name.startswith(
                SKIP_MODULES):
            names.append(info.name)
    return sorted(names)


def undocumented(module) -> list:
    missing = []
    for name, obj in vars(module).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
            continue
        if inspect.isfunction(obj) or inspect.isclass(obj):
            if not (obj.__doc__ or "").strip():
                missing.append(name)
            if inspect.isclass(obj):
                for meth_name, meth in vars(obj).items():
                    if meth_name.startswith("_"):
                        continue
                    doc = (meth.__doc__ or (meth.fget.__doc__ if meth.fget else "")) if isinstance(meth, property) \
                        else (meth.__doc__ if inspect.isfunction(meth) else "x")
                    if not (doc or "").strip():
                        missing.append(f"{name}.{meth_name}")
    return missing


#: Undocumented public callables tolerated for now, ``{module: {name or Class.method}}``. Empty: every
#: public callable is documented. The test fails on any other missing docstring, and on an entry here that
#: has since been documented or moved (so the list only shrinks).
PENDING: dict = {}


def test_every_public_callable_has_a_docstring():
    missing, stale = {}, {}
    for modname in public_modules():
        found = set(undocumented(importlib.import_module(modname)))
        pending = PENDING.get(modname, set())
        if found - pending:
            missing[modname] = sorted(found - pending)
        if pending - found:
            stale[modname] = sorted(pending - found)
    assert missing == {}, "public callables without a docstring"
    assert stale == {}, "documented since: remove from PENDING"
