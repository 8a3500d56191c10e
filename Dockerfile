# One image for every Tessera process; the command picks the process:
#   node dist/gateway/main.js                 (the default)
#   node dist/subgraphs/<name>/main.js        auth, tenancy, assets, jobs, observability
#   node dist/subgraphs/jobs/worker/main.js   the BullMQ worker
#   node dist/scripts/migrate.js up           migrations (a one-shot job)
# Node 22 LTS: package.json allows >= 20.19, but Node 20 is past its end of life and
# @apollo/server's @whatwg-node/promise-helpers already asks for >= 22.15.
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Dependencies first, so editing a source file does not reinstall them.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps \
    HOST=0.0.0.0
WORKDIR /app
# Left owned by root: the runtime user reads the code but cannot rewrite it.
# repoRoot() finds the app by package.json next to schema/.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/schema ./schema
COPY --from=build /app/dist ./dist
# The assets service's local blob store (a volume in docker-compose.yml); a named volume
# takes this directory's owner when first mounted, so `node` can write to it.
RUN mkdir -p /var/lib/tessera/assets && chown node:node /var/lib/tessera/assets
# pg_dump and pg_restore for the worker's scheduled backups (BACKUP_CRON) and
# db-backup.js: Debian bookworm's client is PostgreSQL 15, docker-compose's server version. A
# newer server needs its own version's client (the PostgreSQL apt repository's package).
ARG PG_CLIENT_PACKAGE=postgresql-client-15
RUN apt-get update \
    && apt-get install -y --no-install-recommends ${PG_CLIENT_PACKAGE} \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /var/lib/tessera/backups && chown node:node /var/lib/tessera/backups
# `node` (uid 1000) ships with the official image.
USER node
EXPOSE 4000-4006
# Exec form, no shell: SIGTERM reaches node, which drains and exits (compose adds an init).
CMD ["node", "--max-semi-space-size=32", "dist/gateway/main.js"]
