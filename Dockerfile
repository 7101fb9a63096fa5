# The SafeCity image: one image for HTTP (gunicorn), WebSockets (daphne), Celery worker and beat.
FROM python:3.11-slim-bookworm AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=safecity.settings.production

# Noto CJK and Pango: the briefings' PDF (WeasyPrint) and charts (matplotlib) in Chinese.
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm curl \
      fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt package.json package-lock.json ./
RUN pip install -r requirements.txt \
 && npm ci --no-audit --no-fund --loglevel=error \
 && mkdir -p static/vendor/markercluster \
 && cp node_modules/echarts/dist/echarts.min.js static/vendor/ \
 && cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js \
       node_modules/leaflet.markercluster/dist/MarkerCluster.css \
       node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css static/vendor/markercluster/

COPY . .
RUN DJANGO_SECRET_KEY=build-only python manage.py collectstatic --noinput -v0 \
 && useradd --system --home /app safecity && mkdir -p /app/var && chown -R safecity /app/var
USER safecity

EXPOSE 8001 8002
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "safecity.wsgi:application"]
