use xuncha_core::ident::Severity;
use xuncha_core::overview;
use xuncha_core::sample::{load_sample, sample_data};

use crate::common::{outbox_len, sample_store};

#[test]
fn loading_the_sample_twice_changes_nothing_the_second_time() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = sample_store(&dir);
    let before = outbox_len(&s);
    assert_eq!(before, 60, "10 parks and 50 enterprises, one change each");
    let again = load_sample(&mut s).unwrap();
    assert_eq!((again.parks, again.enterprises, again.changes), (10, 50, 0));
    assert_eq!(outbox_len(&s), before);
}

#[test]
fn every_sample_file_passes_the_checks_that_block_saves() {
    for p in sample_data().parks {
        for e in p.enterprises {
            let errors: Vec<_> = e.check().into_iter().filter(|p| p.severity == Severity::Error).collect();
            assert!(errors.is_empty(), "{}: {errors:?}", e.name);
        }
    }
}

#[test]
fn the_park_overview_counts_the_sample_park() {
    let dir = tempfile::tempdir().unwrap();
    let s = sample_store(&dir);
    let parks = overview::overview(&s).unwrap();
    let qidong = parks.iter().find(|p| p.code.as_deref() == Some("S437012")).unwrap();
    assert_eq!(qidong.enterprises, 50);
    assert_eq!(qidong.by_status["正常投产"], 44);
    assert_eq!(qidong.by_status["在建"], 6);
    assert_eq!(qidong.by_tier["A"], 1);
    let cod = qidong.quotas.iter().find(|q| q.pollutant == "COD").unwrap();
    assert_eq!(
        (cod.quota_tpa.as_deref(), cod.actual_tpa.as_deref(), cod.year),
        (Some("300"), Some("90.59"), Some(2024))
    );
    assert_eq!(cod.percent, Some(30.2));
}
