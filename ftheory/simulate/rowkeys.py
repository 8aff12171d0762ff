"""Names of a row record's quantities: one store record per point holding a whole row (or grid) of
angles or penalties, one quantity per index, named ``quantity:i`` or ``quantity:i:j`` (``T_ft:2``,
``transferability:1:0``); the values the index stands for are in each estimate's ``info``.

Stores written before this convention name one-index rows ``quantity@i`` (``T_ft@2``); they are read
as ``quantity:i`` (:func:`upgrade_record`), so resumed stores still load.
"""
from __future__ import annotations

import re

__all__ = ["row_key", "parse_row_key", "row_quantity", "upgrade_record"]

_INDEX = re.compile(r"((?::\d+)+)$")
_LEGACY = re.compile(r"@(\d+)$")


def row_key(quantity: str, *index: int) -> str:
    """The name of ``quantity`` at ``index`` in a row record: ``row_key("T_ft", 2) == "T_ft:2"``,
    ``row_key("transferability", 1, 0) == "transferability:1:0"``."""
    return ":".join([quantity, *(str(int(i)) for i in index)])


def parse_row_key(name: str) -> tuple[str, tuple[int, ...]]:
    """``(quantity, index)`` of a stored name: ``"T_ft:2" -> ("T_ft", (2,))``, ``"risk" -> ("risk", ())``; the
    legacy ``"T_ft@2"`` reads as ``("T_ft", (2,))``."""
    name = _LEGACY.sub(r":\1", name)
    m = _INDEX.search(name)
    if not m:
        return name, ()
    return name[:m.start()], tuple(int(i) for i in m.group(1)[1:].split(":"))


def row_quantity(quantity: str) -> tuple[str, bool]:
    """``(base name, indexed)`` of a stored quantity: ``"T_ft:2" -> ("T_ft", True)``, ``"risk" -> ("risk", False)``."""
    base, index = parse_row_key(quantity)
    return base, bool(index)


def upgrade_record(record: dict) -> dict:
    """A store record with its legacy ``quantity@i`` names renamed ``quantity:i`` (same order, same data)."""
    quantities = record["quantities"]
    if not any(_LEGACY.search(k) for k in quantities):
        return record
    return {**record, "quantities": {_LEGACY.sub(r":\1", k): v for k, v in quantities.items()}}
