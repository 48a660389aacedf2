# syntax=docker/dockerfile:1
# The omnibot gateway for production: `docker build -t omnibot .`, run by docker-compose.yml.
# Node 24 runs the TypeScript sources directly (type stripping): no build step, no dev dependencies.

ARG NODE_IMAGE=node:24-slim

# Runtime dependencies only, from the lockfile.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
# tini is PID 1: it forwards SIGTERM/SIGINT to node (graceful shutdown) and reaps zombies.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=5001
WORKDIR /app
# Owned by root, read-only for the process: it never writes to its own files.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json main.ts channels.ts schema.graphql ./
COPY app ./app
COPY core ./core
COPY lib ./lib
COPY language ./language
COPY machines ./machines
COPY plugins ./plugins
COPY workflows ./workflows
COPY scripts/inspect.ts scripts/inspector-server.ts ./scripts/
# The intent classifier trained here once, from language/corpus/train.json: its model is saved under the
# temp directory (keyed by the corpus), so a container reads it at start instead of training.
RUN node --input-type=module -e "const { classifierTraining } = await import('./language/classifier.ts'); console.log(classifierTraining())"
USER node
EXPOSE 5001
# No curl in the slim image: node asks /readyz (200 ready; 503 not ready or shutting down).
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/readyz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
# A bounded young generation: under load V8 otherwise grows it to ~130 MiB and keeps the pages.
CMD ["node", "--max-semi-space-size=16", "--max-old-space-size=1536", "main.ts"]
