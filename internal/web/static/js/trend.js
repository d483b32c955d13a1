// trend: one monitoring point's values over 1 h, 24 h or 7 d, as the
// center aggregates them to the chart's width: the min-max band, the mean
// line and the point's limits as dashed lines.

import { request, query } from "./api.js";
import { h, svg, failed } from "./dom.js";
import { t, formatTime } from "./i18n.js";
import { store, enterpriseName } from "./store.js";

const sel = { enterprise: "", point: "", range: "1h" };
let section = null;

// show opens the trend of a point (both optional).
export function show(sec, enterprise, point) {
  section = sec;
  if (enterprise) sel.enterprise = enterprise;
  if (point) sel.point = point;
  if (!sel.enterprise && store.enterprises.size) sel.enterprise = store.enterprises.keys().next().value;
  draw();
}

async function draw() {
  const entSelect = h("select", { id: "trend-enterprise", onchange: (e) => {
    sel.enterprise = e.target.value;
    sel.point = "";
    draw();
  } }, [...store.enterprises.values()].map((e) =>
    h("option", { value: e.code }, e.name)));
  entSelect.value = sel.enterprise;
  const pointSelect = h("select", { id: "trend-point", onchange: (e) => {
    sel.point = e.target.value;
    draw();
  } });
  const ranges = h("span", {}, ["1h", "24h", "7d"].map((r) => h("button", {
    type: "button", class: r === sel.range ? "range current" : "range", dataset: { range: r },
    onclick: () => { sel.range = r; draw(); } }, r)));
  const chart = h("div", { id: "trend-chart" });
  section.replaceChildren(h("h2", {}, t("trend.title")),
    h("div", { class: "filters" }, t("trend.enterprise"), entSelect,
      t("trend.point"), pointSelect, ranges),
    chart);
  if (!sel.enterprise) return;
  try {
    const points = await request("/api/v1/registry/points" + query({ enterprise: sel.enterprise }));
    pointSelect.replaceChildren(...points.map((p) =>
      h("option", { value: p.id }, `${p.name} (${p.id})`)));
    if (!sel.point && points.length) sel.point = points[0].id;
    pointSelect.value = sel.point;
    if (!sel.point) return;
    const width = Math.max(300, Math.min(1600, Math.round(chart.clientWidth || 800)));
    const data = await request("/api/v1/trend" + query({ enterprise: sel.enterprise,
      point: sel.point, range: sel.range, width: width - margin.left - margin.right }));
    chart.replaceChildren(plot(data, width));
  } catch (err) {
    failed(err);
  }
}

const margin = { left: 56, right: 90, top: 16, bottom: 28 };
const height = 320;

// plot draws the chart as an SVG of width pixels.
function plot(data, width) {
  const from = Date.parse(data.from), to = Date.parse(data.to);
  const w = width - margin.left - margin.right, hgt = height - margin.top - margin.bottom;
  const limits = limitLines(data.limits);
  const [lo, hi] = yRange(data.points, limits);
  const x = (ms) => margin.left + ((ms - from) / (to - from)) * w;
  const y = (v) => margin.top + (1 - (v - lo) / (hi - lo)) * hgt;
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": `${enterpriseName(data.enterprise)} ${data.name} ${data.range}` });
  root.append(axes(x, y, lo, hi, from, to, w));
  for (const l of limits) {
    root.append(svg("line", { class: `limit level-${l.level}`, x1: margin.left,
      x2: margin.left + w, y1: y(l.value), y2: y(l.value) }));
    root.append(svg("text", { class: `limit-label level-${l.level}`, x: margin.left + w + 4,
      y: y(l.value) + 4 }, `${t(`limit.${l.name}`)} ${l.value}`));
  }
  if (!data.points.length) {
    root.append(svg("text", { x: margin.left + w / 2, y: margin.top + hgt / 2,
      "text-anchor": "middle", class: "empty" }, t("trend.empty")));
    return root;
  }
  const pts = data.points.map((p) => ({ x: x(Date.parse(p.t)), min: y(p.min), max: y(p.max), mean: y(p.mean) }));
  const upper = pts.map((p) => `${p.x.toFixed(1)},${p.max.toFixed(1)}`);
  const lower = pts.slice().reverse().map((p) => `${p.x.toFixed(1)},${p.min.toFixed(1)}`);
  root.append(svg("path", { class: "band", d: `M${upper.join("L")}L${lower.join("L")}Z` }));
  root.append(svg("path", { class: "mean", "data-points": pts.length,
    d: "M" + pts.map((p) => `${p.x.toFixed(1)},${p.mean.toFixed(1)}`).join("L") }));
  root.append(svg("title", {}, `${data.name} ${data.unit}: ${t("trend.mean")}, ${t("trend.band")}`));
  return root;
}

function limitLines(l) {
  const out = [];
  for (const name of ["high_high", "high", "low", "low_low"]) {
    if (l[name]) out.push({ name, value: l[name].value, level: l[name].level });
  }
  return out;
}

// yRange spans the data and the limits, with a little room.
function yRange(points, limits) {
  let lo = Infinity, hi = -Infinity;
  for (const p of points) { lo = Math.min(lo, p.min); hi = Math.max(hi, p.max); }
  for (const l of limits) { lo = Math.min(lo, l.value); hi = Math.max(hi, l.value); }
  if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
  if (hi - lo < 1e-9) { lo -= 1; hi += 1; }
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

function axes(x, y, lo, hi, from, to, w) {
  const g = svg("g", {});
  const bottom = y(lo);
  g.append(svg("line", { class: "axis", x1: margin.left, x2: margin.left + w, y1: bottom, y2: bottom }));
  g.append(svg("line", { class: "axis", x1: margin.left, x2: margin.left, y1: margin.top, y2: bottom }));
  for (let i = 0; i <= 4; i++) {
    const v = lo + ((hi - lo) * i) / 4;
    g.append(svg("text", { x: margin.left - 6, y: y(v) + 4, "text-anchor": "end" }, v.toFixed(1)));
    const ms = from + ((to - from) * i) / 4;
    g.append(svg("text", { x: x(ms), y: bottom + 16, "text-anchor": "middle" },
      formatTime(new Date(ms).toISOString()).replace(/^\d{4}\/|:\d{2}$/g, "")));
  }
  return g;
}
