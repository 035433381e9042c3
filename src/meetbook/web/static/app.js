// The customer booking page: sign in, topic, time, details, confirmation.
//
// It uses the public API as an integrator would (see docs/booking-page.md). This module starts the
// page and ties the steps together: sign-in and sign-out, the language switch, the browser's back
// and forward buttons, and what happens to each step when the hold runs out or the page is left.
// The steps are in steps/, the hold in hold.js, and what the steps share in state.js.

import * as auth from "./auth.js";
import { ApiError, get, useToken } from "./api.js";
import { apiLang, t } from "./format.js";
import * as hold from "./hold.js";
import { TEXT } from "./i18n.js";
import { state } from "./state.js";
import { announce, failure, go, mount, render } from "./ui.js";
import * as confirmation from "./steps/confirmation.js";
import * as details from "./steps/details.js";
import { loading, signin } from "./steps/signin.js";
import * as topic from "./steps/topic.js";
import * as week from "./steps/week.js";

const LANGUAGE = "meetbook.lang";

mount(
  { loading, signin, topic, time: week, details, done: confirmation },
  { onSignOut: signOut },
);

hold.onRanOut(() => {
  state.busy = false;
  announce(t().holdExpiredTitle);
  if (state.step === "details") render({ focus: "#expired-title" });
  else if (state.step === "time") {
    state.notice = { kind: "info", text: t().holdExpiredTitle };
    week.loadWeek();
  }
});

function pickLanguage() {
  const asked = new URLSearchParams(location.search).get("lang");
  if (asked in TEXT) {
    sessionStorage.setItem(LANGUAGE, asked);
    return asked;
  }
  const kept = sessionStorage.getItem(LANGUAGE);
  return kept in TEXT ? kept : "da";
}

async function boot() {
  state.lang = pickLanguage();
  hold.reservationToken();
  topic.restoreChoice();
  document.getElementById("lang").addEventListener("click", switchLanguage);
  addEventListener("pagehide", hold.leave);
  addEventListener("pageshow", comeBack);
  addEventListener("popstate", (event) => travel(event.state?.step));
  render();
  try {
    const response = await fetch(new URL("booking-config.json", document.baseURI), { cache: "no-store" });
    state.config = await response.json();
  } catch {
    state.step = "signin";
    return failure(new ApiError(0, null));
  }
  let back = null;
  try {
    back = await auth.completeSignIn(state.config);
  } catch {
    back = { error: "token" };
  }
  if (back?.error) {
    state.notice = { kind: "error", text: back.error === "access_denied" ? t().signinCancelled : t().signinFailed };
  }
  state.auth = back?.auth || auth.stored();
  if (!state.auth) return go("signin", { push: false });
  await startBooking();
}

function signedOut() {
  auth.forget();
  state.auth = null;
  hold.forget();
  state.busy = false;
  state.notice = { kind: "info", text: t().sessionExpired };
  go("signin", { push: false });
}

function signOut() {
  hold.release();
  auth.forget();
  state.auth = null;
  state.notice = null;
  go("signin", { push: false });
}

async function startBooking() {
  useToken(state.auth.accessToken, signedOut);
  if (!state.details.name) state.details.name = state.auth.name || "";
  let restored = null;
  try {
    await readNames();
    restored = await hold.restore(); // a reload while holding a time: the same hold, or the same time again
  } catch (error) {
    state.step = "topic";
    return failure(error);
  }
  if (restored) {
    state.allTopics = state.topics;
    return go("details", { push: false });
  }
  go("topic", { push: false });
}

/** The bank's settings, customer types, branches and topics, with their names in the page's language. */
async function readNames() {
  const lang = apiLang();
  const [settings, customerTypes, locations] = await Promise.all([
    get("bookme/config/organization-settings", { lang }),
    get("config/customer-types", { lang }),
    get("bookme/config/locations", { lang }),
  ]);
  Object.assign(state, { settings, locations });
  topic.useCustomerTypes(customerTypes);
  await topic.loadTopics();
  if (state.allTopics) state.allTopics = state.allTopics.map((x) => state.topics.find((y) => y.id === x.id) || x);
  state.namesLang = state.lang;
}

function switchLanguage() {
  state.lang = t().switchLang;
  sessionStorage.setItem(LANGUAGE, state.lang);
  const url = new URL(location.href);
  if (url.searchParams.has("lang")) {
    url.searchParams.set("lang", state.lang);
    history.replaceState(history.state, "", url.toString());
  }
  if (state.notice?.text) state.notice = null; // it was written in the other language
  render();
  announce(t().pageTitle);
  // The bank's names in the new language (topics, branches, meeting types); the page is usable meanwhile.
  if (state.auth && state.step !== "signin" && state.step !== "loading") {
    readNames().then(() => render(), () => { /* the names stay in the other language */ });
  }
}

/** The browser's back and forward buttons move between the steps. */
function travel(step) {
  if (!step || !state.auth) return;
  if (step === "topic" || step === "signin") {
    hold.release();
    state.notice = null;
    return go("topic", { push: false });
  }
  if (step === "time") return week.showTime({ push: false });
  if (step === "details") return hold.current() ? go("details", { push: false }) : week.showTime({ push: false });
  if (step === "done") return confirmation.hasMeeting() ? go("done", { push: false }) : go("topic", { push: false });
}

/** Back from the browser's page cache after pagehide released the hold: say so, and offer the times again. */
function comeBack(event) {
  if (event.persisted && hold.takeReleasedOnLeave()) {
    state.notice = { kind: "info", text: t().releasedOnLeave };
    if (state.step === "details" || state.step === "time") week.showTime({ push: false });
  }
}

boot();
