// realpolitik dashboard: one or two panels, each an edited scenario recomputed by the server.
// Plain JavaScript and the Plotly.js copy served by the same server: no network beyond it.
"use strict";

const PLOT_CONFIG = {displaylogo: false, responsive: true};

async function api(path, body, signal) {
  const options = body === undefined ? {} : {
    method: "POST",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify(body),
  };
  if (signal) options.signal = signal;
  const response = await fetch(path, options);
  const type = response.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) {
    const error = new Error(typeof data === "string" ? data : data.error);
    error.problems = data.problems || [];
    throw error;
  }
  return data;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined) continue;
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function fmt(x) {
  if (x === null || x === undefined) return "";
  const a = Math.abs(x);
  if (a !== 0 && (a < 0.01 || a >= 1e5)) return x.toExponential(2);
  return a >= 100 ? x.toFixed(1) : x.toPrecision(3).replace(/\.?0+$/, "");
}

class Panel {
  constructor(root, scenarios, limits, initial) {
    this.root = root;
    this.limits = limits;
    this.edits = {};
    this.controls = null;
    this.requestId = 0;
    this.timer = null;
    this.q = (name) => root.querySelector(`[data-testid="${name}"]`);
    const select = this.q("scenario");
    for (const s of scenarios) {
      select.append(el("option", {value: s.key, text: `${s.key}${s.year ? " (" + s.year + ")" : ""}`}));
    }
    select.value = initial;
    select.addEventListener("change", () => this.load(select.value));
    this.q("draws").value = limits.draws;
    this.q("draws").max = limits.max_draws;
    this.q("draws").addEventListener("change", () => this.schedule());
    this.q("reset").addEventListener("click", () => this.load(select.value));
    this.q("export").addEventListener("click", () => this.export());
    this.q("discover").addEventListener("click", () => this.discover());
    this.load(initial);
  }

  get key() { return this.q("scenario").value; }

  body(extra) {
    return Object.assign({scenario: this.key, edits: this.edits, seed: 0}, extra || {});
  }

  async load(key) {
    this.edits = {};
    this.showError(null);
    this.controls = await api(`/api/scenarios/${encodeURIComponent(key)}/controls`);
    this.renderControls();
    this.q("tradeoff").replaceChildren();
    this.q("box").replaceChildren();
    this.q("discovery-message").textContent = "";
    await this.recompute();
  }

  renderControls() {
    const box = this.q("controls");
    box.replaceChildren();
    const groups = new Map();
    for (const n of this.controls.numbers) {
      if (!groups.has(n.group)) groups.set(n.group, []);
      groups.get(n.group).push(n);
    }
    for (const [group, numbers] of groups) {
      const details = el("details", {open: group.startsWith("lever") ? "" : null});
      details.append(el("summary", {text: `${group} (${numbers.length})`}));
      for (const n of numbers) details.append(this.slider(n));
      box.append(details);
    }
    const commitments = this.q("commitments");
    commitments.replaceChildren();
    if (this.controls.commitments.length) {
      commitments.append(el("h3", {text: "Commitment forms of the promises"}));
    }
    for (const c of this.controls.commitments) {
      const select = el("select", {"data-testid": `select-${c.path}`, "aria-label": c.path});
      for (const option of c.options) select.append(el("option", {value: option, text: option}));
      select.value = c.current;
      const row = el("div", {class: "control"}, el("span", {class: "label", text: c.lever}), select);
      select.addEventListener("change", () => {
        if (select.value === c.current) delete this.edits[c.path];
        else this.edits[c.path] = select.value;
        row.classList.toggle("changed", select.value !== c.current);
        this.schedule();
      });
      commitments.append(row);
    }
  }

  slider(n) {
    const input = el("input", {
      type: "range", min: n.low, max: n.high, step: n.step, value: n.value,
      "data-testid": `slider-${n.path}`, "aria-label": n.path,
    });
    input.value = n.value;
    const out = el("output", {text: fmt(n.value)});
    const label = el("span", {class: "label", title: n.path, text: n.label});
    for (const c of n.claims) {
      label.append(el("span", {class: "claim", title: (this.controls.claims[c] || ""), text: c}));
    }
    const row = el("div", {class: "control"}, label, input, out);
    input.addEventListener("input", () => {
      const value = Number(input.value);
      out.textContent = fmt(value);
      if (value === n.value) delete this.edits[n.path];
      else this.edits[n.path] = value;
      row.classList.toggle("changed", value !== n.value);
      this.schedule();
    });
    return row;
  }

  schedule() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.recompute(), 150);
  }

  showError(error) {
    const box = this.q("error");
    if (!error) { box.hidden = true; box.textContent = ""; return; }
    box.hidden = false;
    box.textContent = error.message;
  }

  async recompute() {
    const id = ++this.requestId;
    this.q("status").textContent = "recomputing…";
    this.root.dataset.state = "busy";
    const draws = Number(this.q("draws").value) || this.limits.draws;
    // a newer request replaces an older one: the server drops it if it has not started
    if (this.controller) this.controller.abort();
    this.controller = new AbortController();
    try {
      const payload = await api("/api/recompute", this.body({draws}), this.controller.signal);
      if (id !== this.requestId) return;  // a newer request is on its way
      this.showError(null);
      this.render(payload);
      this.q("status").textContent = `${payload.draws.toLocaleString()} draws, seed ${payload.seed}`;
    } catch (error) {
      if (id !== this.requestId || error.name === "AbortError") return;
      this.showError(error);
      this.q("status").textContent = "";
    } finally {
      if (id === this.requestId) this.root.dataset.state = "ready";
    }
  }

  render(payload) {
    this.lastPayload = payload;
    const answer = this.q("answer");
    answer.replaceChildren(...(payload.answer || []).map((line) => el("p", {text: line})));
    const changes = this.q("changes");
    const moved = (payload.scenario.changes || []).filter((c) => c.kind !== "range");
    changes.textContent = moved.length
      ? "Edited: " + moved.map((c) => `${c.path} ${c.old} → ${c.new}`).join("; ")
      : "";
    const figures = this.q("figures");
    const seen = new Set();
    for (const [name, figure] of Object.entries(payload.figures || {})) {
      seen.add(name);
      let div = figures.querySelector(`[data-figure="${name}"]`);
      if (!div) {
        div = el("div", {class: "figure", "data-figure": name, "data-testid": `figure-${name}`});
        figures.append(div);
      }
      Plotly.react(div, figure.data, figure.layout, PLOT_CONFIG);
    }
    for (const div of [...figures.children]) {
      if (!seen.has(div.dataset.figure)) { Plotly.purge(div); div.remove(); }
    }
    this.root.dataset.hash = payload.scenario.hash;
  }

  redraw() {
    if (!this.lastPayload) return;
    for (const div of [...this.q("figures").children]) { Plotly.purge(div); div.remove(); }
    this.render(this.lastPayload);
  }

  async export() {
    try {
      const text = await api("/api/export", this.body());
      const blob = new Blob([text], {type: "application/yaml"});
      const link = el("a", {href: URL.createObjectURL(blob), download: `${this.key}-edited.yaml`});
      document.body.append(link);
      link.click();
      link.remove();
    } catch (error) {
      this.showError(error);
    }
  }

  async discover() {
    const outcome = this.q("outcome").value;
    const message = this.q("discovery-message");
    message.textContent = "searching…";
    this.root.dataset.discovery = "busy";
    try {
      const result = await api("/api/discover", this.body({outcome}));
      this.showDiscovery(result);
    } catch (error) {
      message.textContent = "";
      this.showError(error);
    } finally {
      this.root.dataset.discovery = "ready";
    }
  }

  showDiscovery(result) {
    const message = this.q("discovery-message");
    const plot = this.q("tradeoff");
    this.q("box").replaceChildren();
    if (!result.steps || !result.steps.length) {
      message.textContent = result.message || "No box found.";
      Plotly.purge(plot);
      return;
    }
    message.textContent =
      `${result.draws.toLocaleString()} draws; ${result.label} in ${(100 * result.base_density).toFixed(1)}% of them. ` +
      `PRIM's chosen box is step ${result.chosen_step}.`;
    const steps = result.steps;
    const chosen = steps.find((s) => s.step === result.chosen_step) || steps[steps.length - 1];
    // the report layer's figure, plus a mark on the box shown below
    const figure = result.figure;
    const shown = {
      x: [chosen.coverage], y: [chosen.density], mode: "markers", type: "scatter", name: "shown below",
      marker: {size: 18, symbol: "square", color: "rgba(0,0,0,0)", line: {width: 2.5, color: "#1d2430"}},
      hoverinfo: "skip",
    };
    Plotly.react(plot, [...figure.data, shown], figure.layout, PLOT_CONFIG);
    plot.removeAllListeners && plot.removeAllListeners("plotly_click");
    plot.on("plotly_click", (event) => {
      const point = event.points[0];
      if (point.curveNumber !== undefined && point.curveNumber !== 0) return;
      this.showBox(steps[point.pointIndex], result);
    });
    this.showBox(chosen, result);
    this.steps = steps;
  }

  showBox(step, result) {
    const plot = this.q("tradeoff");
    if (plot.data && plot.data.length > 1) {
      Plotly.restyle(plot, {x: [[step.coverage]], y: [[step.density]]}, [plot.data.length - 1]);
    }
    const box = this.q("box");
    const head = el("p", {"data-testid": "box-summary",
      text: `Box at step ${step.step}: coverage ${step.coverage.toFixed(2)}, density ${step.density.toFixed(2)}, ` +
        `${(100 * step.support).toFixed(1)}% of all draws.`});
    const table = el("table", {"data-testid": "box-conditions"});
    table.append(el("tr", {}, el("th", {text: "number"}), el("th", {text: "claims"}),
      el("th", {text: "low"}), el("th", {text: "high"})));
    for (const c of step.conditions) {
      table.append(el("tr", {}, el("td", {text: c.path}), el("td", {text: c.claims.join(", ")}),
        el("td", {text: fmt(c.low)}), el("td", {text: fmt(c.high)})));
    }
    box.replaceChildren(head, step.conditions.length ? table : el("p", {text: "No condition: the whole space."}));
  }
}

async function main() {
  const {scenarios, limits} = await api("/api/scenarios");
  const panels = document.getElementById("panels");
  const template = document.getElementById("panel-template");
  const make = (name, key) => {
    const node = template.content.firstElementChild.cloneNode(true);
    node.dataset.testid = `panel-${name}`;
    node.setAttribute("data-testid", `panel-${name}`);
    panels.append(node);
    return new Panel(node, scenarios, limits, key);
  };
  const withQuestion = scenarios.filter((s) => s.realignment);
  const first = (withQuestion[0] || scenarios[0]).key;
  window.dashboard = {a: make("a", first), b: null};
  document.getElementById("side-by-side").addEventListener("change", (event) => {
    if (event.target.checked && !window.dashboard.b) {
      const current = window.dashboard.a.key;
      const other = withQuestion.find((s) => s.key !== current) || scenarios.find((s) => s.key !== current);
      const second = (other || scenarios[0]).key;
      window.dashboard.b = make("b", second);
    } else if (!event.target.checked && window.dashboard.b) {
      window.dashboard.b.root.remove();
      window.dashboard.b = null;
    }
    panels.className = "panels " + (window.dashboard.b ? "two" : "one");
    // panel A's figures are drawn again at the new width of their panel
    window.dashboard.a.redraw();
  });
}

main();
