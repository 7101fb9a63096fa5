"""Benchmark: geocoding incident addresses against the standard address table, beside a plain
exact-match dictionary lookup of the same texts.

Target: 100,000 incident addresses located against 1,000,000 standard addresses in under a
minute on the development VM (``geocode_s``, the geocoder's index already built, as the
in-process copy of the table is between ingests; ``index_build_s``, its one-off build from the
table's rows, is printed beside it). The baseline is a dictionary from each standard address's
text as written to its point, looked up with each incident text as written: no normalising,
no fuzzy match, so it finds only the texts written exactly as in the table.

Usage, from the project root (no database: the table is generated in memory)::

    .venv/bin/python bench/geocode.py [--addresses 1000000] [--incidents 100000] [--seed 25]

The standard addresses are synthetic Shanghai-like ones: a district, one of a few thousand
roads, a house number (号), some in lanes (弄 … 号) and some with a room (室). The incident
texts are drawn from them and rewritten as people write them: without city and district,
with full-width digits, spaces, 號 for 号, Chinese numerals, "附近"; about a fifth with one
character of the road name mistyped (for the fuzzy match), and a tenth not in the table.

Output is ``name: value`` lines, headline figures last. A miss is printed, never failed.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safecity.settings.test")

import django

django.setup()

from geocoding.choices import GeocodeQuality  # noqa: E402
from geocoding.geocoder import FUZZY_THRESHOLD, AddressIndex  # noqa: E402
from geocoding.normalise import normalise_address, numbers_of  # noqa: E402

TARGET_S = 60.0
DISTRICTS = (
    "黄浦区",
    "徐汇区",
    "长宁区",
    "静安区",
    "普陀区",
    "虹口区",
    "杨浦区",
    "闵行区",
    "宝山区",
    "嘉定区",
    "浦东新区",
    "金山区",
    "松江区",
    "青浦区",
    "奉贤区",
    "崇明区",
)
ROAD_CHARS = (
    "张杨仙霞漕溪宜山锦绣花木世纪东方南京西北中华海淮延安复兴长宁虹桥古美龙华天钥桂林金沙江"
)
ROAD_SUFFIXES = ("路", "路", "路", "街", "大道", "公路")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
CHINESE = "〇一二三四五六七八九"


def roads(rng: random.Random, count: int) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        length = rng.choice((2, 2, 3))
        names.add("".join(rng.choices(ROAD_CHARS, k=length)) + rng.choice(ROAD_SUFFIXES))
    return sorted(names)


def standard_addresses(rng: random.Random, count: int) -> list[tuple[str, float, float]]:
    road_names = roads(rng, max(count // 400, 10))
    district_of = {road: rng.choice(DISTRICTS) for road in road_names}
    seen: set[str] = set()
    table = []
    while len(table) < count:
        road = rng.choice(road_names)
        house = rng.randint(1, 2000)
        kind = rng.random()
        if kind < 0.6:
            tail = f"{house}号"
        elif kind < 0.9:
            tail = f"{house}弄{rng.randint(1, 60)}号"
        else:
            tail = f"{house}弄{rng.randint(1, 60)}号{rng.randint(1, 30)}0{rng.randint(1, 4)}室"
        text = f"上海市{district_of[road]}{road}{tail}"
        if text in seen:
            continue
        seen.add(text)
        table.append((text, 121.0 + rng.random(), 31.0 + rng.random()))
    return table


def chinese_numeral(number: int) -> str:
    return "".join(CHINESE[int(digit)] for digit in str(number))


def as_written(rng: random.Random, text: str) -> str:
    """A standard address as an incident report might write it (still the same place)."""
    if rng.random() < 0.7:
        text = text.removeprefix("上海市")
        text = text[text.index("区") + 1 :] if rng.random() < 0.7 else text
    roll = rng.random()
    if roll < 0.2:
        text = text.translate(FULL_WIDTH)
    elif roll < 0.3:
        text = text.replace("号", " 號")
    elif roll < 0.4:
        head, _, rest = text.partition("弄") if "弄" in text else ("", "", "")
        if head:
            digits = len(head) - len(head.rstrip("0123456789"))
            text = head[:-digits] + chinese_numeral(int(head[-digits:])) + "弄" + rest
    elif roll < 0.5:
        text += "附近"
    return text


def mistyped(rng: random.Random, text: str) -> str:
    """One character of the road name (just before the first number) replaced."""
    first_digit = next(i for i, char in enumerate(text) if char.isdigit())
    at = first_digit - rng.randint(2, 3)
    return text[:at] + rng.choice("大小新老") + text[at + 1 :]


def incident_texts(rng, table, count) -> list[tuple[str, str | None]]:
    """(text as written, the standard address it means, None for one not in the table)."""
    texts = []
    for _ in range(count):
        address = rng.choice(table)[0]
        roll = rng.random()
        if roll < 0.7:
            texts.append((as_written(rng, address), address))
        elif roll < 0.9:
            texts.append((mistyped(rng, address.removeprefix("上海市")), address))
        else:
            made_up = f"{rng.choice('东西南北')}{rng.choice(ROAD_CHARS)}村{rng.randint(1, 99)}号"
            texts.append((made_up, None))
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--addresses", type=int, default=1_000_000)
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=25)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    table = standard_addresses(rng, args.addresses)
    texts_meant = incident_texts(rng, table, args.incidents)
    texts = [text for text, _ in texts_meant]

    started = time.perf_counter()
    plain = {address: (lon, lat) for address, lon, lat in table}
    dict_build_s = time.perf_counter() - started
    started = time.perf_counter()
    dict_found = sum(plain.get(text) is not None for text in texts)
    dict_s = time.perf_counter() - started

    started = time.perf_counter()
    keys = [normalise_address(address) for address, _, _ in table]
    index = AddressIndex(
        (key, numbers_of(key), address, lon, lat)
        for key, (address, lon, lat) in zip(keys, table, strict=True)
    )
    index_build_s = time.perf_counter() - started
    started = time.perf_counter()
    found = index.locate_many(texts)
    geocode_s = time.perf_counter() - started

    def share(quality: str) -> float:
        return sum(result.quality == quality for result in found) / len(found)

    # A located text placed at another address than the one it was made from.
    wrong = sum(
        result.lon is not None and result.matched_address != meant
        for result, (_, meant) in zip(found, texts_meant, strict=True)
    )
    print(f"standard_addresses: {len(table)}")
    print(f"distinct_keys: {len(index)}")
    print(f"incident_addresses: {len(texts)}")
    print(f"fuzzy_threshold: {FUZZY_THRESHOLD:g}")
    print(f"dict_build_s: {dict_build_s:.2f}")
    print(f"index_build_s: {index_build_s:.2f}")
    print(f"dict_lookup_s: {dict_s:.3f}")
    print(f"dict_found_share: {dict_found / len(texts):.3f}")
    print(f"geocode_us_per_address: {geocode_s / len(texts) * 1e6:.1f}")
    print(f"exact_share: {share(GeocodeQuality.EXACT):.3f}")
    print(f"fuzzy_share: {share(GeocodeQuality.FUZZY):.3f}")
    print(f"unlocated_share: {share(GeocodeQuality.UNLOCATED):.3f}")
    print(f"wrong_match_share: {wrong / len(found):.4f}")
    print(f"geocode_vs_dict: {geocode_s / dict_s:.0f}x")
    print(f"geocode_s: {geocode_s:.2f}")
    verdict = "met" if geocode_s < TARGET_S else "MISSED"
    print(f"target_under_{TARGET_S:g}_s: {verdict}")


if __name__ == "__main__":
    main()
