"""The numbers of the ``relu-gram`` figure (docs/background.md §10.1, paper Fig. 3a-b): exact kernel
diagnostics of the pretrained and the initial network against the source teacher over instances, and the
sampled Gram matrices and neuron cosines of one instance.

The kernel of a network ``f(x) = sum_i a_i relu(w_i . x)`` weighted by ``weights_i`` is
``K(x, x') = sum_i weights_i relu(w_i . x) relu(w_i . x')``.
"""
from __future__ import annotations

import numpy as np

from ftheory.simulate.data import sphere_inputs
from ftheory.simulate.relu.diagnostics import kernel_alignment, kernel_outside_fraction

__all__ = ["feature_kernel", "neuron_cosines", "kernel_diagnostics", "gram_panels"]

#: the keys of :func:`kernel_diagnostics`, in its order
DIAGNOSTICS = tuple(f"{what}_{tag}_{w}" for tag in ("trained", "init") for what in ("align", "outside")
                    for w in ("readout", "uniform"))


def feature_kernel(W, weights, X) -> np.ndarray:
    """``K[a, b] = sum_i weights_i relu(w_i . x_a) relu(w_i . x_b)`` on the rows ``x_a`` of ``X``: shape
    ``(len(X), len(X))``. ``W``: (p, d) neurons, ``weights``: (p,), ``X``: (N, d)."""
    W, X = np.asarray(W, float), np.asarray(X, float)
    weights = np.asarray(weights, float)
    if W.ndim != 2 or X.ndim != 2 or W.shape[1] != X.shape[1] or weights.shape != W.shape[:1]:
        raise ValueError(f"W {W.shape}, weights {weights.shape}, X {X.shape}: expected (p, d), (p,) and (N, d)")
    F = np.maximum(X @ W.T, 0.0)
    return (F * weights) @ F.T


def neuron_cosines(W, W_unit, atol=1e-12) -> np.ndarray:
    """``C[i, j] = cos(w_i, u_j) = (w_i / ||w_i||) . u_j`` between the rows of ``W`` (p, d; nonzero) and the
    unit rows of ``W_unit`` (q, d; e.g. teacher neurons, which :func:`~ftheory.simulate.relu.draw_teacher` draws
    on the sphere): shape (p, q). ValueError when a row of ``W_unit`` is not a unit vector within ``atol``."""
    W, U = np.asarray(W, float), np.asarray(W_unit, float)
    if W.ndim != 2 or U.ndim != 2 or W.shape[1] != U.shape[1]:
        raise ValueError(f"W {W.shape}, W_unit {U.shape}: expected (p, d) and (q, d)")
    off = np.abs(np.linalg.norm(U, axis=1) - 1.0)
    if off.size and not float(off.max()) <= atol:
        raise ValueError(f"W_unit has a row of norm 1 + {float(off.max()):.3g}: expected unit rows (within {atol:g})")
    norms = np.linalg.norm(W, axis=1, keepdims=True)
    if np.any(norms == 0):
        raise ValueError("W has a zero row: its cosine is undefined")
    return (W / norms) @ U.T


def _networks(res, j, i):
    """``{tag: (W, a)}`` of instance ``i``: pretrained at ``mus[j]`` and at initialisation."""
    return {"trained": (res.pretrained_weights[i, j], res.pretrained_readout[i, j]),
            "init": (res.init_weights[i], res.init_readout[i])}


def kernel_diagnostics(res, j) -> dict:
    """Per instance, exact kernel diagnostics of the pretrained (at ``res.mus[j]``) and initial networks against
    the kept source teacher ``S``: ``{key: array (instances,)}`` with keys :data:`DIAGNOSTICS`.

    ``align_*``: Hilbert-Schmidt alignment (:func:`~ftheory.simulate.relu.kernel_alignment`) with the source
    kernel; ``outside_*``: fraction of the network kernel's trace outside the source span
    (:func:`~ftheory.simulate.relu.kernel_outside_fraction`). ``*_readout``: each network's own kernel (student
    weights ``a_i^2/m``, teacher ``c_j^2/m*``); ``*_uniform``: plain feature kernels (``1/m``, ``1/|S|``).
    ``res`` is a :class:`~ftheory.simulate.relu.ReluTransferResult` run with ``keep_init=True``.
    """
    if res.init_weights is None:
        raise ValueError("res has no initial networks: run simulate_relu_transfer with keep_init=True")
    mu = float(res.mus[j])
    m, ms = res.params["m"], res.params["m_star"]
    rows = []
    for i in range(res.params["instances"]):
        keep = res.teacher.keep(mu)[i]
        Ws, cs = res.teacher.weights[i, keep], res.teacher.coef[i, keep]
        row = {}
        for tag, (W, a) in _networks(res, j, i).items():
            row[f"align_{tag}_readout"] = kernel_alignment(W, a ** 2 / m, Ws, cs ** 2 / ms)
            row[f"align_{tag}_uniform"] = kernel_alignment(W, np.full(m, 1.0 / m), Ws,
                                                           np.full(len(keep), 1.0 / len(keep)))
            row[f"outside_{tag}_readout"] = kernel_outside_fraction(W, a ** 2 / m, Ws)
            row[f"outside_{tag}_uniform"] = kernel_outside_fraction(W, np.full(m, 1.0 / m), Ws)
        rows.append(row)
    return {k: np.array([r[k] for r in rows]) for k in DIAGNOSTICS}


def gram_panels(res, j, inputs, *, instance=0, seed=None) -> dict:
    """Sampled kernels and neuron cosines of one instance at ``res.mus[j]``.

    ``inputs`` points uniform on the sphere of radius ``sqrt(d)`` (relu is 1-homogeneous, so this removes the
    ``|x||x'|`` factor and shows the kernel on the sphere, docs/background.md §10.2), sorted by the source
    teacher's output ``sum_{j in S} c_j relu(w*_j . x)``. Returns ``K_trained`` / ``K_init`` (weights ``a_i^2/m``),
    ``K_source`` (``c_j^2/m*`` over the kept neurons ``S``), each (inputs, inputs); ``cos_trained``: cosines of the
    pretrained student neurons (rows, sorted by their closest teacher neuron, then by decreasing cosine) with the
    teacher neurons (columns: kept ``S`` first, then the removed ones); ``kept``: ``|S|``; ``inputs``: the sorted
    points.
    """
    i, mu = int(instance), float(res.mus[j])
    m, ms = res.params["m"], res.params["m_star"]
    keep = res.teacher.keep(mu)[i]
    removed = np.setdiff1d(np.arange(ms), keep)
    Ws, cs = res.teacher.weights[i, keep], res.teacher.coef[i, keep]
    nets = _networks(res, j, i)
    (W, a), (W0, a0) = nets["trained"], nets["init"]
    X = sphere_inputs(inputs, res.params["d"], seed=seed)
    X = X[np.argsort(np.maximum(X @ Ws.T, 0.0) @ cs)]
    cos = neuron_cosines(W, res.teacher.weights[i, np.concatenate([keep, removed])])
    order = np.lexsort((-cos.max(1), np.argmax(cos, axis=1)))
    return {"K_trained": feature_kernel(W, a ** 2 / m, X), "K_source": feature_kernel(Ws, cs ** 2 / ms, X),
            "K_init": feature_kernel(W0, a0 ** 2 / m, X), "cos_trained": cos[order], "kept": int(len(keep)),
            "inputs": X}
