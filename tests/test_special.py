"""ftheory.special.beta: full float64 accuracy for the Beta functions of the ReLU Mercer eigenvalues."""
import math

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ftheory.special import beta

HALF = st.integers(1, 200_000).map(lambda k: k / 2)


@settings(max_examples=300)
@given(a=HALF, b=st.integers(1, 140).map(lambda k: k / 2))
def test_half_integer_arguments_to_rounding(a, b):
    with mpmath.workdps(40):
        exact = mpmath.beta(mpmath.mpf(a), mpmath.mpf(b))
        if exact < mpmath.mpf(2.3e-308):       # below the normal range: correctly rounded down to a subnormal or 0
            assert 0 <= beta(a, b) <= 2.3e-308
            return
        assert abs(beta(a, b) - exact) / exact < 2e-14


@pytest.mark.parametrize("a,b", [(0.3, 2.7), (1e-3, 5.0), (123.456, 7.89)])
def test_other_arguments_use_scipy(a, b):
    with mpmath.workdps(30):
        assert beta(a, b) == pytest.approx(float(mpmath.beta(a, b)), rel=1e-12)


def test_vectorised_and_edge_cases():
    np.testing.assert_allclose(beta(np.array([1.5, 2.0]), np.array([[1.5], [1.0]])),
                               [[math.pi / 8, 4 / 15], [2 / 3, 1 / 2]], rtol=1e-15)
    assert math.isnan(beta(0.0, 1.0)) and math.isnan(beta(-1.0, 2.0))
    assert beta(5000.0, 900.5) == 0.0     # true value 1.6e-1096 underflows: 0, its correct rounding (reciprocals give inf)
