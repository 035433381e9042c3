// Sign-in: OAuth 2 authorization code with PKCE (S256), as a public client.
// The endpoints come from booking-config.json; the access token lives in sessionStorage
// (this tab's visit only), never in localStorage or a cookie.

let KEY = "meetbook.auth";
let PENDING = "meetbook.signin";

/** Another page of the service (the staff workspace) keeps its sign-in apart from the booking page's. */
export function useKeys(prefix) {
  KEY = `${prefix}.auth`;
  PENDING = `${prefix}.signin`;
}

export function randomId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16)); // randomUUID needs a secure context; this does not
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function base64url(bytes) {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export async function sha256(text) {
  const data = new TextEncoder().encode(text);
  if (crypto.subtle) return new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  return sha256Plain(data); // plain http on a LAN address has no crypto.subtle
}

// FIPS 180-4 SHA-256, only for pages served without a secure context.
function sha256Plain(data) {
  const K = [];
  const H = [];
  const frac = (x) => ((x - Math.floor(x)) * 0x100000000) >>> 0;
  for (let n = 2, found = 0; found < 64; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) if (n % d === 0) { prime = false; break; }
    if (!prime) continue;
    if (found < 8) H[found] = frac(Math.sqrt(n));
    K[found++] = frac(Math.cbrt(n));
  }
  const length = data.length;
  const blocks = Math.ceil((length + 9) / 64);
  const padded = new Uint8Array(blocks * 64);
  padded.set(data);
  padded[length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 4, (length * 8) >>> 0);
  view.setUint32(padded.length - 8, Math.floor(length / 0x20000000));
  const w = new Uint32Array(64);
  const rotr = (x, n) => (x >>> n) | (x << (32 - n));
  for (let block = 0; block < blocks; block++) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(block * 64 + i * 4);
    for (let i = 16; i < 64; i++) {
      const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
      const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) >>> 0;
    }
    let [a, b, c, d, e, f, g, h] = H;
    for (let i = 0; i < 64; i++) {
      const t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) >>> 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
      [h, g, f, e, d, c, b, a] = [g, f, e, (d + t1) >>> 0, c, b, a, (t1 + t2) >>> 0];
    }
    [a, b, c, d, e, f, g, h].forEach((x, i) => { H[i] = (H[i] + x) >>> 0; });
  }
  const out = new Uint8Array(32);
  H.forEach((x, i) => new DataView(out.buffer).setUint32(i * 4, x));
  return out;
}

function redirectUri() {
  return location.origin + location.pathname;
}

export function stored() {
  try {
    const auth = JSON.parse(sessionStorage.getItem(KEY) || "null");
    // A token about to run out is as good as none: ask for a new one rather than fail mid-booking.
    if (auth && auth.expiresAt - 60000 > Date.now()) return auth;
  } catch { /* unreadable: sign in again */ }
  sessionStorage.removeItem(KEY);
  return null;
}

export function forget() {
  sessionStorage.removeItem(KEY);
}

/** Off to the identity provider; the browser comes back to this page with ?code&state. */
export async function signIn(config, lang) {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(48)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state }));
  const url = new URL(config.authorizationEndpoint, document.baseURI);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    scope: config.scope,
    state,
    code_challenge: base64url(await sha256(verifier)),
    code_challenge_method: "S256",
    ui_locales: lang,
  }).toString();
  location.assign(url.toString());
}

/**
 * If the identity provider just sent the browser back, redeem the code.
 * Returns null (nothing to do), {error} or {auth}. The code and state leave the address bar at once.
 */
export async function completeSignIn(config) {
  const params = new URLSearchParams(location.search);
  if (!params.has("code") && !params.has("error")) return null;
  const clean = new URL(location.href);
  for (const name of ["code", "state", "error", "error_description", "iss", "session_state"]) clean.searchParams.delete(name);
  history.replaceState(null, "", clean.toString());
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || "null");
  sessionStorage.removeItem(PENDING);
  if (params.has("error")) return { error: params.get("error") };
  if (!pending || params.get("state") !== pending.state) return { error: "state" };
  const response = await fetch(new URL(config.tokenEndpoint, document.baseURI), {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: config.clientId,
      code: params.get("code"),
      code_verifier: pending.verifier,
      redirect_uri: redirectUri(),
    }),
  });
  if (!response.ok) return { error: "token" };
  const answer = await response.json();
  const auth = {
    accessToken: answer.access_token,
    expiresAt: Date.now() + (answer.expires_in || 3600) * 1000,
    name: answer.name || "",
    scope: answer.scope || "",
  };
  sessionStorage.setItem(KEY, JSON.stringify(auth));
  return { auth };
}
