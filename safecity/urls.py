from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from safecity.core import views as core_views

api_v1 = [
    path("", include("areas.api.urls")),
    path("", include("incidents.api.urls")),
    path("", include("imports.api.urls")),
    path("", include("stats.api.urls")),
    path("", include("alerts.api.urls")),
    path("", include("campaigns.api.urls")),
    path("", include("patrols.api.urls")),
    path("", include("mediation.api.urls")),
    path("", include("audit.api.urls")),
    path("", include("quality.api.urls")),
    path("", include("analysis.api.urls")),
    path("", include("reports.api.urls")),
    path("", include("subscriptions.api.urls")),
]

# Errors in the shell (the header and navigation, in the page's language); JSON under /api/.
handler400 = core_views.bad_request
handler403 = core_views.permission_denied
handler404 = core_views.not_found
handler500 = core_views.server_error

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its script as a file, so the CSP needs no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    # The pages, each app's beside its domain (safecity.core.pages is their shared base).
    path("", include("stats.urls")),
    path("incidents/", include("incidents.urls")),
    path("imports/", include("imports.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("patrols/", include("patrols.urls")),
    path("mediation/", include("mediation.urls")),
    path("alerts/", include("alerts.urls")),
    path("audit/", include("audit.urls")),
    path("quality/", include("quality.urls")),
    path("analysis/", include("analysis.urls")),
    path("reports/", include("reports.urls")),
    path("", include("subscriptions.urls")),
]
