// The branch view (managers, admin scope): the branch's advisors x the days of a week with their
// hours, where they work, and their load (booked time against the daily cap); advisors customers
// cannot book are flagged with the reason, as BookMe's Manage Availability page does.

import { get } from "../api.js";
import { h } from "../dom.js";
import { dayLong, zone } from "../format.js";
import * as time from "../time.js";
import { branchName, timeOfDay, field, heading, noticeBox, personName, problem, s, select, show, staff, visit } from "./shell.js";

let location_ = null;
let week = null;

const hours = (seconds) => {
  const minutes = Math.round(seconds / 60);
  return s().duration(Math.floor(minutes / 60), minutes % 60);
};

export async function open() {
  const text = s();
  location_ = location_ || staff.me?.location || staff.locations[0]?.location;
  week = week || time.mondayOf(time.localDate(Date.now(), zone()));
  show([heading(text.branchTitle), tools(), h("p", { class: "muted" }, text.loading)], { focus: document.activeElement?.id === "branch-pick" ? "#branch-pick" : "heading" });
  let overview;
  const mine = visit.id;
  try {
    overview = await get("bookme/config/branch-overview", { location: location_, week });
    if (mine !== visit.id) return;
  } catch (error) {
    if (mine !== visit.id) return;
    staff.notice = problem(error);
    return show([heading(text.branchTitle), noticeBox(), tools()], { focus: "#notice" });
  }
  const flagged = overview.advisors.filter((a) => a.problems.length);
  show([
    heading(text.branchTitle),
    tools(),
    flagged.length
      ? h("section", { class: "notice warn", "aria-labelledby": "flagged-title" },
        h("h2", { id: "flagged-title" }, text.flaggedTitle(flagged.length)),
        h("ul", {}, flagged.map((a) => h("li", {}, h("strong", {}, personName(a.employee)), ": ", a.problems.map((p) => text.problems[p]).join("; ")))))
      : h("p", { class: "notice info" }, text.noneFlagged),
    table(overview),
  ], { focus: document.activeElement?.dataset?.key ? null : "heading" });
}

function tools() {
  const text = s();
  const shift = (n) => { week = time.addDays(week, 7 * n); open(); };
  const dates = [0, 6].map((n) => time.addDays(week, n));
  return h("div", { class: "agenda-tools" },
    field("branch-pick", text.branch, select("branch-pick", staff.locations.map((l) => ({ value: l.location, label: l.displayName || l.location })),
      location_, { onchange: (e) => { location_ = e.target.value; open(); } })),
    h("div", { class: "week-nav" },
      h("button", { type: "button", class: "secondary", key: "branch-prev", onclick: () => shift(-1) }, text.previousWeek),
      h("h2", {}, text.weekTitle(time.isoWeek(week), dayLong(dates[0]), dayLong(dates[1]))),
      h("button", { type: "button", class: "secondary", key: "branch-next", onclick: () => shift(1) }, text.nextWeek)));
}

function table(overview) {
  const text = s();
  const dates = [0, 1, 2, 3, 4, 5, 6].map((n) => time.addDays(overview.weekStart, n));
  const closed = new Set(overview.closingDays);
  return h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-labelledby": "branch-caption" },
    h("table", { class: "branch" },
      h("caption", { id: "branch-caption" }, text.branchCaption(branchName(overview.location))),
      h("thead", {}, h("tr", {},
        h("th", { scope: "col" }, text.advisor),
        dates.map((d) => h("th", { scope: "col", class: closed.has(d) ? "closed" : "" }, dayLong(d), closed.has(d) ? h("span", { class: "sub" }, text.bankClosed) : null)))),
      h("tbody", {}, overview.advisors.map((a) => h("tr", { class: a.problems.length ? "flagged" : "" },
        h("th", { scope: "row" },
          h("span", { class: "who" }, personName(a.employee)),
          h("span", { class: "sub" }, `${a.employee.initials} · ${branchName(a.employee.location)}`),
          a.isOnlyExplicitlyAvailable && h("span", { class: "sub" }, text.onlyByName),
          a.problems.map((p) => h("span", { class: "badge warn" }, "⚠ ", text.problemsShort[p]))),
        a.days.map((d) => cell(d, overview.location, closed.has(d.date))))))));
}

function cell(d, here, closed) {
  const text = s();
  if (!d.isAvailable) return h("td", { class: "off" }, closed ? text.closedShort : text.notWorkingShort);
  const share = d.dailyCap ? Math.min(1, time.parseTimespan(d.booked) / time.parseTimespan(d.dailyCap)) : null;
  const booked = time.parseTimespan(d.booked) / 1000;
  return h("td", {},
    h("span", { class: "hours" }, `${timeOfDay(d.from)}–${timeOfDay(d.to)}`),
    d.location !== here && h("span", { class: "sub elsewhere" }, branchName(d.location)),
    h("span", { class: "sub" }, d.dailyCap
      ? text.loadOfCap(hours(booked), hours(time.parseTimespan(d.dailyCap) / 1000), d.meetings)
      : text.loadNoCap(hours(booked), d.meetings)),
    share !== null && h("span", { class: `meter${share >= 1 ? " full" : ""}`, "aria-hidden": "true" }, h("span", { style: null, class: `fill p${Math.round(share * 10) * 10}` })));
}
