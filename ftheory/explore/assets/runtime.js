// Runtime of the generated evaluators (hand-written; see ftheory/explore/jsgen.py).
//   sq(x)                 x*x (NumPy's power does the same for the exponent 2)
//   positiveRoot(L, A, B) unique positive root of w^L - A w^(L-1) - B (port of ftheory.roots.positive_root)
//   quad(f, a, b)         adaptive Gauss-Legendre quadrature on [a, b] or [a, Infinity)
//   beta(a, b)            Euler's Beta function (exact ratios for half-integers, else Lanczos)
(function (root) {
  "use strict";

  function sq(x) {
    return x * x;
  }

  // ftheory/roots.py, positive_root, for scalars: same bracket, scaling and monotone Newton
  // iteration (docs/background.md §6.4), stopped when an iterate no longer increases.
  const MAX_ITER = 200;
  function positiveRoot(L, A, B) {
    let bRoot = B > 0 ? Math.pow(B, 1.0 / L) : 0.0;
    const s = Math.max(A, bRoot);
    const zero = s === 0;
    const sSafe = zero ? 1.0 : s;
    const alpha = A / sSafe;
    const beta = Math.pow(bRoot / sSafe, L);
    if (zero) return 0.0;
    return sSafe * scaledRoot(L, alpha, beta);
  }

  // ftheory/roots.py, scaled_root: root x in [1, 2] of x - alpha - beta x^(1-L), max(alpha, beta) = 1
  function scaledRoot(L, alpha, beta) {
    if (!(beta > 0)) return alpha; // beta = 0: the root is x = alpha
    let x = 1.0;
    for (let i = 0; i < MAX_ITER; i++) {
      const p = Math.pow(x, -L);
      const f = x - alpha - beta * x * p;
      const fp = 1.0 + (L - 1.0) * beta * p;
      const next = x - f / fp;
      if (!(next > x)) break;
      x = next;
    }
    return x;
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

  // ---------------------------------------------------------------------------------------------
  // Euler's Beta function B(a, b) = Gamma(a) Gamma(b) / Gamma(a + b), a, b > 0 (the SymPy class
  // ftheory.theory.relu.Beta, docs/background.md §10.2). Two routes:
  //
  // * Integer and half-integer arguments (2a, 2b integers; every Beta of the registered ReLU
  //   results: B(d/2, (l+1)/2), B(d/2, l/2), B(d-1, l+1), B((l-1)/2, 3/2)): exact ratios. With
  //   b <= a and b = b0 + m (b0 = 1 or 1/2, m an integer)
  //       B(a, b) = B(a, b0) * prod_{k<m} (b0 + k)/(a + b0 + k),
  //       B(a, 1) = 1/a,   B(a, 1/2) = sqrt(pi) Gamma(a)/Gamma(a + 1/2) = sqrt(pi)/halfRatio(a).
  //   Every factor is < 1 and the partial products decrease, so nothing overflows and nothing
  //   underflows unless the result does; each factor costs two roundings, so the relative error is
  //   at most about (2m + 4) * 2^-53 (m < 30 here: below 1e-14; measured in the browser test
  //   against 30-digit mpmath: a few 1e-16 up to d = 10^5, l = 60). Used for m <= BETA_MAX_STEPS.
  // * Anything else (and m > BETA_MAX_STEPS): the Lanczos approximation (g = 7, 9 terms) written as
  //   a ratio in which the large powers cancel analytically (as in Boost's beta):
  //       B(a, b) = sqrt(2 pi) e^(1/2 - g) L(a) L(b) / L(a + b) (1 - b/cgh)^(a - 1/2) (bgh/cgh)^b / sqrt(bgh)
  //   with xgh = x + g - 1/2, c = a + b, L the Lanczos sum, (1 - b/cgh)^(a - 1/2) via log1p; an
  //   argument below 1 is first shifted up with B(a, b) = B(a + 1, b) (a + b)/a. Relative error:
  //   about 1e-15 plus (a few) * min(a, b) * 2^-53 from the powers (measured against mpmath for
  //   log-uniform a, b in [1e-3, 1e5]: see docs/explorer.md). Lanczos alone,
  //   exp(lgamma(a) + lgamma(b) - lgamma(a + b)), would lose |lgamma| * 2^-53 (1e-11 at 1e5).
  // Non-positive or non-finite arguments return NaN (the ReLU results never produce them inside
  // their domains).
  const SQRT_PI = 1.7724538509055159;
  const BETA_MAX_STEPS = 1000;
  // ln(Gamma(a + 1/2)/Gamma(a)) - ln(a)/2 = sum_k C_k a^(1 - 2k), C_k = (2^(1-2k) - 2) B_2k / (2k (2k - 1))
  // (Stirling series with Bernoulli polynomials at 1/2); truncation error < 1e-19 relative for a >= 20.
  const HALF_RATIO_SERIES = [-1 / 8, 1 / 192, -1 / 640, 17 / 14336, -31 / 18432, 691 / 180224, -5461 / 425984];
  const HALF_RATIO_ASYMPTOTIC = 20;

  // Gamma(a + 1/2)/Gamma(a) for a >= 1/2 with 2a an integer.
  function halfRatio(a) {
    if (a >= HALF_RATIO_ASYMPTOTIC) {
      const z = 1 / (a * a);
      let s = 0.0;
      for (let k = HALF_RATIO_SERIES.length - 1; k >= 0; k--) s = s * z + HALF_RATIO_SERIES[k];
      return Math.sqrt(a) * Math.exp(s / a);
    }
    // upward recurrence R(x + 1) = R(x) (x + 1/2)/x from R(1/2) = 1/sqrt(pi) or R(1) = sqrt(pi)/2
    let x = Number.isInteger(a) ? 1 : 0.5;
    let r = x === 1 ? SQRT_PI / 2 : 1 / SQRT_PI;
    for (; x < a; x += 1) r *= (x + 0.5) / x;
    return r;
  }

  function halfInteger(x) {
    return x < 4503599627370496 && Number.isInteger(2 * x);  // 2^52: beyond it every double is
  }

  function betaExact(a, b) {  // b <= a, both (half-)integers, b - b0 <= BETA_MAX_STEPS
    const b0 = Number.isInteger(b) ? 1 : 0.5;
    let r = b0 === 1 ? 1 / a : SQRT_PI / halfRatio(a);
    for (let x = b0; x < b; x += 1) r *= x / (a + x);
    return r;
  }

  const LANCZOS_G = 7;
  const LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
                   -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
                   1.5056327351493116e-7];

  function lanczosSum(z) {  // Gamma(z) = sqrt(2 pi) (z + g - 1/2)^(z - 1/2) e^-(z + g - 1/2) lanczosSum(z)
    let s = LANCZOS[0];
    for (let k = 1; k < LANCZOS.length; k++) s += LANCZOS[k] / (z - 1 + k);
    return s;
  }

  function betaLanczos(a, b) {  // b <= a, a, b >= 1
    const c = a + b, g = LANCZOS_G - 0.5;
    const bgh = b + g, cgh = c + g;
    let r = Math.sqrt(2 * Math.PI) * Math.exp(-g) * (lanczosSum(a) * (lanczosSum(b) / lanczosSum(c)));
    r *= Math.exp((a - 0.5) * Math.log1p(-b / cgh));
    r *= Math.pow(bgh / cgh, b);
    return r / Math.sqrt(bgh);
  }

  function beta(a, b) {
    if (!(a > 0 && b > 0 && a < Infinity && b < Infinity)) return NaN;
    if (a < b) {
      const t = a;
      a = b;
      b = t;
    }
    if (halfInteger(a) && halfInteger(b) && b <= BETA_MAX_STEPS + 1) return betaExact(a, b);
    return betaGeneral(a, b);
  }

  function betaGeneral(a, b) {  // Lanczos route; arguments below 1 shifted up first
    let scale = 1.0;
    if (a < 1) {
      scale *= (a + b) / a;
      a += 1;
    }
    if (b < 1) {
      scale *= (a + b) / b;
      b += 1;
    }
    if (a < b) {
      const t = a;
      a = b;
      b = t;
    }
    return scale * betaLanczos(a, b);
  }


  // ftheory/stable.py and ftheory/stable_range.py: hand-derived float64 forms of results whose closed form cancels (the NumPy
  // evaluators use the same ones; tests/test_explore_browser.py compares the page with them).
  const SPLIT = 134217729.0; // 2**27 + 1 (Veltkamp)
  function twoProduct(a, b) {
    const p = a * b;
    const ca = SPLIT * a, cb = SPLIT * b;
    const ah = ca - (ca - a), bh = cb - (cb - b);
    const al = a - ah, bl = b - bh;
    return [p, ((ah * bh - p) + ah * bl + al * bh) + al * bl];
  }
  function productDifference(a, b, c, d) {
    const [p1, e1] = twoProduct(a, b);
    const [p2, e2] = twoProduct(c, d);
    return (p1 - p2) + (e1 - e2);
  }
  function rootGap(a, z) {
    const r = Math.sqrt(a * a + z);
    if (a >= 0) return r + a > 0 ? z / (r + a) : 0.0;
    return r - a;
  }
  const MAX_CANCELLATION = 1000.0;
  function wasserstein2Task(theta, sigma, sigmaS, normS, normT) {
    const half = Math.sin(theta / 2) ** 2;
    const rr = normS * normT;
    const distSq = (normS - normT) ** 2 + 4 * rr * half + (sigma - sigmaS) ** 2;
    const h = sigma * sigmaS;
    const v = productDifference(sigma, normS, sigmaS, normT) ** 2 + 4 * h * rr * half;
    const c2 = (rr * Math.sin(theta)) ** 2;
    const p = rr * Math.cos(theta);
    const t = 2 + p + h, e2 = 1 + p + 2 * h;
    let x = 0.0, y = 0.0;
    for (let i = 0; i < 40; i++) {
      const xNew = rootGap(t, c2 + v + 2 * y);
      y = rootGap(e2, v + 2 * h * xNew);
      if (xNew === x) break;
      x = xNew;
    }
    let w2Sq = Math.max(distSq - 2 * x, 0.0);
    let dSq = distSq, scale = 1.0;
    const g = Math.sqrt(normS) * Math.sqrt(normT), sh = Math.sin(theta / 2);
    const rootDist = Math.hypot(normS - normT, 2 * g * sh, sigma - sigmaS);
    if (rootDist < 2 ** -300) { // squares of order distSq underflow: the iteration in units of s^2, s ~ sqrt(distSq)
      if (rootDist === 0) return 0.0;
      scale = 2 ** Math.ceil(Math.log2(rootDist));
      const us = normS / scale, ut = normT / scale, turnSq = (2 * g / scale * sh) ** 2;
      dSq = (us - ut) ** 2 + turnSq + ((sigma - sigmaS) / scale) ** 2;
      let pd = productDifference(sigma, us, sigmaS, ut);
      if (!isFinite(pd)) pd = sigma * (us - ut) + (sigma - sigmaS) * ut;
      const vs = pd * pd + h * turnSq, c2s = (us * Math.sin(theta) * normT) ** 2, s2 = scale * scale;
      let xs = 0.0, ys = 0.0;
      for (let i = 0; i < 40; i++) {
        const z = c2s + vs + 2 * ys;
        const xNew = z / (Math.sqrt(t * t + s2 * z) + t);
        const w = vs + 2 * h * xNew;
        ys = w / (Math.sqrt(e2 * e2 + s2 * w) + e2);
        if (xNew === xs) break;
        xs = xNew;
      }
      w2Sq = Math.max(dSq - 2 * xs, 0.0);
    }
    if (dSq > MAX_CANCELLATION * w2Sq) return NaN; // float64 cannot evaluate there (Python: use .mp)
    return scale * Math.sqrt(w2Sq);
  }
  const PSI_SERIES = [];
  for (let k = 1, fact = 1.0; k <= 10; k++) {
    fact = 1.0;
    for (let j = 2; j <= 2 * k + 1; j++) fact *= j;
    PSI_SERIES.push(((k % 2 === 1) ? 1 : -1) * 2 * k / fact);
  }
  function reluArccosKernel(u, normW, normV) {
    const psi = Math.acos(-u);
    let core;
    if (psi < 1.0) {
      const z = psi * psi;
      let series = 0.0;
      for (let k = PSI_SERIES.length - 1; k >= 0; k--) series = series * z + PSI_SERIES[k];
      core = series * z * psi;
    } else {
      core = Math.sin(psi) - psi * Math.cos(psi);
    }
    return normW * normV * core / (2 * Math.PI);
  }
  function dudleyLowerBoundCosine(sigma, sigmaS, normS, normT) {
    const a = (normS * normS + sigmaS * sigmaS) / 2, b = (normT * normT + sigma * sigma) / 2;
    const gap = ((normS - normT) * (normS + normT) + (sigmaS - sigma) * (sigmaS + sigma)) / 2;
    return Math.exp(-Math.min(a, b)) * -Math.expm1(-Math.abs(gap)) / 2;
  }
  function scratchOptimalRidge(gamma, sigma, normT) {
    if (sigma === 0) return 0.0;
    if (gamma === 0) return Infinity;
    const q = sigma / normT;
    return q * (q / gamma);
  }
  function finiteSourceEffectiveAngle(theta, gammaS, sigmaS) {
    let aSq, rest;
    if (gammaS === 1) {
      aSq = sigmaS === 0 ? 1.0 : 0.0;
      rest = 1.0 - aSq;
    } else {
      const e = sigmaS * sigmaS / Math.abs(1 - gammaS);
      aSq = (gammaS < 1 ? gammaS : 1.0) / (1 + e);
      rest = (gammaS < 1 ? (1 - gammaS) + e : e) / (1 + e);
    }
    const c = Math.cos(theta), s = Math.sin(theta);
    return Math.atan2(Math.sqrt(s * s + rest * c * c), Math.sqrt(aSq) * c);
  }
  const TINY = 2.2250738585072014e-308;
  function ltEffectiveRidge(lam, normS, depth) {
    if (lam === 0) return 0.0;
    const power = 2 / depth - 2;
    const p = normS ** power, direct = lam * p;
    if (isFinite(p) && isFinite(direct) && Math.abs(direct) >= TINY) return direct;
    return Math.exp(Math.log(lam) + power * Math.log(normS));
  }
  function shrinkage(lam, normS, depth) {
    const le = ltEffectiveRidge(lam, normS, depth);
    const q = 1 / (1 + 1 / le);
    return [q, (1 + q) / (1 + le)];
  }
  function linearTransferRisk(theta, lam, normT, normS, depth) {
    const [q] = shrinkage(lam, normS, depth);
    const s = Math.sin(theta), c = Math.cos(theta);
    return normT * normT * (s * s + q * q * c * c);
  }
  function linearTransferTransferability(gamma, theta, sigma, lam, normT, normS, depth) {
    const [q, gap] = shrinkage(lam, normS, depth);
    const s = Math.sin(theta), c = Math.cos(theta), rt2 = normT * normT;
    const risk = rt2 * (s * s + q * q * c * c);
    if (gamma < 1) return rt2 * (gap * c * c - gamma) + gamma * (sigma * sigma) / (1 - gamma);
    if (gamma > 1) return (sigma * sigma) / (gamma - 1) - risk;
    return sigma === 0 ? -risk : Infinity;
  }
  function linearTransferTransferabilityFiniteSource(gamma, theta, sigma, g, s) {
    const sin2 = Math.sin(theta) ** 2, cos2 = Math.cos(theta) ** 2, s2 = s * s;
    let risk, kept; // R_lt and 1 - R_lt, each a ratio of non-negative terms
    if (g < 1) {
      const lo = 1 - g;
      risk = (lo * lo + g * lo * sin2 + s2) / (lo + s2);
      kept = g * lo * cos2 / (lo + s2);
    } else if (g > 1) {
      const hi = g - 1;
      risk = (s2 + hi * sin2) / (hi + s2);
      kept = hi * cos2 / (hi + s2);
    } else {
      risk = s === 0 ? sin2 : 1.0;
      kept = s === 0 ? cos2 : 0.0;
    }
    if (gamma < 1) return kept - gamma + gamma * (sigma * sigma) / (1 - gamma);
    if (gamma > 1) return (sigma * sigma) / (gamma - 1) - risk;
    return sigma === 0 ? -risk : Infinity;
  }
  function aniso2LtTransferability(gamma, theta, sigma, rho, r, eS, eP, normT) {
    const den = rho * r + (1 - rho), a = r / den, b = 1 / den, rt2 = normT * normT;
    const c2 = rt2 * Math.cos(theta) ** 2, s2 = rt2 * Math.sin(theta) ** 2;
    const ca = c2 * eS, cb = c2 * (1 - eS), pa = s2 * eP, pb = s2 * (1 - eP);
    const lt = a * pa + b * pb;
    if (gamma === 0) return a * ca + b * cb;
    if (gamma > 1) return sigma * sigma / (gamma - 1) - lt;
    if (gamma === 1) return sigma === 0 ? -lt : Infinity;
    const B = bPrime(gamma, rho, Math.min(r, 1 / r), r <= 1) * Math.max(a, b), rootD = Math.hypot(B, 2 * Math.sqrt(gamma * (1 - gamma)) * Math.sqrt(a) * Math.sqrt(b));
    const k = B >= 0 ? 2 * a * b * (1 - gamma) / (B + rootD) : (rootD - B) / (2 * gamma);
    if (k < 1) {  // x_j = lambda_j/(lambda_j + k), u_j = k/(lambda_j + k); lambda_j/k without k
      const alpha = B >= 0 ? (B + rootD) / (2 * b * (1 - gamma)) : 2 * gamma * a / (rootD - B);
      const beta = B >= 0 ? (B + rootD) / (2 * a * (1 - gamma)) : 2 * gamma * b / (rootD - B);
      const xa = 1 / (1 + 1 / alpha), xb = 1 / (1 + 1 / beta), ua = 1 / (1 + alpha), ub = 1 / (1 + beta);
      const mAB = (b - a) / Math.max(a, b) * (a >= b ? xa * ub : xb * ua);
      const Sa = -rho * xa * xa * ua + (1 - rho) * xb * (mAB - xa * ua);
      const Sb = -(1 - rho) * xb * xb * ub + rho * xa * (-mAB - xb * ub);
      const Hx = rho * xa * ua + (1 - rho) * xb * ub, Gx = rho * xa + (1 - rho) * xb;
      return (k * Gx * (ca * xa * ua + cb * xb * ub) + a * pa * Sa + b * pb * Sb) / Hx
        + sigma * sigma * (rho * xa * xa + (1 - rho) * xb * xb) / Hx;
    }
    const va = 1 / (1 + a / k), vb = 1 / (1 + b / k), wa = 1 / (a + k), wb = 1 / (b + k);
    const H = rho * a * va * va + (1 - rho) * b * vb * vb, G = rho * a * va + (1 - rho) * b * vb;
    const sa = wa * (-rho * a * a * va * va + (1 - rho) * b * vb * ((b - a) * vb - a * va));
    const sb = wb * (-(1 - rho) * b * b * vb * vb + rho * a * va * ((a - b) * va - b * vb));
    return (G * (a * ca * va * va + b * cb * vb * vb) + a * pa * sa + b * pb * sb) / H
      + sigma * sigma * (rho * a * va * (a * wa) + (1 - rho) * b * vb * (b * wb)) / H;
  }
  function ltBoundaryOver(theta, sigma) {
    const sin = Math.sin(theta);
    if (sin === 0) return Infinity;
    return sigma === 0 ? 1.0 : 1 + (sigma / sin) ** 2;
  }
  function klDivergenceTask(theta, sigma, normS, normT) {
    if (sigma > 0) {
      const half = Math.sin(theta / 2);
      const turn = half === 0 ? 0.0 : 2 * (normS / sigma * half) * (normT / sigma * half);
      return ((normS - normT) / sigma) ** 2 / 2 + turn;
    }
    return normS === normT && theta === 0 ? 0.0 : Infinity;
  }
  function aniso2LinearTransferRiskFinite(n, theta, sigma, rhoA, r, eP, normT) {
    const den = rhoA * r + (1 - rhoA);
    const rho = normT * normT * Math.sin(theta) ** 2 * (r / den * eP + 1 / den * (1 - eP));
    if (n > 2) return rho + (sigma * sigma + rho) / (n - 2);
    return sigma === 0 && theta === 0 ? rho : Infinity;
  }
  function linearTransferRiskRankK(n, k, rho, sigma) {
    const noise = rho + sigma * sigma;
    if (n <= k - 2) return n * noise / (k - n - 1) + rho + (1 - rho) * ((k - n) / k);
    if (n >= k + 2) return k * noise / (n - k - 1) + rho;
    return rho === 0 && sigma === 0 ? rho + (1 - rho) * ((k - Math.min(k, n)) / k) : Infinity;
  }
  // ftheory/stable_finetune.py: the gradient-flow scale with every positive quantity held as
  // log2 x = e + f (e the exact binary exponent, f = log2(mantissa)), so ratios of squared norms
  // beyond the float64 range stay exact in their exponents (docs/background.md §6.4).
  const LOG2E = 1.4426950408889634;
  function ldexp(x, n) {  // x * 2^n, exact but for the final rounding (n an integer)
    while (n > 1023 && Number.isFinite(x) && x !== 0) { x *= 8.98846567431158e307; n -= 1023; }
    while (n < -1022 && Number.isFinite(x) && x !== 0) { x *= 2.2250738585072014e-308; n += 1022; }
    return x * Math.pow(2, n);
  }
  function log2Pair(x) {  // [e, f] with x = 2^(e + f), f in [-1, 0); [-Infinity, 0] at 0
    if (!(x > 0)) return [-Infinity, 0.0];
    let e = Math.floor(Math.log2(x)) + 1;
    let m = ldexp(x, -e);
    if (m >= 1) { m /= 2; e += 1; } else if (m < 0.5) { m *= 2; e -= 1; }
    return [e, Math.log2(m)];
  }
  function pow2(e, f) {  // 2^(e + f), e exactly representable with its fraction
    const whole = Math.floor(e) + Math.floor(f);
    if (whole === -Infinity) return 0.0;
    if (whole === Infinity) return Infinity;
    const frac = (e - Math.floor(e)) + (f - Math.floor(f));
    return ldexp(Math.pow(2, frac), Number.isNaN(whole) ? 0 : Math.max(-5000, Math.min(5000, whole)));
  }
  function log2Sum(e1, f1, e2, f2) {  // log2(2^(e1 + f1) + 2^(e2 + f2)), the first term finite
    if (e2 + f2 > e1 + f1) [e1, f1, e2, f2] = [e2, f2, e1, f1];
    return [e1, f1 + Math.log1p(pow2(e2 - e1, f2 - f1)) * LOG2E];
  }
  function scaleLog2(gamma, sigma, L, normS, normT) {  // log2 c as [e, f]
    if (gamma === 1 && sigma > 0) return [Infinity, 0.0];
    const below = gamma < 1;
    const D = below ? 1.0 - gamma : gamma - 1.0;
    const log2A = below ? Math.log1p(-gamma) * LOG2E : -Infinity;
    const [et, ft] = log2Pair(normT), [es, fs] = log2Pair(sigma), [eD, fD] = log2Pair(D);
    const [eq, fq] = log2Sum(2 * et, 2 * ft, sigma > 0 ? 2 * es - eD : -Infinity, sigma > 0 ? 2 * fs - fD : 0.0);
    const [eg, fg] = log2Pair(below ? gamma : 1.0), [er, fr] = log2Pair(normS);
    const eB = eg + eq - 2 * er, fB = fg + fq - 2 * fr;
    const first = (eB + fB) / L <= log2A;
    let alpha = 1.0, beta = 1.0;
    if (first) {
      beta = pow2(eB, fB - L * log2A);
    } else {
      const kB = Math.floor(eB / L), rB = eB - L * kB;
      alpha = pow2(-kB, log2A - (rB + fB) / L);
    }
    const x = scaledRoot(L, Number.isNaN(alpha) ? 1.0 : alpha, Number.isNaN(beta) ? 0.0 : beta);
    const p = 0.5 * (L - 1.0), lx = p * Math.log2(x);
    if (first) return [0.0, p * log2A + lx];
    const N = (L - 1.0) * eB, K = Math.floor(N / (2.0 * L)), R = N - 2.0 * L * K;
    return [K, R / (2.0 * L) + fB * (L - 1.0) / (2.0 * L) + lx];
  }
  // ordinary inputs (every scale in [2^-128, 2^128]): the registered expression, as the generated
  // code had it; the pairs of logarithms elsewhere
  const LO = Math.pow(2, -128), HI = Math.pow(2, 128);
  function inside(v) { return v >= LO && v <= HI; }
  function ordinary(gamma, sigma, normS, normT) {
    return inside(normS) && inside(normT) && (sigma === 0 || inside(sigma)) && (gamma === 0 || inside(gamma))
      && gamma !== 1;
  }
  function directScale(gamma, sigma, depth, normS, normT) {
    if (gamma < 1) {
      return Math.pow(positiveRoot(depth, 1 - gamma, (gamma * sq(normT) + gamma * sq(sigma) / (1 - gamma)) / sq(normS)),
                      (1 / 2) * depth - 1 / 2);
    }
    return Math.pow((sq(normT) + sq(sigma) / (gamma - 1)) / sq(normS), ((1 / 2) * depth - 1 / 2) / depth);
  }
  function finetuneScale(gamma, sigma, depth, normS, normT) {
    if (ordinary(gamma, sigma, normS, normT)) return directScale(gamma, sigma, depth, normS, normT);
    const [e, f] = scaleLog2(gamma, sigma, depth, normS, normT);
    return pow2(e, f);
  }
  function finetuneTransferabilityGf(gamma, theta, sigma, depth, normS, normT) {
    if (!(gamma < 1)) return 0.0;
    if (ordinary(gamma, sigma, normS, normT)) {
      const c = directScale(gamma, sigma, depth, normS, normT);
      return -normS * (1 - gamma) * (normS * c - 2 * normT * Math.cos(theta)) * c;
    }
    const [e, f] = scaleLog2(gamma, sigma, depth, normS, normT), [er, fr] = log2Pair(normS);
    const ev = e + er, fv = f + fr;
    const halfGap = normT * Math.cos(theta) - 0.5 * pow2(ev, fv);  // |beta_t| cos(theta) - v/2
    const [ed, fd] = log2Pair(Math.abs(halfGap));
    return Math.sign(halfGap) * pow2(ev + ed, fv + fd + 1.0 + Math.log1p(-gamma) * LOG2E);
  }
  function finetuneBreakEvenThetaGf(gamma, sigma, depth, normS, normT) {
    if (!(gamma < 1)) return 0.0;
    let cosStar;
    if (ordinary(gamma, sigma, normS, normT)) {
      cosStar = (1 / 2) * normS * directScale(gamma, sigma, depth, normS, normT) / normT;
    } else {
      const [e, f] = scaleLog2(gamma, sigma, depth, normS, normT), [er, fr] = log2Pair(normS);
      const [et, ft] = log2Pair(normT);
      cosStar = pow2(e + er - et, f + fr - ft - 1.0);
    }
    return cosStar <= 1.0 ? Math.acos(cosStar) : 0.0;
  }
  function squareGap(d, s, sOther) { // sqrt(d^2 + s^2) - sOther as a difference of squares, in units of 4**m
    const big = Math.max(d, s, sOther);
    if (big === 0) return 0.0;
    const e = 2 * Math.floor(Math.ceil(Math.log2(big)) / 2);
    const dd = ldexp(d, -e), ss = ldexp(s, -e), oo = ldexp(sOther, -e);
    return ldexp((dd * dd + (ss - oo) * (ss + oo)) / (Math.hypot(dd, ss) + oo), e);
  }
  function wasserstein1LowerBound(theta, sigma, sigmaS, normS, normT) {
    const big = Math.max(sigma, sigmaS, normS, normT), c = Math.sqrt(2 / Math.PI);
    if (big === 0) return 0.0;
    const e = 2 * Math.floor(Math.ceil(Math.log2(big)) / 2);
    const s = ldexp(sigma, -e), ss = ldexp(sigmaS, -e), rs = ldexp(normS, -e), rt = ldexp(normT, -e);
    const d = Math.hypot(rs - rt, 2 * Math.sqrt(rs) * Math.sqrt(rt) * Math.sin(theta / 2));
    const unit = ldexp(1.0, -e); // 1 in the scaled units
    const viaS = squareGap(d, s, ss) / Math.hypot(unit, rs), viaT = squareGap(d, ss, s) / Math.hypot(unit, rt);
    const den = Math.hypot(rs, ss) + Math.hypot(rt, s);
    const y = den > 0 ? Math.abs((rs - rt) * (rs + rt) + (ss - s) * (ss + s)) / den : 0.0;
    return Math.max(c * Math.max(viaS, viaT), c * ldexp(y, e));
  }
  function bPrime(gamma, rho, t, aSmall) { // ftheory.stable_range._b_prime: gamma + rho - 1 by an error-free sum
    const s = gamma + rho, z = s - gamma, plus = (s - 1) + ((gamma - (s - z)) + (rho - z)), minus = gamma - rho;
    return (aSmall ? plus : minus) + t * (aSmall ? minus : plus); // (gamma - rho_2) + t (gamma - rho_1)
  }
  function aniso2FtTransferability(gamma, theta, rho, r, eS, eP, normS, normT) {
    const h = normT * Math.cos(theta) - 0.5 * normS; // x = 2 normS h
    const aSmall = r <= 1, t = aSmall ? r : 1 / r;
    const e1 = aSmall ? eS : 1 - eS, e2 = aSmall ? 1 - eS : eS;
    const invM = aSmall ? rho * r + (1 - rho) : rho + (1 - rho) / r; // 1/max(a, b)
    if (gamma === 0) return productOf([2 * normS, h, e1 * t + e2], [invM]);
    if (!(gamma < 1)) return 0.0;
    const k = twoLevelRoot(gamma, rho, r), kq = k.kA * k.kB, u = k.uA * k.uB;
    const q = kq <= 1 ? (1 + kq) / (t + kq) : (u + 1) / (t * u + 1), ratio = (t * q) * q;
    return productOf([2 * normS, h, k.gkA, k.gkB, e1 * ratio + e2], [k.rho1 * ratio + k.rho2, invM]);
  }
  function frexp(x) {  // [m, e] with x = m 2^e, |m| in [0.5, 1); [x, 0] at 0, +-inf and NaN
    if (x === 0 || !Number.isFinite(x)) return [x, 0];
    let e = Math.floor(Math.log2(Math.abs(x))) + 1;
    let m = ldexp(x, -e);
    if (Math.abs(m) >= 1) { m /= 2; e += 1; } else if (Math.abs(m) < 0.5) { m *= 2; e -= 1; }
    return [m, e];
  }
  function productOf(nums, dens) {  // prod(nums)/prod(dens) as mantissas and exponents, rounded once at the end
    let m = 1.0, e = 0;
    for (const f of nums) { const [fm, fe] = frexp(f), [pm, pe] = frexp(m * fm); m = pm; e += fe + pe; }
    for (const f of dens) { const [fm, fe] = frexp(f), [pm, pe] = frexp(m / fm); m = pm; e += pe - fe; }
    return ldexp(m, Math.max(-5000, Math.min(5000, e)));
  }
  function twoLevelRoot(gamma, rho, r) { // ftheory.stable_range._two_level_root (0 < gamma < 1)
    const aSmall = r <= 1, t = aSmall ? r : 1 / r;
    const rho1 = aSmall ? rho : 1 - rho, rho2 = aSmall ? 1 - rho : rho;
    const invM = aSmall ? rho * r + (1 - rho) : rho + (1 - rho) / r; // 1/max(a, b)
    const bq = bPrime(gamma, rho, t, aSmall), c = Math.sqrt(t) * Math.sqrt(1 - gamma);
    const root = Math.hypot(bq, 2 * Math.sqrt(gamma) * c), pos = bq >= 0;
    return {aSmall: aSmall, t: t, rho1: rho1, rho2: rho2, invM: invM,
            kA: pos ? 2 * c : root - bq, kB: pos ? c / (bq + root) : 0.5 / gamma, // k' = kA kB
            uA: pos ? (bq + root) / (2 * c) : 2 * gamma, uB: pos ? 1 / c : 1 / (root - bq), // 1/k' = uA uB
            gkA: pos ? gamma * 2 * c : 0.5 * (root - bq), gkB: pos ? c / (bq + root) : 1.0}; // gamma k'
  }
  function twoLevelRisk(gamma, sigma, rho, r, eA, eB, unit) { // ftheory.stable_range._two_level_risk
    const aSmall = r <= 1, t = aSmall ? r : 1 / r;
    const e1 = aSmall ? eA : eB, e2 = aSmall ? eB : eA;
    const invM = aSmall ? rho * r + (1 - rho) : rho + (1 - rho) / r; // 1/max(a, b)
    if (gamma === 0) return productOf([unit, unit, e1 * t + e2], [invM]);
    if (gamma > 1) return productOf([sigma, sigma], [gamma - 1]);
    if (!(gamma < 1)) return sigma === 0 ? 0.0 : Infinity;
    const k = twoLevelRoot(gamma, rho, r), kq = k.kA * k.kB, u = k.uA * k.uB;
    const q = kq <= 1 ? (1 + kq) / (t + kq) : (u + 1) / (t * u + 1), tq = t * q, ratio = tq * q;
    const den = k.rho1 * ratio + k.rho2;
    return productOf([unit, unit, k.gkA, k.gkB, e1 * ratio + e2], [invM, den])
      + productOf([sigma, sigma, k.uA, k.uB, k.rho1 * (tq * tq) + k.rho2], [den]);
  }
  function aniso2Kappa(gamma, rho, r) {
    if (gamma === 0) return Infinity;
    if (!(gamma < 1)) return 0.0;
    const k = twoLevelRoot(gamma, rho, r);
    return productOf([k.kA, k.kB], [k.invM]);
  }
  function aniso2ScratchRisk(gamma, sigma, rho, r, eT, normT) {
    return twoLevelRisk(gamma, sigma, rho, r, eT, 1 - eT, normT);
  }
  function aniso2FinetuneRisk(gamma, theta, sigma, rho, r, eS, eP, normS, normT) {
    const shift = frexp(Math.max(normS, normT))[1], unit = ldexp(1.0, shift);
    const rs = ldexp(normS, -shift), rt = ldexp(normT, -shift);
    const along = rt * Math.cos(theta) - rs, across = rt * Math.sin(theta); // beta_t - beta_s on u_s, u_perp
    const w = along * along, s2 = across * across;
    return twoLevelRisk(gamma, sigma, rho, r, w * eS + s2 * eP, w * (1 - eS) + s2 * (1 - eP), unit);
  }
  const stable = {wasserstein2_task: wasserstein2Task, relu_arccos_kernel: reluArccosKernel,
                  dudley_lower_bound_cosine: dudleyLowerBoundCosine, scratch_optimal_ridge: scratchOptimalRidge,
                  finite_source_effective_angle: finiteSourceEffectiveAngle, lt_effective_ridge: ltEffectiveRidge,
                  linear_transfer_risk: linearTransferRisk,
                  linear_transfer_transferability: linearTransferTransferability,
                  linear_transfer_transferability_finite_source: linearTransferTransferabilityFiniteSource,
                  aniso2_lt_transferability: aniso2LtTransferability, lt_boundary_over: ltBoundaryOver,
                  kl_divergence_task: klDivergenceTask,
                  aniso2_linear_transfer_risk_finite: aniso2LinearTransferRiskFinite,
                  linear_transfer_risk_rank_k: linearTransferRiskRankK, finetune_scale: finetuneScale,
                  finetune_transferability_gf: finetuneTransferabilityGf,
                  finetune_break_even_theta_gf: finetuneBreakEvenThetaGf,
                  wasserstein1_lower_bound: wasserstein1LowerBound,
                  aniso2_ft_transferability: aniso2FtTransferability,
                  aniso2_scratch_risk: aniso2ScratchRisk, aniso2_finetune_risk: aniso2FinetuneRisk,
                  aniso2_kappa: aniso2Kappa};

  root.FT_RUNTIME = {sq: sq, positiveRoot: positiveRoot, scaledRoot: scaledRoot, log2Pair: log2Pair, pow2: pow2,
                     quad: quad, beta: beta, betaGeneral: betaGeneral, stable: stable};
})(typeof window !== "undefined" ? window : globalThis);
