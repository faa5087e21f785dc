//! Writes laid-out pages as a PDF with printpdf: fonts subset to the
//! glyphs used, JPEG photos embedded as they are (DCT), and document
//! dates taken from the record rather than the clock.

use std::collections::BTreeMap;

use printpdf::{
    Color, DictItem, ExternalStream, ExternalXObject, FontId, Line, LinePoint, Mm, Op, PdfDocument, PdfFontHandle,
    PdfPage, PdfSaveOptions, Point, Pt, Px, RawImage, RawImageData, RawImageFormat, Rgb, TextItem, TextRenderingMode,
    XObjectTransform,
};

use crate::font::{Adjust, FontBook, Role};
use crate::layout::{Geometry, Ink, Mark, Page, PictureData, Run, MM, SIZE_4};
use crate::PrintError;

/// Where page numbers go (GB/T 9704: `— 1 —` in 4号 宋体 7 mm below the
/// text block, odd pages on the right and even pages on the left, one
/// character in from the edge).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageNumbers {
    None,
    Official,
    Centred,
}

pub(crate) struct Meta<'a> {
    pub title: &'a str,
    /// Seconds since 1970 of the record the document shows.
    pub created: i64,
}

fn color(ink: Ink) -> Color {
    match ink {
        Ink::Black => Color::Rgb(Rgb { r: 0.0, g: 0.0, b: 0.0, icc_profile: None }),
        // The red of official headers (GB/T 9704 asks for red; offices use pure red).
        Ink::Red => Color::Rgb(Rgb { r: 0.9, g: 0.0, b: 0.0, icc_profile: None }),
    }
}

fn number_mark(book: &FontBook, g: &Geometry, n: usize, style: PageNumbers) -> Option<Mark> {
    let text = format!("— {n} —");
    let width: f32 = text.chars().map(|c| book.advance(book.face_for(Role::Song, c), c) * SIZE_4).sum();
    let x = match style {
        PageNumbers::None => return None,
        PageNumbers::Centred => g.left + (g.width - width) / 2.0,
        PageNumbers::Official if n % 2 == 1 => g.left + g.width - SIZE_4 - width,
        PageNumbers::Official => g.left + SIZE_4,
    };
    let runs = crate::layout::runs(book, Role::Song, SIZE_4, &text);
    Some(Mark::Text { x, baseline: g.top + g.height + 7.0 * MM + SIZE_4 * 0.8, tracking: 0.0, runs })
}

/// A fallback face's run, fitted to its neighbours (see [`Adjust`]): drawn
/// larger or smaller and narrower or wider, centred in its grid cells,
/// raised and thickened, then the text state restored.
fn fitted_run(font: PdfFontHandle, run: &Run, a: Adjust, advance: f32, tracking: f32) -> Vec<Op> {
    let size = run.size * a.scale;
    let cell = advance * run.size;
    // In PDF text space the character spacing and TJ offsets are scaled
    // horizontally too, so both are divided by the stretch.
    let spacing = (cell + tracking) / a.stretch - advance * size;
    let inset = (cell - advance * size * a.stretch) / 2.0;
    let offset = inset * 1000.0 / (size * a.stretch);
    let mut ops = vec![
        Op::SetFont { font, size: Pt(size) },
        Op::SetHorizontalScaling { percent: a.stretch * 100.0 },
        Op::SetCharacterSpacing { multiplier: spacing },
        Op::SetLineOffset { multiplier: a.rise * run.size },
    ];
    if a.embolden > 0.0 {
        ops.push(Op::SetOutlineColor { col: color(run.ink) });
        ops.push(Op::SetOutlineThickness { pt: Pt(a.embolden * run.size) });
        ops.push(Op::SetTextRenderingMode { mode: TextRenderingMode::FillStroke });
    }
    ops.push(Op::ShowText {
        items: vec![TextItem::Offset(-offset), TextItem::Text(run.text.clone()), TextItem::Offset(offset)],
    });
    if a.embolden > 0.0 {
        ops.push(Op::SetTextRenderingMode { mode: TextRenderingMode::Fill });
    }
    ops.push(Op::SetHorizontalScaling { percent: 100.0 });
    ops.push(Op::SetCharacterSpacing { multiplier: tracking });
    ops.push(Op::SetLineOffset { multiplier: 0.0 });
    ops
}

/// Serialises `pages` to PDF bytes.
pub(crate) fn write(
    book: &FontBook,
    g: &Geometry,
    mut pages: Vec<Page>,
    numbers: PageNumbers,
    meta: &Meta<'_>,
) -> Result<Vec<u8>, PrintError> {
    for (n, page) in pages.iter_mut().enumerate() {
        page.marks.extend(number_mark(book, g, n + 1, numbers));
    }
    let mut doc = PdfDocument::new(meta.title);
    let when = printpdf::OffsetDateTime::from_unix_timestamp(meta.created).map_err(|_| PrintError::Date)?;
    doc.metadata.info.creation_date = when;
    doc.metadata.info.modification_date = when;
    doc.metadata.info.metadata_date = when;
    doc.metadata.info.creator = "巡查".into();
    doc.metadata.info.producer = "巡查".into();

    // Each face used is added once, however many runs use it.
    let mut fonts: BTreeMap<usize, FontId> = BTreeMap::new();
    for page in &pages {
        for mark in &page.marks {
            if let Mark::Text { runs, .. } = mark {
                for run in runs {
                    fonts.entry(run.face).or_insert_with(|| doc.add_font(&book.face(run.face).pdf));
                }
            }
        }
    }

    let h = g.page_height;
    let mut out = Vec::with_capacity(pages.len());
    for page in pages {
        let mut ops = Vec::new();
        for mark in page.marks {
            match mark {
                Mark::Text { x, baseline, tracking, runs } => {
                    ops.push(Op::StartTextSection);
                    ops.push(Op::SetTextCursor { pos: Point { x: Pt(x), y: Pt(h - baseline) } });
                    ops.push(Op::SetCharacterSpacing { multiplier: tracking });
                    for run in runs {
                        ops.push(Op::SetFillColor { col: color(run.ink) });
                        let font = PdfFontHandle::External(fonts[&run.face].clone());
                        match run.adjust {
                            None => {
                                ops.push(Op::SetFont { font, size: Pt(run.size) });
                                ops.push(Op::ShowText { items: vec![TextItem::Text(run.text)] });
                            }
                            Some(a) => {
                                let advance = run.text.chars().next().map_or(1.0, |c| book.advance(run.face, c));
                                ops.extend(fitted_run(font, &run, a, advance, tracking));
                            }
                        }
                    }
                    ops.push(Op::EndTextSection);
                }
                Mark::Line { x1, y1, x2, y2, ink, thickness } => {
                    ops.push(Op::SetOutlineColor { col: color(ink) });
                    ops.push(Op::SetOutlineThickness { pt: Pt(thickness) });
                    let point = |x: f32, y: f32| LinePoint { p: Point { x: Pt(x), y: Pt(h - y) }, bezier: false };
                    ops.push(Op::DrawLine {
                        line: Line { points: vec![point(x1, y1), point(x2, y2)], is_closed: false },
                    });
                }
                Mark::Picture { x, y, width, height, picture } => {
                    let id = match &picture.data {
                        PictureData::Jpeg { bytes, components } => {
                            let space = match components {
                                1 => "DeviceGray",
                                4 => "DeviceCMYK",
                                _ => "DeviceRGB",
                            };
                            let name = |s: &str| DictItem::Name(s.as_bytes().to_vec());
                            let dict = BTreeMap::from([
                                ("Type".to_string(), name("XObject")),
                                ("Subtype".to_string(), name("Image")),
                                ("Width".to_string(), DictItem::Int(picture.width_px.into())),
                                ("Height".to_string(), DictItem::Int(picture.height_px.into())),
                                ("ColorSpace".to_string(), name(space)),
                                ("BitsPerComponent".to_string(), DictItem::Int(8)),
                                ("Filter".to_string(), name("DCTDecode")),
                            ]);
                            doc.add_xobject(&ExternalXObject {
                                stream: ExternalStream { dict, content: bytes.to_vec(), compress: false },
                                width: Some(Px(picture.width_px as usize)),
                                height: Some(Px(picture.height_px as usize)),
                                dpi: Some(72.0),
                            })
                        }
                        PictureData::Rgb(pixels) => doc.add_image(&RawImage {
                            pixels: RawImageData::U8(pixels.to_vec()),
                            width: picture.width_px as usize,
                            height: picture.height_px as usize,
                            data_format: RawImageFormat::RGB8,
                            tag: Vec::new(),
                        }),
                    };
                    ops.push(Op::UseXobject {
                        id,
                        transform: XObjectTransform {
                            translate_x: Some(Pt(x)),
                            translate_y: Some(Pt(h - y - height)),
                            scale_x: Some(width / picture.width_px as f32),
                            scale_y: Some(height / picture.height_px as f32),
                            dpi: Some(72.0),
                            ..Default::default()
                        },
                    });
                }
            }
        }
        out.push(PdfPage::new(Mm(g.page_width / MM), Mm(g.page_height / MM), ops));
    }
    let options = PdfSaveOptions { optimize: true, subset_fonts: true, secure: true, image_optimization: None };
    let mut warnings = Vec::new();
    Ok(doc.with_pages(out).save(&options, &mut warnings))
}
