//! The paragraph styles documents share, on the official body grid.

use crate::font::{FontBook, Role};
use crate::layout::{text_width, Align, Block, Cell, Geometry, Ink, Para, Span, Wrap, SIZE_2, SIZE_3};

/// Character pitch and line pitch of the body grid, and the tracking that
/// puts 3号 characters on it.
pub(crate) fn grid() -> (f32, f32, f32) {
    let (char_pitch, line_pitch) = Geometry::official_grid();
    (char_pitch, line_pitch, char_pitch - SIZE_3)
}

pub(crate) fn para(spans: Vec<Span>, align: Align, first_indent: f32) -> Para {
    let (_, line_pitch, tracking) = grid();
    Para { spans, align, first_indent, left: 0.0, right: 0.0, pitch: line_pitch, tracking, wrap: Wrap::Anywhere }
}

/// Body text: 3号 仿宋, justified, first line indented two characters.
pub(crate) fn body(text: impl Into<String>) -> Block {
    Block::Para(para(vec![Span::new(text, Role::Fang, SIZE_3)], Align::Justify, 2.0))
}

/// A line flush left, not indented (the addressee, a form's label).
pub(crate) fn flush(text: impl Into<String>) -> Block {
    Block::Para(para(vec![Span::new(text, Role::Fang, SIZE_3)], Align::Justify, 0.0))
}

/// A first-level heading: 3号 黑体, indented two characters, never the
/// last line of a page.
pub(crate) fn heading(text: impl Into<String>) -> Block {
    Block::KeepWithNext(Box::new(Block::Para(para(vec![Span::new(text, Role::Hei, SIZE_3)], Align::Left, 2.0))))
}

/// The title: 2号 小标宋, centred.
pub(crate) fn title(text: impl Into<String>) -> Block {
    let (_, line_pitch, _) = grid();
    title_line(text, line_pitch * 1.25)
}

/// The title on a line `pitch` high.
pub(crate) fn title_line(text: impl Into<String>, pitch: f32) -> Block {
    Block::Para(Para::plain(text, Role::Title, SIZE_2, pitch, Align::Center))
}

/// 附 or 附件 over an attachment: 3号 黑体, flush left on the first line.
pub(crate) fn attachment_mark(text: impl Into<String>) -> Block {
    Block::Para(para(vec![Span::new(text, Role::Hei, SIZE_3)], Align::Left, 0.0))
}

/// A centred line in `role` and `size`, in `ink`.
pub(crate) fn centred(text: impl Into<String>, role: Role, size: f32, ink: Ink, pitch: f32) -> Block {
    let mut para = Para::plain(text, role, size, pitch, Align::Center);
    para.spans[0].ink = ink;
    Block::Para(para)
}

/// The issuing office centred above the date, the date four characters in
/// from the right (GB/T 9704 7.3.5.2), kept on one page with the last two
/// lines of text before them. Room is left above for the seal.
pub(crate) fn signature_and_date(book: &FontBook, issuer: &str, date: &str) -> Block {
    let (char_pitch, line_pitch, tracking) = grid();
    let date_right = 4.0 * char_pitch;
    let date_width = text_width(book, Role::Fang, SIZE_3, tracking, date);
    let issuer_width = text_width(book, Role::Fang, SIZE_3, tracking, issuer);
    // Centre the issuer over the date; a long name ends at the right edge.
    let issuer_right = (date_right + (date_width - issuer_width) / 2.0).max(0.0);
    let line = |text: &str, right: f32| {
        let mut p = para(vec![Span::new(text, Role::Fang, SIZE_3)], Align::Right, 0.0);
        p.right = right;
        Block::Para(p)
    };
    Block::Keep {
        blocks: vec![Block::Space(2.0 * line_pitch), line(issuer, issuer_right), line(date, date_right)],
        carry: 2,
    }
}

/// Form text: 小四 (12 pt) 宋体 on an 18 pt pitch.
pub(crate) const FORM_SIZE: f32 = crate::layout::SIZE_SMALL_4;
pub(crate) const FORM_PITCH: f32 = 18.0;

/// A table cell in form text.
pub(crate) fn cell(text: impl Into<String>, align: Align, span: usize) -> Cell {
    Cell::new(Para::plain(text, Role::Song, FORM_SIZE, FORM_PITCH, align), span)
}

/// A label cell: 黑体, centred, on one line (the table widens its column).
pub(crate) fn label(text: impl Into<String>, span: usize) -> Cell {
    let mut c = cell(text, Align::Center, span);
    c.para.spans[0].role = Role::Hei;
    c.para.wrap = Wrap::Whole;
    c
}

/// A line of form text flush left.
pub(crate) fn form_line(text: impl Into<String>) -> Block {
    Block::Para(Para::plain(text, Role::Song, FORM_SIZE, FORM_PITCH, Align::Left))
}
