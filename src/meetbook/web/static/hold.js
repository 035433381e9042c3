// The hold: the one time slot this visit holds while the customer books, its countdown, and
// letting it go. One reservation token per visit, kept in sessionStorage and sent with every hold:
// holding another time moves the hold (the API frees the old one). The hold itself is kept in
// sessionStorage too, so a reload finds it again (restore).

import { ApiError, call, get } from "./api.js";
import { randomId } from "./auth.js";
import { mmss, t } from "./format.js";
import { announce } from "./ui.js";

const RESERVATION_TOKEN = "meetbook.reservationToken";
const HOLD = "meetbook.hold";

let held = null; // the API's answer plus meetingType, topicId, customerTypeId; warned and recheckAt for the countdown
let idempotencyKey = null; // one per hold: a double click or a retry books once
let ticker = null;
let checking = false;
let releasedOnLeave = false;
let whenRanOut = () => {};

/** The held slot, or null. */
export const current = () => held;
export const bookingKey = () => idempotencyKey;

/** What the page does when the server says the hold has run out (app.js decides, per step). */
export function onRanOut(handler) {
  whenRanOut = handler;
}

export function reservationToken() {
  // One token per visit (this browser tab), created when the customer lands, reused for every hold.
  let token = sessionStorage.getItem(RESERVATION_TOKEN);
  if (!token) {
    token = randomId();
    sessionStorage.setItem(RESERVATION_TOKEN, token);
  }
  return token;
}

/** Hold `slot` for the topic and customer type in `choice`, and start the countdown. */
export async function reserve(slot, choice) {
  const answer = await call("POST", "bookme/time-slots/reserve", {
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
  held = { ...answer, meetingType: slot.meetingType, topicId: choice.topicId, customerTypeId: choice.customerTypeId, location: slot.location || null };
  idempotencyKey = randomId();
  keep();
  startCountdown();
  return held;
}

function keep() {
  if (held) sessionStorage.setItem(HOLD, JSON.stringify({ ...held, key: idempotencyKey, warned: undefined, recheckAt: undefined }));
  else sessionStorage.removeItem(HOLD);
}

/** After a reload: the hold this tab had, asked of the API. Leaving the page released it (pagehide),
 *  so the same time is held again with the visit's token while the old hold would still have lasted
 *  (a reload, or back within its five minutes); null when it is gone or taken. */
export async function restore() {
  let kept = null;
  try {
    kept = JSON.parse(sessionStorage.getItem(HOLD) || "null");
  } catch { /* nothing kept */ }
  if (!kept?.id) return null;
  try {
    const answer = await get(`bookme/time-slots/${encodeURIComponent(kept.id)}`);
    if (answer.status === "Reserved" && Date.parse(answer.expiresAt) > Date.now()) {
      held = { ...kept, ...answer };
      idempotencyKey = kept.key || randomId();
      keep();
      startCountdown();
      return held;
    }
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) throw error;
  }
  if (Date.parse(kept.expiresAt) > Date.now()) {
    try {
      return await reserve(kept, kept);
    } catch (error) {
      if (!(error instanceof ApiError && (error.status === 409 || error.status === 404))) throw error;
    }
  }
  sessionStorage.removeItem(HOLD);
  return null;
}

/** Give the time back to others now (the API is told; `keepalive` lets that outlive the page). */
export function release({ keepalive = false, remember = false } = {}) {
  const hold = held;
  if (!hold) return;
  held = null;
  stopCountdown();
  if (!remember) keep(); // a page being left keeps the record, so that a reload can hold the time again
  call("DELETE", `bookme/time-slots/${encodeURIComponent(hold.id)}`, {
    query: { reservationToken: reservationToken() },
    keepalive, // lets the request finish after the page is gone
  }).catch(() => { /* it runs out by itself within five minutes */ });
}

/** Stop counting and forget the hold without telling the API (it was booked, or the customer signed out). */
export function forget() {
  stopCountdown();
  held = null;
  keep();
}

/** The hold is gone on the server: forget it and let the page say so. */
export function ranOut() {
  stopCountdown();
  held = null;
  keep();
  whenRanOut();
}

/** pagehide: release the hold, and remember that for when the page is shown again. */
export function leave() {
  if (held) {
    release({ keepalive: true, remember: true });
    releasedOnLeave = true;
  }
}

/** Whether the hold was released when the page was left; asking clears it. */
export function takeReleasedOnLeave() {
  const was = releasedOnLeave;
  releasedOnLeave = false;
  if (was) keep(); // back from the page cache: the hold stays released
  return was;
}

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
  const hold = held;
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
    if (error instanceof ApiError && error.status === 404 && held === hold) ranOut();
    else hold.recheckAt = Date.now() + 5000;
  } finally {
    checking = false;
  }
}
