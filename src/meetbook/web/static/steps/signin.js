// Before the booking: the page while it starts, and the sign-in step.

import * as auth from "../auth.js";
import { h } from "../dom.js";
import { t } from "../format.js";
import { state } from "../state.js";
import { heading, noticeBox } from "../ui.js";

export const loading = {
  title: () => t().pageTitle,
  view: () => [h("h2", { id: "step-title", tabindex: "-1", class: "visually-hidden" }, t().pageTitle), h("p", { class: "muted" }, t().loading)],
};

export const signin = {
  title: () => t().signinTitle,
  view() {
    const text = t();
    return [
      heading(text.signinTitle),
      noticeBox(),
      h("p", {}, text.signinLead),
      h("div", { class: "actions" },
        h("button", {
          type: "button", class: "primary", key: "signin", disabled: !state.config,
          onclick: (event) => {
            event.currentTarget.textContent = text.signingIn;
            event.currentTarget.setAttribute("aria-disabled", "true");
            auth.signIn(state.config, state.lang);
          },
        }, text.signinButton)),
    ];
  },
};
