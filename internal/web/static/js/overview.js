// overview: the enterprises the operator may see, grouped by district,
// each marked normal, alarm or offline.

import { h } from "./dom.js";
import { t } from "./i18n.js";
import { store, enterpriseState } from "./store.js";

// render draws the overview into section.
export function render(section) {
  const byDistrict = new Map();
  for (const e of store.enterprises.values()) {
    if (!byDistrict.has(e.district)) byDistrict.set(e.district, []);
    byDistrict.get(e.district).push(e);
  }
  const districts = [...byDistrict.keys()].sort((a, b) => a.localeCompare(b, "zh"));
  section.replaceChildren(h("h2", {}, t("overview.title")),
    ...(districts.length ? districts.map((d) => district(d, byDistrict.get(d)))
      : [h("p", { class: "muted" }, t("overview.none"))]));
}

function district(name, ents) {
  return h("div", { class: "district" }, h("h3", {}, name),
    h("div", { class: "cards" }, ents.map(card)));
}

function card(e) {
  const state = enterpriseState(e.code);
  return h("div", { class: "card", dataset: { enterprise: e.code, state } },
    h("div", { class: "name" }, e.name),
    h("div", { class: "code" }, e.code),
    h("div", {}, h("span", { class: `badge ${state}` }, t(`ent.${state}`)), " ",
      h("span", { class: "muted" }, `${e.points} ${t("ent.points")}`)));
}
