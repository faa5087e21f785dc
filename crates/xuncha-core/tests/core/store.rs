use proptest::prelude::*;
use rand::{rngs::StdRng, Rng, SeedableRng};
use sha2::{Digest, Sha256};
use uuid::Uuid;
use xuncha_core::enterprise::*;
use xuncha_core::park::Park;
use xuncha_core::store::StoreError;
use xuncha_core::{Enterprise, ParkId, Store};

use crate::common::{env, outbox_len, sample_store, store};

fn new_enterprise(store: &mut Store, park: ParkId, name: &str) -> Enterprise {
    let id = store.new_id();
    let mut e = Enterprise::new(id, park, name);
    e.management_category = Some(ManagementCategory::Registration);
    e
}

fn one_park(store: &mut Store) -> ParkId {
    let mut p = Park::new(store.new_id(), "测试园区");
    p.code = Some("S437012".into());
    store.save_park(&p).unwrap();
    p.id
}

#[test]
fn the_store_file_uses_wal_full_sync_and_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir);
    let mode: String = s.conn().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    let sync: i64 = s.conn().query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
    let fk: i64 = s.conn().query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(sync, 2, "FULL: a confirmed save survives a power cut");
    assert_eq!(fk, 1);
    assert!(dir.path().join("xuncha.db").exists(), "a real file, not memory");
}

#[test]
fn a_saved_file_reads_back_identically_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let (id, saved) = {
        let mut s = store(&dir);
        let park = one_park(&mut s);
        let e = random_enterprise(&mut s, park, &mut StdRng::seed_from_u64(3));
        let saved = s.save_enterprise(&e).unwrap();
        (e.id, Enterprise { version: saved.version, ..e })
    };
    let s = Store::open(dir.path().join("xuncha.db"), env(2)).unwrap();
    assert_eq!(s.enterprise(id).unwrap().as_ref(), Some(&saved));
}

#[test]
fn each_save_appends_one_outbox_entry_with_the_changed_fields_and_their_hash() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    let park = one_park(&mut s);
    let mut e = new_enterprise(&mut s, park, "湖南领湃新能源科技有限公司");
    let saved = s.save_enterprise(&e).unwrap();
    e.version = saved.version;
    e.contacts.push(Contact {
        id: s.new_id(),
        role: CONTACT_ROLE_ENVIRONMENT.into(),
        name: "李明".into(),
        phone: Some("13800000000".into()),
        note: None,
    });
    let saved = s.save_enterprise(&e).unwrap();
    assert_eq!(saved.changed, vec!["contacts"]);
    let outbox = s.outbox().unwrap();
    let last = outbox.last().unwrap();
    assert_eq!(last.entity, "enterprise");
    assert_eq!(last.entity_id, e.id.uuid());
    assert_eq!(last.base_version, 0, "the base is the server version edited, and this file was never synced");
    assert_eq!(last.payload["op"], "update");
    assert_eq!(last.payload["fields"].as_object().unwrap().keys().collect::<Vec<_>>(), vec!["contacts"]);
    let text = serde_json::to_string(&last.payload).unwrap();
    assert_eq!(last.payload_hash, hex::encode(Sha256::digest(text.as_bytes())));
    assert_eq!(last.device_id, s.device_id());
    assert_eq!(last.mutation_id.get_version_num(), 7, "mutation ids are UUIDv7");
}

#[test]
fn saving_an_unchanged_file_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = sample_store(&dir);
    let before = outbox_len(&s);
    let e = s.find_enterprise("91430426MA4QA91117").unwrap().unwrap();
    let saved = s.save_enterprise(&e).unwrap();
    assert!(saved.changed.is_empty());
    assert_eq!(saved.seq, None);
    assert_eq!(outbox_len(&s), before);
}

/// A random edit of a random kind; some leave the file as it was.
fn random_edit(s: &mut Store, e: &mut Enterprise, rng: &mut StdRng) {
    match rng.gen_range(0..6) {
        0 => e.industry = Some(["食品制造业", "金属制品业", "医药制造业"][rng.gen_range(0..3)].into()),
        1 => e.legal_representative = Some(format!("张{}", rng.gen_range(0..3))),
        2 => {
            let id = s.new_id();
            e.contacts = vec![Contact {
                id,
                role: CONTACT_ROLE_ENVIRONMENT.into(),
                name: "王芳".into(),
                phone: Some(format!("1390000{:04}", rng.gen_range(0..3))),
                note: None,
            }];
        }
        3 => e.tier_override = Some(TierOverride { tier: Tier::A, reason: "群众投诉较多".into() }),
        4 => e.status = EnterpriseStatus::ALL[rng.gen_range(0..2)],
        _ => {} // An edit that changes nothing.
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]
    #[test]
    fn n_effective_edits_leave_exactly_n_dense_outbox_entries(seed in any::<u64>(), edits in 1usize..40) {
        let dir = tempfile::tempdir().unwrap();
        let mut s = store(&dir);
        let park = one_park(&mut s);
        let mut rng = StdRng::seed_from_u64(seed);
        let mut files: Vec<Enterprise> = (0..3).map(|i| {
            let mut e = new_enterprise(&mut s, park, &format!("企业{i}"));
            e.version = s.save_enterprise(&e).unwrap().version;
            e
        }).collect();
        let start = outbox_len(&s);
        let mut effective = 0;
        for _ in 0..edits {
            let i = rng.gen_range(0..files.len());
            let mut e = files[i].clone();
            random_edit(&mut s, &mut e, &mut rng);
            let saved = s.save_enterprise(&e).unwrap();
            if saved.seq.is_some() { effective += 1; }
            prop_assert_eq!(saved.seq.is_some(), !saved.changed.is_empty());
            e.version = saved.version;
            files[i] = e;
        }
        let outbox = s.outbox().unwrap();
        prop_assert_eq!(outbox.len() - start, effective);
        for (i, entry) in outbox.iter().enumerate() {
            prop_assert_eq!(entry.seq, i as i64 + 1, "sequence numbers are dense from 1");
        }
        // Nothing was synced: every edit starts from server version 0,
        // and each file has as many entries as its local version.
        for f in &files {
            let bases: Vec<i64> = outbox.iter().filter(|x| x.entity_id == f.id.uuid()).map(|x| x.base_version).collect();
            prop_assert_eq!(bases, vec![0; f.version as usize]);
        }
    }

    #[test]
    fn any_enterprise_file_round_trips_through_the_store(seed in any::<u64>()) {
        let dir = tempfile::tempdir().unwrap();
        let mut s = store(&dir);
        let park = one_park(&mut s);
        let e = random_enterprise(&mut s, park, &mut StdRng::seed_from_u64(seed));
        let saved = s.save_enterprise(&e).unwrap();
        let back = s.enterprise(e.id).unwrap().unwrap();
        prop_assert_eq!(back, Enterprise { version: saved.version, ..e });
    }
}

#[test]
fn a_write_that_fails_part_way_leaves_neither_rows_nor_outbox_entries() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    let park = one_park(&mut s);
    let before = outbox_len(&s);
    let good = new_enterprise(&mut s, park, "第一家");
    let mut bad = new_enterprise(&mut s, park, "第二家");
    bad.credit_code = Some("9143".into());
    let result = s.write(|w| {
        w.save_enterprise(&good)?;
        w.save_enterprise(&bad)
    });
    assert!(matches!(result, Err(StoreError::Invalid(_))));
    assert!(s.enterprise(good.id).unwrap().is_none(), "the first save of the failed write was rolled back");
    assert_eq!(outbox_len(&s), before, "and so was its outbox entry");
}

#[test]
fn a_write_interrupted_by_a_crash_leaves_nothing() {
    // The child process starts a write, saves a file inside it and dies
    // without committing, as a laptop does when its battery runs out.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("xuncha.db");
    {
        let mut s = Store::open(&path, env(1)).unwrap();
        one_park(&mut s);
    }
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "store::crash_child", "--nocapture"])
        .env("XUNCHA_CRASH_DB", &path)
        .output()
        .unwrap();
    assert!(!output.status.success(), "the child must die mid-write");
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(said.contains("saved 50 files, not committed"), "the child got as far as its writes: {said}");
    let s = Store::open(&path, env(2)).unwrap();
    assert_eq!(s.enterprise_ids(None).unwrap().len(), 0, "no rows of the uncommitted write");
    assert_eq!(outbox_len(&s), 1, "only the park's entry; none from the uncommitted write");
    let ok: String = s.conn().query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok");
}

/// The child of `a_write_interrupted_by_a_crash_leaves_nothing`; without
/// its environment variable it has nothing to do.
#[test]
fn crash_child() {
    let Some(path) = std::env::var_os("XUNCHA_CRASH_DB") else { return };
    let mut s = Store::open(&path, env(3)).unwrap();
    let park = s.parks().unwrap()[0].id;
    let _: Result<(), StoreError> = s.write(|w| {
        for i in 0..50 {
            let id = w.new_id();
            let mut e = Enterprise::new(id, park, format!("企业{i}"));
            e.management_category = Some(ManagementCategory::Key);
            w.save_enterprise(&e)?;
        }
        println!("saved 50 files, not committed");
        std::process::abort();
    });
}

#[test]
fn an_invalid_credit_code_is_refused_with_the_reason_and_nothing_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = sample_store(&dir);
    let before = outbox_len(&s);
    let mut e = s.find_enterprise("91430426MA4QA91117").unwrap().unwrap();
    e.credit_code = Some("91430426MA4QA9111I".into());
    let err = s.save_enterprise(&e).unwrap_err();
    let StoreError::Invalid(problems) = &err else { panic!("expected a validation error, got {err}") };
    assert_eq!(problems[0].field, "credit_code");
    assert!(err.to_string().contains("第18位“I”"), "the user is told which character is wrong: {err}");
    assert_eq!(outbox_len(&s), before);
    assert_eq!(
        s.find_enterprise("91430426MA4QA91117").unwrap().unwrap().credit_code.as_deref(),
        Some("91430426MA4QA91117")
    );
}

#[test]
fn a_checksum_failure_is_saved_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = sample_store(&dir);
    let mut e = s.find_enterprise("湖南天驰高分子新材料有限公司").unwrap().unwrap();
    e.credit_code = Some("91430426MA4QA91118".into());
    let saved = s.save_enterprise(&e).unwrap();
    assert_eq!(saved.changed, vec!["credit_code"]);
    assert!(saved
        .warnings
        .iter()
        .any(|w| w.field == "credit_code" && w.severity == xuncha_core::ident::Severity::Warning));
}

#[test]
fn an_edit_of_an_old_version_is_refused_as_stale() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = sample_store(&dir);
    let original = s.find_enterprise("91430426MA4QA91117").unwrap().unwrap();
    let mut first = original.clone();
    first.legal_representative = Some("甲".into());
    s.save_enterprise(&first).unwrap();
    let mut second = original;
    second.legal_representative = Some("乙".into());
    match s.save_enterprise(&second) {
        Err(StoreError::Stale { base, current }) => assert_eq!((base, current), (1, 2)),
        other => panic!("a second edit of version 1 must not overwrite the first: {other:?}"),
    }
}

#[test]
fn two_files_cannot_share_a_credit_code() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = sample_store(&dir);
    let park = s.parks().unwrap()[0].id;
    let mut e = new_enterprise(&mut s, park, "冒用代码的企业");
    e.credit_code = Some("91430426MA4QA91117".into());
    let err = s.save_enterprise(&e).unwrap_err();
    assert!(err.to_string().contains("湖南领湃新能源科技有限公司"), "{err}");
}

#[test]
fn the_tier_follows_the_category_unless_a_supervisor_overrides_it_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = sample_store(&dir);
    let mut e = s.find_enterprise("湖南顺隆能源有限公司").unwrap().unwrap();
    assert_eq!(e.management_category, Some(ManagementCategory::Key));
    assert_eq!(e.tier(), Some(Tier::A), "重点 means A");
    e.tier_override = Some(TierOverride { tier: Tier::B, reason: " ".into() });
    assert!(matches!(s.save_enterprise(&e), Err(StoreError::Invalid(_))), "an override needs a reason");
    e.tier_override = Some(TierOverride { tier: Tier::B, reason: "已停产待搬迁".into() });
    s.save_enterprise(&e).unwrap();
    let back = s.find_enterprise("湖南顺隆能源有限公司").unwrap().unwrap();
    assert_eq!(back.tier(), Some(Tier::B));
    assert_eq!(back.tier_override.unwrap().reason, "已停产待搬迁");
}

#[test]
fn ids_made_in_one_millisecond_still_sort_in_order() {
    let mut e = env(9);
    let ids: Vec<Uuid> = (0..1000).map(|_| e.new_id()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "a frozen clock must not scramble creation order");
    assert!(ids.iter().all(|i| i.get_version_num() == 7));
}

/// A random file hash, or none.
fn opt_sha(rng: &mut StdRng) -> Option<xuncha_core::Sha256> {
    rng.gen_bool(0.5).then(|| xuncha_core::Sha256::from(rng.gen::<[u8; 32]>()))
}

fn opt(rng: &mut StdRng, s: &str) -> Option<String> {
    rng.gen_bool(0.5).then(|| format!("{s}{}", rng.gen_range(0..1000)))
}

/// An enterprise file with every kind of child record, randomly filled.
fn random_enterprise(s: &mut Store, park: ParkId, rng: &mut StdRng) -> Enterprise {
    let mut e = new_enterprise(s, park, "湖南随机测试科技有限公司");
    e.credit_code = rng.gen_bool(0.5).then(|| "91430426MA4QA91117".into());
    e.legal_representative = opt(rng, "法人");
    e.industry = opt(rng, "行业");
    e.address = opt(rng, "祁东县归阳镇");
    e.longitude = rng.gen_bool(0.5).then_some(112.1234);
    e.latitude = rng.gen_bool(0.5).then_some(26.789);
    e.status = EnterpriseStatus::ALL[rng.gen_range(0..5)];
    e.management_category = rng.gen_bool(0.8).then(|| ManagementCategory::ALL[rng.gen_range(0..3)]);
    e.tier_override = rng.gen_bool(0.3).then(|| TierOverride { tier: Tier::A, reason: "理由".into() });
    e.permit_held = [None, Some(true), Some(false)][rng.gen_range(0..3)];
    for i in 0..rng.gen_range(0..4) {
        e.eia_approvals.push(EiaApproval {
            id: s.new_id(),
            doc_number: format!("祁环评[20{}]{i}号", rng.gen_range(10..25)),
            authority: opt(rng, "衡阳市生态环境局"),
            approved_on: opt(rng, "2019-05-"),
            project: opt(rng, "项目"),
            acceptance: [Acceptance::Done, Acceptance::NotDone, Acceptance::NotRequired, Acceptance::Unknown]
                [rng.gen_range(0..4)],
            accepted_on: opt(rng, "2020-"),
        });
    }
    e.emergency_plan = EmergencyPlan {
        required: [None, Some(true), Some(false)][rng.gen_range(0..3)],
        filing_number: rng.gen_bool(0.5).then(|| "430426-2022-062-M".into()),
        filed_on: opt(rng, "2022-"),
        last_drill_on: opt(rng, "2024-"),
    };
    if rng.gen_bool(0.5) {
        e.permits.push(DischargePermit {
            id: s.new_id(),
            kind: PermitKind::Permit,
            number: "91430426MA4QA91117001U".into(),
            issued_on: opt(rng, "2020-"),
            expires_on: opt(rng, "2025-"),
        });
    }
    for kind in [FacilityKind::Wastewater, FacilityKind::WasteGas] {
        if rng.gen_bool(0.7) {
            e.facilities.push(Facility {
                id: s.new_id(),
                kind,
                name: "处理设施".into(),
                discharge_standard: opt(rng, "GB 8978-1996"),
                discharge_destination: opt(rng, "园区管网"),
                design_capacity: opt(rng, "吨/日"),
                actual_capacity: opt(rng, "吨/日"),
                power_mode: opt(rng, "电"),
                online_monitoring: [None, Some(true), Some(false)][rng.gen_range(0..3)],
                online_factors: opt(rng, "COD"),
                removal_efficiency: opt(rng, "%"),
                process: opt(rng, "工艺"),
                process_diagram_sha256: opt_sha(rng),
                dosing_mode: opt(rng, "自动"),
                dosing_amount: opt(rng, "kg"),
                consumables_replacement: opt(rng, "每月"),
                sludge_press_frequency: opt(rng, "每周"),
                waste_disposal: opt(rng, "外委"),
            });
        }
    }
    for kind in [OutletKind::Wastewater, OutletKind::WasteGas, OutletKind::Rainwater] {
        if rng.gen_bool(0.5) {
            e.outlets.push(Outlet {
                id: s.new_id(),
                kind,
                code: opt(rng, "DW"),
                location: opt(rng, "厂区东侧"),
                longitude: Some(112.5),
                latitude: None,
                signboard_photo_sha256: opt_sha(rng),
            });
        }
    }
    for year in 2022..2022 + rng.gen_range(0..3) {
        e.solid_waste.push(SolidWasteYear {
            id: s.new_id(),
            year,
            general: WasteAmounts {
                produced: Some("0.40".into()),
                self_utilised: Some("0".into()),
                self_disposed: None,
                entrusted: Some("0.40".into()),
            },
            hazardous: WasteAmounts { produced: Some("18.04".into()), ..Default::default() },
            on_transfer_list: [None, Some(true), Some(false)][rng.gen_range(0..3)],
        });
    }
    for item in e.archive.iter_mut() {
        if !rng.gen_bool(0.3) {
            continue;
        }
        item.on_file = true;
        item.doc_date = opt(rng, "2024-");
        item.note = opt(rng, "备注");
        item.attachments.push(Attachment {
            id: s.new_id(),
            file_name: "扫描件.pdf".into(),
            sha256: "ef".repeat(32).parse().unwrap(),
            size: 1024,
            added_at: "2026-11-22T08:00:00+00:00".into(),
        });
    }
    if rng.gen_bool(0.5) {
        e.contacts.push(Contact {
            id: s.new_id(),
            role: CONTACT_ROLE_ENVIRONMENT.into(),
            name: "赵六".into(),
            phone: opt(rng, "138"),
            note: opt(rng, ""),
        });
    }
    if rng.gen_bool(0.5) {
        e.aliases.push("湖南随机测试有限公司".into());
    }
    if rng.gen_bool(0.5) {
        e.source_flags.push(SourceFlag {
            field: "行业类别".into(),
            raw: "/".into(),
            message: "行业类别填写为“/”".into(),
        });
    }
    e
}

#[test]
fn an_attached_scan_is_stored_once_by_its_hash_and_marks_the_item_on_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = sample_store(&dir);
    let e = s.find_enterprise("91430426MA4QA91117").unwrap().unwrap();
    let scan = dir.path().join("环评批复.pdf");
    let bytes = b"%PDF-1.4 scanned approval".to_vec();
    std::fs::write(&scan, &bytes).unwrap();
    let before = outbox_len(&s);
    let (a, added) = s.attach_archive_file(e.id, 2, &scan).unwrap();
    assert!(added);
    assert_eq!(a.sha256.hex(), hex::encode(Sha256::digest(&bytes)));
    assert_eq!(a.size, bytes.len() as u64);
    let stored = s.blobs().path_of(&a.sha256);
    assert_eq!(std::fs::read(&stored).unwrap(), bytes, "the original bytes, unchanged");
    let item = &s.enterprise(e.id).unwrap().unwrap().archive[1];
    assert!(item.on_file);
    assert_eq!(item.attachments, vec![a.clone()]);
    assert_eq!(outbox_len(&s), before + 1);
    let (_, again) = s.attach_archive_file(e.id, 2, &scan).unwrap();
    assert!(!again, "the same content is not attached twice");
    assert_eq!(outbox_len(&s), before + 1);
    // A flipped bit in the stored copy is caught.
    let mut damaged = bytes.clone();
    damaged[3] ^= 1;
    let mut perms = std::fs::metadata(&stored).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&stored, perms).unwrap();
    std::fs::write(&stored, &damaged).unwrap();
    assert!(!s.blobs().verify(&a.sha256).unwrap());
}

#[test]
fn empty_missing_and_misnumbered_attachments_are_refused_without_a_change() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = sample_store(&dir);
    let e = s.find_enterprise("91430426MA4QA91117").unwrap().unwrap();
    let before = outbox_len(&s);
    let empty = dir.path().join("空白.pdf");
    std::fs::write(&empty, b"").unwrap();
    let err = s.attach_archive_file(e.id, 3, &empty).unwrap_err();
    assert!(err.to_string().contains("为空"), "{err}");
    let err = s.attach_archive_file(e.id, 3, &dir.path().join("不存在.pdf")).unwrap_err();
    assert!(err.to_string().contains("不存在"), "{err}");
    std::fs::write(&empty, b"x").unwrap();
    let err = s.attach_archive_file(e.id, 34, &empty).unwrap_err();
    assert!(err.to_string().contains("没有第34项"), "{err}");
    assert_eq!(outbox_len(&s), before);
    assert_eq!(s.enterprise(e.id).unwrap().unwrap(), e, "the file is as it was");
}
