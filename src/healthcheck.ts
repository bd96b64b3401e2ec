/**
 * The container's health check (Dockerfile HEALTHCHECK, compose): healthy when the process is live
 * (/health 200) and ready (/ready 200: the store answers, the secret agrees, not shutting down).
 * Prints what failed; exits 0 or 1. `node dist/healthcheck.js`
 */
const base = `http://127.0.0.1:${process.env.PORT ?? 3000}`;

async function status(path: string): Promise<number | string> {
  try {
    const res = await fetch(base + path, { signal: AbortSignal.timeout(2000) });
    return res.status;
  } catch (err) {
    return (err as Error).message;
  }
}

const [live, ready] = await Promise.all([status('/health'), status('/ready')]);
if (live === 200 && ready === 200) process.exit(0);
console.error(`unhealthy: /health ${live}, /ready ${ready}`);
process.exit(1);
