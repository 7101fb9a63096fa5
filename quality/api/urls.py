from django.urls import path

from . import views

ITEM = "quality/<slug:kind>/<str:public_id>/"
urlpatterns = [
    path("quality/", views.QualityCountsView.as_view(), name="quality-counts"),
    path("quality/<slug:kind>/", views.QualityItemsView.as_view(), name="quality-items"),
    path(f"{ITEM}dismiss/", views.QualityDismissView.as_view(), name="quality-dismiss"),
    path(f"{ITEM}place/", views.QualityPlaceView.as_view(), name="quality-place"),
    path(f"{ITEM}times/", views.QualityTimesView.as_view(), name="quality-times"),
    path(f"{ITEM}category/", views.QualityCategoryView.as_view(), name="quality-category"),
    path(f"{ITEM}refile/", views.QualityRefileView.as_view(), name="quality-refile"),
    path(f"{ITEM}merge/", views.QualityMergeView.as_view(), name="quality-merge"),
    path(f"{ITEM}partners/", views.QualityPartnersView.as_view(), name="quality-partners"),
]
