# Build stage: compile TypeScript with the dev dependencies.
# Node 24 is the Active LTS line (the code also runs on Node 20, see package.json "engines").
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json tsconfig.client.json ./
COPY src ./src
RUN npm run build

# Runtime stage: production dependencies only, as the unprivileged `node` user.
FROM node:24-bookworm-slim
# HOST=0.0.0.0: the service then refuses to start without API_KEYS (or AUTH=off); see README "API keys".
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 SHUTDOWN_GRACE_MS=10000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY web ./web
USER node
EXPOSE 3000
# Healthy = live (/health) and ready (/ready: Redis answers, the secret agrees, not draining).
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 CMD ["node", "dist/healthcheck.js"]
# SIGTERM starts the drain; it ends within SHUTDOWN_GRACE_MS, below the stop timeout (compose: 15 s).
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
