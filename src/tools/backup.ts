/**
 * `npm run backup -- <file>`: a consistent copy of the SQLite store's database (DATA_DIR) while
 * the service runs, through SQLite's online backup API on a read-only connection (WAL lets it
 * read beside the service's writes). The copy is checked (`PRAGMA quick_check`) and is itself a
 * database the service can start on (copy it to DATA_DIR/bandit.db).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../config.js';
import { databaseFile } from '../store/create-store.js';
import { openDatabase } from '../store/sqlite-schema.js';

function fail(message: string): never {
  process.stderr.write(`backup: ${message}\n`);
  process.exit(1);
}

const target = process.argv[2];
if (!target || process.argv.length > 3) fail('usage: npm run backup -- <file>   (copies DATA_DIR/bandit.db to <file>, which must not exist)');
const source = databaseFile(loadConfig().DATA_DIR);
if (!existsSync(source)) fail(`no database at ${resolve(source)} (set DATA_DIR to the service's)`);
if (existsSync(target)) fail(`${resolve(target)} exists: give a new file name`);

let db: Database.Database;
try {
  db = openDatabase(source, { readonly: true });
} catch (err) {
  fail((err as Error).message);
}
try {
  const { totalPages } = await db.backup(target);
  const copy = new Database(target, { readonly: true });
  const check = copy.pragma('quick_check', { simple: true });
  copy.close();
  if (check !== 'ok') fail(`the copy at ${resolve(target)} failed its check: ${String(check)}`);
  process.stdout.write(`backup: ${resolve(source)} -> ${resolve(target)} (${totalPages} pages, checked)\n`);
} catch (err) {
  fail(`${(err as Error).message}${(err as { code?: string }).code ? ` (${(err as { code?: string }).code})` : ''}`);
} finally {
  db.close();
}
