# The pipeline image: installs exactly what uv.lock pins, runs as a non-root user.
FROM python:3.11-slim AS build
RUN pip install --no-cache-dir uv==0.13.8
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY src ./src
RUN uv sync --frozen --no-dev

FROM python:3.11-slim
RUN useradd --create-home --uid 1000 pressindex
WORKDIR /app
COPY --from=build /app /app
COPY flows ./flows
COPY mappings ./mappings
ENV PATH=/app/.venv/bin:$PATH PRESSINDEX_PROJECT_DIR=/app
USER pressindex
CMD ["pressindex", "--help"]
