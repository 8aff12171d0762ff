"""Compatibility alias: seed handling lives in :mod:`ftheory.mc.seeds`."""
from ftheory.mc.seeds import SeedLike, as_generator, check_seed, spawn_seeds  # noqa: F401
