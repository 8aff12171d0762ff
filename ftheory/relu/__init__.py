"""Two-layer ReLU networks: kernels, feature-space projections and the scratch power law (THEORY.md §10)."""
