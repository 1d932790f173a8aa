"""Thai text in matplotlib pictures.

matplotlib's default DejaVu Sans has no Thai glyphs, and its font cache, built once, does not
know fonts installed later (Debian's ``fonts-thai-tlwg``, installed by
``scripts/ensure-browser``). So the TLWG files are registered here directly and a Thai family is
put after DejaVu Sans in the fallback list: Latin text keeps its usual look, Thai finds glyphs.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
from matplotlib import font_manager

THAI_FAMILIES = ("Loma", "Garuda", "Norasi", "Kinnari", "Umpush", "Sawasdee", "Noto Sans Thai")
FONT_FOLDERS = (Path("/usr/share/fonts/truetype/tlwg"), Path("/usr/share/fonts/opentype/tlwg"),
                Path("/usr/share/fonts/truetype/noto"))


def use_thai_fonts(folders: tuple[Path, ...] = FONT_FOLDERS) -> str | None:
    """Register Thai fonts with matplotlib and use them; returns the family used, None if none."""
    known = {entry.name for entry in font_manager.fontManager.ttflist}
    if not known.intersection(THAI_FAMILIES):
        for folder in folders:
            for path in sorted(folder.glob("*.[ot]tf")) if folder.is_dir() else []:
                font_manager.fontManager.addfont(str(path))
        known = {entry.name for entry in font_manager.fontManager.ttflist}
    family = next((name for name in THAI_FAMILIES if name in known), None)
    if family is not None:
        matplotlib.rcParams["font.family"] = ["DejaVu Sans", family]  # a list falls back per glyph
    return family
