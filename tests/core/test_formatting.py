"""Money and durations are written one way: safecity/core/formatting.py on the server and
static/js/shell/format.js in the pages agree, in both languages."""

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from safecity.core.formatting import duration_text, money_text

FORMAT_JS = Path(settings.BASE_DIR) / "static" / "js" / "shell" / "format.js"


@pytest.mark.parametrize(
    ("value", "chinese", "english"),
    [
        (0, "0 元", "¥0"),
        (850, "850 元", "¥850"),
        (8_500, "8,500 元", "¥8.5K"),
        (123_456, "12.3 万元", "¥123.5K"),
        (99_999_999, "1.0 亿元", "¥100.0M"),
        (1_234_567_890, "12.3 亿元", "¥1.2B"),
        (-25_000, "-2.5 万元", "-¥25.0K"),
        (None, "—", "—"),
    ],
)
def test_money_carries_its_unit_and_the_languages_magnitudes(value, chinese, english):
    assert money_text(value, english=False) == chinese
    assert money_text(value, english=True) == english


@pytest.mark.parametrize(
    ("seconds", "chinese", "english"),
    [
        (287, "4 分 47 秒", "4 min 47 s"),
        (45, "45 秒", "45 s"),
        (300, "5 分", "5 min"),
        (3725, "1 小时 2 分 5 秒", "1 h 2 min 5 s"),
        (0, "0 秒", "0 s"),
        (287.9, "4 分 47 秒", "4 min 47 s"),
        (None, "—", "—"),
    ],
)
def test_durations_name_their_units(seconds, chinese, english):
    assert duration_text(seconds, english=False) == chinese
    assert duration_text(seconds, english=True) == english


def test_template_filters_follow_the_page_language():
    template = Template("{% load shell %}{{ amount|money }}|{{ seconds|duration }}")
    context = Context({"amount": 123_456, "seconds": 287})
    with translation.override("zh-hans"):
        assert template.render(context) == "12.3 万元|4 分 47 秒"
    with translation.override("en"):
        assert template.render(context) == "¥123.5K|4 min 47 s"


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_pages_formatters_agree_with_the_servers():
    rng = random.Random(26)
    amounts = [0, 1, 9_999, 10_000, 9_999_949, 9_999_950, 99_999_999, 10**8, 10**12]
    amounts += [
        round(rng.uniform(0, 10 ** rng.randint(1, 11)), rng.choice([0, 2])) for _ in range(400)
    ]
    amounts += [-value for value in amounts[:50]]
    durations = [0, 59, 60, 3599, 3600, 86_399] + [rng.uniform(0, 20_000) for _ in range(200)]
    program = f"""
const F = require({json.dumps(str(FORMAT_JS))});
const data = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = {{}};
for (const english of [false, true]) {{
  out[english] = {{
    money: data.amounts.map(v => F.money(v, english)),
    duration: data.durations.map(v => F.duration(v, english)),
  }};
}}
process.stdout.write(JSON.stringify(out));
"""
    done = subprocess.run(
        ["node", "-e", program],
        input=json.dumps({"amounts": amounts, "durations": durations}),
        capture_output=True,
        text=True,
        check=True,
    )
    pages = json.loads(done.stdout)
    for english in (False, True):
        shown = pages[json.dumps(english)]
        assert shown["money"] == [money_text(v, english=english) for v in amounts]
        assert shown["duration"] == [duration_text(v, english=english) for v in durations]
