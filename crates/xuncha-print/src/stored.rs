//! Documents of stored records: gathers a record and what it points at
//! from a store and renders it, so the command line and the desktop app
//! print the same paper from the same records.

use uuid::Uuid;
use xuncha_core::{Store, StoreError};

use crate::font::FontBook;
use crate::notice::Evidence;
use crate::PrintError;

/// A rendered document and the file name it is saved under.
#[derive(Debug, Clone)]
pub struct Document {
    pub file_name: String,
    pub pdf: Vec<u8>,
}

fn seconds(rfc3339: &str, fallback: i64) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339).map_or(fallback, |t| t.timestamp())
}

/// Characters a file name must not hold on any desktop system.
fn file_safe(s: &str) -> String {
    s.chars().map(|c| if "/\\:*?\"<>|".contains(c) { '_' } else { c }).collect()
}

/// A notice with its evidence photos.
pub fn notice(store: &Store, book: &FontBook, id: Uuid) -> Result<Document, PrintError> {
    let n = store.notice(id)?.ok_or(StoreError::NotFound { what: "整改通知书", key: id.to_string() })?;
    let evidence: Vec<Evidence> =
        store.notice_photos(&n)?.into_iter().map(|(jpeg, caption)| Evidence { jpeg, caption }).collect();
    let pdf = crate::notice::render(book, &n, &evidence, seconds(&n.issued_at, 0))?;
    Ok(Document { file_name: file_safe(&format!("整改通知书 {} {}.pdf", n.number, n.addressee)), pdf })
}

/// A clue transfer form, three copies in one file.
pub fn transfer(store: &Store, book: &FontBook, id: Uuid) -> Result<Document, PrintError> {
    let t =
        store.clue_transfer(id)?.ok_or(StoreError::NotFound { what: "违法线索移交书", key: id.to_string() })?;
    let pdf = crate::transfer::render(book, &t, seconds(&t.created_at, 0))?;
    let name = store.enterprise(t.enterprise_id)?.map(|e| e.name).unwrap_or_default();
    let number = t.number.as_ref().map(|n| format!(" {n}")).unwrap_or_default();
    Ok(Document {
        file_name: file_safe(&format!("违法线索移交书{number} {name} {}.pdf", t.transferred_on)), pdf
    })
}

/// An inspection's on-site record.
pub fn record(store: &Store, book: &FontBook, id: Uuid) -> Result<Document, PrintError> {
    let i = store.inspection(id)?.ok_or(StoreError::NotFound { what: "检查记录", key: id.to_string() })?;
    let e = store
        .enterprise(i.enterprise_id)?
        .ok_or(StoreError::NotFound { what: "企业档案", key: i.enterprise_id.to_string() })?;
    let when = i.signed_at.as_deref().unwrap_or(&i.started_at);
    let blobs = store.blobs();
    let signature_png = |sha: &str| std::fs::read(blobs.path_of(sha)).ok();
    let pdf = crate::record::render(book, &e, &i, &signature_png, seconds(when, 0))?;
    let day = i.started_at.get(..10).unwrap_or("");
    Ok(Document { file_name: file_safe(&format!("现场检查记录 {} {day}.pdf", i.enterprise_name)), pdf })
}

/// One card per facility of an enterprise; `now` dates the files.
pub fn cards(store: &Store, book: &FontBook, enterprise: Uuid, now: i64) -> Result<Vec<Document>, PrintError> {
    let e = store
        .enterprise(enterprise)?
        .ok_or(StoreError::NotFound { what: "企业档案", key: enterprise.to_string() })?;
    e.facilities
        .iter()
        .enumerate()
        .map(|(n, f)| {
            let pdf = crate::card::render(book, &e, f, now)?;
            Ok(Document { file_name: file_safe(&format!("{:02} 明白卡 {}.pdf", n + 1, f.name)), pdf })
        })
        .collect()
}
