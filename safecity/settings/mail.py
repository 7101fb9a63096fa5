"""Email: subscriptions are delivered through Django's email backend, configured here from the
environment (README, "Subscriptions and email")."""

from .environment import env

# Subscriptions are delivered by email through Django's backend: SMTP to EMAIL_HOST when it is
# set, otherwise printed to the console (embedded mode, a demo).
EMAIL_HOST = env("EMAIL_HOST", default="")
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
# Seconds a connection to the mail server may take: a server gone away fails one delivery,
# it does not hold a worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="SafeCity <safecity@localhost>")
# The platform's address as users reach it: links in emails (a report, an unsubscribe link)
# start with it.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
