# syntax=docker/dockerfile:1
#
# fundtrail image: `docker compose build`, or `docker build -t fundtrail .`
#
# Both stages use the same exact Node release. 20.20.2 is the Node 20 patch
# the project is developed and tested on, and the Debian bookworm "slim"
# variant keeps glibc, which the native better-sqlite3 addon is built against.
# Keep the two FROM lines identical. The native addon compiled in the build
# stage must be loaded by the same Node ABI and the same libc.

########## build: compile the native addon and the TypeScript ##########
FROM node:20.20.2-bookworm-slim AS build

# better-sqlite3 is compiled from source, so this stage needs a C/C++ toolchain
# and python3 for node-gyp. None of it is copied into the final image.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Copy only the manifests first, so the dependency layers stay cached until
# package.json or package-lock.json changes.
COPY package.json package-lock.json ./

# Why `--ignore-scripts`: package.json has `"prepare": "npm run build"`, and
# `npm ci` runs `prepare`. At this point tsconfig and the sources have not been
# copied yet, so tsc would fail with "No inputs were found". Copying the
# sources before `npm ci` would fix that, but then every source edit would
# reinstall all dependencies. So we skip lifecycle scripts here and run each
# needed step on its own below. The flag also skips dependency install
# scripts. The only dependency install script that matters is better-sqlite3's,
# which is rebuilt next. (protobufjs's postinstall only prints a version-scheme
# warning.)
RUN npm ci --ignore-scripts

# Build better-sqlite3 from source against this exact Node:
# - build_from_source: its prebuild-install step skips downloading a prebuilt
#   binary and falls through to `node-gyp rebuild`.
# - nodedir=/usr/local: node-gyp uses the headers shipped in the official Node
#   image instead of downloading them.
RUN npm_config_build_from_source=true npm_config_nodedir=/usr/local \
    npm rebuild better-sqlite3

# Copy each directory separately. In a multi-source COPY, Docker copies the
# *contents* of every directory into the destination, which would flatten
# src/, domain/, ... into /app.
COPY tsconfig.json tsconfig.build.json ./
COPY domain ./domain
COPY projections ./projections
COPY src ./src
COPY bin ./bin

# Compile to dist/, then remove the devDependencies (typescript, tap, @types,
# yaml) so that only production dependencies are copied to the final stage.
RUN npm run build \
 && npm prune --omit=dev

########## runtime: production dependencies + compiled output only ##########
FROM node:20.20.2-bookworm-slim AS runtime

ENV NODE_ENV=production
WORKDIR /app

# Everything stays root-owned and so read-only for the app user. Only the data
# directory below is writable.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin

# SQLite projections and checkpoints are stored here (FUNDTRAIL_DB). When compose
# mounts a new named volume on this path, it copies this ownership.
RUN mkdir -p /app/data \
 && chown node:node /app/data

# Run as the unprivileged `node` user (uid 1000) that the official image provides.
USER node

EXPOSE 3000

CMD ["node", "bin/fundtrail.js", "serve"]
