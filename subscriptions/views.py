"""The inbox page (``/inbox/``: what was delivered, the user's subscriptions and the form to
subscribe), a saved view's link (``/views/<id>/``), the one-click unsubscribe link of the
emails, and the header's part: the inbox link with its unread count and the saved-views
control."""

from functools import cached_property

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt

from alerts.selectors import rules_for_user
from areas.models import Area
from safecity.core.pages.forms import ShellFormPage
from safecity.core.pages.registry import ShellPart, page, register_shell_part
from safecity.core.pages.selection import picker_areas

from . import selectors, services
from .choices import Topic
from .emails import unsubscribe_token_read
from .forms import ALERTS, ReadForm, SubscribeForm, UnsubscribeForm


def header_context(request) -> dict:
    return {"unread": selectors.inbox_unread_count(request.user)}


register_shell_part(
    ShellPart(
        key="subscriptions",
        template="subscriptions/_shell.html",
        script="js/subscriptions/views-control.js",
        routes=("view-list", "view-detail", "view-home", "view-open"),
        context=header_context,
    )
)

INBOX_SHOWN = 100


@page(
    key="inbox",
    url_name="dash-inbox",
    label=gettext_lazy("收件箱"),
    resource="subscriptions",
    order=200,
    in_nav=False,
)
class InboxPage(ShellFormPage):
    """What was delivered to the user, newest first; their subscriptions; subscribing."""

    template_name = "subscriptions/inbox.html"
    uses_window = False
    uses_selection = False
    forms = {"subscribe": SubscribeForm, "unsubscribe": UnsubscribeForm, "read": ReadForm}

    @cached_property
    def subscriptions(self):
        return list(selectors.subscriptions_for_user(self.request.user))

    def form_kwargs(self, name: str) -> dict:
        kwargs = super().form_kwargs(name)
        if name == "subscribe":
            kwargs |= {
                "areas": picker_areas(self.request.user),
                "rules": rules_for_user(self.request.user),
            }
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            items=selectors.inbox_for_user(user)[:INBOX_SHOWN],
            unread=selectors.inbox_unread_count(user),
            subscriptions=self.subscriptions,
        )
        return context

    def submit_subscribe(self, data: dict):
        user = self.request.user
        area = None
        if data["area"] is not None:
            area = Area.objects.for_user(user).filter(pk=data["area"]).first()
            if area is None:
                raise ValidationError({"area": _("所选辖区不在你的辖区内")})
        rule = None
        if data["alert_rule"] is not None:
            rule = get_object_or_404(rules_for_user(user), pk=data["alert_rule"])
        if data["what"] == ALERTS:
            return services.subscription_create(
                user=user, topic=Topic.ALERT, area=area, alert_rule=rule,
                alert_kind=data["alert_kind"], email=data["email"],
            )  # fmt: skip
        return services.subscription_create(
            user=user, topic=Topic.REPORT, report_kind=data["what"], area=area,
            email=data["email"],
        )  # fmt: skip

    def submit_unsubscribe(self, data: dict):
        subscription = get_object_or_404(
            selectors.subscriptions_for_user(self.request.user), pk=data["subscription"]
        )
        services.subscription_delete(subscription=subscription, user=self.request.user)

    def submit_read(self, data: dict):
        item = None
        if data["item"] is not None:
            item = get_object_or_404(selectors.inbox_for_user(self.request.user), pk=data["item"])
        return services.inbox_mark_read(user=self.request.user, item=item)

    def success_message(self, name: str, result) -> str:
        return {
            "subscribe": _("已订阅。"),
            "unsubscribe": _("已退订。"),
            "read": "",
        }[name]


@login_required
def view_open(request, pk: int):
    """Open a saved view: its page with its selection (404 once it is out of scope)."""
    view = get_object_or_404(selectors.views_for_user(request.user), pk=pk)
    return redirect(view.get_absolute_url())


@csrf_exempt
def unsubscribe(request, token: str):
    """One click, no login: the subscription the signed token names ends. Mail clients POST
    here (List-Unsubscribe-Post, RFC 8058); a person's click GETs."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    try:
        named = unsubscribe_token_read(token)
    except signing.BadSignature:  # altered or made up: no such link
        return render(request, "subscriptions/unsubscribed.html", {"invalid": True}, status=404)
    removed = services.subscription_unsubscribe(subscription_id=named["s"], user_id=named["u"])
    return render(request, "subscriptions/unsubscribed.html", {"removed": removed})
