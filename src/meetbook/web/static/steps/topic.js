// Step 1: customer type, topic, meeting type and (for meetings at a branch) the branch.
// The choice is kept in sessionStorage, so it survives the trip to the identity provider.

import { get } from "../api.js";
import { h } from "../dom.js";
import { apiLang, branchName, locale, nameOf, t, typeLabel } from "../format.js";
import { CHOICE_KEY, keepChoice, state, topicById } from "../state.js";
import { announce, described, failure, fieldError, heading, noticeBox, render } from "../ui.js";
import { forgetWeek, showTime } from "./week.js";

const ALL_TYPES = ["Physical", "Online", "Telephone"];

let customerTypes = [];

/** The choice from earlier in this visit, if any. */
export function restoreChoice() {
  try {
    state.choice = { ...state.choice, ...JSON.parse(sessionStorage.getItem(CHOICE_KEY) || "{}") };
  } catch { /* start afresh */ }
}

/** The bank's customer types; a kept choice that is not among them is dropped, a single one is chosen. */
export function useCustomerTypes(types) {
  customerTypes = types;
  if (!customerTypes.some((c) => c.id === state.choice.customerTypeId)) state.choice.customerTypeId = "";
  if (customerTypes.length === 1) state.choice.customerTypeId = customerTypes[0].id;
}

export async function loadTopics() {
  const query = { isCustomer: "true", lang: apiLang() };
  if (state.choice.customerTypeId) query.customerCategoryId = state.choice.customerTypeId;
  state.topics = await get("bookme/meeting-topics", query);
  if (!state.topics.some((x) => x.id === state.choice.topicId)) state.choice.topicId = "";
  fixMeetingType();
}

function allowedTypes(topic) {
  if (!topic) return [];
  return topic.meetingTypes?.length ? topic.meetingTypes : ALL_TYPES;
}

function fixMeetingType() {
  const types = allowedTypes(topicById(state.choice.topicId));
  if (!types.includes(state.choice.meetingType)) state.choice.meetingType = types.length === 1 ? types[0] : "";
  if (state.choice.meetingType !== "Physical") state.choice.branch = "";
}

/** Topics in the bank's order, each sub-topic under its parent. */
function topicOptions() {
  const text = t();
  const visible = new Set(state.topics.map((x) => x.id));
  const order = (a, b) => (a.order ?? 1e9) - (b.order ?? 1e9) || nameOf(a).localeCompare(nameOf(b), locale());
  const roots = state.topics.filter((x) => !x.parentId || !visible.has(x.parentId)).sort(order);
  const option = (topic, label) => h("option", { value: topic.id, selected: topic.id === state.choice.topicId }, label || nameOf(topic));
  return roots.map((root) => {
    const children = state.topics.filter((x) => x.parentId === root.id).sort(order);
    if (!children.length) return option(root);
    return h("optgroup", { label: nameOf(root) }, option(root, text.topicGeneral(nameOf(root))), children.map((c) => option(c)));
  });
}

export const title = () => t().topicTitle;

export function view() {
  const text = t();
  const topic = topicById(state.choice.topicId);
  const types = allowedTypes(topic);
  const form = h("form", { novalidate: true, onsubmit: submitTopic, class: "stack" },
    h("fieldset", { "aria-describedby": described("customerType"), "aria-invalid": state.errors.customerType ? "true" : false },
      h("legend", {}, text.customerTypeLegend),
      fieldError("customerType"),
      h("div", { class: "choices" },
        customerTypes.map((c) =>
          h("label", { class: "choice" },
            h("input", {
              type: "radio", name: "customerType", value: c.id, key: `ct-${c.id}`,
              checked: c.id === state.choice.customerTypeId, onchange: changeCustomerType,
            }),
            h("span", {}, nameOf(c)))))),
    h("div", { class: "field" },
      h("label", { for: "topic" }, text.topicLabel),
      fieldError("topic"),
      h("select", {
        id: "topic", key: "topic", required: true, onchange: changeTopic,
        "aria-describedby": described("topic"), "aria-invalid": state.errors.topic ? "true" : false,
      },
      h("option", { value: "" }, text.topicPlaceholder),
      topicOptions())),
    state.topics.length === 0 ? h("p", { class: "notice info" }, text.noTopics) : null,
    h("fieldset", { "aria-describedby": described("meetingType"), "aria-invalid": state.errors.meetingType ? "true" : false },
      h("legend", {}, text.meetingTypeLegend),
      fieldError("meetingType"),
      topic
        ? h("div", { class: "choices" },
          types.map((type) =>
            h("label", { class: "choice" },
              h("input", {
                type: "radio", name: "meetingType", value: type, key: `mt-${type}`,
                checked: type === state.choice.meetingType, onchange: changeMeetingType,
              }),
              h("span", {}, typeLabel(type)))))
        : h("p", { class: "muted" }, text.meetingTypeFirst)),
    state.choice.meetingType === "Physical" && state.locations.length > 1
      ? h("div", { class: "field" },
        h("label", { for: "branch" }, text.branchLabel),
        h("select", { id: "branch", key: "branch", onchange: (e) => { state.choice.branch = e.target.value; } },
          h("option", { value: "" }, text.branchAny),
          state.locations.map((l) => h("option", { value: l.location, selected: l.location === state.choice.branch }, branchName(l)))))
      : null,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", key: "show-times" }, text.showTimes)),
  );
  return [heading(text.topicTitle), noticeBox(), form];
}

async function changeCustomerType(event) {
  state.choice.customerTypeId = event.target.value;
  delete state.errors.customerType;
  try {
    await loadTopics();
  } catch (error) {
    return failure(error);
  }
  render();
}

function changeTopic(event) {
  state.choice.topicId = event.target.value;
  delete state.errors.topic;
  fixMeetingType();
  render();
}

function changeMeetingType(event) {
  state.choice.meetingType = event.target.value;
  delete state.errors.meetingType;
  fixMeetingType();
  render();
}

function submitTopic(event) {
  event.preventDefault();
  const text = t();
  const errors = {};
  if (!state.choice.customerTypeId) errors.customerType = text.chooseCustomerType;
  if (!state.choice.topicId) errors.topic = text.chooseTopic;
  else if (!state.choice.meetingType) errors.meetingType = text.chooseMeetingType;
  state.errors = errors;
  state.notice = null;
  if (Object.keys(errors).length) {
    render();
    const first = { customerType: 'input[name="customerType"]', topic: "#topic", meetingType: 'input[name="meetingType"]' };
    document.querySelector(first[Object.keys(errors)[0]])?.focus();
    return announce(text.fixErrors(Object.keys(errors).length));
  }
  keepChoice();
  state.allTopics = state.topics;
  forgetWeek();
  showTime();
}
