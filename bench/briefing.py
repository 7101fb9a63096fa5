"""Benchmark: a city-level weekly briefing (every district in its tables, every chart), made
as the reports queue's worker makes it, beside the time of the statistics calls it makes.

Target: the whole briefing — statistics, charts, PDF, DOCX, stored — in under 30 s on the
development VM. The baseline in the same run is the time its statistics calls take (the
selectors the statistics API answers from); the rest is the briefing's own cost.

Usage, from the project root::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/safecity_bench \\
        .venv/bin/python bench/briefing.py [--incidents 300000] [--seed 1]

Like ``bench/stats.py`` it recreates its own database, builds the demo city (16 districts,
77 stations; ``seed_demo --incidents 0``), loads generated incidents over three years ending
now with COPY and rebuilds the rollups. The statistics read the database as a worker does
(a Celery worker turns the rollup cube off). Each statistics function the sections call is
wrapped in a timer for the run. The first briefing of a process also loads matplotlib, the
fonts and WeasyPrint: it is timed apart ("cold"), then the same briefing again ("warm").

Output is ``name: value`` lines, headline figures last.
"""

import argparse
import functools
import os
import subprocess
import sys
import time
from pathlib import Path

SCRIPT_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = SCRIPT_DIR.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != SCRIPT_DIR]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.ingest import bench_database_url, fail, setup_django  # noqa: E402
from bench.stats import load_incidents  # noqa: E402

TARGET_SECONDS = 30.0
# The statistics functions the sections call, by the module that calls them.
STATS_CALLS = {
    "reports.sections.headline": ["stats_summary"],
    "reports.sections.movers": ["stats_breakdown_keys", "child_areas", "child_categories"],
    "reports.sections.pattern": ["hour_weekday_matrix"],
    "reports.sections.compliance": ["compliance", "compliance_of_areas", "child_areas"],
    "reports.sections.disputes": ["mediation_stats", "mediation_breakdown"],
}


class StatsTimer:
    """Wraps the sections' statistics calls; adds up their time and counts them."""

    def __init__(self):
        self.seconds = 0.0
        self.calls = 0
        self.depth = 0

    def install(self) -> None:
        import importlib

        for module_name, names in STATS_CALLS.items():
            module = importlib.import_module(module_name)
            for name in names:
                setattr(module, name, self.timed(getattr(module, name)))

    def timed(self, function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            # Calls inside calls (mediation_breakdown → mediation_stats) count once.
            self.depth += 1
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.depth -= 1
                if self.depth == 0:
                    self.seconds += time.perf_counter() - started
                    self.calls += 1

        return wrapper

    def reset(self) -> None:
        self.seconds, self.calls = 0.0, 0


def pdf_pages(pdf: bytes) -> str:
    """The page count pdfinfo (poppler-utils) reads, or "?" without it."""
    try:
        info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return "?"
    pages = [line for line in info.stdout.decode().splitlines() if line.startswith("Pages:")]
    return pages[0].split()[1] if pages else "?"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    url, config, name = bench_database_url()
    # As in a worker: statistics from the database, not an in-process cube.
    os.environ["STATS_CUBE"] = "false"
    setup_django(url, config, name)

    from django.utils import timezone

    from areas.models import Area
    from incidents.models import Incident
    from reports.render.charts import chart_png
    from reports.render.document import briefing_html, briefing_pdf
    from reports.render.word import briefing_docx
    from reports.services import report_generate
    from stats.services import rollups_rebuild

    load_incidents(args.incidents, args.seed)
    started = time.perf_counter()
    rollups_rebuild()
    rebuild_s = time.perf_counter() - started
    city = Area.objects.get(parent=None, kind="city")
    districts = Area.objects.filter(parent=city).count()
    today = timezone.localdate()

    timer = StatsTimer()
    timer.install()
    runs = {}
    for run in ("cold", "warm"):
        timer.reset()
        started = time.perf_counter()
        report = report_generate(kind="weekly", area=city, today=today)
        runs[run] = (time.perf_counter() - started, timer.seconds, timer.calls, report)

    content = runs["warm"][3].content
    started = time.perf_counter()
    charts = {s["key"]: chart_png(s["chart"]) for s in content["sections"] if s.get("chart")}
    charts_s = time.perf_counter() - started
    started = time.perf_counter()
    html = briefing_html(content, charts)
    pdf = briefing_pdf(html)
    pdf_s = time.perf_counter() - started
    started = time.perf_counter()
    briefing_docx(content, charts)
    docx_s = time.perf_counter() - started

    area_rows = next(s for s in content["sections"] if s["key"] == "areas")["table"]["rows"]
    if len(area_rows) != districts:
        fail(f"the ranking table has {len(area_rows)} rows for {districts} districts")
    total, stats_s, calls, report = runs["warm"]
    print(f"database: {name}")
    print(f"incidents: {Incident.objects.count()}")
    print(f"districts_in_tables: {len(area_rows)}")
    print(f"charts: {len(charts)}")
    print(f"pdf_pages: {pdf_pages(pdf)}")
    print(f"pdf_kb: {len(report.pdf) / 1024:.0f}")
    print(f"docx_kb: {len(report.docx) / 1024:.0f}")
    print(f"rollups_rebuild_s: {rebuild_s:.2f}")
    print(f"cold_briefing_s: {runs['cold'][0]:.2f}")
    print(f"cold_stats_s: {runs['cold'][1]:.2f}")
    print(f"charts_s: {charts_s:.2f}")
    print(f"pdf_s: {pdf_s:.2f}")
    print(f"docx_s: {docx_s:.2f}")
    print(f"stats_calls: {calls}")
    print(f"stats_s: {stats_s:.2f}")
    print(f"briefing_vs_stats_ratio: {total / stats_s:.1f}" if stats_s else "stats_s: 0")
    print(f"briefing_s: {total:.2f}")
    print(f"target_s: {TARGET_SECONDS:.0f}")
    print(f"meets_target: {'yes' if total < TARGET_SECONDS else 'no'}")


if __name__ == "__main__":
    main()
