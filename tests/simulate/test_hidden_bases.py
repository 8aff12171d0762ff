"""``_hidden_bases`` rescaled its matrix by a power of two and ``_span`` rescaled it again (narrow layers):
the first rescaling now happens only where the residual test needs it (wide layers). Rescaling by a
power of two is idempotent, so the bases are the same bit for bit; checked here against the previous
code at ordinary, tiny (1e-160, 1e-170: squares underflow) and huge (1e150) weight scales, narrow and
wide, full-rank and low-rank."""
import numpy as np
import pytest

from ftheory.simulate.deep_linear import spectral as S


def _previous(P10, mats, w0):
    """The code before the change (normalisation of M before both branches)."""
    layers = [P10] + list(mats[1:]) + [w0[..., None]]
    m = w0.shape[1]
    Vs = []
    for j in range(len(layers) - 1):
        A, C = layers[j], layers[j + 1]
        M = S._pow2_normalised(np.concatenate([np.swapaxes(A, 1, 2), C], axis=2))
        if M.shape[2] >= m:
            V = S._span(M @ np.random.default_rng(j).standard_normal((M.shape[2], S._SKETCH)))
            if V.shape[2] >= S._SKETCH:
                Vs.append(None)
                continue
            res = M - V @ (np.swapaxes(V, 1, 2) @ M)
            if np.any(np.sqrt(np.einsum("bij,bij->b", res, res))
                      > S._RANK_RTOL * np.sqrt(np.einsum("bij,bij->b", M, M))):
                Vs.append(None)
                continue
        else:
            V = S._span(M)
        Vs.append(None if V.shape[2] >= m else V)
    return Vs


def _weights(rng, B, k, d, m, depth, rank, scale):
    """Row-space part P10 (B, k, m), layers W_1 (B, d, m), hidden W_j (B, m, m) of rank ``rank``, w0 (B, m)."""
    def low(r, c):
        return rng.standard_normal((B, r, rank)) @ rng.standard_normal((B, rank, c))
    P10 = scale * low(k, m)
    mats = [scale * rng.standard_normal((B, d, m))] + [scale * low(m, m) for _ in range(depth - 2)]
    w0 = scale * rng.standard_normal((B, m))
    return P10, mats, w0


@pytest.mark.parametrize("scale", [1.0, 1e-160, 1e-170, 1e150])
@pytest.mark.parametrize("depth, k, m, rank", [(2, 3, 12, 2), (2, 6, 8, 6), (3, 3, 40, 2), (3, 5, 10, 5),
                                               (4, 2, 30, 1)])
def test_hidden_bases_unchanged_bit_for_bit(scale, depth, k, m, rank):
    rng = np.random.default_rng(depth * 1000 + k * 10 + m)
    P10, mats, w0 = _weights(rng, 3, k, 7, m, depth, rank, scale)
    new, old = S._hidden_bases(P10, mats, w0), _previous(P10, mats, w0)
    assert len(new) == len(old) == depth - 1
    reduced = 0
    for a, b in zip(new, old):
        assert (a is None) == (b is None)
        if a is not None:
            reduced += 1
            assert a.shape == b.shape and np.array_equal(a, b)
            # and they are bases: orthonormal columns (zero columns beyond an instance's own rank)
            G = np.swapaxes(a, 1, 2) @ a
            diag = np.diagonal(G, axis1=1, axis2=2)
            assert np.all((np.abs(diag - 1) < 1e-12) | (diag == 0))
            assert np.all(np.abs(G - diag[:, :, None] * np.eye(G.shape[1])) < 1e-12)
    if rank < min(k, m) and m > k + 1:
        assert reduced >= 1, "expected at least one reduced hidden subspace"


def test_pow2_normalised_is_idempotent():
    rng = np.random.default_rng(0)
    for scale in (1.0, 1e-160, 1e150, 3.7e-300):
        M = scale * rng.standard_normal((4, 5, 6))
        once = S._pow2_normalised(M)
        assert np.array_equal(S._pow2_normalised(once), once)
