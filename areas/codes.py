"""How area codes are compared: the one definition every match of a code uses, in Python
(``normalize_code``) and in the database (``code_matches``, the same rule as a lookup)."""

import re

from django.db.models import Q


def normalize_code(code: object) -> str:
    """The code as compared with others: surrounding spaces and leading zeros do not count
    ("01", " 1 " and 1 are all "1"), and a code of zeros alone is "0"."""
    text = str(code).strip()
    return text.lstrip("0") or ("0" if text else "")


def code_matches(code: object) -> Q:
    """A filter for the areas whose code normalizes as ``code`` does."""
    # Any zeros, then the normalized code (which begins with no zero but for "0" itself).
    return Q(code__regex=rf"^\s*0*{re.escape(normalize_code(code))}\s*$")
