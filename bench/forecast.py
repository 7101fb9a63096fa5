"""Benchmark: the forecast's rolling-origin backtest on the Charlottesville data, against the
naive baselines, with the time the model takes beside a plain count per cell.

Target (issue 28): the forecast's PAI at 5% of the area, 28-day horizon, all incidents, rolling
origins over the last year of data, at least 1.1x the better naive baseline's ("last 28 days'
counts" or "last 365 days' counts"). Both figures are printed, whatever they are; a miss is
printed, never failed. The model's parameters are the settings' (ANALYSIS_FORECAST_MODEL),
never fitted to the window scored here.

Usage, from the project root::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/safecity_bench \\
        .venv/bin/python bench/forecast.py [--origins 13] [--resolutions 8,9,10]

It drops and recreates its own database (the URL's name with ``_bench``), migrates it, imports
../shared/data/charlottesville (beats.geojson as beats under their districts, incidents.csv
with docs/examples/charlottesville.mapping.json) with TIME_ZONE=UTC (the file's times are UTC),
and runs the backtest as ``manage.py evaluate_forecast --horizon 28 --origins 13`` does: 13
origins, 28 days apart, the last test period ending with the data's last day (2024-01-21), so
the test periods tile the last 364 days. The study area is every cell of the first resolution
listed whose centre lies in a beat, with every cell holding a record. Output is ``name:
value`` lines, headline figures last (those of the first resolution, the forecast's default).
"""

import argparse
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ingest import _with_database, bench_database_url, recreate_database  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "charlottesville"
HORIZON = 28


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--origins", type=int, default=13)
    parser.add_argument("--resolutions", default="8,9,10")
    return parser.parse_args(argv)


def load() -> None:
    from django.core.management import call_command

    quiet = {"stdout": io.StringIO(), "stderr": io.StringIO()}
    call_command("migrate", verbosity=0)
    call_command(
        "import_areas",
        str(DATA / "beats.geojson"),
        "--kind=beat",
        "--code-field=BEAT_NO",
        "--name-field=NAME",
        "--parent-field=DISTRICT",
        "--parent-kind=district",
        **quiet,
    )
    call_command(
        "import_incidents",
        str(DATA / "incidents.csv"),
        f"--mapping={ROOT / 'docs/examples/charlottesville.mapping.json'}",
        "--source=charlottesville",
        "--no-progress",
        **quiet,
    )


def timed_forecasts(selection, resolution: int, origins: list[float]) -> tuple[float, float]:
    """Seconds for the model (built, then one forecast per origin) and for the plain count
    per cell of the last 365 days at each origin, from the same events."""
    from analysis.forecast.model import ForecastParams, Grid, Model, prior_counts

    events = selection.events(Grid(resolution))
    started = time.perf_counter()
    model = Model(events, ForecastParams.from_settings())
    for origin in origins:
        model.expected(origin, HORIZON)
    model_s = time.perf_counter() - started
    started = time.perf_counter()
    for origin in origins:
        prior_counts(events, origin, 365)
    count_s = time.perf_counter() - started
    return model_s, count_s


def main(argv=None) -> None:
    args = parse_args(argv)
    if not DATA.is_dir():
        print(f"error: {DATA} is absent", file=sys.stderr)
        raise SystemExit(2)
    url, config, name = bench_database_url()
    recreate_database(config, name)
    os.environ["DATABASE_URL"] = _with_database(url, name)
    os.environ["DJANGO_SETTINGS_MODULE"] = "safecity.settings.base"
    os.environ["TIME_ZONE"] = "UTC"
    os.environ.pop("REDIS_URL", None)  # no Celery worker is asked for anything
    os.environ["STATS_RECOMPUTE_ON_COMMIT"] = "false"
    import django

    django.setup()
    started = time.perf_counter()
    load()
    print(f"load_s: {time.perf_counter() - started:.1f}")

    from analysis.forecast.backtest import METHODS, origin_days
    from analysis.forecast.data import Selection, day_end
    from analysis.forecast.model import SECONDS_PER_DAY
    from analysis.forecast.services import evaluation_compute

    selection = Selection.of("incidents", system="charlottesville")
    last_day = selection.last_day()
    print(f"data_last_day: {last_day}")
    data_end = day_end(last_day).timestamp() / SECONDS_PER_DAY
    origins = origin_days(data_end, HORIZON, args.origins)
    headlines = []
    for resolution in [int(r) for r in args.resolutions.split(",")]:
        computed = evaluation_compute(
            selection=selection, resolution=resolution, horizon_days=HORIZON, origins=args.origins
        )
        results = computed["results"]
        prefix = f"r{resolution}"
        print(f"{prefix}_cells: {results['cells']}")
        print(f"{prefix}_origins: {len(results['origins'])}")
        for method in METHODS:
            for share in ("1%", "5%"):
                for figure in ("pai", "pei", "hit_rate", "best_pai"):
                    block = results["summary"][method][share][figure]
                    label = f"{prefix}_{method}_{figure}_{share.rstrip('%')}pct"
                    print(f"{label}: {block['mean']:.3f} (sd {block['sd']:.3f})")
        model_s, count_s = timed_forecasts(selection, resolution, origins)
        print(f"{prefix}_model_s: {model_s:.3f}")
        print(f"{prefix}_count_per_cell_s: {count_s:.4f}")
        print(f"{prefix}_model_vs_count_time_ratio: {model_s / count_s:.1f}")
        headlines.append((prefix, results["headline"]))
    for prefix, top in reversed(headlines):
        print(f"{prefix}_better_baseline: {top['baseline']}")
        print(f"{prefix}_baseline_pai_5pct: {top['baseline_pai']:.3f}")
        print(f"{prefix}_model_pai_5pct: {top['model_pai']:.3f}")
        print(f"{prefix}_perfect_vs_better_baseline_pai_5pct: {top['attainable_ratio']:.3f}")
        print(f"{prefix}_model_vs_better_baseline_pai_5pct: {top['ratio']:.3f}")
    ratio = headlines[0][1]["ratio"]
    verdict = "met" if ratio >= 1.1 else "missed"
    print(f"target_1.1x_better_baseline: {verdict}")


if __name__ == "__main__":
    main()
