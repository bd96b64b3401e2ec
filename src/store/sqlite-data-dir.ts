/** DATA_DIR at start: created when absent, and proved writable by writing a file in it. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Null when `dir` exists (or was created) and can be written; else one line naming it and why. */
export function prepareDataDir(dir: string): string | null {
  const path = resolve(dir);
  try {
    mkdirSync(path, { recursive: true });
    const probe = join(path, `.write-test-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
    return null;
  } catch (err) {
    const code = (err as { code?: string }).code;
    return `DATA_DIR ${path} cannot be written (${code ?? (err as Error).message}): create it with write permission for this user, or set DATA_DIR to a folder that has it`;
  }
}
