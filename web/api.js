// The service's JSON API, as any client calls it. The key is kept in sessionStorage: for this tab
// only, gone when it closes.
const KEY_ITEM = 'bandit-dashboard-key';

export const key = {
  get: () => sessionStorage.getItem(KEY_ITEM) ?? '',
  set: (k) => (k ? sessionStorage.setItem(KEY_ITEM, k) : sessionStorage.removeItem(KEY_ITEM)),
};

/** An answer of the API that was not a 2xx: status, the contract's error code and its message. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error ?? 'http_error';
  }
}

export async function call(method, path, body) {
  const headers = { accept: 'application/json' };
  const k = key.get();
  if (k) headers.authorization = `Bearer ${k}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed = null;
  try { parsed = text ? JSON.parse(text) : null; } catch { parsed = { message: text }; }
  if (!res.ok) throw new ApiError(res.status, parsed);
  return parsed;
}

const enc = encodeURIComponent;
export const api = {
  experiments: () => call('GET', '/experiments'),
  experiment: (id) => call('GET', `/experiments/${enc(id)}`),
  report: (id) => call('GET', `/arms?experimentId=${enc(id)}`),
  history: (id, fromMs) => call('GET', `/experiments/${enc(id)}/history?from=${new Date(fromMs).toISOString()}`),
  disable: (id, armId) => call('POST', `/experiments/${enc(id)}/arms/${enc(armId)}/disable`, { reason: 'disabled from the dashboard' }),
  enable: (id, armId) => call('POST', `/experiments/${enc(id)}/arms/${enc(armId)}/enable`, {}),
};
