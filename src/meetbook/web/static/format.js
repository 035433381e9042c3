// Texts and formats in the customer's language, times in the bank's time zone.

import { TEXT, LANGUAGES } from "./i18n.js";
import * as time from "./time.js";
import { state } from "./state.js";

export const t = () => TEXT[state.lang];
export const locale = () => LANGUAGES[state.lang];
export const zone = () => state.settings.timeZone || "Europe/Copenhagen";

function format(instant, options) {
  return new Intl.DateTimeFormat(locale(), { timeZone: zone(), ...options }).format(new Date(instant));
}
export const clock = (instant) => format(instant, { hour: "2-digit", minute: "2-digit" });
export const dayLong = (date) =>
  new Intl.DateTimeFormat(locale(), { timeZone: "UTC", weekday: "long", day: "numeric", month: "long" }).format(time.dateValue(date));
export const when = (start) => format(start, { weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit" });
export const span = (start, end) => `${when(start)}–${clock(end)}`;
export const mmss = (ms) => {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
};
// The API's language tag for the page's language: names come back localized (?lang=).
export const apiLang = () => LANGUAGES[state.lang];
// The bank's words when they were read in the page's language (a switch reads them again).
const bankWords = () => (state.namesLang === state.lang ? state.settings.localizedMeetingTypeNames : null);
export const typeLabel = (type) =>
  state.settings.meetingTypeLabels?.[state.lang]?.[type] || bankWords()?.[type] || t().meetingTypes[type] || type;
// A topic's or customer type's name, and a branch's, in the customer's language when the API gave it.
export const nameOf = (thing) => (thing && (thing.localizedName || thing.name)) || "";
export const branchName = (location) =>
  (location && (location.localizedDisplayName || location.displayName || location.location)) || "";
export const advisorName = (employee) =>
  (employee && (employee.displayName || [employee.firstName, employee.lastName].filter(Boolean).join(" ") || employee.initials)) || "";
export const minutesOf = (topic) => Math.round((time.parseTimespan(topic?.meetingDuration) ?? time.parseTimespan(state.settings.defaultMeetingDuration) ?? 3600000) / 60000);
