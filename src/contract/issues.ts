/**
 * The one shape of a 400's `details`: `{"issues": [{"path": "arms.0.id", "message": "..."}]}`,
 * built here from zod's issues (the routes' schemas, a batch's events, the environment at start):
 * dotted paths from the body's root, an unknown field named by its own path, and "required" for a
 * field that is missing (zod says "Invalid option" or "expected string, received undefined").
 */
export interface Issue { path: string; message: string }

/** The part of a zod issue (or of fastify-type-provider-zod's copy of one) these need. */
export interface RawIssue { path: readonly PropertyKey[]; code?: string; message: string; keys?: readonly string[] }

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** True when the field at `path` is absent from `input` while its parent object is there. */
function missing(input: unknown, path: readonly PropertyKey[]): boolean {
  if (path.length === 0) return false;
  let node = input;
  for (const key of path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return false;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  const last = path[path.length - 1];
  return (isRecord(node) || Array.isArray(node)) && !Object.hasOwn(node, last as string) ;
}

export function toIssues(raw: readonly RawIssue[], input: unknown): Issue[] {
  const out: Issue[] = [];
  for (const r of raw) {
    const path = r.path.map(String);
    if (r.code === 'unrecognized_keys' && r.keys?.length) {
      for (const key of r.keys) out.push({ path: [...path, key].join('.'), message: `unknown field '${key}'` });
    } else {
      out.push({ path: path.join('.'), message: missing(input, r.path) ? 'required' : r.message });
    }
  }
  return out;
}

/** The issues in words, for an error's message: `arms.0.id: required; colour: unknown field 'colour'`. */
export function describeIssues(issues: readonly Issue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
}
