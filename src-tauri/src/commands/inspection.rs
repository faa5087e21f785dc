//! Inspections: checklists, the patrol plan, records, photos, signatures.

use std::path::PathBuf;

use tauri::AppHandle;
use xuncha_core::api::{ApiError, ErrorCode, PhotosImported};
use xuncha_core::brief::BriefItem;
use xuncha_core::checklist::Template;
use xuncha_core::id::*;
use xuncha_core::inspection::Inspection;
use xuncha_core::store::inspection::{photo_files, InspectionSummary, NewInspection, NewSignature};
use xuncha_core::store::patrol::PatrolPlan;

use super::{checked_sha256, off_main, today, with_store, Answer};

#[tauri::command]
pub async fn checklist_templates(app: AppHandle) -> Answer<Vec<Template>> {
    with_store(app, |s| Ok(s.templates()?)).await
}

#[tauri::command]
pub async fn patrol_plan(app: AppHandle, park: ParkId) -> Answer<PatrolPlan> {
    with_store(app, move |s| Ok(s.patrol_plan(park, today())?)).await
}

#[tauri::command]
pub async fn brief(app: AppHandle, enterprise: EnterpriseId) -> Answer<Vec<BriefItem>> {
    with_store(app, move |s| Ok(s.brief(enterprise, today())?)).await
}

#[tauri::command]
pub async fn inspections(
    app: AppHandle,
    enterprise: Option<EnterpriseId>,
    park: Option<ParkId>,
) -> Answer<Vec<InspectionSummary>> {
    with_store(app, move |s| Ok(s.inspections(enterprise, park)?)).await
}

#[tauri::command]
pub async fn start_inspection(app: AppHandle, new: NewInspection) -> Answer<Inspection> {
    with_store(app, move |s| Ok(s.start_inspection(&new)?)).await
}

#[tauri::command]
pub async fn inspection(app: AppHandle, id: InspectionId) -> Answer<Inspection> {
    with_store(app, move |s| s.inspection(id)?.ok_or_else(|| ApiError::new(ErrorCode::NotFound, "未找到该检查记录")))
        .await
}

#[tauri::command]
pub async fn save_inspection(app: AppHandle, inspection: Inspection) -> Answer<Inspection> {
    with_store(app, move |s| Ok(s.save_inspection(&inspection)?)).await
}

#[tauri::command]
pub async fn discard_inspection(app: AppHandle, id: InspectionId) -> Answer<()> {
    with_store(app, move |s| Ok(s.discard_inspection(id)?)).await
}

#[tauri::command]
pub async fn enter_photo_time(
    app: AppHandle,
    id: InspectionId,
    photo: PhotoId,
    taken_at: String,
) -> Answer<Inspection> {
    with_store(app, move |s| Ok(s.enter_photo_time(id, photo, &taken_at)?)).await
}

#[tauri::command]
pub async fn sign_inspection(
    app: AppHandle,
    id: InspectionId,
    version: i64,
    signers: Vec<NewSignature>,
) -> Answer<Inspection> {
    with_store(app, move |s| Ok(s.sign_inspection(id, version, &signers)?)).await
}

#[tauri::command]
pub async fn correct_inspection(app: AppHandle, id: InspectionId, reason: String) -> Answer<Inspection> {
    with_store(app, move |s| Ok(s.correct_inspection(id, &reason)?)).await
}

/// Imports photo files, or every photo in a folder and its subfolders. The
/// folders are walked and the files processed without holding the store,
/// which a camera card would keep from every other command for minutes.
#[tauri::command]
pub async fn import_photos(
    app: AppHandle,
    id: InspectionId,
    finding: Option<FindingId>,
    paths: Vec<String>,
) -> Answer<PhotosImported> {
    let files = off_main(move || Ok(photo_files(&paths.into_iter().map(PathBuf::from).collect::<Vec<_>>())?)).await?;
    let batch = with_store(app.clone(), move |s| Ok(s.prepare_photos(id, finding, files)?)).await?;
    let processed = off_main(move || Ok(batch.process())).await?;
    with_store(app, move |s| {
        let (inspection, report) = s.add_photos(processed)?;
        Ok(PhotosImported { inspection, report })
    })
    .await
}

/// A stored file's bytes (photo renditions, signatures), for display.
#[tauri::command]
pub async fn blob_bytes(app: AppHandle, sha256: String) -> Answer<tauri::ipc::Response> {
    let path = with_store(app, move |s| Ok(s.blobs().path_of(&checked_sha256(&sha256)?))).await?;
    let bytes =
        std::fs::read(path).map_err(|_| ApiError::new(ErrorCode::NotFound, "本机还没有这个文件，同步后即可查看"))?;
    Ok(tauri::ipc::Response::new(bytes))
}
