// Step 2: the week view. The days with free times, the chosen day's times, earlier and later weeks,
// and, when a week is empty, why (per day) and what to take instead, each one click from a hold; the
// next free time further ahead when the server offers nothing. Picking a time holds it (hold.js).
// Every time says with whom, and where when the customer chose "any branch".

import { ApiError, get } from "../api.js";
import { h } from "../dom.js";
import { advisorName, apiLang, branchName, clock, dayLong, locale, minutesOf, mmss, nameOf, span, t, typeLabel, when, zone } from "../format.js";
import * as hold from "../hold.js";
import { branchByName, keepChoice, state, topicById } from "../state.js";
import * as time from "../time.js";
import { announce, failure, go, heading, noticeBox, render } from "../ui.js";

const LOOK_AHEAD_DAYS = 60;

let week = null; // the Monday of the week shown, a local date
let day = null; // the day whose times are shown
let slots = null; // this week's free slots; null while they load
let next = undefined; // the first free slot after this week: undefined (not looked), null (none)
let why = undefined; // an empty week's {days, alternatives} from the unavailability call: undefined (not asked), null (none)
let weekRequest = 0; // only the answer to the latest search is shown

function today() {
  return time.localDate(Date.now(), zone());
}

function horizon() {
  const ahead = time.parseTimespan(state.settings.maxTimeFromBookingToMeeting) ?? 365 * 86400000;
  return Date.now() + ahead;
}

/** The next time this step is shown, it starts at the current week again. */
export function forgetWeek() {
  week = null;
  day = null;
}

/** The week view; back from the details, at the day of the time the customer held (or holds). */
export function showTime({ push = true } = {}) {
  state.errors = {};
  const picked = hold.current() || lastPicked;
  if (picked && picked.topicId === state.choice.topicId) {
    day = time.localDate(Date.parse(picked.startDate), zone());
    week = time.mondayOf(day);
  }
  if (!week) week = time.mondayOf(today());
  go("time", { push });
  loadWeek();
}

let lastPicked = null; // the time last picked, for "choose a time again" after the hold ran out

/** "Any branch" for a meeting at a branch: each branch is searched on its own, so each time knows its branch. */
const perBranch = () => state.choice.meetingType === "Physical" && !state.choice.branch && state.locations.length > 1;

/** The search at every branch the customer may meet at, each slot marked with its branch. */
async function search(startInstant, lookForwardMs) {
  if (!perBranch()) {
    const found = await get("bookme/time-slots/available", searchQuery(startInstant, lookForwardMs));
    const where = state.choice.meetingType === "Physical" ? state.choice.branch || state.locations[0]?.location || null : null;
    return found.map((slot) => ({ ...slot, location: where }));
  }
  const answers = await Promise.all(state.locations.map((l) =>
    get("bookme/time-slots/available", { ...searchQuery(startInstant, lookForwardMs), meetingLocation: l.location })
      .then((found) => found.map((slot) => ({ ...slot, location: l.location })))));
  return answers.flat().sort((a, b) => Date.parse(a.startDate) - Date.parse(b.startDate) || branchOrder(a) - branchOrder(b));
}

const branchOrder = (slot) => state.locations.findIndex((l) => l.location === slot.location);

/** The advisors of these slots, asked for once each (a customer may read an employee by id). */
async function loadAdvisors(found) {
  const missing = [...new Set(found.map((s) => s.employeeId))].filter((id) => id && !(id in state.advisors));
  await Promise.all(missing.map((id) =>
    get(`config/employees/${encodeURIComponent(id)}`).then((e) => { state.advisors[id] = e; }, () => { state.advisors[id] = null; })));
}

/** "Aarhus C · Bo Berg": where and with whom. On a time button only for "any branch" (a chosen
 *  branch is said once, above the week); the hold always says it. */
export function whereAndWho(slot, { always = false } = {}) {
  if (!slot || (!always && !perBranch())) return "";
  const where = slot.location ? branchName(branchByName(slot.location)) || slot.location : "";
  return [where, advisorName(state.advisors[slot.employeeId])].filter(Boolean).join(" · ");
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

export async function loadWeek({ focus = null } = {}) {
  const request = ++weekRequest;
  const start = time.zonedToInstant(week, zone());
  const end = time.zonedToInstant(time.addDays(week, 7), zone());
  slots = null;
  next = undefined;
  why = undefined;
  if (state.step === "time") render();
  try {
    const found = await search(start, end - start);
    if (request !== weekRequest) return;
    const seen = new Set();
    const fresh = found.filter((slot) => {
      const at = Date.parse(slot.startDate);
      const key = `${slot.startDate} ${slot.location}`; // one time per start and branch
      const keep = at >= start && at < end && slot.meetingType === state.choice.meetingType && !seen.has(key);
      seen.add(key);
      return keep;
    });
    await loadAdvisors([...fresh, ...(hold.current() ? [hold.current()] : [])]);
    if (request !== weekRequest) return;
    slots = fresh;
    const days = daysWithTimes();
    // The chosen day stays while it is in the week shown (it may have no free time left: it says so).
    if (!day || day < week || day >= time.addDays(week, 7)) day = [...days.keys()].sort()[0] || null;
    if (state.step === "time") render({ focus });
    if (!slots.length) {
      why = await explain(start, end - start);
      if (request !== weekRequest) return;
      if (why) await loadAdvisors(why.alternatives);
      if (request !== weekRequest) return;
      if (state.step === "time") render({ focus });
      if (why?.alternatives.length) return;
      // The server offers nothing instead (or could not say): look further ahead ourselves.
      const later = await search(end, LOOK_AHEAD_DAYS * 86400000);
      if (request !== weekRequest) return;
      next = later.find((slot) => slot.meetingType === state.choice.meetingType) || null;
      if (state.step === "time") render({ focus });
    }
  } catch (error) {
    if (request === weekRequest) failure(error);
  }
}

/** Why the week has no time and what to take instead (GET /bookme/time-slots/unavailability, the
 *  search's own parameters); null when the server cannot say. "Any branch" asks without a branch. */
async function explain(startInstant, lookForwardMs) {
  let answer;
  try {
    answer = await get("bookme/time-slots/unavailability", { ...searchQuery(startInstant, lookForwardMs), lang: apiLang() });
  } catch (error) {
    if (error instanceof ApiError && error.status !== 401) return null; // the old "next free time" then
    throw error;
  }
  // Like the search's slots: a time at a branch knows its branch (the chosen one unless another is offered).
  const where = (alt) => alt.location || (alt.meetingType === "Physical" ? state.choice.branch || null : null);
  return {
    days: answer.days || [],
    alternatives: (answer.alternatives || []).map((alt) => ({ ...alt, location: where(alt) })),
  };
}

/** The most telling reason of a day: a closing day says it all; else the one that took the most advisors. */
function tellingReason(reasons) {
  return reasons.find((r) => r.code === "ClosingDay") || reasons.reduce((best, r) => (r.count > best.count ? r : best), reasons[0]);
}

/** One sentence per run of days (from today on) with the same reason, in the page's language. */
function reasonLines() {
  const text = t();
  const first = today() > week ? today() : week;
  const runs = [];
  for (const d of why?.days || []) {
    if (d.available || !d.reasons?.length || d.date < first || d.date >= time.addDays(week, 7)) continue;
    const reason = { ...tellingReason(d.reasons) };
    // The settings are read again on a language switch: the closing day's name follows the page.
    if (reason.code === "ClosingDay") reason.name = state.settings.localizedClosingDayNames?.[d.date] || reason.name;
    const last = runs[runs.length - 1];
    if (last && last.code === reason.code && last.name === reason.name && time.addDays(last.to, 1) === d.date) last.to = d.date;
    else runs.push({ code: reason.code, name: reason.name, from: d.date, to: d.date });
  }
  const what = (run) => ({ name: run.name, type: typeLabel(state.choice.meetingType), atBranch: state.choice.meetingType === "Physical" });
  return runs.map((run) => {
    const on = text.onDays(dayLong(run.from), dayLong(run.to));
    const say = text.reasons[run.code];
    return say ? say(on, what(run)) : text.otherReason(on);
  });
}

/** Take an alternative as if it were a time in the week: the choice follows it (meeting type, branch). */
function takeAlternative(alt) {
  if (alt.kind === "OtherMeetingType" || alt.kind === "OtherBranch") {
    state.choice.meetingType = alt.meetingType;
    state.choice.branch = alt.meetingType === "Physical" ? alt.location || state.choice.branch : "";
    keepChoice();
  }
  pick(alt);
}

function alternativeButton(alt) {
  const text = t();
  const label = text.alternatives[alt.kind]?.({
    type: typeLabel(alt.meetingType),
    branch: alt.location ? branchName(branchByName(alt.location)) || alt.location : "",
  }) || "";
  const at = when(Date.parse(alt.startDate));
  // Another branch is named in the label already: then only with whom.
  const about = alt.kind === "OtherBranch" ? advisorName(state.advisors[alt.employeeId]) : whereAndWho(alt, { always: true });
  return h("button", {
    type: "button", class: "alternative", key: `alt-${alt.kind}-${alt.startDate}`,
    "aria-disabled": state.busy ? "true" : false,
    "aria-label": [label, at, about].filter(Boolean).join(", "),
    onclick: () => takeAlternative(alt),
  },
  label ? h("strong", {}, label) : null,
  h("span", {}, at),
  about ? h("span", { class: "about" }, about) : null);
}

/** local date -> the times that day, with the held time in its place: the search leaves it out (it is
 *  taken, by us) but may offer another advisor at the same start and branch, which the held one replaces. */
function daysWithTimes() {
  const byDay = new Map();
  const add = (slot, held) => {
    const date = time.localDate(Date.parse(slot.startDate), zone());
    if (!byDay.has(date)) byDay.set(date, []);
    byDay.get(date).push({ ...slot, held });
  };
  const held = hold.current();
  const ours = held && held.meetingType === state.choice.meetingType && held.topicId === state.choice.topicId ? held : null;
  const sameTime = (slot) => slot.startDate === ours.startDate && (!perBranch() || !ours.location || slot.location === ours.location);
  for (const slot of slots || []) if (!(ours && sameTime(slot))) add(slot, false);
  if (ours) {
    const date = time.localDate(Date.parse(ours.startDate), zone());
    if (date >= week && date < time.addDays(week, 7)) add(ours, true);
  }
  for (const list of byDay.values()) list.sort((a, b) => Date.parse(a.startDate) - Date.parse(b.startDate) || branchOrder(a) - branchOrder(b));
  return byDay;
}

function changeWeek(days) {
  week = time.addDays(week, days);
  state.notice = null;
  loadWeek();
}

export const title = () => t().timeTitle;

export function view() {
  const text = t();
  const topic = topicById(state.choice.topicId);
  const monday = time.dateValue(week);
  const sunday = time.dateValue(time.addDays(week, 6));
  const range = new Intl.DateTimeFormat(locale(), { timeZone: "UTC", day: "numeric", month: "long", year: "numeric" }).formatRange(monday, sunday);
  const days = daysWithTimes();
  const zoneName = new Intl.DateTimeFormat(locale(), { timeZone: zone(), timeZoneName: "longGeneric" })
    .formatToParts(new Date()).find((p) => p.type === "timeZoneName")?.value || zone();
  const ownZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const current = time.mondayOf(today());
  const weekStart = time.zonedToInstant(week, zone());
  const mine = hold.current();

  const summary = h("div", { class: "summary" },
    h("p", {}, h("strong", {}, nameOf(topic)), ` · ${typeLabel(state.choice.meetingType)} · ${text.minutes(minutesOf(topic))}`,
      state.choice.branch ? ` · ${branchName(branchByName(state.choice.branch)) || state.choice.branch}` : ""),
    h("button", { type: "button", class: "link", key: "change-choice", "aria-label": text.changeChoice, onclick: backToTopic }, text.change));

  const held = mine
    ? h("div", { class: "held", role: "group", "aria-label": text.youHold(when(Date.parse(mine.startDate))) },
      h("p", {}, text.youHold(span(Date.parse(mine.startDate), Date.parse(mine.endDate))), " ",
        h("span", { class: "countdown-inline" }, "(", h("span", { "data-countdown": "" }, mmss(Date.parse(mine.expiresAt) - Date.now())), ")")),
      whereAndWho(mine, { always: true }) ? h("p", { class: "where-who" }, whereAndWho(mine, { always: true })) : null,
      h("div", { class: "actions" },
        h("button", { type: "button", class: "primary", key: "keep", onclick: () => go("details") }, text.keepThisTime),
        h("button", { type: "button", class: "secondary", key: "release", onclick: () => { hold.release(); announce(text.released); loadWeek({ focus: "#step-title" }); } }, text.releaseThisTime)))
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
          type: "button", class: "day", key: `day-${date}`, "aria-pressed": date === day ? "true" : "false",
          disabled: slots === null || count === 0 || state.busy,
          "aria-label": `${dayLong(date)}, ${text.freeCount(count)}`,
          onclick: () => { day = date; render({ focus: "#times-title" }); },
        },
        h("span", { class: "dow", "aria-hidden": "true" }, new Intl.DateTimeFormat(locale(), { timeZone: "UTC", weekday: "short" }).format(value)),
        h("span", { class: "date", "aria-hidden": "true" }, new Intl.DateTimeFormat(locale(), { timeZone: "UTC", day: "numeric", month: "short" }).format(value)),
        h("span", { class: count ? "mark" : "mark none", "aria-hidden": "true" }, count ? String(count) : "–")));
    }));

  let times;
  if (slots === null) {
    times = h("p", { class: "muted", role: "status" }, text.loadingTimes);
  } else if (!days.size && why?.alternatives.length) {
    const lines = reasonLines();
    times = h("div", { class: "empty" },
      h("div", { role: "status" },
        h("p", {}, h("strong", {}, text.noTimesWeek)),
        lines.length ? h("ul", { class: "reasons" }, lines.map((line) => h("li", {}, line))) : null),
      h("h3", { id: "instead-title" }, text.insteadTitle),
      h("ul", { class: "alternatives", "aria-labelledby": "instead-title" },
        why.alternatives.map((alt) => h("li", {}, alternativeButton(alt)))));
  } else if (!days.size) {
    const first = next;
    const lines = why ? reasonLines() : [];
    times = h("div", { class: "empty", role: "status" },
      h("p", {}, h("strong", {}, text.noTimesWeek)),
      lines.length ? h("ul", { class: "reasons" }, lines.map((line) => h("li", {}, line))) : null,
      first === undefined ? h("p", { class: "muted" }, text.loading) : null,
      first === null ? h("p", {}, text.noTimesAhead(LOOK_AHEAD_DAYS)) : null,
      first ? [
        h("p", {}, text.nextFree(when(Date.parse(first.startDate)))),
        h("button", {
          type: "button", class: "primary", key: "go-next",
          onclick: () => {
            const date = time.localDate(Date.parse(first.startDate), zone());
            week = time.mondayOf(date);
            day = date;
            loadWeek({ focus: "#times-title" });
          },
        }, text.goToNext(time.isoWeek(time.localDate(Date.parse(first.startDate), zone())))),
      ] : null);
  } else if (!day) {
    times = h("p", {}, text.pickDay);
  } else if (!days.has(day)) {
    times = [h("h3", { id: "times-title", tabindex: "-1" }, text.timesOn(dayLong(day))), h("p", {}, text.noTimesDay)];
  } else {
    times = [
      h("h3", { id: "times-title", tabindex: "-1" }, text.timesOn(dayLong(day))),
      h("ul", { class: whereAndWho(days.get(day)[0]) ? "times detailed" : "times", "aria-labelledby": "times-title" },
        days.get(day).map((slot) => {
          const start = Date.parse(slot.startDate);
          const end = Date.parse(slot.endDate);
          const about = whereAndWho(slot);
          return h("li", {},
            h("button", {
              type: "button", class: slot.held ? "time held" : "time", key: `time-${slot.startDate}-${slot.location}`,
              "aria-pressed": slot.held ? "true" : false, "aria-disabled": state.busy ? "true" : false,
              "aria-label": text.timeButton(clock(start), clock(end)) + (about ? `, ${about}` : "") + (slot.held ? `, ${text.heldMark}` : ""),
              onclick: () => (slot.held ? go("details") : pick(slot)),
            }, h("span", { class: "clock" }, clock(start)), about ? h("span", { class: "about" }, about) : null));
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
  hold.release();
  state.notice = null;
  go("topic");
}

async function pick(slot) {
  if (state.busy) return;
  const text = t();
  const previous = hold.current();
  lastPicked = { ...slot, topicId: state.choice.topicId };
  state.busy = true;
  state.notice = null;
  announce(text.reserving);
  render();
  try {
    await hold.reserve(slot, state.choice);
    state.busy = false;
    state.errors = {};
    go("details");
  } catch (error) {
    state.busy = false;
    if (error instanceof ApiError && (error.status === 409 || error.status === 404)) {
      const kept = previous && hold.current() === previous ? ` ${text.previousKept(when(Date.parse(previous.startDate)))}` : "";
      state.notice = { kind: "error", text: text.taken(clock(Date.parse(slot.startDate))) + kept };
      await loadWeek({ focus: "#notice" });
      return;
    }
    failure(error);
  }
}
