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
ENV NODE_ENV=production PORT=8080 HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
# The provider database belongs to the service user so the admin API can write it (or mount a volume and set
# MAILCONFIG_PROVIDERS).
COPY --chown=node:node providers ./providers
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "bin/mailconfig.js", "serve"]
