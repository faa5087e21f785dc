//! Printing from the app: the fonts, loaded once, and where documents go.
//!
//! Every document is written into the data folder's `文书` folder (the
//! clerk's copy of what was printed) and opened from there in the system
//! PDF viewer, which previews and prints it.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use xuncha_core::api::{ApiError, ErrorCode};
use xuncha_print::stored::Document;
use xuncha_print::{FontBook, OfficeFonts, PrintError};

/// The folder inside the data folder that keeps printed documents.
pub const FOLDER: &str = "文书";

/// The shipped fonts, parsed on first use.
pub fn fonts() -> Result<&'static FontBook, ApiError> {
    static BOOK: OnceLock<FontBook> = OnceLock::new();
    if let Some(book) = BOOK.get() {
        return Ok(book);
    }
    let book = FontBook::load(&FontBook::shipped_dir(), &OfficeFonts::default()).map_err(error)?;
    Ok(BOOK.get_or_init(|| book))
}

/// Converts a printing failure for the window, keeping store errors' codes.
pub fn error(e: PrintError) -> ApiError {
    match e {
        PrintError::Store(e) => e.into(),
        PrintError::BadPhoto { .. } => ApiError::new(ErrorCode::Invalid, e.to_string()),
        PrintError::FontFile { .. } | PrintError::BadFont { .. } => ApiError::new(ErrorCode::File, e.to_string()),
        PrintError::Date => ApiError::new(ErrorCode::Internal, e.to_string()),
    }
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
