/**
 * Records keyed by client ids (arm ids, key ids) are built without a prototype, so that an id such
 * as `constructor`, `toString` or `__proto__` is an ordinary key: read as absent until set, and
 * set as an own property (on a plain object, `o.__proto__ = x` replaces the prototype).
 */
export function nullProto<T>(from?: Record<string, T>): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  if (from) for (const k of Object.keys(from)) out[k] = from[k];
  return out;
}
