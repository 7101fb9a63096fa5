"""Reads of saved views, subscriptions and the inbox, scoped to the user.

A saved view is seen by its owner and, once shared, by everyone whose jurisdiction covers its
area; either way only while the reader's jurisdiction covers that area (out of scope reads as
404, as everywhere). Subscriptions and inbox items are their user's alone."""

from django.db.models import Q

from .models import HomeView, InboxItem, SavedView, Subscription


def views_for_user(user):
    """The saved views ``user`` may list and open: their own and the shared ones, in scope."""
    if user is None or not user.is_authenticated:
        return SavedView.objects.none()
    return (
        SavedView.objects.for_user(user)
        .filter(Q(owner=user) | Q(shared=True, owner__is_active=True))
        .select_related("owner", "area")
    )


def home_view_for(user) -> SavedView | None:
    """The user's home view, while they may still open it."""
    home = HomeView.objects.filter(user=user).values_list("view_id", flat=True).first()
    if home is None:
        return None
    return views_for_user(user).filter(pk=home).first()


def home_view_id(user) -> int | None:
    return HomeView.objects.filter(user=user).values_list("view_id", flat=True).first()


def subscriptions_for_user(user):
    if user is None or not user.is_authenticated:
        return Subscription.objects.none()
    return Subscription.objects.filter(user=user).select_related("area", "alert_rule")


def inbox_for_user(user):
    if user is None or not user.is_authenticated:
        return InboxItem.objects.none()
    return InboxItem.objects.filter(user=user).select_related("area")


def inbox_unread_count(user) -> int:
    return inbox_for_user(user).filter(read_at=None).count()
