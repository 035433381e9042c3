// Book for a customer (at the counter or on the phone): what the meeting is about, with whom and
// where; a week of free times searched with the internal rules (no minimum notice, not
// customer-initiated); the same hold and booking calls as the booking page, booked by an employee.

import { call, get } from "../api.js";
import { randomId } from "../auth.js";
import { h } from "../dom.js";
import { clock, dayLong, span, typeLabel, zone } from "../format.js";
import * as time from "../time.js";
import { timesPicker } from "./meeting.js";
import {
  branchName, busy, employeeName, field, heading, noticeBox, personName, problem, roomName, s, select, show, staff, visit,
} from "./shell.js";

const TYPES = ["Physical", "Online", "Telephone", "OffSite"];
const token = randomId(); // one reservation token per visit: a new pick moves the hold
let choice = null; // {customerTypeId, topicId, type, location, employeeId, additional: [], roomId}
let stage = "choose"; // choose | times | details | done
let week = null;
let slots = [];
let day = null;
let held = null;
let details = { customerName: "", customerId: "", customerEmail: "", customerPhone: "", description: "" };
let errors = {};
let booked = null;

function fresh() {
  choice = { customerTypeId: "", topicId: "", type: "", location: staff.me?.location || "", employeeId: staff.me?.id || "", additional: [], roomId: "" };
  stage = "choose";
  held = null;
  booked = null;
  errors = {};
  details = { customerName: "", customerId: "", customerEmail: "", customerPhone: "", description: "" };
}

export function open() {
  if (!choice || stage === "done") fresh();
  draw();
}

function topicOf(id) {
  return staff.topics.find((x) => x.id === id);
}

function typesOf(topic) {
  const allowed = topic?.meetingTypes?.length ? topic.meetingTypes : TYPES;
  return TYPES.filter((x) => allowed.some((a) => a.toLowerCase() === x.toLowerCase()));
}

function draw(focus) {
  const text = s();
  const notice = noticeBox();
  staff.notice = null;
  const body = { choose: chooseForm, times: timesView, details: detailsForm, done: doneView }[stage]();
  show([heading(stage === "done" ? text.bookedTitle : text.bookTitle), notice, body], { focus: focus || (notice ? "#notice" : "heading") });
}

function chooseForm() {
  const text = s();
  const topic = topicOf(choice.topicId);
  const types = typesOf(topic);
  if (!types.includes(choice.type)) choice.type = types[0] || "";
  const parents = staff.topics.filter((x) => !x.parentId);
  const topicOptions = [{ value: "", label: text.chooseTopic }, ...parents.map((p) => {
    const children = staff.topics.filter((x) => x.parentId === p.id);
    return children.length
      ? { group: p.name, options: [{ value: p.id, label: text.topicGeneral(p.name) }, ...children.map((c) => ({ value: c.id, label: c.name }))] }
      : { value: p.id, label: p.name };
  })];
  const atBranch = staff.employees.filter((e) => !choice.location || e.location === choice.location);
  const others = atBranch.filter((e) => e.id !== choice.employeeId);
  const rooms = staff.rooms.filter((r) => r.location === choice.location && r.canBeBooked);
  const keep = (name) => (event) => { choice[name] = event.target.value; if (name !== "roomId") draw(`#${event.target.id}`); };
  const submit = (event) => {
    event.preventDefault();
    errors = {};
    if (!choice.topicId) errors.topic = text.chooseTopicError;
    if (choice.type === "Physical" && !choice.location) errors.branch = text.chooseBranchError;
    if (Object.keys(errors).length) return draw(errors.topic ? "#topic" : "#branch");
    week = time.mondayOf(time.localDate(Date.now(), zone()));
    day = null;
    search();
  };
  return h("form", { class: "stack", onsubmit: submit, novalidate: true },
    h("div", { class: "grid-2" },
      field("customer-type", text.customerType, select("customer-type",
        [{ value: "", label: text.notGiven }, ...staff.customerTypes.map((c) => ({ value: c.id, label: c.name }))], choice.customerTypeId,
        { onchange: keep("customerTypeId") })),
      h("div", { class: "field" }, h("label", { for: "topic" }, text.topic), errorOf("topic"),
        select("topic", topicOptions, choice.topicId, { onchange: keep("topicId"), "aria-invalid": errors.topic ? "true" : false,
          "aria-describedby": errors.topic ? "topic-error" : false })),
      field("meeting-type", text.meetingType, select("meeting-type", types.map((x) => ({ value: x, label: typeLabel(x) })), choice.type,
        { onchange: keep("type"), disabled: !topic })),
      h("div", { class: "field" }, h("label", { for: "branch" }, text.branch), errorOf("branch"),
        select("branch", [{ value: "", label: text.anyBranch }, ...staff.locations.map((l) => ({ value: l.location, label: l.displayName || l.location }))],
          choice.location, { onchange: (e) => { choice.location = e.target.value; choice.roomId = ""; choice.additional = []; draw("#branch"); },
            "aria-invalid": errors.branch ? "true" : false, "aria-describedby": errors.branch ? "branch-error" : false })),
      field("advisor", text.advisor, select("advisor",
        [{ value: "", label: text.firstFreeAdvisor }, ...atBranch.map((e) => ({ value: e.id, label: e.id === staff.me?.id ? text.myself(personName(e)) : personName(e) }))],
        choice.employeeId, { onchange: (e) => { choice.employeeId = e.target.value; choice.additional = choice.additional.filter((x) => x !== e.target.value); draw("#advisor"); } })),
      choice.type === "Physical" && field("room", text.room, select("room",
        [{ value: "", label: text.anyRoom }, ...rooms.map((r) => ({ value: r.id, label: r.capacity ? text.roomWithSeats(r.name, r.capacity) : r.name }))],
        choice.roomId, { onchange: keep("roomId") }), text.roomHint)),
    choice.employeeId && others.length > 0 && h("fieldset", {},
      h("legend", {}, text.moreAdvisors),
      h("p", { class: "hint" }, text.moreAdvisorsHint),
      h("div", { class: "choices" }, others.map((e) => h("label", { class: "choice" },
        h("input", { type: "checkbox", value: e.id, checked: choice.additional.includes(e.id),
          onchange: (ev) => { choice.additional = ev.target.checked ? [...choice.additional, e.id] : choice.additional.filter((x) => x !== e.id); } }),
        personName(e))))),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", key: "show-times" }, text.showTimes)));
}

function errorOf(key) {
  return errors[key] ? h("p", { class: "field-error", id: `${key}-error` }, errors[key]) : null;
}

async function search(focus) {
  stage = "times";
  slots = [];
  draw();
  const now = Date.now();
  const from = Math.max(time.zonedToInstant(week, zone()), now);
  const named = choice.employeeId ? [choice.employeeId, ...choice.additional] : [];
  const mine = visit.id;
  try {
    slots = await get("bookme/time-slots/available", {
      requireEmployeeParticipation: "true",
      explicitEmployeeIds: named,
      topic: choice.topicId,
      customerTypeId: choice.customerTypeId,
      meetingTypes: choice.type.toLowerCase(),
      meetingLocation: choice.type === "Physical" ? choice.location : undefined,
      customerLocation: choice.type !== "Physical" ? choice.location : undefined,
      specificRooms: choice.roomId || undefined,
      requireRoom: choice.roomId ? "true" : undefined,
      startDate: new Date(from).toISOString(),
      lookForwardTime: time.timespan(Math.max(time.zonedToInstant(time.addDays(week, 7), zone()) - from, 60000)),
      isCustomerInitiated: "false",
      ignoreMinimumTimeBeforeBooking: "true",
    });
  } catch (error) {
    staff.notice = problem(error);
  }
  if (mine !== visit.id) return;
  const days = [...new Set(slots.map((x) => time.localDate(Date.parse(x.startDate), zone())))].sort();
  if (!day || !days.includes(day)) day = days[0] || null;
  draw(focus || (staff.notice ? "#notice" : "heading"));
}

function summary() {
  const text = s();
  const who = choice.employeeId ? [choice.employeeId, ...choice.additional].map(employeeName).join(", ") : text.firstFreeAdvisor;
  const topic = topicOf(choice.topicId);
  return h("div", { class: "summary" },
    h("p", {}, h("strong", {}, topic?.name || ""), ` · ${typeLabel(choice.type)}`, choice.location ? ` · ${branchName(choice.location)}` : "",
      ` · ${who}`, choice.roomId ? ` · ${roomName(choice.roomId)}` : ""),
    h("button", { type: "button", class: "link", key: "change-choice", onclick: () => { stage = "choose"; draw(); } }, text.change));
}

function timesView() {
  const text = s();
  const dates = [0, 1, 2, 3, 4, 5, 6].map((n) => time.addDays(week, n));
  const thisWeek = time.mondayOf(time.localDate(Date.now(), zone()));
  const shift = (n) => { week = time.addDays(week, 7 * n); day = null; search(n < 0 ? "[data-key='prev-week']" : "[data-key='next-week']"); };
  return h("div", {},
    summary(),
    held && h("div", { class: "held" }, h("p", {}, text.holding(span(held.startDate, held.endDate), clock(held.expiresAt)))),
    h("p", { class: "tz" }, text.timeZoneNote(zone())),
    h("div", { class: "week-nav" },
      h("button", { type: "button", class: "secondary", key: "prev-week", disabled: week <= thisWeek, onclick: () => shift(-1) }, text.previousWeek),
      h("h2", {}, text.weekTitle(time.isoWeek(week), dayLong(dates[0]), dayLong(dates[6]))),
      h("button", { type: "button", class: "secondary", key: "next-week", onclick: () => shift(1) }, text.nextWeek)),
    timesPicker(dates, slots, day, (d) => { day = d; draw("#times-title"); }, hold, held?.startDate));
}

async function hold(slot) {
  if (busy.on) return;
  busy.on = true;
  try {
    held = await call("POST", "bookme/time-slots/reserve", {
      body: {
        timeSlot: { startDate: slot.startDate, endDate: slot.endDate, status: "Reserved", employeeId: slot.employeeId, roomId: slot.roomId || undefined },
        token,
      },
    });
    held.idempotencyKey = randomId();
    stage = "details";
    errors = {};
  } catch (error) {
    staff.notice = problem(error);
  } finally {
    busy.on = false;
  }
  if (stage === "details") draw();
  else search("#notice");
}

function input(key, label, attrs = {}, hint) {
  const id = `customer-${key}`;
  const described = [hint && `${id}-hint`, errors[key] && `${id}-error`].filter(Boolean).join(" ") || false;
  const tag = attrs.multiline ? "textarea" : "input";
  const { multiline, ...rest } = attrs;
  return h("div", { class: "field" },
    h("label", { for: id }, label),
    hint && h("p", { class: "hint", id: `${id}-hint` }, hint),
    errors[key] && h("p", { class: "field-error", id: `${id}-error` }, errors[key]),
    h(tag, { id, value: tag === "input" ? details[key] : undefined, "aria-invalid": errors[key] ? "true" : false, "aria-describedby": described,
      oninput: (e) => { details[key] = e.target.value; }, ...rest }, tag === "textarea" ? details[key] : null));
}

function detailsForm() {
  const text = s();
  const submit = async (event) => {
    event.preventDefault();
    errors = {};
    if (!details.customerName.trim()) errors.customerName = text.nameNeeded;
    if (details.customerEmail.trim() && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(details.customerEmail.trim())) errors.customerEmail = text.emailWrong;
    if (choice.type === "Telephone" && !details.customerPhone.trim()) errors.customerPhone = text.phoneNeeded;
    const first = Object.keys(errors)[0];
    if (first) return draw(`#customer-${first}`);
    await book();
  };
  return h("div", {},
    summary(),
    h("div", { class: "held" }, h("p", {}, text.holding(span(held.startDate, held.endDate), clock(held.expiresAt))),
      h("button", { type: "button", class: "link", key: "other-time", onclick: () => { stage = "times"; draw(); } }, text.otherTime)),
    h("form", { class: "stack", onsubmit: submit, novalidate: true, "aria-labelledby": "details-title" },
      h("h2", { id: "details-title" }, text.customerDetails),
      h("div", { class: "grid-2" },
        input("customerName", text.customerName, { autocomplete: "off", required: true }),
        input("customerId", text.customerNumber, { autocomplete: "off" }, text.customerNumberHint),
        input("customerEmail", text.email, { type: "email", autocomplete: "off" }, text.emailHint),
        input("customerPhone", choice.type === "Telephone" ? text.phoneRequired : text.phone, { type: "tel", autocomplete: "off" })),
      input("description", text.notes, { multiline: true, maxlength: "2000" }, text.notesHint),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", key: "book" }, text.bookButton))));
}

async function book() {
  if (busy.on) return;
  busy.on = true;
  const trimmed = Object.fromEntries(Object.entries(details).map(([k, v]) => [k, v.trim() || undefined]));
  try {
    booked = await call("POST", "bookme/meetings", {
      headers: { "Idempotency-Key": held.idempotencyKey },
      body: {
        bookedBy: "employee", timeSlotId: held.id, type: choice.type, topicId: choice.topicId,
        customerTypeId: choice.customerTypeId || undefined, employeeId: held.employeeId, roomId: held.roomId || undefined,
        additionalEmployees: choice.employeeId ? choice.additional : [], language: document.documentElement.lang === "en" ? "en-GB" : "da-DK",
        ...trimmed,
      },
    });
    stage = "done";
    held = null;
  } catch (error) {
    staff.notice = problem(error);
  } finally {
    busy.on = false;
  }
  draw(stage === "done" ? "heading" : "#notice");
}

function doneView() {
  const text = s();
  const m = booked;
  return h("div", {},
    h("p", { role: "status" }, text.bookedLead(m.customerName || "", span(m.startDate, m.endDate))),
    h("dl", { class: "facts" },
      [[text.advisor, [m.employeeId, ...(m.additionalEmployees || [])].map(employeeName).join(", ")],
        [text.meetingType, typeLabel(m.type)], [text.branch, m.location && branchName(m.location)], [text.room, m.roomId && roomName(m.roomId)]]
        .filter(([, v]) => v).map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
    h("div", { class: "actions" },
      h("a", { class: "button primary", href: `#meeting/${m.id}`, key: "open-booked" }, text.openMeeting),
      h("button", { type: "button", class: "secondary", key: "book-another", onclick: () => { fresh(); draw(); } }, text.bookAnother)));
}
