/**
 * Targeting conditions in GrowthBook's JSON syntax (MongoDB-style operators plus version
 * comparison), compiled once per experiment version into a closure tree and evaluated per request.
 *
 * The semantics follow GrowthBook's evaluator (packages/sdk-js/src/mongrule.ts) case for case,
 * quirks included, so that a condition written for GrowthBook targets the same requests here: a
 * missing attribute reads as null; `$lt`/`$gt` compare with JavaScript's coercion (null is 0);
 * a bare string compares as text and a bare number as a number. The table of cases is
 * test/assignment/condition.test.ts (and README, "Targeting and layers"). Three differences, all
 * refusals at create/patch time: an unknown operator, a key that mixes `$` operators with fields,
 * and a regex that does not compile are 400s naming their path (GrowthBook logs them and answers
 * false); a path step reads only own properties (no `constructor` from the prototype).
 */

/** A condition that cannot be compiled: `path` names where (e.g. ['$and', 0, 'age', '$gt']). */
export class ConditionError extends Error {
  constructor(readonly path: (string | number)[], message: string) {
    super(message);
    this.name = 'ConditionError';
  }
}

export type Predicate = (value: unknown) => boolean;
type Path = (string | number)[];

/** Nesting deeper than this is refused (the evaluator recurses once per level). */
export const MAX_CONDITION_DEPTH = 16;
/** Regexes longer than this are refused (a targeting regex is a short pattern). */
export const MAX_REGEX_LENGTH = 512;
const TYPES = new Set(['string', 'number', 'boolean', 'object', 'array', 'null', 'undefined']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isOperatorObject = (v: Record<string, unknown>): boolean => {
  const keys = Object.keys(v);
  return keys.length > 0 && keys.every((k) => k.startsWith('$'));
};
const fail = (path: Path, message: string): never => { throw new ConditionError(path, message); };

/** Compiles a condition on an object (the request's context): throws ConditionError naming the bad part. */
export function compileCondition(cond: unknown, path: Path = [], depth = 0): Predicate {
  if (depth > MAX_CONDITION_DEPTH) fail(path, `conditions nest at most ${MAX_CONDITION_DEPTH} deep`);
  if (!isObject(cond)) return fail(path, 'a condition is an object of field paths and $and, $or, $nor, $not');
  const parts: Predicate[] = [];
  for (const [k, v] of Object.entries(cond)) {
    const p = [...path, k];
    if (k === '$and' || k === '$or' || k === '$nor') {
      if (!Array.isArray(v)) fail(p, `${k} takes an array of conditions`);
      const subs = (v as unknown[]).map((c, i) => compileCondition(c, [...p, i], depth + 1));
      const any = (o: unknown): boolean => subs.length === 0 || subs.some((f) => f(o)); // GrowthBook: an empty $or passes
      parts.push(k === '$and' ? (o) => subs.every((f) => f(o)) : k === '$or' ? any : (o) => !any(o));
    } else if (k === '$not') {
      const sub = compileCondition(v, p, depth + 1);
      parts.push((o) => !sub(o));
    } else if (k.startsWith('$')) {
      fail(p, `unknown operator '${k}' (a condition's keys are field paths or $and, $or, $nor, $not)`);
    } else {
      if (k.split('.').some((s) => s === '')) fail(p, `'${k}' is not a dotted field path`);
      const get = pathGetter(k);
      const test = compileValue(v, p, depth + 1);
      parts.push((o) => test(get(o)));
    }
  }
  if (parts.length === 1) return parts[0];
  return (o) => {
    for (const f of parts) if (!f(o)) return false;
    return true;
  };
}

/** The value at a dotted path, or null when a step is missing (GrowthBook's getPath, own properties only). */
function pathGetter(path: string): (o: unknown) => unknown {
  const steps = path.split('.');
  return (o) => {
    let cur = o;
    for (const s of steps) {
      if (cur && typeof cur === 'object' && Object.hasOwn(cur, s)) cur = (cur as Record<string, unknown>)[s];
      else return null;
    }
    return cur;
  };
}

/** A condition on one value: a literal to equal, or an object of operators. */
function compileValue(cond: unknown, path: Path, depth: number): Predicate {
  if (depth > MAX_CONDITION_DEPTH) fail(path, `conditions nest at most ${MAX_CONDITION_DEPTH} deep`);
  if (typeof cond === 'string') return (v) => String(v) === cond;
  if (typeof cond === 'number') return (v) => Number(v) === cond;
  if (typeof cond === 'boolean') return (v) => v !== null && Boolean(v) === cond;
  if (cond === null) return (v) => v === null;
  if (Array.isArray(cond) || !isOperatorObject(cond as Record<string, unknown>)) {
    if (isObject(cond) && Object.keys(cond).some((k) => k.startsWith('$'))) fail(path, 'an object mixes $ operators with fields: use only operators, or only a literal value');
    const text = JSON.stringify(cond);
    return (v) => JSON.stringify(v) === text;
  }
  const ops = Object.entries(cond as Record<string, unknown>).map(([op, e]) => compileOperator(op, e, [...path, op], depth));
  if (ops.length === 1) return ops[0];
  return (v) => {
    for (const f of ops) if (!f(v)) return false;
    return true;
  };
}

const isScalar = (e: unknown): boolean => e === null || ['string', 'number', 'boolean'].includes(typeof e);

function compileOperator(op: string, e: unknown, path: Path, depth: number): Predicate {
  // JavaScript's relational operators on JSON values, as GrowthBook uses them (coercion included).
  type Loose = number | string;
  const ordered = (): Loose => (typeof e === 'number' || typeof e === 'string' ? e : fail(path, `${op} takes a number or a string`));
  const list = (): unknown[] => (Array.isArray(e) ? e : fail(path, `${op} takes an array`));
  switch (op) {
    case '$eq': case '$ne': {
      if (!isScalar(e)) fail(path, `${op} takes a string, number, boolean or null`);
      return op === '$eq' ? (v) => v === e : (v) => v !== e;
    }
    case '$lt': { const x = ordered(); return (v) => (v as Loose) < x; }
    case '$lte': { const x = ordered(); return (v) => (v as Loose) <= x; }
    case '$gt': { const x = ordered(); return (v) => (v as Loose) > x; }
    case '$gte': { const x = ordered(); return (v) => (v as Loose) >= x; }
    case '$exists': {
      if (typeof e !== 'boolean') fail(path, '$exists takes true or false');
      return e ? (v) => v !== null && v !== undefined : (v) => v === null || v === undefined;
    }
    case '$in': case '$nin': {
      const set = new Set(list());
      const isIn = (v: unknown): boolean => (Array.isArray(v) ? v.some((x) => set.has(x)) : set.has(v));
      return op === '$in' ? isIn : (v) => !isIn(v);
    }
    case '$not': { const sub = compileValue(e, path, depth + 1); return (v) => !sub(v); }
    case '$size': { const sub = compileValue(e, path, depth + 1); return (v) => Array.isArray(v) && sub(v.length); }
    case '$elemMatch': {
      if (!isObject(e)) fail(path, '$elemMatch takes a condition object');
      const check = isOperatorObject(e as Record<string, unknown>) ? compileValue(e, path, depth + 1) : compileCondition(e, path, depth + 1);
      return (v) => Array.isArray(v) && v.some((x) => Boolean(x) && check(x)); // GrowthBook skips falsy elements
    }
    case '$all': {
      const subs = list().map((c, i) => compileValue(c, [...path, i], depth + 1));
      return (v) => Array.isArray(v) && subs.every((f) => v.some((x) => f(x)));
    }
    case '$regex': {
      if (typeof e !== 'string') return fail(path, '$regex takes a string');
      if (e.length > MAX_REGEX_LENGTH) fail(path, `$regex is at most ${MAX_REGEX_LENGTH} characters`);
      let re: RegExp;
      try {
        re = new RegExp(e.replace(/([^\\])\//g, '$1\\/'));
      } catch (err) {
        return fail(path, `$regex does not compile: ${(err as Error).message}`);
      }
      return (v) => re.test(String(v));
    }
    case '$type': {
      if (typeof e !== 'string' || !TYPES.has(e)) fail(path, `$type takes one of ${[...TYPES].join(', ')}`);
      return (v) => typeOf(v) === e;
    }
    case '$veq': case '$vne': case '$vgt': case '$vgte': case '$vlt': case '$vlte': {
      const x = paddedVersion(ordered());
      const cmp = VERSION_OPS[op];
      return (v) => cmp(paddedVersion(v), x);
    }
    default:
      return fail(path, `unknown operator '${op}'`);
  }
}

const VERSION_OPS: Record<string, (a: string, b: string) => boolean> = {
  $veq: (a, b) => a === b, $vne: (a, b) => a !== b, $vgt: (a, b) => a > b, $vgte: (a, b) => a >= b, $vlt: (a, b) => a < b, $vlte: (a, b) => a <= b,
};

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/**
 * A version as a string that compares in version order (GrowthBook's paddedVersionString): a
 * leading `v` and `+build` dropped, split at `.` and `-`, numeric parts left-padded to 5, and `~`
 * appended to a plain x.y.z so that 1.0.0 sorts after 1.0.0-beta. Not a string or number: "0".
 */
export function paddedVersion(input: unknown): string {
  const text = typeof input === 'number' ? String(input) : typeof input === 'string' && input !== '' ? input : '0';
  const parts = text.replace(/(^v|\+.*$)/g, '').split(/[-.]/);
  if (parts.length === 3) parts.push('~');
  return parts.map((p) => (/^[0-9]+$/.test(p) ? p.padStart(5, ' ') : p)).join('-');
}
