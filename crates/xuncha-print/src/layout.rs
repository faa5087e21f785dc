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

use crate::font::{FontBook, Role};

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
    /// Lowest height of the row, in points (room to sign, say).
    pub min_height: f32,
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

/// A unit the line breaker never splits: one CJK character, or a Latin
/// word or code with its trailing punctuation.
struct Atom {
    chars: Vec<(char, usize, f32, Ink)>,
    width: f32,
    space: bool,
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_./@:%+#&".contains(c)
}

fn atoms(book: &FontBook, para: &Para) -> Vec<Atom> {
    let mut out: Vec<Atom> = Vec::new();
    let mut word = false;
    for span in &para.spans {
        for c in span.text.chars() {
            if c == '\n' {
                continue;
            }
            let face = book.face_for(span.role, c);
            let width = book.advance(face, c) * span.size + para.tracking;
            let glyph = (c, face, span.size, span.ink);
            // An e-mail address, a URL, a code or a number is one atom: it
            // moves to the next line whole, and is cut only when longer
            // than a line (see `split_word`).
            if is_word_char(c) && word {
                let last = out.last_mut().expect("a word has begun");
                last.chars.push(glyph);
                last.width += width;
            } else {
                out.push(Atom { chars: vec![glyph], width, space: c == ' ' });
            }
            word = is_word_char(c);
        }
    }
    out
}

/// Breaks a paragraph into lines of atoms that fit `width` (the first line
/// `first` narrower), applying the punctuation rules.
fn break_lines(atoms: Vec<Atom>, width: f32, first: f32) -> Vec<Vec<Atom>> {
    let mut lines: Vec<Vec<Atom>> = Vec::new();
    let mut line: Vec<Atom> = Vec::new();
    let mut used = 0.0;
    let avail = |n: usize| if n == 0 { width - first } else { width };
    for atom in atoms {
        if line.is_empty() && atom.space && !lines.is_empty() {
            continue;
        }
        if used + atom.width <= avail(lines.len()) + 0.01 || line.is_empty() {
            used += atom.width;
            line.push(atom);
            continue;
        }
        let mut next: Vec<Atom> = Vec::new();
        let starts_badly = |a: &Atom| NO_LINE_START.contains(a.chars[0].0);
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
        while line.len() > 1 && NO_LINE_END.contains(line.last().expect("line has atoms").chars[0].0) {
            next.insert(0, line.pop().expect("line has atoms"));
        }
        while line.last().is_some_and(|a| a.space) {
            line.pop();
        }
        lines.push(std::mem::take(&mut line));
        next.push(atom);
        used = next.iter().map(|a| a.width).sum();
        line = next;
        // A word wider than a whole line is cut where it overflows.
        while used > avail(lines.len()) + 0.01 && line.len() == 1 && line[0].chars.len() > 1 {
            let atom = line.pop().expect("one atom");
            let (head, tail) = split_word(atom, avail(lines.len()));
            lines.push(vec![head]);
            used = tail.width;
            line.push(tail);
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    avoid_orphan(&mut lines);
    lines
}

/// A paragraph does not end on a line of one character and its
/// punctuation (`整；`): the line above gives up its last character.
fn avoid_orphan(lines: &mut [Vec<Atom>]) {
    let [.., above, last] = lines else { return };
    let glyphs = |line: &[Atom]| line.iter().map(|a| a.chars.len()).sum::<usize>();
    let punctuation = |a: &Atom| NO_LINE_START.contains(a.chars[0].0);
    let lone = last.iter().filter(|a| !punctuation(a)).count() == 1 && glyphs(last) <= 2 && last[0].chars.len() == 1;
    if !lone || above.len() < 4 {
        return;
    }
    // Move the last atom, with any punctuation that would then start the line.
    let mut moved = vec![above.pop().expect("four atoms")];
    while above.len() > 2 && punctuation(&moved[0]) {
        moved.insert(0, above.pop().expect("atoms left"));
    }
    if above.last().is_some_and(|a| NO_LINE_END.contains(a.chars[0].0)) {
        moved.insert(0, above.pop().expect("atoms left"));
    }
    moved.append(last);
    *last = moved;
}

/// Cuts a word longer than a line where it overflows, or just after the
/// last joint before that (`@`, `.`, `/`, `-`) in its second half.
fn split_word(atom: Atom, width: f32) -> (Atom, Atom) {
    let per_char = atom.width / atom.chars.len() as f32;
    let fits = ((width / per_char).floor() as usize).clamp(1, atom.chars.len() - 1);
    let joint = ((fits / 2).max(1)..=fits).rev().find(|&i| "@./-".contains(atom.chars[i - 1].0));
    let keep = joint.unwrap_or(fits);
    let mut head = atom.chars;
    let tail = head.split_off(keep);
    let (hw, tw) = (per_char * head.len() as f32, per_char * tail.len() as f32);
    (Atom { chars: head, width: hw, space: false }, Atom { chars: tail, width: tw, space: false })
}

/// Splits `text` into runs by the face that draws each character.
pub(crate) fn runs(book: &FontBook, role: Role, size: f32, text: &str) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    for c in text.chars() {
        let face = book.face_for(role, c);
        match runs.last_mut() {
            Some(run) if run.face == face => run.text.push(c),
            _ => runs.push(Run { face, size, ink: Ink::Black, text: c.to_string() }),
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
        let glyphs: usize = line.iter().map(|a| a.chars.len()).sum();
        let size = line.iter().flat_map(|a| a.chars.iter().map(|g| g.2)).fold(0.0, f32::max);
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
        for (c, face, size, ink) in line.iter().flat_map(|a| a.chars.iter().copied()) {
            match runs.last_mut() {
                Some(run) if run.face == face && run.size == size && run.ink == ink => run.text.push(c),
                _ => runs.push(Run { face, size, ink, text: c.to_string() }),
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

fn table_items(book: &FontBook, table: &Table, x: f32, width: f32) -> Vec<Item> {
    const PAD: f32 = 2.0 * MM;
    let edges: Vec<f32> = std::iter::once(0.0)
        .chain(table.columns.iter().scan(0.0, |acc, w| {
            *acc += w * width;
            Some(*acc)
        }))
        .collect();
    let mut items: Vec<Item> = Vec::new();
    let mut header: Vec<Item> = Vec::new();
    for (r, row) in table.rows.iter().enumerate() {
        let mut col = 0;
        let mut cells = Vec::new();
        let mut height: f32 = 0.0;
        for cell in row {
            let (x0, x1) = (edges[col], edges[(col + cell.span).min(table.columns.len())]);
            col += cell.span;
            let lines = para_items(book, &cell.para, x + x0 + PAD, x1 - x0 - 2.0 * PAD);
            let h = lines.iter().map(|l| l.height).sum::<f32>() + 2.0 * PAD;
            height = height.max(h).max(cell.min_height);
            cells.push((x0, x1, lines));
        }
        let mut marks = Vec::new();
        for (x0, x1, lines) in cells {
            let text_height: f32 = lines.iter().map(|l| l.height).sum();
            // Text sits in the middle of a tall cell.
            let mut y = ((height - text_height) / 2.0).max(PAD);
            for line in lines {
                marks.extend(line.marks.into_iter().map(|m| shift(m, y)));
                y += line.height;
            }
            marks.push(Mark::Line { x1: x + x0, y1: 0.0, x2: x + x0, y2: height, ink: Ink::Black, thickness: 0.6 });
            marks.push(Mark::Line { x1: x + x1, y1: 0.0, x2: x + x1, y2: height, ink: Ink::Black, thickness: 0.6 });
        }
        marks.push(Mark::Line { x1: x, y1: 0.0, x2: x + width, y2: 0.0, ink: Ink::Black, thickness: 0.6 });
        marks.push(Mark::Line { x1: x, y1: height, x2: x + width, y2: height, ink: Ink::Black, thickness: 0.6 });
        let mut item = Item::new(height, marks);
        if r < table.header_rows {
            header.push(item.clone());
        } else {
            item.repeat = header.clone();
        }
        items.push(item);
    }
    items
}

fn picture_item(picture: &Picture, x: f32, width: f32) -> Item {
    let scale =
        (picture.max_width.min(width) / picture.width_px as f32).min(picture.max_height / picture.height_px as f32);
    let (w, h) = (picture.width_px as f32 * scale, picture.height_px as f32 * scale);
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
                out.extend(table_items(book, t, g.left, g.width));
                // A table's head stays with its first row.
                if t.header_rows > 0 && out.len() > start + t.header_rows {
                    let id = pending.take().unwrap_or_else(|| {
                        groups.push(0);
                        groups.len() - 1
                    });
                    for item in &mut out[start..=start + t.header_rows] {
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
