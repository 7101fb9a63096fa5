# The SafeCity image: one image for web (daphne), Celery worker and Celery beat.
FROM python:3.11-slim-bookworm AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=safecity.settings.production

RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm curl \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt package.json package-lock.json ./
RUN pip install -r requirements.txt \
 && npm ci --no-audit --no-fund --loglevel=error \
 && mkdir -p static/vendor && cp node_modules/echarts/dist/echarts.min.js static/vendor/

COPY . .
RUN DJANGO_SECRET_KEY=build-only python manage.py collectstatic --noinput -v0 \
 && useradd --system --home /app safecity && mkdir -p /app/var && chown -R safecity /app/var
USER safecity

EXPOSE 8000
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "safecity.asgi:application"]
