// What every screen of the staff workspace uses: its state, texts, names of the bank's things, the
// screen's heading, the notice, announcements, and drawing a screen with the focus on its heading.
// Dates and times come from the booking page's format.js, which reads the language and the bank's
// settings from the booking page's state.js: the workspace sets those two there.

import { ApiError } from "../api.js";
import { h, replace } from "../dom.js";
import { locale } from "../format.js";
import { state as shared } from "../state.js";
import { STAFF } from "./text.js";

export const staff = {
  me: null, // the signed-in employee
  manager: false,
  auth: null,
  topics: [],
  rooms: [],
  locations: [],
  employees: [],
  customerTypes: [],
  notice: null,
};

export const s = () => STAFF[shared.lang];

export const byId = (list, id) => list.find((x) => x.id === id);
export const personName = (e) => (e ? [e.firstName, e.lastName].filter(Boolean).join(" ") || e.displayName || e.initials : "");
export const employeeName = (id) => personName(byId(staff.employees, id)) || id;
export const topicName = (id) => byId(staff.topics, id)?.name || "";
export const roomName = (id) => byId(staff.rooms, id)?.name || "";
export const branchName = (location) =>
  staff.locations.find((l) => l.location === location)?.displayName || location || "";

/** A local time of day "hh:mm[:ss]" as the language writes it (08.00 in Danish, 08:00 in English). */
export function timeOfDay(text) {
  const [hour, minute] = text.split(":").map(Number);
  return new Intl.DateTimeFormat(locale(), { timeZone: "UTC", hour: "2-digit", minute: "2-digit" })
    .format(new Date(Date.UTC(2000, 0, 1, hour, minute)));
}

export function heading(text) {
  return h("h1", { id: "view-title", tabindex: "-1" }, text);
}

export function noticeBox() {
  const notice = staff.notice;
  if (!notice) return null;
  return h("div", { class: `notice ${notice.kind}`, role: notice.kind === "error" ? "alert" : "status", id: "notice", tabindex: "-1" },
    h("p", {}, notice.text));
}

export function announce(text) {
  const live = document.getElementById("status");
  live.textContent = "";
  setTimeout(() => { live.textContent = text; }, 50);
}

/** Draw the screen. focus: "heading", a selector, or null (keep the focused control's data-key). */
export function show(children, { focus = "heading", title } = {}) {
  const view = document.getElementById("view");
  const active = document.activeElement;
  const key = active && view.contains(active) && active.dataset.key;
  replace(view, children);
  document.title = `${title || document.getElementById("view-title")?.textContent || s().pageTitle} – ${s().pageTitle}`;
  const target =
    (focus === "heading" && document.getElementById("view-title")) ||
    (focus && focus !== "heading" && document.querySelector(focus)) ||
    (key && view.querySelector(`[data-key="${CSS.escape(key)}"]`));
  if (target) target.focus();
}

/** A failed call as the notice: the server's own message (it says what was wrong) after ours. */
export function problem(error) {
  if (error instanceof ApiError && error.status === 401) return null;
  const text = s();
  if (!(error instanceof ApiError) || error.status === 0) return { kind: "error", text: text.networkError };
  if (error.status >= 500) return { kind: "error", text: text.serverError };
  return { kind: "error", text: `${text.refused} ${error.message}` };
}

/** A labelled field: label, optional hint, the control (given its id). */
export function field(id, label, control, hint) {
  return h("div", { class: "field" },
    h("label", { for: id }, label),
    hint && h("p", { class: "hint", id: `${id}-hint` }, hint),
    control);
}

export function select(id, options, value, attrs = {}) {
  return h("select", { id, ...attrs },
    options.map((o) => o.group
      ? h("optgroup", { label: o.group }, o.options.map((x) => h("option", { value: x.value, selected: x.value === value }, x.label)))
      : h("option", { value: o.value, selected: o.value === value }, o.label)));
}

export const busy = { on: false };
// Bumped by every navigation: an answer that arrives after the user went elsewhere draws nothing.
export const visit = { id: 0 };
