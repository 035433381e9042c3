// The customer booking page: sign in, topic, time, details, confirmation.
//
// It uses the public API as an integrator would (see docs/booking-page.md). One reservation token
// per visit, kept in sessionStorage and sent with every hold: changing the time moves the hold
// (the API frees the old one), going back to the topic or leaving the page releases it.

import { TEXT, LANGUAGES } from "./i18n.js";
import * as auth from "./auth.js";
import { ApiError, call, get, useToken } from "./api.js";
import * as time from "./time.js";
import { h, replace } from "./dom.js";

const RESERVATION_TOKEN = "meetbook.reservationToken";
const LANGUAGE = "meetbook.lang";
const CHOICE = "meetbook.choice";
const LOOK_AHEAD_DAYS = 60;
const DESCRIPTION_MAX = 1000;
const FLOW = ["topic", "time", "details", "done"];
const ALL_TYPES = ["Physical", "Online", "Telephone"];
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const PHONE = /^\+?[0-9 ()-]{4,}$/;

const state = {
  lang: "da",
  step: "loading",
  config: null,
  auth: null,
  settings: {},
  customerTypes: [],
  topics: [],
  locations: [],
  choice: { customerTypeId: "", topicId: "", meetingType: "", branch: "" },
  week: null, // the Monday of the week shown, a local date
  day: null, // the day whose times are shown
  slots: null, // this week's free slots; null while they load
  next: undefined, // the first free slot after this week: undefined (not looked), null (none)
  hold: null,
  idempotencyKey: null,
  details: { name: "", email: "", phone: "", description: "" },
  errors: {},
  notice: null, // {kind: "error" | "info", text}
  busy: false,
  meeting: null,
  advisor: null,
  room: null,
  cancel: "none", // asking | done | unavailable
  releasedOnLeave: false,
};

const t = () => TEXT[state.lang];
const locale = () => LANGUAGES[state.lang];
const zone = () => state.settings.timeZone || "Europe/Copenhagen";
const stepRoot = () => document.getElementById("step");

// -- formatting ---------------------------------------------------------------------------------

function format(instant, options) {
  return new Intl.DateTimeFormat(locale(), { timeZone: zone(), ...options }).format(new Date(instant));
}
const clock = (instant) => format(instant, { hour: "2-digit", minute: "2-digit" });
const dayLong = (date) =>
  new Intl.DateTimeFormat(locale(), { timeZone: "UTC", weekday: "long", day: "numeric", month: "long" }).format(time.dateValue(date));
const when = (start) => format(start, { weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit" });
const span = (start, end) => `${when(start)}–${clock(end)}`;
const mmss = (ms) => {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
};
const typeLabel = (type) =>
  state.settings.meetingTypeLabels?.[state.lang]?.[type] || t().meetingTypes[type] || type;
const topicById = (id) => state.topics.find((x) => x.id === id) || state.allTopics?.find((x) => x.id === id);
const minutesOf = (topic) => Math.round((time.parseTimespan(topic?.meetingDuration) ?? time.parseTimespan(state.settings.defaultMeetingDuration) ?? 3600000) / 60000);

// -- chrome: header, steps, footer ----------------------------------------------------------------

function applyChrome() {
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
  const text = t();
  return {
    loading: text.pageTitle, signin: text.signinTitle, topic: text.topicTitle, time: text.timeTitle,
    details: text.detailsTitle, done: state.cancel === "done" ? text.cancelledTitle : text.doneTitle,
  }[state.step] || text.pageTitle;
}

// -- rendering and navigation -------------------------------------------------------------------

const VIEWS = { loading: viewLoading, signin: viewSignin, topic: viewTopic, time: viewTime, details: viewDetails, done: viewDone };

/** Redraw the current step. Focus: to the step heading when asked, else back to the control that had it. */
function render({ focus = null } = {}) {
  const active = document.activeElement;
  const inStep = active && stepRoot().contains(active);
  const key = inStep && active.dataset.key;
  const id = inStep && !key && active.id;
  applyChrome();
  replace(stepRoot(), VIEWS[state.step]());
  const target =
    (focus === "heading" && document.getElementById("step-title")) ||
    (focus && document.querySelector(focus)) ||
    (key && stepRoot().querySelector(`[data-key="${CSS.escape(key)}"]`)) ||
    (id && document.getElementById(id));
  if (target) target.focus();
}

function go(step, { push = true } = {}) {
  const changed = state.step !== step;
  state.step = step;
  if (push && changed) history.pushState({ step }, "");
  else history.replaceState({ step }, "");
  render({ focus: "heading" });
  if (changed) window.scrollTo(0, 0);
}

function announce(text) {
  const live = document.getElementById("status");
  live.textContent = "";
  setTimeout(() => { live.textContent = text; }, 50);
}

function heading(text) {
  return h("h2", { id: "step-title", tabindex: "-1" }, text);
}

function noticeBox() {
  const notice = state.notice;
  if (!notice) return null;
  return h("div", { class: `notice ${notice.kind}`, role: notice.kind === "error" ? "alert" : "status", id: "notice", tabindex: "-1" },
    h("p", {}, notice.text));
}

function failure(error) {
  if (error instanceof ApiError && error.status === 401) return; // already back at sign-in
  state.busy = false;
  state.notice = { kind: "error", text: error instanceof ApiError && error.status === 0 ? t().networkError : t().serverError };
  render({ focus: "#notice" });
}

// -- boot ---------------------------------------------------------------------------------------

function reservationToken() {
  // One token per visit (this browser tab), created when the customer lands, reused for every hold.
  let token = sessionStorage.getItem(RESERVATION_TOKEN);
  if (!token) {
    token = auth.randomId();
    sessionStorage.setItem(RESERVATION_TOKEN, token);
  }
  return token;
}

function pickLanguage() {
  const asked = new URLSearchParams(location.search).get("lang");
  if (asked in TEXT) {
    sessionStorage.setItem(LANGUAGE, asked);
    return asked;
  }
  const kept = sessionStorage.getItem(LANGUAGE);
  return kept in TEXT ? kept : "da";
}

async function boot() {
  state.lang = pickLanguage();
  reservationToken();
  try {
    state.choice = { ...state.choice, ...JSON.parse(sessionStorage.getItem(CHOICE) || "{}") };
  } catch { /* start afresh */ }
  document.getElementById("lang").addEventListener("click", switchLanguage);
  addEventListener("pagehide", leave);
  addEventListener("pageshow", comeBack);
  addEventListener("popstate", (event) => travel(event.state?.step));
  render();
  try {
    const response = await fetch(new URL("booking-config.json", document.baseURI), { cache: "no-store" });
    state.config = await response.json();
  } catch {
    state.step = "signin";
    return failure(new ApiError(0, null));
  }
  let back = null;
  try {
    back = await auth.completeSignIn(state.config);
  } catch {
    back = { error: "token" };
  }
  if (back?.error) {
    state.notice = { kind: "error", text: back.error === "access_denied" ? t().signinCancelled : t().signinFailed };
  }
  state.auth = back?.auth || auth.stored();
  if (!state.auth) return go("signin", { push: false });
  await startBooking();
}

function signedOut() {
  auth.forget();
  state.auth = null;
  stopCountdown();
  state.hold = null;
  state.busy = false;
  state.notice = { kind: "info", text: t().sessionExpired };
  go("signin", { push: false });
}

function signOut() {
  releaseHold();
  auth.forget();
  state.auth = null;
  state.notice = null;
  go("signin", { push: false });
}

async function startBooking() {
  useToken(state.auth.accessToken, signedOut);
  if (!state.details.name) state.details.name = state.auth.name || "";
  try {
    const [settings, customerTypes, locations] = await Promise.all([
      get("bookme/config/organization-settings"),
      get("config/customer-types"),
      get("bookme/config/locations"),
    ]);
    Object.assign(state, { settings, customerTypes, locations });
    if (!customerTypes.some((c) => c.id === state.choice.customerTypeId)) state.choice.customerTypeId = "";
    if (customerTypes.length === 1) state.choice.customerTypeId = customerTypes[0].id;
    await loadTopics();
  } catch (error) {
    state.step = "topic";
    return failure(error);
  }
  go("topic", { push: false });
}

function switchLanguage() {
  state.lang = t().switchLang;
  sessionStorage.setItem(LANGUAGE, state.lang);
  const url = new URL(location.href);
  if (url.searchParams.has("lang")) {
    url.searchParams.set("lang", state.lang);
    history.replaceState(history.state, "", url.toString());
  }
  if (state.notice?.text) state.notice = null; // it was written in the other language
  render();
  announce(t().pageTitle);
}

/** The browser's back and forward buttons move between the steps. */
function travel(step) {
  if (!step || !state.auth) return;
  if (step === "topic" || step === "signin") {
    releaseHold();
    state.notice = null;
    return go("topic", { push: false });
  }
  if (step === "time") return showTime({ push: false });
  if (step === "details") return state.hold ? go("details", { push: false }) : showTime({ push: false });
  if (step === "done") return state.meeting ? go("done", { push: false }) : go("topic", { push: false });
}

// -- holds --------------------------------------------------------------------------------------

function releaseHold({ keepalive = false } = {}) {
  const hold = state.hold;
  if (!hold) return;
  state.hold = null;
  stopCountdown();
  call("DELETE", `bookme/time-slots/${encodeURIComponent(hold.id)}`, {
    query: { reservationToken: reservationToken() },
    keepalive, // lets the request finish after the page is gone
  }).catch(() => { /* it runs out by itself within five minutes */ });
}

function leave() {
  if (state.hold) {
    releaseHold({ keepalive: true });
    state.releasedOnLeave = true;
  }
}

function comeBack(event) {
  if (event.persisted && state.releasedOnLeave) {
    state.releasedOnLeave = false;
    state.notice = { kind: "info", text: t().releasedOnLeave };
    if (state.step === "details" || state.step === "time") showTime({ push: false });
  }
}

let ticker = null;
let checking = false;

function startCountdown() {
  stopCountdown();
  ticker = setInterval(tick, 1000);
  tick();
}

function stopCountdown() {
  clearInterval(ticker);
  ticker = null;
}

function tick() {
  const hold = state.hold;
  if (!hold) return stopCountdown();
  const left = Date.parse(hold.expiresAt) - Date.now();
  for (const el of document.querySelectorAll("[data-countdown]")) el.textContent = mmss(left);
  if (left <= 60000 && left > 0 && !hold.warned) {
    hold.warned = true;
    announce(t().holdMinuteLeft);
  }
  // At zero, ask the server (its clock decides, not this device's); if it still holds the time, ask again later.
  if (left <= 0 && !checking && Date.now() >= (hold.recheckAt || 0)) checkHold(hold);
}

async function checkHold(hold) {
  checking = true;
  try {
    await get(`bookme/time-slots/${encodeURIComponent(hold.id)}`);
    hold.recheckAt = Date.now() + 5000;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404 && state.hold === hold) holdRanOut();
    else hold.recheckAt = Date.now() + 5000;
  } finally {
    checking = false;
  }
}

function holdRanOut() {
  stopCountdown();
  state.hold = null;
  state.busy = false;
  announce(t().holdExpiredTitle);
  if (state.step === "details") render({ focus: "#expired-title" });
  else if (state.step === "time") {
    state.notice = { kind: "info", text: t().holdExpiredTitle };
    loadWeek();
  }
}

// -- step: loading and sign-in --------------------------------------------------------------------

function viewLoading() {
  return [h("h2", { id: "step-title", tabindex: "-1", class: "visually-hidden" }, t().pageTitle), h("p", { class: "muted" }, t().loading)];
}

function viewSignin() {
  const text = t();
  return [
    heading(text.signinTitle),
    noticeBox(),
    h("p", {}, text.signinLead),
    h("div", { class: "actions" },
      h("button", {
        type: "button", class: "primary", key: "signin", disabled: !state.config,
        onclick: (event) => {
          event.currentTarget.textContent = text.signingIn;
          event.currentTarget.setAttribute("aria-disabled", "true");
          auth.signIn(state.config, state.lang);
        },
      }, text.signinButton)),
  ];
}

// -- step 1: topic, customer type, meeting type -----------------------------------------------------

async function loadTopics() {
  const query = { isCustomer: "true" };
  if (state.choice.customerTypeId) query.customerCategoryId = state.choice.customerTypeId;
  state.topics = await get("bookme/meeting-topics", query);
  if (!state.topics.some((x) => x.id === state.choice.topicId)) state.choice.topicId = "";
  fixMeetingType();
}

function allowedTypes(topic) {
  if (!topic) return [];
  return topic.meetingTypes?.length ? topic.meetingTypes : ALL_TYPES;
}

function fixMeetingType() {
  const types = allowedTypes(topicById(state.choice.topicId));
  if (!types.includes(state.choice.meetingType)) state.choice.meetingType = types.length === 1 ? types[0] : "";
  if (state.choice.meetingType !== "Physical") state.choice.branch = "";
}

/** Topics in the bank's order, each sub-topic under its parent. */
function topicOptions() {
  const text = t();
  const visible = new Set(state.topics.map((x) => x.id));
  const order = (a, b) => (a.order ?? 1e9) - (b.order ?? 1e9) || a.name.localeCompare(b.name, locale());
  const roots = state.topics.filter((x) => !x.parentId || !visible.has(x.parentId)).sort(order);
  const option = (topic, label) => h("option", { value: topic.id, selected: topic.id === state.choice.topicId }, label || topic.name);
  return roots.map((root) => {
    const children = state.topics.filter((x) => x.parentId === root.id).sort(order);
    if (!children.length) return option(root);
    return h("optgroup", { label: root.name }, option(root, text.topicGeneral(root.name)), children.map((c) => option(c)));
  });
}

function fieldError(key) {
  const message = state.errors[key];
  return message ? h("p", { class: "field-error", id: `${key}-error` }, message) : null;
}

function described(key, hint) {
  return [hint && `${key}-hint`, state.errors[key] && `${key}-error`].filter(Boolean).join(" ") || false;
}

function viewTopic() {
  const text = t();
  const topic = topicById(state.choice.topicId);
  const types = allowedTypes(topic);
  const form = h("form", { novalidate: true, onsubmit: submitTopic, class: "stack" },
    h("fieldset", { "aria-describedby": described("customerType"), "aria-invalid": state.errors.customerType ? "true" : false },
      h("legend", {}, text.customerTypeLegend),
      fieldError("customerType"),
      h("div", { class: "choices" },
        state.customerTypes.map((c) =>
          h("label", { class: "choice" },
            h("input", {
              type: "radio", name: "customerType", value: c.id, key: `ct-${c.id}`,
              checked: c.id === state.choice.customerTypeId, onchange: changeCustomerType,
            }),
            h("span", {}, c.name))))),
    h("div", { class: "field" },
      h("label", { for: "topic" }, text.topicLabel),
      fieldError("topic"),
      h("select", {
        id: "topic", key: "topic", required: true, onchange: changeTopic,
        "aria-describedby": described("topic"), "aria-invalid": state.errors.topic ? "true" : false,
      },
      h("option", { value: "" }, text.topicPlaceholder),
      topicOptions())),
    state.topics.length === 0 ? h("p", { class: "notice info" }, text.noTopics) : null,
    h("fieldset", { "aria-describedby": described("meetingType"), "aria-invalid": state.errors.meetingType ? "true" : false },
      h("legend", {}, text.meetingTypeLegend),
      fieldError("meetingType"),
      topic
        ? h("div", { class: "choices" },
          types.map((type) =>
            h("label", { class: "choice" },
              h("input", {
                type: "radio", name: "meetingType", value: type, key: `mt-${type}`,
                checked: type === state.choice.meetingType, onchange: changeMeetingType,
              }),
              h("span", {}, typeLabel(type)))))
        : h("p", { class: "muted" }, text.meetingTypeFirst)),
    state.choice.meetingType === "Physical" && state.locations.length > 1
      ? h("div", { class: "field" },
        h("label", { for: "branch" }, text.branchLabel),
        h("select", { id: "branch", key: "branch", onchange: (e) => { state.choice.branch = e.target.value; } },
          h("option", { value: "" }, text.branchAny),
          state.locations.map((l) => h("option", { value: l.location, selected: l.location === state.choice.branch }, l.displayName || l.location))))
      : null,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", key: "show-times" }, text.showTimes)),
  );
  return [heading(text.topicTitle), noticeBox(), form];
}

async function changeCustomerType(event) {
  state.choice.customerTypeId = event.target.value;
  delete state.errors.customerType;
  try {
    await loadTopics();
  } catch (error) {
    return failure(error);
  }
  render();
}

function changeTopic(event) {
  state.choice.topicId = event.target.value;
  delete state.errors.topic;
  fixMeetingType();
  render();
}

function changeMeetingType(event) {
  state.choice.meetingType = event.target.value;
  delete state.errors.meetingType;
  fixMeetingType();
  render();
}

function submitTopic(event) {
  event.preventDefault();
  const text = t();
  const errors = {};
  if (!state.choice.customerTypeId) errors.customerType = text.chooseCustomerType;
  if (!state.choice.topicId) errors.topic = text.chooseTopic;
  else if (!state.choice.meetingType) errors.meetingType = text.chooseMeetingType;
  state.errors = errors;
  state.notice = null;
  if (Object.keys(errors).length) {
    render();
    const first = { customerType: 'input[name="customerType"]', topic: "#topic", meetingType: 'input[name="meetingType"]' };
    document.querySelector(first[Object.keys(errors)[0]])?.focus();
    return announce(text.fixErrors(Object.keys(errors).length));
  }
  sessionStorage.setItem(CHOICE, JSON.stringify(state.choice));
  state.allTopics = state.topics;
  state.week = null;
  state.day = null;
  showTime();
}

// -- step 2: the week calendar ------------------------------------------------------------------

function today() {
  return time.localDate(Date.now(), zone());
}

function horizon() {
  const ahead = time.parseTimespan(state.settings.maxTimeFromBookingToMeeting) ?? 365 * 86400000;
  return Date.now() + ahead;
}

function showTime({ push = true } = {}) {
  state.errors = {};
  if (!state.week) state.week = time.mondayOf(today());
  go("time", { push });
  loadWeek();
}

function searchQuery(startInstant, lookForwardMs) {
  return {
    requireEmployeeParticipation: "true",
    startDate: new Date(startInstant).toISOString(),
    lookForwardTime: time.timespan(lookForwardMs),
    topic: state.choice.topicId,
    customerTypeId: state.choice.customerTypeId,
    meetingTypes: state.choice.meetingType.toLowerCase(),
    meetingLocation: state.choice.branch || undefined,
  };
}

let weekRequest = 0;

async function loadWeek({ focus = null } = {}) {
  const request = ++weekRequest;
  const start = time.zonedToInstant(state.week, zone());
  const end = time.zonedToInstant(time.addDays(state.week, 7), zone());
  state.slots = null;
  state.next = undefined;
  if (state.step === "time") render();
  try {
    const found = await get("bookme/time-slots/available", searchQuery(start, end - start));
    if (request !== weekRequest) return;
    const seen = new Set();
    state.slots = found.filter((slot) => {
      const at = Date.parse(slot.startDate);
      const fresh = at >= start && at < end && slot.meetingType === state.choice.meetingType && !seen.has(slot.startDate);
      seen.add(slot.startDate);
      return fresh;
    });
    const days = daysWithTimes();
    if (!days.has(state.day)) state.day = [...days.keys()].sort()[0] || null;
    if (state.step === "time") render({ focus });
    if (!state.slots.length) {
      const later = await get("bookme/time-slots/available", searchQuery(end, LOOK_AHEAD_DAYS * 86400000));
      if (request !== weekRequest) return;
      state.next = later.find((slot) => slot.meetingType === state.choice.meetingType) || null;
      if (state.step === "time") render({ focus });
    }
  } catch (error) {
    if (request === weekRequest) failure(error);
  }
}

/** local date -> the times that day, with the held time added (the search leaves it out: it is taken, by us). */
function daysWithTimes() {
  const byDay = new Map();
  const add = (slot, held) => {
    const day = time.localDate(Date.parse(slot.startDate), zone());
    if (!byDay.has(day)) byDay.set(day, []);
    byDay.get(day).push({ ...slot, held });
  };
  for (const slot of state.slots || []) add(slot, false);
  const hold = state.hold;
  if (hold && hold.meetingType === state.choice.meetingType && hold.topicId === state.choice.topicId) {
    const day = time.localDate(Date.parse(hold.startDate), zone());
    const weekEnd = time.addDays(state.week, 7);
    if (day >= state.week && day < weekEnd && !(byDay.get(day) || []).some((s) => s.startDate === hold.startDate)) add(hold, true);
  }
  for (const list of byDay.values()) list.sort((a, b) => Date.parse(a.startDate) - Date.parse(b.startDate));
  return byDay;
}

function changeWeek(days) {
  state.week = time.addDays(state.week, days);
  state.notice = null;
  loadWeek();
}

function viewTime() {
  const text = t();
  const topic = topicById(state.choice.topicId);
  const week = state.week;
  const monday = time.dateValue(week);
  const sunday = time.dateValue(time.addDays(week, 6));
  const range = new Intl.DateTimeFormat(locale(), { timeZone: "UTC", day: "numeric", month: "long", year: "numeric" }).formatRange(monday, sunday);
  const days = daysWithTimes();
  const zoneName = new Intl.DateTimeFormat(locale(), { timeZone: zone(), timeZoneName: "longGeneric" })
    .formatToParts(new Date()).find((p) => p.type === "timeZoneName")?.value || zone();
  const ownZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const current = time.mondayOf(today());
  const weekStart = time.zonedToInstant(week, zone());

  const summary = h("div", { class: "summary" },
    h("p", {}, h("strong", {}, topic?.name || ""), ` · ${typeLabel(state.choice.meetingType)} · ${text.minutes(minutesOf(topic))}`,
      state.choice.branch ? ` · ${state.locations.find((l) => l.location === state.choice.branch)?.displayName || state.choice.branch}` : ""),
    h("button", { type: "button", class: "link", key: "change-choice", "aria-label": text.changeChoice, onclick: backToTopic }, text.change));

  const held = state.hold
    ? h("div", { class: "held", role: "group", "aria-label": text.youHold(when(Date.parse(state.hold.startDate))) },
      h("p", {}, text.youHold(span(Date.parse(state.hold.startDate), Date.parse(state.hold.endDate))), " ",
        h("span", { class: "countdown-inline" }, "(", h("span", { "data-countdown": "" }, mmss(Date.parse(state.hold.expiresAt) - Date.now())), ")")),
      h("div", { class: "actions" },
        h("button", { type: "button", class: "primary", key: "keep", onclick: () => go("details") }, text.keepThisTime),
        h("button", { type: "button", class: "secondary", key: "release", onclick: () => { releaseHold(); announce(text.released); loadWeek({ focus: "#step-title" }); } }, text.releaseThisTime)))
    : null;

  const nav = h("div", { class: "week-nav" },
    h("button", { type: "button", class: "secondary", key: "earlier", disabled: week <= current, onclick: () => changeWeek(-7) },
      h("span", { "aria-hidden": "true" }, "‹ "), text.earlierWeek),
    h("h3", { id: "week-label" }, text.weekLabel(time.isoWeek(week), range)),
    h("button", { type: "button", class: "secondary", key: "later", disabled: weekStart + 7 * 86400000 > horizon(), onclick: () => changeWeek(7) },
      text.laterWeek, h("span", { "aria-hidden": "true" }, " ›")));

  const dayButtons = h("ul", { class: "days", "aria-label": text.daysLabel },
    [0, 1, 2, 3, 4, 5, 6].map((i) => {
      const date = time.addDays(week, i);
      const count = days.get(date)?.length || 0;
      const value = time.dateValue(date);
      return h("li", {},
        h("button", {
          type: "button", class: "day", key: `day-${date}`, "aria-pressed": date === state.day ? "true" : "false",
          disabled: state.slots === null || count === 0 || state.busy,
          "aria-label": `${dayLong(date)}, ${text.freeCount(count)}`,
          onclick: () => { state.day = date; render({ focus: "#times-title" }); },
        },
        h("span", { class: "dow", "aria-hidden": "true" }, new Intl.DateTimeFormat(locale(), { timeZone: "UTC", weekday: "short" }).format(value)),
        h("span", { class: "date", "aria-hidden": "true" }, new Intl.DateTimeFormat(locale(), { timeZone: "UTC", day: "numeric", month: "short" }).format(value)),
        h("span", { class: count ? "mark" : "mark none", "aria-hidden": "true" }, count ? String(count) : "–")));
    }));

  let times;
  if (state.slots === null) {
    times = h("p", { class: "muted", role: "status" }, text.loadingTimes);
  } else if (!days.size) {
    const next = state.next;
    times = h("div", { class: "empty", role: "status" },
      h("p", {}, h("strong", {}, text.noTimesWeek)),
      next === undefined ? h("p", { class: "muted" }, text.loading) : null,
      next === null ? h("p", {}, text.noTimesAhead(LOOK_AHEAD_DAYS)) : null,
      next ? [
        h("p", {}, text.nextFree(when(Date.parse(next.startDate)))),
        h("button", {
          type: "button", class: "primary", key: "go-next",
          onclick: () => {
            const date = time.localDate(Date.parse(next.startDate), zone());
            state.week = time.mondayOf(date);
            state.day = date;
            loadWeek({ focus: "#times-title" });
          },
        }, text.goToNext(time.isoWeek(time.localDate(Date.parse(next.startDate), zone())))),
      ] : null);
  } else if (!state.day) {
    times = h("p", {}, text.pickDay);
  } else {
    times = [
      h("h3", { id: "times-title", tabindex: "-1" }, text.timesOn(dayLong(state.day))),
      h("ul", { class: "times", "aria-labelledby": "times-title" },
        days.get(state.day).map((slot) => {
          const start = Date.parse(slot.startDate);
          const end = Date.parse(slot.endDate);
          return h("li", {},
            h("button", {
              type: "button", class: slot.held ? "time held" : "time", key: `time-${slot.startDate}`,
              "aria-pressed": slot.held ? "true" : false, "aria-disabled": state.busy ? "true" : false,
              "aria-label": text.timeButton(clock(start), clock(end)) + (slot.held ? `, ${text.heldMark}` : ""),
              onclick: () => (slot.held ? go("details") : pick(slot)),
            }, clock(start)));
        })),
    ];
  }

  return [
    heading(text.timeTitle),
    summary,
    noticeBox(),
    held,
    h("p", { class: "tz" }, text.timeZoneNote(zoneName, zone()), ownZone && ownZone !== zone() ? ` ${text.timeZoneDiffers}` : ""),
    h("section", { class: "calendar", "aria-labelledby": "week-label" }, nav, dayButtons, h("div", { class: "times-box" }, times)),
  ];
}

function backToTopic() {
  releaseHold();
  state.notice = null;
  go("topic");
}

async function pick(slot) {
  if (state.busy) return;
  const text = t();
  const previous = state.hold;
  state.busy = true;
  state.notice = null;
  announce(text.reserving);
  render();
  try {
    const hold = await call("POST", "bookme/time-slots/reserve", {
      body: {
        timeSlot: {
          startDate: slot.startDate,
          endDate: slot.endDate,
          status: "Reserved",
          employeeId: slot.employeeId,
          ...(slot.roomId ? { roomId: slot.roomId } : {}),
        },
        token: reservationToken(), // the same token every time: the API frees the previous hold
      },
    });
    state.busy = false;
    state.hold = { ...hold, meetingType: slot.meetingType, topicId: state.choice.topicId, customerTypeId: state.choice.customerTypeId };
    state.idempotencyKey = auth.randomId(); // one per hold: a double click or a retry books once
    state.errors = {};
    startCountdown();
    go("details");
  } catch (error) {
    state.busy = false;
    if (error instanceof ApiError && (error.status === 409 || error.status === 404)) {
      const kept = previous && state.hold === previous ? ` ${text.previousKept(when(Date.parse(previous.startDate)))}` : "";
      state.notice = { kind: "error", text: text.taken(clock(Date.parse(slot.startDate))) + kept };
      await loadWeek({ focus: "#notice" });
      return;
    }
    failure(error);
  }
}

// -- step 3: details and confirm ----------------------------------------------------------------

function viewDetails() {
  const text = t();
  const hold = state.hold;
  const topic = topicById(state.choice.topicId);
  const d = state.details;
  const phoneRequired = state.choice.meetingType === "Telephone";
  if (!hold) {
    return [
      heading(text.detailsTitle),
      h("div", { class: "notice error", role: "alert" },
        h("h3", { id: "expired-title", tabindex: "-1" }, text.holdExpiredTitle),
        h("p", {}, text.holdExpired),
        h("div", { class: "actions" }, h("button", { type: "button", class: "primary", key: "pick-again", onclick: () => { state.notice = null; showTime(); } }, text.pickAgain))),
    ];
  }
  const field = (key, label, input, hint) =>
    h("div", { class: "field" },
      h("label", { for: key }, label),
      hint ? h("p", { class: "hint", id: `${key}-hint` }, hint) : null,
      fieldError(key),
      input);
  const attrs = (key, hint) => ({
    id: key, name: key, key, "aria-describedby": described(key, hint), "aria-invalid": state.errors[key] ? "true" : false,
    oninput: (e) => { state.details[key] = e.target.value; },
  });
  const form = h("form", { novalidate: true, onsubmit: confirm, class: "stack", "aria-labelledby": "step-title" },
    field("name", text.nameLabel, h("input", { ...attrs("name"), type: "text", autocomplete: "name", required: true, value: d.name, maxlength: 200 })),
    field("email", text.emailLabel, h("input", { ...attrs("email"), type: "email", autocomplete: "email", required: true, value: d.email, maxlength: 320, spellcheck: "false" })),
    field("phone", phoneRequired ? text.phoneLabel : text.phoneOptional,
      h("input", { ...attrs("phone", true), type: "tel", autocomplete: "tel", required: phoneRequired, value: d.phone, maxlength: 50 }), text.phoneHint),
    field("description", text.descriptionLabel,
      h("textarea", { ...attrs("description", true), rows: 3, maxlength: DESCRIPTION_MAX }, d.description), text.descriptionHint(DESCRIPTION_MAX)),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "primary", key: "confirm", "aria-disabled": state.busy ? "true" : false }, state.busy ? text.confirming : text.confirm)));
  return [
    heading(text.detailsTitle),
    h("div", { class: "hold-box" },
      h("p", { class: "hold-what" }, h("strong", {}, span(Date.parse(hold.startDate), Date.parse(hold.endDate))), h("br"),
        `${topic?.name || ""} · ${typeLabel(hold.meetingType)}`),
      h("p", { class: "countdown" }, h("span", { id: "hold-lead" }, text.holdLead), " ",
        h("span", { role: "timer", "aria-labelledby": "hold-lead", "data-countdown": "", id: "countdown" }, mmss(Date.parse(hold.expiresAt) - Date.now()))),
      h("button", { type: "button", class: "link", key: "other-time", onclick: () => { state.notice = null; showTime(); } }, text.otherTime)),
    noticeBox(),
    form,
  ];
}

function validateDetails() {
  const text = t();
  const d = state.details;
  const errors = {};
  d.name = d.name.trim();
  d.email = d.email.trim();
  d.phone = d.phone.trim();
  if (!d.name) errors.name = text.nameMissing;
  if (!EMAIL.test(d.email)) errors.email = text.emailInvalid;
  if (d.phone && !PHONE.test(d.phone)) errors.phone = text.phoneInvalid;
  else if (!d.phone && state.choice.meetingType === "Telephone") errors.phone = text.phoneMissing;
  if (d.description.length > DESCRIPTION_MAX) errors.description = text.descriptionTooLong(DESCRIPTION_MAX);
  return errors;
}

function showErrors(errors) {
  state.errors = errors;
  const first = Object.keys(errors)[0];
  render({ focus: first ? `#${first}` : null });
  announce(t().fixErrors(Object.keys(errors).length));
}

const API_FIELDS = { customerName: "name", customerEmail: "email", customerPhone: "phone", description: "description" };

async function confirm(event) {
  event.preventDefault();
  if (state.busy || !state.hold) return;
  const errors = validateDetails();
  if (Object.keys(errors).length) return showErrors(errors);
  const hold = state.hold;
  const d = state.details;
  state.errors = {};
  state.notice = null;
  state.busy = true;
  render({ focus: '[data-key="confirm"]' });
  announce(t().confirming);
  let meeting;
  try {
    meeting = await call("POST", "bookme/meetings", {
      headers: { "Idempotency-Key": state.idempotencyKey },
      body: {
        bookedBy: "customer",
        timeSlotId: hold.id,
        type: hold.meetingType.toLowerCase(),
        topicId: hold.topicId,
        customerTypeId: hold.customerTypeId,
        employeeId: hold.employeeId,
        ...(hold.roomId ? { roomId: hold.roomId } : {}),
        customerName: d.name,
        customerEmail: d.email,
        ...(d.phone ? { customerPhone: d.phone } : {}),
        ...(d.description.trim() ? { description: d.description.trim() } : {}),
      },
    });
  } catch (error) {
    state.busy = false;
    if (error instanceof ApiError && error.status === 400 && error.errors.length) {
      const mapped = {};
      for (const e of error.errors) mapped[API_FIELDS[e.field] || "name"] ??= e.message;
      if (Object.values(API_FIELDS).some((k) => mapped[k])) return showErrors(mapped);
    }
    if (error instanceof ApiError && (error.status === 409 || error.status === 404)) return holdRanOut();
    return failure(error);
  }
  stopCountdown();
  state.busy = false;
  state.hold = null;
  state.meeting = meeting;
  state.cancel = "none";
  const [advisor, room] = await Promise.all([
    get(`config/employees/${encodeURIComponent(meeting.employeeId)}`).catch(() => null),
    meeting.roomId ? get(`config/rooms/${encodeURIComponent(meeting.roomId)}`).catch(() => null) : null,
  ]);
  Object.assign(state, { advisor, room });
  go("done");
}

// -- step 4: confirmation -----------------------------------------------------------------------

function advisorName(employee) {
  if (!employee) return "–";
  return employee.displayName || [employee.firstName, employee.lastName].filter(Boolean).join(" ") || employee.initials;
}

function place(meeting) {
  const text = t();
  if (meeting.type === "Online") return [text.onlinePlace];
  if (meeting.type === "Telephone") return [text.phonePlace(meeting.customerPhone)];
  if (meeting.type === "OffSite") return [text.offsitePlace];
  const branch = state.locations.find((l) => l.location === (meeting.location || state.room?.location));
  return [
    branch ? branch.displayName || branch.location : meeting.location || "–",
    branch?.address ? h("br") : null,
    branch?.address ? h("span", { class: "muted" }, branch.address) : null,
    state.room ? [h("br"), `${text.room}: ${state.room.name}`] : null,
  ];
}

function viewDone() {
  const text = t();
  const m = state.meeting;
  const cancelled = state.cancel === "done";
  const row = (label, ...value) => [h("dt", {}, label), h("dd", {}, value)];
  const start = Date.parse(m.startDate);
  return [
    heading(cancelled ? text.cancelledTitle : text.doneTitle),
    cancelled ? h("p", { class: "notice info", role: "status" }, text.cancelled) : h("p", {}, text.doneLead),
    h("dl", { class: cancelled ? "facts cancelled" : "facts" },
      row(text.topic, topicById(m.topicId)?.name || "–"),
      row(text.meetingType, typeLabel(m.type)),
      row(text.when, span(start, Date.parse(m.endDate))),
      row(text.advisor, advisorName(state.advisor)),
      row(text.where, place(m))),
    state.cancel === "unavailable" ? h("p", { class: "notice error", role: "alert", id: "notice", tabindex: "-1" }, text.cancelUnavailable) : null,
    cancelled ? null : h("div", { class: "actions" },
      h("button", { type: "button", class: "primary", key: "ics", onclick: downloadIcs }, text.downloadIcs),
      state.cancel === "asking" ? null : h("button", { type: "button", class: "secondary danger", key: "cancel", onclick: askCancel }, text.cancelMeeting)),
    state.cancel === "asking"
      ? h("div", { class: "confirm-cancel", role: "group", "aria-labelledby": "cancel-question" },
        h("p", { id: "cancel-question", tabindex: "-1" }, text.cancelQuestion(when(start))),
        h("div", { class: "actions" },
          h("button", { type: "button", class: "danger", key: "cancel-yes", onclick: cancelMeeting }, text.cancelYes),
          h("button", { type: "button", class: "secondary", key: "cancel-no", onclick: () => { state.cancel = "none"; render({ focus: '[data-key="cancel"]' }); } }, text.cancelNo)))
      : null,
    h("p", {}, h("button", { type: "button", class: "link", key: "again", onclick: bookAnother }, text.bookAnother)),
  ];
}

async function downloadIcs() {
  const m = state.meeting;
  try {
    const blob = await call("POST", `bookme/meetings/${encodeURIComponent(m.id)}/ical`, { body: {}, accept: "text/calendar" });
    const href = URL.createObjectURL(blob);
    const link = h("a", { href, download: `${state.lang === "da" ? "moede" : "meeting"}-${time.localDate(Date.parse(m.startDate), zone())}.ics`, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(href), 30000);
    announce(t().downloaded);
  } catch (error) {
    failure(error);
  }
}

function askCancel() {
  state.cancel = "asking";
  render({ focus: "#cancel-question" });
}

async function cancelMeeting() {
  if (state.busy) return;
  state.busy = true;
  try {
    await call("DELETE", `bookme/meetings/${encodeURIComponent(state.meeting.id)}`);
    state.cancel = "done";
    state.busy = false;
    render({ focus: "heading" });
    applyChrome();
  } catch (error) {
    state.busy = false;
    if (error instanceof ApiError && (error.status === 404 || error.status === 405)) {
      state.cancel = "unavailable";
      return render({ focus: "#notice" });
    }
    state.cancel = "none";
    failure(error);
  }
}

function bookAnother() {
  Object.assign(state, { meeting: null, advisor: null, room: null, cancel: "none", notice: null, week: null, day: null });
  state.details.description = "";
  go("topic");
}

boot();
