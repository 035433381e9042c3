// One meeting: its details, the .ics, its history; marking the outcome (Attended / NoShow, and
// back the same day); moving it to another time (a hold with existingMeetingId, then PUT timeSlotId)
// and cancelling it with a reason.

import { call, get } from "../api.js";
import { randomId } from "../auth.js";
import { h } from "../dom.js";
import { clock, dayLong, span, typeLabel, zone } from "../format.js";
import * as time from "../time.js";
import {
  branchName, busy, employeeName, field, heading, noticeBox, problem, roomName, s, show, staff, topicName, visit,
} from "./shell.js";

let meeting = null;
let history = [];
let mode = "view"; // view | cancel | move
let move = { week: null, slots: [], day: null, held: null };
const token = randomId(); // one reservation token for this visit's moves

/** #meeting/<id>[/move|cancel] */
export async function open(parts) {
  const [id, wanted] = parts;
  if (!meeting || meeting.id !== id) move = { week: null, slots: [], day: null, held: null };
  const mine = visit.id;
  try {
    const [found, changes] = await Promise.all([get(`bookme/meetings/${id}`), get(`bookme/meetings/${id}/history`)]);
    if (mine !== visit.id) return;
    [meeting, history] = [found, changes];
  } catch (error) {
    if (mine !== visit.id) return;
    staff.notice = problem(error);
    meeting = null;
    return show([heading(s().meetingTitle), noticeBox(), backLink()], { focus: "#notice" });
  }
  mode = wanted === "cancel" || wanted === "move" ? wanted : "view";
  if (mode === "move") return openMove();
  draw();
}

function backLink() {
  return h("p", {}, h("a", { href: "#agenda", class: "link" }, s().backToAgenda));
}

function draw(focus) {
  const text = s();
  const notice = noticeBox();
  staff.notice = null;
  show([
    backLink(),
    heading(text.meetingHeading(meeting.customerName || meeting.customerId || text.noCustomerName)),
    notice,
    facts(),
    actions(),
    mode === "cancel" ? cancelForm() : null,
    historySection(),
  ], { focus: focus || (notice ? "#notice" : "heading") });
}

function facts() {
  const text = s();
  const m = meeting;
  const rows = [
    [text.status, m.status === "Cancelled" ? text.cancelled : text.booked],
    [text.when, span(m.startDate, m.endDate)],
    [text.customer, [m.customerName, m.customerId && `(${m.customerId})`].filter(Boolean).join(" ")],
    [text.email, m.customerEmail],
    [text.phone, m.customerPhone],
    [text.topic, topicName(m.topicId) || m.title],
    [text.meetingType, typeLabel(m.type)],
    [text.advisor, employeeName(m.employeeId)],
    [text.moreAdvisors, (m.additionalEmployees || []).map(employeeName).join(", ")],
    [text.branch, m.location && branchName(m.location)],
    [text.room, m.roomId && roomName(m.roomId)],
    [text.notes, m.description],
    [text.bookedBy, text.bookedByWho[m.bookedBy] || m.bookedBy],
    [text.outcome, m.outcome ? text.outcomes[m.outcome] : text.noOutcome],
    [text.cancellationReason, m.cancellationReason],
    [text.cancelledBy, m.cancelledBy && employeeName(m.cancelledBy)],
  ].filter(([, v]) => v);
  return h("dl", { class: "facts" }, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

function actions() {
  const text = s();
  const booked = meeting.status === "Booked";
  const begun = Date.parse(meeting.startDate) <= Date.now();
  return h("div", { class: "stack-s" },
    h("div", { class: "actions" },
      h("button", { type: "button", class: "secondary", key: "ics", onclick: download }, text.downloadIcs),
      booked && h("a", { class: "button secondary", href: `#meeting/${meeting.id}/move`, key: "move" }, text.move),
      booked && mode !== "cancel" && h("a", { class: "button secondary danger", href: `#meeting/${meeting.id}/cancel`, key: "cancel" }, text.cancel)),
    booked && begun && h("fieldset", { class: "outcome" },
      h("legend", {}, text.outcomeLegend),
      h("div", { class: "actions" },
        ["Attended", "NoShow"].map((o) => h("button", {
          type: "button", class: meeting.outcome === o ? "primary" : "secondary", key: `outcome-${o}`,
          "aria-pressed": String(meeting.outcome === o), onclick: () => mark(meeting.outcome === o ? null : o),
        }, text.markAs[o])),
        meeting.outcome && h("button", { type: "button", class: "link", key: "outcome-none", onclick: () => mark(null) }, text.clearOutcome))),
    booked && !begun && h("p", { class: "muted" }, text.outcomeLater));
}

async function mark(outcome) {
  if (busy.on) return;
  busy.on = true;
  try {
    meeting = await call("POST", `bookme/meetings/${meeting.id}/outcome`, { body: { outcome } });
    history = await get(`bookme/meetings/${meeting.id}/history`);
    staff.notice = { kind: "info", text: outcome ? s().outcomeSaved(s().outcomes[outcome]) : s().outcomeCleared };
  } catch (error) {
    staff.notice = problem(error);
  } finally {
    busy.on = false;
  }
  draw("#notice");
}

async function download() {
  try {
    const blob = await call("POST", `bookme/meetings/${meeting.id}/ical`, { accept: "text/calendar" });
    const link = h("a", { href: URL.createObjectURL(blob), download: `meeting-${meeting.id}.ics` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  } catch (error) {
    staff.notice = problem(error);
    draw("#notice");
  }
}

function cancelForm() {
  const text = s();
  const submit = async (event) => {
    event.preventDefault();
    const reason = document.getElementById("reason").value.trim();
    if (!reason) {
      const input = document.getElementById("reason");
      input.setAttribute("aria-invalid", "true");
      document.getElementById("reason-error").textContent = text.reasonNeeded;
      document.getElementById("reason-error").hidden = false;
      return input.focus();
    }
    if (busy.on) return;
    busy.on = true;
    try {
      await call("DELETE", `bookme/meetings/${meeting.id}`, { body: { cancellationReason: reason } });
      staff.notice = { kind: "info", text: text.cancelledNotice };
      location.hash = `#meeting/${meeting.id}`;
    } catch (error) {
      staff.notice = problem(error);
      draw("#notice");
    } finally {
      busy.on = false;
    }
  };
  return h("form", { class: "confirm-cancel stack", onsubmit: submit, novalidate: true, "aria-labelledby": "cancel-title" },
    h("h2", { id: "cancel-title", tabindex: "-1" }, text.cancelTitle),
    field("reason", text.reason,
      h("textarea", { id: "reason", required: true, maxlength: "1000", "aria-describedby": "reason-hint reason-error" }), text.reasonHint),
    h("p", { class: "field-error", id: "reason-error", hidden: true }),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "danger", key: "confirm-cancel" }, text.confirmCancel),
      h("a", { class: "button secondary", href: `#meeting/${meeting.id}` }, text.keepMeeting)));
}

function historySection() {
  const text = s();
  return h("section", { class: "history", "aria-labelledby": "history-title" },
    h("h2", { id: "history-title" }, text.historyTitle),
    h("ol", { class: "history-list" }, history.map((entry) => h("li", {},
      h("p", {}, h("strong", {}, text.historyKinds[entry.kind] || entry.kind), " – ",
        `${dayLong(time.localDate(Date.parse(entry.at), zone()))} ${clock(entry.at)}`),
      entry.by && h("p", { class: "muted" }, text.byWhom(who(entry.by), text.channels[entry.by.channel] || entry.by.channel)),
      Object.keys(entry.changes || {}).length > 0 && h("ul", { class: "changes" },
        Object.entries(entry.changes).map(([name, change]) => h("li", {}, text.changed(name, shown(name, change.from), shown(name, change.to)))))))));
}

function who(by) {
  const name = by.role === "customer" ? null : employeeName(by.subject);
  return `${name && name !== by.subject ? name : by.subject} (${s().roles[by.role] || by.role})`;
}

function shown(name, value) {
  if (value === null || value === undefined || value === "") return "–";
  if (/Date$/.test(name) && typeof value === "string" && !Number.isNaN(Date.parse(value))) {
    return `${dayLong(time.localDate(Date.parse(value), zone()))} ${clock(value)}`;
  }
  if (name === "outcome") return s().outcomes[value] || value;
  if (name === "employeeId" || name === "cancelledBy") return employeeName(value);
  if (name === "roomId") return roomName(value) || value;
  return Array.isArray(value) ? value.join(", ") : String(value);
}

// -- moving ---------------------------------------------------------------------------------------

async function openMove() {
  const today = time.localDate(Date.now(), zone());
  move.week = move.week || time.mondayOf(time.localDate(Math.max(Date.parse(meeting.startDate), Date.now()), zone()));
  if (move.week < time.mondayOf(today)) move.week = time.mondayOf(today);
  drawMove({ loading: true });
  const mine = visit.id;
  try {
    const from = Math.max(time.zonedToInstant(move.week, zone()), Date.now());
    move.slots = await get("bookme/time-slots/available", {
      requireEmployeeParticipation: "true",
      explicitEmployeeIds: [meeting.employeeId, ...(meeting.additionalEmployees || [])],
      topic: meeting.topicId,
      customerTypeId: meeting.customerTypeId,
      meetingTypes: meeting.type.toLowerCase(),
      meetingLocation: meeting.type === "Physical" ? meeting.location : undefined,
      meetingDuration: time.timespan(Date.parse(meeting.endDate) - Date.parse(meeting.startDate)),
      startDate: new Date(from).toISOString(),
      lookForwardTime: time.timespan(time.zonedToInstant(time.addDays(move.week, 7), zone()) - from),
      isCustomerInitiated: "false",
      ignoreMinimumTimeBeforeBooking: "true",
      ignoreMeetingIds: meeting.id,
    });
  } catch (error) {
    staff.notice = problem(error);
    move.slots = [];
  }
  if (mine !== visit.id) return;
  const days = new Set(move.slots.map((x) => time.localDate(Date.parse(x.startDate), zone())));
  if (!move.day || !days.has(move.day)) move.day = [...days].sort()[0] || null;
  drawMove();
}

function drawMove({ loading = false, focus } = {}) {
  const text = s();
  const notice = noticeBox();
  staff.notice = null;
  const dates = [0, 1, 2, 3, 4, 5, 6].map((n) => time.addDays(move.week, n));
  const onDay = move.slots.filter((x) => time.localDate(Date.parse(x.startDate), zone()) === move.day);
  const shiftWeek = (n) => { move.week = time.addDays(move.week, 7 * n); move.day = null; openMove(); };
  show([
    h("p", {}, h("a", { href: `#meeting/${meeting.id}`, class: "link" }, text.backToMeeting)),
    heading(text.moveTitle),
    notice,
    h("p", {}, text.moveLead(span(meeting.startDate, meeting.endDate), employeeName(meeting.employeeId))),
    move.held && h("div", { class: "held", role: "group", "aria-labelledby": "held-text" },
      h("p", { id: "held-text" }, text.moveHeld(span(move.held.startDate, move.held.endDate))),
      h("div", { class: "actions" },
        h("button", { type: "button", class: "primary", key: "confirm-move", onclick: confirmMove }, text.confirmMove))),
    h("div", { class: "week-nav" },
      h("button", { type: "button", class: "secondary", key: "move-prev", onclick: () => shiftWeek(-1),
        disabled: move.week <= time.mondayOf(time.localDate(Date.now(), zone())) }, text.previousWeek),
      h("h2", {}, text.weekTitle(time.isoWeek(move.week), dayLong(dates[0]), dayLong(dates[6]))),
      h("button", { type: "button", class: "secondary", key: "move-next", onclick: () => shiftWeek(1) }, text.nextWeek)),
    loading ? h("p", { class: "muted" }, text.loading) : timesPicker(dates, move.slots, move.day,
      (d) => { move.day = d; drawMove({ focus: "#times-title" }); }, holdForMove),
  ], { focus: focus || (notice ? "#notice" : loading ? null : "heading") });
}

/** The days of a week with their count of free times, and the chosen day's times (shared with book.js). */
export function timesPicker(dates, slots, day, chooseDay, pick, heldStart = null) {
  const text = s();
  const count = (d) => slots.filter((x) => time.localDate(Date.parse(x.startDate), zone()) === d).length;
  const starts = new Map();
  for (const x of slots) if (time.localDate(Date.parse(x.startDate), zone()) === day && !starts.has(x.startDate)) starts.set(x.startDate, x);
  return h("div", { class: "calendar" },
    h("ul", { class: "days" }, dates.map((d) => h("li", {},
      h("button", {
        type: "button", class: "day", key: `day-${d}`, disabled: count(d) === 0, "aria-pressed": String(d === day),
        "aria-label": text.dayWithCount(dayLong(d), count(d)), onclick: () => chooseDay(d),
      }, h("span", { class: "dow" }, dayLong(d).split(" ")[0]), h("span", { class: "date" }, dayLong(d).split(" ").slice(1).join(" ")),
      h("span", { class: `mark${count(d) ? "" : " none"}`, "aria-hidden": "true" }, String(count(d))))))),
    h("div", { class: "times-box" },
      h("h3", { id: "times-title", tabindex: "-1" }, day ? text.timesOn(dayLong(day)) : text.noTimesThisWeek),
      day && h("ul", { class: "times" }, [...starts.values()].map((x) => h("li", {},
        h("button", { type: "button", class: `time${x.startDate === heldStart ? " held" : ""}`, key: `time-${x.startDate}`,
          "aria-pressed": String(x.startDate === heldStart), onclick: () => pick(x) }, clock(x.startDate)))))));
}

async function holdForMove(slot) {
  if (busy.on) return;
  busy.on = true;
  try {
    move.held = await call("POST", "bookme/time-slots/reserve", {
      body: {
        timeSlot: { startDate: slot.startDate, endDate: slot.endDate, status: "Reserved", employeeId: slot.employeeId, roomId: slot.roomId || undefined },
        token, existingMeetingId: meeting.id,
      },
    });
  } catch (error) {
    staff.notice = problem(error);
  } finally {
    busy.on = false;
  }
  drawMove({ focus: move.held && !staff.notice ? "[data-key='confirm-move']" : "#notice" });
}

async function confirmMove() {
  if (busy.on) return;
  busy.on = true;
  try {
    await call("PUT", `bookme/meetings/${meeting.id}`, { body: { timeSlotId: move.held.id } });
    staff.notice = { kind: "info", text: s().movedNotice(span(move.held.startDate, move.held.endDate)) };
    move = { week: null, slots: [], day: null, held: null };
    location.hash = `#meeting/${meeting.id}`;
  } catch (error) {
    staff.notice = problem(error);
    drawMove({ focus: "#notice" });
  } finally {
    busy.on = false;
  }
}
