//! Print-ready documents: records and fonts in, PDF bytes out.
//!
//! Clerks judge a tool by whether its paper looks like their office's own,
//! so the documents follow the sources' layouts (004 Appendix J for the
//! rectification notice, 000 附件2 and 附件3 for facility cards and the clue
//! transfer form) on the page geometry of GB/T 9704-2012. [`layout`] does
//! the typesetting printpdf leaves to its callers, [`font`] picks a face
//! per character, and [`pdf`] writes the result; the document modules
//! only say what goes where.
//!
//! The document modules read neither the database nor the clock: callers
//! pass the records, the photo bytes and the fonts, so the same inputs give
//! the same bytes. [`stored`] gathers those inputs from a store for the
//! command line and the app.

pub mod card;
pub mod font;
pub mod layout;
pub mod ledger;
pub mod notice;
mod pdf;
pub mod record;
pub mod stored;
mod style;
pub mod transfer;

use std::path::PathBuf;

pub use font::{FontBook, OfficeFonts, Role};
pub use pdf::PageNumbers;

#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error("无法读取字体文件 {path}")]
    FontFile { path: PathBuf, source: std::io::Error },
    #[error("字体文件 {path} 无法使用：{why}")]
    BadFont { path: PathBuf, why: String },
    #[error("照片「{name}」不是可嵌入的 JPEG 文件")]
    BadPhoto { name: String },
    #[error("文档日期无效")]
    Date,
    #[error("{0}")]
    NothingToPrint(String),
    #[error(transparent)]
    Store(#[from] xuncha_core::StoreError),
}

impl From<PrintError> for xuncha_core::api::ApiError {
    fn from(e: PrintError) -> Self {
        use xuncha_core::api::{ApiError, ErrorCode};
        let code = match e {
            PrintError::Store(e) => return e.into(),
            PrintError::BadPhoto { .. } | PrintError::NothingToPrint(_) => ErrorCode::Invalid,
            PrintError::FontFile { .. } | PrintError::BadFont { .. } => ErrorCode::File,
            PrintError::Date => ErrorCode::Internal,
        };
        ApiError::new(code, xuncha_core::api::describe(&e))
    }
}

/// A drawn signature (PNG) as a picture: transparency flattened onto
/// white paper. `None` when the bytes are not a readable PNG.
pub fn signature_picture(png: &[u8], max_width: f32, max_height: f32) -> Option<layout::Picture> {
    let img = image::load_from_memory_with_format(png, image::ImageFormat::Png).ok()?.to_rgba8();
    let (width_px, height_px) = img.dimensions();
    let mut rgb = Vec::with_capacity(img.len() / 4 * 3);
    for p in img.pixels() {
        let a = u16::from(p[3]);
        for c in &p.0[..3] {
            // Over white: c·a + 255·(1 − a), in 0–255.
            rgb.push(((u16::from(*c) * a + 255 * (255 - a)) / 255) as u8);
        }
    }
    Some(layout::Picture {
        data: layout::PictureData::Rgb(std::sync::Arc::new(rgb)),
        width_px,
        height_px,
        max_width,
        max_height,
    })
}

/// The width, height and colour components of a baseline or progressive
/// JPEG, read from its frame header without decoding it.
pub fn jpeg_info(bytes: &[u8]) -> Option<(u32, u32, u8)> {
    if bytes.get(..2)? != [0xFF, 0xD8] {
        return None;
    }
    let mut i = 2;
    while i + 4 <= bytes.len() {
        if bytes[i] != 0xFF {
            return None;
        }
        let marker = bytes[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        let is_frame = (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_frame {
            let seg = bytes.get(i + 4..i + 2 + len)?;
            let height = u32::from(u16::from_be_bytes([*seg.get(1)?, *seg.get(2)?]));
            let width = u32::from(u16::from_be_bytes([*seg.get(3)?, *seg.get(4)?]));
            let components = *seg.get(5)?;
            return (width > 0 && height > 0 && matches!(components, 1 | 3 | 4)).then_some((width, height, components));
        }
        i += 2 + len;
    }
    None
}
