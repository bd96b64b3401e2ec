/**
 * The SQLite store's database: opening it (WAL, synchronous=NORMAL), recognising it as ours
 * (`application_id`), and its schema version (`user_version`) with the migrations from the first
 * release. A file that is not ours, is locked by another process, is damaged, or was written by a
 * newer release is refused with a SqliteOpenError whose message is one line for the operator.
 */
import Database from 'better-sqlite3';

/** `PRAGMA application_id` of our databases ("BAND" in ASCII). */
export const APPLICATION_ID = 0x42414e44;

/** Refused at start: the message is one line, meant for the operator as it is. */
export class SqliteOpenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SqliteOpenError';
  }
}

/**
 * The migrations, in order: MIGRATIONS[i] takes a database from version i to i + 1. Never edit a
 * released one; append a new one. Tables are keyed by the experiment's integer `rid` so that the
 * log's rows stay small; arms are their index in the experiment's `arms`.
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL) WITHOUT ROWID;
   CREATE TABLE experiments (
     rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, config TEXT NOT NULL, disabled TEXT NOT NULL, version INTEGER NOT NULL,
     arms TEXT NOT NULL, sums_gen INTEGER NOT NULL DEFAULT 0, sums_until INTEGER NOT NULL DEFAULT 0,
     bss REAL NOT NULL DEFAULT 0, bnn REAL NOT NULL DEFAULT 0, bsn REAL NOT NULL DEFAULT 0,
     hss REAL NOT NULL DEFAULT 0, hnn REAL NOT NULL DEFAULT 0, hsn REAL NOT NULL DEFAULT 0);
   CREATE TABLE tallies (
     rid INTEGER NOT NULL, arm INTEGER NOT NULL, pop TEXT NOT NULL, decisions INTEGER NOT NULL DEFAULT 0, rewards INTEGER NOT NULL DEFAULT 0,
     sum REAL NOT NULL DEFAULT 0, sum_sq REAL NOT NULL DEFAULT 0, users INTEGER NOT NULL DEFAULT 0, engine TEXT,
     PRIMARY KEY (rid, arm, pop)) WITHOUT ROWID;
   CREATE TABLE users (
     rid INTEGER NOT NULL, user_id TEXT NOT NULL, arm INTEGER NOT NULL, propensity REAL NOT NULL, assigned_at INTEGER NOT NULL,
     pop TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (rid, user_id)) WITHOUT ROWID;
   CREATE INDEX users_expiry ON users (expires_at);
   CREATE TABLE dedupe (rid INTEGER NOT NULL, key TEXT NOT NULL, until INTEGER NOT NULL, PRIMARY KEY (rid, key)) WITHOUT ROWID;
   CREATE INDEX dedupe_expiry ON dedupe (until);
   CREATE TABLE user_sums (rid INTEGER NOT NULL, gen INTEGER NOT NULL, key TEXT NOT NULL, s REAL NOT NULL, n REAL NOT NULL,
     PRIMARY KEY (rid, gen, key)) WITHOUT ROWID;
   CREATE TABLE window_events (rid INTEGER NOT NULL, arm INTEGER NOT NULL, seq INTEGER NOT NULL, latency REAL, cost REAL,
     error INTEGER NOT NULL, PRIMARY KEY (rid, arm, seq)) WITHOUT ROWID;
   CREATE TABLE window_counters (rid INTEGER NOT NULL, arm INTEGER NOT NULL, samples INTEGER NOT NULL, latencies INTEGER NOT NULL,
     cost_samples INTEGER NOT NULL, cost_sum REAL NOT NULL, errors INTEGER NOT NULL, at_or_below INTEGER NOT NULL,
     counted_for REAL, next_seq INTEGER NOT NULL, PRIMARY KEY (rid, arm)) WITHOUT ROWID;
   CREATE TABLE due (rid INTEGER NOT NULL, key TEXT NOT NULL, arm TEXT NOT NULL, pop TEXT NOT NULL, issued_at INTEGER NOT NULL,
     due_at INTEGER NOT NULL, propensity REAL NOT NULL, user_key TEXT, PRIMARY KEY (rid, key)) WITHOUT ROWID;
   CREATE INDEX due_order ON due (rid, due_at, key);
   CREATE TABLE defaulted (rid INTEGER NOT NULL, key TEXT NOT NULL, until INTEGER NOT NULL, PRIMARY KEY (rid, key)) WITHOUT ROWID;
   CREATE TABLE events (
     id INTEGER PRIMARY KEY, rid INTEGER NOT NULL, ms INTEGER NOT NULL, type INTEGER NOT NULL, arm INTEGER NOT NULL, pop TEXT NOT NULL,
     nonce TEXT NOT NULL, issued_at INTEGER NOT NULL, propensity REAL NOT NULL,
     version INTEGER, first INTEGER, user_id TEXT, context TEXT, disabled TEXT, traceparent TEXT, propensities TEXT,
     reward REAL, latency REAL, cost REAL, error INTEGER, metadata TEXT, user_key TEXT);
   CREATE INDEX events_page ON events (rid, ms, id);
   CREATE INDEX events_type ON events (rid, type, ms, id);
   CREATE TABLE history (exp TEXT NOT NULL, ts INTEGER NOT NULL, point TEXT NOT NULL, PRIMARY KEY (exp, ts)) WITHOUT ROWID;
   CREATE TABLE api_keys (id TEXT PRIMARY KEY, scope TEXT NOT NULL, name TEXT NOT NULL, hash TEXT NOT NULL, created_at TEXT NOT NULL) WITHOUT ROWID;
   CREATE TABLE api_keys_used (id TEXT PRIMARY KEY, at TEXT NOT NULL) WITHOUT ROWID;`,
  // 2: layers (the claims on a layer's bucket ranges) and why a decision was excluded.
  `CREATE TABLE layer_claims (layer_id TEXT NOT NULL, experiment_id TEXT NOT NULL, range_from INTEGER NOT NULL, range_to INTEGER NOT NULL,
     ends_at_ms INTEGER, PRIMARY KEY (layer_id, experiment_id)) WITHOUT ROWID;
   ALTER TABLE events ADD COLUMN excluded_by TEXT;`,
  // 3: declared metrics (issue 22): per-arm per-population sums, the windows of guarded metrics
  // (the values as packed doubles, oldest first, and their running sum), and the metrics of events.
  `CREATE TABLE metric_sums (rid INTEGER NOT NULL, name TEXT NOT NULL, arm INTEGER NOT NULL, pop TEXT NOT NULL, n INTEGER NOT NULL,
     sum REAL NOT NULL, sum_sq REAL NOT NULL, PRIMARY KEY (rid, name, arm, pop)) WITHOUT ROWID;
   CREATE TABLE metric_windows (rid INTEGER NOT NULL, name TEXT NOT NULL, arm INTEGER NOT NULL, vals BLOB NOT NULL, sum REAL NOT NULL,
     PRIMARY KEY (rid, name, arm)) WITHOUT ROWID;
   ALTER TABLE events ADD COLUMN metrics TEXT;`,
  // 4: change detection (issue 24): per arm of the bandit population, the GLR detector (doubles:
  // sqlite-changes.ts), the tally's rewards from before the last restart and the changes detected
  // (JSON; null before any).
  `CREATE TABLE change_state (rid INTEGER NOT NULL, arm INTEGER NOT NULL, detector BLOB NOT NULL, before_change TEXT, changes TEXT,
     PRIMARY KEY (rid, arm)) WITHOUT ROWID;`,
  // 5: the metrics' user-level sums (issue 22; bandit/metric-compare.ts): over units (user, arm), their
  // count and the sums of S_i, N_i, S_i^2, N_i^2, S_i N_i. The units' states are rows of user_sums.
  `ALTER TABLE metric_sums ADD COLUMN units REAL NOT NULL DEFAULT 0;
   ALTER TABLE metric_sums ADD COLUMN u_sum REAL NOT NULL DEFAULT 0;
   ALTER TABLE metric_sums ADD COLUMN u_count REAL NOT NULL DEFAULT 0;
   ALTER TABLE metric_sums ADD COLUMN u_sum_sq REAL NOT NULL DEFAULT 0;
   ALTER TABLE metric_sums ADD COLUMN u_count_sq REAL NOT NULL DEFAULT 0;
   ALTER TABLE metric_sums ADD COLUMN u_cross REAL NOT NULL DEFAULT 0;`,
  // 6: contextual policies (issue 23): a linear policy's per-arm sums of the bandit population, as
  // little-endian doubles (bandit/linear-model.ts's layout).
  `CREATE TABLE linear_sums (rid INTEGER NOT NULL, arm INTEGER NOT NULL, sums BLOB NOT NULL, PRIMARY KEY (rid, arm)) WITHOUT ROWID;`,
  // 7: change detection with a linear policy (issue 24): an arm's linear sums as of its last restart
  // (the same layout; absent before any). The evidence is linear_sums minus these.
  `CREATE TABLE linear_before (rid INTEGER NOT NULL, arm INTEGER NOT NULL, sums BLOB NOT NULL, PRIMARY KEY (rid, arm)) WITHOUT ROWID;`,
];

/** The schema version this release writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** The codes of a database that is damaged or not a database at all. */
const DAMAGED = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT']);

export interface OpenOptions {
  /** Open for reading only (backup and migrate read a live database this way); no migration is run. */
  readonly?: boolean;
  /** How long a write waits for another process's lock, in ms. */
  busyTimeoutMs?: number;
}

/** Opens (creating when absent) and migrates the database at `file`; throws SqliteOpenError for one we cannot use. */
export function openDatabase(file: string, opts: OpenOptions = {}): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  } catch (err) {
    throw new SqliteOpenError(`cannot open the database ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
    checkOurs(db, file);
    if (!opts.readonly) {
      // WAL: readers (backup, migrate) never block the writer; a commit is in the log before it returns.
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      migrate(db);
    }
    db.pragma('foreign_keys = OFF');
    return db;
  } catch (err) {
    db.close();
    if (err instanceof SqliteOpenError) throw err;
    throw new SqliteOpenError(describeOpenFailure(err, file), { cause: err });
  }
}

/** Refuses a file that is another application's database, or ours from a newer release. */
function checkOurs(db: Database.Database, file: string): void {
  const appId = db.pragma('application_id', { simple: true }) as number;
  const version = db.pragma('user_version', { simple: true }) as number;
  if (appId === APPLICATION_ID) {
    if (version > SCHEMA_VERSION) {
      throw new SqliteOpenError(`the database ${file} has schema version ${version}, newer than this release's ${SCHEMA_VERSION}: run the release that wrote it (or restore a backup)`);
    }
    return;
  }
  const tables = db.prepare("SELECT count(*) AS n FROM sqlite_schema").get() as { n: number };
  if (appId !== 0 || version !== 0 || tables.n > 0) {
    throw new SqliteOpenError(`the database ${file} is not a bandit-service database (another application's SQLite file?): move it away or set DATA_DIR to another folder`);
  }
}

/** Brings the schema to SCHEMA_VERSION, each migration in one transaction with its version. */
function migrate(db: Database.Database): void {
  const from = db.pragma('user_version', { simple: true }) as number;
  for (let v = from; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      if (v === 0) db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
  if (from > 0 && from < SCHEMA_VERSION) db.pragma('optimize');
}

/** One line for an open that failed inside SQLite. */
function describeOpenFailure(err: unknown, file: string): string {
  const code = (err as { code?: string }).code ?? '';
  if (DAMAGED.has(code)) return `the database ${file} is damaged or not a database (${code}): restore a backup, or move it away to start empty`;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return `the database ${file} is locked by another process (${code}): stop the other bandit-service (or tool) using this DATA_DIR`;
  }
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN')) return `the database ${file} cannot be written (${code}): check the permissions of DATA_DIR`;
  return `cannot open the database ${file}: ${(err as Error).message}${code ? ` (${code})` : ''}`;
}
