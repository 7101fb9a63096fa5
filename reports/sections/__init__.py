"""The sections of each report kind, in the order a briefing prints them."""

from . import alerts, compliance, disputes, headline, kpis, movers, pattern

SECTIONS = {
    "headline": headline.build,
    "categories": movers.build_categories,
    "areas": movers.build_areas,
    "pattern": pattern.build,
    "compliance": compliance.build,
    "kpis": kpis.build,
    "disputes": disputes.build,
    "alerts": alerts.build,
}

# A kind's template: which sections, in which order.
KIND_SECTIONS = {
    "weekly": [
        "headline", "categories", "areas", "pattern", "compliance", "kpis", "disputes", "alerts",
    ],
    "monthly": [
        "headline", "categories", "areas", "pattern", "compliance", "kpis", "disputes", "alerts",
    ],
    "campaign": ["kpis", "headline", "categories", "areas", "compliance", "disputes", "alerts"],
}  # fmt: skip
