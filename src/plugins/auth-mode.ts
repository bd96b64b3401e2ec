/** How the process enforces keys, from HOST, API_KEYS and AUTH (see README, "API keys"). */
import { isIP } from 'node:net';
import type { AuthMode } from './auth.js';

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/**
 * AUTH=off: nothing checked (the process warns at every start). Loopback: open while no key exists
 * (the quick start). Any other address: keys always; with none configured at all the process refuses
 * to start (main.ts).
 */
export function authModeFor(config: { HOST: string; AUTH?: 'on' | 'off' }): AuthMode {
  if (config.AUTH === 'off') return 'off';
  return isLoopback(config.HOST) ? 'open-when-empty' : 'keys';
}
