"""ftheory.simulate.deep_linear.network: the batch container, the small initialisation and the balanced rank-one
state, checked against direct products and the documented draws (written against mutmut survivors)."""
import math

import numpy as np
import pytest

from ftheory.simulate.deep_linear.network import DeepLinearNet, default_alpha, init_network, pretrained_state


def _rand_net(B=2, d=4, m=3, depth=3, seed=0):
    rng = np.random.default_rng(seed)
    shapes = [(B, d, m)] + [(B, m, m)] * (depth - 2) + [(B, m, 1)]
    return [rng.standard_normal(s) for s in shapes]


def test_properties_are_the_matrix_products():
    ws = _rand_net()
    net = DeepLinearNet(tuple(ws))
    assert (net.depth, net.instances, net.d, net.width) == (3, 2, 4, 3)
    for b in range(2):
        np.testing.assert_allclose(net.beta[b], (ws[0][b] @ ws[1][b] @ ws[2][b])[:, 0], rtol=1e-13)
        np.testing.assert_allclose(net.phi[b], ws[0][b] @ ws[1][b], rtol=1e-13)
        np.testing.assert_allclose(net.readout[b], ws[2][b][:, 0], rtol=0)
        D = net.balancedness()
        assert len(D) == 2
        np.testing.assert_allclose(D[0][b], ws[0][b].T @ ws[0][b] - ws[1][b] @ ws[1][b].T, rtol=1e-13, atol=1e-13)
        np.testing.assert_allclose(D[1][b], ws[1][b].T @ ws[1][b] - ws[2][b] @ ws[2][b].T, rtol=1e-13, atol=1e-13)
    bt = np.arange(4.0)
    np.testing.assert_allclose(net.risk(bt), [np.sum((net.beta[b] - bt) ** 2) for b in range(2)], rtol=1e-14)
    two = DeepLinearNet(tuple(_rand_net(depth=2)))
    np.testing.assert_allclose(two.phi, two.weights[0], rtol=0)


@pytest.mark.parametrize("ws,match", [
    ([np.ones((1, 2, 1))], "^depth=1 is invalid: a deep linear network needs >= 2 weight matrices"),
    ([np.ones((2, 1)), np.ones((1, 1, 1))], r"^weights must be 3-d arrays"),
    ([np.ones((1, 2, 3)), np.ones((1, 2, 1))], r"^incompatible weight shapes \(1, 2, 3\) and \(1, 2, 1\)"),
    ([np.ones((1, 2, 3)), np.ones((2, 3, 1))], r"^incompatible weight shapes"),
    ([np.ones((1, 2, 3)), np.ones((1, 3, 2))], r"^the read-out must have one output column, got shape \(1, 3, 2\)"),
])
def test_container_rejects_bad_shapes(ws, match):
    with pytest.raises(ValueError, match=match):
        DeepLinearNet(tuple(ws))


def test_default_alpha():
    assert default_alpha(2) == 1e-5 and default_alpha(3) == 1e-2 and default_alpha(7) == 1e-2
    with pytest.raises(ValueError, match="^depth="):
        default_alpha(1)


@pytest.mark.parametrize("depth,width,alpha", [(2, None, None), (3, 5, 0.3), (4, 2, None)])
def test_init_network_is_the_documented_draw(depth, width, alpha):
    d, B = 4, 3
    net = init_network(d, depth=depth, width=width, alpha=alpha, instances=B, seed=9)
    m = d if width is None else width
    a = (1e-5 if depth == 2 else 1e-2) if alpha is None else alpha
    rng = np.random.default_rng(9)
    shapes = [(B, d, m)] + [(B, m, m)] * (depth - 2) + [(B, m, 1)]
    want = [a * rng.standard_normal(s) / (1.0 if i == depth - 1 else math.sqrt(d)) for i, s in enumerate(shapes)]
    assert len(net.weights) == depth
    for got, w in zip(net.weights, want):
        np.testing.assert_allclose(got, w, rtol=1e-15)


@pytest.mark.parametrize("kwargs,name", [(dict(d=0), "d"), (dict(depth=1), "depth"), (dict(width=0), "width"),
                                         (dict(alpha=0.0), "alpha"), (dict(instances=0), "instances")])
def test_init_network_bad_input(kwargs, name):
    args = dict(d=3)
    args.update(kwargs)
    with pytest.raises(ValueError, match=f"^{name}="):
        init_network(args.pop("d"), **args)


@pytest.mark.parametrize("depth,width", [(2, None), (3, 6), (5, 2)])
def test_pretrained_state_is_balanced_rank_one_with_the_given_vector(depth, width):
    beta = np.array([[3.0, -1.0, 0.5, 2.0], [0.1, 0.2, -0.3, 0.05]])
    net = pretrained_state(beta, depth=depth, width=width, seed=1)
    m = 4 if width is None else width
    assert net.depth == depth and net.width == m and net.instances == 2
    np.testing.assert_allclose(net.beta, beta, rtol=1e-12)
    for D in net.balancedness():
        np.testing.assert_allclose(D, 0, atol=1e-13)
    r = np.linalg.norm(beta, axis=1)
    for W in net.weights:  # every layer has the single singular value ||beta||^{1/L}
        sv = np.linalg.svd(W, compute_uv=False)
        np.testing.assert_allclose(sv[:, 0], r ** (1 / depth), rtol=1e-12)
        if sv.shape[1] > 1:
            assert np.all(sv[:, 1] < 1e-12)
    # the column space of W_1 is beta / ||beta||: all of W_1's norm is along it
    np.testing.assert_allclose(np.linalg.norm(np.einsum("bd,bdm->bm", beta / r[:, None], net.weights[0]), axis=1),
                               r ** (1 / depth), rtol=1e-12)


def test_pretrained_state_one_vector_and_bad_input():
    net = pretrained_state([1.0, 2.0, 2.0], depth=3, seed=0)
    assert net.instances == 1
    np.testing.assert_allclose(net.beta[0], [1.0, 2.0, 2.0], rtol=1e-13)
    with pytest.raises(ValueError, match="^beta must be non-zero"):
        pretrained_state(np.zeros((1, 3)))
    with pytest.raises(ValueError, match="^depth="):
        pretrained_state([1.0, 2.0], depth=1)
    with pytest.raises(ValueError, match="^width="):
        pretrained_state([1.0, 2.0], width=0)
