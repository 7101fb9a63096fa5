"""The rules of a file import that real foreign files showed were needed: the platform's time
zone by default, value maps on any field, the bad value in each rejection, exit codes, and
one reading of local times that daylight saving makes ambiguous or impossible."""

import csv
import json
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from incidents.models import Incident

pytestmark = pytest.mark.django_db

FIELDS = {
    "source_ref": "id",
    "reported_at": "time",
    "category": {"column": "kind", "values": {"打架": "fight"}, "default": "other"},
}


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_mapping(path, **spec):
    path.write_text(json.dumps({"fields": FIELDS, **spec}, ensure_ascii=False))
    return path


def run(tmp_path, data, mapping, *extra, out=None):
    out = out or StringIO()
    call_command(
        "import_incidents",
        str(data),
        f"--mapping={mapping}",
        "--source=rules",
        "--no-progress",
        *extra,
        stdout=out,
        stderr=StringIO(),
    )
    return out.getvalue()


def test_a_mapping_without_time_zone_reads_times_in_the_platform_time_zone(tmp_path, settings):
    settings.TIME_ZONE = "America/New_York"
    data = write_csv(
        tmp_path / "a.csv", ["id", "time", "kind"], [["1", "2024-01-10 08:00", "打架"]]
    )
    run(tmp_path, data, write_mapping(tmp_path / "m.json"))
    assert Incident.objects.get().reported_at == datetime(2024, 1, 10, 13, 0, tzinfo=UTC)


def test_any_field_can_be_value_mapped(tmp_path):
    fields = {
        **FIELDS,
        "arrested": {"column": "Arrest", "values": {"True": 1, "False": 0, "是": 1, "否": 0}},
        "priority": {"column": "级别", "values": {"紧急": 1, "一般": 3}},
        "source": {"column": "来源", "values": {"110": "call_110", "走访": "walk_in"}},
    }
    data = write_csv(
        tmp_path / "a.csv",
        ["id", "time", "kind", "Arrest", "级别", "来源"],
        [
            ["1", "2024-01-10 08:00", "打架", "True", "紧急", "110"],
            ["2", "2024-01-10 09:00", "打架", "否", "一般", "走访"],
            ["3", "2024-01-10 10:00", "打架", "是", "一般", "110"],
        ],
    )
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps({"fields": fields, "time_zone": "UTC"}, ensure_ascii=False))
    assert run(tmp_path, data, mapping).startswith("3 created")
    got = Incident.objects.order_by("source_ref").values_list("arrested", "priority", "source")
    assert list(got) == [(1, 1, "call_110"), (0, 3, "walk_in"), (1, 3, "call_110")]


def test_an_unmapped_value_is_kept_and_its_rejection_shows_it(tmp_path):
    fields = {**FIELDS, "arrested": {"column": "Arrest", "values": {"True": 1, "False": 0}}}
    data = write_csv(
        tmp_path / "a.csv",
        ["id", "time", "kind", "Arrest"],
        [["1", "2024-01-10 08:00", "打架", "True"], ["2", "2024-01-10 09:00", "打架", "maybe"]],
    )
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps({"fields": fields}, ensure_ascii=False))
    output = run(tmp_path, data, mapping)
    assert output.startswith("1 created, 0 updated, 0 unchanged, 1 rejected")
    assert "row 2: arrested: must be a whole number from 0 to 2147483647 (value: 'maybe')" in output
    assert "unmapped arrested values, kept as they are:\n  maybe: 1" in output


def test_every_row_rejected_fails_the_command(tmp_path):
    data = write_csv(tmp_path / "a.csv", ["id", "time", "kind"], [["1", "not a time", "打架"]])
    out = StringIO()
    with pytest.raises(CommandError, match="every row was rejected"):
        run(tmp_path, data, write_mapping(tmp_path / "m.json"), out=out)
    assert "row 1: reported_at: not a date-time: 'not a time' (value: 'not a time')" in (
        out.getvalue()
    )


def test_atomic_with_every_row_rejected_fails_the_command(tmp_path):
    data = write_csv(tmp_path / "a.csv", ["id", "time", "kind"], [["1", "", "打架"]])
    with pytest.raises(CommandError):
        run(tmp_path, data, write_mapping(tmp_path / "m.json"), "--atomic")
    assert Incident.objects.count() == 0


def dst_file(tmp_path):
    return write_csv(
        tmp_path / "dst.csv",
        ["id", "time", "kind"],
        [["gap", "2023-03-12 02:30", "打架"], ["fold", "2023-11-05 01:30", "打架"]],
    )


def test_a_local_time_in_the_spring_gap_moves_forward_by_the_gap(tmp_path):
    run(
        tmp_path,
        dst_file(tmp_path),
        write_mapping(tmp_path / "m.json", time_zone="America/New_York"),
    )
    # 02:30 never happened in New York that night: it is read as 03:30 EDT.
    assert Incident.objects.get(source_ref="gap").reported_at == datetime(
        2023, 3, 12, 7, 30, tzinfo=UTC
    )


def test_an_ambiguous_local_time_is_the_earlier_instant(tmp_path):
    run(
        tmp_path,
        dst_file(tmp_path),
        write_mapping(tmp_path / "m.json", time_zone="America/New_York"),
    )
    # 01:30 happened twice: first in EDT (UTC-4), then in EST.
    assert Incident.objects.get(source_ref="fold").reported_at == datetime(
        2023, 11, 5, 5, 30, tzinfo=UTC
    )


def test_reimporting_daylight_saving_times_changes_nothing(tmp_path):
    mapping = write_mapping(tmp_path / "m.json", time_zone="America/New_York")
    run(tmp_path, dst_file(tmp_path), mapping)
    assert run(tmp_path, dst_file(tmp_path), mapping).startswith(
        "0 created, 0 updated, 2 unchanged, 0 rejected"
    )
