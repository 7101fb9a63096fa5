"""The import page: a file uploaded, previewed, mapped, tried and imported through the import
API, and the user's recent imports."""

from django.utils.translation import gettext_lazy as _

from safecity.core.pages.base import ShellPage
from safecity.core.pages.registry import page
from safecity.core.pages.selection import Selection

from .wizard import wizard_config


@page(
    key="imports",
    url_name="dash-imports",
    label=_("导入"),
    resource="incidents",
    order=25,
    permission="incidents.add_incident",
)
class ImportsPage(ShellPage):
    """Four steps over the import API: upload and preview, mapping, dry run, import."""

    template_name = "imports/imports.html"
    uses_selection = False
    uses_window = False
    api_routes = (
        "import-job-list",
        "import-job-detail",
        "import-job-cancel",
        "import-job-errors",
        "import-job-preview",
        "import-mapping-list",
        "import-mapping-detail",
    )

    def page_config(self, selection: Selection) -> dict:
        return wizard_config()
