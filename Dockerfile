# Build stage: compile TypeScript with the dev dependencies.
# Node 24 is the Active LTS line (the code also runs on Node 20, see package.json "engines").
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json tsconfig.client.json ./
COPY src ./src
RUN npm run build

# Production dependencies. better-sqlite3 downloads a prebuilt binary, or builds one from source
# (hence python3, make and g++ here, kept out of the runtime image).
FROM node:24-bookworm-slim AS deps
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# Runtime stage: production dependencies only, as the unprivileged `node` user.
FROM node:24-bookworm-slim
# HOST=0.0.0.0: the service then refuses to start without API_KEYS (or AUTH=off); see README "API keys".
# DATA_DIR: the SQLite store's database (the default store when REDIS_URL is unset); mount a volume there.
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 SHUTDOWN_GRACE_MS=10000 DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY web ./web
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 3000
# Healthy = live (/health) and ready (/ready: the store answers, the secret agrees, not draining).
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 CMD ["node", "dist/healthcheck.js"]
# SIGTERM starts the drain; it ends within SHUTDOWN_GRACE_MS, below the stop timeout (compose: 15 s).
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
