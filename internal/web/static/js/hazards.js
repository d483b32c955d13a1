// hazards: the hazard ledger (隐患台账) with filters, each record's
// history, and the transitions its status allows. The center checks the
// caller's role; a transition the role may not do is refused (403) and
// the refusal shown.

import { request, query, fetchBlob } from "./api.js";
import { h, ask, toast, failed } from "./dom.js";
import { t, formatTime } from "./i18n.js";
import { enterpriseName } from "./store.js";

const filter = { status: "", grade: "", overdue: false, district: "", enterprise: "" };
let section = null;
let next = null;
let records = [];

// show draws the ledger into sec and reads its first page.
export async function show(sec) {
  section = sec;
  records = [];
  next = null;
  await load();
}

// refresh re-reads the ledger when it is on screen.
export function refresh() {
  if (section && !section.hidden) show(section);
}

async function load() {
  try {
    const page = await request("/api/v1/hazards" + query({ ...filter, limit: 50, after: next }));
    records = records.concat(page.records || []);
    next = page.next || null;
  } catch (err) {
    failed(err);
  }
  draw();
}

function select(name, values, prefix) {
  const el = h("select", { name, onchange: (e) => { filter[name] = e.target.value; show(section); } },
    h("option", { value: "" }, t("hazards.all")),
    values.map((v) => h("option", { value: v }, t(`${prefix}.${v}`))));
  el.value = filter[name];
  return el;
}

function text(name, label) {
  const el = h("input", { name, placeholder: label, size: 16 });
  el.value = filter[name];
  el.addEventListener("change", () => { filter[name] = el.value.trim(); show(section); });
  return el;
}

function draw() {
  const overdue = h("input", { type: "checkbox", name: "overdue",
    onchange: (e) => { filter.overdue = e.target.checked; show(section); } });
  overdue.checked = filter.overdue;
  const filters = h("div", { class: "filters", id: "hazard-filters" },
    select("status", ["open", "rectifying", "awaiting_verification", "closed", "cancelled"], "status"),
    select("grade", ["general", "major"], "grade"),
    h("label", {}, overdue, t("hazards.overdue")),
    text("district", t("col.district")), text("enterprise", t("col.enterprise")),
    h("button", { type: "button", onclick: exportCSV }, t("hazards.export")));
  const head = h("tr", {}, ["col.id", "col.title", "col.enterprise", "col.district", "col.grade",
    "col.origin", "col.status", "col.deadline", "col.unit", "col.actions"].map((k) => h("th", {}, t(k))));
  section.replaceChildren(h("h2", {}, t("hazards.title")), filters,
    records.length
      ? h("table", { id: "hazard-list" }, h("thead", {}, head), h("tbody", {}, records.map(row)))
      : h("p", { class: "muted" }, t("hazards.none")),
    next ? h("button", { type: "button", onclick: load }, t("hazards.more")) : "");
}

function row(r) {
  const overdue = r.overdue_stage && r.overdue_stage !== "none";
  const late = overdue || ((r.status === "open" || r.status === "rectifying") && Date.parse(r.deadline) < Date.now());
  return h("tr", { dataset: { id: r.id, status: r.status, point: r.point || "" } },
    h("td", {}, r.id),
    h("td", {}, r.title),
    h("td", {}, enterpriseName(r.enterprise)),
    h("td", {}, r.district),
    h("td", {}, t(`grade.${r.grade}`)),
    h("td", {}, t(`origin.${r.origin}`)),
    h("td", { class: "status" }, t(`status.${r.status}`)),
    h("td", { class: late ? "overdue" : "" }, formatTime(r.deadline), late ? ` ${t("overdue")}` : ""),
    h("td", {}, r.responsible_unit),
    h("td", { class: "actions" },
      h("button", { type: "button", class: "history", onclick: (e) => history(r, e.target) }, t("hazards.history")),
      transitions(r).map((tr) => h("button", { type: "button", class: `tr-${tr}`,
        onclick: () => transition(r, tr) }, t(`tr.${tr}`)))));
}

// transitions lists the buttons for what the caller may do to a record
// now: the API's "allowed" (status, role and scope together). The
// status-only table serves an older center that sends no "allowed".
function transitions(r) {
  if (Array.isArray(r.allowed)) {
    const ui = { start: "rectification", submit: "submit", verify: "verify", reject: "verify",
      cancel: "cancel", reopen: "reopen" };
    return [...new Set(r.allowed.map((a) => ui[a]).filter(Boolean))];
  }
  return {
    open: ["rectification", "cancel"],
    rectifying: ["submit", "cancel"],
    awaiting_verification: ["verify"],
    cancelled: ["reopen"],
  }[r.status] || [];
}

const forms = {
  rectification: (r) => [
    { name: "owner", label: t("f.owner"), required: true },
    { name: "measures", label: t("f.measures"), type: "textarea", required: true },
    { name: "funds_yuan", label: t("f.funds_yuan"), type: "number", value: "0" },
    { name: "deadline", label: t("f.deadline"), type: "date" },
    { name: "contingency", label: t("f.contingency"), type: "textarea", required: r.grade === "major" },
  ],
  submit: () => [{ name: "note", label: t("f.note"), type: "textarea" }],
  verify: () => [
    { name: "passed", label: t("f.passed"), options: [["true", t("verify.pass")], ["false", t("verify.fail")]] },
    { name: "note", label: t("f.note"), type: "textarea", required: true },
  ],
  cancel: () => [{ name: "reason", label: t("f.reason"), type: "textarea", required: true }],
  reopen: () => [{ name: "reason", label: t("f.reason"), type: "textarea", required: true }],
};

function body(tr, v) {
  if (tr === "rectification") {
    const b = { owner: v.owner, measures: v.measures, funds_yuan: Number(v.funds_yuan) || 0,
      contingency: v.contingency };
    if (v.deadline) b.deadline = new Date(v.deadline + "T18:00:00").toISOString();
    return b;
  }
  if (tr === "verify") return { passed: v.passed === "true", note: v.note };
  return v;
}

async function transition(r, tr) {
  const v = await ask(`${t(`tr.${tr}`)}: ${r.title}`, forms[tr](r));
  if (!v) return;
  try {
    await request(`/api/v1/hazards/${r.id}/${tr}`, { method: "POST", body: body(tr, v) });
    toast(t("done.hazard"));
    show(section);
  } catch (err) {
    failed(err);
  }
}

async function history(r, button) {
  const tr = button.closest("tr");
  if (tr.nextSibling && tr.nextSibling.classList.contains("history")) {
    tr.nextSibling.remove();
    return;
  }
  try {
    const full = await request(`/api/v1/hazards/${r.id}`);
    const lines = (full.history || []).map((e) => h("div", {},
      `${formatTime(e.at)} ${e.actor} ${e.action} ${e.from ? t(`status.${e.from}`) + " → " : ""}`
      + `${t(`status.${e.to}`)} ${e.comment || ""}`));
    tr.after(h("tr", { class: "history" }, h("td", { colspan: 10 }, full.description || "", lines)));
  } catch (err) {
    failed(err);
  }
}

async function exportCSV() {
  try {
    const blob = await fetchBlob("/api/v1/hazards/export.csv" + query(filter));
    const a = h("a", { href: URL.createObjectURL(blob), download: "隐患台账.csv" });
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 60000);
  } catch (err) {
    failed(err);
  }
}
