# syntax=docker/dockerfile:1
# The tokentrace server as a container image: the official Node 20 image, production
# dependencies only, running as the image's unprivileged `node` user.
#
# NOT BUILT OR RUN IN CI: the machines this project is developed and tested on have no Docker
# daemon and no image registry. What is tested is the native deployment, deploy/run-local.sh
# (deploy/multi-instance.test.ts); this file and compose.yaml mirror it: the same process
# (`node --import tsx server/cli.ts start`), the same variables, the same health probe. The
# production-only install was checked without Docker: `npm ci --omit=dev` plus the folders copied
# below start and answer /readyz.
#
#   docker build -t tokentrace:0.1.0 .
#   docker run -p 4000:4000 -v tokentrace-data:/data \
#     -e TOKENTRACE_ENCRYPTION_KEYS=k1:$(openssl rand -base64 32) \
#     -e TOKENTRACE_AUDIT_KEYS=a1:$(openssl rand -base64 32) \
#     -e TOKENTRACE_TLS_TERMINATED_BY_PROXY=true -e TOKENTRACE_PUBLIC_URL=https://tokentrace.example.com tokentrace:0.1.0

# --- the dashboard, built with the dev dependencies (Vite, Svelte) -----------------------------
FROM node:20-bookworm-slim AS dashboard
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY client ./client
RUN npm run build:client

# --- the server ---------------------------------------------------------------------------------
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    TOKENTRACE_DATA_DIR=/data \
    TOKENTRACE_SKIP_DASHBOARD_BUILD=true
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY tsconfig.json ./
COPY server ./server
COPY schema ./schema
COPY plugins ./plugins
COPY migrations ./migrations
COPY --from=dashboard /app/client/dist ./client/dist
# The embedded database (when DATABASE_URL is unset) lives in a volume the server user owns.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:4000/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--max-semi-space-size=64", "--import", "tsx", "server/cli.ts", "start"]
