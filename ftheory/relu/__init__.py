"""Two-layer ReLU networks: kernels, feature-space projections and the scratch power law (docs/background.md §10)."""
