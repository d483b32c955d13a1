// dom: building elements, the form dialog and the toast. Text is always
// set as text, never as HTML, so names from the registry or the ledger
// cannot inject markup.

import { t } from "./i18n.js";

// h makes an element: h("td", {class: "x", onclick: fn}, "text", child).
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

// svg makes an SVG element with attributes.
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const c of children) el.append(c instanceof Node ? c : String(c));
  return el;
}

// ask shows the dialog with fields [{name, label, type, options, value,
// required}] and resolves to their values, or null when cancelled.
export function ask(title, fields) {
  const dialog = document.getElementById("dialog");
  document.getElementById("dialog-title").textContent = title;
  const box = document.getElementById("dialog-fields");
  box.replaceChildren(...fields.map(field));
  return new Promise((resolve) => {
    dialog.onclose = () => {
      if (dialog.returnValue !== "ok") return resolve(null);
      const out = {};
      for (const f of fields) out[f.name] = box.querySelector(`[name="${f.name}"]`).value;
      resolve(out);
    };
    dialog.returnValue = "";
    dialog.showModal();
    const first = box.querySelector("input, textarea, select");
    if (first) first.focus();
  });
}

function field(f) {
  let input;
  if (f.options) {
    input = h("select", { name: f.name },
      f.options.map(([v, label]) => h("option", { value: v }, label)));
  } else if (f.type === "textarea") {
    input = h("textarea", { name: f.name, rows: 3, required: f.required });
  } else {
    input = h("input", { name: f.name, type: f.type || "text", required: f.required });
  }
  if (f.value !== undefined) input.value = f.value;
  return h("label", {}, f.label, input);
}

let toastTimer;

// toast shows a short message; isError colours it.
export function toast(message, isError = false) {
  const el = document.getElementById("toast");
  el.textContent = message;
  el.className = isError ? "error" : "";
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, 5000);
}

// failed shows an error from the API or the network.
export function failed(err) {
  toast(err && err.status ? `${err.status}: ${err.message}` : t("err.network"), true);
}
