# The Trailmark ledger service. `docker compose up` builds it; docs/eventstoredb.md says how to run it.

# --- build: compile the TypeScript workspaces and better-sqlite3's native addon ---
FROM node:22.23.5-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY proofs/package.json proofs/
COPY proofs/cli/package.json proofs/cli/
COPY libs/merkle/package.json libs/merkle/
COPY libs/checkpoint/package.json libs/checkpoint/
COPY libs/event-store/package.json libs/event-store/
COPY libs/domain/package.json libs/domain/
COPY libs/sequencer/package.json libs/sequencer/
COPY libs/projections/package.json libs/projections/
COPY libs/alerts/package.json libs/alerts/
COPY libs/streams/package.json libs/streams/
COPY libs/client/package.json libs/client/
COPY test/esdb-double/package.json test/esdb-double/
COPY apps/ledger/package.json apps/ledger/
COPY apps/console/package.json apps/console/
# No install scripts: the root `prepare` (tsc -b) needs the sources, which are not copied yet, and
# better-sqlite3 is the only package allowed to run one (package.json "allowScripts").
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3
COPY . .
# The service and the workspaces it references, the verifier CLI and the console (not bench/).
RUN npx tsc -b apps/ledger proofs/cli && npm run build -w apps/console

# --- runtime: production dependencies and the compiled output only ---
FROM node:22.23.5-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    TRAILMARK_DATA_DIR=/data \
    PORT=8080
WORKDIR /app
COPY package.json package-lock.json ./
COPY proofs/package.json proofs/
COPY proofs/cli/package.json proofs/cli/
COPY libs/merkle/package.json libs/merkle/
COPY libs/checkpoint/package.json libs/checkpoint/
COPY libs/event-store/package.json libs/event-store/
COPY libs/domain/package.json libs/domain/
COPY libs/sequencer/package.json libs/sequencer/
COPY libs/projections/package.json libs/projections/
COPY libs/alerts/package.json libs/alerts/
COPY libs/streams/package.json libs/streams/
COPY libs/client/package.json libs/client/
COPY test/esdb-double/package.json test/esdb-double/
COPY apps/ledger/package.json apps/ledger/
COPY apps/console/package.json apps/console/
# --ignore-scripts: `prepare` would run tsc, a dev dependency. No compiler here either: the addon
# comes from the build stage, built on this same base image and Node version.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/node_modules/better-sqlite3/build/Release/better_sqlite3.node node_modules/better-sqlite3/build/Release/
COPY --from=build /app/proofs/dist proofs/dist
COPY --from=build /app/proofs/cli/dist proofs/cli/dist
COPY --from=build /app/proofs/cli/bin proofs/cli/bin
COPY --from=build /app/libs/merkle/dist libs/merkle/dist
COPY --from=build /app/libs/checkpoint/dist libs/checkpoint/dist
COPY --from=build /app/libs/event-store/dist libs/event-store/dist
COPY --from=build /app/libs/domain/dist libs/domain/dist
COPY --from=build /app/libs/sequencer/dist libs/sequencer/dist
COPY --from=build /app/libs/projections/dist libs/projections/dist
COPY --from=build /app/libs/alerts/dist libs/alerts/dist
COPY --from=build /app/libs/streams/dist libs/streams/dist
COPY --from=build /app/apps/ledger/dist apps/ledger/dist
COPY --from=build /app/apps/ledger/bin apps/ledger/bin
# The web console: static files the ledger serves at /console.
COPY --from=build /app/apps/console/dist apps/console/dist
# The data dir (signing key, ledger.db) belongs to the unprivileged `node` user of the base image;
# a new named volume takes this ownership.
RUN mkdir /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "apps/ledger/bin/trailmark.js", "serve"]
