"""Charts drawn on the server with matplotlib, in Noto Sans CJK, as PNG bytes: the same
picture goes into the PDF, the DOCX and the print page."""

import io
from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib import pyplot as plt

# Debian's fonts-noto-cjk; the family is looked up by name after the file is added.
CJK_FONT_FILE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
CJK_FAMILY = "Noto Sans CJK SC"
COLOURS = ["#1f5fa8", "#9aa7b8", "#e08a2e", "#5aa469"]
DPI = 150


@cache
def _font_ready() -> None:
    if CJK_FONT_FILE.exists():
        font_manager.fontManager.addfont(str(CJK_FONT_FILE))
    matplotlib.rcParams["font.family"] = [CJK_FAMILY, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def bars(chart: dict, horizontal: bool) -> bytes:
    labels = chart["labels"]
    series = chart["series"]
    height = max(2.4, 0.32 * len(labels) * len(series) / 1.5) if horizontal else 2.6
    figure, axes = plt.subplots(figsize=(6.4, min(height, 9.0)))
    width = 0.8 / len(series)
    positions = range(len(labels))
    for index, (name, _name_en, values) in enumerate(series):
        offsets = [p + (index - (len(series) - 1) / 2) * width for p in positions]
        values = [v * 100 for v in values] if chart.get("percent") else values
        colour = COLOURS[index % len(COLOURS)]
        if horizontal:
            axes.barh(offsets, values, height=width, label=name, color=colour)
        else:
            axes.bar(offsets, values, width=width, label=name, color=colour)
    if horizontal:
        axes.set_yticks(list(positions), labels)
        axes.invert_yaxis()
        if chart.get("percent"):
            axes.set_xlim(0, 100)
            axes.set_xlabel("%")
    else:
        axes.set_xticks(list(positions), labels)
    axes.legend(fontsize=8, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=8)
    return _png(figure)


def heatmap(chart: dict) -> bytes:
    figure, axes = plt.subplots(figsize=(6.4, 2.4))
    image = axes.imshow(chart["matrix"], aspect="auto", cmap="Reds")
    axes.set_yticks(range(7), chart["rows"])
    axes.set_xticks(range(0, 24, 2), [str(hour) for hour in range(0, 24, 2)])
    axes.set_xlabel("时")
    axes.tick_params(labelsize=8)
    figure.colorbar(image, ax=axes, fraction=0.03)
    return _png(figure)


def chart_png(chart: dict) -> bytes:
    """The picture of a section's chart specification."""
    _font_ready()
    if chart["type"] == "heatmap":
        return heatmap(chart)
    return bars(chart, horizontal=chart["type"] == "hbars")
