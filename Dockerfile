# groupwatch: a static pipeline binary on a distroless base, run as a non-root user.
# Built without the in-process stand-ins (-tags noembedded): a container always talks to a
# real Redis and MySQL (GROUPWATCH_REDIS_URL, GROUPWATCH_MYSQL_DSN).
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -tags noembedded -ldflags='-s -w' -o /out/pipeline ./cmd/pipeline

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/pipeline /usr/local/bin/pipeline
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/pipeline"]
CMD ["run", "--http", "0.0.0.0:8080"]
