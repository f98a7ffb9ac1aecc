# syntax=docker/dockerfile:1
# Sluice in a container: a build stage with the toolchain (native builds of better-sqlite3 and re2),
# and a slim final stage with the compiled output and production dependencies only, run as the
# unprivileged `node` user. Docker is not available where Sluice is developed: the build stage's
# RUN steps are replayed outside Docker by scripts/check-docker-build.mjs (docs/team-deployment.md).
#
#   docker build -t sluice .
#   docker run -p 8081:8081 -v sluice-data:/data \
#     -v "$PWD/config/team.yaml:/etc/sluice/sluice.yaml:ro" -e SLUICE_CONFIG=/etc/sluice/sluice.yaml … sluice
ARG NODE_IMAGE=node:20-bookworm

FROM ${NODE_IMAGE} AS build
# The full bookworm image carries python3, make and g++ for node-gyp.
WORKDIR /src
# Dependencies first: this layer is reused until package*.json change. No lifecycle scripts yet
# (`prepare` builds, and the sources are not here); the two native modules are built explicitly.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
RUN npm rebuild better-sqlite3 re2
COPY . .
RUN npm run build
RUN npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    SLUICE_HOME=/data \
    SLUICE_DATA_DIR=/data
WORKDIR /app
# Only what `npm pack` would ship to run: package.json, the CLI, compiled core and plugins, the
# shipped configs, and production node_modules (native modules already built above).
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/bin ./bin
COPY --from=build /src/config ./config
COPY --from=build /src/dist/core ./dist/core
COPY --from=build /src/dist/plugins ./dist/plugins
COPY --from=build /src/node_modules ./node_modules
# The data dir (SQLite files, ledger spill files) belongs to the runtime user; the code does not.
RUN mkdir -p /data /etc/sluice && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8081
# /ready checks the database, Redis and sidecars. SLUICE_PORT: the port the config listens on (the
# data-plane listener's in multi-port mode; /ready answers on every listener).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.SLUICE_PORT || 8081) + '/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The config: SLUICE_CONFIG (e.g. /etc/sluice/sluice.yaml mounted read-only); without it the
# embedded default (loopback only, so only useful for a smoke test).
ENTRYPOINT ["node", "bin/sluice.js"]
CMD ["start"]
