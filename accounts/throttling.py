"""Request rates per API token and per user (anonymous callers: per address).

Rates come from ``API_THROTTLE_RATES`` at request time, so a deployment (or a test) can change
them without a restart of the class machinery.
"""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken


class PrincipalRateThrottle(SimpleRateThrottle):
    """One bucket per token for token requests, per user for session requests."""

    scope = "principal"

    def get_rate(self):
        return None  # decided per request in allow_request

    def allow_request(self, request, view):
        token = request.auth if isinstance(request.auth, ApiToken) else None
        if token is not None:
            kind, ident = "token", token.pk
        elif request.user and request.user.is_authenticated:
            kind, ident = "user", request.user.pk
        else:
            kind, ident = "anon", self.get_ident(request)
        rate = settings.API_THROTTLE_RATES.get(kind)
        if not rate:
            return True
        self.rate = rate
        self.num_requests, self.duration = self.parse_rate(rate)
        self.key = self.cache_format % {"scope": kind, "ident": ident}
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        if len(self.history) >= self.num_requests:
            return self.throttle_failure()
        return self.throttle_success()
