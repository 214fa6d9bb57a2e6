# syntax=docker/dockerfile:1
#
# The action's container: a statically linked Go binary (cgo for the
# tree-sitter Python parser) on the slim image of the Lambda Python version,
# with uv and pip for building the dependencies layer for the Lambda platform.
# It runs as the image's default user (root), which GitHub Actions requires to
# write to the mounted workspace.

ARG GO_VERSION=1.26
ARG PYTHON_VERSION=3.12
ARG UV_VERSION=0.9.5

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -tags netgo,osusergo \
      -ldflags '-s -w -linkmode external -extldflags "-static"' \
      -o /out/django-serverless . \
 && /out/django-serverless --help >/dev/null

# The binary must be static: prove it by running it in an empty filesystem.
# The runtime stage copies the binary from here, so this stage always runs.
FROM scratch AS static-check
COPY --from=build /out/django-serverless /django-serverless
RUN ["/django-serverless", "--help"]

FROM ghcr.io/astral-sh/uv:${UV_VERSION} AS uv

FROM python:${PYTHON_VERSION}-slim-bookworm
# git: pip builds git+https requirements from a clone.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata git \
 && rm -rf /var/lib/apt/lists/*
COPY --from=uv /uv /usr/local/bin/uv
COPY --from=static-check /django-serverless /usr/local/bin/django-serverless
ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
ENTRYPOINT ["/usr/local/bin/django-serverless"]
