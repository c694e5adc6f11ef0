"""The fonts of the PDF reports and the charts, all shipped by PyPI packages: no system font.

DejaVu Sans comes with matplotlib; Amiri, a Naskh typeface made for Arabic text (with Latin
letters and digits too), comes with `fontpkg-amiri`. Arabic pages use Amiri. Amiri composes each
letter as one glyph, so the text a PDF reader extracts is the text that was written (Noto Sans
Arabic draws the dots as separate glyphs, and extraction then breaks words apart).
"""

from functools import cache
from importlib.resources import as_file, files
from pathlib import Path

import matplotlib
from matplotlib import font_manager

DEJAVU = "DejaVu Sans"
DEJAVU_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
ARABIC = "Amiri"


def dejavu(bold: bool = False) -> Path:
    return DEJAVU_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")


def amiri(bold: bool = False) -> Path:
    resource = files("fontpkg_amiri") / "files" / ("Amiri-Bold.ttf" if bold else "Amiri-Regular.ttf")
    with as_file(resource) as path:  # an installed wheel: already a file, nothing is extracted
        return Path(path)


@cache
def register_with_matplotlib() -> None:
    """Make Amiri known to matplotlib's font manager (once per process)."""
    for bold in (False, True):
        font_manager.fontManager.addfont(str(amiri(bold)))


def chart_families(rtl: bool) -> list[str]:
    """matplotlib's font list: the first font that has a glyph draws it."""
    register_with_matplotlib()
    return [ARABIC, DEJAVU] if rtl else [DEJAVU, ARABIC]
