"""WSGI entry point: the real stack's HTTP, served by gunicorn's worker processes (deploy/)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safecity.settings.base")
application = get_wsgi_application()
