"""Quick plots of results and simulations (matplotlib; every function returns the Axes).

* :func:`plot_result` (``Result.plot``) - a line over one array parameter, a map over two; a
  (theta, gamma) map of a transferability uses the phase-diagram conventions of
  :mod:`ftheory.figures.phase` (theta horizontal, red = transfer hurts, blue = helps, zero
  contour) and draws the registered boundaries (:func:`draw_boundaries`).
* :func:`plot_simulation` - Monte Carlo means with error bars (± ``k`` standard errors) from a
  Dataset of :mod:`ftheory.labeled`.
"""
from __future__ import annotations

import numpy as np

from ftheory.params import PARAMS

__all__ = ["plot_result", "plot_simulation", "draw_boundaries", "BOUNDARIES"]

#: result -> what :func:`draw_boundaries` overlays on its (theta, gamma) map
BOUNDARIES = {
    "linear_transfer_transferability": "gamma_-, gamma_+ and gamma_over (lt_boundary_*; at lam = 0)",
    "linear_transfer_transferability_tuned": "gamma_b (lt_boundary_tuned)",
    "finetune_transferability": "theta* (finetune_break_even_theta), for gamma < 1",
    "finetune_transferability_gf": "theta*(gamma) (finetune_break_even_theta_gf), for gamma < 1",
    "finetune_transferability_finite_source": "theta* (finetune_break_even_theta_finite_source), for gamma < 1",
}


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(5.0, 3.8))
    elif not (hasattr(ax, "plot") and hasattr(ax, "figure")):
        raise ValueError(f"ax={ax!r} is invalid: expected a matplotlib Axes or None (a new figure)")
    return ax


def _label(name: str) -> str:
    return f"${PARAMS[name].latex}$" if name in PARAMS and PARAMS[name].latex else name


def _fixed(params: dict, result) -> dict:
    return {k: v for k, v in params.items() if np.ndim(v) == 0 and k in result.params}


def draw_boundaries(ax, result: str, params: dict, *, theta_max=None, gamma_max=None, size=400) -> bool:
    """Overlay the registered boundaries of ``result`` (see :data:`BOUNDARIES`) on a (theta, gamma)
    map drawn with theta horizontal. ``params`` are the fixed parameters of the map. Returns
    whether anything was drawn (e.g. nothing for linear transfer at ``lam > 0``)."""
    import ftheory
    from ftheory.figures import phase

    theta_max = phase.THETA_MAX if theta_max is None else theta_max
    gamma_max = phase.GAMMA_MAX if gamma_max is None else gamma_max
    theta = np.linspace(1e-3, theta_max, size)
    style = {"lw": 1.3, "ls": "--"}

    def of(name, **kw):
        r = ftheory.get(name)
        return r(**{k: v for k, v in {**params, **kw}.items() if k in r.params})

    if result == "linear_transfer_transferability":
        if params.get("lam", 0) != 0:
            return False
        phase.lt_boundaries(ax, params.get("sigma", 0.0) / params.get("norm_t", 1.0), theta_max=theta_max, size=size)
        return True
    if result == "linear_transfer_transferability_tuned":
        ax.plot(theta, np.minimum(of("lt_boundary_tuned", theta=theta), 10 * gamma_max), color="#2a9d5c",
                label=r"$\gamma_b$", **style)
        return True
    if result in ("finetune_transferability", "finetune_transferability_finite_source"):
        name = "finetune_break_even_theta" + ("_finite_source" if result.endswith("finite_source") else "")
        t_star = float(of(name))
        ax.plot([t_star, t_star], [0, min(1.0, gamma_max)], color="#2a9d5c", label=r"$\theta^*$", **style)
        return True
    if result == "finetune_transferability_gf":
        gamma = np.linspace(0, min(1.0, gamma_max), size, endpoint=False)
        ax.plot(of("finetune_break_even_theta_gf", gamma=gamma), gamma, color="#2a9d5c",
                label=r"$\theta^*(\gamma)$", **style)
        return True
    return False


def plot_result(result, ax=None, **params):
    """Plot ``result`` over its array parameters; returns the Axes.

    One array parameter: a line (``inf`` values are left out). Two: a map. A map over
    ``gamma`` and ``theta`` puts theta horizontally; for a transferability it is drawn as a phase
    diagram (colour limits ±1, zero contour) with the registered boundaries. Other maps use a
    sequential colour scale with a colour bar. Scalars are held fixed and shown in the title.
    """
    import ftheory

    if isinstance(result, str):
        result = ftheory.get(result)
    da = result.grid(**params)
    ax = _axes(ax)
    fixed = _fixed(params, result)
    title = ", ".join(f"{_label(k)}$={float(v):g}$" for k, v in fixed.items())
    values = np.where(np.isfinite(da.values), da.values, np.nan)
    if da.ndim == 1:
        (dim,) = da.dims
        ax.plot(da[dim].values, values, label=result.name)
        ax.set_xlabel(_label(dim))
        ax.set_ylabel(f"${da.attrs['latex']}$" if len(result.params) <= 4 else result.name)
    elif da.ndim == 2:
        dims = list(da.dims)
        if set(dims) == {"gamma", "theta"}:
            dims = ["theta", "gamma"]
        xdim, ydim = dims
        z = da.transpose(ydim, xdim)
        zv = np.where(np.isfinite(z.values), z.values, np.nan)
        x, y = z[xdim].values, z[ydim].values
        if dims == ["theta", "gamma"] and "transferability" in result.name:
            from ftheory.figures import phase

            im = phase.heatmap(ax, x, y, z.values)
            if draw_boundaries(ax, result.name, fixed, theta_max=float(x[-1]), gamma_max=float(y[-1])):
                ax.legend(fontsize=7, loc="upper right")
            ax.set_xlim(x[0], x[-1])
            ax.set_ylim(y[0], y[-1])
            ax.figure.colorbar(im, ax=ax, label=r"$\mathcal{T}$ (blue: transfer helps)")
        else:
            im = ax.pcolormesh(x, y, zv, shading="auto", cmap="viridis")
            ax.set_xlabel(_label(xdim))
            ax.set_ylabel(_label(ydim))
            ax.figure.colorbar(im, ax=ax, label=result.name)
    else:
        raise ValueError(f"{result.name}.plot: give one or two parameters as arrays, not {da.ndim} "
                         f"({', '.join(da.dims)})")
    ax.set_title(f"{result.name}" + (f"  ({title})" if title else ""), fontsize=9)
    return ax


def plot_simulation(ax, dataset, x=None, *, quantity=None, k=1.0, label=None, **style):
    """Overlay Monte Carlo means with error bars of ``k`` standard errors from ``dataset``.

    ``dataset`` is a Dataset of :mod:`ftheory.labeled` (variables ``mean`` and ``sem``) with one
    dimension left after selecting ``quantity`` (needed when the Dataset has several). ``x`` is
    the coordinate on the horizontal axis (default: that dimension; e.g. ``x="gamma"`` for a
    sweep over ``n`` at fixed ``d``). Points whose instances did not all converge are drawn hollow.
    Returns the Axes.
    """
    ax = _axes(ax)
    ds = dataset
    if "quantity" in ds.dims:
        names = [str(q) for q in ds["quantity"].values]
        if quantity is None and len(names) != 1:
            raise ValueError(f"quantity=None is ambiguous: the dataset holds {', '.join(names)}")
        quantity = names[0] if quantity is None else quantity
        if quantity not in names:
            raise ValueError(f"quantity={quantity!r} is not in the dataset; it holds {', '.join(names)}")
        ds = ds.sel(quantity=quantity)
    if ds["mean"].ndim != 1:
        raise ValueError(f"plot_simulation needs one dimension left, the dataset has {', '.join(ds['mean'].dims)}; "
                         "select the others first (dataset.sel(...))")
    (dim,) = ds["mean"].dims
    x = dim if x is None else x
    if x not in ds.coords:
        raise ValueError(f"x={x!r} is not a coordinate of the dataset (coordinates: {', '.join(ds.coords)})")
    xs, mean, sem = ds[x].values, ds["mean"].values, ds["sem"].values
    keep = np.isfinite(mean)
    style = {"fmt": "o", "ms": 4, "capsize": 2, "lw": 1, **style}
    label = label if label is not None else (f"simulation ({quantity})" if quantity else "simulation")
    bars = ax.errorbar(xs[keep], mean[keep], yerr=k * np.nan_to_num(sem[keep]), label=label, **style)
    if "converged" in ds and "instances" in ds:
        bad = keep & (ds["converged"].values < ds["instances"].values)
        if bad.any():
            ax.plot(xs[bad], mean[bad], "o", mfc="white", mec=bars[0].get_color(), ms=style["ms"] + 2,
                    label="not all converged")
    if not ax.get_xlabel():
        ax.set_xlabel(_label(x))
    return ax
