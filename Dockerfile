# certform in a container, for CI jobs that run in one (GitLab CI `image:`, GitHub `container:`,
# Jenkins agents): Debian stable, the same packages as the setup action (action.yml) builds.
#   docker build -t certform .            # in a checkout of the version you want
#   docker run --rm -v "$PWD:/work" -w /work certform certform plan
# Stage 1 makes the Release packages with the documented commands; stage 2 installs certform's
# .deb into a slim image with apt-get, so that the shared libraries it links come with it.
FROM debian:bookworm AS build
COPY scripts/install-deps.sh /src/scripts/install-deps.sh
RUN /src/scripts/install-deps.sh --build && rm -rf /var/lib/apt/lists/*
COPY . /src
RUN CERTFORM_RELEASE_BUILD_DIR=/build /src/scripts/build-release.sh \
 && cd /build && cpack -G DEB > /dev/null \
 && mkdir /debs && cp certform_*.deb certform-emulator_*.deb /debs/

FROM debian:bookworm-slim
COPY --from=build /debs /debs
# git: CI jobs check out the configuration; ca-certificates: certform talks HTTPS to the APIs.
RUN apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      /debs/certform_*.deb ca-certificates git \
 && rm -rf /var/lib/apt/lists/* \
 && certform version
CMD ["certform", "--help"]
