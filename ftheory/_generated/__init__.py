"""Code generated from the symbolic results by ``python -m ftheory.codegen``."""
