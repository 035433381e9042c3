// What the steps of the booking share, in one named place. Anything only one part of the page needs
// lives in that part's own module instead: the hold in hold.js, the week shown in steps/week.js, the
// booked meeting in steps/confirmation.js, the customer types in steps/topic.js.

export const state = {
  lang: "da", // "da" | "en"
  step: "loading", // loading | signin | topic | time | details | done (ui.go sets it)
  config: null, // booking-config.json: where the customer signs in
  auth: null, // {accessToken, expiresAt, name} while signed in
  settings: {}, // the bank's organization settings: time zone, horizon, durations
  topics: [], // the topics the chosen customer type may book
  allTopics: null, // the topics as they were when the customer chose one (for names on later steps)
  locations: [], // the bank's branches
  namesLang: null, // the page language the bank's names (topics, branches, settings) were last read in
  advisors: {}, // employee id -> the employee, as far as the page has needed them
  choice: { customerTypeId: "", topicId: "", meetingType: "", branch: "" },
  details: { name: "", email: "", phone: "", description: "" }, // what the customer typed, kept all visit
  errors: {}, // field -> message, for the form on the current step
  notice: null, // {kind: "error" | "info", text}
  busy: false, // a request the customer started is under way
};

/** The customer's choice, kept for this visit (sessionStorage), so it survives the identity provider and a reload. */
export const CHOICE_KEY = "meetbook.choice";
export const keepChoice = () => sessionStorage.setItem(CHOICE_KEY, JSON.stringify(state.choice));

export const branchByName = (name) => state.locations.find((l) => l.location === name);
export const topicById = (id) => state.topics.find((x) => x.id === id) || state.allTopics?.find((x) => x.id === id);
