//! Ledgers on paper: A4 landscape, the table's heads repeated on every
//! page, page numbers centred. The table is the same [`Ledger`] the screen
//! and the workbook show.

use xuncha_core::ledger::Ledger;

use crate::font::{FontBook, Role};
use crate::layout::{paginate, Align, Block, Cell, Geometry, Ink, Para, Span, Table};
use crate::pdf::{write, Meta, PageNumbers};
use crate::style::centred;
use crate::PrintError;

/// Ledger text: small enough for a dozen columns across the page.
const SIZE: f32 = 9.0;
const PITCH: f32 = 12.5;

fn cell(text: &str, role: Role, align: Align) -> Cell {
    let para = Para {
        spans: vec![Span::new(text, role, SIZE)],
        align,
        first_indent: 0.0,
        left: 0.0,
        right: 0.0,
        pitch: PITCH,
        tracking: 0.0,
    };
    Cell { para, span: 1, min_height: 0.0 }
}

fn line(text: &str) -> Block {
    Block::Para(Para {
        spans: vec![Span::new(text, Role::Song, 10.5)],
        align: Align::Left,
        first_indent: 0.0,
        left: 0.0,
        right: 0.0,
        pitch: 16.0,
        tracking: 0.0,
    })
}

/// The ledger as a PDF; `created` dates the file.
pub fn render(book: &FontBook, l: &Ledger, created: i64) -> Result<Vec<u8>, PrintError> {
    let geometry = Geometry::landscape();
    let total: f32 = l.widths.iter().sum();
    let mut rows = vec![l.heads.iter().map(|h| cell(h, Role::Hei, Align::Center)).collect::<Vec<_>>()];
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
        Block::Table(Table { columns: l.widths.iter().map(|w| w / total).collect(), rows, header_rows: 1 }),
        Block::Space(6.0),
    ];
    blocks.extend(l.notes.iter().map(|n| line(n)));
    let pages = paginate(book, &blocks, &geometry);
    write(book, &geometry, pages, PageNumbers::Centred, &Meta { title: &l.title, created })
}
