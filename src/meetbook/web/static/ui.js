// The page around the steps (header, step list, footer), drawing the current step, moving between
// steps, and the pieces every step uses: its heading, the notice, field errors, announcements.

import { ApiError } from "./api.js";
import { h, replace } from "./dom.js";
import { t } from "./format.js";
import { state } from "./state.js";

const FLOW = ["topic", "time", "details", "done"];

// Given once by app.js: step name -> {view, title}, and what the header's sign-out button does.
let steps = {};
let signOut = () => {};

export function mount(allSteps, { onSignOut }) {
  steps = allSteps;
  signOut = onSignOut;
}

const stepRoot = () => document.getElementById("step");

export function applyChrome() {
  const text = t();
  document.documentElement.lang = state.lang;
  document.title = `${stepTitle()} – ${text.pageTitle}`;
  document.getElementById("skip").textContent = text.skip;
  document.getElementById("page-title").textContent = text.heading;
  const switcher = document.getElementById("lang");
  switcher.textContent = text.switchTo;
  switcher.lang = text.switchLang;
  switcher.setAttribute("aria-label", text.switchLabel);
  document.getElementById("footer-text").textContent = text.footer;
  // The bank, not the product: its name (and logo, from this server only) from booking-config.json.
  const bank = state.config?.bankName;
  document.getElementById("brand-name").textContent = bank || text.pageTitle;
  const logo = document.getElementById("brand-logo");
  const source = state.config?.logoUrl;
  if (source && /^(\/(?!\/)|data:image\/)/.test(source) && logo.getAttribute("src") !== source) logo.setAttribute("src", source);
  logo.classList.toggle("bank-logo", Boolean(source));
  const user = document.getElementById("user");
  replace(
    user,
    state.auth && h("span", { class: "user-name" }, state.auth.name ? text.signedInAs(state.auth.name) : ""),
    state.auth && h("button", { type: "button", class: "link", key: "signout", onclick: signOut }, text.signOut),
  );
  const nav = document.getElementById("steps");
  nav.setAttribute("aria-label", text.stepsLabel);
  const current = FLOW.indexOf(state.step);
  nav.hidden = current < 0;
  replace(
    nav.querySelector("ol"),
    text.steps.map((label, i) =>
      h("li", { class: i < current ? "done" : i === current ? "current" : "", "aria-current": i === current ? "step" : false },
        h("span", { class: "step-number", "aria-hidden": "true" }, String(i + 1)), " ", h("span", { class: "step-label" }, label))),
  );
}

function stepTitle() {
  return steps[state.step]?.title() || t().pageTitle;
}

/** Redraw the current step. Focus: to the step heading when asked, else back to the control that had it. */
export function render({ focus = null } = {}) {
  const active = document.activeElement;
  const inStep = active && stepRoot().contains(active);
  const key = inStep && active.dataset.key;
  const id = inStep && !key && active.id;
  applyChrome();
  replace(stepRoot(), steps[state.step].view());
  const target =
    (focus === "heading" && document.getElementById("step-title")) ||
    (focus && document.querySelector(focus)) ||
    (key && stepRoot().querySelector(`[data-key="${CSS.escape(key)}"]`)) ||
    (id && document.getElementById(id));
  if (target) target.focus();
}

export function go(step, { push = true } = {}) {
  const changed = state.step !== step;
  state.step = step;
  if (push && changed) history.pushState({ step }, "");
  else history.replaceState({ step }, "");
  render({ focus: "heading" });
  if (changed) window.scrollTo(0, 0);
}

export function announce(text) {
  const live = document.getElementById("status");
  live.textContent = "";
  setTimeout(() => { live.textContent = text; }, 50);
}

export function heading(text) {
  return h("h2", { id: "step-title", tabindex: "-1" }, text);
}

export function noticeBox() {
  const notice = state.notice;
  if (!notice) return null;
  return h("div", { class: `notice ${notice.kind}`, role: notice.kind === "error" ? "alert" : "status", id: "notice", tabindex: "-1" },
    h("p", {}, notice.text));
}

export function failure(error) {
  if (error instanceof ApiError && error.status === 401) return; // already back at sign-in
  state.busy = false;
  state.notice = { kind: "error", text: error instanceof ApiError && error.status === 0 ? t().networkError : t().serverError };
  render({ focus: "#notice" });
}

export function fieldError(key) {
  const message = state.errors[key];
  return message ? h("p", { class: "field-error", id: `${key}-error` }, message) : null;
}

export function described(key, hint) {
  return [hint && `${key}-hint`, state.errors[key] && `${key}-error`].filter(Boolean).join(" ") || false;
}
