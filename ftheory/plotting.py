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

from ftheory.figures.phasemap import BOUNDARIES, draw_boundaries, heatmap  # noqa: F401  (re-exported)
from ftheory.params import PARAMS

__all__ = ["plot_result", "plot_simulation", "draw_boundaries", "BOUNDARIES"]

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


def plot_result(result, ax=None, *, lookup=None, **params):
    """Plot ``result`` over its array parameters; returns the Axes.

    One array parameter: a line (``inf`` values are left out). Two: a map. A map over
    ``gamma`` and ``theta`` puts theta horizontally; for a transferability it is drawn as a phase
    diagram (colour limits ±1, zero contour) with the registered boundaries. Other maps use a
    sequential colour scale with a colour bar. Scalars are held fixed and shown in the title.
    """
    if isinstance(result, str):
        raise ValueError(f"result={result!r} is invalid: expected a registered Result (plot with "
                         f"ftheory.get({result!r}).plot(...))")
    lookup = result.lookup if lookup is None else lookup
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
            im = heatmap(ax, x, y, z.values)
            if draw_boundaries(ax, result.name, fixed, lookup=lookup, theta_max=float(x[-1]),
                               gamma_max=float(y[-1])):
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
