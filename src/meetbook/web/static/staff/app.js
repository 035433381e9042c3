// The staff workspace at /staff/: sign-in (authorization code with PKCE, the employee or admin
// scope), the tabs, the language switch, and which screen the address (#agenda, #book,
// #meeting/<id>, #branch) asks for. See docs/workspace.md.

import { get, useBase, useChannel, useToken } from "../api.js";
import * as auth from "../auth.js";
import { h, replace } from "../dom.js";
import { state as shared } from "../state.js";
import * as agenda from "./agenda.js";
import * as book from "./book.js";
import * as branch from "./branch.js";
import * as meeting from "./meeting.js";
import { heading, noticeBox, problem, s, show, staff, visit } from "./shell.js";
import { STAFF } from "./text.js";

const LANGUAGE = "meetbook.staff.lang";
auth.useKeys("meetbook.staff");
useChannel("staff-workspace"); // the meetings' history names the workspace
useBase("../"); // the page is /staff/, the API at the service's root

let config = null;

function pickLanguage() {
  const asked = new URLSearchParams(location.search).get("lang");
  if (asked in STAFF) {
    sessionStorage.setItem(LANGUAGE, asked);
    return asked;
  }
  const kept = sessionStorage.getItem(LANGUAGE);
  return kept in STAFF ? kept : "da";
}

function chrome() {
  const text = s();
  document.documentElement.lang = shared.lang;
  document.getElementById("skip").textContent = text.skip;
  document.getElementById("brand-sub").textContent = text.brandSub;
  document.getElementById("footer-text").textContent = text.footer;
  const switcher = document.getElementById("lang");
  switcher.textContent = text.switchTo;
  switcher.lang = text.switchLang;
  switcher.setAttribute("aria-label", text.switchLabel);
  replace(document.getElementById("user"),
    staff.auth && h("span", { class: "user-name" }, text.signedInAs(staff.auth.name || staff.me && staff.me.initials || "")),
    staff.auth && h("button", { type: "button", class: "link", id: "signout", onclick: signOut }, text.signOut));
  const nav = document.getElementById("tabs");
  nav.hidden = !staff.auth;
  nav.setAttribute("aria-label", text.tabsLabel);
  const current = (location.hash.slice(1).split("/")[0] || "agenda").replace("meeting", "agenda");
  const tabs = [staff.me && ["agenda", text.tabAgenda], staff.me && ["book", text.tabBook], staff.manager && ["branch", text.tabBranch]].filter(Boolean);
  replace(nav.querySelector("ul"), tabs.map(([name, label]) =>
    h("li", {}, h("a", { href: `#${name}`, "aria-current": current === name ? "page" : false,
      // The tab of the screen shown reloads it (the address does not change, so no hashchange).
      onclick: () => { if (location.hash === `#${name}`) route(); } }, label))));
}

async function route() {
  visit.id += 1;
  chrome();
  if (!staff.auth) return signinView();
  const [name, ...parts] = location.hash.slice(1).split("/");
  if (!staff.me && name !== "branch") return staff.manager ? (location.hash = "#branch") : notStaffView();
  if (name === "book") return book.open(parts);
  if (name === "meeting" && parts[0]) return meeting.open(parts);
  if (name === "branch" && staff.manager) return branch.open(parts);
  return agenda.open(parts);
}

function signinView() {
  const text = s();
  const notice = noticeBox();
  staff.notice = null;
  show([
    heading(text.signinTitle),
    notice,
    h("p", {}, text.signinLead),
    h("div", { class: "actions" }, h("button", { type: "button", class: "primary", key: "signin",
      onclick: () => auth.signIn(config, shared.lang) }, text.signinButton)),
  ], { focus: notice ? "#notice" : "heading" });
}

function notStaffView() {
  const text = s();
  show([heading(text.notStaffTitle), h("p", {}, text.notStaffLead),
    h("div", { class: "actions" }, h("button", { type: "button", class: "secondary", onclick: signOut }, text.signOut))]);
}

function signOut() {
  auth.forget();
  Object.assign(staff, { auth: null, me: null, manager: false, notice: null });
  history.replaceState(null, "", location.pathname + location.search);
  route();
}

function signedOut() {
  auth.forget();
  Object.assign(staff, { auth: null, me: null, manager: false, notice: { kind: "info", text: s().sessionExpired } });
  route();
}

async function start() {
  useToken(staff.auth.accessToken, signedOut);
  try {
    const [settings, meOrNull, employees, topics, rooms, locations, customerTypes] = await Promise.all([
      get("bookme/config/organization-settings"),
      get("bookme/config/staff/me").catch((error) => (error.status === 404 ? null : Promise.reject(error))),
      get("config/employees"),
      get("bookme/meeting-topics", { isCustomer: "false" }),
      get("config/rooms"),
      get("bookme/config/locations"),
      get("config/customer-types"),
    ]);
    shared.settings = settings;
    Object.assign(staff, { employees, topics, rooms, locations, customerTypes });
    staff.me = meOrNull?.employee || null;
    // The identity provider decides the role: the token's scope says whether the branch view is open.
    staff.manager = meOrNull ? meOrNull.isManager : /\badmin\b/.test(staff.auth.scope || "");
  } catch (error) {
    staff.notice = problem(error);
    if (!staff.auth) return route();
    return show([heading(s().pageTitle), noticeBox()], { focus: "#notice" });
  }
  route();
}

async function boot() {
  shared.lang = pickLanguage();
  shared.settings = {};
  document.getElementById("lang").addEventListener("click", () => {
    shared.lang = s().switchLang;
    sessionStorage.setItem(LANGUAGE, shared.lang);
    staff.notice = null;
    route();
  });
  addEventListener("hashchange", route);
  chrome();
  try {
    config = await (await fetch(new URL("config.json", document.baseURI), { cache: "no-store" })).json();
  } catch {
    return show([heading(s().pageTitle), h("p", { class: "notice error", role: "alert" }, s().networkError)]);
  }
  let back = null;
  try {
    back = await auth.completeSignIn(config);
  } catch {
    back = { error: "token" };
  }
  if (back?.error) staff.notice = { kind: "error", text: back.error === "access_denied" ? s().signinCancelled : s().signinFailed };
  staff.auth = back?.auth || auth.stored();
  if (!staff.auth) return route();
  await start();
}

boot();
