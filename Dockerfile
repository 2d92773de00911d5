# The production image holds what serves the product and nothing else: no Node.js or npm,
# no test or lint tools (requirements.lock is the runtime set; requirements-dev.lock is not used here).

# 1. The stylesheets, compiled with Sass on Node.js. Only the CSS and GOV.UK Frontend's
#    static assets (its images and browser JavaScript) leave this stage.
FROM node:22-bookworm-slim AS stylesheets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY static/src static/src
RUN npm run --silent build:css

# 2. The Python packages, in a virtual environment copied whole into the image; pip's cache stays behind.
FROM python:3.11-slim-bookworm AS python-packages
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY requirements.lock ./
RUN /opt/venv/bin/pip install --no-cache-dir -r requirements.lock

# 3. The image that runs: web (gunicorn), workers and beat (Celery) all start from it.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/venv/bin:$PATH
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=python-packages /opt/venv /opt/venv
COPY . .
COPY --from=stylesheets /build/static/css static/css
COPY --from=stylesheets /build/node_modules/govuk-frontend/dist/govuk node_modules/govuk-frontend/dist/govuk
# Compiled once here: the image runs with PYTHONDONTWRITEBYTECODE, so without .pyc every start recompiles the source.
RUN python -m compileall -q accounts people jobs intake actions kpis coproduction governance risks finance reporting feed send_tracker manage.py \
    && SECRET_KEY=build-only DATABASE_URL=postgres://build@localhost/build python manage.py collectstatic --noinput \
    && rm -f package.json package-lock.json
RUN useradd --system --uid 1000 app && mkdir -p /var/lib/send-tracker/private && chown app /var/lib/send-tracker/private
USER app
EXPOSE 8000
CMD ["gunicorn", "-c", "send_tracker/gunicorn_conf.py", "send_tracker.wsgi"]
