"""Failed-login lockout on django-axes's records, kept in the database (so it holds without
Redis), with each attempt's slot reserved before its password or TOTP code is checked.

Each rule is one of axes's lockout parameter combinations (``AXES_LOCKOUT_PARAMETERS``) with a
limit of its own: a username at one client address may fail ``LOGIN_FAILURE_LIMIT`` times, and
one address ``LOGIN_ADDRESS_FAILURE_LIMIT`` times across all usernames. A rule's failures
count while each follows the last within ``LOGIN_LOCKOUT_SECONDS``; at its limit that username
and address (or that address) is refused until ``LOGIN_LOCKOUT_SECONDS`` after the last one. A
stranger elsewhere therefore cannot lock an officer out of their own workstation.

Axes counts a failure after the password was checked, so parallel guesses all pass its check
and all get an answer. Here an attempt first takes a slot — under a database lock per rule, it
counts the rule's failures and adds its own — and only an attempt that got one has its
password checked; a success gives the slot back. No more than the limit of guesses is ever
answered, however many arrive at once.
"""

import hashlib
import unicodedata
from dataclasses import dataclass

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_credentials, get_lockout_parameters
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Sum
from django.utils import timezone

# The rule that locks one address across usernames, as axes names its parameters.
ADDRESS_RULE = ("ip_address",)


def canonical_username(value) -> str:
    """The one spelling of a username that logins and lockout counters use: NFKC (full-width
    letters become ASCII), without surrounding space, case-folded."""
    return unicodedata.normalize("NFKC", str(value)).strip().casefold()


def attempt_username(request, credentials) -> str | None:
    """``AXES_USERNAME_CALLABLE``: the canonical username an attempt names."""
    raw = (credentials or {}).get("username")
    if raw is None and request is not None:
        raw = getattr(request, "data", request.POST).get("username")
    return None if raw is None else canonical_username(raw)


def attempt_address(request) -> str | None:
    """``AXES_CLIENT_IP_CALLABLE``: the client address, as the audit trail records it
    (``AUDIT_TRUST_X_FORWARDED_FOR`` decides whether a proxy's header is believed)."""
    from audit.context import client_ip

    return client_ip(request.META)


@dataclass(frozen=True)
class Rule:
    """Failures of one combination of attempt parameters, and how many lock it."""

    parameters: tuple[str, ...]
    limit: int


def rules(request=None, credentials=None) -> list[Rule]:
    limits = {ADDRESS_RULE: settings.LOGIN_ADDRESS_FAILURE_LIMIT}
    found = []
    for parameters in get_lockout_parameters(request, credentials):
        combination = (parameters,) if isinstance(parameters, str) else tuple(parameters)
        found.append(Rule(combination, limits.get(combination, settings.LOGIN_FAILURE_LIMIT)))
    return found


class LoginAttemptHandler(AxesDatabaseHandler):
    """``AXES_HANDLER``: axes's database handler, counting attempts when their slot is taken
    (:meth:`reserve`) rather than when they have failed, with a limit per rule."""

    def reserve(self, request, credentials) -> Rule | None:
        """Take a slot for this attempt before its secret is checked; the rule that refuses
        it, or None. The refusal is also left on the request (``axes_locked_out``)."""
        AxesProxyHandler.update_request(request)
        username = get_client_username(request, credentials)
        address = request.axes_ip_address
        filters = self._filters(request, credentials, username)
        with transaction.atomic(using="default"):
            _lock([f"{rule.parameters}:{sorted(kwargs.items())}" for rule, kwargs in filters])
            threshold = timezone.now() - _window()
            for _, kwargs in filters:
                # Expired failures start counting again from nothing; only rows under the
                # locks just taken are touched, so concurrent reservations cannot deadlock.
                AccessAttempt.objects.filter(**kwargs, attempt_time__lt=threshold).delete()
            failures = [(rule, _failures(kwargs)) for rule, kwargs in filters]
            for rule, count in failures:
                if count >= rule.limit:
                    request.axes_locked_out = True
                    request.lockout_rule = rule
                    return rule
            attempt, created = AccessAttempt.objects.get_or_create(
                username=username,
                ip_address=address,
                user_agent=request.axes_user_agent,
                defaults={
                    "failures_since_start": 1,
                    "http_accept": request.axes_http_accept,
                    "path_info": request.axes_path_info,
                    "attempt_time": request.axes_attempt_time,
                },
            )
            if not created:
                AccessAttempt.objects.filter(pk=attempt.pk).update(
                    failures_since_start=F("failures_since_start") + 1,
                    attempt_time=request.axes_attempt_time,
                    path_info=request.axes_path_info,
                )
        # Should this attempt fail, it is the one that locks: say so when it does.
        request.lockout_reached = next(
            (rule for rule, count in failures if count + 1 >= rule.limit), None
        )
        return None

    def release(self, request, credentials) -> None:
        """Give back the slot of an attempt that succeeded."""
        AxesProxyHandler.update_request(request)
        AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
            user_agent=request.axes_user_agent,
            failures_since_start__gt=0,
        ).update(failures_since_start=F("failures_since_start") - 1)

    def clear(self, request, credentials) -> None:
        """Forget the failures of this username at this address (a login completed)."""
        AxesProxyHandler.update_request(request)
        AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        ).delete()

    def locking_rule(self, request, credentials) -> Rule | None:
        """The rule this username at this address is locked by, if any."""
        AxesProxyHandler.update_request(request)
        username = get_client_username(request, credentials)
        threshold = timezone.now() - _window()
        for rule, kwargs in self._filters(request, credentials, username):
            if _failures(kwargs, attempt_time__gte=threshold) >= rule.limit:
                return rule
        return None

    def is_locked(self, request, credentials=None) -> bool:
        return self.locking_rule(request, credentials) is not None

    def get_failures(self, request, credentials=None) -> int:
        username = get_client_username(request, credentials)
        threshold = timezone.now() - _window()
        filters = self._filters(request, credentials, username)
        return max(_failures(kwargs, attempt_time__gte=threshold) for _, kwargs in filters)

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        """The failure was counted when its slot was taken; here only the lock it causes is
        announced (the audit trail's ``locked_out``, axes's ``user_locked_out``)."""
        rule = getattr(request, "lockout_reached", None)
        if request is None or rule is None or request.axes_locked_out:
            return
        request.lockout_reached = None
        username = get_client_username(request, credentials)
        from audit.services import audit_record

        audit_record(
            action="locked_out",
            outcome="denied",
            detail=f"{rule.limit} failed logins by {' and '.join(rule.parameters)}",
            actor_username=username or "",
            request=request,
        )
        user_locked_out.send(
            "axes", request=request, username=username, ip_address=request.axes_ip_address
        )

    def user_logged_in(self, sender, request, user, **kwargs):
        """A password accepted: its slot is given back; when no second factor follows, the
        login is complete and this address's failures for the username are forgotten."""
        from .otp import otp_required

        if request is None:
            return
        credentials = get_credentials(user.get_username())
        if otp_required(user):
            self.release(request, credentials)
        else:
            self.clear(request, credentials)

    def user_logged_out(self, sender, request, user, **kwargs):
        pass  # axes's access log is off (AXES_DISABLE_ACCESS_LOG): the audit trail has it

    @staticmethod
    def _filters(request, credentials, username) -> list[tuple[Rule, dict]]:
        values = {
            "username": username,
            "ip_address": request.axes_ip_address,
            "user_agent": request.axes_user_agent,
        }
        return [
            (rule, {name: values[name] for name in rule.parameters})
            for rule in rules(request, credentials)
        ]


def _window():
    return timezone.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)


def _failures(filter_kwargs: dict, **more) -> int:
    total = AccessAttempt.objects.filter(**filter_kwargs, **more).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    return total or 0


def _lock(keys: list[str]) -> None:
    """Hold a transaction-long lock on each key, in one order so two attempts never wait on
    each other. SQLite needs none: its transactions here start IMMEDIATE, one writer at once."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in sorted(set(keys)):
            digest = hashlib.sha256(f"login-attempt:{key}".encode()).digest()
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest[:8], "big", signed=True)]
            )


# --- The calls the rest of the platform makes -------------------------------------------------
def _handler() -> LoginAttemptHandler:
    return AxesProxyHandler.get_implementation()


def reserve(request, username: str) -> Rule | None:
    """Take a slot for an attempt by ``username`` from this request's address before its
    secret is checked; the rule that refuses it (the caller then checks nothing), or None."""
    return _handler().reserve(request, get_credentials(username))


def locking_rule(request, username: str) -> Rule | None:
    return _handler().locking_rule(request, get_credentials(username))


def clear_for(request, username: str) -> None:
    """Forget this address's failures for ``username`` (its login just completed)."""
    _handler().clear(request, get_credentials(username))


def is_locked(username: str, address: str | None) -> bool:
    """Whether ``username`` is refused at ``address`` (for administrators and tests)."""
    threshold = timezone.now() - _window()
    values = {"username": canonical_username(username), "ip_address": address}
    return any(
        _failures({name: values[name] for name in rule.parameters}, attempt_time__gte=threshold)
        >= rule.limit
        for rule in rules()
        if "user_agent" not in rule.parameters
    )


def clear(username: str, address: str | None = None) -> None:
    """Unlock ``username`` everywhere, or at one address (``manage.py axes_reset_username``
    does the former too)."""
    attempts = AccessAttempt.objects.filter(username=canonical_username(username))
    if address is not None:
        attempts = attempts.filter(ip_address=address)
    attempts.delete()


def prune_expired(batch: int = 10_000) -> int:
    """Delete counts past the lockout window (a reservation renews or drops its own; this takes
    the ones never tried again). Rows an attempt holds right now are skipped, not waited for."""
    threshold = timezone.now() - _window()
    with transaction.atomic():
        expired = list(
            AccessAttempt.objects.select_for_update(skip_locked=True)
            .filter(attempt_time__lt=threshold)
            .values_list("pk", flat=True)[:batch]
        )
        AccessAttempt.objects.filter(pk__in=expired).delete()
    return len(expired)
