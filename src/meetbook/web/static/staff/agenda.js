// My agenda: the signed-in advisor's day or week. Meetings (customer, topic, type, room, branch,
// notes, outcome), live holds, calendar entries (Busy, WorkingFromElsewhere, ExtraOpen), working
// hours and closing days. A meeting opens to its details (meeting.js).

import { get } from "../api.js";
import { h } from "../dom.js";
import { clock, dayLong, typeLabel, zone } from "../format.js";
import * as time from "../time.js";
import { branchName, timeOfDay, heading, noticeBox, personName, problem, roomName, s, show, staff, topicName, visit } from "./shell.js";

let view = { date: null, mode: "day" }; // the day shown, or a day of the week shown

export const today = () => time.localDate(Date.now(), zone());

/** #agenda[/YYYY-MM-DD[/day|week]] */
export async function open(parts) {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(parts[0] || "") ? parts[0] : view.date || today();
  view = { date, mode: parts[1] === "week" || (!parts[1] && view.mode === "week") ? "week" : "day" };
  const days = view.mode === "week" ? [0, 1, 2, 3, 4, 5, 6].map((n) => time.addDays(time.mondayOf(date), n)) : [date];
  show([heading(s().agendaTitle), controls(days), h("p", { class: "muted", role: "status" }, s().loading)]);
  const first = days[0];
  const last = days[days.length - 1];
  const range = { startDate: iso(time.zonedToInstant(first, zone())), endDate: iso(time.zonedToInstant(time.addDays(last, 1), zone())) };
  let meetings, slots, hours;
  const mine = visit.id;
  try {
    [meetings, slots, hours] = await Promise.all([
      // advisorId: the meetings the advisor leads and those they join as an additional advisor.
      get("bookme/meetings", { advisorId: staff.me.id, ...range }),
      get("bookme/time-slots", { employeeId: staff.me.id, includeHolds: "true", ...range }),
      get(`bookme/config/employee-schedules/${staff.me.id}/actual`, { from: first, to: last }),
    ]);
  } catch (error) {
    if (mine !== visit.id) return;
    staff.notice = problem(error);
    return show([heading(s().agendaTitle), noticeBox(), controls(days)]);
  }
  if (mine !== visit.id) return;
  const byDay = new Map(days.map((d) => [d, []]));
  for (const m of meetings) byDay.get(time.localDate(Date.parse(m.startDate), zone()))?.push({ kind: "meeting", start: Date.parse(m.startDate), m });
  for (const x of slots) byDay.get(time.localDate(Date.parse(x.startDate), zone()))?.push({ kind: "slot", start: Date.parse(x.startDate), x });
  const hoursOf = new Map(hours.map((d) => [d.date, d]));
  const notice = noticeBox();
  staff.notice = null;
  show([
    heading(s().agendaTitle),
    notice,
    controls(days),
    h("div", { class: view.mode === "week" ? "agenda week" : "agenda" },
      days.map((d) => dayBox(d, hoursOf.get(d), byDay.get(d).sort((a, b) => a.start - b.start)))),
  ], { focus: notice ? "#notice" : "heading" });
}

const iso = (ms) => new Date(ms).toISOString();

function controls(days) {
  const text = s();
  const step = view.mode === "week" ? 7 : 1;
  const go = (date, mode = view.mode) => { location.hash = `#agenda/${date}/${mode}`; };
  const title = view.mode === "week"
    ? text.weekTitle(time.isoWeek(days[0]), dayLong(days[0]), dayLong(days[6]))
    : dayLong(days[0]);
  return h("div", { class: "agenda-tools" },
    h("div", { class: "segmented", role: "group", "aria-label": text.showAs },
      h("button", { type: "button", class: "secondary", key: "mode-day", "aria-pressed": String(view.mode === "day"), onclick: () => go(view.date, "day") }, text.day),
      h("button", { type: "button", class: "secondary", key: "mode-week", "aria-pressed": String(view.mode === "week"), onclick: () => go(view.date, "week") }, text.week)),
    h("div", { class: "week-nav" },
      h("button", { type: "button", class: "secondary", key: "prev", onclick: () => go(time.addDays(view.date, -step)) },
        view.mode === "week" ? text.previousWeek : text.previousDay),
      h("h2", { id: "agenda-range" }, title),
      h("button", { type: "button", class: "secondary", key: "next", onclick: () => go(time.addDays(view.date, step)) },
        view.mode === "week" ? text.nextWeek : text.nextDay)),
    h("button", { type: "button", class: "link", key: "today", onclick: () => go(today()) }, text.today));
}

function dayBox(date, hours, items) {
  const text = s();
  const isToday = date === today();
  let work;
  if (hours?.isBankClosed) work = h("p", { class: "closed" }, text.bankClosed);
  else if (hours?.isAvailable) work = h("p", { class: "muted" }, text.workingHours(timeOfDay(hours.from), timeOfDay(hours.to), branchName(hours.location)));
  else work = h("p", { class: "muted" }, text.notWorking);
  return h("section", { class: `day-box${isToday ? " today" : ""}`, "aria-labelledby": `day-${date}` },
    h("h3", { id: `day-${date}` }, dayLong(date), isToday ? ` (${text.todayWord})` : ""),
    work,
    items.length
      ? h("ul", { class: "entries", "aria-labelledby": `day-${date}` }, items.map((i) => h("li", {}, i.kind === "meeting" ? meetingEntry(i.m) : slotEntry(i.x))))
      : h("p", { class: "empty" }, text.nothingThatDay));
}

function meetingEntry(m) {
  const text = s();
  const cancelled = m.status === "Cancelled";
  const place = [roomName(m.roomId), m.type === "Physical" ? branchName(m.location) : ""].filter(Boolean).join(", ");
  // Everyone else in the meeting: for an additional advisor that includes the main one.
  const others = [m.employeeId, ...(m.additionalEmployees || [])].filter((id) => id && id !== staff.me?.id);
  return h("a", { class: `entry meeting${cancelled ? " cancelled" : ""}`, href: `#meeting/${m.id}`, key: `meeting-${m.id}` },
    h("span", { class: "entry-time" }, `${clock(m.startDate)}–${clock(m.endDate)}`),
    h("span", { class: "entry-main" },
      h("strong", {}, m.customerName || m.customerId || text.noCustomerName),
      " · ", topicName(m.topicId) || m.title || "", " · ", typeLabel(m.type),
      place && ` · ${place}`,
      others.length ? ` · ${text.with} ${others.map((id) => personName(staff.employees.find((e) => e.id === id)) || id).join(", ")}` : ""),
    m.description && h("span", { class: "entry-notes" }, m.description),
    cancelled && h("span", { class: "badge cancelled" }, text.cancelled),
    m.outcome && h("span", { class: `badge ${m.outcome === "NoShow" ? "noshow" : "attended"}` }, text.outcomes[m.outcome]));
}

function slotEntry(x) {
  const text = s();
  const label = x.status === "Reserved" ? text.holdUntil(clock(x.expiresAt)) : text.calendarKinds[x.status] || x.status;
  return h("div", { class: `entry slot ${x.status}` },
    h("span", { class: "entry-time" }, `${clock(x.startDate)}–${clock(x.endDate)}`),
    h("span", { class: "entry-main" }, label, x.roomId ? ` · ${roomName(x.roomId)}` : ""));
}
