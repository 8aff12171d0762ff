// The explorer's widgets. Every number comes from window.ftheory (the generated evaluators);
// nothing here re-types a formula of the theory. Compositions are differences of registered
// results only, e.g. R_ft = R_sc - T_ft (docs/background.md §0.2: T = R_scratch - R_transfer).
(function () {
  "use strict";
  const F = window.ftheory, P = window.FTPlot, C = P.COLORS;
  const PI = Math.PI;
  const THETA_STEP = PI / 160;  // theta sliders move on multiples of pi/160 (hits k pi/40, pi/8, ...)
  const widgets = {};
  const errors = [];
  F.widgets = widgets;
  F.errors = errors;
  F.renderCount = 0;

  // ---------------------------------------------------------------------------------------------
  // small DOM helpers
  // ---------------------------------------------------------------------------------------------
  function h(tag, attrs) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "text") e.textContent = v;
      else if (k === "html") e.innerHTML = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (let i = 2; i < arguments.length; i++) {
      const c = arguments[i];
      if (c === null || c === undefined) continue;
      e.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return e;
  }

  const fmt = P.fmt;
  function thetaText(t) {
    const l = P.piLabel(t);
    return fmt(t, 5) + (l && l !== "0" ? " (" + l + ")" : "");
  }
  function range(a, b, count) {
    const out = new Array(count);
    for (let i = 0; i < count; i++) out[i] = a + (b - a) * i / (count - 1);
    return out;
  }
  function sign(T) {
    if (T > 0) return "transfer helps";
    if (T < 0) return "transfer hurts";
    return T === 0 ? "neutral" : "undefined";
  }

  // ---------------------------------------------------------------------------------------------
  // sliders
  // ---------------------------------------------------------------------------------------------
  class Slider {
    // opts: key, label, min, max, step, value, theta (multiples of pi/160), integer, title,
    //       log (the input moves log10 of the value in steps of `step`; integer values are rounded)
    constructor(widget, opts) {
      this.opts = opts;
      const id = widget.id + "-" + opts.key;
      const input = h("input", {type: "range", id: id, "data-key": opts.key});
      if (opts.theta) {
        input.min = String(Math.round(opts.min / THETA_STEP));
        input.max = String(Math.round(opts.max / THETA_STEP));
        input.step = "1";
      } else if (opts.log) {
        input.min = String(Math.log10(opts.min));
        input.max = String(Math.log10(opts.max));
        input.step = String(opts.step || 0.01);
      } else {
        input.min = String(opts.min);
        input.max = String(opts.max);
        input.step = String(opts.step);
      }
      this.input = input;
      this.output = h("output", {for: id});
      this.el = h("div", {class: "slider", title: opts.title || ""}, h("label", {for: id, text: opts.label}), input,
                  this.output);
      this.set(opts.value);
      input.addEventListener("input", () => {
        this.exact = null;
        this.show();
        widget.schedule();
      });
    }
    // A value set from code (a fitted A or nu, a clicked point) is kept exactly, not snapped to the
    // slider's steps, until the slider is moved (theta sliders always snap to multiples of pi/160).
    get value() {
      if (this.exact && this.exact.raw === this.input.value) return this.exact.value;
      const v = Number(this.input.value);
      if (this.opts.log) {
        const x = Math.pow(10, v);
        return this.opts.integer ? Math.round(x) : x;
      }
      return this.opts.theta ? v * THETA_STEP : v;
    }
    set(v) {
      this.exact = null;
      if (this.opts.theta) {
        this.input.value = String(Math.round(v / THETA_STEP));
      } else {
        const x = Math.min(this.opts.max, Math.max(this.opts.min, this.opts.integer ? Math.round(v) : v));
        this.input.value = String(this.opts.log ? Math.log10(x) : x);
        this.exact = {raw: this.input.value, value: x};
      }
      this.show();
    }
    show() {
      const v = this.value;
      this.output.textContent = this.opts.theta ? thetaText(v) : this.opts.integer ? String(v) : fmt(v, 4);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // widget scaffold: title, paragraph, sliders, canvases, readout, data buttons
  // ---------------------------------------------------------------------------------------------
  class Widget {
    constructor(id, title, explanation, sliders, nfig, needs) {
      this.id = id;
      this.title = title;
      this.needs = needs;
      this.sliders = {};
      this.renders = 0;
      this.section = h("section", {class: "widget", id: id});
      this.section.appendChild(h("h2", {text: title}));
      this.section.appendChild(h("p", {class: "explain", html: explanation}));
      const controls = h("div", {class: "controls"});
      for (const s of sliders) {
        const sl = new Slider(this, s);
        this.sliders[s.key] = sl;
        controls.appendChild(sl.el);
      }
      this.controls = controls;
      this.section.appendChild(controls);
      const plots = h("div", {class: "plots"});
      this.canvases = [];
      for (let i = 0; i < nfig; i++) {
        const cv = h("canvas", {id: id + "-fig" + i, width: "540", height: "360"});
        plots.appendChild(cv);
        this.canvases.push(cv);
      }
      this.plots = plots;
      this.section.appendChild(plots);
      this.readout = h("div", {class: "readout", id: id + "-readout", "aria-live": "polite"});
      this.section.appendChild(this.readout);
      this.databar = h("div", {class: "databar", id: id + "-data"});
      this.section.appendChild(this.databar);
      document.getElementById("ft-widgets").appendChild(this.section);
      this.figs = this.canvases.map(cv => new P.Figure(cv, {}));
      document.getElementById("ft-nav").appendChild(h("a", {href: "#" + id, text: title}));
      const missing = needs.filter(n => !F.has(n));
      this.missing = missing;
      widgets[id] = this;
    }
    values() {
      const out = {};
      for (const [k, s] of Object.entries(this.sliders)) out[k] = s.value;
      return out;
    }
    schedule() {
      if (this.pending) return;
      this.pending = true;
      requestAnimationFrame(() => {
        this.pending = false;
        this.render();
      });
    }
    render() {
      if (this.missing.length) {
        this.readout.className = "readout error";
        this.readout.textContent = "This widget needs results the page does not have: " + this.missing.join(", ") +
          (this.missing.some(n => n in F.unsupported) ? " (not supported in JavaScript, see the table below)" : "");
        return;
      }
      try {
        this.plotted = [];
        drawing = this;
        this.draw(this.values());
        this.readout.className = "readout";
      } catch (e) {
        errors.push(this.id + ": " + e.message);
        this.readout.className = "readout error";
        this.readout.textContent = "Error: " + e.message;
      } finally {
        drawing = null;
      }
      this.renders += 1;
      F.renderCount += 1;
    }
    pick(canvasIndex, xKey, yKey) {  // clicking a figure sets the sliders of its axes
      const fig = this.figs[canvasIndex];
      this.canvases[canvasIndex].classList.add("pickable");
      this.canvases[canvasIndex].addEventListener("click", ev => {
        const p = fig.toData(ev.clientX, ev.clientY);
        if (!p.inside) return;
        if (xKey) this.sliders[xKey].set(clampTo(this.sliders[xKey], p.x));
        if (yKey) this.sliders[yKey].set(clampTo(this.sliders[yKey], p.y));
        this.schedule();
      });
    }
    // data: buttons that move the sliders to parameter combinations that have simulation points
    dataButtons(kinds, keys, fixedMatch) {
      if (!F.data.length) {
        this.databar.textContent = "";
        return;
      }
      const combos = new Map();
      for (const r of F.data) {
        if (kinds.indexOf(r.kind) < 0 || !matches(r.params, fixedMatch || {}, null, r.complete)) continue;
        const combo = keys.map(k => r.params[k] === undefined ? DEFAULTS[k] : r.params[k]);
        if (combo.some(v => v === undefined || v === null)) continue;
        combos.set(combo.map(v => v.toPrecision(10)).join("|"), combo);
      }
      this.databar.textContent = "";
      if (!combos.size) {
        this.databar.textContent = "No simulation points of this kind in the embedded data.";
        return;
      }
      this.databar.appendChild(document.createTextNode("Simulation points (mean ± 1 s.e.) exist at: "));
      let shown = 0;
      const sorted = Array.from(combos.values()).sort((p, q) => {
        for (let i = 0; i < p.length; i++) if (p[i] !== q[i]) return p[i] - q[i];
        return 0;
      });
      for (const combo of sorted) {
        if (shown++ >= 24) {
          this.databar.appendChild(document.createTextNode(" …"));
          break;
        }
        const label = keys.map((k, i) => k + "=" + (k === "theta" ? (P.piLabel(combo[i]) || fmt(combo[i], 3)) : fmt(combo[i], 3))).join(", ");
        this.databar.appendChild(h("button", {type: "button", onclick: () => {
          keys.forEach((k, i) => this.sliders[k] && this.sliders[k].set(combo[i]));
          this.schedule();
        }}, label));
      }
    }
  }

  function clampTo(slider, v) {
    return Math.min(slider.opts.max, Math.max(slider.opts.min, v));
  }

  // ---------------------------------------------------------------------------------------------
  // simulation data (ftheory explore --data): records {kind, params, mean, sem, ...}
  // ---------------------------------------------------------------------------------------------
  const DEFAULTS = {lam: 0, depth: 2, norm_s: 1, norm_t: 1, gamma_s: null, sigma_s: null};
  function close(a, b) {
    return Math.abs(a - b) <= 1e-6 * (1 + Math.abs(b));
  }
  // match: {key: value} (null: the record must not have the key, and must be complete, i.e. list
  // every parameter of its run, so that a missing key means "not given"); optional keys only if present
  function matches(params, match, optional, complete) {
    for (const [k, v] of Object.entries(match)) {
      const rv = params[k] === undefined ? DEFAULTS[k] : params[k];
      if (v === null) {
        if (rv !== undefined && rv !== null) return false;
        if (complete === false) return false;  // cannot tell "not given" from "not recorded": not placed
      } else if (rv === undefined || rv === null || !close(rv, v)) {
        return false;
      }
    }
    for (const [k, v] of Object.entries(optional || {})) {
      if (params[k] !== undefined && !close(params[k], v)) return false;
    }
    return true;
  }
  function records(kind, match, optional) {
    return F.data.filter(r => r.kind === kind && matches(r.params, match, optional, r.complete));
  }
  let drawing = null;  // the widget being drawn: plotRecords logs what it plots there (tests read it)
  function plotRecords(fig, recs, color, label, marker) {
    if (drawing) drawing.plotted.push({kind: recs.length ? recs[0].kind : null, label: label, records: recs});
    if (!recs.length) return;
    const ds = Array.from(new Set(recs.map(r => r.params.d))).sort((a, b) => a - b);
    fig.errorbars(recs.map(r => r.params.gamma), recs.map(r => r.mean), recs.map(r => r.sem),
                  {color: color, marker: marker, hollow: recs.map(r => r.converged < r.instances),
                   label: label + " (sim., d=" + ds.join(",") + ")"});
  }

  // grid over (theta, gamma) for heat maps: values[j * nx + i]
  function grid(f, xlim, ylim, nx, ny) {
    const v = new Float64Array(nx * ny);
    for (let j = 0; j < ny; j++) {
      const y = ylim[0] + (j + 0.5) * (ylim[1] - ylim[0]) / ny;
      for (let i = 0; i < nx; i++) v[j * nx + i] = f(xlim[0] + (i + 0.5) * (xlim[1] - xlim[0]) / nx, y);
    }
    return v;
  }
  // A sign-coloured map of f(x, y) (200 x 200 cells) with its zero level: sets the figure's axes
  // (opts: xlim, ylim, ... as for Figure.set), begins it and returns the grid values.
  function phaseMap(fig, f, opts) {
    const NX = 200, NY = 200;
    const vals = grid(f, opts.xlim, opts.ylim, NX, NY);
    fig.set(opts).begin().heatmap(vals, NX, NY).contour(vals, NX, NY, {width: 1});
    return vals;
  }
  function finiteN(d) {  // integer n = 1 .. 2d (at most ~400 points), x = n/d
    const stride = Math.max(1, Math.ceil(2 * d / 400));
    const ns = [];
    for (let n = 1; n <= 2 * d; n += stride) ns.push(n);
    return ns;
  }

  // y-limits around the finite values (at least [lo, hi]), with a margin
  function limits(values, lo, hi) {
    const fin = values.filter(Number.isFinite);
    const a = Math.min(lo, ...fin), b = Math.max(hi, ...fin);
    const pad = 0.08 * (b - a);
    return [a - pad, b + pad];
  }

  const GAMMA = range(0, 2, 801);  // includes gamma = 1 exactly: the interpolation peak is +Infinity

  // =============================================================================================
  // 1. Linear-transfer phase diagram (docs/background.md §5)
  // =============================================================================================
  function ltPhase() {
    const w = new Widget("lt-phase", "Linear transfer: phase diagram over (θ, γ)",
      "Linear transfer freezes the pretrained feature and refits only the read-out on the n target samples. " +
      "Its transferability T<sub>lt</sub>(γ, θ) = R<sub>sc</sub>(γ, σ) − R<sub>lt</sub> (eq. (11), §5.1) is a function of " +
      "γ plus a function of θ. Blue: transfer helps; red: it hurts. Dashed curves are the closed-form boundaries of " +
      "§5.2 (γ<sub>−</sub>, γ<sub>+</sub> of the negative lobe, γ<sub>over</sub> on the under-parameterised side γ &gt; 1; dotted: " +
      "θ<sub>min</sub> below which the lobe vanishes; σ = 0: γ = cos²θ, §5.4); the thin black line is the zero level " +
      "computed on the grid (the only boundary shown for a read-out ridge λ > 0, whose closed-form boundaries the " +
      "theory does not register). The band around γ = 1 is the anomalous positive transfer created by the " +
      "interpolation peak of the scratch risk. <b>Click the map</b> to pick (θ, γ): the right panel is the slice at " +
      "that θ, with the exact finite-size mean at dimension d (§5.5, λ = 0) and any simulation points.",
      [{key: "sigma", label: "σ  label noise", min: 0, max: 1.5, step: 0.01, value: 0.2},
       {key: "lam", label: "λ  read-out ridge", min: 0, max: 1, step: 0.01, value: 0},
       {key: "theta", label: "θ  picked angle", theta: true, min: 0, max: PI / 2, value: PI / 4},
       {key: "gamma", label: "γ = n/d  picked", min: 0, max: 2, step: 0.005, value: 0.5},
       {key: "d", label: "d  (finite-size curve)", min: 10, max: 500, step: 10, value: 100, integer: true}],
      2, ["linear_transfer_transferability", "lt_boundary_lower", "lt_boundary_upper", "lt_boundary_over",
          "lt_theta_min", "lt_boundary_noiseless", "linear_transfer_transferability_finite", "scratch_risk",
          "linear_transfer_risk"]);
    const cb = h("canvas", {class: "colorbar", id: "lt-phase-colorbar"});
    w.section.insertBefore(cb, w.readout);
    w.pick(0, "theta", "gamma");
    w.pick(1, "gamma", null);
    w.draw = function (v) {
      const T = F.partial("linear_transfer_transferability", {sigma: v.sigma, lam: v.lam}, ["gamma", "theta"]);
      const f0 = this.figs[0];
      phaseMap(f0, (th, g) => T(g, th), {xlim: [0, PI / 2], ylim: [0, 2], xticks: "pi", xlabel: "θ (radians)",
               ylabel: "γ = n/d", title: "T_lt(θ, γ),  σ = " + fmt(v.sigma) + ",  λ = " + fmt(v.lam)});
      const TH = range(0, PI / 2, 401);
      const tmin = F.eval("lt_theta_min", {sigma: v.sigma});
      let lobe = null;
      if (v.lam === 0) {
        if (v.sigma === 0) {
          f0.line(TH, TH.map(t => F.eval("lt_boundary_noiseless", {theta: t})),
                  {color: C.green, dash: [6, 4], label: "γ = cos²θ (σ = 0)"});
        } else {
          const lo = TH.map(t => F.eval("lt_boundary_lower", {theta: t, sigma: v.sigma}));
          const up = TH.map(t => F.eval("lt_boundary_upper", {theta: t, sigma: v.sigma}));
          const open = TH.map((t, i) => up[i] > lo[i]);
          f0.line(TH, lo.map((g, i) => open[i] ? g : NaN), {color: C.green, dash: [6, 4], label: "γ₋"});
          f0.line(TH, up.map((g, i) => open[i] ? g : NaN), {color: C.orange, dash: [6, 4], label: "γ₊"});
          f0.line(TH, TH.map(t => F.eval("lt_boundary_over", {theta: t, sigma: v.sigma})),
                  {color: C.purple, dash: [6, 4], label: "γ_over"});
          if (tmin < PI / 2) f0.vline(tmin, {color: C.grey, dash: [2, 3], label: "θ_min"});
        }
        lobe = {lo: F.eval("lt_boundary_lower", {theta: v.theta, sigma: v.sigma}),
                up: F.eval("lt_boundary_upper", {theta: v.theta, sigma: v.sigma}),
                over: F.eval("lt_boundary_over", {theta: v.theta, sigma: v.sigma})};
      }
      f0.marker(v.theta, v.gamma).finish({legend: "upper right"});
      P.colorbar(cb, {label: "T_lt   (blue: transfer helps, red: it hurts)", left: f0.box.x, right: f0.width - f0.box.x - f0.box.w});

      const f1 = this.figs[1].set({xlim: [0, 2], ylim: [-1.1, 1.1], xlabel: "γ = n/d", ylabel: "T_lt",
                                  title: "slice at θ = " + thetaText(v.theta)});
      f1.begin().hline(0, {color: "#999"});
      f1.line(GAMMA, GAMMA.map(g => T(g, v.theta)), {color: C.blue, label: "asymptotic, eq. (11)"});
      this.sliders.d.input.disabled = v.lam !== 0;   // the finite-size curve (its only use) is drawn at λ = 0
      this.sliders.d.el.title = v.lam !== 0 ? "d sets the exact finite-size curve, drawn only at λ = 0" : "";
      if (v.lam === 0) {
        const ns = finiteN(v.d);
        const Tf = F.partial("linear_transfer_transferability_finite", {d: v.d, theta: v.theta, sigma: v.sigma}, ["n"]);
        f1.line(ns.map(n => n / v.d), ns.map(n => Tf(n)), {color: C.blue, width: 1.1, dash: [4, 3],
                label: "exact mean, d = " + v.d});
      }
      plotRecords(f1, records("T_lt", {theta: v.theta, sigma: v.sigma, lam: v.lam, gamma_s: null}), C.red, "T_lt");
      f1.vline(v.gamma, {color: C.grey, dash: [3, 3]}).finish({legend: "lower left"});

      const t = T(v.gamma, v.theta);
      const rsc = F.eval("scratch_risk", {gamma: v.gamma, sigma: v.sigma});
      const rlt = F.eval("linear_transfer_risk", {theta: v.theta, lam: v.lam});
      let text = "θ = " + thetaText(v.theta) + ",  γ = " + fmt(v.gamma) + ":  T_lt = " + fmt(t, 6) + "  (" + sign(t) +
        ");  R_sc = " + fmt(rsc, 6) + ",  R_lt = " + fmt(rlt, 6) + ".";
      if (lobe) {
        text += "\nBoundaries at this θ: " + (lobe.up > lobe.lo ? "negative lobe γ ∈ (" + fmt(lobe.lo) + ", " + fmt(lobe.up) + ")"
          : "no negative lobe below γ = 1") + ",  γ_over = " + fmt(lobe.over) + ";  θ_min(σ) = " + thetaText(tmin) + ".";
      }
      this.readout.textContent = text;
      this.dataButtons(["T_lt"], ["theta", "sigma", "lam"], {gamma_s: null});
    };
    return w;
  }

  // =============================================================================================
  // 2. Risks of scratch, linear transfer and fine-tuning against gamma (§3, §4, §6.2)
  // =============================================================================================
  function risks() {
    const w = new Widget("risks", "Risks: scratch vs linear transfer vs fine-tuning",
      "Excess risks against γ = n/d at a fixed angle θ. Training from scratch (§3.2) shows double descent with the " +
      "interpolation peak at γ = 1; linear transfer (§4.3–4.4) does not depend on γ asymptotically " +
      "(sin²θ, raised by a read-out ridge λ); fine-tuning (paper's Theorem 3.9, §6.2) keeps the source teacher in " +
      "the directions the target data never sees, so R_ft = R_sc − T_ft and equals R_sc for γ ≥ 1. Solid lines: " +
      "proportional limit. Dashed: exact finite-size means at dimension d and integer n (§3.3, §4.2/§4.4 by " +
      "quadrature when λ > 0, §6.2), which differ most near γ = 1. The right panel shows the same risks " +
      "against θ ∈ [0, π] at the picked γ: fine-tuning beats scratch below θ = π/3 (§6.2).",
      [{key: "theta", label: "θ  angle", theta: true, min: 0, max: PI, value: PI / 4},
       {key: "sigma", label: "σ  label noise", min: 0, max: 1.5, step: 0.01, value: 0.2},
       {key: "lam", label: "λ  read-out ridge (lt)", min: 0, max: 1, step: 0.01, value: 0},
       {key: "gamma", label: "γ = n/d  picked", min: 0, max: 2, step: 0.005, value: 0.5},
       {key: "d", label: "d  (finite-size curves)", min: 10, max: 500, step: 10, value: 100, integer: true},
       {key: "ymax", label: "y-axis maximum", min: 0.5, max: 4, step: 0.1, value: 1.5}],
      2, ["scratch_risk", "linear_transfer_risk", "finetune_transferability", "scratch_risk_finite",
          "linear_transfer_risk_finite", "finetune_transferability_finite"]);
    w.pick(0, "gamma", null);
    w.pick(1, "theta", null);
    w.draw = function (v) {
      const Rsc = F.partial("scratch_risk", {sigma: v.sigma}, ["gamma"]);
      const Rlt = F.eval("linear_transfer_risk", {theta: v.theta, lam: v.lam});
      const Tft = F.partial("finetune_transferability", {theta: v.theta}, ["gamma"]);
      const f0 = this.figs[0].set({xlim: [0, 2], ylim: [0, v.ymax], xlabel: "γ = n/d", ylabel: "excess risk",
                                  title: "θ = " + thetaText(v.theta) + ",  σ = " + fmt(v.sigma)});
      f0.begin();
      f0.line(GAMMA, GAMMA.map(g => Rsc(g)), {color: C.black, label: "scratch"});
      f0.line(GAMMA, GAMMA.map(() => Rlt), {color: C.blue, label: "linear transfer"});
      f0.line(GAMMA, GAMMA.map(g => Rsc(g) - Tft(g)), {color: C.green, label: "fine-tuning (paper)"});
      const ns = finiteN(v.d);
      const Rscf = F.partial("scratch_risk_finite", {d: v.d, sigma: v.sigma}, ["n"]);
      const Rltf = F.partial("linear_transfer_risk_finite", {theta: v.theta, sigma: v.sigma, lam: v.lam}, ["n"]);
      const Tftf = F.partial("finetune_transferability_finite", {d: v.d, theta: v.theta}, ["n"]);
      const xs = ns.map(n => n / v.d);
      f0.line(xs, ns.map(n => Rscf(n)), {color: C.black, width: 1.1, dash: [4, 3], label: "exact means, d = " + v.d});
      f0.line(xs, ns.map(n => Rltf(n)), {color: C.blue, width: 1.1, dash: [4, 3]});
      f0.line(xs, ns.map(n => Rscf(n) - Tftf(n)), {color: C.green, width: 1.1, dash: [4, 3]});
      plotRecords(f0, records("scratch_risk", {sigma: v.sigma, gamma_s: null}, {theta: v.theta}), C.black, "scratch");
      plotRecords(f0, records("lt_risk", {theta: v.theta, sigma: v.sigma, lam: v.lam, gamma_s: null}), C.blue, "lt", "square");
      plotRecords(f0, records("ft_risk", {theta: v.theta, sigma: v.sigma, gamma_s: null}), C.green, "ft");
      f0.vline(v.gamma, {color: C.grey, dash: [3, 3]}).finish({legend: "upper right"});

      const TH = range(0, PI, 361);
      const rsc = Rsc(v.gamma);
      const ltTheta = TH.map(t => F.eval("linear_transfer_risk", {theta: t, lam: v.lam}));
      const ftTheta = TH.map(t => rsc - F.eval("finetune_transferability", {gamma: v.gamma, theta: t}));
      const top = Math.min(4, Math.max(1.2, ...ltTheta, ...ftTheta.filter(Number.isFinite), Number.isFinite(rsc) ? rsc : 0) * 1.06);
      const f1 = this.figs[1].set({xlim: [0, PI], ylim: [0, top], xticks: "pi", xlabel: "θ (radians)",
                                  ylabel: "excess risk", title: "γ = " + fmt(v.gamma) + ",  σ = " + fmt(v.sigma)});
      f1.begin();
      f1.line(TH, TH.map(() => rsc), {color: C.black, label: "scratch"});
      f1.line(TH, ltTheta, {color: C.blue, label: "linear transfer"});
      f1.line(TH, ftTheta, {color: C.green, label: "fine-tuning (paper)"});
      f1.vline(PI / 3, {color: C.grey, dash: [2, 3]}).vline(v.theta, {color: C.grey, dash: [3, 3]}).finish({legend: "upper left"});

      const n = Math.max(1, Math.round(v.gamma * v.d));
      const ft = rsc - Tft(v.gamma);
      const fin = {sc: Rscf(n), lt: Rltf(n), ft: Rscf(n) - Tftf(n)};
      const best = [["scratch", rsc], ["linear transfer", Rlt], ["fine-tuning", ft]].sort((a, b) => a[1] - b[1])[0][0];
      this.readout.textContent = "γ = " + fmt(v.gamma) + ", θ = " + thetaText(v.theta) + ":  R_sc = " + fmt(rsc, 6) +
        ",  R_lt = " + fmt(Rlt, 6) + ",  R_ft = " + fmt(ft, 6) + "  → lowest: " + best + ".\n" +
        "Exact means at d = " + v.d + ", n = " + n + ":  R_sc = " + fmt(fin.sc, 6) + ",  R_lt = " + fmt(fin.lt, 6) +
        ",  R_ft = " + fmt(fin.ft, 6) + ".";
      this.dataButtons(["scratch_risk", "lt_risk", "ft_risk"], ["theta", "sigma"], {gamma_s: null});
    };
    return w;
  }

  // =============================================================================================
  // 3. Fine-tuning: the paper's formula vs exact gradient flow (§6.2-§6.4)
  // =============================================================================================
  function finetune() {
    const w = new Widget("finetune", "Fine-tuning: paper vs exact gradient flow",
      "The paper's fine-tuning result (Theorem 3.9, §6.2) assumes that the part of the pretrained weights outside " +
      "the target data's row space keeps its scale; then T_ft = (1 − γ)(2 cos θ − 1) for γ < 1, independent of σ " +
      "and depth, with break-even angle π/3. Exact gradient flow from the balanced pretrained state rescales that " +
      "part by a factor c ≥ 1 (§6.3, the unique positive root of r²c^{2L/(L−1)} − a c² − b = 0, §6.4), with c = 1 " +
      "only for σ = 0. For σ > 0 fine-tuning therefore helps less, its break-even angle drops below π/3, it " +
      "depends on the depth L, and just below γ = 1 it hurts at every angle. Left: T_ft against γ; right: the " +
      "break-even angle against γ (fine-tuning helps below the curve; the dotted line is the chosen θ).",
      [{key: "theta", label: "θ  angle", theta: true, min: 0, max: PI / 2, value: PI / 4},
       {key: "sigma", label: "σ  label noise", min: 0, max: 2, step: 0.01, value: 0.5},
       {key: "depth", label: "L  depth", min: 2, max: 8, step: 1, value: 2, integer: true},
       {key: "gamma", label: "γ = n/d  picked", min: 0, max: 2, step: 0.005, value: 0.5}],
      2, ["finetune_transferability", "finetune_transferability_gf", "finetune_break_even_theta",
          "finetune_break_even_theta_gf", "finetune_scale"]);
    w.pick(0, "gamma", null);
    w.pick(1, "gamma", "theta");
    w.draw = function (v) {
      const Tp = F.partial("finetune_transferability", {theta: v.theta}, ["gamma"]);
      const Tg = F.partial("finetune_transferability_gf", {theta: v.theta, sigma: v.sigma, depth: v.depth}, ["gamma"]);
      const tp = GAMMA.map(g => Tp(g)), tg = GAMMA.map(g => Tg(g));
      const recs = records("T_ft", {theta: v.theta, sigma: v.sigma, depth: v.depth, gamma_s: null});
      const f0 = this.figs[0].set({xlim: [0, 2], ylim: limits(tp.concat(tg, recs.map(r => r.mean)), -0.25, 0.25),
                                  xlabel: "γ = n/d", ylabel: "T_ft",
                                  title: "θ = " + thetaText(v.theta) + ",  σ = " + fmt(v.sigma) + ",  L = " + v.depth});
      f0.begin().hline(0, {color: "#999"});
      f0.line(GAMMA, tp, {color: C.green, label: "paper, eq. (15)"});
      f0.line(GAMMA, tg, {color: C.purple, dash: [6, 4], label: "exact gradient flow"});
      plotRecords(f0, recs, C.red, "T_ft");
      f0.vline(v.gamma, {color: C.grey, dash: [3, 3]}).finish({legend: "upper right"});

      const G1 = range(0, 1, 401).slice(0, 400);
      const bp = F.eval("finetune_break_even_theta", {});
      const Bg = F.partial("finetune_break_even_theta_gf", {sigma: v.sigma, depth: v.depth}, ["gamma"]);
      const f1 = this.figs[1].set({xlim: [0, 1], ylim: [0, PI / 2], yticks: "pi", xlabel: "γ = n/d (< 1)",
                                  ylabel: "break-even angle θ*", title: "fine-tuning helps below the curve"});
      f1.begin();
      f1.line(G1, G1.map(() => bp), {color: C.green, label: "paper: π/3"});
      f1.line(G1, G1.map(g => Bg(g)), {color: C.purple, dash: [6, 4], label: "gradient flow, L = " + v.depth});
      f1.line([0, 1], [v.theta, v.theta], {color: C.grey, dash: [2, 3], width: 1, label: "chosen θ"});
      if (v.gamma < 1) f1.marker(v.gamma, v.theta, {size: 5});
      f1.finish({legend: "lower left"});

      const c = F.eval("finetune_scale", {gamma: v.gamma, sigma: v.sigma, depth: v.depth});
      const t0 = Tp(v.gamma), t1 = Tg(v.gamma);
      this.readout.textContent = "γ = " + fmt(v.gamma) + ":  scale c = " + fmt(c, 6) + ";  T_ft paper = " + fmt(t0, 6) +
        " (" + sign(t0) + "),  gradient flow = " + fmt(t1, 6) + " (" + sign(t1) + ").\n" +
        "Break-even angle: paper " + thetaText(bp) + ",  gradient flow " + thetaText(Bg(v.gamma)) + ".";
      this.dataButtons(["T_ft"], ["theta", "sigma", "depth"], {gamma_s: null});
    };
    return w;
  }

  // =============================================================================================
  // 4. Finite source data (§7)
  // =============================================================================================
  function finiteSource() {
    const w = new Widget("finite-source", "Finite source data",
      "When the source teacher is itself estimated from n<sub>s</sub> = γ<sub>s</sub> d noisy samples (noise " +
      "σ<sub>s</sub>), the pretrained vector is the min-norm estimate β̂<sub>s</sub> (§7.1). Fine-tuning then " +
      "carries its error into the unseen directions: T_ft = (1 − γ)₊[2 E⟨β<sub>t</sub>, β̂<sub>s</sub>⟩ − " +
      "E‖β̂<sub>s</sub>‖²] (Theorem C.1, §7.2), independent of the target noise σ, with break-even angle " +
      "cos θ* = ½[1 + σ<sub>s</sub>²/|1 − γ<sub>s</sub>|] (eq. (23)); when σ<sub>s</sub>² > |1 − γ<sub>s</sub>| " +
      "fine-tuning never helps. Linear transfer sees an effective angle (§7.3). Left: both transferabilities " +
      "against γ (dashed: infinite source). Right: the break-even angle against γ<sub>s</sub>.",
      [{key: "gamma_s", label: "γ_s = n_s/d  source", min: 0.05, max: 3, step: 0.05, value: 0.5},
       {key: "sigma_s", label: "σ_s  source noise", min: 0, max: 1.5, step: 0.01, value: 0.2},
       {key: "theta", label: "θ  angle", theta: true, min: 0, max: PI / 2, value: PI / 4},
       {key: "sigma", label: "σ  target noise", min: 0, max: 1.5, step: 0.01, value: 0.2},
       {key: "gamma", label: "γ = n/d  picked", min: 0, max: 2, step: 0.005, value: 0.5}],
      2, ["finetune_transferability_finite_source", "linear_transfer_transferability_finite_source",
          "finetune_transferability", "linear_transfer_transferability", "finetune_break_even_theta_finite_source",
          "finetune_break_even_theta", "finite_source_norm_sq", "finite_source_overlap"]);
    w.pick(0, "gamma", null);
    w.pick(1, "gamma_s", "theta");
    w.draw = function (v) {
      const Tft = F.partial("finetune_transferability_finite_source", {theta: v.theta, gamma_s: v.gamma_s, sigma_s: v.sigma_s}, ["gamma"]);
      const Tlt = F.partial("linear_transfer_transferability_finite_source",
                            {theta: v.theta, sigma: v.sigma, gamma_s: v.gamma_s, sigma_s: v.sigma_s}, ["gamma"]);
      const Tft0 = F.partial("finetune_transferability", {theta: v.theta}, ["gamma"]);
      const Tlt0 = F.partial("linear_transfer_transferability", {theta: v.theta, sigma: v.sigma}, ["gamma"]);
      const f0 = this.figs[0].set({xlim: [0, 2], ylim: [-1.1, 1.1], xlabel: "γ = n/d", ylabel: "T",
                                  title: "γ_s = " + fmt(v.gamma_s) + ",  σ_s = " + fmt(v.sigma_s) + ",  θ = " + thetaText(v.theta)});
      f0.begin().hline(0, {color: "#999"});
      f0.line(GAMMA, GAMMA.map(g => Tlt(g)), {color: C.blue, label: "linear transfer (§7.3)"});
      f0.line(GAMMA, GAMMA.map(g => Tft(g)), {color: C.green, label: "fine-tuning (eq. (22))"});
      f0.line(GAMMA, GAMMA.map(g => Tlt0(g)), {color: C.blue, width: 1, dash: [4, 3], label: "infinite source"});
      f0.line(GAMMA, GAMMA.map(g => Tft0(g)), {color: C.green, width: 1, dash: [4, 3]});
      const m = {theta: v.theta, gamma_s: v.gamma_s, sigma_s: v.sigma_s};
      plotRecords(f0, records("T_lt", Object.assign({sigma: v.sigma}, m)), C.blue, "T_lt", "square");
      plotRecords(f0, records("T_ft", m), C.green, "T_ft");
      f0.vline(v.gamma, {color: C.grey, dash: [3, 3]}).finish({legend: "lower left"});

      const GS = range(0.005, 3, 600);
      const B = F.partial("finetune_break_even_theta_finite_source", {sigma_s: v.sigma_s}, ["gamma_s"]);
      const f1 = this.figs[1].set({xlim: [0, 3], ylim: [0, PI / 2], yticks: "pi", xlabel: "γ_s = n_s/d",
                                  ylabel: "break-even angle θ*", title: "fine-tuning helps below the curve (σ_s = " + fmt(v.sigma_s) + ")"});
      f1.begin();
      f1.line(GS, GS.map(() => F.eval("finetune_break_even_theta", {})), {color: C.grey, dash: [4, 3], width: 1, label: "infinite source: π/3"});
      f1.line(GS, GS.map(g => B(g)), {color: C.green, label: "finite source, eq. (23)"});
      f1.marker(v.gamma_s, v.theta, {size: 5}).finish({legend: "upper right"});

      const norm = F.eval("finite_source_norm_sq", {gamma_s: v.gamma_s, sigma_s: v.sigma_s});
      const ov = F.eval("finite_source_overlap", {theta: v.theta, gamma_s: v.gamma_s});
      this.readout.textContent = "E‖β̂_s‖² = " + fmt(norm, 6) + ",  E⟨β_t, β̂_s⟩ = " + fmt(ov, 6) +
        ",  break-even θ* = " + thetaText(B(v.gamma_s)) + ".\nAt γ = " + fmt(v.gamma) + ":  T_ft = " + fmt(Tft(v.gamma), 6) +
        " (" + sign(Tft(v.gamma)) + "),  T_lt = " + fmt(Tlt(v.gamma), 6) + " (" + sign(Tlt(v.gamma)) + ").";
      this.dataButtons(["T_lt", "T_ft"], ["gamma_s", "sigma_s", "theta", "sigma"], {});
    };
    return w;
  }

  // =============================================================================================
  // 5. Tuned-ridge baseline (§3.5; paper Fig. 5)
  // =============================================================================================
  function tuned() {
    const w = new Widget("tuned", "Against a tuned ridge baseline",
      "The paper's Figure 5 replaces the min-norm scratch baseline by the best of several weight-decay runs. " +
      "Weight decay acts like ridge regression (§3.5), and the optimally tuned ridge risk R*(γ, σ) has no " +
      "interpolation peak, so the anomalous band of positive transfer around γ = 1 disappears and a single " +
      "boundary γ_b(θ) remains (dashed orange; the dotted grey curves are the plain boundaries of §5.2). Left: " +
      "T = R* − R_lt over (θ, γ), click to pick γ. Right: scratch risks against γ — min-norm, ridge at a fixed λ " +
      "(slider), optimal ridge λ* = σ²/γ — and the linear-transfer risk sin²θ.",
      [{key: "sigma", label: "σ  label noise", min: 0, max: 1.5, step: 0.01, value: 0.2},
       {key: "lam", label: "λ  fixed ridge (right)", min: 0.001, max: 2, step: 0.001, value: 0.1},
       {key: "theta", label: "θ  picked angle", theta: true, min: 0, max: PI / 2, value: PI / 4},
       {key: "gamma", label: "γ = n/d  picked", min: 0, max: 2, step: 0.005, value: 0.5}],
      2, ["linear_transfer_transferability_tuned", "lt_boundary_tuned", "lt_boundary_lower", "lt_boundary_upper",
          "lt_boundary_over", "scratch_risk", "scratch_ridge_risk", "scratch_risk_optimal_ridge",
          "scratch_optimal_ridge", "linear_transfer_risk"]);
    w.pick(0, "theta", "gamma");
    w.pick(1, "gamma", null);
    w.draw = function (v) {
      const T = F.partial("linear_transfer_transferability_tuned", {sigma: v.sigma}, ["gamma", "theta"]);
      const f0 = this.figs[0];
      phaseMap(f0, (th, g) => T(g, th), {xlim: [0, PI / 2], ylim: [0, 2], xticks: "pi", xlabel: "θ (radians)",
               ylabel: "γ = n/d", title: "T against tuned ridge,  σ = " + fmt(v.sigma)});
      const TH = range(0, PI / 2, 401).slice(1);
      if (v.sigma > 0) {
        const lo = TH.map(t => F.eval("lt_boundary_lower", {theta: t, sigma: v.sigma}));
        const up = TH.map(t => F.eval("lt_boundary_upper", {theta: t, sigma: v.sigma}));
        const grey = {color: "#888", dash: [2, 3], width: 1};
        f0.line(TH, lo.map((g, i) => up[i] > lo[i] ? g : NaN), Object.assign({label: "plain baseline (§5.2)"}, grey));
        f0.line(TH, up.map((g, i) => up[i] > lo[i] ? g : NaN), grey);
        f0.line(TH, TH.map(t => F.eval("lt_boundary_over", {theta: t, sigma: v.sigma})), grey);
      }
      f0.line(TH, TH.map(t => F.eval("lt_boundary_tuned", {theta: t, sigma: v.sigma})),
              {color: C.orange, dash: [6, 4], label: "γ_b: tuned boundary"});
      f0.marker(v.theta, v.gamma).finish({legend: "upper right"});

      const Rsc = F.partial("scratch_risk", {sigma: v.sigma}, ["gamma"]);
      const Rr = F.partial("scratch_ridge_risk", {sigma: v.sigma, lam: v.lam}, ["gamma"]);
      const Rs = F.partial("scratch_risk_optimal_ridge", {sigma: v.sigma}, ["gamma"]);
      const rlt = F.eval("linear_transfer_risk", {theta: v.theta});
      const f1 = this.figs[1].set({xlim: [0, 2], ylim: [0, 1.5], xlabel: "γ = n/d", ylabel: "excess risk",
                                  title: "scratch baselines,  σ = " + fmt(v.sigma)});
      f1.begin();
      f1.line(GAMMA, GAMMA.map(g => Rsc(g)), {color: C.black, label: "min-norm scratch"});
      f1.line(GAMMA, GAMMA.map(g => Rr(g)), {color: C.purple, dash: [6, 4], label: "ridge, λ = " + fmt(v.lam)});
      f1.line(GAMMA, GAMMA.map(g => Rs(g)), {color: C.orange, label: "optimal ridge R*"});
      f1.line(GAMMA, GAMMA.map(() => rlt), {color: C.blue, label: "linear transfer, θ = " + (P.piLabel(v.theta) || fmt(v.theta, 3))});
      plotRecords(f1, records("ridge_risk", {sigma: v.sigma, lam: v.lam}), C.purple, "ridge");
      f1.vline(v.gamma, {color: C.grey, dash: [3, 3]}).finish({legend: "upper right"});

      const lstar = F.eval("scratch_optimal_ridge", {gamma: v.gamma, sigma: v.sigma});
      const t = T(v.gamma, v.theta);
      this.readout.textContent = "γ = " + fmt(v.gamma) + ", θ = " + thetaText(v.theta) + ":  λ* = " + fmt(lstar, 6) +
        ",  R* = " + fmt(Rs(v.gamma), 6) + ",  ridge(λ) = " + fmt(Rr(v.gamma), 6) + ",  min-norm = " + fmt(Rsc(v.gamma), 6) +
        ".\nT against the tuned baseline = " + fmt(t, 6) + " (" + sign(t) + ");  boundary γ_b(θ) = " +
        fmt(F.eval("lt_boundary_tuned", {theta: v.theta, sigma: v.sigma}), 6) + ".";
      this.dataButtons(["ridge_risk"], ["sigma", "lam"], {});
    };
    return w;
  }

  // =============================================================================================
  // 6. Dataset similarity does not predict transfer (§9.4; paper Fig. 4(a))
  // =============================================================================================
  function similarity() {
    const hasKL = F.has("kl_divergence_task");
    const w = new Widget("similarity", "Similarity does not predict transfer",
      "A natural guess is that transfer works when the source and target tasks are close. Inside the linear " +
      "family, the KL divergence between the two task laws is KL = ‖β<sub>s</sub> − β<sub>t</sub>‖²/(2σ²) = " +
      "(1 − cos θ)/σ² (§9.4), which increases monotonically on θ ∈ [0, π], while T_lt depends on θ only through " +
      "sin²θ. The curve of T_lt against KL is therefore U-shaped: tasks at angle θ and π − θ transfer equally well " +
      "although their KL divergences differ by up to 2/σ². Only on [0, π/2] does KL order transferability. " +
      "Left: T_lt against KL as θ runs from 0 to π (dots every π/8). Right: both against θ (KL divided by its " +
      "maximum 2/σ²).",
      [{key: "gamma", label: "γ = n/d", min: 0, max: 2, step: 0.005, value: 0.5},
       {key: "sigma", label: "σ  label noise", min: 0.05, max: 1.5, step: 0.01, value: 0.2},
       {key: "theta", label: "θ  picked angle", theta: true, min: 0, max: PI, value: PI / 4}],
      2, ["linear_transfer_transferability"].concat(hasKL ? ["kl_divergence_task"] : []));
    w.pick(1, "theta", null);
    // The KL divergence comes from the registered result kl_divergence_task when the page has it.
    // TODO(issue 8): drop this fallback once kl_divergence_task is registered in every build; it is
    // docs/background.md §9.4 for unit norms, KL = (1 - cos theta)/sigma^2, written out here only because the
    // result did not exist yet when the widget was written (the page says which one it used).
    const KL = hasKL ? (t, s) => F.eval("kl_divergence_task", {theta: t, sigma: s})
                     : (t, s) => (1 - Math.cos(t)) / (s * s);
    w.klSource = hasKL ? "kl_divergence_task" : "fallback formula (1 − cos θ)/σ²";
    w.draw = function (v) {
      const TH = range(0, PI, 721);
      const T = F.partial("linear_transfer_transferability", {gamma: v.gamma, sigma: v.sigma}, ["theta"]);
      const ts = TH.map(t => T(t)), ks = TH.map(t => KL(t, v.sigma));
      const kmax = KL(PI, v.sigma);
      const finite = ts.filter(Number.isFinite);
      let lo = Math.min(...finite), hi = Math.max(...finite);
      if (!finite.length) { lo = -1; hi = 1; }
      const pad = Math.max(0.05, 0.08 * (hi - lo));
      const ylim = [Math.min(lo - pad, -0.05), Math.max(hi + pad, 0.05)];
      const f0 = this.figs[0].set({xlim: [0, kmax * 1.04], ylim: ylim, xlabel: "KL(p_s ‖ p_t)", ylabel: "T_lt",
                                  title: "γ = " + fmt(v.gamma) + ",  σ = " + fmt(v.sigma) + ",  θ from 0 to π"});
      f0.begin().hline(0, {color: "#999"});
      f0.line(ks, ts, {color: C.blue, label: "T_lt along θ ∈ [0, π]"});
      const marks = range(0, PI, 9);
      f0.errorbars(marks.map(t => KL(t, v.sigma)), marks.map(t => T(t)), null, {color: C.blue, radius: 3});
      marks.forEach(t => f0.text(KL(t, v.sigma), T(t), P.piLabel(t), {dy: -10, align: "center"}));
      f0.marker(KL(v.theta, v.sigma), T(v.theta), {size: 5, color: C.red}).finish({legend: "lower left"});

      const f1 = this.figs[1].set({xlim: [0, PI], ylim: [Math.min(ylim[0], -0.05), Math.max(ylim[1], 1.05)], xticks: "pi",
                                  xlabel: "θ (radians)", ylabel: "value", title: "against the angle"});
      f1.begin().hline(0, {color: "#999"});
      f1.line(TH, ts, {color: C.blue, label: "T_lt"});
      f1.line(TH, ks.map(k => k / kmax), {color: C.grey, dash: [6, 4], label: "KL / (2/σ²)"});
      f1.vline(v.theta, {color: C.red, dash: [3, 3]}).vline(PI - v.theta, {color: C.red, dash: [1, 3]}).finish({legend: "upper left"});

      const a = v.theta, b = PI - v.theta;
      this.readout.textContent = "θ = " + thetaText(a) + ":  KL = " + fmt(KL(a, v.sigma), 6) + ",  T_lt = " + fmt(T(a), 6) +
        ";   θ' = π − θ = " + thetaText(b) + ":  KL = " + fmt(KL(b, v.sigma), 6) + ",  T_lt = " + fmt(T(b), 6) +
        ".\nSame transferability, different KL. (KL from " + w.klSource + ".)";
    };
    return w;
  }

  // =============================================================================================
  // Structured covariance: two-level spectrum (docs/aniso.md §2-§4)
  // =============================================================================================
  function aniso() {
    const w = new Widget("aniso", "Structured covariance: where β_t − β_s lives in the spectrum",
      "Inputs x ~ N(0, Σ) with a two-level spectrum: a fraction ρ<sub>a</sub> of the directions has eigenvalue a, the " +
      "rest b, a/b = r, trace d (docs/aniso.md). The teachers are unit vectors at Euclidean angle θ; e<sub>s</sub> is the " +
      "fraction of β<sub>s</sub>'s squared norm on the a-block and e<sub>⊥</sub> that of the target's part orthogonal to " +
      "β<sub>s</sub>, so e<sub>⊥</sub> says where β<sub>t</sub> − β<sub>s</sub> lives. The maps show T<sub>lt</sub> " +
      "(<code>aniso2_lt_transferability</code>, asymptotic) and T<sub>ft</sub> (<code>aniso2_ft_transferability</code>, " +
      "linear fine-tuning) over (e<sub>⊥</sub>, γ); blue: transfer helps, red: it hurts, black: T = 0. At r = 1 both " +
      "are the isotropic results (dashed in the slice). Linear transfer is decided by the Σ-weighted angle " +
      "(readout), not the Euclidean one: with r > 1 the same θ helps when the difference sits on the small " +
      "eigenvalues (e<sub>⊥</sub> → 0) and hurts when it sits on the large ones. <b>Click a map</b> to pick " +
      "(e<sub>⊥</sub>, γ); bottom left: the slice against γ at that e<sub>⊥</sub>; bottom right: the risks, with the " +
      "exact finite-n linear-transfer mean at dimension d.",
      [{key: "frac_a", label: "ρ_a  fraction at a", min: 0.01, max: 0.99, step: 0.01, value: 0.2},
       {key: "eig_ratio", label: "r = a/b  eigenvalue ratio", min: 0.02, max: 50, step: 0.01, value: 10, log: true},
       {key: "energy_s", label: "e_s  source on a-block", min: 0, max: 1, step: 0.01, value: 0.2},
       {key: "energy_perp", label: "e_⊥  β_t − β_s on a-block", min: 0, max: 1, step: 0.01, value: 0.5},
       {key: "theta", label: "θ  Euclidean angle", theta: true, min: 0, max: PI / 2, value: PI / 4},
       {key: "sigma", label: "σ  label noise", min: 0, max: 1.5, step: 0.01, value: 0.2},
       {key: "gamma", label: "γ = n/d  picked", min: 0, max: 2, step: 0.005, value: 0.5},
       {key: "d", label: "d  (finite-n curve)", min: 10, max: 500, step: 10, value: 100, integer: true}],
      4, ["aniso2_lt_transferability", "aniso2_ft_transferability", "aniso2_sigma_cosine", "aniso2_kappa",
          "aniso2_scratch_risk", "aniso2_linear_transfer_risk", "aniso2_linear_transfer_risk_finite",
          "aniso2_finetune_risk", "linear_transfer_transferability", "finetune_transferability"]);
    const cb = h("canvas", {class: "colorbar", id: "aniso-colorbar"});
    w.section.insertBefore(cb, w.readout);
    w.pick(0, "energy_perp", "gamma");
    w.pick(1, "energy_perp", "gamma");
    w.pick(2, "gamma", null);
    w.pick(3, "gamma", null);
    w.draw = function (v) {
      const spec = {frac_a: v.frac_a, eig_ratio: v.eig_ratio, energy_s: v.energy_s};
      const Tlt = F.partial("aniso2_lt_transferability", Object.assign({theta: v.theta, sigma: v.sigma}, spec),
                            ["gamma", "energy_perp"]);
      const Tft = F.partial("aniso2_ft_transferability", Object.assign({theta: v.theta}, spec), ["gamma", "energy_perp"]);
      const where = "ρ_a = " + fmt(v.frac_a) + ",  r = " + fmt(v.eig_ratio) + ",  e_s = " + fmt(v.energy_s) +
        ",  θ = " + (P.piLabel(v.theta) || fmt(v.theta, 3));
      const axes = {xlim: [0, 1], ylim: [0, 2], xlabel: "e_⊥  (0: β_t − β_s on the b-block, 1: on the a-block)",
                    ylabel: "γ = n/d"};
      [[Tlt, "T_lt", ",  σ = " + fmt(v.sigma)], [Tft, "T_ft", ""]].forEach(([T, name, extra], i) => {
        phaseMap(this.figs[i], (e, g) => T(g, e), Object.assign({title: name + "(e_⊥, γ),  " + where + extra}, axes));
        this.figs[i].marker(v.energy_perp, v.gamma).finish();
      });
      P.colorbar(cb, {label: "T   (blue: transfer helps, red: it hurts)", left: this.figs[0].box.x,
                      right: this.figs[0].width - this.figs[0].box.x - this.figs[0].box.w});

      // the slice at the picked e_perp, with the isotropic results (r = 1 reproduces them exactly)
      // (y-range: the finite values within +-2; the interpolation peak at gamma = 1 leaves the axes)
      const lt = GAMMA.map(g => Tlt(g, v.energy_perp)), ft = GAMMA.map(g => Tft(g, v.energy_perp));
      const Liso = F.partial("linear_transfer_transferability", {theta: v.theta, sigma: v.sigma}, ["gamma"]);
      const Fiso = F.partial("finetune_transferability", {theta: v.theta}, ["gamma"]);
      const f2 = this.figs[2].set({xlim: [0, 2], ylim: limits(lt.concat(ft).filter(x => Math.abs(x) <= 2), -0.5, 0.5), xlabel: "γ = n/d", ylabel: "T",
                                  title: "slice at e_⊥ = " + fmt(v.energy_perp) + ",  " + where});
      f2.begin().hline(0, {color: "#999"});
      f2.line(GAMMA, lt, {color: C.blue, label: "T_lt"});
      f2.line(GAMMA, ft, {color: C.green, label: "T_ft (linear fine-tuning)"});
      f2.line(GAMMA, GAMMA.map(g => Liso(g)), {color: C.blue, width: 1, dash: [4, 3], label: "isotropic (Σ = I)"});
      f2.line(GAMMA, GAMMA.map(g => Fiso(g)), {color: C.green, width: 1, dash: [4, 3]});
      f2.vline(v.gamma, {color: C.grey, dash: [3, 3]}).finish({legend: "lower left"});

      // risks against gamma; the target's split e_t follows from the pair (u_s, u_perp orthogonal in each block)
      const c2 = Math.cos(v.theta) * Math.cos(v.theta), s2 = Math.sin(v.theta) * Math.sin(v.theta);
      const energyT = Math.min(1, Math.max(0, c2 * v.energy_s + s2 * v.energy_perp));
      const at = Object.assign({energy_perp: v.energy_perp}, spec);
      const Rsc = F.partial("aniso2_scratch_risk", {sigma: v.sigma, frac_a: v.frac_a, eig_ratio: v.eig_ratio,
                                                    energy_t: energyT}, ["gamma"]);
      const Rft = F.partial("aniso2_finetune_risk", Object.assign({theta: v.theta, sigma: v.sigma}, at), ["gamma"]);
      const rlt = F.eval("aniso2_linear_transfer_risk", {theta: v.theta, frac_a: v.frac_a, eig_ratio: v.eig_ratio,
                                                           energy_perp: v.energy_perp});
      const Rltn = F.partial("aniso2_linear_transfer_risk_finite", {theta: v.theta, sigma: v.sigma, frac_a: v.frac_a,
                                                                     eig_ratio: v.eig_ratio, energy_perp: v.energy_perp}, ["n"]);
      const sc = GAMMA.map(g => Rsc(g)), ftr = GAMMA.map(g => Rft(g));
      const ns = finiteN(v.d).filter(n => n > 2);
      const f3 = this.figs[3].set({xlim: [0, 2], ylim: [0, Math.max(1.2 * rlt, 1.5 * Math.min(3, Rsc(0)))],
                                  xlabel: "γ = n/d", ylabel: "excess risk ‖β̂ − β_t‖²_Σ", title: "risks,  " + where});
      f3.begin();
      f3.line(GAMMA, sc, {color: C.black, label: "scratch (min-norm)"});
      f3.line(GAMMA, GAMMA.map(() => rlt), {color: C.blue, label: "linear transfer, n → ∞"});
      f3.line(ns.map(n => n / v.d), ns.map(n => Rltn(n)), {color: C.blue, width: 1.1, dash: [4, 3],
              label: "linear transfer, exact mean, d = " + v.d});
      f3.line(GAMMA, ftr, {color: C.green, label: "fine-tuning (linear)"});
      f3.vline(v.gamma, {color: C.grey, dash: [3, 3]}).finish({legend: "upper right"});

      const cosS = F.eval("aniso2_sigma_cosine", Object.assign({theta: v.theta}, at));
      const kappa = F.eval("aniso2_kappa", {gamma: v.gamma, frac_a: v.frac_a, eig_ratio: v.eig_ratio});
      // the eigenvalues: the Sigma-norm of a unit vector on one block (the residual at theta = pi/2)
      const eig = e => F.eval("aniso2_linear_transfer_risk", {theta: PI / 2, frac_a: v.frac_a, eig_ratio: v.eig_ratio,
                                                              energy_perp: e});
      const n = Math.max(3, Math.round(v.gamma * v.d));
      const t = {lt: Tlt(v.gamma, v.energy_perp), ft: Tft(v.gamma, v.energy_perp)};
      const r = {sc: Rsc(v.gamma), lt: rlt, ft: Rft(v.gamma), ltn: Rltn(n)};
      this.state = {values: Object.assign({energy_t: energyT}, v), T_lt: t.lt, T_ft: t.ft, sigma_cosine: cosS,
                    kappa: kappa, R_sc: r.sc, R_lt: r.lt, R_ft: r.ft, n: n, R_lt_finite: r.ltn,
                    slice: {gamma: GAMMA, T_lt: lt, T_ft: ft}};
      this.readout.textContent = "Spectrum a = " + fmt(eig(1), 6) + ", b = " + fmt(eig(0), 6) + ".  Σ-weighted cosine cos θ_Σ = " +
        fmt(cosS, 8) + "  (Euclidean cos θ = " + fmt(Math.cos(v.theta), 8) + ").\n" +
        "γ = " + fmt(v.gamma) + ", e_⊥ = " + fmt(v.energy_perp) + ":  T_lt = " + fmt(t.lt, 6) + " (" + sign(t.lt) + "),  T_ft = " +
        fmt(t.ft, 6) + " (" + sign(t.ft) + ");  κ = " + fmt(kappa, 6) + ".\n" +
        "Risks: R_sc = " + fmt(r.sc, 6) + " (target split e_t = " + fmt(energyT, 4) + "),  R_lt = " + fmt(r.lt, 6) +
        ",  R_ft = " + fmt(r.ft, 6) + ";  exact linear-transfer mean at d = " + v.d + ", n = " + n + ": " + fmt(r.ltn, 6) + ".";
    };
    return w;
  }

  // =============================================================================================
  // 7. Every result: pick any supported result, move its parameters, plot against one of them
  // =============================================================================================
  const AXIS = {gamma: [0, 2], theta: [0, PI], sigma: [0, 2], lam: [0, 2], n: [1, 200], d: [1, 200],
                gamma_s: [0.01, 3], sigma_s: [0, 2], depth: [2, 8], norm_s: [0.05, 3], norm_t: [0.05, 3],
                mu: [0, 0.99], k: [1, 50], residual: [0, 1], u: [-1, 1], norm_w: [0, 3], norm_v: [0, 3], ell: [0, 40]};
  const START = {gamma: 0.5, theta: PI / 4, sigma: 0.2, lam: 0, n: 50, d: 100, gamma_s: 0.5, sigma_s: 0.2,
                 depth: 2, norm_s: 1, norm_t: 1, mu: 0.3, k: 5, residual: 0.3, u: 0.5, norm_w: 1, norm_v: 1, ell: 2};

  function allResults() {
    const w = new Widget("all-results", "Every result",
      "Any registered result that the page supports, with a slider for each of its parameters, plotted " +
      "against the parameter chosen on the x-axis. Results added to the library later (the ReLU results of " +
      "§10, for instance) appear here automatically once the page is regenerated. The status says where a " +
      "formula comes from: [PAPER] the paper, [PAPER*] the paper in corrected form, [EXT] derived for the " +
      "toolkit, [CODE] the authors' code, [DEFAULT] a documented toolkit default.",
      [], 1, []);
    const select = h("select", {id: "all-results-select"});
    for (const name of F.supported) select.appendChild(h("option", {value: name, text: name + "  (" + F.specs[name].topic + ")"}));
    const axis = h("select", {id: "all-results-axis"});
    const meta = h("div", {class: "meta", id: "all-results-meta"});
    const bar = h("div", {class: "controls"}, h("label", {text: "result "}), select, h("label", {text: "  x-axis "}), axis);
    w.section.insertBefore(bar, w.controls);
    w.section.insertBefore(meta, w.plots);
    function setup() {
      const spec = F.specs[select.value];
      w.controls.textContent = "";
      w.sliders = {};
      axis.textContent = "";
      for (const p of spec.params) {
        const prm = F.params[p];
        const [a, b] = AXIS[p] || [Math.max(prm.low, 0), Number.isFinite(prm.high) ? prm.high : 3];
        const s = new Slider(w, {key: p, label: p, min: a, max: b, theta: p === "theta",
                                 step: prm.integer ? 1 : 0.005, integer: prm.integer,
                                 value: prm.default !== null && prm.default !== undefined ? prm.default : START[p]});
        w.sliders[p] = s;
        w.controls.appendChild(s.el);
        axis.appendChild(h("option", {value: p, text: p}));
      }
      meta.textContent = "[" + spec.status + "] " + spec.reference + " — " + spec.summary;
      w.schedule();
    }
    select.addEventListener("change", setup);
    axis.addEventListener("change", () => w.schedule());
    w.select = select;
    w.axis = axis;
    w.draw = function (v) {
      const name = select.value, x = axis.value;
      const [a, b] = AXIS[x] || [0, 3];
      const prm = F.params[x];
      let xs = prm.integer ? [] : range(a, b, 601);
      if (prm.integer) for (let k = a; k <= b; k++) xs.push(k);
      xs = xs.filter(t => {
        try { F.validate(x, t); return true; } catch (e) { return false; }
      });
      const g = F.partial(name, v, [x]);
      const ys = xs.map(t => g(t));
      // y-range from the 2nd to the 98th percentile of the finite values: a divergence does not flatten the rest
      const fin = ys.filter(Number.isFinite).sort((p, q) => p - q);
      const at = q => fin[Math.min(fin.length - 1, Math.max(0, Math.round(q * (fin.length - 1))))];
      let lo = fin.length ? at(0.02) : -1, hi = fin.length ? at(0.98) : 1;
      if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
      const pad = 0.06 * (hi - lo);
      const f0 = this.figs[0].set({xlim: [a, b], ylim: [lo - pad, hi + pad], xticks: x === "theta" ? "pi" : null,
                                  xlabel: x, ylabel: name, title: name});
      f0.begin();
      if (prm.integer) f0.errorbars(xs, ys, null, {color: C.blue, radius: 2.5});
      else f0.line(xs, ys, {color: C.blue});
      f0.vline(v[x], {color: C.grey, dash: [3, 3]}).finish();
      const value = F.eval(name, v);
      this.readout.textContent = name + "(" + Object.entries(v).map(([k, t]) => k + "=" + (k === "theta" ? thetaText(t) : fmt(t, 6))).join(", ") +
        ") = " + fmt(value, 10);
    };
    select.value = F.supported.indexOf("linear_transfer_transferability") >= 0 ? "linear_transfer_transferability" : F.supported[0];
    setup();
    return w;
  }

  // =============================================================================================
  // ===== ReLU widgets (docs/background.md §10) ===========================================================
  // 8. arc-cosine kernels (§10.2), 9. Mercer eigenvalues (§10.2 route 3), 10. projection residual
  // and the power-law boundary (§10.3-§10.5). The residual curves of widget 10 are numbers computed
  // in Python when the page was built (F.relu, ftheory/explore/relu.py): they depend on a random
  // teacher draw and are no closed form.
  // =============================================================================================
  const MEHLER_MAX = 60;  // degrees of the Hermite coefficients tabulated for the Mehler sums

  function reluKernel() {
    const w = new Widget("relu-kernel", "ReLU: arc-cosine kernels",
      "The kernel of two ReLU neurons w, v under Gaussian inputs x ~ N(0, I<sub>d</sub>) depends only on their norms and " +
      "on the cosine u between them: κ<sub>1</sub>(u) = E[relu(w·x) relu(v·x)] = |w||v| (√(1 − u²) + u (π − arccos u))/(2π) " +
      "(paper eq. (167), derived in polar coordinates, §10.2), and the degree-0 kernel of the step function " +
      "(the ReLU derivative) κ<sub>0</sub>(u) = (π − arccos u)/(2π), which does not depend on the norms. Dashed: " +
      "Mehler's series κ<sub>1</sub>(u) = |w||v| Σ<sub>ℓ</sub> ξ<sub>ℓ</sub>² u<sup>ℓ</sup> truncated at degree L, with the " +
      "Hermite coefficients ξ<sub>ℓ</sub>² of relu (§10.2 route 2) shown on the right: every odd coefficient above " +
      "ℓ = 1 vanishes (hollow markers) and the even ones decay like ℓ<sup>−5/2</sup>, so the series converges slowly " +
      "at u = ±1 where κ<sub>1</sub> is not smooth. <b>Click</b> the left plot to pick u.",
      [{key: "norm_w", label: "|w|  first neuron", min: 0, max: 3, step: 0.05, value: 1},
       {key: "norm_v", label: "|v|  second neuron", min: 0, max: 3, step: 0.05, value: 1},
       {key: "u", label: "u = cos ∠(w, v)", min: -1, max: 1, step: 0.01, value: 0.5},
       {key: "L", label: "L  Mehler degree", min: 0, max: 40, step: 1, value: 4, integer: true}],
      2, ["relu_arccos_kernel", "relu_step_kernel", "relu_hermite_coefficient_sq"]);
    w.pick(0, "u", null);
    w.draw = function (v) {
      const k1 = F.partial("relu_arccos_kernel", {norm_w: v.norm_w, norm_v: v.norm_v}, ["u"]);
      const k0 = F.partial("relu_step_kernel", {}, ["u"]);
      const xi = F.partial("relu_hermite_coefficient_sq", {}, ["ell"]);
      const coef = [];
      for (let l = 0; l <= MEHLER_MAX; l++) coef.push(xi(l));
      const scale = v.norm_w * v.norm_v;
      const mehler = u => {
        let s = 0.0, p = 1.0;
        for (let l = 0; l <= v.L; l++) {
          s += coef[l] * p;
          p *= u;
        }
        return scale * s;
      };
      const U = range(-1, 1, 401);
      const top = 1.1 * Math.max(0.5 * scale, 0.5);
      const f0 = this.figs[0].set({xlim: [-1, 1], ylim: [-0.04 * top, top], xlabel: "u = cos ∠(w, v)", ylabel: "kernel",
                                  title: "|w| = " + fmt(v.norm_w) + ",  |v| = " + fmt(v.norm_v)});
      f0.begin().hline(0, {color: "#999"});
      f0.line(U, U.map(k1), {color: C.blue, label: "κ₁: relu (degree 1)"});
      f0.line(U, U.map(mehler), {color: C.orange, dash: [6, 4], width: 1.4, label: "Mehler sum to degree L = " + v.L});
      f0.line(U, U.map(k0), {color: C.green, label: "κ₀: step (degree 0)"});
      f0.vline(v.u, {color: C.grey, dash: [3, 3]}).marker(v.u, k1(v.u), {size: 5, color: C.blue});
      f0.finish({legend: "upper left"});

      const ells = [], nz = [], zero = [];
      for (let l = 0; l <= 40; l++) {
        ells.push(l);
        (coef[l] > 0 ? nz : zero).push(l);
      }
      const pos = nz.map(l => coef[l]);
      const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...pos))) - 1), hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...pos))));
      const bottom = Math.pow(10, Math.log10(lo) + 0.03 * (Math.log10(hi) - Math.log10(lo)));
      const f1 = this.figs[1].set({xlim: [-1, 41], ylim: [lo, hi], ylog: true, xlabel: "degree ℓ",
                                  ylabel: "ξ_ℓ²  (Taylor coefficient of κ₁/(|w||v|))", title: "Hermite coefficients of relu"});
      f1.begin();
      f1.errorbars(nz, pos, null, {color: C.blue, radius: 3, label: "ξ_ℓ² > 0 (ℓ ≤ 1 and even ℓ)"});
      f1.errorbars(zero, zero.map(() => bottom), null, {color: C.grey, radius: 2.5, hollow: zero.map(() => true),
                                                     label: "ξ_ℓ² = 0 (odd ℓ ≥ 3)"});
      f1.vline(v.L, {color: C.orange, dash: [6, 4], label: "L"}).finish({legend: "upper right"});

      const a = k1(v.u), m = mehler(v.u);
      this.readout.textContent = "u = " + fmt(v.u) + " (angle " + fmt(Math.acos(v.u), 5) + "):  κ₁ = " + fmt(a, 8) +
        ",  κ₀ = " + fmt(k0(v.u), 8) + ";  Mehler sum to degree " + v.L + " = " + fmt(m, 8) + " (error " + fmt(m - a, 3) +
        ").\nChecks: κ₁(1) = |w||v|/2 = " + fmt(k1(1), 6) + ",  κ₁(0) = |w||v|/(2π) = " + fmt(k1(0), 6) + ",  κ₁(−1) = " +
        fmt(k1(-1), 3) + ";  κ₀(0) = 1/4: " + fmt(k0(0), 6) + ".  ξ_" + v.L + "² = " + fmt(coef[v.L], 6) + ".";
    };
    return w;
  }

  // positive values -> [lo, hi] in whole decades (at least one decade), for a log axis
  function decades(values, minLo) {
    const pos = values.filter(x => x > 0 && Number.isFinite(x));
    if (!pos.length) return [0.1, 10];
    let lo = Math.floor(Math.log10(Math.min(...pos))), hi = Math.ceil(Math.log10(Math.max(...pos)));
    if (minLo !== undefined) lo = Math.max(lo, minLo);
    if (hi <= lo) hi = lo + 1;
    return [Math.pow(10, lo), Math.pow(10, hi)];
  }

  function reluMercer() {
    const w = new Widget("relu-mercer", "ReLU: Mercer eigenvalues on the sphere and for Gaussian inputs",
      "Funk–Hecke (§10.2 route 3): on the sphere S<sup>d−1</sup> the spherical harmonics of degree ℓ (N(d, ℓ) of them, " +
      "right) are eigenfunctions of every zonal kernel. For relu the Funk–Hecke coefficient λ<sub>ℓ</sub> is 1/(2d) at " +
      "ℓ = 1, a Beta-function closed form at even ℓ and <b>exactly 0 at odd ℓ ≥ 3</b> (hollow markers at the bottom): " +
      "no combination of ReLU neurons reaches those harmonics (§10.3). Left, on a log scale against ℓ: the arc-cosine " +
      "kernel's eigenvalue μ<sub>ℓ</sub> = d λ<sub>ℓ</sub>² on the sphere, the eigenvalue d μ<sub>ℓ</sub> of " +
      "|x||x'| κ(x̂·x̂') on L²(N(0, I<sub>d</sub>)) (eigenfunctions |x| Y<sub>ℓj</sub>(x̂)/√d), the degree-0 (step) kernel's " +
      "eigenvalue (its zeros are the even ℓ ≥ 2), and dashed the share μ<sub>ℓ</sub> N(d, ℓ) of the trace κ(1) = 1/2 that " +
      "degree ℓ carries. The readout checks the sum rules Σ μ<sub>ℓ</sub> N(d, ℓ) = κ(1) = 1/2 and the same for κ<sub>0</sub>. " +
      "The Beta functions are evaluated as exact ratio products (accurate to ~1e-15 at any d).",
      [{key: "d", label: "d  input dimension", min: 2, max: 10000, step: 0.005, value: 100, integer: true, log: true},
       {key: "lmax", label: "ℓ_max  shown", min: 4, max: 60, step: 1, value: 30, integer: true},
       {key: "ell", label: "ℓ  picked degree", min: 0, max: 60, step: 1, value: 2, integer: true}],
      2, ["relu_sphere_eigenvalue", "relu_gaussian_eigenvalue", "relu_uniform_kernel_eigenvalue", "relu_funk_hecke",
          "step_sphere_eigenvalue", "step_funk_hecke", "sphere_harmonic_multiplicity"]);
    w.pick(0, "ell", null);
    w.pick(1, "ell", null);
    w.draw = function (v) {
      const d = v.d, lmax = v.lmax, ell = Math.min(v.ell, lmax);
      const get = name => F.partial(name, {d: d}, ["ell"]);
      const mu = get("relu_sphere_eigenvalue"), gauss = get("relu_gaussian_eigenvalue"), step = get("step_sphere_eigenvalue");
      const N = get("sphere_harmonic_multiplicity");
      const L = [];
      for (let l = 0; l <= lmax; l++) L.push(l);
      const M = L.map(mu), G = L.map(gauss), S = L.map(step), NN = L.map(N);
      const share = L.map((l, i) => M[i] * NN[i]);
      const [lo, hi0] = decades(M.concat(G, S, share));
      // room above the data for the legend: 40% more decades on top
      const hi = Math.pow(10, Math.log10(hi0) + Math.ceil(0.4 * (Math.log10(hi0) - Math.log10(lo))));
      const bottom = Math.pow(10, Math.log10(lo) + 0.025 * (Math.log10(hi) - Math.log10(lo)));
      const xlim = [-0.8, lmax + 0.8];
      const f0 = this.figs[0].set({xlim: xlim, ylim: [lo, hi], ylog: true, xlabel: "degree ℓ", ylabel: "eigenvalue",
                                  title: "d = " + d + "  (log scale; hollow: exactly 0)"});
      f0.begin();
      const pts = (ys, color, label, marker, size) => {
        const on = L.filter((l, i) => ys[i] > 0), off = L.filter((l, i) => ys[i] === 0);
        f0.errorbars(on, on.map(l => ys[l]), null, {color: color, label: label, marker: marker, radius: size || 3.2});
        f0.errorbars(off, off.map(() => bottom), null, {color: color, hollow: off.map(() => true), marker: marker, radius: 2.6});
      };
      const evenLine = (ys, color, dash) => {  // join the nonzero values
        const on = L.filter((l, i) => ys[i] > 0);
        f0.line(on, on.map(l => ys[l]), {color: color, width: 1, dash: dash});
      };
      evenLine(G, C.purple);
      evenLine(M, C.blue);
      evenLine(S, C.green);
      evenLine(share, C.orange, [6, 4]);
      pts(G, C.purple, "Gaussian inputs: d μ_ℓ", "square");
      pts(M, C.blue, "sphere: μ_ℓ = d λ_ℓ²");
      pts(S, C.green, "step kernel κ₀ (sphere)", undefined, 2.6);
      f0.line([], [], {color: C.orange, dash: [6, 4], width: 1, label: "trace share μ_ℓ N(d, ℓ)"});
      f0.vline(ell, {color: C.grey, dash: [3, 3]}).finish({legend: "upper right"});

      const [nlo, nhi] = decades(NN, 0);
      const f1 = this.figs[1].set({xlim: xlim, ylim: [nlo, nhi], ylog: true, xlabel: "degree ℓ", ylabel: "N(d, ℓ)",
                                  title: "multiplicity: spherical harmonics of degree ℓ on S^(d−1)"});
      f1.begin();
      f1.line(L, NN, {color: C.grey, width: 1});
      f1.errorbars(L, NN, null, {color: C.black, radius: 2.8, label: "N(d, ℓ)"});
      f1.vline(ell, {color: C.grey, dash: [3, 3]}).finish({legend: "upper left"});

      let sum = 0.0, sum0 = 0.0;
      for (let i = 0; i <= lmax; i++) {
        sum += share[i];
        sum0 += S[i] * NN[i];
      }
      const lam = F.eval("relu_funk_hecke", {d: d, ell: ell}), lam0 = F.eval("step_funk_hecke", {d: d, ell: ell});
      this.readout.textContent = "d = " + d + ", ℓ = " + ell + ":  Funk–Hecke λ_ℓ = " + fmt(lam, 6) + ",  uniform-neuron kernel λ_ℓ² = " +
        fmt(F.eval("relu_uniform_kernel_eigenvalue", {d: d, ell: ell}), 6) + ",  sphere μ_ℓ = " + fmt(M[ell], 6) +
        ",  Gaussian d μ_ℓ = " + fmt(G[ell], 6) + ",  N(d, ℓ) = " + fmt(NN[ell], 6) + ";  step: λ_ℓ = " + fmt(lam0, 6) +
        ", eigenvalue " + fmt(S[ell], 6) + ".\nSum rules up to ℓ = " + lmax + ":  Σ μ_ℓ N(d, ℓ) = " + fmt(sum, 8) +
        " (κ(1) = 1/2: " + fmt(200 * sum, 6) + "%),  Σ (step) N(d, ℓ) = " + fmt(sum0, 8) + " (κ₀(1) = 1/2: " +
        fmt(200 * sum0, 6) + "%).";
    };
    return w;
  }

  function reluBoundary() {
    const R = F.relu;
    const run = R && R.reproduce;
    const fit = run && run.fit;
    // residual curves: the default teacher (always), the reproduce run's projection teachers and its
    // experiment instances (the residuals behind its stored n*), when --data supplied them
    const curves = [];
    if (R) curves.push(Object.assign({key: "default"}, R.default));
    if (run && run.residual) curves.push(Object.assign({key: "reproduce"}, run.residual));
    if (run && run.n_star) {
      curves.push({key: "experiment", mus: run.n_star.mus, relative: run.n_star.relative, absolute: null,
                   nStar: run.n_star.n_star, d: run.d, m_star: run.m_star,
                   label: "ftheory reproduce (" + run.scale + "): mean over the experiment's instances, with its n*"});
    }
    const defaults = R ? R.defaults : {A: 229, nu: 1.18, A_source: "", nu_source: ""};
    const A0 = fit ? fit.A : defaults.A, nu0 = fit ? fit.nu : defaults.nu;
    const w = new Widget("relu-boundary", "ReLU: target outside the source span and the predicted boundary",
      "The source teacher is the target teacher with a fraction μ of its neurons removed (§10.1); linear transfer can " +
      "only reach the span of the source's features, so its risk levels off at the part of the target outside that " +
      "span, ‖P<sup>⊥</sup>f<sub>t</sub>‖²(μ) (§10.3, left: absolute and relative to ‖f<sub>t</sub>‖²; the analogue of " +
      "sin²θ). Training from scratch follows an empirical power law R<sub>sc</sub> ≈ A n<sup>−ν</sup> (§10.4; the paper " +
      "reports ν ≈ 1.18 but not A), so transfer hurts once n exceeds the predicted boundary " +
      "n*(μ) = (A / ‖P<sup>⊥</sup>f<sub>t</sub>‖²(μ))<sup>1/ν</sup> (§10.5, right: blue below, red above). " +
      "<b>The residual curve is not a closed form</b>: it depends on a random teacher draw. It was computed when this " +
      "page was built, in Python with <code>ftheory.relu.projection.teacher_projection</code> (exact, from the kernel " +
      "Gram matrix) for one seeded default teacher (d = 100, m* = 100, seed 0, unit neurons uniform on the sphere, " +
      "c<sub>j</sub> ~ N(0, 1), docs/background.md §10.6) at every μ = k/m*, and is embedded here as numbers; the sliders only " +
      "change A and ν. A multiplies the risk in units of ‖f<sub>t</sub>‖² (as <code>ftheory reproduce</code> fits it), so " +
      "n* uses the relative residual unless “absolute” is chosen. With <code>ftheory explore --data FIGURES_DIR</code> " +
      "the fitted A, ν and the residuals of a <code>ftheory reproduce</code> run are loaded. This is the paper's " +
      "prediction: the simulations (<code>relu-phase</code> in docs/figures.md) find the boundary set by the part of " +
      "f<sub>t</sub> outside the <i>pretrained student's</i> span, with all m read-out weights refitted, 2-2.5x later in n.",
      [{key: "A", label: "A  power-law prefactor", min: 0.01, max: 1e5, step: 0.005, value: A0, log: true},
       {key: "nu", label: "ν  power-law exponent", min: 0.3, max: 3, step: 0.01, value: nu0},
       {key: "mu", label: "μ  removed fraction", min: 0, max: 0.99, step: 0.01, value: 0.3}],
      2, []);
    const curveSel = h("select", {id: "relu-boundary-curve"});
    curves.forEach((c, i) => curveSel.appendChild(h("option", {value: String(i), text: c.label})));
    const unitSel = h("select", {id: "relu-boundary-units"},
                      h("option", {value: "relative", text: "A in units of ‖f_t‖² (relative residual)"}),
                      h("option", {value: "absolute", text: "A in absolute units (absolute residual)"}));
    const bar = h("div", {class: "controls"}, h("label", {text: "residual curve "}), curveSel, h("label", {text: "  units "}), unitSel);
    w.section.insertBefore(bar, w.controls);
    curveSel.addEventListener("change", () => w.schedule());
    unitSel.addEventListener("change", () => w.schedule());
    if (fit && run.residual) curveSel.value = String(curves.findIndex(c => c.key === "reproduce"));
    else if (fit && run.n_star) curveSel.value = String(curves.findIndex(c => c.key === "experiment"));
    w.curves = curves;
    w.curveSelect = curveSel;
    w.unitSelect = unitSel;
    // buttons: the loaded fit, the paper's exponent with the placeholder A
    const presets = [];
    if (fit) presets.push(["fit of ftheory reproduce (" + run.scale + ", seed " + run.seed + "): A = " + fmt(fit.A, 4) +
                           ", ν = " + fmt(fit.nu, 4), fit.A, fit.nu]);
    presets.push(["paper ν = 1.18, placeholder A = " + fmt(defaults.A, 4), defaults.A, defaults.nu]);
    w.databar.appendChild(document.createTextNode("Set A, ν: "));
    for (const [label, A, nu] of presets) {
      w.databar.appendChild(h("button", {type: "button", onclick: () => {
        w.sliders.A.set(A);
        w.sliders.nu.set(nu);
        w.schedule();
      }}, label));
    }
    w.pick(0, "mu", null);
    w.pick(1, "mu", null);
    w.missing = R ? [] : ["the page's ReLU data block"];
    w.boundary = function (A, nu, rho) {  // n*(mu) = (A / rho)^(1/nu), +Infinity where nothing is outside
      return rho > 0 ? Math.pow(A / rho, 1 / nu) : Infinity;
    };
    w.draw = function (v) {
      const c = curves[Number(curveSel.value) || 0];
      const absolute = unitSel.value === "absolute" && !!c.absolute;
      const rho = absolute ? c.absolute : c.relative;
      const nstar = c.mus.map((m, i) => this.boundary(v.A, v.nu, rho[i]));
      // the curve's value at the picked mu: the last grid point <= mu (the residual is a step function of
      // mu: kept = m* - floor(mu m*))
      let j = 0;
      for (let i = 0; i < c.mus.length; i++) if (c.mus[i] <= v.mu + 1e-12) j = i;
      this.state = {curve: c.key, mus: c.mus, residual: rho, nStar: nstar, index: j, absolute: absolute};
      const xlim = [0, 1];
      const [lo, hi] = decades(c.relative.concat(c.absolute || []), -8);
      const f0 = this.figs[0].set({xlim: xlim, ylim: [lo, Math.max(hi, 1)], ylog: true, xlabel: "μ  (fraction of teacher neurons removed)",
                                  ylabel: "‖P⊥ f_t‖²", title: c.label.length > 70 ? c.label.slice(0, 68) + "…" : c.label});
      f0.begin();
      f0.line(c.mus, c.relative, {color: C.blue, label: "relative: ‖P⊥ f_t‖² / ‖f_t‖²"});
      f0.errorbars(c.mus, c.relative, c.relative_sem || null, {color: C.blue, radius: 2});
      if (c.absolute) {
        f0.line(c.mus, c.absolute, {color: C.purple, dash: [6, 4], label: "absolute: ‖P⊥ f_t‖²"});
        f0.errorbars(c.mus, c.absolute, c.absolute_sem || null, {color: C.purple, radius: 2});
      }
      f0.vline(c.mus[j], {color: C.grey, dash: [3, 3]}).finish({legend: "lower right"});

      const fin = nstar.filter(Number.isFinite);
      const nlo = 1, nhi = Math.min(1e12, Math.max(10, decades(fin)[1]));
      const f1 = this.figs[1].set({xlim: xlim, ylim: [nlo, nhi], ylog: true, xlabel: "μ", ylabel: "target samples n",
                                  title: "n*(μ) = (A / ‖P⊥ f_t‖²)^(1/ν),  A = " + fmt(v.A, 4) + ",  ν = " + fmt(v.nu, 3)});
      f1.begin();
      f1.band(c.mus, nstar, Infinity, {color: C.red, alpha: 0.13, label: "n > n*: scratch wins (transfer hurts)"});
      f1.band(c.mus, 0, nstar, {color: C.blue, alpha: 0.13, label: "n < n*: linear transfer wins"});
      f1.line(c.mus, nstar, {color: C.black, label: "predicted boundary n*(μ)"});
      if (c.nStar && !absolute) {
        f1.errorbars(c.mus, c.nStar.map(x => x === null ? Infinity : x), null,
                     {color: C.grey, radius: 4.5, hollow: c.mus.map(() => true), label: "n* stored by ftheory reproduce (its fit)"});
      }
      if (Number.isFinite(nstar[j])) f1.marker(c.mus[j], nstar[j], {size: 5, color: C.black});
      f1.vline(c.mus[j], {color: C.grey, dash: [3, 3]}).finish({legend: "upper right"});

      const kept = c.kept ? c.kept[j] : (c.m_star ? c.m_star - Math.floor(c.mus[j] * c.m_star + 1e-9) : null);
      const aSource = (fit && Math.abs(v.A - fit.A) <= 1e-12 * fit.A) ? "fitted by ftheory reproduce" +
        (fit.A_ci ? ", " + Math.round(100 * (fit.level || 0.95)) + "% interval [" + fmt(fit.A_ci[0], 4) + ", " + fmt(fit.A_ci[1], 4) + "]" : "")
        : (Math.abs(v.A - defaults.A) <= 1e-12 * defaults.A ? defaults.A_source : "slider");
      const nuSource = (fit && Math.abs(v.nu - fit.nu) <= 1e-12 * fit.nu) ? "fitted" +
        (fit.nu_ci ? ", interval [" + fmt(fit.nu_ci[0], 4) + ", " + fmt(fit.nu_ci[1], 4) + "]" : "")
        : (v.nu === 1.18 ? "the paper's value" : "slider");
      let text = "μ = " + fmt(c.mus[j], 4) + (kept !== null && kept !== undefined ? " (kept " + kept + " of m* = " + c.m_star + ")" : "") +
        ":  ‖P⊥ f_t‖² / ‖f_t‖² = " + fmt(c.relative[j], 6) +
        (c.absolute ? ",  ‖P⊥ f_t‖² = " + fmt(c.absolute[j], 6) + (c.norm_sq ? " (‖f_t‖² = " + fmt(c.norm_sq, 6) + ")" : "") : "") +
        ".\nPredicted boundary n*(μ) = " + fmt(nstar[j], 6) + (Number.isFinite(nstar[j]) ? ": linear transfer beats scratch for n < n*, scratch wins beyond."
          : ": nothing of f_t is outside the source span, transfer never hurts.") +
        "  A = " + fmt(v.A, 6) + " (" + aSource + "),  ν = " + fmt(v.nu, 4) + " (" + nuSource + ")" +
        (absolute ? ", absolute units." : ", units of ‖f_t‖².");
      if (c.nStar && !absolute && c.nStar[j] !== undefined) {
        text += "  Stored by ftheory reproduce at this μ: n* = " + fmt(c.nStar[j] === null ? Infinity : c.nStar[j], 6) + ".";
      }
      this.readout.textContent = text;
    };
    return w;
  }

  // ---------------------------------------------------------------------------------------------
  // tables: data summary, results
  // ---------------------------------------------------------------------------------------------
  function dataSummary() {
    const el = document.getElementById("ft-data-summary");
    const s = F.dataSummary;
    if (!s) return;
    const kinds = Object.entries(s.by_kind).map(([k, n]) => k + ": " + n).join(", ");
    const skipped = Object.entries(s.skipped_quantities).map(([k, n]) => k + " (" + n + ")").join(", ");
    el.appendChild(h("p", {class: "meta", id: "ft-data-line",
      text: "Simulation data: " + s.records + " points from " + s.files + " stored sweep files (" + (kinds || "none usable") +
        ")" + (skipped ? "; not shown: " + skipped : "") +
        (s.incomplete ? "; " + s.incomplete + " points from an older store do not record every parameter of " +
         "their run and are plotted only where that does not matter (rerun with a fresh store to place them)" : "") +
        ". Error bars: ±1 standard error over instances; hollow markers: " +
        "not every instance converged."}));
  }

  function resultsTable() {
    const sec = document.getElementById("ft-results");
    const used = {};
    for (const w of Object.values(widgets)) for (const n of w.needs) (used[n] = used[n] || []).push(w.id);
    sec.appendChild(h("h2", {text: "Results on this page"}));
    const nun = Object.keys(F.unsupported).length;
    sec.appendChild(h("p", {class: "explain", text: F.supported.length + " of " + Object.keys(F.specs).length +
      " registered results are evaluated by generated JavaScript" + (nun ? "; the others are listed with the reason." : ".")}));
    const table = h("table", {class: "results", id: "ft-results-table"});
    table.appendChild(h("tr", {}, h("th", {text: "result"}), h("th", {text: "parameters"}), h("th", {text: "status"}),
                        h("th", {text: "reference"}), h("th", {text: "in this page"})));
    for (const name of Object.keys(F.specs).sort()) {
      const spec = F.specs[name];
      const ok = F.has(name);
      table.appendChild(h("tr", {title: spec.summary}, h("td", {}, h("code", {text: name})), h("td", {text: spec.params.join(", ")}),
        h("td", {text: spec.status}), h("td", {text: spec.reference}),
        h("td", {class: ok ? "" : "no", text: ok ? (used[name] ? used[name].join(", ") : "every-result widget")
                                                 : "not supported: " + F.unsupported[name]})));
    }
    sec.appendChild(table);
  }

  // ---------------------------------------------------------------------------------------------
  function start() {
    dataSummary();
    const made = [ltPhase(), risks(), finetune(), finiteSource(), tuned(), similarity(), aniso(), reluKernel(),
                  reluMercer(), reluBoundary(), allResults()];
    resultsTable();
    for (const w of made) w.render();
    F.ready = true;
  }
  start();
})();
