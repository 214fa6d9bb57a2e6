# The action's container, built for linux/amd64 and linux/arm64 by the
# release workflow (.github/workflows/release.yml), which publishes it and
# pins its digest in the release's action.yml; on the main branch
# action.yml builds it from this file (development only).
#
# Stages:
#   build    the statically linked Go binary (cgo: the tree-sitter Python
#            parser), cross-compiled on the build machine's own platform
#            for TARGETARCH with Debian's cross gcc: native speed, no CPU
#            emulation (QEMU would run the compilers themselves emulated,
#            several times slower).
#   uv       Astral's uv binary.
#   runtime  Debian slim with the CPython versions Lambda runs (3.10 to
#            3.14, installed by uv from its checksummed download list), uv,
#            git and the binary.
#
# Base images are pinned by digest (the multi-platform index), so a
# release is rebuilt from the same bytes; the tag beside each digest is
# for people. Source of each digest: docker-library/repo-info
# (repos/golang/remote/1.26.8-bookworm.md, repos/debian/remote/
# bookworm-20260824-slim.md) and uv's published image index for 0.9.18.
# To move a base: change tag and digest together (the release workflow
# checks each still resolves before building).
ARG GO_IMAGE=golang:1.26.8-bookworm@sha256:9fdc884aacc3bec89b20ffc69f4bb369c78210e3e4f600387b5128b12c199f81
ARG RUNTIME_IMAGE=debian:bookworm-20260824-slim@sha256:88200866dfff7ea7f5cbcb6ec7c8a701889efe6fe859fe64d6990e4b07ea4171
ARG UV_IMAGE=ghcr.io/astral-sh/uv:0.9.18@sha256:5713fa8217f92b80223bc83aac7db36ec80a84437dbc0d04bbc659cae030d8c9

FROM --platform=$BUILDPLATFORM ${GO_IMAGE} AS build
ARG TARGETARCH
ARG BUILDARCH
# The C cross compiler and target libc for cgo when the target differs
# from the build machine (amd64 <-> arm64).
RUN set -eux; \
    case "$TARGETARCH/$BUILDARCH" in \
      arm64/amd64) pkgs="gcc-aarch64-linux-gnu libc6-dev-arm64-cross" ;; \
      amd64/arm64) pkgs="gcc-x86-64-linux-gnu libc6-dev-amd64-cross" ;; \
      *) pkgs="" ;; \
    esac; \
    if [ -n "$pkgs" ]; then \
      apt-get update; \
      apt-get install -y --no-install-recommends $pkgs; \
      rm -rf /var/lib/apt/lists/*; \
    fi
WORKDIR /src
# Modules first: this layer is rebuilt only when go.mod or go.sum change.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
# Then only what the binary is built from (no tests' data, docs or bench).
COPY main.go ./
COPY pkg ./pkg
COPY templates ./templates
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    set -eux; \
    case "$TARGETARCH/$BUILDARCH" in \
      arm64/amd64) export CC=aarch64-linux-gnu-gcc ;; \
      amd64/arm64) export CC=x86_64-linux-gnu-gcc ;; \
    esac; \
    CGO_ENABLED=1 GOOS=linux GOARCH="$TARGETARCH" go build -trimpath -tags netgo,osusergo \
      -ldflags '-s -w -linkmode external -extldflags "-static"' \
      -o /out/django-serverless .

# The binary must be static: prove it by running it in an empty
# filesystem (of the target platform: under emulation for a cross build,
# which runs only this one command). The runtime stage copies the binary
# from here, so this stage always runs.
FROM scratch AS static-check
COPY --from=build /out/django-serverless /django-serverless
RUN ["/django-serverless", "--help"]

FROM ${UV_IMAGE} AS uv

FROM ${RUNTIME_IMAGE} AS runtime
# git: pip and uv build git+https requirements from a clone.
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates tzdata git; \
    rm -rf /var/lib/apt/lists/*
COPY --from=uv /uv /usr/local/bin/uv
# One CPython per Lambda runtime: schema generation imports the project
# with the interpreter of the configured runtime version, and bytecode is
# compiled by it. uv installs the newest patch release its own (pinned)
# version knows, from python-build-standalone, checking each download's
# SHA-256 against its embedded list; python3.X land in /usr/local/bin.
ENV UV_PYTHON_INSTALL_DIR=/opt/uv/python \
    UV_PYTHON_BIN_DIR=/usr/local/bin \
    UV_PYTHON_PREFERENCE=only-managed
RUN set -eux; \
    uv python install 3.10 3.11 3.12 3.13 3.14; \
    ln -s python3.12 /usr/local/bin/python3; \
    for v in 3.10 3.11 3.12 3.13 3.14; do "python$v" -c 'import sys; print(sys.version)'; done; \
    python3 -m pip --version; \
    rm -rf /root/.cache/uv
COPY --from=static-check /django-serverless /usr/local/bin/django-serverless
# Runs as the image's default user (root), which GitHub Actions requires
# to write to the mounted workspace. HOME is /github/home there: the
# dependency cache is /github/home/.cache/django-serverless (persist
# ${{ runner.temp }}/_github_home/.cache/django-serverless with
# actions/cache).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
ENTRYPOINT ["/usr/local/bin/django-serverless"]
