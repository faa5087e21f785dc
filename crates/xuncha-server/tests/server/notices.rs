//! Numbered notices issued offline: numbers come only from blocks the
//! server leased to the laptop, so two laptops never give the same one;
//! a laptop out of numbers refuses to invent one; a voided number is
//! recorded and never given again. Clue transfers travel the same way.

use std::collections::BTreeSet;

use serde_json::json;
use uuid::Uuid;
use xuncha_core::store::notice::NewNotice;
use xuncha_core::{EnterpriseId, InspectionId, ParkId};
use xuncha_core::{Store, StoreError};
use xuncha_server::Role;
use xuncha_sync::{EntityKind, Outcome};

use crate::common::*;
use crate::inspections::sign_one;

pub const PARK: ParkId = ParkId(Uuid::from_u128(0x7100));

pub fn issue(store: &mut Store, inspection: InspectionId) -> Result<xuncha_core::notice::Notice, StoreError> {
    store.issue_notice(&NewNotice {
        inspection_id: inspection,
        series: "notice".into(),
        finding_ids: Vec::new(),
        laws: "《中华人民共和国环境保护法》".into(),
        plan_due: "2026-12-07".into(),
        office: xuncha_core::sample::notice_office(),
        case_id: None,
        reviewed_by: "周主任".into(),
        responsible: String::new(),
    })
}

/// A server with a notice series and a park of two enterprises, and two
/// laptops of that park (an inspector's and a clerk's), each synced once.
pub struct Offices {
    pub db: ServerDb,
    pub server: xuncha_server::Bureau<xuncha_server::backend::Database>,
    pub ids: Vec<EnterpriseId>,
    pub a: Store,
    pub c: Store,
    pub who_a: xuncha_server::Principal,
    pub who_c: xuncha_server::Principal,
}

pub fn offices(kind: Kind) -> Offices {
    let db = ServerDb::new(kind);
    let server = db.open(1);
    let ids = seed_park(&server, PARK, "丙园", 2);
    server
        .add_series(&xuncha_sync::NumberSeries {
            series: "notice".into(),
            prefix: "祁环改".into(),
            title: "生态环境问题整改通知书".into(),
        })
        .unwrap();
    let mut a = laptop(db.dir(), "a.db", 10);
    let mut c = laptop(db.dir(), "c.db", 30);
    let who_a = principal(a.device_id(), Role::Inspector, &[PARK]);
    let who_c = principal(c.device_id(), Role::Clerk, &[PARK]);
    sync(&mut a, &server, &who_a);
    sync(&mut c, &server, &who_c);
    Offices { db, server, ids, a, c, who_a, who_c }
}

fn two_laptops_issuing_offline_never_give_the_same_number_and_a_voided_one_is_never_reused(kind: Kind) {
    let Offices { db, server, ids, mut a, mut c, who_a, who_c } = offices(kind);

    // Both go offline and issue every number they hold, and one more.
    let mut issued = Vec::new();
    for (store, seed) in [(&mut a, 1u32), (&mut c, 2)] {
        // A problem gets one notice: each notice is for another patrol.
        let enterprise = ids[seed as usize - 1];
        let stock = store.numbers_left().unwrap()[0].left;
        for k in 0..stock {
            let inspection = sign_one(store, enterprise, db.dir(), seed * 1000 + k as u32);
            issued.push(issue(store, inspection.id).unwrap());
        }
        let inspection = sign_one(store, enterprise, db.dir(), seed * 1000 + 999);
        let Err(StoreError::NoNumbers { series, .. }) = issue(store, inspection.id) else {
            panic!("a laptop out of numbers must refuse to make one up");
        };
        assert_eq!(series, "notice");
        assert_eq!(store.numbers_left().unwrap()[0].left, 0);
    }
    let numbers: BTreeSet<String> = issued.iter().map(|n| n.number.to_string()).collect();
    assert_eq!(numbers.len(), issued.len(), "every notice has its own number");
    assert_eq!(issued.len() as i64, 2 * xuncha_core::store::NUMBERS_BLOCK);

    // A spoiled notice is voided; its number stays taken.
    let spoiled = issued[3].clone();
    let void = a.void_notice(spoiled.id, "当事人名称打印错误").unwrap();
    assert_eq!(void.number, spoiled.number);
    let again = a.void_notice(spoiled.id, "再次作废").unwrap_err();
    assert!(again.to_string().contains("已于2026年11月22日作废"), "{again}");
    assert!(a.void_notice(spoiled.id, " ").unwrap_err().to_string().contains("请写明作废原因"));

    // Back online: the server takes everything, and each laptop gets the other's.
    let ra = sync(&mut a, &server, &who_a);
    let rc = sync(&mut c, &server, &who_c);
    assert_eq!(ra.rejected + rc.rejected, 0, "{ra:?} {rc:?}");
    sync(&mut a, &server, &who_a);
    let on_server: BTreeSet<String> = server
        .documents(PARK)
        .unwrap()
        .into_iter()
        .filter(|d| d.entity == EntityKind::Notice)
        .map(|d| d.doc["number"]["serial"].to_string())
        .collect();
    assert_eq!(on_server.len(), issued.len(), "the server holds every notice once");
    for store in [&a, &c] {
        assert_eq!(store.notices(None).unwrap().len(), issued.len(), "each laptop holds every notice");
        let voids = store.number_voids().unwrap();
        assert_eq!(voids.len(), 1, "and the void");
        assert_eq!(voids[0].notice_id, Some(spoiled.id));
    }
    // New numbers arrived with the round, and none of them was used before.
    let next = a.numbers_left().unwrap()[0].next.expect("a new block");
    assert!(issued.iter().all(|n| n.number.serial != next), "{next} was given before");
}

fn the_server_refuses_a_notice_whose_number_was_leased_to_another_device(kind: Kind) {
    let Offices { db, server, ids, mut a, c, who_a, who_c } = offices(kind);
    let inspection = sign_one(&mut a, ids[0], db.dir(), 1);
    let notice = issue(&mut a, inspection.id).unwrap();

    // Laptop c sends a notice under a's number, as a tampered laptop would.
    let mut forged = serde_json::to_value(&notice).unwrap();
    forged["id"] = json!(Uuid::from_u128(0xbad));
    forged["device_id"] = json!(c.device_id());
    let (outcome, reason) = push_one(&server, &who_c, 1, "create", EntityKind::Notice, Uuid::from_u128(0xbad), &forged);
    assert_eq!(outcome, Outcome::Rejected);
    let reason = reason.unwrap();
    assert!(reason.contains(&format!("{}", notice.number)) && reason.contains("不在本设备领取的号段内"), "{reason}");

    // The rightful notice goes through, and cannot be changed afterwards.
    let report = sync(&mut a, &server, &who_a);
    assert_eq!(report.rejected, 0, "{report:?}");
    assert!(server.entity(EntityKind::Notice, notice.id).unwrap().is_some());
}

fn a_clue_transfer_reaches_the_other_laptop_and_one_sent_by_another_device_is_refused(kind: Kind) {
    let Offices { db, server, ids, mut a, mut c, who_a, who_c } = offices(kind);
    let inspection = sign_one(&mut a, ids[0], db.dir(), 1);
    let mut new = a.clue_transfer_draft(inspection.id, &[inspection.findings[0].id]).unwrap();
    new.office = xuncha_core::sample::transfer_office();
    let transfer = a.transfer_clue(&new).unwrap();

    // Laptop c sends a copy as its own: a transfer comes only from its maker.
    let mut forged = serde_json::to_value(&transfer).unwrap();
    forged["id"] = json!(Uuid::from_u128(0xbad));
    let forged_id = Uuid::from_u128(0xbad);
    let (outcome, reason) = push_one(&server, &who_c, 1, "create", EntityKind::ClueTransfer, forged_id, &forged);
    assert_eq!(outcome, Outcome::Rejected);
    assert_eq!(reason.as_deref(), Some("文书须由制作它的设备上传"));

    let report = sync(&mut a, &server, &who_a);
    assert_eq!(report.rejected, 0, "the maker's transfer is taken: {report:?}");
    sync(&mut c, &server, &who_c);
    assert_eq!(c.clue_transfer(transfer.id).unwrap(), Some(transfer), "the other laptop holds it, unchanged");
    assert_eq!(c.clue_transfers(None).unwrap().len(), 1, "and only the rightful one");
}

on_both_backends!(
    two_laptops_issuing_offline_never_give_the_same_number_and_a_voided_one_is_never_reused,
    the_server_refuses_a_notice_whose_number_was_leased_to_another_device,
    a_clue_transfer_reaches_the_other_laptop_and_one_sent_by_another_device_is_refused,
);
