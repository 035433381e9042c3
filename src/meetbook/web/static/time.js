// Calendar arithmetic in the bank's time zone with nothing but Intl.
// A "date" here is a plain calendar date "YYYY-MM-DD"; an "instant" is epoch milliseconds.

const partFormats = new Map();

function partsFormat(zone) {
  let format = partFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit",
    });
    partFormats.set(zone, format);
  }
  return format;
}

/** The wall-clock fields of an instant in a zone. */
export function zonedParts(instant, zone) {
  const out = {};
  for (const { type, value } of partsFormat(zone).formatToParts(new Date(instant))) {
    if (type !== "literal") out[type] = Number(value);
  }
  return out;
}

function offset(instant, zone) {
  const p = zonedParts(instant, zone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(instant / 1000) * 1000;
}

/** The instant at which the zone's clocks show `date` hh:mm (the later one if ambiguous is not needed: midnights). */
export function zonedToInstant(date, zone, hour = 0, minute = 0) {
  const [y, m, d] = date.split("-").map(Number);
  const wall = Date.UTC(y, m - 1, d, hour, minute);
  let instant = wall - offset(wall, zone);
  instant = wall - offset(instant, zone); // once more, for a day on which the offset changes
  return instant;
}

/** The calendar date an instant falls on in the zone. */
export function localDate(instant, zone) {
  const p = zonedParts(instant, zone);
  return `${p.year}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`;
}

function utcNoon(date) {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d, 12));
}

export function addDays(date, days) {
  const t = utcNoon(date);
  t.setUTCDate(t.getUTCDate() + days);
  return t.toISOString().slice(0, 10);
}

/** The Monday of the (ISO) week a date is in. */
export function mondayOf(date) {
  const weekday = (utcNoon(date).getUTCDay() + 6) % 7; // Monday 0 ... Sunday 6
  return addDays(date, -weekday);
}

export function isoWeek(date) {
  const thursday = utcNoon(addDays(mondayOf(date), 3));
  const firstThursday = utcNoon(addDays(mondayOf(`${thursday.getUTCFullYear()}-01-04`), 3));
  return 1 + Math.round((thursday - firstThursday) / (7 * 86400000));
}

/** A calendar date as a Date to format with timeZone "UTC" (so no zone can move it to another day). */
export function dateValue(date) {
  return utcNoon(date);
}

/** Milliseconds as a .NET TimeSpan "d.hh:mm:ss", the API's duration format. */
export function timespan(ms) {
  const total = Math.max(0, Math.round(ms / 1000));
  const days = Math.floor(total / 86400);
  const rest = total % 86400;
  const pad = (n) => String(n).padStart(2, "0");
  return `${days}.${pad(Math.floor(rest / 3600))}:${pad(Math.floor((rest % 3600) / 60))}:${pad(rest % 60)}`;
}

/** "[d.]hh:mm[:ss]" to milliseconds; null when absent or unreadable. */
export function parseTimespan(text) {
  const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{2})(?::(\d{2}))?/.exec(text || "");
  if (!match) return null;
  const [, d, h, m, s] = match;
  return ((Number(d || 0) * 24 + Number(h)) * 3600 + Number(m) * 60 + Number(s || 0)) * 1000;
}
