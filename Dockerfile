# syntax=docker/dockerfile:1
# One image for every node; docker-compose.yml gives each its NODE_ID and peers through env.

# Node 22, the current LTS (the code runs on Node 20 and later).
FROM node:22-bookworm-slim AS build
WORKDIR /app
# Dependencies first, so a source-only change reuses the cached npm ci layer.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY web ./web
# Builds the nodes and the web app (web/dist; an empty one when the app has no Vite config).
RUN npm run build && mkdir -p web/dist && npm prune --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim
ENV NODE_ENV=production
# The commit behavior_build_info reports: docker build --build-arg GIT_COMMIT=$(git rev-parse --short=12 HEAD) .
ARG GIT_COMMIT=unknown
ENV GIT_COMMIT=$GIT_COMMIT
# Listen on every interface of the container: on 127.0.0.1 a published port would lead nowhere.
ENV HTTP_HOST=0.0.0.0
WORKDIR /app
# Owned by root and run as `node`: the process cannot rewrite its own code or dependencies.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The records service's archives (RECORDS_DIR); compose mounts a volume here, which takes this owner.
RUN mkdir -p /app/data/records && chown node:node /app/data/records
COPY --from=build /app/web/dist ./web/dist
USER node
EXPOSE 3000
# The slim image has no curl; Node's fetch does the probe. Healthy = ready: the node can serve reads
# (GET /health/writable says whether it can take writes).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||3000)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/main.js"]
