# glmirror in a container: `make image` (docker or podman).  The build stage
# compiles with the project's own tools/install-deps; the image that ships
# holds only the runtime libraries and runs as a user without privileges.
FROM debian:12 AS build
WORKDIR /src
COPY . .
RUN apt-get update -q && apt-get install -y -q --no-install-recommends gcc libc6-dev make && \
    tools/install-deps && make BUILD=build/image && \
    make install-files INSTALL_BIN=build/image/glmirror PREFIX=/usr DESTDIR=/out

FROM debian:12-slim
# libgit2 1.8 comes from Debian's bookworm-backports, as in the build stage
# (tools/install-deps wrote that sources entry there).
COPY --from=build /etc/apt/sources.list.d/ /etc/apt/sources.list.d/
RUN apt-get update -q && \
    apt-get install -y -q --no-install-recommends ca-certificates libcurl4 libcjson1 \
        libgit2-1.8 libssh2-1 libsecret-1-0 libssl3 && \
    rm -rf /var/lib/apt/lists/* && \
    useradd --system --uid 10001 --user-group --home-dir /mirror --shell /usr/sbin/nologin glmirror && \
    install -d -o glmirror -g glmirror /mirror
COPY --from=build /out/usr/bin/glmirror /usr/bin/glmirror
USER 10001:10001
WORKDIR /mirror
ENTRYPOINT ["/usr/bin/glmirror"]
CMD ["--help"]
