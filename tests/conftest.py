"""Test configuration: deterministic Hypothesis everywhere (CI and local), no deadlines.

Use ``pytest --hypothesis-profile=explore`` for randomized, longer searches.
"""
import os

from hypothesis import HealthCheck, settings

settings.register_profile("deterministic", derandomize=True, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("explore", deadline=None, max_examples=500,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("FTHEORY_HYPOTHESIS_PROFILE", "deterministic"))

# One BLAS thread for the whole session: the suite's linear algebra is many small problems, for
# which multi-threaded OpenBLAS on the 2-core target machine was measured 20-60x slower.
from threadpoolctl import threadpool_limits  # noqa: E402

_BLAS_LIMIT = threadpool_limits(limits=1, user_api="blas")
