"""One address normaliser: the key under which an address text is looked up in the standard
address table, and the parts of a key the geocoder narrows its candidates by.

"上海市浦东新区张杨路500号", "张杨路 ５００ 號" and "张杨路五百号" all come to "张杨路500号"."""

import re
import unicodedata

# Variants of the same unit word, written the way the key spells them.
UNIT_VARIANTS = (
    ("號", "号"),
    ("衖", "弄"),
    ("幢", "栋"),
    ("棟", "栋"),
    ("單元", "单元"),
    ("门牌", ""),
)
# The words a house, lane, building, unit or room number is followed by.
UNIT_WORDS = "号弄栋单元室楼层"
CHINESE_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
                  "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
CHINESE_UNITS = {"十": 10, "百": 100, "千": 1000}
_CHINESE_NUMBER = re.compile(f"([〇零一二两三四五六七八九十百千]+)(?=[{UNIT_WORDS}])")
# Leading province, city, district or county and sub-district (街道) names: an address keeps
# its meaning without them and the standard table may or may not write them.
_PREFIXES = re.compile(
    r"^(?:[^\d]{2,7}?省)?(?:[^\d]{2,7}?市)?(?P<district>[^\d]{1,6}?(?:新区|区|县))?"
    r"(?:[^\d]{1,6}?街道)?"
)
# Words after the place that say where near it, not which place ("附近": nearby).
_TRAILING = re.compile(r"(?:附近|旁边|对面|门口|路口)$")
# "12#" and "12-3" as house numbers: "#" is 号; a hyphen between numbers is kept (dropping it
# would run two numbers into one).
_HASH = re.compile(r"(\d)#")
_NOT_WORD = re.compile(r"[^\w-]+|_+")
_LONE_HYPHEN = re.compile(r"(?<!\d)-+|-+(?!\d)")
_NUMBERS = re.compile(r"\d+")


def _chinese_number(text: str) -> str:
    """A simple Chinese numeral (五百, 三十二, 一〇八, 十五) as digits; the text if not simple."""
    if all(char in CHINESE_DIGITS for char in text):
        return "".join(str(CHINESE_DIGITS[char]) for char in text)
    total, digit = 0, None
    for char in text:
        if char in CHINESE_DIGITS:
            if digit is not None:
                return text
            digit = CHINESE_DIGITS[char]
        else:
            total += (1 if digit is None else digit) * CHINESE_UNITS[char]
            digit = None
    return str(total + (digit or 0))


def normalise_address(text: str) -> str:
    """The lookup key of an address text (empty for a text with nothing to look up)."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    for variant, unified in UNIT_VARIANTS:
        text = text.replace(variant, unified)
    text = _HASH.sub(r"\1号", text)
    text = _LONE_HYPHEN.sub("", _NOT_WORD.sub("", text))
    text = _CHINESE_NUMBER.sub(lambda match: _chinese_number(match.group(1)), text)
    stripped = _PREFIXES.sub("", text, count=1)
    # A text that was only a place name keeps it: "浦东新区" is not the empty address.
    text = stripped or text
    return _TRAILING.sub("", text)


def district_of(text: str) -> str:
    """The district or county an address text starts with (after any province and city), or
    "": what tells apart two equally near fuzzy matches."""
    text = _NOT_WORD.sub("", unicodedata.normalize("NFKC", text or ""))
    match = _PREFIXES.match(text)
    return (match.group("district") or "") if match else ""


def road_of(key: str) -> str:
    """The part of a key before its first number: the road (or estate) it is on."""
    match = _NUMBERS.search(key)
    return key[: match.start()] if match else key


def numbers_of(key: str) -> str:
    """A key's numbers (house, lane, building, room) in order, the fuzzy match's must-agree
    part: "张杨路500弄3号" → "500.3"."""
    return ".".join(_NUMBERS.findall(key))
