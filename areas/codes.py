"""How area codes are compared: the one definition every match of a code uses."""


def normalize_code(code: object) -> str:
    """The code as compared with others: surrounding spaces and leading zeros do not count
    ("01", " 1 " and 1 are all "1"), and a code of zeros alone is "0"."""
    text = str(code).strip()
    return text.lstrip("0") or ("0" if text else "")
