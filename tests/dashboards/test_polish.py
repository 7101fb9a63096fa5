"""What users meet on the pages, in Chromium on the demo city: error pages in the shell,
filter errors, money and durations, sortable tables, map legends, chart layout and alerts,
each in the page's language."""

import re

import pytest

from ..browser import save_screenshot
from .conftest import api_get
from .test_alerts import open_alerts, report_fatal_accident

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

CJK = re.compile(r"[\u4e00-\u9fff]")
CLOCK = re.compile(r"^\d+:\d\d(:\d\d)?$")
# Pixels a chart's axis line, ticks and text box may reach past the edge they are drawn on.
EDGE = 4


def to_english(page) -> None:
    page.click("form.lang-switch button[value=en]")
    page.wait_for_load_state("networkidle")
    assert page.get_attribute("html", "lang") == "en"


def test_an_unknown_address_shows_the_404_page_in_the_shell_in_both_languages(page_as):
    with page_as("analyst") as page:
        response = page.goto("/no-such-page/")
        assert response.status == 404
        assert page.locator("nav.main-nav a[data-nav=overview]").count() == 1
        assert page.locator("[data-alert-badge]").count() == 1
        chinese = page.locator("main").inner_text()
        assert "404" in chinese and CJK.search(chinese)
        save_screenshot(page, "error-404")
        to_english(page)
        english = page.locator("main").inner_text()
        assert "404" in english and not CJK.search(english)
        assert page.locator("nav.main-nav a[data-nav=overview]").count() == 1
        assert page.console_errors == [] or all("404" in e for e in page.console_errors)


def test_a_window_ending_before_it_starts_is_explained_in_chinese_and_english(page_as):
    with page_as("analyst") as page:
        page.goto("/?window=custom&from=2024-05-10&to=2024-05-01")
        error = page.locator("[data-picker] .error[data-error-for=to]").inner_text()
        assert CJK.search(error) and not re.search("[A-Za-z]", error), error
        to_english(page)
        error = page.locator("[data-picker] .error[data-error-for=to]").inner_text()
        assert not CJK.search(error) and "window ends before it starts" in error


def shown_rows(page, table: str, column: int) -> list[dict]:
    """The body rows of ``table`` as shown: their key and the value of cell ``column``."""
    return page.evaluate(
        """([table, column]) => [...document.querySelector(table).tBodies[0].rows].map(r => ({
            key: r.dataset.area || r.dataset.category || r.textContent.trim().slice(0, 40),
            total: r.classList.contains('total'),
            value: SafeCitySortable.cellValue(r.cells[column]),
        }))""",
        [table, column],
    )


def test_clicking_a_header_sorts_the_table_numbers_as_numbers_and_blanks_last(page_as):
    with page_as("analyst") as page:
        page.goto("/patrols/?window=ytd")
        table = "#compliance"
        page.wait_for_selector(f"{table}[data-sortable-ready] th.sortable")
        official = shown_rows(page, table, 3)
        assert len(official) > 3
        # The districts come in their official order: by their codes' numbers.
        districts = {str(a["id"]): a for a in api_get(page, "/api/v1/areas/", kind="district")}
        listed = [row["key"] for row in official if not row["total"]]
        assert listed == sorted(listed, key=lambda key: districts[key]["sort_order"])
        # The 4th column: the median dispatch time, in seconds behind its words.
        header = page.locator(f"{table} thead tr:last-child th").nth(2)
        assert "中位" in header.inner_text()
        header.locator("button").click()
        assert header.get_attribute("aria-sort") == "descending"
        rows = shown_rows(page, table, 3)
        assert rows[0]["total"], "the total stays on top"
        values = [row["value"] for row in rows if not row["total"]]
        numbers = [value for value in values if value is not None]
        assert values == sorted(numbers, reverse=True) + [None] * (len(values) - len(numbers))
        header.locator("button").click()
        assert header.get_attribute("aria-sort") == "ascending"
        values = [row["value"] for row in shown_rows(page, table, 3) if not row["total"]]
        assert values == sorted(numbers) + [None] * (len(values) - len(numbers))
        header.locator("button").click()
        assert header.get_attribute("aria-sort") is None
        assert shown_rows(page, table, 3) == official
        save_screenshot(page, "sortable-compliance")
        assert page.console_errors == []


def test_compstat_tables_sort_by_a_column_and_keep_the_total_on_top(page_as):
    with page_as("commander") as page:
        page.goto("/compstat/")
        table = "[data-compstat-table] table"
        page.wait_for_selector(f"{table}[data-sortable-ready]")
        category = page.locator(f"{table} thead th.sortable").first
        assert category.get_attribute("rowspan") == "2"
        this_year = page.locator(f"{table} thead tr:last-child th.sortable").first
        this_year.locator("button").click()
        assert this_year.get_attribute("aria-sort") == "descending"
        rows = shown_rows(page, table, 1)
        assert rows[0]["total"]
        values = [row["value"] for row in rows[1:]]
        assert values == sorted(values, reverse=True)
        category.locator("button").click()
        assert category.get_attribute("aria-sort") == "ascending"
        assert this_year.get_attribute("aria-sort") is None


def test_durations_are_written_in_words_in_both_languages(page_as):
    with page_as("analyst") as page:
        page.goto("/patrols/?window=ytd")
        cells = page.locator("#compliance td[data-key$=seconds]")
        texts = [text for text in cells.all_inner_texts() if text != "—"]
        assert texts and not any(CLOCK.match(text) for text in texts)
        seconds = [float(v) for v in cells.evaluate_all("c => c.map(x => x.dataset.value)") if v]
        expected = page.evaluate(
            "(values) => values.map(v => SafeCityFormat.duration(v, false))", seconds
        )
        assert texts == expected and all("秒" in t or "分" in t for t in texts)
        to_english(page)
        texts = [t for t in page.locator("#compliance td[data-key$=seconds]").all_inner_texts()]
        texts = [t for t in texts if t != "—"]
        assert texts == page.evaluate(
            "(values) => values.map(v => SafeCityFormat.duration(v, true))", seconds
        )
        assert all(re.search(r"\b(min|s|h)\b", t) for t in texts)


def test_money_carries_its_unit_in_both_languages(page_as):
    with page_as("analyst") as page:
        campaigns = api_get(page, "/api/v1/campaigns/")
        campaigns = campaigns["results"] if isinstance(campaigns, dict) else campaigns
        for campaign in campaigns:
            page.goto(f"/campaigns/{campaign['id']}/")
            if page.locator("#battles td[data-field=money_involved]").count():
                break
        else:
            pytest.skip("the demo city has no cluster battle")
        cells = page.locator("#battles td[data-field=money_involved]")
        values = [float(v) for v in cells.evaluate_all("c => c.map(x => x.dataset.value)")]
        chinese = cells.all_inner_texts()
        assert chinese == page.evaluate("(v) => v.map(x => SafeCityFormat.money(x, false))", values)
        assert all(re.search("(元|万元|亿元)$", text) for text in chinese)
        to_english(page)
        english = page.locator("#battles td[data-field=money_involved]").all_inner_texts()
        assert english == page.evaluate("(v) => v.map(x => SafeCityFormat.money(x, true))", values)
        assert all(text.startswith(("¥", "-¥")) for text in english)


def legend(page, name: str) -> dict:
    """The title and colours of the map's colour key ``name`` (shown)."""
    selector = f"#map .map-legend[data-legend={name}]:not([hidden])"
    page.wait_for_selector(f"{selector} li")
    return page.evaluate(
        """(selector) => {
            const box = document.querySelector(selector);
            return {title: box.querySelector('strong').textContent,
                    colours: [...box.querySelectorAll('li')].map(li => li.dataset.colour)}; }""",
        selector,
    )


def area_fills(page) -> set:
    return set(
        page.evaluate(
            """() => { const fills = []; document.getElementById('map').leafletMap.eachLayer(l => {
                if (l.feature && l.options && l.options.fillColor && l.feature.properties.kind)
                    fills.push(l.options.fillColor); }); return fills; }"""
        )
    )


def test_every_choropleth_has_a_colour_legend_matching_its_areas(page_as):
    with page_as("analyst") as page:
        page.goto("/")
        page.wait_for_selector("#map:not([data-loading])")
        counts = legend(page, "areas")
        fills = area_fills(page)
        assert fills and fills <= set(counts["colours"])
        page.check("input[name=choropleth][value=yoy]")
        changes = legend(page, "areas")
        assert changes["title"] != counts["title"]
        assert area_fills(page) <= set(changes["colours"])
        hexes = legend(page, "hexes")
        assert hexes["title"] not in (counts["title"], changes["title"])
        save_screenshot(page, "overview-legend")
        page.goto("/patrols/")
        page.wait_for_selector("#map[data-zones]")
        assert len(legend(page, "zones")["colours"]) >= 4
        assert page.console_errors == []


def chart_layout(page, element_id: str) -> dict:
    """Where ECharts put the legend, the plot and the axis labels of a chart, in pixels."""
    return page.evaluate(
        """(id) => { const chart = echarts.getInstanceByDom(document.getElementById(id));
            const model = chart.getModel();
            const box = (component) => { if (!component) return null;
                const group = chart.getViewOfComponentModel(component).group;
                const rect = group.getBoundingRect().clone();
                group.updateTransform(); if (group.transform) rect.applyTransform(group.transform);
                return {x: rect.x, y: rect.y, width: rect.width, height: rect.height}; };
            return {width: chart.getWidth(), height: chart.getHeight(),
                    grid: model.getComponent('grid').coordinateSystem.getRect(),
                    legend: box(model.getComponent('legend')),
                    yAxis: box(model.getComponent('yAxis')),
                    xAxis: box(model.getComponent('xAxis'))}; }""",
        element_id,
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_chart_legends_and_axis_labels_stay_clear_of_the_plot(page_as, language):
    with page_as("analyst") as page:
        page.goto("/?window=ytd")
        if language == "en":
            to_english(page)
        page.wait_for_selector("#trend:not([data-loading])")
        page.wait_for_selector("#categories:not([data-loading])")
        trend = chart_layout(page, "trend")
        assert trend["legend"]["y"] + trend["legend"]["height"] <= trend["grid"]["y"]
        bars = chart_layout(page, "categories")
        # The category names (the y axis) lie inside the chart, left of the plot (the axis
        # line and its ticks, drawn on the plot's edge, may reach a few pixels in).
        assert bars["yAxis"]["x"] >= 0
        assert bars["yAxis"]["x"] + bars["yAxis"]["width"] <= bars["grid"]["x"] + EDGE
        for layout in (trend, bars):
            assert layout["xAxis"]["y"] + layout["xAxis"]["height"] <= layout["height"] + EDGE
        save_screenshot(page, f"overview-charts-{language}")


def test_a_live_alert_reads_in_english_on_an_english_page(page_as):
    with page_as("commander") as page:
        page.goto("/alerts/")
        to_english(page)
        open_alerts(page)
        report_fatal_accident(page)
        toast = page.locator(".toast").first
        toast.wait_for()
        alert = api_get(page, f"/api/v1/alerts/{toast.get_attribute('data-alert-id')}/")
        assert toast.locator("strong").inner_text() == alert["title_en"]
        assert alert["title_en"] != alert["title"]
        item = page.locator(f"#alerts [data-alert-id='{alert['id']}'] .title")
        assert item.inner_text() == alert["title_en"]
        assert alert["title_en"].startswith("Fatal") or not CJK.search(
            alert["title_en"].split(":")[0]
        )
