"""Dataset similarity does not predict transfer: distances between task laws (docs/background.md §9).

* Closed forms for the linear-Gaussian family are registered results (``ftheory.results("similarity")``):
  ``kl_divergence_task``, ``kl_source_target``, ``kl_target_source``, ``wasserstein2_task``,
  ``wasserstein1_lower_bound``, ``wasserstein1_upper_bound``, ``dudley_lower_bound_cosine``.
* :mod:`ftheory.similarity.tasks`: task sampling, certified Dudley bounds and the corrected
  counterexample of the paper's Theorem A.2 (:func:`distant_task`).
* :mod:`ftheory.similarity.estimators`: distances from samples (exact and sliced Wasserstein-1,
  Gaussian-kernel MMD, k-nearest-neighbour KL).

See ``docs/similarity.md``.
"""
from ftheory.similarity.estimators import (kl_divergence_knn, median_heuristic_bandwidth, mmd2,
                                           sliced_wasserstein1, wasserstein1_exact)
from ftheory.similarity.tasks import (Counterexample, DudleyBound, distant_task, dudley_lower_bound,
                                      dudley_upper_bound, sample_task, task_teachers)

__all__ = ["Counterexample", "DudleyBound", "distant_task", "dudley_lower_bound", "dudley_upper_bound",
           "kl_divergence_knn", "median_heuristic_bandwidth", "mmd2", "sample_task", "sliced_wasserstein1",
           "task_teachers", "wasserstein1_exact"]
