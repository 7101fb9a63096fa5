"""Writes of saved views, home views, subscriptions and the inbox: each a typed, keyword-only
function checking the user's rights, as the API and the pages both call them."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alerts.selectors import rules_for_user
from areas.models import Area
from areas.scoping import scope_for
from safecity.core.pages.base import ShellPage

from .choices import Topic
from .models import NAME_MAX, HomeView, InboxItem, SavedView, Subscription
from .selectors import views_for_user

# Query parameters a saved view does not keep: which page of a list was showing.
UNKEPT_PARAMS = ("page",)
QUERY_MAX = 1000
PATH_MAX = 200


def _shell_page(path: str) -> bool:
    """Whether ``path`` is a page of the shell (the pages that carry a selection)."""
    if not path.startswith("/") or path.startswith("//") or len(path) > PATH_MAX:
        return False
    try:
        match = resolve(path)
    except Resolver404:
        return False
    view_class = getattr(match.func, "view_class", None)
    return view_class is not None and issubclass(view_class, ShellPage)


def _an_id(text: str) -> bool:
    """Whether ``text`` can be a row's id (digits, within the database's bigint)."""
    return text.isascii() and text.isdigit() and int(text) < 2**63


def _view_area(owner, query: QueryDict) -> Area | None:
    """The area a selection shows: its ``area`` (which must be in the owner's jurisdiction),
    else the owner's home area (the page's default); None for a city-wide owner."""
    areas = Area.objects.for_user(owner)
    chosen = query.get("area", "")
    if chosen:
        area = areas.filter(pk=chosen).first() if _an_id(chosen) else None
        if area is None:
            raise ValidationError({"query": _("所选辖区不在你的辖区内")})
        return area
    if scope_for(owner).everything:
        return None
    home = owner.home_area_id and areas.filter(pk=owner.home_area_id).first()
    if not home:
        raise ValidationError({"query": _("你没有辖区，无法保存视图")})
    query["area"] = str(home.pk)
    return home


@transaction.atomic
def saved_view_create(*, owner, name: str, path: str, query: str = "", shared=False) -> SavedView:
    """Save a page's selection under ``name`` (unique among the owner's views)."""
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise ValidationError({"name": _("名称须为 1 到 %(max)d 个字") % {"max": NAME_MAX}})
    if not _shell_page(path or ""):
        raise ValidationError({"path": _("只能保存本平台的页面")})
    params = QueryDict((query or "").lstrip("?"), mutable=True)
    for name_ in UNKEPT_PARAMS:
        params.pop(name_, None)
    area = _view_area(owner, params)
    query = params.urlencode()
    if len(query) > QUERY_MAX:
        raise ValidationError({"query": _("筛选条件过长")})
    if SavedView.objects.filter(owner=owner, name=name).exists():
        raise ValidationError({"name": _("已有同名视图")})
    view = SavedView(owner=owner, name=name, path=path, query=query, area=area, shared=bool(shared))
    return _save_named(view)


def _save_named(view: SavedView) -> SavedView:
    """Save ``view``; a view of the same name saved at the same moment is the name taken."""
    try:
        with transaction.atomic():
            view.save()
    except IntegrityError:
        raise ValidationError({"name": _("已有同名视图")}) from None
    return view


def _own(view: SavedView, user) -> None:
    if view.owner_id != user.pk:
        raise PermissionDenied(_("只有视图的创建者可以修改或删除它"))


@transaction.atomic
def saved_view_update(*, view: SavedView, user, name: str | None = None, shared=None):
    """Rename a view or share it (or stop sharing it): its owner only."""
    _own(view, user)
    if name is not None:
        name = name.strip()
        if not name or len(name) > NAME_MAX:
            raise ValidationError({"name": _("名称须为 1 到 %(max)d 个字") % {"max": NAME_MAX}})
        if SavedView.objects.filter(owner=user, name=name).exclude(pk=view.pk).exists():
            raise ValidationError({"name": _("已有同名视图")})
        view.name = name
    if shared is not None:
        view.shared = bool(shared)
    return _save_named(view)


def saved_view_delete(*, view: SavedView, user) -> None:
    """Delete a view: its owner only (it stops being anyone's home view)."""
    _own(view, user)
    view.delete()


def home_view_set(*, user, view: SavedView) -> HomeView:
    """Make ``view`` (one the user may open) what the site root opens for them."""
    if not views_for_user(user).filter(pk=view.pk).exists():
        raise PermissionDenied(_("该视图不在你的辖区内"))
    home, _created = HomeView.objects.update_or_create(user=user, defaults={"view": view})
    return home


def home_view_clear(*, user) -> None:
    HomeView.objects.filter(user=user).delete()


@transaction.atomic
def subscription_create(
    *,
    user,
    topic: str,
    report_kind: str = "",
    area: Area | None = None,
    alert_rule=None,
    alert_kind: str = "",
    email: bool = True,
) -> Subscription:
    """Subscribe ``user`` to a report kind for an area in their jurisdiction, or to alerts (of
    a rule watching their jurisdiction, or of a kind; in an area of it, or all of it)."""
    scope = scope_for(user)
    if area is not None and not scope.covers(area.path):
        raise ValidationError({"area": _("所选辖区不在你的辖区内")})
    rule_watched = alert_rule is None or rules_for_user(user).filter(pk=alert_rule.pk).exists()
    if topic == Topic.ALERT and not rule_watched:
        raise ValidationError({"alert_rule": _("该告警规则不在你的辖区内")})
    subscription = Subscription(
        user=user,
        topic=topic,
        report_kind=report_kind or "",
        area=area,
        alert_rule=alert_rule,
        alert_kind=alert_kind or "",
        email=email,
    )
    subscription.full_clean(exclude=["user", "key"])
    if Subscription.objects.filter(user=user, key=subscription.key).exists():
        raise ValidationError({"topic": _("你已订阅")})
    try:
        with transaction.atomic():
            subscription.save()
    except IntegrityError:  # the same subscription, posted twice at once
        raise ValidationError({"topic": _("你已订阅")}) from None
    return subscription


def subscription_delete(*, subscription: Subscription, user) -> None:
    if subscription.user_id != user.pk:
        raise PermissionDenied
    subscription.delete()


def inbox_mark_read(*, user, item: InboxItem | None = None) -> int:
    """Mark one item (or, with none, every unread item) of the user's inbox read."""
    unread = InboxItem.objects.filter(user=user, read_at=None)
    if item is not None:
        unread = unread.filter(pk=item.pk)
    return unread.update(read_at=timezone.now())


def subscription_unsubscribe(*, subscription_id: int, user_id: int) -> Subscription | None:
    """End a subscription from its email's signed link (no login): the one it names, of the
    user it names; None when it is gone already. Returns the deleted subscription."""
    subscription = (
        Subscription.objects.select_related("area", "alert_rule")
        .filter(pk=subscription_id, user_id=user_id)
        .first()
    )
    if subscription is None:
        return None
    subscription.delete()
    return subscription
