#!/usr/bin/env python3
"""Trims Debian's Noto CJK SC faces to the characters Xuncha prints.

Run by hand when the shipped fonts in assets/fonts/ must be remade
(needs `fonts-noto-cjk`, `fonts-noto-cjk-extra` and `pip install fonttools`). Keeps layout
features and names, and puts a format-12 character map in front of the
format-4 ones, which some font parsers read more reliably.
"""
import sys
from fontTools import subset
from fontTools.ttLib import TTCollection
from fontTools.ttLib.tables._c_m_a_p import cmap_format_12

NOTO = "/usr/share/fonts/opentype/noto/"
# Output name: (collection, face index, Han characters kept). Titles use
# only the bold face and fall back to the regular one, so the bold face
# keeps GB2312's Han characters and the others keep the whole block. The
# extra-light face is body text's fallback, light enough to sit among
# FandolFang's strokes, and keeps only the Han characters FandolFang lacks.
FACES = {
    "NotoSerifCJKsc-ExtraLight-rare.otf": ("NotoSerifCJK-ExtraLight.ttc", 2, "not-in-fandol"),
    "NotoSansCJKsc-Regular-subset.otf": ("NotoSansCJK-Regular.ttc", 2, "all"),
    "NotoSerifCJKsc-Regular-subset.otf": ("NotoSerifCJK-Regular.ttc", 2, "all"),
    "NotoSerifCJKsc-Bold-subset.otf": ("NotoSerifCJK-Bold.ttc", 2, "gb2312"),
}
SYMBOLS = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1
    (0x2000, 0x206F),  # general punctuation (— … ‘’ “”)
    (0x2100, 0x214F),  # letterlike symbols (℃ №)
    (0x2160, 0x217F),  # Roman numerals
    (0x2190, 0x21FF),  # arrows
    (0x2460, 0x24FF),  # enclosed numbers (①)
    (0x2500, 0x25FF),  # box drawing and shapes (□ ■ ○ ●)
    (0x2610, 0x2612),  # ballot boxes (☐ ☑ ☒)
    (0x2713, 0x2714),  # check marks (✓)
    (0x3000, 0x303F),  # CJK symbols and punctuation (、。〔〕《》)
    (0x3200, 0x32FF),  # enclosed CJK (㈠)
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # full-width forms (：，（）)
]


ALL_HAN = range(0x4E00, 0xA000)  # CJK Unified Ideographs: GBK's Han, 褀 among them


def gb2312_han():
    """The 6,763 Han characters of GB2312 (rows 16 to 87)."""
    return [ord(bytes([hi, lo]).decode("gb2312")) for hi in range(0xB0, 0xF8) for lo in range(0xA1, 0xFF)
            if not (hi == 0xD7 and lo > 0xF9)]


# The characters the print code measures to fit a fallback face to its
# role's first (REFERENCE in crates/xuncha-print/src/font.rs): the
# fallback keeps them although FandolFang has them.
REFERENCE = "永国东中机械有限公司环境保护检查通知书"


def not_in_fandol(out_dir):
    """The block's Han characters that FandolFang does not draw, and the reference ones."""
    from fontTools.ttLib import TTFont
    fandol = TTFont(f"{out_dir}/FandolFang-Regular.otf").getBestCmap()
    return [u for u in ALL_HAN if u not in fandol] + [ord(c) for c in REFERENCE]


def trim(out_dir, name, source, index, han):
    font = TTCollection(NOTO + source).fonts[index]
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recalc_bounds = True
    subsetter = subset.Subsetter(options)
    if han == "not-in-fandol":
        subsetter.populate(unicodes=not_in_fandol(out_dir))
    else:
        han = ALL_HAN if han == "all" else gb2312_han()
        subsetter.populate(unicodes=[u for lo, hi in SYMBOLS for u in range(lo, hi + 1)] + list(han))
    subsetter.subset(font)
    cmap = font["cmap"]
    if not any(t.format == 12 for t in cmap.tables):
        table = cmap_format_12(12)
        table.platformID, table.platEncID, table.language = 3, 10, 0
        table.cmap = dict(font.getBestCmap())
        cmap.tables.insert(0, table)
    font.save(f"{out_dir}/{name}")


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "assets/fonts"
    for name, (source, index, han) in FACES.items():
        if len(sys.argv) > 2 and name not in sys.argv[2:]:
            continue
        trim(out, name, source, index, han)
        print("wrote", name)
