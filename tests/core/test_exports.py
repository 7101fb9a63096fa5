"""The one writer of CSV and XLSX files (safecity/core/exports.py) and the rule that every
export goes through it."""

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

from safecity.core import exports

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


@given(st.text())
def test_neutralised_text_never_starts_a_formula(text):
    out = exports.neutralised(text)
    assert not out.startswith(TRIGGERS) or PLAIN_NUMBER.fullmatch(out)
    # Nothing is lost: the text is the same, at most behind one quote.
    assert out in (text, "'" + text)


@given(st.sampled_from(TRIGGERS), st.text())
def test_text_starting_with_a_trigger_is_quoted(trigger, rest):
    text = trigger + rest
    if not PLAIN_NUMBER.fullmatch(text):
        assert exports.neutralised(text) == "'" + text


@given(st.one_of(st.integers(), st.floats(allow_nan=False), st.decimals(allow_nan=False)))
def test_numbers_stay_numbers(number):
    assert exports.cell(number) == number


def test_negative_number_text_stays_as_it_is():
    assert exports.neutralised("-12.5") == "-12.5"
    assert exports.neutralised("-1+2") == "'-1+2"


def test_csv_cells_are_neutralised():
    data = exports.csv_bytes(["a", "b"], [["=1+2", -12.5], ["@x", None]]).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(data))) == [["a", "b"], ["'=1+2", "-12.5"], ["'@x", ""]]


def test_xlsx_text_is_a_string_and_numbers_numbers():
    data = exports.xlsx_bytes(["text", "number"], [["=1+2", Decimal("-12.5")], ["a\x01b", -3]])
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(min_row=2))
    assert [(c.value, c.data_type) for c in rows[0]] == [("'=1+2", "s"), (-12.5, "n")]
    assert [(c.value, c.data_type) for c in rows[1]] == [("ab", "s"), (-3, "n")]


# Modules that may write with the csv module or openpyxl: the one export writer, and the bulk
# insert (its CSV is PostgreSQL COPY input, whose values must stay exact). Reading files (the
# imports) is not writing; benchmarks write their own input files.
ALLOWED = {"safecity/core/exports.py", "safecity/core/bulk.py"}
WRITERS = re.compile(r"csv\.writer|csv\.DictWriter|\bWorkbook\(|import Workbook|openpyxl\.Workbook")


def test_every_csv_and_xlsx_goes_through_the_export_writer():
    root = Path(settings.BASE_DIR)
    offenders = []
    for path in root.rglob("*.py"):
        relative = path.relative_to(root).as_posix()
        if relative.split("/")[0] in {".venv", "node_modules", "tests", "var", "bench"}:
            continue
        if relative not in ALLOWED and WRITERS.search(path.read_text(encoding="utf-8")):
            offenders.append(relative)
    assert not offenders, f"write CSV/XLSX through safecity.core.exports: {offenders}"
