//! Printing from the app: the fonts, loaded once, and where documents go.
//!
//! Every document is written into the data folder's `文书` folder (the
//! clerk's copy of what was printed) and opened from there in the system
//! PDF viewer, which previews and prints it. An office may print in its
//! own 仿宋 and 小标宋: the chosen files are copied into the data folder.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use xuncha_core::api::{ApiError, ErrorCode};
use xuncha_core::notice::{DocumentFonts, FontRole};
use xuncha_core::Store;
use xuncha_print::stored::Document;
use xuncha_print::{FontBook, OfficeFonts};

/// The folder inside the data folder that keeps printed documents.
pub const FOLDER: &str = "文书";

/// The folder inside the data folder that keeps the office's own fonts.
pub const FONT_FOLDER: &str = "字体";

/// The fonts for the office's current choice: parsed once, and again only
/// when the office chooses other files.
pub fn fonts(chosen: &DocumentFonts) -> Result<FontBook, ApiError> {
    static BOOK: Mutex<Option<(DocumentFonts, FontBook)>> = Mutex::new(None);
    let mut cached = BOOK.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((fonts, book)) = &*cached {
        if fonts == chosen {
            return Ok(book.clone());
        }
    }
    let book = FontBook::load(&FontBook::shipped_dir(), &OfficeFonts::from(chosen))?;
    *cached = Some((chosen.clone(), book.clone()));
    Ok(book)
}

/// Makes `source` the office's font for `role`, or goes back to the shipped
/// font with `None`. The file is checked by loading it, then copied into
/// `dir` (the data folder's 字体 folder), so the choice survives the
/// original being moved and travels with the data folder.
pub fn adopt_font(s: &mut Store, dir: &Path, role: FontRole, source: Option<&str>) -> Result<DocumentFonts, ApiError> {
    let mut chosen = s.document_fonts()?;
    *chosen.slot(role) = match source {
        None => None,
        Some(source) => {
            let mut trial = chosen.clone();
            *trial.slot(role) = Some(source.to_string());
            FontBook::load(&FontBook::shipped_dir(), &OfficeFonts::from(&trial))?;
            std::fs::create_dir_all(dir)
                .map_err(|e| ApiError::new(ErrorCode::File, format!("无法创建文件夹 {}：{e}", dir.display())))?;
            let name = Path::new(source).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let prefix = match role {
                FontRole::Fang => "仿宋",
                FontRole::Title => "小标宋",
            };
            let target = dir.join(format!("{prefix}-{name}"));
            std::fs::copy(source, &target)
                .map_err(|e| ApiError::new(ErrorCode::File, format!("无法复制字体文件到 {}：{e}", target.display())))?;
            Some(target.display().to_string())
        }
    };
    s.save_document_fonts(&chosen)?;
    Ok(chosen)
}

/// `path` if it names a document in `folder`; the window may open or copy
/// printed documents and nothing else.
pub fn document_in(folder: &Path, path: &str) -> Result<PathBuf, ApiError> {
    let refused = || ApiError::new(ErrorCode::Invalid, format!("只能打开或另存“{FOLDER}”文件夹中的文书：{path}"));
    let file = std::fs::canonicalize(path).map_err(|_| refused())?;
    let folder = std::fs::canonicalize(folder).map_err(|_| refused())?;
    if file.parent() == Some(folder.as_path()) && file.extension().is_some_and(|e| e == "pdf") {
        Ok(file)
    } else {
        Err(refused())
    }
}

/// Writes documents into `dir`, returning their paths.
pub fn write_into(dir: &Path, docs: Vec<Document>) -> Result<Vec<String>, ApiError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| ApiError::new(ErrorCode::File, format!("无法创建文件夹 {}：{e}", dir.display())))?;
    docs.into_iter()
        .map(|d| {
            let path: PathBuf = dir.join(&d.file_name);
            std::fs::write(&path, &d.pdf)
                .map_err(|e| ApiError::new(ErrorCode::File, format!("无法写入 {}：{e}", path.display())))?;
            Ok(path.display().to_string())
        })
        .collect()
}
