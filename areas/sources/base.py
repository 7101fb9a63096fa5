"""What every reader of an area file gives back, and the error that refuses a file."""

import codecs
from collections.abc import Sequence
from dataclasses import dataclass, field

# Tried in this order on text (CSV, GeoJSON) and on a shapefile's attributes: UTF-8 as most
# tools write it, then with Excel's byte-order mark, then GB18030 for Chinese GIS exports.
TEXT_ENCODINGS = ("utf-8", "utf-8-sig", "gb18030")


class AreaImportError(Exception):
    """A file that cannot be imported; nothing of it was saved."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass
class AreaSource:
    """The features of one area file, as GeoJSON features, whatever its format."""

    features: list[dict]
    # The attribute names the file declares (a CSV header, a shapefile's fields), or None when
    # each feature has its own (GeoJSON): a missing code or name column is then named once.
    columns: list[str] | None = None
    # Things worth knowing that do not stop the import (no .prj, the encoding that was used).
    notes: list[str] = field(default_factory=list)


def decode_text(content: bytes, *, encodings: Sequence[str] = TEXT_ENCODINGS) -> tuple[str, str]:
    """The text and the encoding that decoded it; AreaImportError saying what was tried."""
    for encoding in encodings:
        if encoding == "utf-8" and content.startswith(codecs.BOM_UTF8):
            continue  # valid UTF-8, but utf-8-sig drops the mark that would start the first name
        try:
            return content.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise AreaImportError([f"not UTF-8 or GB18030 text (tried {', '.join(encodings)})"])
