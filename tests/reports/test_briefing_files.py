"""A weekly briefing's PDF and DOCX read back (pdftotext, pdftoppm, pdffonts, python-docx):
every number in them is one the statistics API gives over HTTP for the same area and calendar
week (``window=week&date=<its Sunday>``), its headline sentence states the API's figures, its
movers are the API's top movers, and its fonts are embedded."""

import io
import re
import subprocess

import pytest
import requests
from docx import Document

from areas.models import Area
from reports.services import report_generate
from reports.signals import report_published
from tests.factories import api_key

from .conftest import TODAY, WEEK

pytestmark = pytest.mark.django_db(transaction=True)
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def fetch(live_server, key: str, path: str, **params) -> dict:
    response = requests.get(
        f"{live_server.url}/api/v1/{path}",
        params=params,
        headers={"Authorization": f"Token {key}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.json()


def api_figures(live_server, key: str, area_id: int) -> dict:
    """Every answer of the API the briefing's figures come from, for its area and week."""
    week = {"area": area_id, "window": "week", "date": str(WEEK[1])}
    answers = {
        "summary": fetch(
            live_server, key, "stats/summary", measure="count,solved,arrested", **week
        ),
        "categories": fetch(live_server, key, "stats/breakdown", by="category", **week),
        "areas": fetch(live_server, key, "stats/breakdown", by="area", **week),
        "matrix": fetch(live_server, key, "stats/breakdown", by="hour_weekday", **week),
        "compliance": fetch(live_server, key, "patrols/compliance/", by="children", **week),
        "mediation": fetch(live_server, key, "mediation/stats/", **week),
    }
    # The top movers inside each top category with incidents and inside its subcategories.
    movers, below = [], []
    parents = [r["code"] for r in answers["categories"]["rows"] if r["current"] or r["yoy"]["base"]]
    for _level in range(2):
        children = []
        for code in parents:
            rows = fetch(live_server, key, "stats/breakdown", by="category", category=code, **week)[
                "rows"
            ]
            if rows:
                movers.append(
                    fetch(live_server, key, "stats/movers", category=code, limit=3, **week)
                )
            below += rows
            children += [row["code"] for row in rows]
        parents = children
    answers["movers"] = movers
    answers["area_movers"] = fetch(live_server, key, "stats/movers", limit=3, **week)
    answers["below"] = below
    return answers


def comparison_numbers(block: dict) -> set[str]:
    found = {str(block["current"]), str(block["yoy"]["base"]), str(block["pop"]["base"])}
    for part in ("yoy", "pop"):
        if block[part]["pct_change"] is not None:
            found.add(f"{abs(block[part]['pct_change']):.1f}")
    return found


def share_numbers(value) -> set[str]:
    return set() if value is None else {f"{value * 100:.1f}"}


def allowed_numbers(answers: dict, content: dict, pages: int) -> set[str]:
    """Numbers the briefing may print: the API's figures as written (counts, percentages to
    one decimal, shares as percentages), and what is not a statistic: the days of its
    periods, its time of making, section and page numbers, ranks, hours and 1/3/5 minutes."""
    allowed = set()
    for block in answers["summary"]["measures"].values():
        allowed |= comparison_numbers(block)
    for row in answers["categories"]["rows"] + answers["areas"]["rows"] + answers["below"]:
        allowed |= comparison_numbers(row)
    for answer in [*answers["movers"], answers["area_movers"]]:
        for by in ("categories", "areas"):
            for mover in answer[by]["rises"] + answer[by]["falls"]:
                allowed |= {str(mover["current"]), str(mover["base"])}
                if mover["pct_change"] is not None:
                    allowed.add(f"{abs(mover['pct_change']):.1f}")
    matrix = answers["matrix"]["matrix"]
    allowed |= {str(n) for row in matrix for n in row}
    allowed |= {str(sum(row)) for row in matrix}
    allowed |= {str(sum(row[hour] for row in matrix)) for hour in range(24)}
    for unit in [answers["compliance"], *answers["compliance"]["children"]]:
        for phase in ("dispatch", "arrive"):
            block = unit[phase]
            allowed |= {str(block["incidents"]), str(block["median_seconds"])}
            allowed |= share_numbers(block["share"]) | share_numbers(block["yoy"]["share"])
        for minutes in (1, 3, 5):
            allowed |= share_numbers(unit["arrive"][f"within_{minutes}min"])
    mediation = answers["mediation"]
    for block in mediation["measures"].values():
        allowed |= comparison_numbers(block)
    for rate in mediation["rates"].values():
        allowed |= share_numbers(rate["current"])
    for period in ("period", "yoy_period", "pop_period"):
        for day in content[period].values():
            allowed |= {part.lstrip("0") or "0" for part in day.split("-")} | set(day.split("-"))
    allowed |= set(NUMBER.findall(content["generated_at"]))
    # Names are not statistics: test areas are numbered ("测试辖区104").
    for row in answers["areas"]["rows"] + answers["categories"]["rows"]:
        allowed |= set(NUMBER.findall(f"{row['name']} {row.get('name_en') or ''}"))
    allowed |= set(NUMBER.findall(f"{content['area']['name']} {content['area']['name_en']}"))
    allowed |= {str(n) for n in range(0, max(24, pages + 1, len(content["sections"]) + 1))}
    return allowed


@pytest.fixture
def briefing(briefing_incidents, city):
    return report_generate(kind="weekly", area=city, today=TODAY)


@pytest.fixture
def answers(live_server, analyst, city, briefing):
    return api_figures(live_server, api_key(analyst), city.id)


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "briefing.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_every_number_in_the_pdf_is_the_statistics_apis(briefing, answers, tmp_path):
    text = pdf_text(bytes(briefing.pdf), tmp_path)
    pages = text.count("\f")
    allowed = allowed_numbers(answers, briefing.content, pages)
    # The areas' names are not statistics (a test area's English name carries the factory's
    # sequence number, which runs on through the session).
    names = Area.objects.filter(path__startswith=briefing.area.path).values_list("name", "name_en")
    allowed |= set(NUMBER.findall(" ".join(" ".join(pair) for pair in names)))
    printed = NUMBER.findall(text)
    assert len(printed) > 100
    assert sorted(set(printed) - allowed) == []
    # And the headline states the API's figures for the week, in words.
    flat = re.sub(r"\s+", "", text)
    count = answers["summary"]["measures"]["count"]
    pct = count["yoy"]["pct_change"]
    direction = "上升" if pct > 0 else "下降"
    assert f"共接报警情{count['current']}起，同比{direction}{abs(pct):.1f}%" in flat
    assert f"（去年同期{count['yoy']['base']}起）" in flat
    assert f"（上期{count['pop']['base']}起）" in flat
    # The period printed is the API's, and so are its comparison periods.
    assert answers["summary"]["period"] == {"from": str(WEEK[0]), "to": str(WEEK[1])}
    for period in ("period", "yoy_period", "pop_period"):
        days = answers["summary"][period]
        assert f"{days['from']}至{days['to']}" in flat


def test_the_pdf_names_the_largest_top_movers_the_api_gives(briefing, answers, tmp_path):
    flat = re.sub(r"\s+", "", pdf_text(bytes(briefing.pdf), tmp_path))
    rises = sorted(
        (m for answer in answers["movers"] for m in answer["categories"]["rises"]),
        key=lambda m: -m["z"],
    )[:3]
    falls = sorted(
        (m for answer in answers["movers"] for m in answer["categories"]["falls"]),
        key=lambda m: m["z"],
    )[:3]
    assert rises and falls, "the test data move burglary up and pickpocketing down"

    def clause(mover: dict, direction: str) -> str:
        pct = mover["pct_change"]
        change = "基数为0" if pct is None else f"{direction}{abs(pct):.1f}%"
        return f"{mover['name']}（{mover['current']}起，同比{change}）"

    assert "同比升幅显著的有" + "、".join(clause(m, "上升") for m in rises) in flat
    assert "同比降幅显著的有" + "、".join(clause(m, "下降") for m in falls) in flat
    # The area ranking's movers are the API's area movers, or it says none moved.
    areas = answers["area_movers"]["areas"]
    if not areas["rises"] and not areas["falls"]:
        assert "各辖区同比均无显著变化" in flat
    for mover in areas["rises"]:
        assert clause(mover, "上升") in flat


def test_the_pdf_embeds_its_fonts_and_renders_its_pages(briefing, tmp_path):
    path = tmp_path / "briefing.pdf"
    path.write_bytes(bytes(briefing.pdf))
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert fonts
    assert any("Noto-Sans-CJK-SC" in line for line in fonts)
    for line in fonts:
        # Columns: name, type (may hold spaces), encoding, emb, sub, uni, object, generation.
        emb, _sub, uni = line.split()[-5:-2]
        assert (emb, uni) == ("yes", "yes"), line
    text = pdf_text(bytes(briefing.pdf), tmp_path)
    # Every glyph maps back to its character: no replacement characters or empty boxes.
    assert "\ufffd" not in text and "\u25a1" not in text
    assert briefing.title in text.replace("\n", "")
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / "page")], check=True)
    pictures = sorted(tmp_path.glob("page-*.png"))
    assert len(pictures) == text.count("\f")
    from PIL import Image

    for picture in pictures:
        with Image.open(picture) as image:
            darkest, lightest = image.convert("L").getextrema()
        assert darkest < 100 and lightest > 200, f"{picture.name} is blank"


def docx_tables(docx: bytes) -> tuple[str, list[list[list[str]]]]:
    document = Document(io.BytesIO(docx))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    tables = [
        [[cell.text for cell in row.cells] for row in table.rows] for table in document.tables
    ]
    return text, tables


def breakdown_cells(row: dict) -> list[str]:
    def pct(value):
        return "—" if value is None else f"{value:+.1f}%"

    return [
        str(row["current"]),
        str(row["yoy"]["base"]),
        pct(row["yoy"]["pct_change"]),
        str(row["pop"]["base"]),
        pct(row["pop"]["pct_change"]),
    ]


def test_the_docx_tables_and_headline_are_the_apis(briefing, answers):
    text, tables = docx_tables(bytes(briefing.docx))
    count = answers["summary"]["measures"]["count"]
    assert f"共接报警情 {count['current']} 起" in text
    headline, categories, areas = tables[0], tables[1], tables[2]
    for row, measure in zip(headline[1:], ("count", "solved", "arrested"), strict=True):
        assert row[1:] == breakdown_cells(answers["summary"]["measures"][measure])
    assert [row[0] for row in categories[1:]] == [r["name"] for r in answers["categories"]["rows"]]
    for row, expected in zip(categories[1:], answers["categories"]["rows"], strict=True):
        assert row[1:] == breakdown_cells(expected)
    assert len(areas) - 1 == len(answers["areas"]["rows"]) == 2
    for rank, (row, expected) in enumerate(
        zip(areas[1:], answers["areas"]["rows"], strict=True), start=1
    ):
        assert row[:2] == [str(rank), expected["name"]]
        assert row[2:] == breakdown_cells(expected)


def test_storing_a_briefing_tells_subscribers_with_the_contracts_fields(briefing_incidents, city):
    heard = []

    def listener(sender, report, **kwargs):
        heard.append(
            (
                report.kind,
                report.area,
                report.title,
                report.period_start,
                report.period_end,
                report.get_absolute_url(),
                [(name, mimetype) for name, _, mimetype in report.attachments()],
                [content[:4] for _, content, _ in report.attachments()],
            )
        )

    report_published.connect(listener)
    try:
        report = report_generate(kind="weekly", area=city, today=TODAY)
    finally:
        report_published.disconnect(listener)
    stem = report.file_stem()
    assert heard == [
        (
            "weekly",
            city,
            report.title,
            WEEK[0],
            WEEK[1],
            f"/reports/{report.pk}/",
            [
                (f"{stem}.docx", "application/vnd.openxmlformats-officedocument."
                 "wordprocessingml.document"),
                (f"{stem}.pdf", "application/pdf"),
            ],
            [b"PK\x03\x04", b"%PDF"],
        )
    ]  # fmt: skip
    with pytest.raises(ValueError, match="immutable"):
        report.save()
