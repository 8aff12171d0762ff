// window.ftheory: the evaluators with the registry's metadata, parameter validation and defaults.
//   ftheory.eval(name, {gamma: 0.5, sigma: 0.2})   -> number (+-Infinity at singular points, never NaN)
//   ftheory.fn(name)                              -> the raw positional function (params order), no checks
//   ftheory.evalStrings(name, [{...}, ...])       -> String(value) per point (exact round trip; for tests)
//   ftheory.specs, ftheory.params, ftheory.supported, ftheory.unsupported, ftheory.data,
//   ftheory.relu (numbers computed in Python at page build: ReLU residual curves, power-law fit)
(function (root) {
  "use strict";
  const page = JSON.parse(document.getElementById("ft-page-data").textContent);
  const gen = root.FT_GENERATED;
  const specs = {};
  for (const s of page.specs) specs[s.name] = s;
  const params = page.params;
  for (const p of Object.values(params)) {  // JSON has no infinity: unbounded ends arrive as null
    if (p.low === null) p.low = -Infinity;
    if (p.high === null) p.high = Infinity;
  }

  function contains(p, v) {
    if (typeof v !== "number" || !Number.isFinite(v)) return false;
    if (p.low_open ? !(v > p.low) : !(v >= p.low)) return false;
    if (p.high_open ? !(v < p.high) : !(v <= p.high)) return false;
    if (p.integer && Math.floor(v) !== v) return false;
    return true;
  }

  function validate(name, v) {
    const p = params[name];
    if (!p) throw new Error("unknown parameter " + JSON.stringify(name));
    if (!contains(p, v)) {  // the wording of ftheory._checks.outside
      const tail = " (" + p.description + ")";
      if (Number.isNaN(v)) throw new Error(name + "=NaN is not a number (NaN); expected a value in " + p.domain + tail);
      if (v === Infinity || v === -Infinity) {
        throw new Error(name + "=" + String(v) + " is infinite; expected a finite value in " + p.domain + tail);
      }
      throw new Error(name + "=" + String(v) + " is out of its domain " + p.domain + tail);
    }
    return v;
  }

  function fn(name) {
    const f = gen.evaluators[name];
    if (!f) {
      if (name in gen.unsupported) throw new Error(name + " is not available in the explorer: " + gen.unsupported[name]);
      throw new Error("unknown result " + JSON.stringify(name));
    }
    return f;
  }

  function args(name, values) {
    const spec = specs[name];
    if (!spec) throw new Error("unknown result " + JSON.stringify(name));
    for (const k of Object.keys(values)) {
      if (spec.params.indexOf(k) < 0) {
        throw new Error(name + ": unknown parameter " + JSON.stringify(k) + "; parameters are " + spec.params.join(", "));
      }
    }
    return spec.params.map(function (p) {
      let v = values[p];
      if (v === undefined || v === null) {
        v = params[p].default;
        if (v === null || v === undefined) {
          throw new Error(name + ": missing parameter " + JSON.stringify(p) + " (domain " + params[p].domain + ")");
        }
      }
      return validate(p, v);
    });
  }

  function evaluate(name, values) {
    const f = fn(name);
    return f.apply(null, args(name, values || {}));
  }

  // partial(name, fixed, ["gamma", "theta"]) -> g(gamma, theta): the fixed values (and defaults)
  // are validated once; the varying ones are not (callers pass values inside the domain).
  function partial(name, fixed, varying) {
    const spec = specs[name];
    if (!spec) throw new Error("unknown result " + JSON.stringify(name));
    const f = fn(name);
    const given = Object.assign({}, fixed);
    for (const v of varying) {
      if (spec.params.indexOf(v) < 0) throw new Error(name + " has no parameter " + JSON.stringify(v));
      given[v] = params[v].integer ? Math.max(1, params[v].low) : Math.max(0, params[v].low) +
        (params[v].low_open ? 1 : 0);
    }
    for (const k of Object.keys(given)) if (spec.params.indexOf(k) < 0) delete given[k];
    const a = args(name, given);  // reused between calls (the evaluators do not keep it)
    const slots = varying.map(v => spec.params.indexOf(v));
    if (slots.length === 1) {
      const s0 = slots[0];
      return function (x) {
        a[s0] = x;
        return f.apply(null, a);
      };
    }
    return function () {
      for (let i = 0; i < slots.length; i++) a[slots[i]] = arguments[i];
      return f.apply(null, a);
    };
  }

  function evalStrings(name, points) {
    return points.map(function (values) {
      try {
        return String(evaluate(name, values));
      } catch (e) {
        return "error: " + e.message;
      }
    });
  }

  function has(name) {
    return Object.prototype.hasOwnProperty.call(gen.evaluators, name);
  }

  root.ftheory = {
    eval: evaluate, fn: fn, args: args, partial: partial, evalStrings: evalStrings, has: has, validate: validate,
    specs: specs, params: params, data: page.data || [], dataSummary: page.dataSummary || null,
    relu: page.relu || null,
    supported: Object.keys(gen.evaluators).sort(), unsupported: gen.unsupported, hashes: gen.hashes,
    version: page.version, runtime: root.FT_RUNTIME, quadratureNodes: {x: gen.GL_X, w: gen.GL_W},
  };
})(window);
