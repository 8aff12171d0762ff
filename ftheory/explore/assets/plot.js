// FTPlot: a small canvas plotting layer (no dependencies).
//   const fig = new FTPlot.Figure(canvas, {xlim, ylim, xlabel, ylabel, xticks: "pi", title});
//   fig.begin(); fig.heatmap(values, nx, ny); fig.line(xs, ys, {color, dash, width});
//   fig.errorbars(xs, ys, errs, {color}); fig.band(xs, lo, hi, {color}); fig.finish({legend: [...]});
//   {ylog: true}: logarithmic y-axis (decade ticks; values <= 0 are off the axis, drawn at its bottom).
// Colours follow docs/background.md §11.2: red (#c6423c, transfer hurts) -> white -> blue (#4454c2, helps).
(function (root) {
  "use strict";

  const RED = [0xc6, 0x42, 0x3c], WHITE = [0xfa, 0xfa, 0xfa], BLUE = [0x44, 0x54, 0xc2];
  const COLORS = {red: "#c6423c", blue: "#4454c2", green: "#2a9d5c", purple: "#8a4fbf", orange: "#e08a1e",
                  grey: "#777777", black: "#222222", teal: "#1f8a8a"};
  const FONT = "12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
  const SMALL = "11px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

  // Diverging map centred at 0: v in [vmin, vmax] -> [r, g, b]; +-Infinity saturate, NaN is grey.
  function diverging(v, vmin, vmax) {
    if (Number.isNaN(v)) return [160, 160, 160];
    let t = v >= 0 ? Math.min(v / vmax, 1) : -Math.min(v / vmin, 1);
    const end = t >= 0 ? BLUE : RED;
    t = Math.abs(t);
    return [WHITE[0] + (end[0] - WHITE[0]) * t, WHITE[1] + (end[1] - WHITE[1]) * t,
            WHITE[2] + (end[2] - WHITE[2]) * t];
  }

  function rgb(c) {
    return "rgb(" + Math.round(c[0]) + "," + Math.round(c[1]) + "," + Math.round(c[2]) + ")";
  }

  // "3π/8"-style label of x when x is a multiple of π/den (den <= 48), else null.
  function piLabel(x) {
    const r = x / Math.PI;
    for (let den = 1; den <= 48; den++) {
      const num = Math.round(r * den);
      if (Math.abs(num / den - r) < 1e-9) {
        if (num === 0) return "0";
        let g = gcd(Math.abs(num), den);
        const p = num / g, q = den / g;
        const head = p === 1 ? "π" : p === -1 ? "−π" : String(p).replace("-", "−") + "π";
        return q === 1 ? head : head + "/" + q;
      }
    }
    return null;
  }

  function gcd(a, b) {
    while (b) [a, b] = [b, a % b];
    return a;
  }

  function fmt(v, digits) {
    if (v === Infinity) return "+∞";
    if (v === -Infinity) return "−∞";
    if (Number.isNaN(v)) return "NaN";
    const d = digits === undefined ? 4 : digits;
    if (v !== 0 && (Math.abs(v) >= 1e5 || Math.abs(v) < 1e-3)) return v.toExponential(d - 1).replace(/-/g, "−");
    return String(Number(v.toPrecision(d))).replace(/-/g, "−");
  }

  function niceTicks(lo, hi, count) {
    const span = hi - lo;
    if (!(span > 0)) return [lo];
    const raw = span / Math.max(count, 1);
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 2.5, 5, 10].map(m => m * mag).find(s => s >= raw) || 10 * mag;
    const ticks = [];
    for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + 1e-9 * span; t += step) {
      ticks.push(Math.abs(t) < 1e-12 * span ? 0 : t);
    }
    return ticks;
  }

  const SUPERSCRIPT = {"0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸",
                       "9": "⁹", "-": "⁻"};
  function powerLabel(k) {  // 10^k as text: 1, 10, 10², 10⁻⁵
    if (k === 0) return "1";
    if (k === 1) return "10";
    return "10" + String(k).split("").map(ch => SUPERSCRIPT[ch]).join("");
  }

  // decade ticks 10^k inside [lo, hi] (every step-th decade so that there are at most ~count)
  function logTicks(lo, hi, count) {
    const a = Math.ceil(Math.log10(lo) - 1e-9), b = Math.floor(Math.log10(hi) + 1e-9);
    if (!(b >= a)) return niceTicks(lo, hi, count).map(t => ({value: t, label: fmt(t, 3)}));
    const step = Math.max(1, Math.ceil((b - a + 1) / Math.max(count, 1)));
    const ticks = [];
    for (let k = Math.ceil(a / step) * step; k <= b; k += step) ticks.push({value: Math.pow(10, k), label: powerLabel(k)});
    return ticks;
  }

  function piTicks(lo, hi) {
    const span = hi - lo;
    const step = span <= Math.PI / 2 + 1e-12 ? Math.PI / 8 : span <= Math.PI + 1e-12 ? Math.PI / 4 : Math.PI / 2;
    const ticks = [];
    for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + 1e-9; k++) ticks.push(k * step);
    return ticks;
  }

  class Figure {
    constructor(canvas, opts) {
      this.canvas = canvas;
      this.opts = Object.assign({margin: {left: 52, right: 14, top: 26, bottom: 42}}, opts);
      this.resize();
    }

    resize() {
      const dpr = root.devicePixelRatio || 1;
      const w = this.canvas.clientWidth || Number(this.canvas.getAttribute("width")) || 420;
      const h = this.canvas.clientHeight || Number(this.canvas.getAttribute("height")) || 320;
      if (this.canvas.width !== Math.round(w * dpr) || this.canvas.height !== Math.round(h * dpr)) {
        this.canvas.width = Math.round(w * dpr);
        this.canvas.height = Math.round(h * dpr);
      }
      this.width = w;
      this.height = h;
      this.ctx = this.canvas.getContext("2d");
      this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      const m = this.opts.margin;
      this.box = {x: m.left, y: m.top, w: w - m.left - m.right, h: h - m.top - m.bottom};
    }

    set(opts) {
      Object.assign(this.opts, opts);
      return this;
    }

    px(x) {
      const [a, b] = this.opts.xlim;
      return this.box.x + (x - a) / (b - a) * this.box.w;
    }

    // y on the axis scale (log10 y for a log axis: -Infinity at 0, NaN below)
    ty(y) {
      return this.opts.ylog ? Math.log10(y) : y;
    }

    py(y) {
      const [a, b] = this.opts.ylim;
      const ta = this.ty(a), tb = this.ty(b);
      return this.box.y + this.box.h - (this.ty(y) - ta) / (tb - ta) * this.box.h;
    }

    // pixel row of y, kept within ten plot heights of the box (+-Infinity and, on a log axis, y <= 0
    // go just beyond the top / bottom edge)
    pyClamped(y) {
      const top = this.box.y, bottom = this.box.y + this.box.h;
      if (y === Infinity) return top - this.box.h;
      if (y === -Infinity || (this.opts.ylog && y <= 0)) return bottom + this.box.h;
      return Math.max(top - 10 * this.box.h, Math.min(bottom + 10 * this.box.h, this.py(y)));
    }

    toData(clientX, clientY) {
      const r = this.canvas.getBoundingClientRect();
      const sx = (clientX - r.left) * this.width / r.width, sy = (clientY - r.top) * this.height / r.height;
      const [xa, xb] = this.opts.xlim, [ya, yb] = this.opts.ylim.map(v => this.ty(v));
      const ty = ya + (this.box.y + this.box.h - sy) / this.box.h * (yb - ya);
      return {x: xa + (sx - this.box.x) / this.box.w * (xb - xa),
              y: this.opts.ylog ? Math.pow(10, ty) : ty,
              inside: sx >= this.box.x && sx <= this.box.x + this.box.w && sy >= this.box.y && sy <= this.box.y + this.box.h};
    }

    begin() {
      this.resize();
      const c = this.ctx;
      c.save();
      c.fillStyle = "#ffffff";
      c.fillRect(0, 0, this.width, this.height);
      c.restore();
      this.legendItems = [];
      return this;
    }

    clip(fn) {
      const c = this.ctx;
      c.save();
      c.beginPath();
      c.rect(this.box.x, this.box.y, this.box.w, this.box.h);
      c.clip();
      fn(c);
      c.restore();
    }

    // values[j * nx + i] at x_i = xlim[0] + (i + 1/2) dx, y_j = ylim[0] + (j + 1/2) dy (cell centres).
    heatmap(values, nx, ny, opts) {
      const o = Object.assign({vmin: -1, vmax: 1, map: diverging}, opts);
      const img = document.createElement("canvas");
      img.width = nx;
      img.height = ny;
      const ictx = img.getContext("2d");
      const data = ictx.createImageData(nx, ny);
      for (let j = 0; j < ny; j++) {
        for (let i = 0; i < nx; i++) {
          const c = o.map(values[j * nx + i], o.vmin, o.vmax);
          const k = ((ny - 1 - j) * nx + i) * 4;
          data.data[k] = c[0];
          data.data[k + 1] = c[1];
          data.data[k + 2] = c[2];
          data.data[k + 3] = 255;
        }
      }
      ictx.putImageData(data, 0, 0);
      const c = this.ctx;
      c.save();
      c.imageSmoothingEnabled = false;
      c.drawImage(img, this.box.x, this.box.y, this.box.w, this.box.h);
      c.restore();
      return this;
    }

    // Zero level set of a heat-map grid (marching squares on the cell centres).
    contour(values, nx, ny, opts) {
      const o = Object.assign({level: 0, color: COLORS.black, width: 1.2}, opts);
      const [xa, xb] = this.opts.xlim, [ya, yb] = this.opts.ylim;
      const dx = (xb - xa) / nx, dy = (yb - ya) / ny;
      const X = i => xa + (i + 0.5) * dx, Y = j => ya + (j + 0.5) * dy;
      const val = (i, j) => {
        const v = values[j * nx + i] - o.level;
        return v === Infinity ? 1e300 : v === -Infinity ? -1e300 : v;
      };
      const lerp = (a, b, va, vb) => a + (b - a) * (va / (va - vb));
      this.clip(c => {
        c.strokeStyle = o.color;
        c.lineWidth = o.width;
        if (o.dash) c.setLineDash(o.dash);
        c.beginPath();
        for (let j = 0; j < ny - 1; j++) {
          for (let i = 0; i < nx - 1; i++) {
            const v = [val(i, j), val(i + 1, j), val(i + 1, j + 1), val(i, j + 1)];
            if (v.some(Number.isNaN)) continue;
            const pts = [];
            const corners = [[X(i), Y(j)], [X(i + 1), Y(j)], [X(i + 1), Y(j + 1)], [X(i), Y(j + 1)]];
            for (let e = 0; e < 4; e++) {
              const a = v[e], b = v[(e + 1) % 4];
              if ((a < 0) !== (b < 0)) {
                const p = corners[e], q = corners[(e + 1) % 4];
                // a jump through +-Infinity (the interpolation peak) is not a zero crossing
                if (Math.abs(a) >= 1e300 || Math.abs(b) >= 1e300) continue;
                pts.push([lerp(p[0], q[0], a, b), lerp(p[1], q[1], a, b)]);
              }
            }
            for (let k = 0; k + 1 < pts.length; k += 2) {
              c.moveTo(this.px(pts[k][0]), this.py(pts[k][1]));
              c.lineTo(this.px(pts[k + 1][0]), this.py(pts[k + 1][1]));
            }
          }
        }
        c.stroke();
      });
      return this;
    }

    // A polyline; breaks at non-finite values (e.g. +Infinity at gamma = 1) and at jumps > jump;
    // on a log axis a 0 is drawn to the bottom edge like -Infinity, a negative value is a break.
    line(xs, ys, opts) {
      const o = Object.assign({color: COLORS.black, width: 1.8, dash: null, jump: Infinity}, opts);
      const log = !!this.opts.ylog;
      this.clip(c => {
        c.strokeStyle = o.color;
        c.lineWidth = o.width;
        c.lineJoin = "round";
        if (o.dash) c.setLineDash(o.dash);
        c.beginPath();
        let pen = false, prev = null;
        for (let i = 0; i < xs.length; i++) {
          const x = xs[i], y = ys[i];
          if (!Number.isFinite(x) || !Number.isFinite(y) || (log && !(y > 0))) {
            // draw to the edge towards an infinite value (or a 0 on a log axis), then lift the pen
            if (pen && Number.isFinite(x) && (y === Infinity || y === -Infinity || (log && y === 0))) {
              c.lineTo(this.px(x), this.pyClamped(y));
            }
            pen = false;
            continue;
          }
          if (pen && prev !== null && Math.abs(y - prev) > o.jump) pen = false;
          const X = this.px(x), Y = this.pyClamped(y);
          if (pen) c.lineTo(X, Y);
          else c.moveTo(X, Y);
          pen = true;
          prev = y;
        }
        c.stroke();
      });
      if (o.label) this.legendItems.push({label: o.label, color: o.color, dash: o.dash, kind: "line", width: o.width});
      return this;
    }

    // Points with symmetric error bars (errs may be null); hollow markers where hollow[i].
    errorbars(xs, ys, errs, opts) {
      const o = Object.assign({color: COLORS.black, radius: 3.2, hollow: null, marker: "circle"}, opts);
      this.clip(c => {
        c.strokeStyle = o.color;
        c.fillStyle = o.color;
        c.lineWidth = 1.2;
        for (let i = 0; i < xs.length; i++) {
          if (!Number.isFinite(xs[i]) || !Number.isFinite(ys[i]) || (this.opts.ylog && !(ys[i] > 0))) continue;
          const X = this.px(xs[i]), Y = this.py(ys[i]);
          if (errs && Number.isFinite(errs[i]) && errs[i] > 0) {
            const lo = this.pyClamped(ys[i] - errs[i]), hi = this.pyClamped(ys[i] + errs[i]);
            c.beginPath();
            c.moveTo(X, lo);
            c.lineTo(X, hi);
            c.moveTo(X - 3, lo);
            c.lineTo(X + 3, lo);
            c.moveTo(X - 3, hi);
            c.lineTo(X + 3, hi);
            c.stroke();
          }
          c.beginPath();
          if (o.marker === "square") c.rect(X - o.radius, Y - o.radius, 2 * o.radius, 2 * o.radius);
          else c.arc(X, Y, o.radius, 0, 2 * Math.PI);
          if (o.hollow && o.hollow[i]) {
            c.fillStyle = "#ffffff";
            c.fill();
            c.stroke();
            c.fillStyle = o.color;
          } else {
            c.fill();
          }
        }
      });
      if (o.label) this.legendItems.push({label: o.label, color: o.color, kind: "point", marker: o.marker});
      return this;
    }

    // Filled area between two curves lo(x), hi(x) (arrays or numbers; +-Infinity and log-axis zeros
    // reach beyond the plot edges), e.g. the region above a threshold curve.
    band(xs, lo, hi, opts) {
      const o = Object.assign({color: COLORS.blue, alpha: 0.14}, opts);
      const at = (v, i) => (Array.isArray(v) || ArrayBuffer.isView(v)) ? v[i] : v;
      const pts = [];
      for (let i = 0; i < xs.length; i++) {
        const a = at(lo, i), b = at(hi, i);
        if (!Number.isFinite(xs[i]) || Number.isNaN(a) || Number.isNaN(b)) continue;
        pts.push([this.px(xs[i]), this.pyClamped(a), this.pyClamped(b)]);
      }
      if (pts.length > 1) {
        this.clip(c => {
          c.globalAlpha = o.alpha;
          c.fillStyle = o.color;
          c.beginPath();
          c.moveTo(pts[0][0], pts[0][2]);
          for (const p of pts) c.lineTo(p[0], p[2]);
          for (let i = pts.length - 1; i >= 0; i--) c.lineTo(pts[i][0], pts[i][1]);
          c.closePath();
          c.fill();
        });
      }
      if (o.label) this.legendItems.push({label: o.label, color: o.color, alpha: o.alpha, kind: "patch"});
      return this;
    }

    hline(y, opts) {
      const [xa, xb] = this.opts.xlim;
      return this.line([xa, xb], [y, y], Object.assign({width: 1, color: COLORS.black}, opts));
    }

    vline(x, opts) {
      const o = Object.assign({width: 1, color: COLORS.black}, opts);
      const [ya, yb] = this.opts.ylim;
      this.clip(c => {
        c.strokeStyle = o.color;
        c.lineWidth = o.width;
        if (o.dash) c.setLineDash(o.dash);
        c.beginPath();
        c.moveTo(this.px(x), this.py(ya));
        c.lineTo(this.px(x), this.py(yb));
        c.stroke();
      });
      if (o.label) this.legendItems.push({label: o.label, color: o.color, dash: o.dash, kind: "line", width: o.width});
      return this;
    }

    marker(x, y, opts) {
      const o = Object.assign({color: COLORS.black, size: 7}, opts);
      this.clip(c => {
        const X = this.px(x), Y = this.py(y);
        c.strokeStyle = "#ffffff";
        c.lineWidth = 4;
        c.beginPath();
        c.arc(X, Y, o.size, 0, 2 * Math.PI);
        c.stroke();
        c.strokeStyle = o.color;
        c.lineWidth = 2;
        c.beginPath();
        c.arc(X, Y, o.size, 0, 2 * Math.PI);
        c.moveTo(X - o.size - 4, Y);
        c.lineTo(X + o.size + 4, Y);
        c.moveTo(X, Y - o.size - 4);
        c.lineTo(X, Y + o.size + 4);
        c.stroke();
      });
      return this;
    }

    text(x, y, s, opts) {
      const o = Object.assign({color: COLORS.black, align: "left", baseline: "middle", font: SMALL}, opts);
      const c = this.ctx;
      c.save();
      c.fillStyle = o.color;
      c.font = o.font;
      c.textAlign = o.align;
      c.textBaseline = o.baseline;
      c.fillText(s, this.px(x) + (o.dx || 0), this.py(y) + (o.dy || 0));
      c.restore();
      return this;
    }

    axes() {
      const c = this.ctx, b = this.box, o = this.opts;
      c.save();
      c.strokeStyle = COLORS.black;
      c.fillStyle = COLORS.black;
      c.lineWidth = 1;
      c.strokeRect(b.x + 0.5, b.y + 0.5, b.w, b.h);
      c.font = SMALL;
      const xt = o.xticks === "pi" ? piTicks(o.xlim[0], o.xlim[1]) : niceTicks(o.xlim[0], o.xlim[1], Math.max(2, b.w / 70));
      const yt = o.ylog ? logTicks(o.ylim[0], o.ylim[1], Math.max(2, b.h / 30))
        : (o.yticks === "pi" ? piTicks(o.ylim[0], o.ylim[1]) : niceTicks(o.ylim[0], o.ylim[1], Math.max(2, b.h / 45)))
          .map(t => ({value: t, label: o.yticks === "pi" ? piLabel(t) || fmt(t, 3) : fmt(t, 3)}));
      c.textAlign = "center";
      c.textBaseline = "top";
      for (const t of xt) {
        const X = this.px(t);
        c.beginPath();
        c.moveTo(X, b.y + b.h);
        c.lineTo(X, b.y + b.h + 4);
        c.stroke();
        c.fillText(o.xticks === "pi" ? piLabel(t) || fmt(t, 3) : fmt(t, 3), X, b.y + b.h + 6);
      }
      c.textAlign = "right";
      c.textBaseline = "middle";
      for (const t of yt) {
        const Y = this.py(t.value);
        c.beginPath();
        c.moveTo(b.x - 4, Y);
        c.lineTo(b.x, Y);
        c.stroke();
        c.fillText(t.label, b.x - 6, Y);
      }
      c.font = FONT;
      if (o.xlabel) {
        c.textAlign = "center";
        c.textBaseline = "bottom";
        c.fillText(o.xlabel, b.x + b.w / 2, this.height - 4);
      }
      if (o.ylabel) {
        c.save();
        c.translate(13, b.y + b.h / 2);
        c.rotate(-Math.PI / 2);
        c.textAlign = "center";
        c.textBaseline = "middle";
        c.fillText(o.ylabel, 0, 0);
        c.restore();
      }
      if (o.title) {
        c.textAlign = "center";
        c.textBaseline = "top";
        c.fillText(o.title, b.x + b.w / 2, 6);
      }
      c.restore();
      return this;
    }

    legend(where) {
      const items = this.legendItems;
      if (!items.length) return this;
      const c = this.ctx, b = this.box;
      c.save();
      c.font = SMALL;
      const w = Math.max(...items.map(it => c.measureText(it.label).width)) + 36;
      const h = items.length * 15 + 6;
      const pos = where || "upper right";
      const x0 = pos.indexOf("left") >= 0 ? b.x + 6 : b.x + b.w - w - 6;
      const y0 = pos.indexOf("lower") >= 0 ? b.y + b.h - h - 6 : b.y + 6;
      c.fillStyle = "rgba(255,255,255,0.85)";
      c.strokeStyle = "#bbbbbb";
      c.fillRect(x0, y0, w, h);
      c.strokeRect(x0 + 0.5, y0 + 0.5, w, h);
      items.forEach((it, k) => {
        const y = y0 + 10 + 15 * k;
        c.strokeStyle = it.color;
        c.fillStyle = it.color;
        if (it.kind === "patch") {
          c.globalAlpha = Math.min(1, 2.5 * (it.alpha || 0.2));
          c.fillRect(x0 + 6, y - 5, 22, 10);
          c.globalAlpha = 1;
        } else if (it.kind === "line") {
          c.lineWidth = it.width || 1.8;
          c.setLineDash(it.dash || []);
          c.beginPath();
          c.moveTo(x0 + 6, y);
          c.lineTo(x0 + 28, y);
          c.stroke();
          c.setLineDash([]);
        } else {
          c.beginPath();
          if (it.marker === "square") c.rect(x0 + 14, y - 3, 6, 6);
          else c.arc(x0 + 17, y, 3.2, 0, 2 * Math.PI);
          c.fill();
        }
        c.fillStyle = COLORS.black;
        c.textBaseline = "middle";
        c.fillText(it.label, x0 + 32, y);
      });
      c.restore();
      return this;
    }

    finish(opts) {
      this.axes();
      this.legend(opts && opts.legend);
      return this;
    }
  }

  // A horizontal colour bar for the diverging map, drawn into its own small canvas.
  function colorbar(canvas, opts) {
    const o = Object.assign({vmin: -1, vmax: 1, label: "T (blue: transfer helps, red: it hurts)"}, opts);
    const dpr = root.devicePixelRatio || 1;
    const w = canvas.clientWidth || 300, h = canvas.clientHeight || 34;
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
    const c = canvas.getContext("2d");
    c.setTransform(dpr, 0, 0, dpr, 0, 0);
    c.fillStyle = "#ffffff";
    c.fillRect(0, 0, w, h);
    const x0 = o.left === undefined ? 30 : o.left, x1 = w - (o.right === undefined ? 30 : o.right);
    for (let x = x0; x < x1; x++) {
      const v = o.vmin + (x - x0) / (x1 - x0) * (o.vmax - o.vmin);
      c.fillStyle = rgb(diverging(v, o.vmin, o.vmax));
      c.fillRect(x, 2, 1.5, 10);
    }
    c.strokeStyle = COLORS.black;
    c.strokeRect(x0 + 0.5, 2.5, x1 - x0, 10);
    c.fillStyle = COLORS.black;
    c.font = SMALL;
    c.textBaseline = "top";
    c.textAlign = "center";
    c.fillText(fmt(o.vmin), x0, 15);
    c.fillText("0", (x0 + x1) / 2, 15);
    c.fillText(fmt(o.vmax), x1, 15);
    if (h > 40) c.fillText(o.label, (x0 + x1) / 2, 29);
    else {
      c.textAlign = "left";
      c.fillText(o.label, x1 + 8, 1);
    }
  }

  root.FTPlot = {Figure: Figure, diverging: diverging, colorbar: colorbar, piLabel: piLabel, fmt: fmt,
                 niceTicks: niceTicks, piTicks: piTicks, logTicks: logTicks, COLORS: COLORS};
})(window);
