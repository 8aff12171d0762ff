"""Pretraining: conserved balancedness and the rank-one pretrained state (docs/background.md §2).

* §2.1: for any loss that depends on the weights only through ``beta = W_1 ... W_L``, gradient
  flow conserves ``D_l = W_l^T W_l - W_{l+1} W_{l+1}^T``; from a small initialisation the
  pretrained weights are therefore balanced. :func:`layer_gradients` and
  :func:`balancedness_rates` give the symbolic objects the derivation (``derivations/pretraining.py``)
  checks on explicit matrices.
* §2.3-§2.4: the balanced minimiser is rank one, ``W_l = s u_l u_{l+1}^T``, ``W_L = s u_L``,
  ``s = ||beta_s||^{1/L}``; the NumPy constructor :func:`balanced_rank_one_weights` lives in the
  SymPy-free module :mod:`ftheory.pretrained` (so that simulators can use it) and is re-exported here.

Registered results (topic ``"pretraining"``):

* ``pretrained_feature_norm(norm_s, depth)``: the singular value ``||beta_s||^{(L-1)/L}`` of the
  features ``Phi = W_1 ... W_{L-1}`` (§2.4);
* ``lt_effective_ridge(lam, norm_s, depth)``: the penalty ``lam / ||beta_s||^{2(L-1)/L}`` that a
  ridge read-out on the pretrained feature puts on the end-to-end coefficient (§4.1).
"""
from __future__ import annotations

import sympy as sp

from ftheory.pretrained import balanced_rank_one_weights
from ftheory.result import expr_of, register
from ftheory.theory._symbols import depth, lam, n, norm_s

__all__ = ["balanced_rank_one_weights", "layer_gradients", "balancedness_rates", "layer_scale",
           "readout_ridge_coefficient"]



def _prod(mats):
    out = mats[0]
    for M in mats[1:]:
        out = out * M
    return out


def layer_gradients(weights, G):
    """§2.1 gradient formula ``grad_{W_l} L = A_{l-1}^T G B_{l+1}^T`` for SymPy matrices.

    ``weights = [W_1, ..., W_L]`` (``W_L`` a column), ``G = grad_beta L`` (a ``d x 1`` matrix),
    ``A_l = W_1 ... W_l`` (``A_0 = I``), ``B_l = W_l ... W_L`` (``B_{L+1} = 1``).
    """
    L = len(weights)
    d = weights[0].shape[0]
    grads = []
    for l in range(L):  # 0-based: W_{l+1}
        A = _prod(weights[:l]) if l > 0 else sp.eye(d)
        B = _prod(weights[l + 1:]) if l < L - 1 else sp.ones(1, 1)
        grads.append(A.T * G * B.T)
    return grads


def balancedness_rates(weights, G):
    """``d/dt D_l`` under gradient flow ``dW/dt = -grad`` for each ``l = 1 .. L-1`` (SymPy matrices)."""
    grads = layer_gradients(weights, G)
    rates = []
    for l in range(len(weights) - 1):
        W, V = weights[l], weights[l + 1]
        dW, dV = -grads[l], -grads[l + 1]
        rates.append((dW.T * W + W.T * dW) - (dV * V.T + V * dV.T))
    return rates


def layer_scale():
    """``s = ||beta_s||^{1/L}``: the common singular value of every layer of the balanced state (§2.4)."""
    return norm_s ** (1 / depth)


@register("pretrained_feature_norm", params=("norm_s", "depth"), status="EXT",
          reference="docs/background.md §2.4", topic="pretraining", 
          summary="Singular value of the pretrained features Phi = W_1...W_{L-1} in the balanced "
                  "rank-one state: ||beta_s||^{(L-1)/L} (1 for a unit teacher at every depth).")
def pretrained_feature_norm():
    # Phi = prod_{l=1}^{L-1} s u_l u_{l+1}^T = (prod_l s) u_1 u_L^T since u_{l+1}^T u_{l+1} = 1; the
    # outer product of two unit vectors has the single nonzero singular value 1.
    l = sp.Symbol("l", integer=True, positive=True)
    scale = sp.product(layer_scale(), (l, 1, depth - 1))
    return sp.powsimp(sp.expand_power_base(scale, force=True), force=True)


def readout_ridge_coefficient():
    """Solve the one-feature ridge read-out of §4.1 with symbolic sufficient statistics.

    With ``F = X Phi = a z u_L^T`` (``a`` the feature norm, ``z = X u_s``), ``W_L = c u_L`` and the
    objective ``(1/n)||y - a z c||^2 + lam c^2`` written through ``zz = ||z||^2``, ``zy = z^T y``:
    returns ``(a, c*, b = a c*)`` where ``beta_lt = b u_s``.
    """
    a = sp.Symbol("a", positive=True)
    zz = sp.Symbol("zz", positive=True)
    zy = sp.Symbol("zy", real=True)
    yy = sp.Symbol("yy", positive=True)
    c = sp.Symbol("c", real=True)
    objective = (yy - 2 * a * c * zy + a ** 2 * c ** 2 * zz) / n + lam * c ** 2
    (c_star,) = sp.solve(sp.diff(objective, c), c)
    return a, c_star, sp.simplify(a * c_star), (zz, zy)


@register("lt_effective_ridge", params=("lam", "norm_s", "depth"), status="EXT",
          reference="docs/background.md §4.1", topic="pretraining", 
          summary="Penalty on the end-to-end coefficient of a ridge read-out with penalty lam on the "
                  "pretrained feature: lam / ||beta_s||^{2(L-1)/L} (= lam for a unit teacher).")
def lt_effective_ridge():
    a, _, b, (zz, zy) = readout_ridge_coefficient()
    lam_eff = sp.Symbol("lambda_eff", nonnegative=True)
    # match b = zy / (zz + n lam_eff): the one-parameter ridge on z with penalty lam_eff
    (solution,) = sp.solve(sp.Eq(b, zy / (zz + n * lam_eff)), lam_eff)
    return sp.powsimp(solution.subs(a, expr_of("pretrained_feature_norm")), force=True)
