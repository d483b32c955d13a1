// app: signs the operator in, switches views, keeps the live feed and
// re-renders what an event changed.

import { token, setToken, request, whenUnauthorized, fetchBlob, LiveFeed } from "./api.js";
import { t, language, setLanguage } from "./i18n.js";
import { failed } from "./dom.js";
import { onChange, reload, receive } from "./store.js";
import * as overview from "./overview.js";
import * as alarms from "./alarms.js";
import * as trend from "./trend.js";
import * as hazards from "./hazards.js";

const views = ["overview", "alarms", "trend", "hazards"];
const $ = (id) => document.getElementById(id);
let current = "alarms";
let feed = null;

function show(view, ...args) {
  current = views.includes(view) ? view : "alarms";
  for (const v of views) $(`view-${v}`).hidden = v !== current;
  for (const b of document.querySelectorAll("#nav [data-view]")) {
    b.classList.toggle("current", b.dataset.view === current);
  }
  if (location.hash !== "#" + current) history.replaceState(null, "", "#" + current);
  render(...args);
}

function render(...args) {
  const sec = $(`view-${current}`);
  if (current === "overview") overview.render(sec);
  else if (current === "alarms") alarms.render(sec);
  else if (current === "trend") trend.show(sec, ...args);
  else hazards.show(sec);
}

onChange((what) => {
  if (what === "hazard") hazards.refresh();
  else if (what === "all" && current === "trend") render();
  else if (current === "overview" || current === "alarms") render();
});

function liveStatus(state) {
  const el = $("live-status");
  el.dataset.state = state;
  el.textContent = t(`live.${state}`);
}

async function signIn(tok) {
  setToken(tok);
  try {
    await request("/api/v1/alarms?active=true");
  } catch (err) {
    setToken(null);
    $("signin-error").textContent = err.status === 401 ? t("signin.bad") : err.message || t("err.network");
    return;
  }
  $("signin").hidden = true;
  $("nav").hidden = false;
  $("sign-out").hidden = false;
  feed = new LiveFeed({
    kinds: ["alarm", "hazard", "gateway"],
    onEvent: receive,
    // body[data-loaded] tells tests (and curious operators) when the
    // lists were last read.
    onReload: () => reload().then(() => { document.body.dataset.loaded = new Date().toISOString(); })
      .catch(failed),
    onStatus: liveStatus,
  });
  feed.start();
  show(location.hash.slice(1) || "alarms");
}

function signOut() {
  if (feed) feed.stop();
  feed = null;
  setToken(null);
  location.hash = "";
  location.reload();
}

async function openDispatch() {
  // Open the window within the click, or the browser blocks it.
  const win = window.open("", "_blank");
  try {
    const blob = await fetchBlob("/api/v1/dispatch?format=html");
    const url = URL.createObjectURL(new Blob([blob], { type: "text/html" }));
    if (win) win.location = url;
    else location.assign(url);
  } catch (err) {
    if (win) win.close();
    failed(err);
  }
}

function start() {
  setLanguage(language());
  $("lang-switch").textContent = language() === "zh" ? "English" : "中文";
  $("lang-switch").addEventListener("click", () => {
    setLanguage(language() === "zh" ? "en" : "zh");
    $("lang-switch").textContent = language() === "zh" ? "English" : "中文";
    liveStatus($("live-status").dataset.state);
    if (token() && feed) render();
  });
  for (const b of document.querySelectorAll("#nav [data-view]")) {
    b.addEventListener("click", () => show(b.dataset.view));
  }
  $("dispatch-link").addEventListener("click", openDispatch);
  $("sign-out").addEventListener("click", signOut);
  $("signin-form").addEventListener("submit", (e) => {
    e.preventDefault();
    signIn($("token").value.trim());
  });
  alarms.init({ showTrend: (ent, point) => show("trend", ent, point) });
  whenUnauthorized(() => {
    if (feed) signOut();
  });
  liveStatus("closed");
  if (token()) signIn(token());
}

start();
