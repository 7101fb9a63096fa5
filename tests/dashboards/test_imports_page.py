"""The import page in Chromium on a served demo city with a real Celery worker: the
Charlottesville reports as an XLSX workbook, mapped through the page, tried and imported with
exactly the counts the import_incidents command gives on the CSV; a bad file refused on the
page with nothing written; the page only for roles that may import; the English page."""

import json
import re
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from openpyxl import Workbook

from ..browser import chromium_page, log_in, save_screenshot
from ..conftest import spawn_celery_worker, stop
from ..demo_site import DEMO_PASSWORD, serve_demo_city
from ..imports.test_charlottesville_xlsx import workbook_of

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

MAPPING_FILE = Path(settings.BASE_DIR) / "docs" / "examples" / "charlottesville.mapping.json"
QUEUE = "imports-page"
COUNTS = ("created", "updated", "unchanged", "rejected")
CJK = re.compile(r"[\u4e00-\u9fff]")
TEXTS = "cells => cells.map(cell => cell.textContent)"
# A job of 9,265 rows on two shared cores: generous.
JOB_SECONDS = 300


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The demo city served by daphne, and a real `celery worker` taking its import queue."""
    var_dir = tmp_path_factory.mktemp("imports-var")
    with serve_demo_city(
        suffix="imports", var_dir=var_dir, extra_env={"IMPORT_QUEUE": QUEUE}
    ) as served:
        worker = spawn_celery_worker(served.env, QUEUE, cwd=settings.BASE_DIR)
        try:
            yield served
        finally:
            stop(worker)


@pytest.fixture
def page_as(site):
    from contextlib import contextmanager

    @contextmanager
    def open_as(username: str, locale: str = "zh-CN"):
        with chromium_page(site.url, locale=locale) as page:
            log_in(page, username, DEMO_PASSWORD)
            yield page

    return open_as


def site_query(site, query: str, *params):
    with psycopg2.connect(site.database_url) as connection, connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchone()[0]


def incidents_from(site, source_system: str) -> int:
    return site_query(
        site, "SELECT count(*) FROM incidents_incident WHERE source_system = %s", source_system
    )


def command_counts(site, csv_path: Path, source_system: str) -> dict[str, int]:
    """What import_incidents reports on the CSV, run against the site's database."""
    out = site.manage(
        "import_incidents", str(csv_path), f"--mapping={MAPPING_FILE}",
        f"--source={source_system}", "--no-progress",
    )  # fmt: skip
    first = out.splitlines()[0]
    counts = {name: int(number) for number, name in re.findall(r"(\d+) (\w+)", first)}
    assert sorted(counts) == sorted(COUNTS), first
    return counts


def shown_counts(page, box: str) -> dict[str, int]:
    return page.evaluate(
        """(box) => Object.fromEntries([...document.querySelectorAll(box + ' [data-count]')]
            .map(cell => [cell.dataset.count, parseInt(cell.dataset.value, 10)]))""",
        box,
    )


def upload(page, path: Path) -> None:
    page.goto("/imports/")
    page.set_input_files("#import-file", str(path))


def test_the_charlottesville_workbook_imports_through_the_page_with_the_commands_counts(
    site, page_as, shared_data, tmp_path
):
    csv_path = shared_data / "charlottesville" / "incidents.csv"
    expected = command_counts(site, csv_path, "cville_command")
    assert expected["created"] > 0
    workbook = tmp_path / "charlottesville.xlsx"
    workbook.write_bytes(workbook_of(csv_path))
    spec = json.loads(MAPPING_FILE.read_text(encoding="utf-8"))

    with page_as("admin") as page:
        upload(page, workbook)
        page.wait_for_selector("#preview-table:not([data-loading])")
        limit = page.evaluate("SafeCity.config.max_bytes_text")
        assert f"文件大小上限：{limit}" in page.text_content("#step-upload")
        assert page.text_content("#preview-format") == "xlsx"
        assert page.input_value("#sheet") == "incidents"
        header = page.eval_on_selector_all("#preview-table thead th", TEXTS)
        assert header[:2] == ["record_id", "offense"]
        assert page.locator("#preview-table tbody tr").count() == 20

        # The proposal from the header, then the rest by the selects.
        column = '#field-map tr[data-field="{}"] select[data-column]'
        proposed = {name: page.input_value(column.format(name)) for name in spec["fields"]}
        assert proposed == {
            "source_ref": "record_id", "reported_at": "date_reported", "lon": "lon",
            "lat": "lat", "address": "address", "category": "offense", "summary": "",
        }  # fmt: skip
        page.select_option(column.format("summary"), "offense")
        server_zone = page.evaluate("SafeCity.config.time_zone")
        assert page.input_value("#time-zone") == server_zone
        assert f"服务器时区为 {server_zone}" in page.text_content("#step-mapping")
        page.fill("#time-zone", spec["time_zone"])
        page.fill("#source-system", "cville_page")
        values = page.eval_on_selector_all(
            '[data-values="category"] [data-maps-value]',
            "inputs => inputs.map(i => i.dataset.mapsValue)",
        )
        assert len(values) > 50 and set(values) <= set(spec["categories"])
        for value in values:
            page.select_option(
                f'[data-values="category"] [data-maps-value="{value}"]', spec["categories"][value]
            )
        page.select_option("#category-default", spec["default_category"])

        page.fill("#mapping-name", "charlottesville-page")
        page.click("#save-mapping")
        page.wait_for_selector("#mapping-status[data-version]")
        assert page.get_attribute("#mapping-status", "data-version") == "1"
        assert "charlottesville-page" in page.text_content("#mapping-status")

        page.click("#dry-run")
        page.wait_for_selector("#dry-result:not([data-loading])", timeout=JOB_SECONDS * 1000)
        assert page.get_attribute("#dry-state", "data-state") == "succeeded"
        assert shown_counts(page, "#dry-counts") == expected
        assert page.locator("#dry-errors tbody tr[data-row]").count() == 0
        assert incidents_from(site, "cville_page") == 0

        # Every rows-done figure the progress bar shows, in order.
        page.evaluate(
            """() => { window.rowsSeen = [];
                new MutationObserver(() => window.rowsSeen.push(
                    parseInt(document.getElementById('progress').dataset.rowsDone, 10)))
                .observe(document.getElementById('progress'), {attributes: true}); }"""
        )
        page.click("#run")
        page.wait_for_selector("#cancel:not([hidden])")
        page.wait_for_selector("#run-result:not([data-loading])", timeout=JOB_SECONDS * 1000)
        save_screenshot(page, "imports")
        assert page.get_attribute("#run-state", "data-state") == "succeeded"
        assert shown_counts(page, "#run-counts") == expected
        seen = page.evaluate("window.rowsSeen")
        assert seen == sorted(seen) and seen[-1] == sum(expected.values())
        assert page.evaluate("document.getElementById('progress').max") == sum(expected.values())
        assert page.is_hidden("#cancel")
        total = sum(expected.values())
        assert page.text_content("#progress-text").startswith(f"{total:,} / {total:,} 行 · ")
        assert "行/秒" in page.text_content("#progress-text")
        assert incidents_from(site, "cville_page") == expected["created"]

        page.reload()
        page.wait_for_selector("#recent-jobs:not([data-loading])")
        recent = page.eval_on_selector_all(
            "#recent-jobs tbody tr[data-job]",
            "rows => rows.map(r => [...r.cells].map(c => c.textContent))",
        )
        numbers = [f"{expected[name]:,}" for name in COUNTS]
        assert [row[1:2] + row[3:7] for row in recent[:2]] == [
            ["charlottesville.xlsx", *numbers],
            ["charlottesville.xlsx", *numbers],
        ]
        assert recent[0][2] == "已完成" and recent[1][2] == "试导入 · 已完成 · 未写入任何数据"
        assert page.console_errors == []


def test_a_text_file_named_xlsx_shows_the_error_and_writes_nothing(site, page_as, tmp_path):
    bad = tmp_path / "reports.xlsx"
    bad.write_text("record_id,offense\n1,Burglary\n", encoding="utf-8")
    jobs_before = site_query(site, "SELECT count(*) FROM imports_importjob")
    incidents_before = site_query(site, "SELECT count(*) FROM incidents_incident")
    with page_as("officer") as page:
        upload(page, bad)
        page.wait_for_selector("#upload-error:not([hidden])")
        error = page.text_content("#upload-error")
        assert "文件无法读取: 这不是可读取的 XLSX 工作簿" in error
        assert "reports.xlsx: not an XLSX workbook" in error
        assert page.is_hidden("#preview") and page.is_hidden("#step-mapping")
        assert page.is_hidden("#step-run")
    assert site_query(site, "SELECT count(*) FROM imports_importjob") == jobs_before
    assert site_query(site, "SELECT count(*) FROM incidents_incident") == incidents_before


def test_a_role_that_may_not_import_gets_403_and_no_navigation_entry(site, page_as):
    with page_as("analyst") as page:
        page.goto("/")
        assert page.locator('[data-nav="overview"]').count() == 1
        assert page.locator('[data-nav="imports"]').count() == 0
        assert page.goto("/imports/").status == 403
    with page_as("officer") as page:
        page.goto("/")
        assert page.locator('[data-nav="imports"]').text_content() == "导入"


def test_the_english_page_shows_english_words(site, page_as, tmp_path):
    reports = tmp_path / "reports.csv"
    reports.write_text(
        "id,reported,offense,arrests\nE1,2024-03-01 08:00,fight,yes\n", encoding="utf-8"
    )
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    with page_as("officer", locale="en-US") as page:
        page.goto("/imports/")
        page.click('.lang-switch button[value="en"]')
        page.wait_for_load_state("networkidle")
        assert page.locator('[data-nav="imports"]').text_content() == "Import"
        assert page.text_content("h1") == "Import incidents"
        assert "Upload a file" in page.text_content("#step-upload")
        page.set_input_files("#import-file", str(reports))
        page.wait_for_selector('[data-values="category"]')
        assert "Incident field" in page.text_content("#step-mapping")
        for block in ("#step-upload", "#step-mapping", "#step-dry", "#step-run", "#recent"):
            text = page.text_content(block)
            assert not CJK.search(text), (block, CJK.findall(text))
        page.set_input_files("#import-file", str(bad))
        page.wait_for_selector("#upload-error:not([hidden])")
        assert page.text_content("#upload-error strong") == (
            "The file cannot be read: This is not a readable XLSX workbook: the file may be "
            "damaged, or its name may not match its content."
        )
        # The refused preview's 400 is the one error the browser logs.
        assert [e for e in page.console_errors if "status of 400" not in e] == []


def test_yes_no_values_map_to_one_and_zero_and_the_dry_run_lists_the_rejected_rows(
    site, page_as, tmp_path
):
    reports = tmp_path / "抓获.csv"
    reports.write_text(
        "编号,报警时间,类别,抓获\n"
        "Y1,2024-03-01 08:00,打架,是\n"
        "Y2,2024-03-01 09:00,打架,否\n"
        "Y3,2024-03-01 10:00,打架,True\n"
        "Y4,not a time,打架,False\n",
        encoding="utf-8",
    )
    with page_as("admin") as page:
        upload(page, reports)
        page.wait_for_selector('[data-values="arrested"]')
        column = '#field-map tr[data-field="{}"] select[data-column]'
        assert page.input_value(column.format("arrested")) == "抓获"
        assert page.get_attribute('#field-map tr[data-field="reported_at"]', "data-required") == ""
        shown = page.eval_on_selector_all(
            '[data-values="arrested"] [data-maps-value]', "els => els.map(e => e.dataset.mapsValue)"
        )
        assert sorted(shown) == sorted(["是", "否", "True", "False"])
        for value, number in {"是": "1", "否": "0", "True": "1", "False": "0"}.items():
            page.select_option(f'[data-values="arrested"] [data-maps-value="{value}"]', number)
        page.select_option('[data-values="category"] [data-maps-value="打架"]', "fight")
        page.fill("#source-system", "yes_no")

        page.click("#dry-run")
        page.wait_for_selector("#dry-result:not([data-loading])", timeout=JOB_SECONDS * 1000)
        assert shown_counts(page, "#dry-counts") == {
            "created": 3, "updated": 0, "unchanged": 0, "rejected": 1,
        }  # fmt: skip
        rejected = page.eval_on_selector_all(
            "#dry-errors tbody tr[data-row]",
            "rows => rows.map(r => [...r.cells].map(c => c.textContent))",
        )
        assert [row[:3] for row in rejected] == [["4", "reported_at", "not a time"]]
        assert rejected[0][3]
        assert page.is_visible("#dry-errors-csv")
        assert incidents_from(site, "yes_no") == 0

        page.click("#run")
        page.wait_for_selector("#run-result:not([data-loading])", timeout=JOB_SECONDS * 1000)
        assert shown_counts(page, "#run-counts")["created"] == 3
        errors_csv = page.request.get(page.get_attribute("#run-errors-csv", "href"))
        assert errors_csv.ok and "not a time" in errors_csv.text()
        assert page.console_errors == []
    arrested = site_query(
        site,
        "SELECT string_agg(source_ref || '=' || arrested, ',' ORDER BY source_ref)"
        " FROM incidents_incident WHERE source_system = %s",
        "yes_no",
    )
    assert arrested == "Y1=1,Y2=0,Y3=1"


def csrf_headers(page) -> dict:
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    return {"X-CSRFToken": token}


def test_a_stored_mapping_loads_by_name_at_its_latest_version(site, page_as, tmp_path):
    reports = tmp_path / "stored.csv"
    reports.write_text("编号,时间点,类型,备注\nS1,2024-03-01 08:00,斗殴,x\n", encoding="utf-8")
    first = {"fields": {"source_ref": "编号", "reported_at": "时间点", "category": "类型"}}
    second = {
        "fields": {
            **first["fields"],
            "category": {"column": "类型", "values": {"斗殴": "fight"}, "default": "other"},
            "summary": "备注",
        },
        "time_zone": "UTC",
    }
    with page_as("officer") as page:
        page.goto("/imports/")
        for spec in (first, second):
            saved = page.request.post(
                "/api/v1/import-mappings/",
                data={"name": "stored-page", "spec": spec},
                headers=csrf_headers(page),
            )
            assert saved.status == 201, saved.text()
        page.set_input_files("#import-file", str(reports))
        page.wait_for_selector("#field-map tbody tr")
        page.fill("#mapping-name", "stored-page")
        page.click("#load-mapping")
        page.wait_for_selector("#mapping-status[data-version]")
        assert page.get_attribute("#mapping-status", "data-version") == "2"
        column = '#field-map tr[data-field="{}"] select[data-column]'
        chosen = {name: page.input_value(column.format(name)) for name in second["fields"]}
        assert chosen == {
            "source_ref": "编号", "reported_at": "时间点", "category": "类型", "summary": "备注",
        }  # fmt: skip
        assert page.input_value("#time-zone") == "UTC"
        page.wait_for_selector('[data-values="category"] [data-maps-value="斗殴"]')
        assert page.input_value('[data-values="category"] [data-maps-value="斗殴"]') == "fight"
        assert page.input_value("#category-default") == "other"
        assert page.console_errors == []


def test_cancel_stops_the_import_and_keeps_nothing(site, page_as, tmp_path):
    reports = tmp_path / "many.csv"
    rows = "".join(f"C{n},2024-01-01T{n % 24:02d}:00:00,fight\n" for n in range(1, 60_001))
    reports.write_text("id,reported_at,category\n" + rows, encoding="utf-8")
    with page_as("admin") as page:
        upload(page, reports)
        page.wait_for_selector("#field-map tbody tr")
        page.fill("#source-system", "cancelled")
        page.click("#dry-run")
        page.wait_for_selector("#dry-result:not([data-loading])", timeout=JOB_SECONDS * 1000)
        assert shown_counts(page, "#dry-counts")["created"] == 60_000
        page.click("#run")
        with page.expect_response(lambda r: r.url.endswith("/cancel/")) as cancel:
            page.click("#cancel")
        assert cancel.value.status == 200, (cancel.value.status, cancel.value.text())
        page.wait_for_selector("#run-result:not([data-loading])", timeout=JOB_SECONDS * 1000)
        assert page.get_attribute("#run-state", "data-state") == "cancelled"
        assert "已取消 · 未写入任何数据" in page.text_content("#run-state")
        assert shown_counts(page, "#run-counts")["created"] == 0
        assert page.is_hidden("#cancel")
        assert page.console_errors == []
    assert incidents_from(site, "cancelled") == 0


def test_another_sheet_of_a_workbook_is_previewed_when_picked(site, page_as, tmp_path):
    book = Workbook()
    book.active.title = "说明"
    book.active.append(["这一页是说明"])
    book.active.append(["数据在另一页"])
    reports = book.create_sheet("警情")
    reports.append(["编号", "报警时间", "类别"])
    reports.append(["W1", "2024-03-01 08:00", "打架"])
    path = tmp_path / "two.xlsx"
    book.save(path)
    with page_as("officer") as page:
        upload(page, path)
        page.wait_for_selector("#preview-table:not([data-loading])")
        assert page.eval_on_selector_all("#sheet option", TEXTS) == ["说明", "警情"]
        assert page.eval_on_selector_all("#preview-table thead th", TEXTS) == ["这一页是说明"]
        page.select_option("#sheet", "警情")
        page.wait_for_selector("#preview-table thead th:text('报警时间')")
        assert page.eval_on_selector_all("#preview-table thead th", TEXTS) == [
            "编号", "报警时间", "类别",
        ]  # fmt: skip
        column = '#field-map tr[data-field="{}"] select[data-column]'
        assert page.input_value(column.format("reported_at")) == "报警时间"
        assert page.console_errors == []
