// alarms: the live alarm list. Newest alarms first; level 2 in red; an
// alarm raised while the page is open flashes. Acknowledge and shelve ask
// for a comment or reason, which the center journals with the operator's
// name.

import { request } from "./api.js";
import { h, ask, toast, failed } from "./dom.js";
import { t, formatTime } from "./i18n.js";
import { store, alarmKey, putAlarm, enterpriseName } from "./store.js";

let openTrend = () => {};

// init sets what the trend button opens.
export function init({ showTrend }) {
  openTrend = showTrend;
}

// render draws the list into section.
export function render(section) {
  const alarms = [...store.alarms.values()]
    .filter((a) => a.state !== "normal")
    .sort((a, b) => since(b) - since(a));
  const head = h("tr", {}, ["col.level", "col.time", "col.district", "col.enterprise",
    "col.point", "col.condition", "col.value", "col.state", "col.actions"]
    .map((k) => h("th", {}, t(k))));
  const rows = alarms.map(row);
  section.replaceChildren(
    h("h2", {}, t("alarms.title")),
    rows.length
      ? h("table", { id: "alarm-list" }, h("thead", {}, head), h("tbody", {}, rows))
      : h("p", { id: "alarm-list-empty", class: "muted" }, t("alarms.none")));
  store.fresh.clear();
}

function since(a) {
  return Date.parse(a.active_since || a.unacked_since || 0) || 0;
}

function row(a) {
  const key = alarmKey(a);
  const classes = [`level-${a.level}`, a.active ? "active" : "returned"];
  if (store.fresh.has(key)) classes.push("fresh");
  const canAck = a.state === "unacked" || a.state === "rtn_unacked";
  const canShelve = a.state !== "shelved" && a.state !== "out_of_service";
  const isPoint = !a.point.startsWith("gateway:");
  return h("tr", { class: classes.join(" "), dataset: { key, state: a.state } },
    h("td", { class: "level" }, t(`level.${a.level}`)),
    h("td", {}, formatTime(a.active_since)),
    h("td", {}, a.district || ""),
    h("td", {}, enterpriseName(a.enterprise)),
    h("td", {}, a.point_name ? `${a.point_name} (${a.point})` : a.point),
    h("td", {}, t(`cond.${a.condition}`)),
    h("td", {}, isPoint && Number.isFinite(a.value) ? a.value.toFixed(1) : ""),
    h("td", { class: "state" }, t(`state.${a.state}`),
      a.acked_by ? h("span", { class: "muted" }, ` (${a.acked_by})`) : null),
    h("td", { class: "actions" },
      canAck && h("button", { type: "button", class: "ack danger", onclick: () => ack(a) }, t("act.ack")),
      canShelve && h("button", { type: "button", class: "shelve", onclick: () => shelve(a) }, t("act.shelve")),
      isPoint && h("button", { type: "button", class: "trend",
        onclick: () => openTrend(a.enterprise, a.point) }, t("act.trend"))));
}

function actionPath(a, action) {
  return ["/api/v1/alarms", a.enterprise, a.point, a.condition, action]
    .map((s, i) => (i === 0 ? s : encodeURIComponent(s))).join("/");
}

async function ack(a) {
  const v = await ask(`${t("ack.title")}: ${a.point_name || a.point} ${t(`cond.${a.condition}`)}`,
    [{ name: "comment", label: t("ack.comment"), type: "textarea", required: true }]);
  if (!v) return;
  try {
    putAlarm(await request(actionPath(a, "ack"), { method: "POST", body: { comment: v.comment } }));
    toast(t("done.ack"));
  } catch (err) {
    failed(err);
  }
}

async function shelve(a) {
  const hours = [1, 4, 8, 24].map((n) => [String(n), `${n} ${t("hours")}`]);
  const v = await ask(`${t("shelve.title")}: ${a.point_name || a.point}`, [
    { name: "reason", label: t("shelve.reason"), type: "textarea", required: true },
    { name: "hours", label: t("shelve.for"), options: hours },
  ]);
  if (!v) return;
  const until = new Date(Date.now() + Number(v.hours) * 3600e3).toISOString();
  try {
    putAlarm(await request(actionPath(a, "shelve"), { method: "POST",
      body: { reason: v.reason, until } }));
    toast(t("done.shelve"));
  } catch (err) {
    failed(err);
  }
}
