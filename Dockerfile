# syntax=docker/dockerfile:1
# One image for every node; docker-compose.yml gives each its NODE_ID and peers through env.

FROM node:20-bookworm-slim AS build
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

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and run as `node`: the process cannot rewrite its own code or dependencies.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
USER node
EXPOSE 3000
# The slim image has no curl; Node 20's fetch does the probe.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/main.js"]
