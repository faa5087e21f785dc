//! Line breaking and page flow for Chinese documents.
//!
//! printpdf places text where it is told and no more, so this module does
//! the typesetting: characters sit on a grid (GB/T 9704 puts 28 characters
//! of 3号 仿宋 on a 156 mm line), lines break between characters but keep
//! Latin words, e-mail addresses, URLs and codes whole (one longer than a
//! line is cut at its last joint), no line starts with closing punctuation
//! or ends with opening punctuation, and no paragraph ends on a lone
//! character. Lines other than a paragraph's last are justified when they
//! fall short by less than a character; a line that ends short because a
//! whole word moved on keeps its characters on the grid. Blocks then flow onto pages; a keep-together group
//! (a signature and its date, a photo and its caption) moves to the next
//! page whole, taking the last lines of the text before it along, so a
//! page never holds a signature alone.
//!
//! Lengths are points, and `y` runs down from the page's top edge.

use crate::font::{Adjust, FontBook, Role};

pub const MM: f32 = 72.0 / 25.4;

/// Font sizes of Chinese office documents (号).
pub const SIZE_2: f32 = 22.0;
pub const SIZE_3: f32 = 16.0;
pub const SIZE_4: f32 = 14.0;
pub const SIZE_SMALL_4: f32 = 12.0;
pub const SIZE_5: f32 = 10.5;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ink {
    Black,
    Red,
}

/// A stretch of text in one role, size and ink.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub text: String,
    pub role: Role,
    pub size: f32,
    pub ink: Ink,
}

impl Span {
    pub fn new(text: impl Into<String>, role: Role, size: f32) -> Span {
        Span { text: text.into(), role, size, ink: Ink::Black }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Both edges straight but for the paragraph's last line.
    Justify,
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Para {
    pub spans: Vec<Span>,
    pub align: Align,
    /// Indent of the first line, in characters of the first span's size.
    pub first_indent: f32,
    /// Indent of every line from the left and right, in points.
    pub left: f32,
    pub right: f32,
    /// Distance between baselines.
    pub pitch: f32,
    /// Extra space after each character, in points (negative tightens).
    pub tracking: f32,
    pub wrap: Wrap,
}

/// Where a paragraph may break besides its spaces and between CJK characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrap {
    /// Between any two characters, but never inside a code, a date, a
    /// time, an amount with its unit or a short bracketed note.
    Anywhere,
    /// Nowhere unless the text is longer than its box: a short label.
    Whole,
}

impl Para {
    /// A paragraph of one span, not indented, untracked, breaking anywhere.
    pub fn plain(text: impl Into<String>, role: Role, size: f32, pitch: f32, align: Align) -> Para {
        Para {
            spans: vec![Span::new(text, role, size)],
            align,
            first_indent: 0.0,
            left: 0.0,
            right: 0.0,
            pitch,
            tracking: 0.0,
            wrap: Wrap::Anywhere,
        }
    }
}

/// What a picture is made of.
#[derive(Debug, Clone, PartialEq)]
pub enum PictureData {
    /// JPEG bytes, embedded unchanged; `components` is 1 (grey), 3 (RGB) or 4 (CMYK).
    Jpeg { bytes: std::sync::Arc<Vec<u8>>, components: u8 },
    /// 8-bit RGB pixels, row by row (a drawn signature).
    Rgb(std::sync::Arc<Vec<u8>>),
}

/// A picture scaled to fit `max_width` × `max_height`, centred.
#[derive(Debug, Clone, PartialEq)]
pub struct Picture {
    pub data: PictureData,
    pub width_px: u32,
    pub height_px: u32,
    pub max_width: f32,
    pub max_height: f32,
}

impl Picture {
    /// Its size scaled to fit `max_width` × `max_height` and `room` wide.
    fn fit(&self, room: f32) -> (f32, f32) {
        let (w, h) = (self.width_px.max(1) as f32, self.height_px.max(1) as f32);
        let scale = (self.max_width.min(room) / w).min(self.max_height / h).max(0.0);
        (w * scale, h * scale)
    }
}

/// A table of bordered cells; a row never splits across pages.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Column widths as fractions of the table's width.
    pub columns: Vec<f32>,
    pub rows: Vec<Vec<Cell>>,
    /// Rows repeated at the top of each page the table continues on.
    pub header_rows: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub para: Para,
    /// How many columns the cell spans.
    pub span: usize,
    /// How many rows the cell spans (a grouped table head).
    pub rows: usize,
    /// Lowest height of the row, in points (room to sign, say).
    pub min_height: f32,
    /// A picture under the text, scaled to fit inside the cell's rules (a
    /// drawn signature in its signer's cell).
    pub picture: Option<Picture>,
}

impl Cell {
    pub fn new(para: Para, span: usize) -> Cell {
        Cell { para, span, rows: 1, min_height: 0.0, picture: None }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Para(Para),
    /// Vertical space.
    Space(f32),
    /// A horizontal rule across the text block.
    Rule {
        ink: Ink,
        thickness: f32,
    },
    Picture(Picture),
    Table(Table),
    /// Blocks that share a page; `carry` lines of text before them move
    /// with them when they do not fit.
    Keep {
        blocks: Vec<Block>,
        carry: usize,
    },
    /// A block that never ends a page (a heading).
    KeepWithNext(Box<Block>),
    PageBreak,
}

/// The text block on the page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geometry {
    pub page_width: f32,
    pub page_height: f32,
    pub left: f32,
    pub top: f32,
    pub width: f32,
    pub height: f32,
}

impl Geometry {
    /// GB/T 9704-2012: A4, top 37 mm, left 28 mm, block 156 × 225 mm.
    pub fn official() -> Geometry {
        Geometry {
            page_width: 210.0 * MM,
            page_height: 297.0 * MM,
            left: 28.0 * MM,
            top: 37.0 * MM,
            width: 156.0 * MM,
            height: 225.0 * MM,
        }
    }

    /// A4 with 20 mm margins: facility cards, which hang on a wall and
    /// must fit one sheet.
    pub fn card() -> Geometry {
        Geometry {
            page_width: 210.0 * MM,
            page_height: 297.0 * MM,
            left: 20.0 * MM,
            top: 20.0 * MM,
            width: 170.0 * MM,
            height: 257.0 * MM,
        }
    }

    /// A4 landscape with 15 mm margins: ledgers, whose tables are wide.
    pub fn landscape() -> Geometry {
        Geometry {
            page_width: 297.0 * MM,
            page_height: 210.0 * MM,
            left: 15.0 * MM,
            top: 15.0 * MM,
            width: 267.0 * MM,
            height: 175.0 * MM,
        }
    }

    /// Character pitch and line pitch of the official body grid (28 × 22).
    pub fn official_grid() -> (f32, f32) {
        (156.0 * MM / 28.0, 225.0 * MM / 22.0)
    }
}

/// One run of glyphs from one face, placed on a line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Run {
    pub face: usize,
    pub size: f32,
    pub ink: Ink,
    /// How a fallback face's glyphs are fitted to their neighbours.
    pub adjust: Option<Adjust>,
    pub text: String,
}

/// Something placed on a page at `y` (its top), `height` tall.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Mark {
    Text { x: f32, baseline: f32, tracking: f32, runs: Vec<Run> },
    Line { x1: f32, y1: f32, x2: f32, y2: f32, ink: Ink, thickness: f32 },
    Picture { x: f32, y: f32, width: f32, height: f32, picture: Picture },
}

/// A laid-out piece of the flow: marks relative to its own top.
#[derive(Debug, Clone)]
struct Item {
    height: f32,
    marks: Vec<Mark>,
    /// A line of running text, which a keep group may carry along.
    text_line: bool,
    /// Index of the keep group this item belongs to.
    group: Option<usize>,
    /// Items repeated at the top of a continued table.
    repeat: Vec<Item>,
    page_break: bool,
}

impl Item {
    fn new(height: f32, marks: Vec<Mark>) -> Item {
        Item { height, marks, text_line: false, group: None, repeat: Vec::new(), page_break: false }
    }
}

pub(crate) struct Page {
    pub marks: Vec<Mark>,
}

const NO_LINE_START: &str = "，。、；：！？）》」』〕】〉”’…—·%,.;:!?)]}〗％";
const NO_LINE_END: &str = "（《「『〔【〈“‘([{〖";

/// One glyph as the line breaker sees it.
#[derive(Debug, Clone, Copy)]
struct Glyph {
    c: char,
    face: usize,
    size: f32,
    ink: Ink,
    adjust: Option<Adjust>,
    width: f32,
}

/// A unit the line breaker never splits: one CJK character, or a Latin
/// word, code, date, time or amount (see [`keep_ranges`]).
struct Atom {
    glyphs: Vec<Glyph>,
    width: f32,
    space: bool,
}

impl Atom {
    fn first(&self) -> char {
        self.glyphs[0].c
    }
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_./@:%+#&".contains(c)
}

/// Units that stay with the number before them (`30日`, `1.5万元`, `50吨/日`).
const UNITS: &[&str] = &[
    "万元",
    "元",
    "万吨",
    "吨",
    "千克",
    "公斤",
    "克",
    "立方米",
    "平方米",
    "平方公里",
    "公里",
    "千米",
    "毫米",
    "厘米",
    "米",
    "小时",
    "分钟",
    "个月",
    "个",
    "台",
    "套",
    "家",
    "件",
    "张",
    "份",
    "人",
    "项",
    "次",
    "座",
    "处",
    "条",
    "天",
    "倍",
    "亩",
    "％",
    "℃",
];

/// Date and time parts: a number and one of these form a chain (`2026年12月2日`, `10时00分`).
const DATE_PARTS: &str = "年月日时分秒";

/// The longest bracketed note kept on one line (`（××吨/日）`, `（自定义）`).
const SHORT_NOTE: usize = 6;

/// Ranges of `text` (character indices, end exclusive) that never break:
/// dates, times, amounts with their units and short bracketed notes.
fn keep_ranges(text: &[char]) -> Vec<(usize, usize)> {
    let digit = |c: char| c.is_ascii_digit();
    let number_end = |mut i: usize| {
        while i < text.len() && (digit(text[i]) || (".,".contains(text[i]) && i + 1 < text.len() && digit(text[i + 1])))
        {
            i += 1;
        }
        i
    };
    let unit_at = |i: usize| UNITS.iter().find(|u| text[i..].starts_with(&u.chars().collect::<Vec<_>>()[..]));
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let c = text[i];
        if digit(c) && (i == 0 || !digit(text[i - 1])) {
            let start = i;
            let mut end = number_end(i);
            if let Some(unit) = unit_at(end) {
                end += unit.chars().count();
                // A rate: `吨/日`, `万元/年`.
                if text.get(end) == Some(&'/') && text.get(end + 1).is_some_and(|c| "日天年月时h".contains(*c)) {
                    end += 2;
                }
            } else if end < text.len() && DATE_PARTS.contains(text[end]) {
                // A date or a time, part by part; a date ends at its 日.
                while end < text.len() && DATE_PARTS.contains(text[end]) {
                    let part = text[end];
                    end += 1;
                    if part == '日' || end >= text.len() || !digit(text[end]) {
                        break;
                    }
                    let next = number_end(end);
                    if next >= text.len() || !DATE_PARTS.contains(text[next]) {
                        break;
                    }
                    end = next;
                }
            }
            if end > number_end(start) {
                out.push((start, end));
            }
            i = end.max(i + 1);
            continue;
        }
        if c == '（' || c == '(' {
            let close = if c == '（' { '）' } else { ')' };
            let inner = text[i + 1..].iter().take(SHORT_NOTE + 1).position(|&d| d == close || d == c);
            if let Some(n) = inner.filter(|&n| text[i + 1 + n] == close) {
                out.push((i, i + n + 2));
                i += n + 2;
                continue;
            }
        }
        i += 1;
    }
    out
}

fn atoms(book: &FontBook, para: &Para) -> Vec<Atom> {
    let mut glyphs = Vec::new();
    for span in &para.spans {
        for c in span.text.chars().filter(|&c| c != '\n') {
            let (face, adjust) = book.glyph_face(span.role, c);
            let width = book.advance(face, c) * span.size + para.tracking;
            glyphs.push(Glyph { c, face, size: span.size, ink: span.ink, adjust, width });
        }
    }
    if para.wrap == Wrap::Whole && !glyphs.is_empty() {
        let width = glyphs.iter().map(|g| g.width).sum();
        return vec![Atom { glyphs, width, space: false }];
    }
    let text: Vec<char> = glyphs.iter().map(|g| g.c).collect();
    // `joined[i]`: glyph i belongs to the atom of glyph i − 1.
    let mut joined = vec![false; text.len()];
    for i in 1..text.len() {
        // An e-mail address, a URL, a code or a number is one atom: it
        // moves to the next line whole, and is cut only when longer than a
        // line (see `split_word`).
        joined[i] = is_word_char(text[i]) && is_word_char(text[i - 1]);
    }
    for (start, end) in keep_ranges(&text) {
        joined[start + 1..end].iter_mut().for_each(|j| *j = true);
    }
    let mut out: Vec<Atom> = Vec::new();
    for (g, join) in glyphs.into_iter().zip(joined) {
        match out.last_mut() {
            Some(last) if join => {
                last.width += g.width;
                last.glyphs.push(g);
            }
            _ => out.push(Atom { width: g.width, space: g.c == ' ', glyphs: vec![g] }),
        }
    }
    out
}

/// Breaks a paragraph into lines of atoms that fit `width` (the first line
/// `first` narrower), applying the punctuation rules.
fn break_lines(atoms: Vec<Atom>, width: f32, first: f32) -> Vec<Vec<Atom>> {
    let mut lines: Vec<Vec<Atom>> = Vec::new();
    let mut line: Vec<Atom> = Vec::new();
    let avail = |n: usize| if n == 0 { width - first } else { width };
    for atom in atoms {
        if line.is_empty() && atom.space && !lines.is_empty() {
            continue;
        }
        let used: f32 = line.iter().map(|a| a.width).sum();
        if line.is_empty() || used + atom.width <= avail(lines.len()) + 0.01 {
            line.push(atom);
            cut_overlong(&mut lines, &mut line, avail);
            continue;
        }
        let mut next: Vec<Atom> = Vec::new();
        let starts_badly = |a: &Atom| NO_LINE_START.contains(a.first());
        if starts_badly(&atom) {
            // Take the character before along, so punctuation is never alone.
            while line.len() > 1 {
                let moved = line.pop().expect("line has atoms");
                let again = starts_badly(&moved);
                next.insert(0, moved);
                if !again {
                    break;
                }
            }
        }
        while line.len() > 1 && NO_LINE_END.contains(line.last().expect("line has atoms").first()) {
            next.insert(0, line.pop().expect("line has atoms"));
        }
        while line.last().is_some_and(|a| a.space) {
            line.pop();
        }
        lines.push(std::mem::take(&mut line));
        next.push(atom);
        line = next;
        cut_overlong(&mut lines, &mut line, avail);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    avoid_orphan(&mut lines);
    lines
}

/// A word that ends a line and runs past its end is cut (see
/// [`split_word`]) until what is left fits.
fn cut_overlong(lines: &mut Vec<Vec<Atom>>, line: &mut Vec<Atom>, avail: impl Fn(usize) -> f32) {
    loop {
        let used: f32 = line.iter().map(|a| a.width).sum();
        let room = avail(lines.len());
        match line.last() {
            Some(last) if used > room + 0.01 && last.glyphs.len() > 1 => {
                let before = used - last.width;
                let (head, tail) = split_word(line.pop().expect("a last atom"), room - before);
                line.push(head);
                lines.push(std::mem::take(line));
                line.push(tail);
            }
            _ => return,
        }
    }
}

/// A paragraph does not end on a line of one character and its
/// punctuation (`整；`): the line above gives up its last character.
fn avoid_orphan(lines: &mut [Vec<Atom>]) {
    let [.., above, last] = lines else { return };
    let glyphs = |line: &[Atom]| line.iter().map(|a| a.glyphs.len()).sum::<usize>();
    let punctuation = |a: &Atom| NO_LINE_START.contains(a.first());
    let lone = last.iter().filter(|a| !punctuation(a)).count() == 1 && glyphs(last) <= 2 && last[0].glyphs.len() == 1;
    if !lone || above.len() < 4 {
        return;
    }
    // Move the last atom, with any punctuation that would then start the line.
    let mut moved = vec![above.pop().expect("four atoms")];
    while above.len() > 2 && punctuation(&moved[0]) {
        moved.insert(0, above.pop().expect("atoms left"));
    }
    if above.last().is_some_and(|a| NO_LINE_END.contains(a.first())) {
        moved.insert(0, above.pop().expect("atoms left"));
    }
    moved.append(last);
    *last = moved;
}

/// Cuts a word longer than a line at its last natural joint that fits:
/// after the credit code that opens a permit number, else after an `@`,
/// `.`, `/`, `-`, 年 or 月 in its second half, else where it overflows.
fn split_word(atom: Atom, width: f32) -> (Atom, Atom) {
    let mut fits = 0;
    let mut used = 0.0;
    for g in &atom.glyphs {
        if used + g.width > width + 0.01 {
            break;
        }
        used += g.width;
        fits += 1;
    }
    let fits = fits.clamp(1, atom.glyphs.len() - 1);
    let text: String = atom.glyphs.iter().map(|g| g.c).collect();
    let permit = atom.glyphs.len() == 22 && !xuncha_core::ident::check_permit_number(&text).has_error();
    let joint = if permit && fits >= 18 {
        Some(18)
    } else {
        ((fits / 2).max(1)..=fits).rev().find(|&i| "@./-年月".contains(atom.glyphs[i - 1].c))
    };
    let mut head = atom.glyphs;
    let tail = head.split_off(joint.unwrap_or(fits));
    let width = |g: &[Glyph]| g.iter().map(|g| g.width).sum();
    (Atom { width: width(&head), glyphs: head, space: false }, Atom { width: width(&tail), glyphs: tail, space: false })
}

/// Splits `text` into runs by the face that draws each character.
pub(crate) fn runs(book: &FontBook, role: Role, size: f32, text: &str) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    for c in text.chars() {
        let (face, adjust) = book.glyph_face(role, c);
        match runs.last_mut() {
            Some(run) if run.face == face && run.adjust == adjust => run.text.push(c),
            _ => runs.push(Run { face, size, ink: Ink::Black, adjust, text: c.to_string() }),
        }
    }
    runs
}

/// Lays out a paragraph into one item per line, `x` being the left edge
/// of the box it is set in and `width` that box's width.
fn para_items(book: &FontBook, para: &Para, x: f32, width: f32) -> Vec<Item> {
    let first_size = para.spans.first().map_or(SIZE_3, |s| s.size);
    let first = para.first_indent * (first_size + para.tracking);
    let inner = width - para.left - para.right;
    let lines = break_lines(atoms(book, para), inner, first);
    let count = lines.len();
    let mut items = Vec::with_capacity(count.max(1));
    for (n, line) in lines.into_iter().enumerate() {
        let indent = if n == 0 { first } else { 0.0 };
        let avail = inner - indent;
        let natural: f32 = line.iter().map(|a| a.width).sum();
        let glyphs: usize = line.iter().map(|a| a.glyphs.len()).sum();
        let size = line.iter().flat_map(|a| a.glyphs.iter().map(|g| g.size)).fold(0.0, f32::max);
        let mut tracking = para.tracking;
        // A line that ends short because a whole word or code moved on
        // stays short: characters keep their grid rather than spread.
        let em = size + para.tracking;
        let offset = match para.align {
            Align::Justify if n + 1 < count && glyphs > 1 && avail - natural < em => {
                tracking += (avail - natural) / (glyphs - 1) as f32;
                0.0
            }
            Align::Justify | Align::Left => 0.0,
            // Centred and right-aligned text ignores the trailing tracking.
            Align::Center => (avail - natural + para.tracking) / 2.0,
            Align::Right => avail - natural + para.tracking,
        };
        let mut runs: Vec<Run> = Vec::new();
        for Glyph { c, face, size, ink, adjust, .. } in line.iter().flat_map(|a| a.glyphs.iter().copied()) {
            match runs.last_mut() {
                Some(run) if run.face == face && run.size == size && run.ink == ink && run.adjust == adjust => {
                    run.text.push(c)
                }
                _ => runs.push(Run { face, size, ink, adjust, text: c.to_string() }),
            }
        }
        // The baseline sits so that a CJK em box is centred on the line.
        let baseline = para.pitch / 2.0 + size * 0.38;
        let mut item =
            Item::new(para.pitch, vec![Mark::Text { x: x + para.left + indent + offset, baseline, tracking, runs }]);
        item.text_line = true;
        items.push(item);
    }
    if items.is_empty() {
        items.push(Item::new(para.pitch, Vec::new()));
    }
    items
}

/// Inner padding of a table cell.
const PAD: f32 = 2.0 * MM;
const RULE: f32 = 0.6;

/// Where each cell of `table` sits: `(row, first column, end column, cell)`,
/// skipping columns a cell from a row above still holds.
fn grid(table: &Table) -> Vec<(usize, usize, usize, &Cell)> {
    let ncols = table.columns.len();
    let mut busy_until = vec![0usize; ncols];
    let mut out = Vec::new();
    for (r, row) in table.rows.iter().enumerate() {
        let mut col = 0;
        for cell in row {
            while col < ncols && busy_until[col] > r {
                col += 1;
            }
            debug_assert!(col < ncols, "row {r} has more cells than the table has columns");
            if col >= ncols {
                break;
            }
            let end = (col + cell.span.max(1)).min(ncols);
            busy_until[col..end].iter_mut().for_each(|b| *b = r + cell.rows.max(1));
            out.push((r, col, end, cell));
            col = end;
        }
    }
    out
}

/// Column widths in points: the table's fractions of `width`, widened
/// where a column's widest unbreakable text (a permit number, a label)
/// would not fit, at the expense of columns with room to spare, as far as
/// that room goes; what still does not fit is cut at its joints.
fn column_widths(book: &FontBook, table: &Table, width: f32) -> Vec<f32> {
    let total: f32 = table.columns.iter().sum();
    let mut widths: Vec<f32> = table.columns.iter().map(|f| f / total * width).collect();
    let mut least = vec![0.0f32; widths.len()];
    for (_, col, end, cell) in grid(table) {
        if end == col + 1 {
            let widest = atoms(book, &cell.para).iter().map(|a| a.width).fold(0.0, f32::max);
            least[col] = least[col].max(widest + 2.0 * PAD + cell.para.left + cell.para.right + 0.5);
        }
    }
    let deficit: f32 = widths.iter().zip(&least).map(|(w, l)| (l - w).max(0.0)).sum();
    let slack: f32 = widths.iter().zip(&least).map(|(w, l)| (w - l).max(0.0)).sum();
    if deficit <= 0.0 || slack <= 0.0 {
        return widths;
    }
    // Each short column gets the same share of what it lacks.
    let share = (slack / deficit).min(1.0);
    for (w, l) in widths.iter_mut().zip(&least) {
        *w = if *w < *l { *w + (*l - *w) * share } else { *w - (*w - *l) * (deficit * share / slack) };
    }
    widths
}

/// A cell placed in the grid.
struct Placed<'a> {
    cell: &'a Cell,
    row: usize,
    /// The row after the last it spans.
    end: usize,
    x0: f32,
    x1: f32,
    lines: Vec<Item>,
    picture: Option<(f32, f32)>,
}

impl Placed<'_> {
    fn need(&self) -> f32 {
        let text: f32 = self.lines.iter().map(|l| l.height).sum();
        let picture = self.picture.map_or(0.0, |(_, h)| h);
        (text + picture + 2.0 * PAD).max(self.cell.min_height)
    }
}

/// Lays a table out as items of whole rows, rows joined by a cell that
/// spans them (a grouped head) forming one item; returns the items and
/// how many of them are the table's head.
fn table_items(book: &FontBook, table: &Table, x: f32, width: f32) -> (Vec<Item>, usize) {
    let edges: Vec<f32> = std::iter::once(0.0)
        .chain(column_widths(book, table, width).into_iter().scan(0.0, |acc, w| {
            *acc += w;
            Some(*acc)
        }))
        .collect();
    let placed: Vec<Placed> = grid(table)
        .into_iter()
        .map(|(row, col, end, cell)| {
            let (x0, x1) = (edges[col], edges[end]);
            let inner = (x1 - x0 - 2.0 * PAD).max(1.0);
            let lines = para_items(book, &cell.para, x + x0 + PAD, inner);
            let picture = cell.picture.as_ref().map(|p| p.fit(inner));
            let end = (row + cell.rows.max(1)).min(table.rows.len());
            Placed { cell, row, end, x0, x1, lines, picture }
        })
        .collect();
    // Row heights: single-row cells first, then spanning cells grow their last row.
    let mut heights = vec![0.0f32; table.rows.len()];
    for p in placed.iter().filter(|p| p.end == p.row + 1) {
        heights[p.row] = heights[p.row].max(p.need());
    }
    for p in placed.iter().filter(|p| p.end > p.row + 1) {
        let have: f32 = heights[p.row..p.end].iter().sum();
        heights[p.end - 1] += (p.need() - have).max(0.0);
    }
    // Rows joined by a spanning cell form one item.
    let mut group_end: Vec<usize> = (0..table.rows.len()).map(|r| r + 1).collect();
    for p in &placed {
        group_end[p.row] = group_end[p.row].max(p.end);
    }
    let mut items = Vec::new();
    let mut head_items = 0;
    let mut r = 0;
    while r < table.rows.len() {
        let mut end = group_end[r];
        let mut k = r;
        while k < end {
            end = end.max(group_end[k]);
            k += 1;
        }
        let top = |row: usize| heights[r..row].iter().sum::<f32>();
        let mut marks = Vec::new();
        for p in placed.iter().filter(|p| p.row >= r && p.row < end) {
            let (y0, y1) = (top(p.row), top(p.end.min(end)));
            let text_height: f32 = p.lines.iter().map(|l| l.height).sum();
            let content = text_height + p.picture.map_or(0.0, |(_, h)| h);
            // Text sits in the middle of a tall cell, its picture under it.
            let mut y = y0 + ((y1 - y0 - content) / 2.0).max(PAD);
            for line in &p.lines {
                marks.extend(line.marks.iter().cloned().map(|m| shift(m, y)));
                y += line.height;
            }
            if let (Some((w, h)), Some(picture)) = (p.picture, &p.cell.picture) {
                let px = x + p.x0 + (p.x1 - p.x0 - w) / 2.0;
                marks.push(Mark::Picture { x: px, y, width: w, height: h, picture: picture.clone() });
            }
            let (left, right) = (x + p.x0, x + p.x1);
            let rule =
                |x1: f32, y1: f32, x2: f32, y2: f32| Mark::Line { x1, y1, x2, y2, ink: Ink::Black, thickness: RULE };
            marks.push(rule(left, y0, right, y0));
            marks.push(rule(left, y1, right, y1));
            marks.push(rule(left, y0, left, y1));
            marks.push(rule(right, y0, right, y1));
        }
        let item = Item::new(top(end), marks);
        if r < table.header_rows {
            head_items += 1;
        }
        items.push(item);
        r = end;
    }
    let head: Vec<Item> = items[..head_items].to_vec();
    for item in &mut items[head_items..] {
        item.repeat = head.clone();
    }
    (items, head_items)
}

fn picture_item(picture: &Picture, x: f32, width: f32) -> Item {
    let (w, h) = picture.fit(width);
    Item::new(
        h,
        vec![Mark::Picture { x: x + (width - w) / 2.0, y: 0.0, width: w, height: h, picture: picture.clone() }],
    )
}

fn shift(mark: Mark, dy: f32) -> Mark {
    match mark {
        Mark::Text { x, baseline, tracking, runs } => Mark::Text { x, baseline: baseline + dy, tracking, runs },
        Mark::Line { x1, y1, x2, y2, ink, thickness } => {
            Mark::Line { x1, y1: y1 + dy, x2, y2: y2 + dy, ink, thickness }
        }
        Mark::Picture { x, y, width, height, picture } => Mark::Picture { x, y: y + dy, width, height, picture },
    }
}

/// Turns blocks into items; `pending` is a keep-with-next group waiting
/// for the first item after it.
fn flatten(
    book: &FontBook,
    blocks: &[Block],
    g: &Geometry,
    groups: &mut Vec<usize>,
    pending: &mut Option<usize>,
    out: &mut Vec<Item>,
) {
    for block in blocks {
        let start = out.len();
        match block {
            Block::Para(p) => out.extend(para_items(book, p, g.left, g.width)),
            Block::Space(h) => out.push(Item::new(*h, Vec::new())),
            Block::Rule { ink, thickness } => out.push(Item::new(
                *thickness,
                vec![Mark::Line {
                    x1: g.left,
                    y1: thickness / 2.0,
                    x2: g.left + g.width,
                    y2: thickness / 2.0,
                    ink: *ink,
                    thickness: *thickness,
                }],
            )),
            Block::Picture(p) => out.push(picture_item(p, g.left, g.width)),
            Block::Table(t) => {
                let (items, head) = table_items(book, t, g.left, g.width);
                out.extend(items);
                // A table's head stays with its first row.
                if head > 0 && out.len() > start + head {
                    let id = pending.take().unwrap_or_else(|| {
                        groups.push(0);
                        groups.len() - 1
                    });
                    for item in &mut out[start..=start + head] {
                        item.group = Some(id);
                    }
                }
            }
            Block::PageBreak => {
                let mut item = Item::new(0.0, Vec::new());
                item.page_break = true;
                out.push(item);
            }
            Block::Keep { blocks, carry } => {
                groups.push(*carry);
                let id = groups.len() - 1;
                flatten(book, blocks, g, groups, &mut None, out);
                for item in &mut out[start..] {
                    item.group = Some(id);
                }
            }
            Block::KeepWithNext(block) => {
                let id = pending.take().unwrap_or_else(|| {
                    groups.push(0);
                    groups.len() - 1
                });
                flatten(book, std::slice::from_ref(block), g, groups, &mut None, out);
                for item in &mut out[start..] {
                    item.group = Some(id);
                }
                *pending = Some(id);
                continue;
            }
        }
        if let Some(id) = pending.take() {
            if let Some(first) = out.get_mut(start) {
                first.group.get_or_insert(id);
            }
        }
    }
}

/// Flows `blocks` onto pages of geometry `g`.
pub(crate) fn paginate(book: &FontBook, blocks: &[Block], g: &Geometry) -> Vec<Page> {
    let mut groups = Vec::new();
    let mut items = Vec::new();
    flatten(book, blocks, g, &mut groups, &mut None, &mut items);

    // Decide where each page starts: indices into `items`.
    let mut starts = vec![0usize];
    let mut used = 0.0;
    let mut i = 0;
    while i < items.len() {
        let item = &items[i];
        if item.page_break {
            starts.push(i + 1);
            used = 0.0;
            i += 1;
            continue;
        }
        let page_start = *starts.last().expect("a page");
        // A keep group starting here must fit whole, or it begins a page.
        let group_start = item.group.is_some() && (i == 0 || items[i - 1].group != item.group);
        let need = if group_start {
            items[i..].iter().take_while(|x| x.group == item.group).map(|x| x.height).sum()
        } else {
            item.height
        };
        let repeat: f32 = if i > page_start { 0.0 } else { item.repeat.iter().map(|r| r.height).sum() };
        if used + need + repeat > g.height + 0.01 && i > page_start {
            let mut brk = i;
            if group_start {
                let carry = groups[item.group.expect("group")];
                let mut moved = 0;
                while moved < carry && brk > page_start + 1 && items[brk - 1].text_line {
                    brk -= 1;
                    moved += 1;
                }
            }
            starts.push(brk);
            used = 0.0;
            i = brk;
            continue;
        }
        used += item.height + repeat;
        i += 1;
    }

    let mut pages = Vec::new();
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(items.len());
        let mut y = g.top;
        let mut marks = Vec::new();
        if let Some(first) = items.get(start).filter(|_| start < end) {
            for r in &first.repeat {
                marks.extend(r.marks.iter().cloned().map(|m| shift(m, y)));
                y += r.height;
            }
        }
        for item in &items[start..end] {
            marks.extend(item.marks.iter().cloned().map(|m| shift(m, y)));
            y += item.height;
        }
        if !marks.is_empty() || pages.is_empty() {
            pages.push(Page { marks });
        }
    }
    pages
}

/// The natural width of `text` set in `role` at `size` with `tracking`.
pub fn text_width(book: &FontBook, role: Role, size: f32, tracking: f32, text: &str) -> f32 {
    text.chars().map(|c| book.advance(book.face_for(role, c), c) * size + tracking).sum()
}
