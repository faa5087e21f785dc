//! Ledgers on paper: A4 landscape, the table's heads repeated on every
//! page, page numbers centred. The table is the same [`Ledger`] the screen
//! and the workbook show.

use xuncha_core::ledger::Ledger;

use crate::font::{FontBook, Role};
use crate::layout::{paginate, Align, Block, Cell, Geometry, Ink, Para, Table, Wrap};
use crate::pdf::{write, Meta, PageNumbers};
use crate::style::centred;
use crate::PrintError;

/// Ledger text: small enough for a dozen columns across the page.
const SIZE: f32 = 9.0;
const PITCH: f32 = 12.5;

fn cell(text: &str, role: Role, align: Align) -> Cell {
    Cell::new(Para::plain(text, role, SIZE, PITCH, align), 1)
}

fn line(text: &str) -> Block {
    Block::Para(Para::plain(text, Role::Song, 10.5, 16.0, Align::Left))
}

/// A head cell; a short head stays on one line (the column widens).
fn head(text: &str) -> Cell {
    let mut c = cell(text, Role::Hei, Align::Center);
    if text.chars().count() <= 4 {
        c.para.wrap = Wrap::Whole;
    }
    c
}

/// The heads as one row, or as two when some are grouped: a group's title
/// over its columns, every other head spanning both rows.
fn head_rows(l: &Ledger) -> Vec<Vec<Cell>> {
    if l.groups.is_empty() {
        return vec![l.heads.iter().map(|h| head(h)).collect()];
    }
    let (mut top, mut under) = (Vec::new(), Vec::new());
    for (c, h) in l.heads.iter().enumerate() {
        match l.group_of(c) {
            Some(g) if g.first == c => {
                let mut over = head(&g.title);
                over.span = g.count;
                top.push(over);
                under.push(head(h));
            }
            Some(_) => under.push(head(h)),
            None => {
                let mut both = head(h);
                both.rows = 2;
                top.push(both);
            }
        }
    }
    vec![top, under]
}

/// The ledger as a PDF; `created` dates the file.
pub fn render(book: &FontBook, l: &Ledger, created: i64) -> Result<Vec<u8>, PrintError> {
    let geometry = Geometry::landscape();
    let total: f32 = l.widths.iter().sum();
    let mut rows = head_rows(l);
    let header_rows = rows.len();
    for r in &l.rows {
        rows.push(r.iter().map(|v| cell(v, Role::Song, Align::Left)).collect());
    }
    if l.rows.is_empty() {
        let mut none = cell("（无）", Role::Song, Align::Center);
        none.span = l.heads.len();
        rows.push(vec![none]);
    }
    let mut blocks = vec![
        centred(&l.title, Role::Title, 18.0, Ink::Black, 28.0),
        centred(&l.subtitle, Role::Song, 10.5, Ink::Black, 18.0),
        Block::Space(6.0),
        Block::Table(Table { columns: l.widths.iter().map(|w| w / total).collect(), rows, header_rows }),
        Block::Space(6.0),
    ];
    blocks.extend(l.notes.iter().map(|n| line(n)));
    let pages = paginate(book, &blocks, &geometry);
    write(book, &geometry, pages, PageNumbers::Centred, &Meta { title: &l.title, created })
}
