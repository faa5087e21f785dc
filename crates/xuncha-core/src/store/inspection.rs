//! Inspections in the store: drafts, signing, corrections, photos, and the
//! integrity chain.
//!
//! A draft is saved as often as the inspector likes and never leaves the
//! laptop. Signing is one transaction that fixes the record, computes its
//! digest on this device's chain and appends the outbox entry that sends
//! it; from then on SQLite triggers refuse any update or delete of the
//! row. Photo files are processed on every core and stored as blobs before
//! the row that points at them is written.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;
use xuncha_photo::Missing;

use super::{outbox, Store, StoreError};
use crate::blob::BlobStore;
use crate::checklist::{self, Template};
use crate::enterprise::FieldProblem;
use crate::id::*;
use crate::inspection::{
    checklist_rows, HandEntry, Inspection, InspectionKind, InspectionState, Photo, Signature, SignerRole, TemplateRef,
};

/// Files larger than this are refused before they are read.
pub const MAX_PHOTO_BYTES: u64 = 80 * 1024 * 1024;
/// File extensions a folder import looks at (others are not photos).
const PHOTO_EXTENSIONS: [&str; 5] = ["jpg", "jpeg", "png", "heic", "heif"];

/// What starting an inspection needs.
#[derive(Debug, Clone, serde::Deserialize, TS)]
pub struct NewInspection {
    pub enterprise_id: EnterpriseId,
    pub kind: InspectionKind,
    pub inspectors: Vec<String>,
    pub accompanying: Option<String>,
}

/// One signer at signing time.
#[derive(Debug, Clone, serde::Deserialize, TS)]
pub struct NewSignature {
    pub role: SignerRole,
    pub name: String,
    /// The drawn signature as PNG bytes; `None` when refused.
    #[ts(type = "number[] | null")]
    pub png: Option<Vec<u8>>,
    pub refused: bool,
    pub witness: Option<String>,
}

impl NewSignature {
    /// A signature drawn by `name`.
    pub fn drawn(role: SignerRole, name: &str, png: Vec<u8>) -> Self {
        NewSignature { role, name: name.into(), png: Some(png), refused: false, witness: None }
    }

    /// The enterprise's representative refusing to sign, before a witness.
    pub fn refused(name: &str, witness: &str) -> Self {
        NewSignature {
            role: SignerRole::Representative,
            name: name.into(),
            png: None,
            refused: true,
            witness: Some(witness.into()),
        }
    }
}

/// A line of an inspection list.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct InspectionSummary {
    pub id: InspectionId,
    pub enterprise_id: EnterpriseId,
    pub enterprise_name: String,
    pub kind: InspectionKind,
    pub state: InspectionState,
    pub started_at: String,
    pub signed_at: Option<String>,
    pub findings: usize,
    pub photos: usize,
    pub corrects: Option<InspectionId>,
    /// A later signed correction replaces this one.
    pub corrected_by: Option<InspectionId>,
    pub digest: Option<Sha256>,
    /// The sync state of a signed inspection: pending, applied, rejected ...
    pub sync_state: Option<String>,
}

/// What happened to one file of a photo import.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PhotoImport {
    pub file_name: String,
    pub photo: Option<Photo>,
    /// Why the file was not imported, in Chinese.
    pub error: Option<String>,
    /// What an imported photo lacks and why (no capture time, no place),
    /// in Chinese.
    pub notes: Vec<String>,
}

/// A broken link found by [`Store::verify_inspections`].
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct IntegrityProblem {
    pub inspection_id: InspectionId,
    pub message: String,
}

impl Store {
    /// The newest version of each checklist template this laptop holds:
    /// the bureau's published versions, else the shipped ones. A version
    /// the bureau published wins over a shipped one of the same number, as
    /// [`Store::template`] reads it for the records made with it.
    pub fn templates(&self) -> Result<Vec<Template>, StoreError> {
        let mut out = checklist::shipped();
        for t in &mut out {
            if let Some(newer) = self.published_template(&t.key, None)? {
                if newer.version >= t.version {
                    *t = newer;
                }
            }
        }
        Ok(out)
    }

    /// One version of a template (for an inspection made with it).
    pub fn template(&self, key: &str, version: u32) -> Result<Option<Template>, StoreError> {
        if let Some(t) = self.published_template(key, Some(version))? {
            return Ok(Some(t));
        }
        Ok(checklist::shipped_versions().into_iter().find(|t| t.key == key && t.version == version))
    }

    fn published_template(&self, key: &str, version: Option<u32>) -> Result<Option<Template>, StoreError> {
        let Some(doc) = self.reference(checklist::REFERENCE_KIND, key, version.map(i64::from))? else {
            return Ok(None);
        };
        // A template the bureau published but this program cannot read is
        // skipped in favour of the shipped one rather than blocking work.
        // The server numbers versions; the number inside the file is not used.
        Ok(Template::from_json(&doc.doc).ok().map(|mut t| {
            t.version = doc.entry.version as u32;
            t
        }))
    }

    /// Starts a draft inspection of an enterprise now, with the checklist
    /// of the kind's current templates laid out.
    pub fn start_inspection(&mut self, new: &NewInspection) -> Result<Inspection, StoreError> {
        let e = self
            .enterprise(new.enterprise_id)?
            .ok_or_else(|| StoreError::NotFound { what: "企业", key: new.enterprise_id.to_string() })?;
        let all = self.templates()?;
        let mut templates: Vec<Template> =
            new.kind.template_keys().iter().filter_map(|k| all.iter().find(|t| t.key == *k).cloned()).collect();
        // A re-inspection looks again at the problems the enterprise was
        // told to put right; with none waiting, it goes through the checklist.
        let mut results = Vec::new();
        if new.kind == InspectionKind::Reinspection {
            let open =
                super::rectification::CaseFilter { enterprise_id: Some(e.id), open_only: true, ..Default::default() };
            results = crate::inspection::recheck_rows(&self.cases(&open)?);
            if !results.is_empty() {
                templates.clear();
            }
        }
        if results.is_empty() {
            results = checklist_rows(new.kind, &e, &templates);
        }
        let now = self.env.now_in_china().to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
        let inspection = Inspection {
            id: self.env.new_id(),
            park_id: e.park_id,
            enterprise_id: e.id,
            enterprise_name: e.name.clone(),
            kind: new.kind,
            templates: templates.iter().map(|t| TemplateRef { key: t.key.clone(), version: t.version }).collect(),
            inspectors: new.inspectors.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
            accompanying: new.accompanying.clone().filter(|s| !s.trim().is_empty()),
            started_at: now,
            ended_at: None,
            results,
            findings: Vec::new(),
            photos: Vec::new(),
            notes: String::new(),
            signatures: Vec::new(),
            state: InspectionState::Draft,
            corrects: None,
            correction_reason: None,
            signed_at: None,
            device_id: None,
            chain_no: None,
            prev_id: None,
            prev_digest: None,
            digest: None,
            version: 0,
        };
        self.write_draft(&inspection, None)
    }

    pub fn inspection(&self, id: InspectionId) -> Result<Option<Inspection>, StoreError> {
        load(&self.conn, id)
    }

    /// Every signed inspection that stands (not replaced by a signed
    /// correction), of a park or of all, oldest first.
    pub fn standing_inspections(&self, park: Option<ParkId>) -> Result<Vec<Inspection>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT i.doc FROM inspection i
             WHERE i.state = 'signed' AND (?1 IS NULL OR i.park_id = ?1)
               AND NOT EXISTS (SELECT 1 FROM inspection c WHERE c.corrects = i.id AND c.state = 'signed')
             ORDER BY i.started_at, i.id",
        )?;
        let rows = stmt.query_map([park.map(|p| p.to_string())], |r| r.get::<_, String>(0))?;
        rows.map(|d| Ok(serde_json::from_str(&d?)?)).collect()
    }

    /// Inspections of an enterprise, or of a park, newest first.
    pub fn inspections(
        &self,
        enterprise: Option<EnterpriseId>,
        park: Option<ParkId>,
    ) -> Result<Vec<InspectionSummary>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT i.doc,
                    (SELECT c.id FROM inspection c WHERE c.corrects = i.id AND c.state = 'signed' ORDER BY c.id DESC LIMIT 1),
                    (SELECT o.state FROM outbox o WHERE o.entity = 'inspection' AND o.entity_id = i.id)
             FROM inspection i
             WHERE (?1 IS NULL OR i.enterprise_id = ?1 OR i.enterprise_id IN (SELECT merged_id FROM enterprise_merged WHERE into_id = ?1)) AND (?2 IS NULL OR i.park_id = ?2)
             ORDER BY i.started_at DESC, i.id DESC",
        )?;
        let rows = stmt.query_map(params![enterprise.map(|e| e.to_string()), park.map(|p| p.to_string())], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, Option<String>>(2)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (doc, corrected_by, sync_state) = row?;
            let i: Inspection = serde_json::from_str(&doc)?;
            out.push(InspectionSummary {
                id: i.id,
                enterprise_id: i.enterprise_id,
                enterprise_name: i.enterprise_name,
                kind: i.kind,
                state: i.state,
                started_at: i.started_at,
                signed_at: i.signed_at,
                findings: i.findings.len(),
                photos: i.photos.len(),
                corrects: i.corrects,
                corrected_by: corrected_by.and_then(|s| s.parse().ok()),
                digest: i.digest,
                sync_state,
            });
        }
        Ok(out)
    }

    /// Saves a draft or completed inspection. `i.version` is the version
    /// edited. Moving to completed requires [`Inspection::check_complete`]
    /// to pass; a signed inspection is refused.
    pub fn save_inspection(&mut self, i: &Inspection) -> Result<Inspection, StoreError> {
        let current = self
            .inspection(i.id)?
            .ok_or_else(|| StoreError::NotFound { what: "检查记录", key: i.id.to_string() })?;
        if current.state == InspectionState::Signed || i.state == InspectionState::Signed {
            return Err(StoreError::Final);
        }
        if current.version != i.version {
            return Err(StoreError::Stale { base: i.version, current: current.version });
        }
        let mut next = i.clone();
        // What identifies the record and what signing sets are not the
        // editor's to change.
        next.park_id = current.park_id;
        next.enterprise_id = current.enterprise_id;
        next.templates = current.templates.clone();
        next.corrects = current.corrects;
        next.started_at = current.started_at.clone();
        // Photos come in only through `import_photos`; a photo whose
        // finding was deleted stays, as a photo of the whole inspection.
        next.photos = current.photos.clone();
        for p in &mut next.photos {
            if p.finding_id.is_some_and(|f| !next.findings.iter().any(|x| x.id == f)) {
                p.finding_id = None;
            }
        }
        next.signatures.clear();
        (next.signed_at, next.device_id, next.chain_no, next.prev_id, next.prev_digest, next.digest) =
            (None, None, None, None, None, None);
        if next.state == InspectionState::Completed {
            let mut problems = next.check_answered();
            problems.extend(next.check_complete());
            if !problems.is_empty() {
                return Err(StoreError::Invalid(problems));
            }
        }
        self.write_draft(&next, Some(current.version))
    }

    /// Throws a draft away (a signed inspection is kept for ever).
    pub fn discard_inspection(&mut self, id: InspectionId) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let files: Vec<Sha256> = {
            let mut stmt = tx.prepare("SELECT sha256 FROM inspection_blob WHERE inspection_id = ?1")?;
            let rows = stmt.query_map([id.to_string()], |r| super::rows::parsed_at(r, 0))?;
            rows.collect::<Result<_, _>>()?
        };
        let n = tx.execute("DELETE FROM inspection WHERE id = ?1 AND state <> 'signed'", [id.to_string()])?;
        if n == 0 {
            return Err(StoreError::Final);
        }
        tx.commit()?;
        // The draft's photos go with it, unless another record names them
        // (the same picture in another inspection, a case, a file's scan).
        self.remove_unnamed(&files)
    }

    fn write_draft(&mut self, i: &Inspection, base: Option<i64>) -> Result<Inspection, StoreError> {
        let mut i = i.clone();
        i.version = base.unwrap_or(0) + 1;
        let now = self.env.now().to_rfc3339();
        let tx = self.conn.transaction()?;
        write_row(&tx, &i, &now)?;
        tx.commit()?;
        Ok(i)
    }

    /// Signs a completed inspection: stores the drawn signatures, fixes
    /// the record, links it into this device's chain and queues it for the
    /// bureau, all in one transaction.
    pub fn sign_inspection(
        &mut self,
        id: InspectionId,
        version: i64,
        signers: &[NewSignature],
    ) -> Result<Inspection, StoreError> {
        let mut i =
            self.inspection(id)?.ok_or_else(|| StoreError::NotFound { what: "检查记录", key: id.to_string() })?;
        if i.state == InspectionState::Signed {
            return Err(StoreError::Final);
        }
        if i.version != version {
            return Err(StoreError::Stale { base: version, current: i.version });
        }
        let mut problems = i.check_answered();
        problems.extend(i.check_complete());
        let now = self.env.now_in_china().to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
        let blobs = self.blobs();
        let mut signatures = Vec::new();
        for s in signers {
            let image_sha256 = match (&s.png, s.refused) {
                (Some(png), false) if !png.is_empty() => {
                    if !png.starts_with(b"\x89PNG") {
                        problems.push(FieldProblem::error("signatures", format!("{} 的签名图像不是 PNG", s.name)));
                        None
                    } else {
                        let mut w = blobs.writer()?;
                        std::io::Write::write_all(&mut w, png)?;
                        Some(w.finish(None)?.sha256)
                    }
                }
                _ => None,
            };
            signatures.push(Signature {
                role: s.role,
                name: s.name.trim().to_string(),
                image_sha256,
                refused: s.refused,
                witness: s.witness.clone().filter(|w| !w.trim().is_empty()),
                signed_at: now.clone(),
            });
        }
        problems.extend(Inspection::check_signatures(&signatures));
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems));
        }
        let device = self.device_id;
        let tx = self.conn.transaction()?;
        let head: Option<(InspectionId, Sha256, i64)> = tx
            .query_row(
                "SELECT id, digest, chain_no FROM inspection WHERE device_id = ?1 AND chain_no IS NOT NULL
                 ORDER BY chain_no DESC LIMIT 1",
                [device.to_string()],
                |r| Ok((super::rows::parsed_at(r, 0)?, super::rows::parsed_at(r, 1)?, r.get(2)?)),
            )
            .optional()?;
        i.signatures = signatures;
        i.state = InspectionState::Signed;
        i.signed_at = Some(now);
        i.device_id = Some(device);
        i.chain_no = Some(head.as_ref().map_or(1, |h| h.2 + 1));
        i.prev_id = head.as_ref().map(|h| h.0);
        i.prev_digest = head.map(|h| h.1);
        i.digest = None;
        i.digest = Some(xuncha_sync::inspection_digest(&i.record()));
        i.version += 1;
        let stamp = self.env.now().to_rfc3339();
        write_row(&tx, &i, &stamp)?;
        let record = i.record();
        let payload = serde_json::json!({ "op": "create", "fields": record });
        let mutation_id = self.env.new_id();
        outbox::append(
            &tx,
            &outbox::Mutation {
                mutation_id,
                device_id: device,
                entity: "inspection",
                entity_id: i.id.uuid(),
                base_version: 0,
                payload: &payload,
                created_at: &stamp,
            },
        )?;
        tx.commit()?;
        Ok(i)
    }

    /// Starts a correction of a signed inspection: a new draft with the
    /// original's content that names the original and why it is corrected.
    pub fn correct_inspection(&mut self, original: InspectionId, reason: &str) -> Result<Inspection, StoreError> {
        let o = self
            .inspection(original)?
            .ok_or_else(|| StoreError::NotFound { what: "检查记录", key: original.to_string() })?;
        if o.state != InspectionState::Signed {
            return Err(StoreError::Invalid(vec![FieldProblem::error(
                "corrects",
                "只有已签名的检查记录需要更正；草稿可直接修改",
            )]));
        }
        if reason.trim().is_empty() {
            return Err(StoreError::Invalid(vec![FieldProblem::error("correction_reason", "请写明更正原因")]));
        }
        let mut c = o.clone();
        c.id = self.env.new_id();
        c.corrects = Some(o.id);
        c.correction_reason = Some(reason.trim().to_string());
        c.state = InspectionState::Draft;
        c.signatures.clear();
        c.signed_at = None;
        c.device_id = None;
        c.chain_no = None;
        c.prev_id = None;
        c.prev_digest = None;
        c.digest = None;
        self.write_draft(&c, None)
    }

    /// Imports photo files into a draft: each file is processed on its own
    /// (on every core), and a bad file gets its own message without
    /// affecting the others. Photos go to `finding` when given. Files whose
    /// original is already in the inspection are reported as duplicates.
    /// The window runs the three steps itself so that the store is free
    /// while files are processed.
    pub fn import_photos(
        &mut self,
        id: InspectionId,
        finding: Option<FindingId>,
        files: &[PathBuf],
    ) -> Result<(Inspection, Vec<PhotoImport>), StoreError> {
        let batch = self.prepare_photos(id, finding, files.to_vec())?;
        self.add_photos(batch.process())
    }

    /// The first step of a photo import: checks that the draft (and the
    /// finding) can take photos and reads what their captions need.
    pub fn prepare_photos(
        &self,
        id: InspectionId,
        finding: Option<FindingId>,
        files: Vec<PathBuf>,
    ) -> Result<PhotoBatch, StoreError> {
        let i = self.photo_target(id, finding)?;
        if files.is_empty() {
            return Err(StoreError::Invalid(vec![FieldProblem::error(
                "photos",
                "所选位置没有照片文件（可导入 JPG、JPEG、PNG 照片，含子文件夹）",
            )]));
        }
        let caption = self.caption(&i)?;
        Ok(PhotoBatch { id, finding, files, caption, blobs: self.blobs() })
    }

    /// What a draft's watermarks say besides time and place: the
    /// enterprise, its address (when no GPS) and the inspectors.
    fn caption(&self, i: &Inspection) -> Result<Caption, StoreError> {
        let place = match self.enterprise(i.enterprise_id)? {
            Some(e) => e.address.filter(|a| !a.trim().is_empty()),
            None => None,
        };
        Ok(Caption { enterprise: i.enterprise_name.clone(), inspectors: i.inspectors.join("、"), place })
    }

    /// The last step of a photo import: adds the processed photos to the
    /// draft as it is now (edits saved meanwhile are kept), skipping any
    /// already in it.
    pub fn add_photos(&mut self, processed: ProcessedPhotos) -> Result<(Inspection, Vec<PhotoImport>), StoreError> {
        let ProcessedPhotos { id, finding, results } = processed;
        let mut i = self.photo_target(id, None)?;
        // A finding removed while the files were processed: its photos
        // belong to the record as a whole, as a save keeps them.
        let finding = finding.filter(|f| i.findings.iter().any(|x| x.id == *f));
        let imported_at = self.env.now_in_china().to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
        let mut report = Vec::new();
        for (file_name, result) in results {
            match result {
                Err(error) => {
                    report.push(PhotoImport { file_name, photo: None, error: Some(error), notes: Vec::new() })
                }
                Ok((p, notes)) => {
                    if let Some(same) = i.photos.iter().find(|x| x.sha256 == p.sha256) {
                        report.push(PhotoImport {
                            file_name,
                            photo: None,
                            error: Some(format!("与已导入的照片“{}”内容相同，未重复导入", same.file_name)),
                            notes: Vec::new(),
                        });
                        continue;
                    }
                    let photo = Photo {
                        id: self.env.new_id(),
                        finding_id: finding,
                        file_name: file_name.clone(),
                        imported_at: imported_at.clone(),
                        ..p
                    };
                    i.photos.push(photo.clone());
                    report.push(PhotoImport { file_name, photo: Some(photo), error: None, notes });
                }
            }
        }
        let base = i.version;
        let saved = self.write_draft(&i, Some(base))?;
        Ok((saved, report))
    }

    /// Enters the capture time of a draft's photo whose file carried none
    /// (`YYYY-MM-DDTHH:MM`, China time): the photo records who entered it
    /// and when, and its watermarked copy is made again saying the time was
    /// entered by hand. A time the camera recorded is never replaced.
    pub fn enter_photo_time(
        &mut self,
        id: InspectionId,
        photo: PhotoId,
        taken_at: &str,
    ) -> Result<Inspection, StoreError> {
        let mut i = self.photo_target(id, None)?;
        let k = i
            .photos
            .iter()
            .position(|p| p.id == photo)
            .ok_or_else(|| StoreError::NotFound { what: "照片", key: photo.to_string() })?;
        let p = &i.photos[k];
        let invalid = |message: String| StoreError::Invalid(vec![FieldProblem::error("taken_at", message)]);
        if p.taken_at.is_some() && p.time_entered.is_none() {
            return Err(invalid(format!("照片“{}”自带相机记录的拍摄时间，不能改动", p.file_name)));
        }
        let now = self.env.now_in_china();
        let typed = taken_at.trim();
        let when = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
            .iter()
            .find_map(|f| chrono::NaiveDateTime::parse_from_str(typed, f).ok())
            .ok_or_else(|| invalid(format!("拍摄时间“{typed}”不是日期和时间（如 2026-11-22 10:30）")))?;
        if when.date() < chrono::NaiveDate::from_ymd_opt(1990, 1, 1).expect("a date") {
            return Err(invalid(format!("拍摄时间“{typed}”早于 1990 年，请核对")));
        }
        if when > now.naive_local() {
            return Err(invalid(format!(
                "拍摄时间 {} 晚于现在",
                chinese_datetime(&when.format("%Y-%m-%dT%H:%M:%S").to_string())
            )));
        }
        let taken = when.format("%Y-%m-%dT%H:%M:%S").to_string();
        let blobs = self.blobs();
        let original = std::fs::read(blobs.path_of(&p.sha256))?;
        let mut meta = xuncha_photo::read_meta(&original).map_err(|e| invalid(xuncha_sync::describe(&e)))?;
        meta.taken_at = Some(taken.clone());
        let copies = xuncha_photo::render(&original, &meta, &self.caption(&i)?.lines(&meta, true))
            .map_err(|e| invalid(xuncha_sync::describe(&e)))?;
        let mut w = blobs.writer()?;
        std::io::Write::write_all(&mut w, &copies.watermarked)?;
        let watermarked = w.finish(None)?.sha256;
        let stamp = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
        let replaced = std::mem::replace(&mut i.photos[k].watermarked_sha256, watermarked);
        i.photos[k].taken_at = Some(taken);
        i.photos[k].time_entered = Some(HandEntry { by: self.operator.clone(), at: stamp });
        let base = i.version;
        let saved = self.write_draft(&i, Some(base))?;
        self.remove_unnamed(&[replaced])?;
        Ok(saved)
    }

    /// Deletes the files among `candidates` that no record names any more.
    fn remove_unnamed(&self, candidates: &[Sha256]) -> Result<(), StoreError> {
        let mut named = self.conn.prepare(
            "SELECT EXISTS (SELECT 1 FROM inspection_blob WHERE sha256 = ?1)
                 OR EXISTS (SELECT 1 FROM case_file WHERE sha256 = ?1)
                 OR EXISTS (SELECT 1 FROM archive_attachment WHERE sha256 = ?1)
                 OR EXISTS (SELECT 1 FROM facility WHERE process_diagram_sha256 = ?1)
                 OR EXISTS (SELECT 1 FROM outlet WHERE signboard_photo_sha256 = ?1)",
        )?;
        let blobs = self.blobs();
        for sha in candidates {
            if !named.query_row([sha.to_string()], |r| r.get::<_, bool>(0))? {
                blobs.remove(sha)?;
            }
        }
        Ok(())
    }

    /// The draft that photos go to, when it is still a draft and has the
    /// finding they are for.
    fn photo_target(&self, id: InspectionId, finding: Option<FindingId>) -> Result<Inspection, StoreError> {
        let i =
            self.inspection(id)?.ok_or_else(|| StoreError::NotFound { what: "检查记录", key: id.to_string() })?;
        if i.state == InspectionState::Signed {
            return Err(StoreError::Final);
        }
        if let Some(f) = finding {
            if !i.findings.iter().any(|x| x.id == f) {
                return Err(StoreError::NotFound { what: "问题", key: f.to_string() });
            }
        }
        Ok(i)
    }

    /// Checks every signed inspection on this laptop: its digest against
    /// its content, its link to the previous one of the same device, and
    /// every photo and signature file against its SHA-256.
    pub fn verify_inspections(&self) -> Result<Vec<IntegrityProblem>, StoreError> {
        let mut stmt =
            self.conn.prepare("SELECT doc FROM inspection WHERE state = 'signed' ORDER BY device_id, chain_no")?;
        let docs = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let blobs = self.blobs();
        let mut out = Vec::new();
        let mut previous: Option<Inspection> = None;
        for doc in docs {
            let doc: serde_json::Value = serde_json::from_str(&doc?)?;
            let i: Inspection = match serde_json::from_value(doc.clone()) {
                Ok(i) => i,
                Err(e) => {
                    // One record that no longer reads is itself a finding;
                    // the others are still checked.
                    let inspection_id = doc["id"].as_str().and_then(|s| s.parse().ok()).unwrap_or(InspectionId::NIL);
                    out.push(IntegrityProblem {
                        inspection_id, message: format!("记录无法读取，已被改动：{e}")
                    });
                    continue;
                }
            };
            let mut report = |message: String| out.push(IntegrityProblem { inspection_id: i.id, message });
            if i.digest != Some(xuncha_sync::inspection_digest(&i.record())) {
                report("记录内容与签名时的完整性摘要不符，已被改动".into());
            }
            let same_device = previous.as_ref().filter(|p| p.device_id == i.device_id);
            match (same_device, i.prev_id) {
                (Some(p), Some(prev)) if p.id == prev && p.digest == i.prev_digest => {}
                (None, None) if i.chain_no == Some(1) => {}
                // The predecessor came from another laptop's store or was
                // never received; the server checks the link it holds.
                (None, Some(_)) => {}
                _ => report("完整性链断裂：与本设备上一份签名记录不衔接".into()),
            }
            for sha in i.blob_hashes() {
                if blobs.path_of(&sha).exists() && !blobs.verify(&sha)? {
                    report(format!("文件 {} 与签名时的校验值不符，已被改动", sha.short(12)));
                }
            }
            previous = Some(i);
        }
        Ok(out)
    }
}

/// Writes an inspection row and its file list (insert or update; the
/// triggers refuse changing a signed one).
/// An inspection, read on any connection or inside a transaction.
pub(super) fn load(conn: &rusqlite::Connection, id: InspectionId) -> Result<Option<Inspection>, StoreError> {
    let doc: Option<String> =
        conn.query_row("SELECT doc FROM inspection WHERE id = ?1", [id.to_string()], |r| r.get(0)).optional()?;
    Ok(doc.map(|d| serde_json::from_str(&d)).transpose()?)
}

pub(super) fn write_row(tx: &rusqlite::Connection, i: &Inspection, now: &str) -> Result<(), StoreError> {
    let doc = serde_json::to_string(i)?;
    tx.execute(
        "INSERT INTO inspection (id, park_id, enterprise_id, kind, state, started_at, signed_at, corrects,
                                 device_id, chain_no, digest, doc, version, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT (id) DO UPDATE SET kind = ?4, state = ?5, signed_at = ?7, device_id = ?9, chain_no = ?10,
             digest = ?11, doc = ?12, version = ?13, updated_at = ?14",
        params![
            i.id.to_string(),
            i.park_id.to_string(),
            i.enterprise_id.to_string(),
            i.kind.as_str(),
            i.state.as_str(),
            i.started_at,
            i.signed_at,
            i.corrects.map(|c| c.to_string()),
            i.device_id.map(|d| d.to_string()),
            i.chain_no,
            i.digest.map(|d| d.to_string()),
            doc,
            i.version,
            now
        ],
    )?;
    tx.execute("DELETE FROM inspection_blob WHERE inspection_id = ?1", [i.id.to_string()])?;
    for sha in i.blob_hashes() {
        tx.execute(
            "INSERT INTO inspection_blob (inspection_id, sha256) VALUES (?1, ?2)",
            params![i.id.to_string(), sha.to_string()],
        )?;
    }
    Ok(())
}

/// Takes a signed inspection another device sent; one already here is
/// left as it is (records are insert-only).
pub(super) fn receive(tx: &rusqlite::Connection, i: &Inspection, now: &str) -> Result<(), StoreError> {
    let here: bool =
        tx.query_row("SELECT EXISTS (SELECT 1 FROM inspection WHERE id = ?1)", [i.id.to_string()], |r| r.get(0))?;
    if !here {
        write_row(tx, i, now)?;
    }
    Ok(())
}

/// Photo files checked against their draft, ready to be processed without
/// the store: `process` reads, hashes and renders them and stores the
/// results as blobs, which needs no record.
pub struct PhotoBatch {
    id: InspectionId,
    finding: Option<FindingId>,
    files: Vec<PathBuf>,
    caption: Caption,
    blobs: BlobStore,
}

impl PhotoBatch {
    pub fn process(self) -> ProcessedPhotos {
        let results = process_files(&self.blobs, &self.files, &self.caption);
        let names = self
            .files
            .iter()
            .map(|path| path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into()));
        ProcessedPhotos { id: self.id, finding: self.finding, results: names.zip(results).collect() }
    }
}

/// One file's photo with what it lacks, or why it was refused.
type FileOutcome = Result<(Photo, Vec<String>), String>;

/// Each file's name and its photo or the reason it was refused, for
/// [`Store::add_photos`].
pub struct ProcessedPhotos {
    id: InspectionId,
    finding: Option<FindingId>,
    results: Vec<(String, FileOutcome)>,
}

struct Caption {
    enterprise: String,
    inspectors: String,
    place: Option<String>,
}

impl Caption {
    /// The watermark's lines; a time entered by hand says so.
    fn lines(&self, meta: &xuncha_photo::Meta, by_hand: bool) -> Vec<String> {
        let time = match (&meta.taken_at, by_hand) {
            (Some(t), false) => format!("拍摄时间：{}", chinese_datetime(t)),
            (Some(t), true) => format!("拍摄时间：{}（手工录入）", chinese_datetime(t)),
            (None, _) => "拍摄时间：照片未记录".to_string(),
        };
        let place = match (meta.gps, &self.place) {
            (Some(g), _) => format!(
                "拍摄地点：{}{:.5}° {}{:.5}°",
                if g.longitude >= 0.0 { "东经" } else { "西经" },
                g.longitude.abs(),
                if g.latitude >= 0.0 { "北纬" } else { "南纬" },
                g.latitude.abs()
            ),
            (None, Some(address)) => format!("检查地点：{address}"),
            (None, None) => "拍摄地点：照片未记录".to_string(),
        };
        vec![time, place, format!("检查企业：{}", self.enterprise), format!("检查人员：{}", self.inspectors)]
    }
}

/// `2026-11-22T10:31:05` → `2026年11月22日 10:31:05`.
fn chinese_datetime(t: &str) -> String {
    match chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S") {
        Ok(d) => d.format("%Y年%-m月%-d日 %H:%M:%S").to_string(),
        Err(_) => t.to_string(),
    }
}

/// Processes files on every core; the results are in the files' order.
fn process_files(blobs: &BlobStore, files: &[PathBuf], caption: &Caption) -> Vec<FileOutcome> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<FileOutcome>>> = Mutex::new(vec![None; files.len()]);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(files.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                let Some(path) = files.get(k) else {
                    break;
                };
                // A decoder bug must cost one file, not the whole import.
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| process_file(blobs, path, caption)))
                    .unwrap_or_else(|_| Err("照片无法处理（解码时出错），请换一张重试".to_string()));
                results.lock().expect("no worker panics while holding the lock")[k] = Some(r);
            });
        }
    });
    results.into_inner().expect("workers are done").into_iter().map(|r| r.expect("every file was processed")).collect()
}

/// Reads, hashes, checks and renders one file and stores the original and
/// its copies as blobs. Returns a photo without id, finding and import time,
/// and what it lacks and why.
fn process_file(blobs: &BlobStore, path: &Path, caption: &Caption) -> FileOutcome {
    let size = std::fs::metadata(path).map_err(|e| read_error(&e))?.len();
    if size > MAX_PHOTO_BYTES {
        return Err(format!("文件过大（{} MB），超过 80 MB 的上限", size / (1024 * 1024)));
    }
    let bytes = std::fs::read(path).map_err(|e| read_error(&e))?;
    let meta = xuncha_photo::read_meta(&bytes).map_err(|e| xuncha_sync::describe(&e))?;
    let r = xuncha_photo::render(&bytes, &meta, &caption.lines(&meta, false)).map_err(|e| xuncha_sync::describe(&e))?;
    let put = |data: &[u8]| -> Result<Sha256, String> {
        let mut w = blobs.writer().map_err(|e| format!("保存照片失败：{e}"))?;
        std::io::Write::write_all(&mut w, data).map_err(|e| format!("保存照片失败：{e}"))?;
        w.finish(None).map(|b| b.sha256).map_err(|e| format!("保存照片失败：{e}"))
    };
    let sha256 = put(&bytes)?;
    let (width, height) = meta.upright_size();
    let notes = match (meta.missing_time, meta.missing_place) {
        // One reason for both is said once.
        (Some(Missing::NoExif), Some(Missing::NoExif)) => {
            vec![format!("未读到拍摄时间和地点：{}", Missing::NoExif.time_reason())]
        }
        (time, place) => time
            .map(|m| format!("未读到拍摄时间：{}", m.time_reason()))
            .into_iter()
            .chain(place.map(|m| format!("未读到拍摄地点：{}", m.place_reason())))
            .collect(),
    };
    let photo = Photo {
        id: PhotoId::NIL,
        finding_id: None,
        sha256,
        file_name: String::new(),
        size,
        taken_at: meta.taken_at.clone(),
        time_entered: None,
        latitude: meta.gps.map(|g| g.latitude),
        longitude: meta.gps.map(|g| g.longitude),
        width,
        height,
        rendition_sha256: put(&r.rendition)?,
        thumbnail_sha256: put(&r.thumbnail)?,
        watermarked_sha256: put(&r.watermarked)?,
        imported_at: String::new(),
    };
    Ok((photo, notes))
}

fn read_error(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "文件不存在".into(),
        std::io::ErrorKind::PermissionDenied => "没有读取该文件的权限".into(),
        _ => format!("无法读取文件（{e}）"),
    }
}

/// The photo files the user chose: files as they are, folders expanded to
/// the photos in them and their subfolders.
pub fn photo_files(chosen: &[PathBuf]) -> Result<Vec<PathBuf>, StoreError> {
    let mut files = Vec::new();
    for p in chosen {
        if p.is_dir() {
            files.extend(photo_files_in(p)?);
        } else {
            files.push(p.clone());
        }
    }
    Ok(files)
}

/// The photo files in a folder and its subfolders (a camera card keeps
/// them under `DCIM/…`), sorted by path; hidden files are skipped.
pub fn photo_files_in(folder: &Path) -> Result<Vec<PathBuf>, StoreError> {
    let mut out = Vec::new();
    let mut stack = vec![folder.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                stack.push(path);
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| PHOTO_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}
