/**
 * JSON with bounds, so no input can overflow the stack: `JSON.stringify` recurses once per level,
 * and a 10 KB body nested 5,000 deep used to crash it (a 500). Every serialisation of client data
 * (payload size check, error messages) goes through `boundedStringify`; bodies deeper than
 * MAX_JSON_DEPTH are refused by the JSON body parser (plugins/json-body.ts) before anything else.
 */

/** Deepest nesting of objects and arrays accepted in a request body (and in any value we serialise). */
export const MAX_JSON_DEPTH = 32;

/** True when `value` nests objects/arrays more than `limit` deep; iterative, stops at the first too-deep path. */
export function deeperThan(value: unknown, limit = MAX_JSON_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/** JSON.stringify that cannot overflow: null when the value nests deeper than `limit`. */
export function boundedStringify(value: unknown, limit = MAX_JSON_DEPTH): string | null {
  return deeperThan(value, limit) ? null : JSON.stringify(value);
}

/** Bytes of the value's JSON (UTF-8); Infinity when it nests deeper than `limit`. */
export function jsonBytes(value: unknown, limit = MAX_JSON_DEPTH): number {
  const s = boundedStringify(value, limit);
  return s === null ? Infinity : Buffer.byteLength(s ?? '');
}

/** A short rendering of a client's value for an error message (never the whole of a big one). */
export function preview(value: unknown, max = 80): string {
  const s = boundedStringify(value) ?? `a value nested more than ${MAX_JSON_DEPTH} deep`;
  return s === undefined ? String(value) : s.length > max ? `${s.slice(0, max)}...` : s;
}

/** How deep the JSON text nests (counting `[` and `{` outside strings), stopping once past `limit`. */
export function textDeeperThan(text: string, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) { if (++depth > limit) return true; }
    else if (c === 125 || c === 93) depth--;
  }
  return false;
}
