// Runtime of the generated evaluators (hand-written; see ftheory/explore/jsgen.py).
//   sq(x)                 x*x (NumPy's power does the same for the exponent 2)
//   positiveRoot(L, A, B) unique positive root of w^L - A w^(L-1) - B (port of ftheory.roots.positive_root)
//   quad(f, a, b)         adaptive Gauss-Legendre quadrature on [a, b] or [a, Infinity)
(function (root) {
  "use strict";

  function sq(x) {
    return x * x;
  }

  // ftheory/roots.py, positive_root, for scalars: same bracket, scaling and monotone Newton
  // iteration (THEORY.md §6.4), stopped when an iterate no longer increases.
  const MAX_ITER = 200;
  function positiveRoot(L, A, B) {
    let bRoot = B > 0 ? Math.pow(B, 1.0 / L) : 0.0;
    const s = Math.max(A, bRoot);
    const zero = s === 0;
    const sSafe = zero ? 1.0 : s;
    const alpha = A / sSafe;
    const beta = Math.pow(bRoot / sSafe, L);
    if (zero) return 0.0;
    if (!(beta > 0)) return sSafe * alpha; // beta = 0: the root is x = alpha
    let x = 1.0;
    for (let i = 0; i < MAX_ITER; i++) {
      const p = Math.pow(x, -L);
      const f = x - alpha - beta * x * p;
      const fp = 1.0 + (L - 1.0) * beta * p;
      const next = x - f / fp;
      if (!(next > x)) break;
      x = next;
    }
    return sSafe * x;
  }

  // Globally adaptive Gauss-Legendre quadrature. Each interval carries the 15-point rule on
  // itself and on its two halves; the halves' sum is its value and |halves - whole| a
  // (conservative) error estimate. The interval with the largest estimate is bisected until the
  // estimates sum to below QUAD_RTOL * |integral|. [a, Infinity) is mapped to [0, 1) by
  // x = a + t/(1 - t); the Gauss nodes are interior, so neither endpoint is ever evaluated.
  const QUAD_RTOL = 1e-14;
  const QUAD_MAX_INTERVALS = 2000;

  function panel(f, a, b) {
    const X = root.FT_GENERATED.GL_X, W = root.FT_GENERATED.GL_W;
    const c = 0.5 * (a + b), h = 0.5 * (b - a);
    let s = 0.0;
    for (let i = 0; i < X.length; i++) s += W[i] * f(c + h * X[i]);
    return s * h;
  }

  function interval(f, a, b, whole) {
    const m = 0.5 * (a + b);
    const left = panel(f, a, m), right = panel(f, m, b);
    return {a: a, b: b, m: m, left: left, right: right, value: left + right,
            err: Math.abs(left + right - whole)};
  }

  function adaptive(f, a, b) {
    let parts = [interval(f, a, b, panel(f, a, b))];
    for (;;) {
      let total = 0.0, err = 0.0, worst = 0;
      for (let i = 0; i < parts.length; i++) {
        total += parts[i].value;
        err += parts[i].err;
        if (parts[i].err > parts[worst].err) worst = i;
      }
      if (!(err > QUAD_RTOL * Math.abs(total)) || parts.length >= QUAD_MAX_INTERVALS) {
        if (Number.isNaN(err)) return NaN;
        return total;
      }
      const p = parts[worst];
      parts.splice(worst, 1, interval(f, p.a, p.m, p.left), interval(f, p.m, p.b, p.right));
    }
  }

  function quad(f, a, b) {
    if (b === Infinity) {
      const g = function (t) {
        const u = 1.0 - t;
        return f(a + t / u) / (u * u);
      };
      return adaptive(g, 0.0, 1.0);
    }
    if (!(b > a)) return b === a ? 0.0 : -adaptive(f, b, a);
    return adaptive(f, a, b);
  }

  root.FT_RUNTIME = {sq: sq, positiveRoot: positiveRoot, quad: quad};
})(typeof window !== "undefined" ? window : globalThis);
