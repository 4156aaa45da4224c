# syntax=docker/dockerfile:1
# khabar: Arabic news analysis service.  Multi-stage build on Debian bookworm.
#
#   docker build -t khabar .                      (or: podman build --format docker -t khabar .)
#   docker run --rm -p 8080:8080 khabar
#
# BASE builds unchanged against a registry.  Where none is reachable, make a local base with
# debootstrap and pass --build-arg BASE=localhost/debian-bookworm-local:minbase (see
# deploy/container-smoke.sh).  In production pin the base by digest (debian:bookworm-slim@sha256:...).
ARG BASE=debian:bookworm-slim

# ---------------------------------------------------------------------------------------------
FROM ${BASE} AS build
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        gcc libc6-dev meson ninja-build pkg-config python3 \
        libmicrohttpd-dev libjansson-dev libicu-dev libinih-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# (python3 embeds api/openapi.json into the binary at build time.)
# Install into a staging root so the runtime stage copies exactly what `meson install` puts
# in place: the binary and the lexicons (/usr/local/share/khabar).  The test suite is CI's
# job (.ci/run); here the staged binary only has to load the staged lexicons and analyse
# one article.
RUN meson setup /build --buildtype=release --prefix=/usr/local \
 && ninja -C /build \
 && DESTDIR=/staging meson install -C /build --no-rebuild \
 && /staging/usr/local/bin/khabar --version \
 && /staging/usr/local/bin/khabar analyze --data-dir /staging/usr/local/share/khabar \
        tests/data/deploy-smoke-ar.txt >/dev/null

# ---------------------------------------------------------------------------------------------
FROM ${BASE}
ENV DEBIAN_FRONTEND=noninteractive
# Runtime libraries only: no compiler, no curl (the HEALTHCHECK uses `khabar probe`).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        libmicrohttpd12 libjansson4 libicu72 libinih1 \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb \
 && groupadd --system --gid 10001 khabar \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin khabar
COPY --from=build /staging/usr/local/bin/khabar /usr/local/bin/khabar
COPY --from=build /staging/usr/local/share/khabar/ /usr/local/share/khabar/

# Inside a container the service must listen on all interfaces; everything else keeps the
# built-in defaults and can be overridden with KHABAR_* variables (see deploy/README.md).
ENV KHABAR_BIND=0.0.0.0 \
    KHABAR_PORT=8080 \
    KHABAR_DATA_DIR=/usr/local/share/khabar

USER 10001:10001
EXPOSE 8080
STOPSIGNAL SIGTERM
# `khabar probe` is a tiny built-in HTTP/1.0 client: exit 0 on 2xx from /healthz.
# (podman/buildah keep HEALTHCHECK only with --format docker.)
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD ["/usr/local/bin/khabar", "probe"]
# Exec form: khabar is PID 1 and gets SIGTERM itself, then drains in-flight requests.
ENTRYPOINT ["/usr/local/bin/khabar", "serve"]
