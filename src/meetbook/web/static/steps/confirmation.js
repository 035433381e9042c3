// Step 4: the booked meeting, its .ics download, cancelling it, and starting another booking.

import { ApiError, call, get } from "../api.js";
import { h } from "../dom.js";
import { advisorName, apiLang, branchName, nameOf, span, t, typeLabel, when, zone } from "../format.js";
import { branchByName, state, topicById } from "../state.js";
import * as time from "../time.js";
import { announce, applyChrome, failure, go, heading, render } from "../ui.js";
import { forgetWeek } from "./week.js";

let meeting = null; // the API's answer to the booking
let advisor = null;
let room = null;
let cancel = "none"; // asking | done | unavailable

export const hasMeeting = () => meeting !== null;

/** Show the meeting just booked, with its advisor and room. */
export async function showBooked(booked) {
  meeting = booked;
  cancel = "none";
  [advisor, room] = await Promise.all([
    get(`config/employees/${encodeURIComponent(booked.employeeId)}`).catch(() => null),
    booked.roomId ? get(`config/rooms/${encodeURIComponent(booked.roomId)}`).catch(() => null) : null,
  ]);
  go("done");
}

function place(m) {
  const text = t();
  if (m.type === "Online") return [text.onlinePlace];
  if (m.type === "Telephone") return [text.phonePlace(m.customerPhone)];
  if (m.type === "OffSite") return [text.offsitePlace];
  const branch = branchByName(m.location || room?.location);
  return [
    branch ? branchName(branch) : m.location || "–",
    branch?.address ? h("br") : null,
    branch?.address ? h("span", { class: "muted" }, branch.address) : null,
    room ? [h("br"), `${text.room}: ${room.name}`] : null,
  ];
}

export const title = () => (cancel === "done" ? t().cancelledTitle : t().doneTitle);

export function view() {
  const text = t();
  const m = meeting;
  const cancelled = cancel === "done";
  const row = (label, ...value) => [h("dt", {}, label), h("dd", {}, value)];
  const start = Date.parse(m.startDate);
  return [
    heading(cancelled ? text.cancelledTitle : text.doneTitle),
    cancelled ? h("p", { class: "notice info", role: "status" }, text.cancelled) : h("p", {}, text.doneLead),
    !cancelled && m.customerEmail && state.config?.sendsInvitations
      ? h("p", { class: "invitation", "data-key": "invitation" }, text.invitationSent(m.customerEmail))
      : null,
    h("dl", { class: cancelled ? "facts cancelled" : "facts" },
      row(text.topic, nameOf(topicById(m.topicId)) || "–"),
      row(text.meetingType, typeLabel(m.type)),
      row(text.when, span(start, Date.parse(m.endDate))),
      row(text.advisor, advisorName(advisor) || "–"),
      row(text.where, place(m))),
    cancel === "unavailable" ? h("p", { class: "notice error", role: "alert", id: "notice", tabindex: "-1" }, text.cancelUnavailable) : null,
    cancelled ? null : h("div", { class: "actions" },
      h("button", { type: "button", class: "primary", key: "ics", onclick: downloadIcs }, text.downloadIcs),
      cancel === "asking" ? null : h("button", { type: "button", class: "secondary danger", key: "cancel", onclick: askCancel }, text.cancelMeeting)),
    cancel === "asking"
      ? h("div", { class: "confirm-cancel", role: "group", "aria-labelledby": "cancel-question" },
        h("p", { id: "cancel-question", tabindex: "-1" }, text.cancelQuestion(when(start))),
        h("div", { class: "actions" },
          h("button", { type: "button", class: "danger", key: "cancel-yes", onclick: cancelMeeting }, text.cancelYes),
          h("button", { type: "button", class: "secondary", key: "cancel-no", onclick: () => { cancel = "none"; render({ focus: '[data-key="cancel"]' }); } }, text.cancelNo)))
      : null,
    h("p", {}, h("button", { type: "button", class: "link", key: "again", onclick: bookAnother }, text.bookAnother)),
  ];
}

async function downloadIcs() {
  const m = meeting;
  try {
    // In the page's language, whatever the meeting's (the customer may have switched since booking).
    const blob = await call("POST", `bookme/meetings/${encodeURIComponent(m.id)}/ical`, { query: { lang: apiLang() }, body: {}, accept: "text/calendar" });
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
  cancel = "asking";
  render({ focus: "#cancel-question" });
}

async function cancelMeeting() {
  if (state.busy) return;
  state.busy = true;
  try {
    await call("DELETE", `bookme/meetings/${encodeURIComponent(meeting.id)}`);
    cancel = "done";
    state.busy = false;
    render({ focus: "heading" });
    applyChrome();
  } catch (error) {
    state.busy = false;
    if (error instanceof ApiError && (error.status === 404 || error.status === 405)) {
      cancel = "unavailable";
      return render({ focus: "#notice" });
    }
    cancel = "none";
    failure(error);
  }
}

function bookAnother() {
  meeting = null;
  advisor = null;
  room = null;
  cancel = "none";
  state.notice = null;
  forgetWeek();
  state.details.description = "";
  go("topic");
}
