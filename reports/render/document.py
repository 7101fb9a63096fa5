"""The print-ready HTML of a briefing, and its PDF (WeasyPrint lays the same HTML out, with
the Noto CJK fonts embedded as subsets)."""

import base64

from django.template.loader import render_to_string

from ..numbers import FIGURE
from .charts import chart_png


def section_charts(content: dict) -> dict[str, bytes]:
    """Each section's chart as PNG, by section key."""
    return {
        section["key"]: chart_png(section["chart"])
        for section in content["sections"]
        if section.get("chart")
    }


def briefing_html(content: dict, charts: dict[str, bytes] | None = None) -> str:
    charts = section_charts(content) if charts is None else charts
    sections = []
    for section in content["sections"]:
        png = charts.get(section["key"])
        uri = f"data:image/png;base64,{base64.b64encode(png).decode()}" if png else None
        rows = [
            [(cell, bool(FIGURE.match(cell))) for cell in row]
            for row in (section.get("table") or {}).get("rows", [])
        ]
        sections.append({**section, "chart_uri": uri, "rows": rows})
    return render_to_string(
        "reports/briefing_document.html", {"content": content, "sections": sections}
    )


def briefing_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf()
