//! Documents of stored records, in two steps: [`gather`] reads a record and
//! what it points at (enterprise file, photo and signature files) from a
//! store, and [`Source::render`] lays it out without the store. The
//! command line and the desktop app print the same paper from the same
//! records, and the app holds its store only while gathering.

use std::collections::HashMap;

use xuncha_core::api::Printable;
use xuncha_core::clue_transfer::ClueTransfer;
use xuncha_core::inspection::Inspection;
use xuncha_core::ledger::Ledger;
use xuncha_core::notice::Notice;
use xuncha_core::{Enterprise, EnterpriseId, Sha256, Store, StoreError};

use crate::font::FontBook;
use crate::notice::Evidence;
use crate::PrintError;

/// A rendered document and the file name it is saved under.
#[derive(Debug, Clone)]
pub struct Document {
    pub file_name: String,
    pub pdf: Vec<u8>,
}

/// Everything one document is made from, read from the store.
// A handful exist at once (one per document printed): size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Source {
    /// A notice with its evidence photos.
    Notice { notice: Notice, evidence: Vec<Evidence> },
    /// A clue transfer form (three copies in one file) and the enterprise's name.
    Transfer { transfer: ClueTransfer, enterprise_name: String },
    /// An inspection's on-site record with its drawn signatures (PNG by SHA-256).
    Record { enterprise: Enterprise, inspection: Inspection, signatures: HashMap<Sha256, Vec<u8>> },
    /// One card per facility of an enterprise, dated `now`.
    Cards { enterprise: Enterprise, now: i64 },
}

fn seconds(rfc3339: &str, fallback: i64) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339).map_or(fallback, |t| t.timestamp())
}

/// Characters a file name must not hold on any desktop system.
fn file_safe(s: &str) -> String {
    s.chars().map(|c| if "/\\:*?\"<>|".contains(c) { '_' } else { c }).collect()
}

fn notice_source(store: &Store, notice: Notice) -> Result<Source, PrintError> {
    let evidence =
        store.notice_photos(&notice)?.into_iter().map(|(jpeg, caption)| Evidence { jpeg, caption }).collect();
    Ok(Source::Notice { notice, evidence })
}

fn enterprise(store: &Store, id: EnterpriseId) -> Result<Enterprise, PrintError> {
    Ok(store.enterprise(id)?.ok_or(StoreError::NotFound { what: "企业档案", key: id.to_string() })?)
}

/// Reads what the document is made from; `now` dates the facility cards.
pub fn gather(store: &Store, document: Printable, now: i64) -> Result<Source, PrintError> {
    match document {
        Printable::Notice(id) => {
            let n = store.notice(id)?.ok_or(StoreError::NotFound { what: "整改通知书", key: id.to_string() })?;
            notice_source(store, n)
        }
        Printable::Transfer(id) => {
            let transfer = store
                .clue_transfer(id)?
                .ok_or(StoreError::NotFound { what: "违法线索移交书", key: id.to_string() })?;
            let enterprise_name = store.enterprise(transfer.enterprise_id)?.map(|e| e.name).unwrap_or_default();
            Ok(Source::Transfer { transfer, enterprise_name })
        }
        Printable::Record(id) => {
            let inspection =
                store.inspection(id)?.ok_or(StoreError::NotFound { what: "检查记录", key: id.to_string() })?;
            let enterprise = enterprise(store, inspection.enterprise_id)?;
            let blobs = store.blobs();
            // A signature file not on this laptop yet prints as the name alone.
            let signatures = inspection
                .signatures
                .iter()
                .filter_map(|s| s.image_sha256)
                .filter_map(|sha| std::fs::read(blobs.path_of(&sha)).ok().map(|png| (sha, png)))
                .collect();
            Ok(Source::Record { enterprise, inspection, signatures })
        }
        Printable::Cards(id) => {
            let enterprise = enterprise(store, id)?;
            if enterprise.facilities.is_empty() {
                return Err(PrintError::NothingToPrint(format!(
                    "{} 的档案中没有废水、废气处理设施，无明白卡可打印",
                    enterprise.name
                )));
            }
            Ok(Source::Cards { enterprise, now })
        }
    }
}

/// A clerk's batch: every notice issued on `day` (`YYYY-MM-DD`).
pub fn todays_notices(store: &Store, day: &str) -> Result<Vec<Source>, PrintError> {
    store.notices_issued_on(day)?.into_iter().map(|n| notice_source(store, n)).collect()
}

impl Source {
    /// The document's files: one, or one per facility card.
    pub fn render(&self, book: &FontBook) -> Result<Vec<Document>, PrintError> {
        Ok(match self {
            Source::Notice { notice: n, evidence } => {
                let pdf = crate::notice::render(book, n, evidence, seconds(&n.issued_at, 0))?;
                vec![Document {
                    file_name: file_safe(&format!("整改通知书 {} {}.pdf", n.number, n.addressee)), pdf
                }]
            }
            Source::Transfer { transfer: t, enterprise_name } => {
                let pdf = crate::transfer::render(book, t, seconds(&t.created_at, 0))?;
                let number = t.number.as_ref().map(|n| format!(" {n}")).unwrap_or_default();
                let file_name =
                    file_safe(&format!("违法线索移交书{number} {enterprise_name} {}.pdf", t.transferred_on));
                vec![Document { file_name, pdf }]
            }
            Source::Record { enterprise, inspection: i, signatures } => {
                let when = i.signed_at.as_deref().unwrap_or(&i.started_at);
                let png = |sha: &Sha256| signatures.get(sha).cloned();
                let pdf = crate::record::render(book, enterprise, i, &png, seconds(when, 0))?;
                let day = i.started_at.get(..10).unwrap_or("");
                vec![Document {
                    file_name: file_safe(&format!("现场检查记录 {} {day}.pdf", i.enterprise_name)), pdf
                }]
            }
            Source::Cards { enterprise: e, now } => e
                .facilities
                .iter()
                .enumerate()
                .map(|(n, f)| {
                    let pdf = crate::card::render(book, e, f, *now)?;
                    Ok(Document { file_name: file_safe(&format!("{:02} 明白卡 {}.pdf", n + 1, f.name)), pdf })
                })
                .collect::<Result<_, PrintError>>()?,
        })
    }
}

/// A ledger's printed document, dated `now` (its day, in China, names the file).
pub fn ledger(
    book: &FontBook,
    ledger: &Ledger,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Result<Document, PrintError> {
    let pdf = crate::ledger::render(book, ledger, now.timestamp())?;
    Ok(Document { file_name: file_safe(&format!("{} {}.pdf", ledger.title, now.format("%Y-%m-%d"))), pdf })
}
