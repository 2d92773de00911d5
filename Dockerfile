FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2 fonts-dejavu-core nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock package.json package-lock.json ./
RUN pip install --no-cache-dir -r requirements.lock && npm ci --no-audit --no-fund
COPY . .
# Compiled once here: the image runs with PYTHONDONTWRITEBYTECODE, so without .pyc every start recompiles the source.
RUN python -m compileall -q accounts people actions kpis coproduction governance feed send_tracker manage.py \
    && npm run build:css && SECRET_KEY=build-only DATABASE_URL=postgres://build@localhost/build python manage.py collectstatic --noinput
RUN useradd --system --uid 1000 app && mkdir -p /var/lib/send-tracker/private && chown app /var/lib/send-tracker/private
USER app
EXPOSE 8000
CMD ["gunicorn", "send_tracker.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
