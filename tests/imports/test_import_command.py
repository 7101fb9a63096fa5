import csv
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from areas.services import areas_import_features
from incidents.models import Incident

pytestmark = pytest.mark.django_db

MAPPING = "docs/examples/charlottesville.mapping.json"


def run_import(path, *extra, mapping=MAPPING, source="charlottesville", stdout=None) -> str:
    out = stdout or StringIO()
    call_command(
        "import_incidents",
        str(path),
        f"--mapping={mapping}",
        f"--source={source}",
        "--no-progress",
        *extra,
        stdout=out,
        stderr=StringIO(),
    )
    return out.getvalue()


@pytest.fixture
def incidents_csv(shared_data):
    return shared_data / "charlottesville" / "incidents.csv"


@pytest.fixture
def beats(shared_data):
    import json

    features = json.loads((shared_data / "charlottesville" / "beats.geojson").read_text())
    areas_import_features(
        features=features["features"],
        kind="beat",
        code_field="BEAT_NO",
        name_field="NAME",
        parent_field="DISTRICT",
        parent_kind="district",
    )


def rows_in_file(path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_charlottesville_imports_completely_and_falls_in_beats(incidents_csv, beats):
    output = run_import(incidents_csv)
    assert output.startswith("9265 created, 0 updated, 0 unchanged, 0 rejected")
    assert Incident.objects.count() == len(rows_in_file(incidents_csv)) == 9265
    assert Incident.objects.exclude(beat=None).count() == 8984
    # Points outside every beat are kept, unassigned.
    assert Incident.objects.filter(beat=None).count() == 9265 - 8984


def test_reimport_creates_nothing(incidents_csv):
    run_import(incidents_csv)
    output = run_import(incidents_csv)
    assert output.startswith("0 created, 0 updated, 9265 unchanged, 0 rejected")
    assert Incident.objects.count() == 9265


def test_yearly_counts_match_the_file(incidents_csv):
    run_import(incidents_csv)
    from datetime import UTC, datetime

    def count(year):
        start, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
        return Incident.objects.filter(reported_at__gte=start, reported_at__lt=end).count()

    years = [
        datetime.fromisoformat(row["date_reported"]).astimezone(UTC).year
        for row in rows_in_file(incidents_csv)
    ]
    assert (count(2022), count(2023)) == (years.count(2022), years.count(2023))


def write_sample(tmp_path, incidents_csv, *, bad: bool) -> tuple:
    rows = rows_in_file(incidents_csv)[:5]
    if bad:
        rows[1]["date_reported"] = ""
        rows[3]["lat"] = "95"
    path = tmp_path / "sample.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path, rows


def test_bad_rows_are_reported_and_good_rows_saved(tmp_path, incidents_csv):
    path, rows = write_sample(tmp_path, incidents_csv, bad=True)
    errors = tmp_path / "errors.csv"
    output = run_import(path, f"--errors={errors}")
    assert output.startswith("3 created, 0 updated, 0 unchanged, 2 rejected")
    assert "row 2: reported_at: is required" in output
    assert "row 4: lat: latitude 95 is outside -90..90 (value: '95')" in output
    saved = set(Incident.objects.values_list("source_ref", flat=True))
    assert saved == {rows[i]["record_id"] for i in (0, 2, 4)}
    with open(errors, encoding="utf-8") as handle:
        reported = list(csv.DictReader(handle))
    assert [(r["row"], r["field"], r["value"]) for r in reported] == [
        ("2", "reported_at", ""),
        ("4", "lat", "95"),
    ]
    assert rows[3]["record_id"] in reported[1]["record"]


def test_atomic_saves_nothing_and_fails_when_a_row_is_bad(tmp_path, incidents_csv):
    path, _ = write_sample(tmp_path, incidents_csv, bad=True)
    out = StringIO()
    with pytest.raises(CommandError, match=r"2 row\(s\) rejected: nothing saved"):
        run_import(path, "--atomic", stdout=out)
    assert out.getvalue().startswith("nothing saved (--atomic): 0 created")
    assert "2 rejected" in out.getvalue()
    assert Incident.objects.count() == 0


def test_atomic_saves_everything_when_all_rows_are_good(tmp_path, incidents_csv):
    path, _ = write_sample(tmp_path, incidents_csv, bad=False)
    assert run_import(path, "--atomic").startswith("5 created")
    assert Incident.objects.count() == 5


def test_wrong_encoding_fails_before_writing(tmp_path, incidents_csv):
    path, _ = write_sample(tmp_path, incidents_csv, bad=False)
    path.write_bytes(path.read_bytes() + "北京".encode("gb18030"))
    with pytest.raises(CommandError, match="not utf-8 text"):
        run_import(path)
    assert Incident.objects.count() == 0


def test_missing_columns_fail_before_writing(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("record_id,offense\n1,Burglary\n", encoding="utf-8")
    with pytest.raises(CommandError, match="missing column"):
        run_import(path)
    assert Incident.objects.count() == 0


def test_unmapped_categories_use_the_default_and_are_reported(tmp_path, incidents_csv):
    path, rows = write_sample(tmp_path, incidents_csv, bad=False)
    text = path.read_text(encoding="utf-8").replace(rows[0]["offense"], "Space Piracy", 1)
    path.write_text(text, encoding="utf-8")
    output = run_import(path)
    assert "unmapped category values, counted as other:" in output
    assert "Space Piracy: 1" in output
    assert Incident.objects.get(source_ref=rows[0]["record_id"]).category.code == "other"


def test_a_command_import_is_audited_with_file_hash_mapping_and_counts(tmp_path, incidents_csv):
    import hashlib

    from audit.models import AuditEvent

    path, _ = write_sample(tmp_path, incidents_csv, bad=True)
    run_import(path)
    event = AuditEvent.objects.get(object_type="imports.file")
    assert event.changes["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert event.changes["mapping"] == "file charlottesville.mapping.json"
    assert event.changes["counts"] == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 2}
