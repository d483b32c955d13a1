// api: the center's HTTP API and live feed with the operator's token.
// The token stays in sessionStorage (gone when the tab closes) and travels
// only in the Authorization header, or, for the websocket, which cannot
// set headers, as the subprotocol "bearer.<token>" beside hazardwatch.v1.
// It is never put in a URL (the center refuses that).

const tokenKey = "hw.token";

export function token() {
  return sessionStorage.getItem(tokenKey);
}

export function setToken(tok) {
  if (tok) sessionStorage.setItem(tokenKey, tok);
  else sessionStorage.removeItem(tokenKey);
}

// ApiError is a refused request, with the HTTP status and the server's
// message.
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

let onUnauthorized = () => {};

// whenUnauthorized sets what happens when the center refuses the token.
export function whenUnauthorized(fn) {
  onUnauthorized = fn;
}

// request calls the API and answers the decoded JSON body; method and
// body (an object, sent as JSON) are optional.
export async function request(path, { method = "GET", body } = {}) {
  const headers = { Authorization: "Bearer " + token(), Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const resp = await fetch(path, {
    method, headers, cache: "no-store",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await resp.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (resp.status === 401) onUnauthorized();
  if (!resp.ok) throw new ApiError(resp.status, (data && data.error) || resp.statusText);
  return data;
}

// fetchBlob downloads a document with the token, for reports and exports
// that a plain link could not authenticate.
export async function fetchBlob(path) {
  const resp = await fetch(path, { headers: { Authorization: "Bearer " + token() } });
  if (resp.status === 401) onUnauthorized();
  if (!resp.ok) throw new ApiError(resp.status, resp.statusText);
  return resp.blob();
}

// query builds a query string from an object, leaving empty values out.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "" && v !== false) q.set(k, String(v));
  }
  const s = q.toString();
  return s ? "?" + s : "";
}

// LiveFeed keeps a websocket to /api/v1/live open. After a drop it
// reconnects with backoff, resuming after the last event it saw
// (last_event_id); the center then replays what was missed. When the
// center says events were lost meanwhile ("gap"), or on the first
// connection, onReload is called so the lists are read again.
export class LiveFeed {
  constructor({ kinds, onEvent, onReload, onStatus }) {
    this.kinds = kinds;
    this.onEvent = onEvent;
    this.onReload = onReload;
    this.onStatus = onStatus;
    this.lastId = 0;
    this.backoff = 1000;
    this.stopped = false;
    this.ws = null;
    this.timer = null;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.ws) this.ws.close(1000, "signed out");
    this.ws = null;
  }

  url() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const q = query({ kind: this.kinds.join(","), last_event_id: this.lastId || "" });
    return scheme + "//" + location.host + "/api/v1/live" + q;
  }

  connect() {
    this.onStatus("connecting");
    const ws = new WebSocket(this.url(), ["hazardwatch.v1", "bearer." + token()]);
    this.ws = ws;
    ws.onopen = () => {
      this.backoff = 1000;
      this.onStatus("open");
    };
    ws.onmessage = (m) => this.receive(m.data);
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.onStatus("closed");
      if (this.stopped) return;
      this.timer = setTimeout(() => this.connect(), this.backoff);
      this.backoff = Math.min(this.backoff * 2, 30000);
    };
  }

  receive(text) {
    let e;
    try { e = JSON.parse(text); } catch { return; }
    if (e.kind === "hello") {
      const fresh = this.lastId === 0;
      if (fresh) this.lastId = e.last_id;
      if (fresh || e.gap) this.onReload();
      return;
    }
    if (e.id > this.lastId) this.lastId = e.id;
    this.onEvent(e);
  }
}
