# The pipeline image (setup, worker and the Prefect server in docker-compose.yml): exactly what uv.lock
# pins, installed in a build stage; the runtime stage holds the virtualenv and the project's data
# directories and runs as a non-root user.
FROM python:3.11-slim AS build
# a C compiler for the language scorer (src/pressindex/parse/_ngram_score.c); the image has Python's headers
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir uv==0.13.8
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never
WORKDIR /app
# dependencies first: this layer is rebuilt only when the lock changes
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY setup.py ./
COPY src ./src
RUN uv sync --frozen --no-dev --no-editable

FROM python:3.11-slim
# uid 10001, not the 1000 the Elasticsearch and Kibana images use: on the shared certs volume the
# pipeline can read the public CA certificate and none of the private keys.
RUN useradd --create-home --uid 10001 --user-group pressindex \
    && mkdir -p /data/inbox /data/quarantine /data/prefect \
    && chown pressindex:pressindex /data/quarantine /data/prefect
WORKDIR /app
COPY --from=build /app/.venv /app/.venv
# mappings/, flows/ and kibana/ live beside the package (PRESSINDEX_PROJECT_DIR)
COPY flows ./flows
COPY mappings ./mappings
COPY kibana ./kibana
ENV PATH=/app/.venv/bin:$PATH \
    PRESSINDEX_PROJECT_DIR=/app \
    PREFECT_HOME=/data/prefect \
    PYTHONUNBUFFERED=1
USER pressindex
CMD ["pressindex", "--help"]
