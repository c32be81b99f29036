# taskapp's FastAPI service (fixtures/taskapp/services/api) as its team would containerize
# it, from Debian's packages on the local debian:bookworm-slim (docker/base.sh).
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3-fastapi python3-uvicorn python3-httpx \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 app
WORKDIR /app
COPY . .
USER app
ENV PORT=8080
CMD ["sh", "-c", "exec python3 -m uvicorn main:app --host 0.0.0.0 --port ${PORT}"]
