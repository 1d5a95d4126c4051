// The console talks only to the service's own API (/api/v1). The bearer token lives in
// sessionStorage (gone when the tab closes) and travels only in the Authorization header, never in
// a URL.

const BASE = '/api/v1';
const TOKEN_KEY = 'certflow.token';

export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function clearToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** An API answer that was not 2xx, carrying the RFC 9457 problem document when there is one. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem ?? { title: `HTTP ${status}`, status };
  }
}

function authHeaders() {
  const token = getToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

async function problemOf(res) {
  const text = await res.text();
  try {
    const body = JSON.parse(text);
    if (body && typeof body === 'object') return body;
  } catch {
    // not JSON: fall through to a plain problem
  }
  return { title: `${res.status} ${res.statusText}`, status: res.status, detail: text.slice(0, 500) };
}

/**
 * Calls the API and answers the parsed JSON (or text for non-JSON answers). Throws ApiError with
 * the problem document on any non-2xx answer.
 */
export async function api(method, path, { body, headers = {}, accept } = {}) {
  let res;
  try {
    res = await fetch(`${BASE}${path}`, {
      method,
      headers: {
        ...authHeaders(),
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...(accept ? { Accept: accept } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      cache: 'no-store',
    });
  } catch (error) {
    throw new ApiError(0, {
      title: 'The service cannot be reached',
      detail: `${error instanceof Error ? error.message : String(error)}. Is certflow running?`,
    });
  }
  if (!res.ok) throw new ApiError(res.status, await problemOf(res));
  if (res.status === 204) return undefined;
  const type = res.headers.get('Content-Type') ?? '';
  return type.includes('json') ? res.json() : res.text();
}

export const get = (path, options) => api('GET', path, options);
export const post = (path, body, options = {}) => api('POST', path, { ...options, body: body ?? {} });

/**
 * Uploads a multipart form with XMLHttpRequest, the one browser API that reports upload progress.
 * `onProgress(loaded, total)` is called as bytes leave the browser.
 */
export function upload(path, form, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${BASE}${path}`);
    const token = getToken();
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.responseType = 'text';
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    });
    xhr.addEventListener('load', () => {
      let body;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        body = { title: `HTTP ${xhr.status}`, detail: xhr.responseText.slice(0, 500) };
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else reject(new ApiError(xhr.status, body));
    });
    xhr.addEventListener('error', () =>
      reject(
        new ApiError(0, { title: 'The upload failed', detail: 'The connection to the service was lost.' }),
      ),
    );
    xhr.addEventListener('abort', () =>
      reject(new ApiError(0, { title: 'The upload was cancelled', detail: 'Nothing was stored.' })),
    );
    xhr.send(form);
  });
}

/** The file name a Content-Disposition header proposes, if any. */
function dispositionName(header) {
  if (!header) return undefined;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1]);
    } catch {
      // fall back to the plain name
    }
  }
  const plain = /filename="?([^";]+)"?/i.exec(header);
  return plain ? plain[1] : undefined;
}

/**
 * Downloads an authenticated resource: fetched with the bearer header, then saved from a blob URL,
 * so the token never appears in a link.
 */
export async function download(path, fallbackName) {
  const res = await fetch(`${BASE}${path}`, { headers: authHeaders(), cache: 'no-store' });
  if (!res.ok) throw new ApiError(res.status, await problemOf(res));
  const blob = await res.blob();
  const name = dispositionName(res.headers.get('Content-Disposition')) ?? fallbackName;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
  return { name, size: blob.size };
}
