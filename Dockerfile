# licensd as a container: built in the Rust image, run from distroless (glibc, no shell, no
# package manager) as the unprivileged user 65532, with the data directory in a volume.
#
#   docker build -t licensd .
#   docker run -p 8080:8080 -v licensd-data:/data licensd
#
# Its TLS roots are built in (webpki-roots), so the runtime image needs no CA bundle.

FROM rust:1.89-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin licensd \
    && install -D -m 0755 target/release/licensd /out/licensd \
    && install -d -m 0700 /out/data

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/licensd /usr/local/bin/licensd
COPY --from=build --chown=65532:65532 /out/data /data
ENV LICENSD_DATA_DIR=/data \
    LICENSD_LISTEN=0.0.0.0:8080 \
    LICENSD_CREATE=true \
    LICENSD_LOG__FORMAT=json
VOLUME ["/data"]
EXPOSE 8080
USER 65532:65532
# SIGTERM drains in-flight requests within shutdown_timeout_secs (30 s): give `docker stop -t 45`.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/licensd"]
CMD ["serve"]
