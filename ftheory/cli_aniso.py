"""``ftheory aniso``: scratch, tuned ridge, linear transfer and fine-tuning risks for a structured spectrum.

Spectrum: ``--alpha A`` (power law ``lambda_k ~ k^-A``), ``--two-level FRAC RATIO``, ``--eigenvalues FILE``
(one number per line, or a ``.npy`` vector) or ``--covariance FILE`` (a d x d matrix; the teacher files are then
in its coordinates). Every spectrum is normalised to trace d (the toolkit's convention; the header prints the
factor d/trace applied to a file's spectrum) and there is no option to keep a file's scale: for the risks of the
spectrum as given, multiply the ``--target`` and ``--source`` files by sqrt(trace/d) (kappa and lam* are then those
of the normalised spectrum: multiply them by trace/d). Target teacher: power-law
coefficients ``beta_k^2 ~ k^-target_exp`` (``--target-exp``) or ``--target FILE``; source:
``--source FILE`` or ``cos(theta) beta_t_hat + sin(theta) e_K`` orthogonalised (``--theta``, ``--perp-at K``:
the eigen-direction the source deviates along; 1 = largest eigenvalue).
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["add_parser", "run"]

# ftheory aniso --help (the docstring's markup is rendered as plain text by ftheory.cli)
_DESCRIPTION = ("Risks of training from scratch (min-norm and tuned ridge), of linear transfer and of fine-tuning "
                "when the inputs have a structured covariance (deterministic equivalents, docs/aniso.md): one row "
                "per sample size.\n\n" + __doc__.split("\n\n", 1)[1])


def add_parser(sub):
    """Add the ``aniso`` subcommand to the argparse subparsers ``sub``; returns its parser."""
    p = sub.add_parser("aniso", help="risks with structured input covariance (power-law, two-level or file spectrum)",
                       description=_DESCRIPTION)
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--alpha", type=float, help="power-law spectrum lambda_k ~ k^-alpha")
    g.add_argument("--two-level", nargs=2, type=float, metavar=("FRAC", "RATIO"),
                   help="fraction FRAC of eigenvalues a, the rest b, a/b = RATIO")
    g.add_argument("--eigenvalues", metavar="FILE",
                   help="eigenvalues, one per line (or a .npy vector); normalised to trace d")
    g.add_argument("--covariance", metavar="FILE",
                   help="a d x d covariance matrix (text rows or .npy), its eigenvalues normalised to trace d; "
                   "--target/--source are in its coordinates")
    p.add_argument("--d", type=int, help="dimension for --alpha/--two-level (default 500); with a file, its length")
    p.add_argument("--n", default="100",
                   help="sample size(s): comma-separated integers and ranges start:stop:step (default 100)")
    p.add_argument("--sigma", default="0.2", help="label-noise standard deviation (default 0.2)")
    p.add_argument("--target-exp", type=float, default=1.0, help="beta_t,k^2 ~ k^-target_exp (default 1)")
    p.add_argument("--target", metavar="FILE", help="target coefficients in the eigenbasis, or in the "
                   "--covariance coordinates (overrides --target-exp)")
    p.add_argument("--source", metavar="FILE",
                   help="source coefficients in the eigenbasis, or in the --covariance coordinates (overrides --theta)")
    p.add_argument("--theta", default="pi/4", help="Euclidean source-target angle in radians (default pi/4)")
    p.add_argument("--perp-at", type=int, default=0,
                   help="eigen-direction K (1-based) the source deviates along (default: the last, smallest)")
    p.set_defaults(func=run)
    return p


def _read_array(path, what):
    try:
        return np.asarray(np.load(path) if str(path).endswith(".npy") else np.loadtxt(path, ndmin=1), dtype=float)
    except (OSError, ValueError) as exc:
        raise ValueError(f"{what}={path!r} could not be read: {exc}") from None


def _read_vector(path, what):
    v = _read_array(path, what)
    if sum(k > 1 for k in v.shape) > 1:
        hint = "; for a covariance matrix use --covariance FILE" if what == "eigenvalues" else ""
        raise ValueError(f"{what}={path!r} holds a {' x '.join(map(str, v.shape))} table: expected a vector, "
                         f"one number per line{hint}")
    return v.ravel()


def _spectrum(ns):
    from ftheory import aniso as A
    from ftheory.aniso.spectra import check_spectrum

    d = 500 if ns.d is None else ns.d
    if ns.alpha is not None:
        return A.power_law_spectrum(d, ns.alpha), f"power law alpha={ns.alpha:g}"
    if ns.two_level is not None:
        ev, m = A.two_level_spectrum(d, *ns.two_level)
        return ev, f"two-level: {m} eigenvalues {ev[0]:.4g}, {d - m} eigenvalues {ev[-1]:.4g}"
    if ns.covariance:
        ev, _ = A.eigenbasis(_read_array(ns.covariance, "covariance"))
        name = f"covariance {ns.covariance}"
    else:
        ev, name = check_spectrum(_read_vector(ns.eigenvalues, "eigenvalues")), f"file {ns.eigenvalues}"
    if ns.d is not None and ns.d != ev.size:
        raise ValueError(f"d={ns.d} disagrees with the {ev.size} eigenvalues of {name} (omit --d with a file)")
    factor = ev.size / ev.sum()
    return ev * factor, f"{name}, trace {ev.sum():.4g}, normalised to trace d (x {factor:.4g})"


def _teachers(ns, d):
    from ftheory import aniso as A
    from ftheory.params import get_param

    files = {}
    for what in ("target", "source"):
        if getattr(ns, what):
            files[what] = v = _read_vector(getattr(ns, what), what)
            if v.shape != (d,):
                raise ValueError(f"{what}={getattr(ns, what)!r} has {v.size} coefficients: expected d={d}")
            if not np.any(v):
                raise ValueError(f"{what}={getattr(ns, what)!r} is the zero vector: expected a teacher with a "
                                 "non-zero coefficient")
    if ns.covariance and files:      # into the eigenbasis of the matrix (eigenvalues in decreasing order)
        _, rotated = A.eigenbasis(_read_array(ns.covariance, "covariance"), *files.values())
        files = dict(zip(files, rotated))
    bt = files["target"] if "target" in files else A.power_law_teacher(d, ns.target_exp)
    if "source" in files:
        return files["source"], bt, "from file"
    theta = float(get_param("theta").parse(ns.theta))
    k = d if ns.perp_at == 0 else ns.perp_at
    if not 1 <= k <= d:
        raise ValueError(f"perp-at={ns.perp_at!r} is invalid: expected an integer in [1, d={d}]")
    t_hat = bt / np.linalg.norm(bt)
    e = np.zeros(d)
    e[k - 1] = 1.0
    perp = e - (e @ t_hat) * t_hat
    if np.linalg.norm(perp) < 1e-12:
        raise ValueError(f"perp-at={k} is along the target: choose another eigen-direction")
    perp /= np.linalg.norm(perp)
    bs = math.cos(theta) * t_hat + math.sin(theta) * perp
    return bs, bt, f"theta={theta:.4g} along eigen-direction {k}"


def _sample_sizes(text):
    from ftheory.cli_common import CLIError, range_values
    from ftheory.params import get_param

    out = []
    for item in text.split(","):
        try:
            out += range_values(get_param("n"), "n", item) if ":" in item else [int(item)]
        except ValueError as exc:
            why = str(exc) if ":" in item else "expected comma-separated integers >= 1 or ranges start:stop:step"
            raise CLIError(why if why.startswith("n=") else f"n={text!r} is invalid: {why}") from None
    return out


def run(ns):
    """Print one table row per sample size."""
    from ftheory import aniso as A
    from ftheory.params import get_param, parse_number

    n = np.array(_sample_sizes(ns.n))
    sigma = float(get_param("sigma").parse(ns.sigma)) if isinstance(ns.sigma, str) else parse_number(ns.sigma)
    ev, label = _spectrum(ns)
    d = ev.size
    bs, bt, source_label = _teachers(ns, d)
    sc = A.scratch_risk(ev, bt, n, sigma)
    tuned = A.tuned_ridge(ev, bt, n, sigma)
    lt = A.linear_transfer_risk(ev, bs, bt, n, sigma)
    ft = A.finetune_linear_risk(ev, bs, bt, n, sigma)
    kappa = A.effective_regularisation(ev, n)
    T = A.transferability(ev, bs, bt, n, sigma)
    print(f"spectrum: {label}; d = {d}; sigma = {sigma:g}; source {source_label}")
    print(f"Euclidean cos = {float(bs @ bt / np.linalg.norm(bs) / np.linalg.norm(bt)):.4f}, "
          f"Sigma-weighted cos = {float(A.sigma_cosine(ev, bs, bt)):.4f}, "
          f"||beta_t||_Sigma^2 = {float(bt ** 2 @ ev):.4g}")
    head = ["n", "gamma", "kappa", "R_scratch", "R_ridge*", "lam*", "R_lt", "R_ft", "T_lt", "T_ft"]
    print("  ".join(f"{h:>10}" for h in head))
    for i in range(n.size):
        row = [n[i], n[i] / d, kappa[i], sc[i], tuned.risk[i], tuned.lam[i], lt[i], ft[i], T["linear_transfer"][i],
               T["finetune"][i]]
        print("  ".join(f"{v:>10d}" if isinstance(v, (int, np.integer)) else f"{v:>10.4g}" for v in row))
    return 0
