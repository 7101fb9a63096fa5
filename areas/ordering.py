"""The official order of areas: each area's ``sort_order`` comes from its code (a district's
administrative code, 310101 before 310104; station S02 before S10). A list of areas of several
parents is read in tree order (``areas.selectors.in_official_order``)."""

import re

# Codes longer than this many digits are cut (a big integer column holds 18 digits).
MAX_DIGITS = 18


def code_sort_order(code: object) -> int | None:
    """The digits of ``code`` read as one number ("310101" → 310101, "S02" → 2, "Z-1-3" → 13);
    None when the code has no digit (such areas follow the numbered ones, by code)."""
    digits = "".join(re.findall(r"\d", str(code)))[:MAX_DIGITS]
    return int(digits) if digits else None
