# syntax=docker/dockerfile:1
# mailconfig: build with dev dependencies, run on the current Node.js LTS with production dependencies only.
ARG NODE_VERSION=lts

FROM node:${NODE_VERSION}-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
# `npm ci` runs the prepare script (scripts/prepare.mjs), which compiles src/ - and only src/ - into dist/; tests and
# benchmarks are not part of the image. Then the dev dependencies go.
RUN npm ci && npm prune --omit=dev

FROM node:${NODE_VERSION}-slim
# tini as PID 1: passes SIGTERM/SIGINT/SIGHUP on to node and reaps what it leaves (`docker run --init` does the same).
RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
# 8080 HTTP, 8443 HTTPS (publish them on the host's 80 and 443); the state directory keeps the ACME account,
# certificates and locks.
ENV NODE_ENV=production PORT=8080 MAILCONFIG_HTTPS_PORT=8443 HOST=0.0.0.0 MAILCONFIG_STATE_DIR=/app/state
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json LICENSE ./
COPY bin ./bin
# The provider database belongs to the service user so the admin API can write it. Both directories are volumes:
# a mounted directory must be writable by uid 1000 (the image's `node` user), or set MAILCONFIG_PROVIDERS.
COPY --chown=node:node providers ./providers
RUN install -d -o node -g node -m 0700 /app/state
VOLUME ["/app/state", "/app/providers"]
USER node
EXPOSE 8080 8443
# The start period covers loading the provider database on a busy machine.
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s --retries=3 CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "bin/mailconfig.js", "serve"]
