//! Checklists, inspections, signing, corrections, the integrity chain,
//! photos, the patrol plan and the pre-visit brief.

use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::json;
use uuid::Uuid;
use xuncha_core::checklist::{self, Template};
use xuncha_core::enterprise::{Facility, ManagementCategory, Tier, TierOverride};
use xuncha_core::env::FixedClock;
use xuncha_core::inspection::{
    checklist_rows, Finding, FindingSeverity, Inspection, InspectionKind, InspectionState, ItemOutcome, SignerRole,
};
use xuncha_core::patrol::{self, add_months, count_periods, screening_rounds, DueStatus};
use xuncha_core::store::inspection::{photo_files, photo_files_in, NewInspection, NewSignature};
use xuncha_core::{Enterprise, EnterpriseId, Store, StoreError};
use xuncha_photo::synth::{jpeg, scene, with_exif, Exif};

use crate::common::sample_store;

/// 湖南顺隆能源有限公司: the sample park's one key-management (A-tier) enterprise.
const SHUNLONG: &str = "01941f29-7c03-7fc1-ae5e-4c5aa72aa543";

/// A distinct id for records made by hand in a test.
fn fresh<I: From<Uuid>>() -> I {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    I::from(Uuid::from_u128(u128::from(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))))
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn set_clock(store: &mut Store, y: i32, m: u32, day: u32) {
    // 02:00 UTC is 10:00 in China, the same calendar day.
    store.env().clock = Box::new(FixedClock(Utc.with_ymd_and_hms(y, m, day, 2, 0, 0).unwrap()));
}

fn facility(kind: &str, name: &str) -> Facility {
    serde_json::from_value(json!({
        "id": fresh::<Uuid>(), "kind": kind, "name": name,
        "discharge_standard": "GB 8978-1996 三级", "design_capacity": "50", "power_mode": "电",
        "online_monitoring": true, "online_factors": "COD、氨氮", "process_diagram_sha256": null
    }))
    .unwrap()
}

/// Table G.1 as the source prints it: the first shipped version.
fn g1() -> Template {
    checklist::shipped_versions().into_iter().find(|t| t.key == checklist::ENTERPRISE_PROBLEMS).unwrap()
}

#[test]
fn the_shipped_g1_checklist_has_every_category_and_item_of_the_source() {
    let t = g1();
    // 004 table G.1: seven categories with 10, 7, 8, 4, 3, 5 and 3 items.
    let titles: Vec<&str> = t.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "入驻企业环保基本信息",
            "污染防治设施运行",
            "自行监测",
            "环境管理台账",
            "信息公开",
            "内部环境管理体系建设与运行",
            "其他"
        ]
    );
    let counts: Vec<usize> = t.sections.iter().map(|s| s.items.len()).collect();
    assert_eq!(counts, [10, 7, 8, 4, 3, 5, 3]);
    let source = std::fs::read_to_string("../../../shared/seeds/004_e3122141fd37b3e4.txt")
        .expect("the seeds are beside the project");
    for item in t.sections.iter().flat_map(|s| &s.items).filter(|i| i.text != "其他") {
        assert!(source.contains(&item.text), "{} “{}” is not worded as in the source", item.code, item.text);
    }
    for item in t.sections.iter().flat_map(|s| &s.items) {
        assert!(item.suggestion.as_deref().is_some_and(|s| !s.is_empty()), "{} has a default suggestion", item.code);
    }
    // Every template is also readable as reference data, with unique codes.
    for t in checklist::shipped() {
        Template::from_json(&serde_json::to_value(&t).unwrap()).unwrap();
    }
}

#[test]
fn the_daily_patrol_and_facility_card_templates_cover_their_sources() {
    let all = checklist::shipped();
    let daily = all.iter().find(|t| t.key == checklist::DAILY_PATROL).unwrap();
    assert_eq!(daily.sections[0].items.len(), 5, "004 6.1.2.2 lists five patrol contents");
    let card = all.iter().find(|t| t.key == checklist::FACILITY_CARD).unwrap();
    let fields = |code: &str| -> Vec<String> {
        card.sections
            .iter()
            .find(|s| s.code == code)
            .unwrap()
            .items
            .iter()
            .filter_map(|i| i.card_field.clone())
            .collect()
    };
    // 000 附件2-1 has 14 fields, 附件2-2 has 11; each must be checked.
    assert_eq!(fields("W").len(), 14);
    assert_eq!(fields("G").len(), 11);
}

#[test]
fn items_that_do_not_apply_start_as_not_applicable_with_the_reason() {
    let mut e = Enterprise::new(fresh(), fresh(), "测试企业");
    e.management_category = Some(ManagementCategory::Registration);
    e.emergency_plan.required = Some(false);
    let rows = checklist_rows(InspectionKind::Screening, &e, &checklist::shipped());
    let row = |code: &str| rows.iter().find(|r| r.code == code).unwrap();
    assert_eq!(row("1a").outcome, ItemOutcome::NotApplicable, "registration needs no permit");
    assert_eq!(row("1a").note.as_deref(), Some("不适用：登记管理，无需排污许可证"));
    assert_eq!(row("6c").outcome, ItemOutcome::NotApplicable);
    assert_eq!(row("1d").outcome, ItemOutcome::NotChecked, "EIA applies to everyone");
    assert!(!rows.iter().any(|r| r.template == checklist::FACILITY_CARD), "no facilities, no card rows");

    // Unknown category: the permit item is checked.
    e.management_category = None;
    let rows = checklist_rows(InspectionKind::Screening, &e, &checklist::shipped());
    assert_eq!(rows.iter().find(|r| r.code == "1a").unwrap().outcome, ItemOutcome::NotChecked);
}

#[test]
fn facility_card_items_are_laid_out_once_per_facility_with_the_card_value() {
    let mut e = Enterprise::new(fresh(), fresh(), "测试企业");
    e.facilities =
        vec![facility("wastewater", "污水站"), facility("waste_gas", "1#活性炭"), facility("waste_gas", "2#布袋")];
    let rows = checklist_rows(InspectionKind::DailyPatrol, &e, &checklist::shipped());
    let card: Vec<_> = rows.iter().filter(|r| r.template == checklist::FACILITY_CARD).collect();
    assert_eq!(card.len(), 15 + 2 * 12, "15 wastewater rows and 12 per waste-gas facility");
    let online = card.iter().find(|r| r.code == "W07").unwrap();
    assert_eq!(online.facility_name.as_deref(), Some("污水站"));
    assert_eq!(online.key, format!("W07@{}", e.facilities[0].id), "a facility row's key names its facility");
    assert_eq!(online.card_value.as_deref(), Some("是（COD、氨氮）"));
    assert_eq!(rows.iter().filter(|r| r.template == checklist::DAILY_PATROL).count(), 5);
    // A water special check keeps water items and the wastewater card only.
    let water = checklist_rows(InspectionKind::SpecialWater, &e, &checklist::shipped());
    assert!(water.iter().any(|r| r.code == "2c"), "雨污混接 is a water item");
    assert!(!water.iter().any(|r| r.code == "2f"), "solid waste is not");
    assert!(!water.iter().any(|r| r.code.starts_with('G')), "no waste-gas card rows");
    assert!(water.iter().any(|r| r.code == "W01"));
}

#[test]
fn the_second_g1_version_corrects_the_sources_misprint_and_records_of_the_first_keep_theirs() {
    let v1 = g1();
    assert_eq!(v1.version, 1);
    assert_eq!(v1.item("3g").unwrap().1.text, "土壤及地下水污级", "version 1 is the source as printed");
    let v2 = checklist::shipped().into_iter().find(|t| t.key == checklist::ENTERPRISE_PROBLEMS).unwrap();
    assert_eq!(v2.version, 2, "new inspections use the newest shipped version");
    assert_eq!(v2.item("3g").unwrap().1.text, "土壤及地下水污染");
    // Nothing else changed between the two.
    let items = |t: &Template| -> Vec<(String, String)> {
        t.sections.iter().flat_map(|s| &s.items).map(|i| (i.code.clone(), i.text.clone())).collect()
    };
    let differ: Vec<String> =
        items(&v1).into_iter().zip(items(&v2)).filter(|(a, b)| a != b).map(|(a, _)| a.0).collect();
    assert_eq!(differ, ["3g"]);
    assert_eq!(checklist::shipped().iter().filter(|t| t.key == checklist::ENTERPRISE_PROBLEMS).count(), 1);

    let dir = tempfile::tempdir().unwrap();
    let mut store = sample_store(&dir);
    let new = start(&mut store, InspectionKind::Screening);
    assert!(new.templates.iter().any(|t| t.key == checklist::ENTERPRISE_PROBLEMS && t.version == 2));
    assert!(new.results.iter().any(|r| r.text == "土壤及地下水污染"), "the screen shows the corrected wording");
    assert!(!new.results.iter().any(|r| r.text.contains("污级")));
    // A record made with version 1 still finds its template.
    let old = store.template(checklist::ENTERPRISE_PROBLEMS, 1).unwrap().unwrap();
    assert_eq!(old.item("3g").unwrap().1.text, "土壤及地下水污级");
}

fn start(store: &mut Store, kind: InspectionKind) -> Inspection {
    store
        .start_inspection(&NewInspection {
            enterprise_id: SHUNLONG.parse().unwrap(),
            kind,
            inspectors: vec!["孙敏".into(), "李强".into()],
            accompanying: Some("王厂长".into()),
        })
        .unwrap()
}

/// Marks two items non-compliant with findings and the rest compliant.
fn fill(store: &mut Store, mut i: Inspection) -> Inspection {
    let mut bad = Vec::new();
    for r in i.results.iter_mut() {
        if r.outcome == ItemOutcome::NotChecked {
            r.outcome = if bad.len() < 2 { ItemOutcome::NonCompliant } else { ItemOutcome::Compliant };
            if r.outcome == ItemOutcome::NonCompliant {
                bad.push((r.key.clone(), r.text.clone()));
            }
        }
    }
    for (k, (key, text)) in bad.into_iter().enumerate() {
        i.findings.push(Finding {
            id: store.new_id(),
            item_key: Some(key),
            found: format!("现场发现：{text}"),
            suggestion: "按要求整改".into(),
            legal_basis: None,
            severity: if k == 0 { FindingSeverity::General } else { FindingSeverity::Minor },
            deadline: (k == 0).then(|| "2026-12-22".into()),
        });
    }
    i.ended_at = Some(i.started_at.clone());
    i.state = InspectionState::Completed;
    store.save_inspection(&i).unwrap()
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n fake but marked as PNG";

fn signers() -> Vec<NewSignature> {
    vec![
        NewSignature::drawn(SignerRole::Inspector, "孙敏", PNG.to_vec()),
        NewSignature::refused("王厂长", "村干部刘某"),
    ]
}

fn signed(store: &mut Store, kind: InspectionKind) -> Inspection {
    let i = start(store, kind);
    let i = fill(store, i);
    store.sign_inspection(i.id, i.version, &signers()).unwrap()
}

#[test]
fn a_non_compliant_item_without_a_finding_cannot_be_completed() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = sample_store(&dir);
    let mut i = start(&mut store, InspectionKind::DailyPatrol);
    assert_eq!(i.templates.iter().map(|t| t.key.as_str()).collect::<Vec<_>>(), ["daily_patrol", "facility_card"]);
    i.results.iter_mut().for_each(|r| r.outcome = ItemOutcome::Compliant);
    i.results[0].outcome = ItemOutcome::NonCompliant;
    i.ended_at = Some(i.started_at.clone());
    i.state = InspectionState::Completed;
    let Err(StoreError::Invalid(problems)) = store.save_inspection(&i) else { panic!("completing must be refused") };
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].message.contains("第 P1 项") && problems[0].message.contains("请记录发现的问题"),
        "{problems:?}"
    );
    // A general finding needs a deadline.
    i.findings.push(Finding {
        id: store.new_id(),
        item_key: Some("P1".into()),
        found: "雨水排放口有污水流出".into(),
        suggestion: String::new(),
        legal_basis: None,
        severity: FindingSeverity::General,
        deadline: None,
    });
    let Err(StoreError::Invalid(problems)) = store.save_inspection(&i) else { panic!("no deadline") };
    assert_eq!(problems[0].message, "一般或严重问题须填写整改期限");
    // The draft itself is still saved as a draft.
    i.state = InspectionState::Draft;
    let saved = store.save_inspection(&i).unwrap();
    assert_eq!(store.inspection(i.id).unwrap().unwrap().findings.len(), 1);
    assert_eq!(saved.version, 2);
}

#[test]
fn a_record_is_completed_only_when_every_item_is_answered_or_not_checked_for_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = sample_store(&dir);
    let mut i = start(&mut store, InspectionKind::DailyPatrol);
    let total = i.results.len();
    for r in &mut i.results[..3] {
        r.outcome = ItemOutcome::Compliant;
    }
    i.ended_at = Some(i.started_at.clone());
    i.state = InspectionState::Completed;
    let Err(StoreError::Invalid(problems)) = store.save_inspection(&i) else {
        panic!("3 answered items complete nothing")
    };
    assert_eq!(problems.len(), total - 3, "one problem per unanswered item: {problems:?}");
    let fourth = &i.results[3];
    assert_eq!(problems[0].field, format!("results.{}", fourth.key));
    assert_eq!(
        problems[0].message,
        format!("第 {} 项“{}”未作答：请选择结果，或标为未检查并写明原因", fourth.code, fourth.text)
    );
    // 未检查 with a blank reason is still unanswered; with a reason it is an answer.
    for r in &mut i.results[3..] {
        r.note = Some(" ".into());
    }
    assert!(store.save_inspection(&i).is_err());
    for r in &mut i.results[3..] {
        r.note = Some("现场停产，车间未开放".into());
    }
    let done = store.save_inspection(&i).unwrap();
    assert_eq!(done.state, InspectionState::Completed);
}

#[test]
fn signatures_need_every_inspector_and_the_representative_or_a_witness() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = sample_store(&dir);
    let i = start(&mut store, InspectionKind::DailyPatrol);
    let i = fill(&mut store, i);
    let mut s = signers();
    s[1].witness = None;
    let Err(StoreError::Invalid(p)) = store.sign_inspection(i.id, i.version, &s) else { panic!("no witness") };
    assert!(p.iter().any(|p| p.message == "企业代表王厂长拒绝签名，须填写见证人"), "{p:?}");
    // An inspector who has not drawn is named once, with what is missing.
    let mut s = signers();
    s[0].png = None;
    let Err(StoreError::Invalid(p)) = store.sign_inspection(i.id, i.version, &s) else { panic!("no drawing") };
    let messages: Vec<&str> = p.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(messages, ["检查人员孙敏尚未手写签名"]);
    let Err(StoreError::Invalid(p)) = store.sign_inspection(i.id, i.version, &signers()[..1]) else { panic!() };
    assert!(p.iter().any(|p| p.message.contains("须有企业代表签名")), "{p:?}");
    let mut s = signers();
    s[0].png = Some(b"GIF89a".to_vec());
    assert!(store.sign_inspection(i.id, i.version, &s).is_err(), "a signature must be a PNG");
    assert_eq!(store.inspection(i.id).unwrap().unwrap().state, InspectionState::Completed, "nothing was signed");
    let signed = store.sign_inspection(i.id, i.version, &signers()).unwrap();
    assert_eq!(signed.state, InspectionState::Signed);
    assert!(signed.signatures[1].refused && signed.signatures[1].witness.as_deref() == Some("村干部刘某"));
    assert!(store.blobs().path_of(signed.signatures[0].image_sha256.as_ref().unwrap()).exists());
}

#[test]
fn a_signed_inspection_never_changes_and_a_correction_points_at_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = sample_store(&dir);
    let original = signed(&mut store, InspectionKind::DailyPatrol);
    let mut edit = original.clone();
    edit.notes = "签名后补写".into();
    edit.state = InspectionState::Completed;
    assert!(matches!(store.save_inspection(&edit), Err(StoreError::Final)), "the store refuses");
    assert!(matches!(store.discard_inspection(original.id), Err(StoreError::Final)));
    assert!(matches!(store.import_photos(original.id, None, &[]), Err(StoreError::Final)));
    // Not even SQL gets past the triggers.
    let conn = rusqlite::Connection::open(store.path()).unwrap();
    let update = conn.execute("UPDATE inspection SET doc = '{}' WHERE id = ?1", [original.id.to_string()]);
    assert!(update.is_err(), "a signed row cannot be updated");
    assert!(conn.execute("DELETE FROM inspection WHERE id = ?1", [original.id.to_string()]).is_err());
    assert_eq!(store.inspection(original.id).unwrap().unwrap(), original);

    let correction = store.correct_inspection(original.id, "检查人员姓名写错").unwrap();
    assert_eq!(correction.corrects, Some(original.id));
    assert_eq!(correction.state, InspectionState::Draft);
    assert!(correction.signatures.is_empty(), "a correction is signed anew");
    let mut c = correction.clone();
    c.inspectors = vec!["孙敏".into(), "李强强".into()];
    c.state = InspectionState::Completed;
    let c = store.save_inspection(&c).unwrap();
    let c = store.sign_inspection(c.id, c.version, &signers()).unwrap();
    let list = store.inspections(Some(original.enterprise_id), None).unwrap();
    let old = list.iter().find(|s| s.id == original.id).unwrap();
    assert_eq!(old.corrected_by, Some(c.id), "the list shows the original as corrected");
    assert_eq!(store.inspection(original.id).unwrap().unwrap(), original, "the original is kept as it was");
}

#[test]
fn signing_queues_one_insert_only_record_whose_digest_the_server_can_check() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = sample_store(&dir);
    let before = crate::common::outbox_len(&store);
    let a = signed(&mut store, InspectionKind::DailyPatrol);
    assert_eq!(crate::common::outbox_len(&store), before + 1, "one outbox entry per signed inspection");
    let entry = store.outbox().unwrap().into_iter().last().unwrap();
    assert_eq!((entry.entity.as_str(), entry.entity_id), ("inspection", a.id.uuid()));
    assert_eq!(entry.payload["op"], "create");
    let record = &entry.payload["fields"];
    assert_eq!(record["digest"].as_str(), Some(xuncha_sync::inspection_digest(record).hex().as_str()));
    assert!(record.get("version").is_none(), "the local version is not part of the record");
    // Drafts do not go out.
    let draft = start(&mut store, InspectionKind::Screening);
    fill(&mut store, draft);
    assert_eq!(crate::common::outbox_len(&store), before + 1);
}

#[test]
fn the_digest_chain_detects_tampering_with_any_field_photo_or_earlier_record() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = sample_store(&dir);
    let photos = dir.path().join("card");
    std::fs::create_dir(&photos).unwrap();
    std::fs::write(photos.join("IMG_0001.JPG"), jpeg(&scene(640, 480, 1))).unwrap();
    let i = start(&mut store, InspectionKind::DailyPatrol);
    let (i, _) = store.import_photos(i.id, None, &photo_files_in(&photos).unwrap()).unwrap();
    let i = fill(&mut store, i);
    let first = store.sign_inspection(i.id, i.version, &signers()).unwrap();
    let second = signed(&mut store, InspectionKind::DailyPatrol);
    assert_eq!((first.chain_no, second.chain_no), (Some(1), Some(2)));
    assert_eq!(second.prev_digest, first.digest, "the second links to the first");
    assert_eq!(second.prev_id, Some(first.id));
    assert!(store.verify_inspections().unwrap().is_empty(), "an untouched chain verifies");

    // Tamper with one finding's text, as someone editing the file would.
    let conn = rusqlite::Connection::open(store.path()).unwrap();
    conn.execute_batch("DROP TRIGGER inspection_signed_is_final").unwrap();
    let doc: String =
        conn.query_row("SELECT doc FROM inspection WHERE id = ?1", [second.id.to_string()], |r| r.get(0)).unwrap();
    let forged = doc.replacen("现场发现", "现场未发现", 1);
    assert_ne!(doc, forged);
    conn.execute("UPDATE inspection SET doc = ?2 WHERE id = ?1", [second.id.to_string(), forged]).unwrap();
    let problems = store.verify_inspections().unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].inspection_id, second.id);
    assert!(problems[0].message.contains("已被改动"));
    // A hash written another way no longer reads as a record: that
    // record is reported, and the check goes on.
    let hash = second.prev_digest.expect("a linked record").to_string();
    let respelled = doc.replace(&hash, &hash.to_uppercase());
    assert_ne!(doc, respelled);
    conn.execute("UPDATE inspection SET doc = ?2 WHERE id = ?1", [second.id.to_string(), respelled]).unwrap();
    let problems = store.verify_inspections().unwrap();
    assert_eq!(problems.iter().map(|p| p.inspection_id).collect::<Vec<_>>(), [second.id], "{problems:?}");
    assert!(problems[0].message.contains("记录无法读取"), "{problems:?}");
    conn.execute("UPDATE inspection SET doc = ?2 WHERE id = ?1", [second.id.to_string(), doc]).unwrap();

    // Tamper with the first record and recompute its own digest: the
    // second's link no longer matches.
    let mut f: Inspection = store.inspection(first.id).unwrap().unwrap();
    f.notes = "事后补记".into();
    f.digest = None;
    f.digest = Some(xuncha_sync::inspection_digest(&f.record()));
    conn.execute(
        "UPDATE inspection SET doc = ?2 WHERE id = ?1",
        [first.id.to_string(), serde_json::to_string(&f).unwrap()],
    )
    .unwrap();
    let problems = store.verify_inspections().unwrap();
    assert_eq!(problems.iter().map(|p| p.inspection_id).collect::<Vec<_>>(), [second.id], "{problems:?}");
    assert!(problems[0].message.contains("完整性链断裂"));
    conn.execute(
        "UPDATE inspection SET doc = ?2 WHERE id = ?1",
        [first.id.to_string(), serde_json::to_string(&first).unwrap()],
    )
    .unwrap();
    assert!(store.verify_inspections().unwrap().is_empty());

    // Replace the original photo's bytes.
    let path = store.blobs().path_of(&first.photos[0].sha256);
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&path, perms).unwrap();
    std::fs::write(&path, jpeg(&scene(640, 480, 2))).unwrap();
    let problems = store.verify_inspections().unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].inspection_id, first.id);
    assert!(problems[0].message.contains("与签名时的校验值不符"));
}

#[test]
fn a_folder_of_photos_imports_with_a_message_for_each_bad_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = sample_store(&dir);
    let card = dir.path().join("DCIM").join("100CANON");
    std::fs::create_dir_all(&card).unwrap();
    let good = with_exif(
        &jpeg(&scene(1200, 800, 3)),
        &Exif {
            orientation: Some(6),
            taken: Some("2026:11:22 09:41:07".into()),
            gps: Some(((26, 47, 20), b'N', (112, 7, 30), b'E')),
        },
    );
    std::fs::write(card.join("IMG_0001.JPG"), &good).unwrap();
    std::fs::write(card.join("IMG_0002.jpg"), &good).unwrap();
    std::fs::write(card.join("IMG_0003.JPG"), b"").unwrap();
    std::fs::write(card.join("IMG_0004.HEIC"), b"\0\0\0\x18ftypheic\0\0\0\0mif1heic").unwrap();
    std::fs::write(card.join("IMG_0005.JPG"), [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4, 5]).unwrap();
    std::fs::write(card.join("notes.txt"), b"not a photo").unwrap();
    std::fs::write(card.join(".hidden.jpg"), &good).unwrap();
    let files = photo_files_in(dir.path().join("DCIM").as_path()).unwrap();
    assert_eq!(files.len(), 5, "photos only, hidden files skipped: {files:?}");
    // What the user chose: a loose file as it is (even a text file: the
    // import says what is wrong with it), a folder as its photos.
    let loose = dir.path().join("现场补拍.jpg");
    std::fs::write(&loose, &good).unwrap();
    let chosen = photo_files(&[loose.clone(), dir.path().join("DCIM"), card.join("notes.txt")]).unwrap();
    assert_eq!(chosen.len(), 7, "{chosen:?}");
    assert_eq!((chosen[0].as_path(), chosen[6].as_path()), (loose.as_path(), card.join("notes.txt").as_path()));

    let i = start(&mut store, InspectionKind::DailyPatrol);
    let finding = store.new_id();
    let mut i = i;
    i.findings.push(Finding {
        id: finding,
        item_key: None,
        found: "危废间地面破损".into(),
        suggestion: String::new(),
        legal_basis: None,
        severity: FindingSeverity::Minor,
        deadline: None,
    });
    let i = store.save_inspection(&i).unwrap();
    let (saved, report) = store.import_photos(i.id, Some(finding), &files).unwrap();
    let lines: Vec<(&str, Option<&str>)> = report.iter().map(|r| (r.file_name.as_str(), r.error.as_deref())).collect();
    assert_eq!(lines[0], ("IMG_0001.JPG", None));
    assert_eq!(lines[1], ("IMG_0002.jpg", Some("与已导入的照片“IMG_0001.JPG”内容相同，未重复导入")));
    assert_eq!(lines[2], ("IMG_0003.JPG", Some("文件为空（0 字节）")));
    assert!(lines[3].1.unwrap().contains("HEIC"), "{lines:?}");
    assert!(lines[4].1.unwrap().starts_with("照片文件已损坏"), "{lines:?}");
    assert_eq!(saved.photos.len(), 1, "only the good photo is attached");
    let p = &saved.photos[0];
    assert_eq!(p.finding_id, Some(finding));
    assert_eq!((p.width, p.height), (800, 1200), "orientation 6 stands the picture up");
    assert_eq!(p.taken_at.as_deref(), Some("2026-11-22T09:41:07"));
    assert!((p.latitude.unwrap() - 26.788_888).abs() < 1e-5);
    let blobs = store.blobs();
    assert_eq!(std::fs::read(blobs.path_of(&p.sha256)).unwrap(), good, "the original is kept byte for byte");
    for sha in [&p.rendition_sha256, &p.thumbnail_sha256, &p.watermarked_sha256] {
        assert!(blobs.verify(sha).unwrap());
    }
    // Importing the same card again adds nothing.
    let (again, report) = store.import_photos(i.id, None, &files[..1]).unwrap();
    assert_eq!(again.photos.len(), 1);
    assert!(report[0].error.as_deref().unwrap().contains("内容相同"));
    assert!(report[0].notes.is_empty(), "a photo with time and place lacks nothing");

    // A photo without EXIF (a screenshot, a chat app's copy) comes in and
    // says what it lacks and why.
    let forwarded = dir.path().join("微信图片.jpg");
    std::fs::write(&forwarded, xuncha_photo::synth::jpeg(&xuncha_photo::synth::scene(300, 200, 9))).unwrap();
    let (_, report) = store.import_photos(i.id, None, &[forwarded]).unwrap();
    assert_eq!(report[0].error, None);
    assert_eq!(
        report[0].notes,
        ["未读到拍摄时间和地点：照片不含 EXIF 信息（截图、编辑或经聊天软件转发的照片常见）"],
        "one reason for both, said once"
    );
}

/// A photo whose file carried no time gets it entered by hand, and every
/// copy says so; a camera's time is never replaced, nor a signed record.
#[test]
fn a_missing_capture_time_is_entered_by_hand_and_marked_so_on_the_watermark() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = sample_store(&dir);
    store.set_operator("孙敏");
    let plain = dir.path().join("微信图片.jpg");
    std::fs::write(&plain, xuncha_photo::synth::jpeg(&xuncha_photo::synth::scene(800, 600, 3))).unwrap();
    let timed = dir.path().join("IMG_0001.JPG");
    let exif = xuncha_photo::synth::Exif { taken: Some("2026:11:22 09:41:07".into()), ..Default::default() };
    std::fs::write(
        &timed,
        xuncha_photo::synth::with_exif(&xuncha_photo::synth::jpeg(&xuncha_photo::synth::scene(800, 600, 4)), &exif),
    )
    .unwrap();
    let i = start(&mut store, InspectionKind::DailyPatrol);
    let (i, _) = store.import_photos(i.id, None, &[plain, timed]).unwrap();
    let (p, camera) = (i.photos[0].clone(), i.photos[1].clone());
    assert_eq!((p.taken_at.as_deref(), &p.time_entered), (None, &None));

    let refused = |r: Result<Inspection, StoreError>| match r {
        Err(StoreError::Invalid(problems)) => problems[0].message.clone(),
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert_eq!(
        refused(store.enter_photo_time(i.id, p.id, "昨天上午")),
        "拍摄时间“昨天上午”不是日期和时间（如 2026-11-22 10:30）"
    );
    assert_eq!(
        refused(store.enter_photo_time(i.id, p.id, "2027-01-01T08:00")),
        "拍摄时间 2027年1月1日 08:00:00 晚于现在"
    );
    assert_eq!(
        refused(store.enter_photo_time(i.id, camera.id, "2026-11-22T09:00")),
        "照片“IMG_0001.JPG”自带相机记录的拍摄时间，不能改动"
    );

    let saved = store.enter_photo_time(i.id, p.id, "2026-11-22 09:30").unwrap();
    let entered = &saved.photos[0];
    assert_eq!(entered.taken_at.as_deref(), Some("2026-11-22T09:30:00"));
    let by = entered.time_entered.as_ref().expect("marked as entered by hand");
    assert_eq!(by.by, "孙敏");
    assert_eq!(entered.sha256, p.sha256, "the original is untouched");
    assert_ne!(entered.watermarked_sha256, p.watermarked_sha256, "the watermark is made again");
    assert!(!store.blobs().path_of(&p.watermarked_sha256).exists(), "the old watermark, named by nothing, is gone");
    assert!(store.blobs().verify(&entered.watermarked_sha256).unwrap());
    assert_eq!(saved.photos[1], camera, "the other photo is as it was");

    let signed = fill(&mut store, saved);
    let signed = store.sign_inspection(signed.id, signed.version, &signers()).unwrap();
    assert!(matches!(store.enter_photo_time(signed.id, p.id, "2026-11-22 09:31"), Err(StoreError::Final)));
}

#[test]
fn a_discarded_draft_takes_its_photos_along_but_not_those_another_record_names() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = sample_store(&dir);
    let [own, shared] = [("现场1.jpg", 1), ("现场2.jpg", 2)].map(|(name, seed)| {
        let path = dir.path().join(name);
        std::fs::write(&path, xuncha_photo::synth::jpeg(&xuncha_photo::synth::scene(300, 200, seed))).unwrap();
        path
    });
    let before = store.blobs().list().unwrap();
    let kept = start(&mut store, InspectionKind::DailyPatrol);
    let (kept, _) = store.import_photos(kept.id, None, std::slice::from_ref(&shared)).unwrap();
    let draft = start(&mut store, InspectionKind::DailyPatrol);
    let (draft, _) = store.import_photos(draft.id, None, &[own, shared]).unwrap();
    let files = |p: &xuncha_core::inspection::Photo| {
        [p.sha256, p.rendition_sha256, p.thumbnail_sha256, p.watermarked_sha256].map(|sha| store.blobs().path_of(&sha))
    };
    let (gone, stay) = (files(&draft.photos[0]), files(&draft.photos[1]));
    assert!(gone.iter().chain(&stay).all(|f| f.exists()));

    store.discard_inspection(draft.id).unwrap();
    assert!(gone.iter().all(|f| !f.exists()), "the discarded draft's own photo and its copies are deleted");
    assert!(stay.iter().all(|f| f.exists()), "a photo the other draft holds stays");
    let p = &kept.photos[0];
    let mut left = before;
    left.extend([p.sha256, p.rendition_sha256, p.thumbnail_sha256, p.watermarked_sha256]);
    left.sort();
    left.dedup();
    assert_eq!(store.blobs().list().unwrap(), left, "nothing of the draft is left to upload");
}

#[test]
fn months_are_added_with_the_day_clamped_to_the_month_end() {
    assert_eq!(add_months(d("2026-11-30"), 3), d("2027-02-28"));
    assert_eq!(add_months(d("2027-11-30"), 3), d("2028-02-29"), "2028 is a leap year");
    assert_eq!(add_months(d("2027-08-31"), 6), d("2028-02-29"));
    assert_eq!(add_months(d("2028-02-29"), 12), d("2029-02-28"));
    assert_eq!(add_months(d("2099-12-31"), 3), d("2100-03-31"));
    assert_eq!(add_months(d("2026-12-31"), 3), d("2027-03-31"));
}

#[test]
fn due_dates_follow_the_tier_across_quarter_and_half_year_boundaries() {
    // Patrolled on the last day of a quarter: due on the last day of the next.
    assert_eq!(
        patrol::due(Some(Tier::A), Some(d("2026-12-31")), d("2027-03-31")),
        (Some(d("2027-03-31")), DueStatus::DueSoon)
    );
    assert_eq!(
        patrol::due(Some(Tier::A), Some(d("2026-12-31")), d("2027-04-01")),
        (Some(d("2027-03-31")), DueStatus::Overdue)
    );
    assert_eq!(
        patrol::due(Some(Tier::B), Some(d("2026-06-30")), d("2026-10-01")),
        (Some(d("2026-12-30")), DueStatus::Later)
    );
    assert_eq!(
        patrol::due(Some(Tier::B), Some(d("2026-06-30")), d("2026-12-01")),
        (Some(d("2026-12-30")), DueStatus::DueSoon)
    );
    assert_eq!(
        patrol::due(Some(Tier::C), Some(d("2024-02-29")), d("2025-03-01")),
        (Some(d("2025-02-28")), DueStatus::Overdue)
    );
    assert_eq!(patrol::due(Some(Tier::A), None, d("2026-11-22")), (Some(d("2026-11-22")), DueStatus::Never));
    assert_eq!(patrol::due(None, Some(d("2026-01-01")), d("2026-11-22")), (None, DueStatus::NoTier));
    // A tier change counts the new interval from the last patrol.
    let last = Some(d("2026-09-01"));
    assert_eq!(patrol::due(Some(Tier::B), last, d("2026-11-22")).0, Some(d("2027-03-01")));
    assert_eq!(patrol::due(Some(Tier::A), last, d("2026-11-22")), (Some(d("2026-12-01")), DueStatus::DueSoon));
}

#[test]
fn frequency_compliance_counts_calendar_periods_that_have_ended() {
    let a = count_periods(Tier::A, 2026, &[d("2026-02-10"), d("2026-03-30"), d("2026-08-01")], d("2026-11-22"));
    assert_eq!((a.required, a.done), (3, 2), "Q1..Q3 ended; two patrols in Q1 count once");
    assert_eq!(a.missed, ["2026年第2季度"]);
    let a = count_periods(Tier::A, 2026, &[d("2026-11-01")], d("2026-11-22"));
    assert_eq!((a.required, a.done), (4, 1), "the current quarter counts once patrolled");
    let b = count_periods(Tier::B, 2026, &[d("2026-07-15")], d("2026-11-22"));
    assert_eq!((b.required, b.done, b.missed.clone()), (2, 1, vec!["2026年上半年".to_string()]));
    let c = count_periods(Tier::C, 2026, &[], d("2026-11-22"));
    assert_eq!((c.required, c.done), (0, 0), "the year has not ended");
    let c = count_periods(Tier::C, 2025, &[d("2026-01-02")], d("2026-11-22"));
    assert_eq!((c.required, c.done, c.missed.clone()), (1, 0, vec!["2025年".to_string()]));
}

#[test]
fn screenings_within_a_month_of_each_other_are_one_round() {
    assert_eq!(screening_rounds(&[]), 0);
    assert_eq!(screening_rounds(&[d("2026-03-02"), d("2026-03-05"), d("2026-03-30"), d("2026-09-10")]), 2);
    assert_eq!(screening_rounds(&[d("2026-03-01"), d("2026-04-01")]), 2, "31 days apart");
}

#[test]
fn signing_a_patrol_moves_the_next_due_date_a_quarter_ahead() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = sample_store(&dir);
    let id: EnterpriseId = SHUNLONG.parse().unwrap();
    let today = d("2026-11-22");
    let before = store.patrol_due(id, today).unwrap();
    assert_eq!((before.tier, before.status), (Some(Tier::A), DueStatus::Never));
    let park = store.enterprise(id).unwrap().unwrap().park_id;
    let plan = store.patrol_plan(park, today).unwrap();
    assert!(plan.enterprises.iter().any(|e| e.enterprise_id == id && e.status == DueStatus::Never));
    assert_eq!(plan.screenings, 0);

    signed(&mut store, InspectionKind::DailyPatrol);
    let after = store.patrol_due(id, today).unwrap();
    assert_eq!(after.last_patrol.as_deref(), Some("2026-11-22"));
    assert_eq!(after.due_on.as_deref(), Some("2027-02-22"));
    assert_eq!(after.status, DueStatus::Later);

    // A special check is not a patrol; a screening is, and counts a round.
    set_clock(&mut store, 2026, 12, 5);
    signed(&mut store, InspectionKind::SpecialWater);
    assert_eq!(store.patrol_due(id, d("2026-12-05")).unwrap().last_patrol.as_deref(), Some("2026-11-22"));
    signed(&mut store, InspectionKind::Screening);
    let plan = store.patrol_plan(park, d("2026-12-05")).unwrap();
    assert_eq!(plan.screenings, 1);
    let e = plan.enterprises.iter().find(|e| e.enterprise_id == id).unwrap();
    assert_eq!(e.due_on.as_deref(), Some("2027-03-05"));

    // Setting the tier to C (with a reason) moves the date at once.
    let mut ent = store.enterprise(id).unwrap().unwrap();
    ent.tier_override = Some(TierOverride { tier: Tier::C, reason: "已停产待拆除".into() });
    store.save_enterprise(&ent).unwrap();
    assert_eq!(store.patrol_due(id, d("2026-12-05")).unwrap().due_on.as_deref(), Some("2027-12-05"));
}

#[test]
fn the_brief_names_permits_plans_acceptance_overdue_patrols_and_open_findings() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = sample_store(&dir);
    let id: EnterpriseId = SHUNLONG.parse().unwrap();
    let mut e = store.enterprise(id).unwrap().unwrap();
    e.permits = vec![serde_json::from_value(json!({
        "id": fresh::<Uuid>(), "kind": "permit", "number": "91430426MA4QA91117001P",
        "issued_on": "2021-12-01", "expires_on": "2027-01-20"
    }))
    .unwrap()];
    e.emergency_plan.required = Some(true);
    e.emergency_plan.filing_number = None;
    e.eia_approvals = vec![serde_json::from_value(json!({
        "id": fresh::<Uuid>(), "doc_number": "祁环评[2019]43号", "acceptance": "not_done"
    }))
    .unwrap()];
    store.save_enterprise(&e).unwrap();
    let texts = |store: &Store, day: &str| -> Vec<String> {
        store.brief(id, d(day)).unwrap().into_iter().map(|b| b.text).collect()
    };
    let brief = texts(&store, "2026-11-22");
    assert_eq!(
        brief,
        [
            "排污许可证 91430426MA4QA91117001P 将于2027年1月20日到期（还有 59 天），应在届满60日前申请延续",
            "需编制突发环境事件应急预案，但档案中无备案编号",
            "正常投产，但环评批复 祁环评[2019]43号 未完成竣工环保验收",
            "从未巡查",
        ]
    );
    // An inspector ends the sentence; the brief does not stack its comma on it.
    let draft = start(&mut store, InspectionKind::DailyPatrol);
    let mut i = fill(&mut store, draft);
    i.findings[0].found.push('。');
    let i = store.save_inspection(&i).unwrap();
    store.sign_inspection(i.id, i.version, &signers()).unwrap();
    let later = texts(&store, "2027-03-01");
    assert!(later[0].starts_with("排污许可证 91430426MA4QA91117001P 已于2027年1月20日过期"), "{later:?}");
    assert!(later.iter().any(|t| t == "巡查已逾期 7 天（应于2027年2月22日前巡查）"), "{later:?}");
    let open: Vec<&String> = later.iter().filter(|t| t.contains("发现")).collect();
    assert_eq!(open.len(), 1, "the minor finding was fixed on the spot: {later:?}");
    assert!(
        open[0].starts_with("2026年11月22日日常巡查发现：") && open[0].ends_with("整改期限2026年12月22日已过"),
        "{open:?}"
    );
    assert!(open[0].contains(&format!("{}，整改期限", i.findings[0].found.trim_end_matches('。'))), "{open:?}");
    assert!(!open[0].contains("。，"), "{open:?}");
}

#[test]
fn a_draft_save_cannot_add_photos_or_signatures_behind_the_import_and_signing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = sample_store(&dir);
    let card = dir.path().join("card");
    std::fs::create_dir(&card).unwrap();
    std::fs::write(card.join("a.jpg"), jpeg(&scene(320, 240, 5))).unwrap();
    let i = start(&mut store, InspectionKind::DailyPatrol);
    let (i, _) = store.import_photos(i.id, None, &photo_files_in(&card).unwrap()).unwrap();
    let mut forged = i.clone();
    let mut fake = forged.photos[0].clone();
    fake.id = store.new_id();
    fake.sha256 = "0".repeat(64).parse().unwrap();
    forged.photos.push(fake);
    forged.digest = Some("f".repeat(64).parse().unwrap());
    forged.signatures.push(xuncha_core::inspection::Signature {
        role: SignerRole::Inspector,
        name: "冒名".into(),
        image_sha256: None,
        refused: false,
        witness: None,
        signed_at: forged.started_at.clone(),
    });
    let saved = store.save_inspection(&forged).unwrap();
    assert_eq!(saved.photos, i.photos, "photos come only from an import");
    assert!(saved.signatures.is_empty() && saved.digest.is_none(), "signing sets these, not a save");
}

#[test]
fn an_edit_saved_while_photos_are_processed_is_kept_and_a_signed_draft_takes_none() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = sample_store(&dir);
    let card = dir.path().join("card");
    std::fs::create_dir(&card).unwrap();
    std::fs::write(card.join("a.jpg"), jpeg(&scene(320, 240, 5))).unwrap();
    let files = photo_files_in(&card).unwrap();

    // The window processes the files without the store; meanwhile the
    // inspector keeps typing and the draft is saved.
    let i = start(&mut store, InspectionKind::DailyPatrol);
    let batch = store.prepare_photos(i.id, None, files.clone()).unwrap();
    let mut edited = i.clone();
    edited.notes = "危废间门锁损坏".into();
    store.save_inspection(&edited).unwrap();
    let (saved, report) = store.add_photos(batch.process()).unwrap();
    assert_eq!(report[0].error, None);
    assert_eq!(saved.photos.len(), 1);
    assert_eq!(saved.notes, "危废间门锁损坏", "the edit saved during the import is kept");

    // The finding the photos were for was removed meanwhile: they stay, as
    // photos of the whole record, like a save keeps a removed finding's.
    let finding = store.new_id();
    let mut with_finding = saved.clone();
    with_finding.findings.push(Finding {
        id: finding,
        item_key: None,
        found: "雨水排口有黑水".into(),
        suggestion: String::new(),
        legal_basis: None,
        severity: FindingSeverity::General,
        deadline: None,
    });
    let with_finding = store.save_inspection(&with_finding).unwrap();
    std::fs::write(card.join("b.jpg"), jpeg(&scene(320, 240, 6))).unwrap();
    let batch = store.prepare_photos(i.id, Some(finding), vec![card.join("b.jpg")]).unwrap();
    let mut removed = with_finding.clone();
    removed.findings.clear();
    store.save_inspection(&removed).unwrap();
    let (saved, report) = store.add_photos(batch.process()).unwrap();
    assert_eq!(report[0].error, None, "{report:?}");
    assert_eq!(saved.photos.len(), 2);
    assert_eq!(saved.photos[1].finding_id, None);

    // Signed while the photos were processed: nothing is added behind the
    // signature.
    let i = start(&mut store, InspectionKind::DailyPatrol);
    let i = fill(&mut store, i);
    let batch = store.prepare_photos(i.id, None, files).unwrap();
    let signed = store.sign_inspection(i.id, i.version, &signers()).unwrap();
    assert!(matches!(store.add_photos(batch.process()), Err(StoreError::Final)));
    assert!(store.inspection(i.id).unwrap().unwrap().photos.is_empty());
    assert_eq!(store.inspection(i.id).unwrap().unwrap().digest, signed.digest);
}

/// The window reads each checklist row's key from the core instead of
/// composing it; a key it sends back is not taken, and the signed record
/// leaves keys out, so records signed before keys existed verify alike.
#[test]
fn each_result_carries_its_key_and_the_signed_record_leaves_it_out() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = sample_store(&dir);
    let i = signed(&mut store, InspectionKind::DailyPatrol);
    assert!(i.results.iter().all(|r| !r.key.is_empty()));
    assert!(i.results.iter().filter(|r| r.facility_id.is_none()).all(|r| r.key == r.code));
    let record = i.record();
    assert!(record["results"].as_array().unwrap().iter().all(|r| r.get("key").is_none()), "not in the signed record");
    assert_eq!(
        serde_json::to_value(&i).unwrap()["results"][0]["key"],
        i.results[0].code.as_str(),
        "sent to the window"
    );

    let mut sent = serde_json::to_value(&i.results[0]).unwrap();
    sent["key"] = "伪造".into();
    let read: xuncha_core::inspection::ItemResult = serde_json::from_value(sent).unwrap();
    assert_eq!(read.key, i.results[0].key, "derived again, not taken");
    assert!(store.verify_inspections().unwrap().is_empty(), "the stored record still verifies");
}

/// Table G.1 names problems (“应当申请排污许可证但未申请”), so its answers
/// say whether the problem is there; the patrol items are checks. The
/// wording comes with each row and stays out of the signed record.
#[test]
fn a_problem_list_is_answered_present_or_not_found_and_a_check_list_compliant_or_not() {
    use xuncha_core::checklist::Phrasing;
    let dir = tempfile::tempdir().unwrap();
    let mut store = sample_store(&dir);
    let screening = start(&mut store, InspectionKind::Screening);
    let g1 = screening.results.iter().find(|r| r.template == checklist::ENTERPRISE_PROBLEMS).unwrap();
    assert_eq!(g1.phrasing, Phrasing::Problems);
    assert_eq!(ItemOutcome::NonCompliant.label(g1.phrasing), "存在此问题");
    assert_eq!(ItemOutcome::Compliant.label(g1.phrasing), "未发现");
    let patrol = signed(&mut store, InspectionKind::DailyPatrol);
    assert!(patrol.results.iter().all(|r| r.phrasing == Phrasing::Checks));
    assert_eq!(ItemOutcome::NonCompliant.label(Phrasing::Checks), "不符合");
    assert_eq!(serde_json::to_value(&patrol).unwrap()["results"][0]["phrasing"], "checks", "sent to the window");
    let record = patrol.record();
    assert!(record["results"].as_array().unwrap().iter().all(|r| r.get("phrasing").is_none()), "not signed");
    assert!(store.verify_inspections().unwrap().is_empty());
}
