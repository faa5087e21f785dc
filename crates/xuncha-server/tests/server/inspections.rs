//! Signed inspections as insert-only records: they reach the server and
//! every laptop of the park with their photos, and the server refuses a
//! record that was changed after signing or that breaks its device's chain.

use serde_json::{json, Value};
use uuid::Uuid;
use xuncha_core::inspection::{Finding, FindingSeverity, InspectionState, ItemOutcome, SignerRole};
use xuncha_core::store::inspection::{NewInspection, NewSignature};
use xuncha_core::Store;
use xuncha_core::{EnterpriseId, ParkId};
use xuncha_photo::synth::{jpeg, scene};
use xuncha_server::Role;
use xuncha_sync::{EntityKind, Outcome};

use crate::common::*;

const PARK: ParkId = ParkId(Uuid::from_u128(0x7000));

/// Signs an inspection of `enterprise` on `store` with one photo.
pub fn sign_one(
    store: &mut Store,
    enterprise: EnterpriseId,
    dir: &std::path::Path,
    seed: u32,
) -> xuncha_core::inspection::Inspection {
    let i = store
        .start_inspection(&NewInspection {
            enterprise_id: enterprise,
            kind: xuncha_core::inspection::InspectionKind::DailyPatrol,
            inspectors: vec!["孙敏".into()],
            accompanying: None,
        })
        .unwrap();
    let file = dir.join(format!("IMG_{seed:04}.JPG"));
    std::fs::write(&file, jpeg(&scene(800, 600, seed))).unwrap();
    let (mut i, report) = store.import_photos(i.id, None, &[file]).unwrap();
    assert!(report[0].error.is_none(), "{report:?}");
    let key = i.results[0].key.clone();
    i.results.iter_mut().for_each(|r| r.outcome = ItemOutcome::Compliant);
    i.results[0].outcome = ItemOutcome::NonCompliant;
    i.findings.push(Finding {
        id: store.new_id(),
        item_key: Some(key),
        found: "雨水排放口有黄色污水流出".into(),
        suggestion: "排查雨污混接".into(),
        legal_basis: None,
        severity: FindingSeverity::General,
        deadline: Some("2026-12-31".into()),
    });
    i.ended_at = Some(i.started_at.clone());
    i.state = InspectionState::Completed;
    let i = store.save_inspection(&i).unwrap();
    let png = b"\x89PNG\r\n\x1a\nsignature".to_vec();
    store
        .sign_inspection(
            i.id,
            i.version,
            &[NewSignature::drawn(SignerRole::Inspector, "孙敏", png), NewSignature::refused("王厂长", "刘某")],
        )
        .unwrap()
}

fn a_signed_inspection_reaches_the_server_and_the_other_laptop_with_its_photos(kind: Kind) {
    let db = ServerDb::new(kind);
    let server = db.open(1);
    let ids = seed_park(&server, PARK, "乙园", 1);
    let mut a = laptop(db.dir(), "a.db", 10);
    let mut b = laptop(db.dir(), "b.db", 20);
    let who_a = principal(a.device_id(), Role::Steward, &[PARK]);
    let who_b = principal(b.device_id(), Role::Supervisor, &[PARK]);
    sync(&mut a, &server, &who_a);
    sync(&mut b, &server, &who_b);

    let signed = sign_one(&mut a, ids[0], db.dir(), 1);
    let report = sync(&mut a, &server, &who_a);
    assert_eq!(report.pushed, 1, "{report:?}");
    assert_eq!(report.blobs_uploaded, 5, "original, rendition, thumbnail, watermarked copy and signature");
    let row = server.entity(EntityKind::Inspection, signed.id).unwrap().expect("the server holds the inspection");
    assert_eq!(row.doc.get("digest").and_then(Value::as_str), signed.digest.map(|d| d.hex()).as_deref());

    let report = sync(&mut b, &server, &who_b);
    assert_eq!(report.blobs_downloaded, 5, "{report:?}");
    let copy = b.inspection(signed.id).unwrap().expect("the other laptop has it");
    assert_eq!(copy.record(), signed.record(), "the same record, field for field");
    let original = std::fs::read(a.blobs().path_of(&signed.photos[0].sha256)).unwrap();
    assert!(std::fs::read(b.blobs().path_of(&signed.photos[0].sha256)).unwrap() == original, "the same photo bytes");
    assert!(b.verify_inspections().unwrap().is_empty(), "the copy verifies on the other laptop");
    assert_eq!(
        b.patrol_due(ids[0], chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()).unwrap().last_patrol.as_deref(),
        Some("2026-11-22")
    );

    let checks = server.verify_inspections(PARK).unwrap();
    assert_eq!(checks.len(), 1);
    assert_eq!(
        (checks[0].files, checks[0].problems.clone()),
        (5, vec![]),
        "the server verifies the record and its files"
    );

    // Nothing is doubled by further rounds.
    sync(&mut a, &server, &who_a);
    sync(&mut b, &server, &who_b);
    assert_eq!(b.inspections(Some(ids[0]), None).unwrap().len(), 1);
}

fn the_server_refuses_an_inspection_changed_after_signing_or_out_of_its_chain(kind: Kind) {
    let db = ServerDb::new(kind);
    let server = db.open(1);
    let ids = seed_park(&server, PARK, "乙园", 1);
    let mut a = laptop(db.dir(), "a.db", 10);
    let who_a = principal(a.device_id(), Role::Inspector, &[PARK]);
    sync(&mut a, &server, &who_a);
    let first = sign_one(&mut a, ids[0], db.dir(), 1);
    sync(&mut a, &server, &who_a);

    // A device that pushes records by hand, as a tampered laptop would.
    let forger = Uuid::from_u128(0xdead);
    let who = principal(forger, Role::Inspector, &[PARK]);
    let mut record = first.record();
    record["device_id"] = json!(forger.to_string());
    record["id"] = json!(Uuid::from_u128(0xbeef).to_string());
    record["findings"][0]["found"] = json!("未发现问题");
    let (outcome, reason) =
        push_one(&server, &who, 1, "create", EntityKind::Inspection, Uuid::from_u128(0xbeef), &record);
    assert_eq!(outcome, Outcome::Rejected);
    assert_eq!(reason.as_deref(), Some("完整性摘要与记录内容不符：记录在签名后被改动过"));

    // Re-digested but linked to the first record with a wrong digest.
    record["prev_id"] = json!(first.id.to_string());
    record["prev_digest"] = json!("0".repeat(64));
    record["digest"] = Value::Null;
    record["digest"] = json!(xuncha_sync::inspection_digest(&record));
    let (outcome, reason) =
        push_one(&server, &who, 2, "create", EntityKind::Inspection, Uuid::from_u128(0xbeef), &record);
    assert_eq!(outcome, Outcome::Rejected);
    assert_eq!(reason.as_deref(), Some("完整性链断裂：与本设备上一份签名记录的摘要不符"));

    // Someone else's record under this device.
    let (outcome, reason) =
        push_one(&server, &who, 3, "create", EntityKind::Inspection, Uuid::from_u128(0xcafe), &first.record());
    assert_eq!(outcome, Outcome::Rejected);
    assert_eq!(reason.as_deref(), Some("检查记录须由签名的设备上传"));

    // Changing a record the server holds, even by its own device.
    let mut changed = first.record();
    changed["notes"] = json!("补记");
    let next_seq = a.outbox().unwrap().len() as i64 + 1;
    let (outcome, reason) = push_one(&server, &who_a, next_seq, "update", EntityKind::Inspection, first.id, &changed);
    assert_eq!(outcome, Outcome::Rejected);
    assert_eq!(reason.as_deref(), Some("已签名的检查记录不可修改；如需更正，请新建一份更正记录"));
    let row = server.entity(EntityKind::Inspection, first.id).unwrap().unwrap();
    assert_eq!(Value::Object(row.doc), first.record(), "the stored record is untouched");
}

fn a_checklist_the_bureau_publishes_is_used_by_new_inspections_and_old_ones_keep_theirs(kind: Kind) {
    let db = ServerDb::new(kind);
    let server = db.open(1);
    let ids = seed_park(&server, PARK, "乙园", 1);
    let mut a = laptop(db.dir(), "a.db", 10);
    let who_a = principal(a.device_id(), Role::Steward, &[PARK]);
    // A server that took table G.1's first version from an earlier build.
    let first = xuncha_core::checklist::shipped_versions().into_iter().next().unwrap();
    assert_eq!((first.key.as_str(), first.version), ("enterprise_problems", 1));
    let first_doc = serde_json::to_value(&first).unwrap();
    assert_eq!(server.publish_reference("checklist_template", &first.key, &first.title, &first_doc).unwrap(), 1);
    let published = server.publish_shipped_checklists().unwrap();
    let published: Vec<(&str, i64)> = published.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        published,
        [("enterprise_problems", 2), ("daily_patrol", 1), ("facility_card", 1)],
        "every shipped version newer than the server's, numbered as shipped"
    );
    assert!(server.publish_shipped_checklists().unwrap().is_empty(), "publishing the shipped ones again does nothing");
    sync(&mut a, &server, &who_a);
    let before = sign_one(&mut a, ids[0], db.dir(), 1);
    assert!(before.templates.iter().any(|t| t.key == "daily_patrol" && t.version == 1));

    let mut daily =
        serde_json::to_value(xuncha_core::checklist::shipped().into_iter().find(|t| t.key == "daily_patrol").unwrap())
            .unwrap();
    daily["version"] = json!(2);
    daily["sections"][0]["items"][0]["text"] = json!("污水总排放口、雨水排放口的运行情况（2027年版）");
    assert_eq!(server.publish_reference("checklist_template", "daily_patrol", "日常环境保护巡查", &daily).unwrap(), 2);
    assert!(server.publish_shipped_checklists().unwrap().is_empty(), "the bureau's own newer version stays");
    sync(&mut a, &server, &who_a);
    let after = a
        .start_inspection(&NewInspection {
            enterprise_id: ids[0],
            kind: xuncha_core::inspection::InspectionKind::DailyPatrol,
            inspectors: vec!["孙敏".into()],
            accompanying: None,
        })
        .unwrap();
    assert!(after.templates.iter().any(|t| t.key == "daily_patrol" && t.version == 2), "{:?}", after.templates);
    assert_eq!(after.results[0].text, "污水总排放口、雨水排放口的运行情况（2027年版）");
    // A file that is not a checklist is refused before any laptop sees it.
    let err = server
        .publish_reference("checklist_template", "daily_patrol", "坏文件", &json!({"key": "daily_patrol"}))
        .unwrap_err();
    assert!(err.to_string().contains("检查表格式错误"), "{err}");
    assert_eq!(
        a.inspection(before.id).unwrap().unwrap().results[0].text,
        before.results[0].text,
        "the signed one keeps its wording"
    );
    assert!(a.template("daily_patrol", 1).unwrap().is_some(), "the version an old inspection used stays readable");
}

fn a_bureaus_own_version_wins_over_a_shipped_one_of_the_same_number(kind: Kind) {
    let db = ServerDb::new(kind);
    let server = db.open(1);
    let ids = seed_park(&server, PARK, "乙园", 1);
    let mut a = laptop(db.dir(), "a.db", 10);
    let who_a = principal(a.device_id(), Role::Steward, &[PARK]);
    // The bureau published G.1 twice before the program shipped a version 2.
    let mut own = serde_json::to_value(xuncha_core::checklist::shipped_versions().into_iter().next().unwrap()).unwrap();
    for (version, text) in [(1, "土壤及地下水污级"), (2, "土壤及地下水污染（本局修订）")] {
        own["version"] = json!(version);
        own["sections"][2]["items"][6]["text"] = json!(text);
        let published =
            server.publish_reference("checklist_template", "enterprise_problems", "入驻企业环保问题清单", &own);
        assert_eq!(published.unwrap(), version);
    }
    assert_eq!(own["sections"][2]["items"][6]["code"], "3g");
    sync(&mut a, &server, &who_a);
    let new = NewInspection {
        enterprise_id: ids[0],
        kind: xuncha_core::inspection::InspectionKind::Screening,
        inspectors: vec!["孙敏".into()],
        accompanying: None,
    };
    let draft = a.start_inspection(&new).unwrap();
    assert!(draft.results.iter().any(|r| r.text == "土壤及地下水污染（本局修订）"), "the bureau's version 2 is used");
    assert_eq!(
        a.template("enterprise_problems", 2).unwrap().unwrap().item("3g").unwrap().1.text,
        "土壤及地下水污染（本局修订）",
        "and read back for the records made with it"
    );
    assert!(server.publish_shipped_checklists().unwrap().iter().all(|(k, _)| k != "enterprise_problems"));
}

on_both_backends!(
    a_bureaus_own_version_wins_over_a_shipped_one_of_the_same_number,
    a_checklist_the_bureau_publishes_is_used_by_new_inspections_and_old_ones_keep_theirs,
    a_signed_inspection_reaches_the_server_and_the_other_laptop_with_its_photos,
    the_server_refuses_an_inspection_changed_after_signing_or_out_of_its_chain,
);
