use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use xuncha_core::{Env, Store};

/// A deterministic environment: 2026-11-22 08:00 UTC and a seed.
pub fn env(seed: u64) -> Env {
    Env::fixed(Utc.with_ymd_and_hms(2026, 11, 22, 8, 0, 0).unwrap(), seed)
}

/// A store in a real file under a fresh temporary directory.
pub fn store(dir: &tempfile::TempDir) -> Store {
    Store::open(dir.path().join("xuncha.db"), env(1)).expect("store opens")
}

/// A store with the sample parks loaded.
pub fn sample_store(dir: &tempfile::TempDir) -> Store {
    let mut s = store(dir);
    xuncha_core::sample::load_sample(&mut s).expect("sample loads");
    s
}

pub fn write_csv(dir: &Path, name: &str, rows: &[&[&str]]) -> PathBuf {
    let path = dir.join(name);
    let mut w = csv::Writer::from_path(&path).unwrap();
    for r in rows {
        w.write_record(*r).unwrap();
    }
    w.flush().unwrap();
    path
}

pub fn outbox_len(store: &Store) -> usize {
    store.outbox().unwrap().len()
}

/// Puts a block of numbers 1–30 of `series` for 2026 into the store in
/// `dir`, as a sync would have leased it.
pub fn lease(dir: &tempfile::TempDir, series: &str, prefix: &str) {
    rusqlite::Connection::open(dir.path().join("xuncha.db"))
        .unwrap()
        .execute(
            "INSERT INTO number_block (block_id, series, prefix, year, first, last, next, leased_at)
             VALUES (?1, ?1, ?2, 2026, 1, 30, 1, '2026-11-22T08:00:00Z')",
            [series, prefix],
        )
        .unwrap();
}

/// A notice of every general and serious finding of `inspection`, with the
/// sample office's settings, approved by `reviewed_by`.
pub fn notice_request(
    inspection: xuncha_core::InspectionId,
    reviewed_by: &str,
) -> xuncha_core::store::notice::NewNotice {
    xuncha_core::store::notice::NewNotice {
        inspection_id: inspection,
        series: "notice".into(),
        finding_ids: Vec::new(),
        laws: "《中华人民共和国水污染防治法》".into(),
        plan_due: "2026-12-07".into(),
        office: xuncha_core::sample::notice_office(),
        case_id: None,
        reviewed_by: reviewed_by.into(),
        responsible: String::new(),
    }
}
