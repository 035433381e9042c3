// The public API, called exactly as documented: bearer token, JSON in and out, errors as
// {code, message, errors?}. Paths are relative to the page, so a proxy prefix just works.

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status; // 0: no answer at all (network)
    this.code = body && body.code;
    this.errors = (body && body.errors) || [];
  }
}

let accessToken = null;
let onUnauthorized = () => {};
let channel = "booking-page";
let apiBase = "";

/** The page that calls (X-Meetbook-Channel, for a meeting's history): the staff workspace says so. */
export function useChannel(name) {
  channel = name;
}

export function useToken(token, whenRefused) {
  accessToken = token;
  if (whenRefused) onUnauthorized = whenRefused;
}

/** Where the API is, relative to the page (another page of the service, /staff/, says "../"). */
export function useBase(relative) {
  apiBase = relative;
}

function url(path, query) {
  const out = new URL(path.replace(/^\//, ""), new URL(apiBase, document.baseURI));
  for (const [name, value] of Object.entries(query || {})) {
    if (value === undefined || value === null || value === "") continue;
    for (const one of [].concat(value)) out.searchParams.append(name, one);
  }
  return out;
}

export async function call(method, path, { query, body, headers, accept = "application/json", keepalive = false } = {}) {
  const init = {
    method,
    // The channel goes into a meeting's history: this change came from the booking page.
    headers: { Accept: accept, Authorization: `Bearer ${accessToken}`, "X-Meetbook-Channel": channel, ...headers },
    keepalive,
    cache: "no-store",
  };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url(path, query), init);
  } catch {
    throw new ApiError(0, null);
  }
  if (response.status === 401) {
    onUnauthorized();
    throw new ApiError(401, await response.json().catch(() => null));
  }
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
  if (response.status === 204) return null;
  if (accept !== "application/json") return response.blob();
  return response.json();
}

export const get = (path, query) => call("GET", path, { query });
