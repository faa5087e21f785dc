#!/usr/bin/env python3
"""The reference for the notice benchmark: what clerks do today.

Builds a .docx equivalent to the benchmark's notice (same paragraphs, the
same four photos with captions, GB/T 9704 page, 3号 仿宋 body, 2号 title)
from the files `XUNCHA_BENCH_OUT=DIR cargo bench -p xuncha-print --bench
notice` writes, then times LibreOffice converting it to PDF headless:
one warm-up conversion, then RUNS timed ones (each a fresh `soffice`
process, as a clerk's conversion is).

    python3 crates/xuncha-print/benches/libreoffice.py DIR [RUNS]

Needs `libreoffice-writer-nogui` (Debian) and `pip install python-docx`.
"""
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt


def set_font(run, name, size, bold=False):
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def build(src: Path) -> Path:
    notice = json.loads((src / "notice.json").read_text())
    doc = Document()
    s = doc.sections[0]
    s.page_width, s.page_height = Mm(210), Mm(297)
    s.top_margin, s.bottom_margin, s.left_margin, s.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    for n, text in enumerate(notice["paragraphs"]):
        p = doc.add_paragraph()
        fmt = p.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(28.95)
        fmt.space_after = Pt(0)
        is_title = text in ("生态环境问题整改通知书", "相关法律责任")
        if n <= 1 or is_title:  # the office mark and the number
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        else:
            fmt.first_line_indent = Pt(32)
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if is_title:
            set_font(p.add_run(text), "Noto Serif CJK SC", 22, bold=True)
        else:
            set_font(p.add_run(text), "FandolFang", 16)
    doc.add_page_break()
    for photo in notice["photos"]:
        doc.add_picture(photo["path"], height=Mm(90))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        caption = doc.add_paragraph()
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_font(caption.add_run(photo["caption"]), "Noto Serif CJK SC", 12)
    out = src / "reference.docx"
    doc.save(out)
    return out


def convert(docx: Path, outdir: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        ["soffice", "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(outdir), str(docx)],
        check=True,
        capture_output=True,
    )
    return (time.perf_counter() - start) * 1000


def main():
    src = Path(sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    if not shutil.which("soffice"):
        sys.exit("soffice not found: apt-get install libreoffice-writer-nogui")
    docx = build(src)
    outdir = src / "lo"
    outdir.mkdir(exist_ok=True)
    convert(docx, outdir)
    times = [convert(docx, outdir) for _ in range(runs)]
    pdf = outdir / "reference.pdf"
    print(f"LibreOffice .docx -> PDF, median of {runs}: {statistics.median(times):.0f} ms "
          f"(min {min(times):.0f}, max {max(times):.0f}), {pdf.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
