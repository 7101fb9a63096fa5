"""``manage.py evaluate_forecast`` on the Charlottesville data: what it prints and stores."""

import csv
import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from analysis.forecast.backtest import FIGURES, METHODS
from analysis.models import Evaluation

pytestmark = pytest.mark.django_db
LAST_DAY_END = datetime(2024, 1, 22, tzinfo=UTC)  # the file's last report is on 2024-01-21


@pytest.fixture
def charlottesville(shared_data, settings):
    settings.TIME_ZONE = "UTC"  # the file's times are UTC
    settings.STATS_RECOMPUTE_ON_COMMIT = False
    folder = shared_data / "charlottesville"
    quiet = {"stdout": StringIO(), "stderr": StringIO()}
    call_command(
        "import_areas",
        str(folder / "beats.geojson"),
        "--kind=beat",
        "--code-field=BEAT_NO",
        "--name-field=NAME",
        "--parent-field=DISTRICT",
        "--parent-kind=district",
        **quiet,
    )
    call_command(
        "import_incidents",
        str(folder / "incidents.csv"),
        "--mapping=docs/examples/charlottesville.mapping.json",
        "--source=charlottesville",
        "--no-progress",
        **quiet,
    )
    with open(folder / "incidents.csv", encoding="utf-8", newline="") as handle:
        return [
            datetime.fromisoformat(row["date_reported"]).astimezone(UTC)
            for row in csv.DictReader(handle)
            if row["lon"] and row["lat"]
        ]


def evaluate(*args) -> str:
    out = StringIO()
    call_command("evaluate_forecast", *args, stdout=out)
    return out.getvalue()


def test_the_command_scores_every_method_over_the_origins_and_stores_the_run(charlottesville):
    output = evaluate(
        "--source=incidents",
        "--system=charlottesville",
        "--category=all",
        "--horizon=28",
        "--origins=3",
    )

    origins = [LAST_DAY_END - timedelta(days=28 * step) for step in (3, 2, 1)]
    printed = [int(n) for n in re.findall(r"^origin .*: (\d+) events", output, re.M)]
    assert printed == [
        sum(1 for moment in charlottesville if origin <= moment < origin + timedelta(days=28))
        for origin in origins
    ]
    stored = Evaluation.objects.get()
    assert stored.data_last_day.isoformat() == "2024-01-21"
    assert stored.results["events"] == len(charlottesville)
    for method in METHODS:
        for figure in FIGURES:
            for share in ("1%", "5%"):
                block = stored.results["summary"][method][share][figure]
                assert block["n"] == 3
                assert (
                    f"{method} {figure} {share}: {block['mean']:.3f} ± {block['sd']:.3f}" in output
                )
    top = stored.results["headline"]
    assert top["baseline_pai"] == max(
        stored.results["summary"][name]["5%"]["pai"]["mean"]
        for name in ("last_28_days", "last_365_days")
    )
    assert f"ratio {top['ratio']:.3f}" in output


def test_the_command_reads_only_a_category_subtree(charlottesville):
    evaluate("--category=theft", "--horizon=7", "--origins=2")
    everything = evaluate("--horizon=7", "--origins=2")

    theft, every = Evaluation.objects.order_by("id")
    assert theft.category == "theft" and every.category == ""
    assert 0 < theft.results["events"] < every.results["events"] == len(charlottesville)
    assert "horizon: 7 days, origins: 2" in everything


def test_the_command_rejects_an_unknown_category(db):
    with pytest.raises(CommandError, match="unknown category"):
        evaluate("--category=no-such")
