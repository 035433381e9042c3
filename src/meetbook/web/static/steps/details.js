// Step 3: the customer's details, with the countdown of the hold, and booking the held time.

import { ApiError, call } from "../api.js";
import { h } from "../dom.js";
import { mmss, nameOf, span, t, typeLabel } from "../format.js";
import * as hold from "../hold.js";
import { state, topicById } from "../state.js";
import { announce, described, failure, fieldError, heading, noticeBox, render } from "../ui.js";
import { showBooked } from "./confirmation.js";
import { showTime, whereAndWho } from "./week.js";

const DESCRIPTION_MAX = 1000;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const PHONE = /^\+?[0-9 ()-]{4,}$/;
const API_FIELDS = { customerName: "name", customerEmail: "email", customerPhone: "phone", description: "description" };

export const title = () => t().detailsTitle;

export function view() {
  const text = t();
  const held = hold.current();
  const topic = topicById(state.choice.topicId);
  const d = state.details;
  const phoneRequired = state.choice.meetingType === "Telephone";
  if (!held) {
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
      h("p", { class: "hold-what" }, h("strong", {}, span(Date.parse(held.startDate), Date.parse(held.endDate))), h("br"),
        `${nameOf(topic)} · ${typeLabel(held.meetingType)}`,
        whereAndWho(held, { always: true }) ? [h("br"), h("span", { class: "where-who" }, whereAndWho(held, { always: true }))] : null),
      h("p", { class: "countdown" }, h("span", { id: "hold-lead" }, text.holdLead), " ",
        h("span", { role: "timer", "aria-labelledby": "hold-lead", "data-countdown": "", id: "countdown" }, mmss(Date.parse(held.expiresAt) - Date.now()))),
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

async function confirm(event) {
  event.preventDefault();
  if (state.busy || !hold.current()) return;
  const errors = validateDetails();
  if (Object.keys(errors).length) return showErrors(errors);
  const held = hold.current();
  const d = state.details;
  state.errors = {};
  state.notice = null;
  state.busy = true;
  render({ focus: '[data-key="confirm"]' });
  announce(t().confirming);
  let meeting;
  try {
    meeting = await call("POST", "bookme/meetings", {
      headers: { "Idempotency-Key": hold.bookingKey() },
      body: {
        bookedBy: "customer",
        timeSlotId: held.id,
        type: held.meetingType.toLowerCase(),
        topicId: held.topicId,
        customerTypeId: held.customerTypeId,
        employeeId: held.employeeId,
        ...(held.roomId ? { roomId: held.roomId } : {}),
        customerName: d.name,
        customerEmail: d.email,
        ...(d.phone ? { customerPhone: d.phone } : {}),
        ...(d.description.trim() ? { description: d.description.trim() } : {}),
        language: state.lang === "en" ? "en-GB" : "da-DK", // the invitation comes in the page's language
      },
    });
  } catch (error) {
    state.busy = false;
    if (error instanceof ApiError && error.status === 400 && error.errors.length) {
      const mapped = {};
      for (const e of error.errors) mapped[API_FIELDS[e.field] || "name"] ??= e.message;
      if (Object.values(API_FIELDS).some((k) => mapped[k])) return showErrors(mapped);
    }
    if (error instanceof ApiError && (error.status === 409 || error.status === 404)) return hold.ranOut();
    return failure(error);
  }
  hold.forget();
  state.busy = false;
  await showBooked(meeting);
}
