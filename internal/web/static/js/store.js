// store: what the dashboard knows of the center's state: enterprises from
// the registry, current alarms and gateway status. Lists are read over the
// API and kept current by the live feed's events; views subscribe and
// re-render on change.

import { request } from "./api.js";

export const store = {
  enterprises: new Map(), // code -> {code, name, district, ...}
  alarms: new Map(), // "ent/point/condition" -> alarm view
  gateways: new Map(), // "ent/gateway" -> online (bool)
  fresh: new Set(), // alarm keys raised since the page loaded
};

const listeners = new Set();

// onChange registers fn to run after every change; it gets what changed.
export function onChange(fn) {
  listeners.add(fn);
}

function changed(what) {
  for (const fn of listeners) fn(what);
}

export function alarmKey(a) {
  return `${a.enterprise}/${a.point}/${a.condition}`;
}

// Events that arrive while the lists load are held and applied after, so
// a list read before an event cannot overwrite it.
let loading = null;
let held = [];

// reload reads every list again.
export async function reload() {
  const run = (async () => {
    const [ents, alarms, gws] = await Promise.all([
      request("/api/v1/registry/enterprises"),
      request("/api/v1/alarms"),
      request("/api/v1/gateways"),
    ]);
    store.enterprises = new Map(ents.map((e) => [e.code, e]));
    store.alarms = new Map(alarms.map((a) => [alarmKey(a), a]));
    store.gateways = new Map(gws.map((g) => [`${g.enterprise}/${g.gateway}`, g.online]));
  })();
  loading = run;
  try {
    await run;
  } finally {
    if (loading === run) {
      loading = null;
      const pending = held;
      held = [];
      for (const e of pending) apply(e);
    }
    changed("all");
  }
}

// receive takes one live event.
export function receive(e) {
  if (loading) held.push(e);
  else apply(e);
}

function apply(e) {
  if (e.kind === "alarm") applyAlarm(e.data);
  else if (e.kind === "gateway") applyGateway(e.data);
  else if (e.kind === "hazard") changed("hazard");
}

// States in which the condition is known to be active or not; shelved
// and out-of-service alarms keep what the last list or event said.
const activeIn = { unacked: true, acked: true, rtn_unacked: false, normal: false };

function applyAlarm(ev) {
  const key = alarmKey(ev);
  const old = store.alarms.get(key) || {};
  const a = { ...old, enterprise: ev.enterprise, district: ev.district,
    point: ev.point, point_name: ev.point_name, condition: ev.condition,
    state: ev.state, level: ev.level, value: ev.value, episode: ev.episode };
  if (ev.kind === "activated") {
    a.active = true;
    a.active_since = ev.time;
    a.acked_by = undefined;
    store.fresh.add(key);
  } else if (ev.kind === "cleared") {
    a.active = false;
  } else if (ev.state in activeIn) {
    a.active = activeIn[ev.state];
  }
  if (ev.kind === "acked") {
    a.acked_by = ev.actor;
    a.acked_at = ev.time;
  }
  if (ev.kind === "shelved") a.shelved_until = ev.until;
  store.alarms.set(key, a);
  changed("alarms");
}

function applyGateway(g) {
  store.gateways.set(`${g.enterprise}/${g.gateway}`, g.state === "online");
  changed("gateways");
}

// putAlarm stores an alarm view answered by an action.
export function putAlarm(a) {
  store.alarms.set(alarmKey(a), a);
  changed("alarms");
}

// enterpriseState is "offline" when a gateway of the enterprise is
// offline, "alarm" when one of its points has an active alarm, else
// "normal".
export function enterpriseState(code) {
  let offline = false;
  for (const [k, online] of store.gateways) {
    if (!online && k.startsWith(code + "/")) offline = true;
  }
  let alarm = false;
  for (const a of store.alarms.values()) {
    if (a.enterprise !== code || !a.active) continue;
    if (a.condition === "gateway_offline") offline = true;
    else alarm = true;
  }
  if (offline) return "offline";
  return alarm ? "alarm" : "normal";
}

// enterpriseName returns the registry name of an enterprise, or its code.
export function enterpriseName(code) {
  const e = store.enterprises.get(code);
  return e ? e.name : code;
}
