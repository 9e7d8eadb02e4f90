# KPI Machine production image: one image for web (gunicorn), worker and beat (Celery).
# See docker-compose.yml for how the services use it and README.md for the configuration.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never

# WeasyPrint (the clinic pack as a PDF) needs Pango and a font at run time: the system libraries
# its Python package does not bring. The same list as .ci/run's step a (WEASYPRINT_PACKAGES).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# The same uv as the Makefile, so the image installs exactly what uv.lock says.
RUN pip install uv==0.13.9

WORKDIR /app

# Dependencies first (cached while only the code changes).
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project --python /usr/local/bin/python3.13

COPY . .

# Run as an unprivileged user. It may write only where the app writes at run time:
# staticfiles/ (collectstatic on start) and media/ (uploads and exports; a named volume).
RUN groupadd --system kpi \
    && useradd --system --gid kpi --home-dir /app --no-create-home --shell /usr/sbin/nologin kpi \
    && mkdir -p /app/staticfiles /app/media \
    && chown kpi:kpi /app/staticfiles /app/media \
    && chmod 0755 /app/docker/entrypoint.sh

ENV PATH="/app/.venv/bin:${PATH}" \
    DJANGO_SETTINGS_MODULE=kpi_machine.settings \
    DEBUG=false

USER kpi
EXPOSE 8000

ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["web"]
