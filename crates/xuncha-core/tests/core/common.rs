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
