//! The protocol's rules, one at a time, with laptops and a server in one
//! process (the simulation mixes them all; the HTTP tests add the wire).

use serde_json::json;
use uuid::Uuid;
use xuncha_server::{Role, ServerError};
use xuncha_sync::{payload_hash, EntityKind, Mutation, Outcome, PullRequest, PushRequest, PushStop, PROTOCOL};

use crate::common::*;

const P1: Uuid = Uuid::from_u128(0x1000);
const P2: Uuid = Uuid::from_u128(0x2000);

fn mutation(seq: i64, entity_id: Uuid, base: i64, fields: serde_json::Value) -> Mutation {
    let payload = json!({"op": "update", "fields": fields});
    Mutation {
        seq,
        mutation_id: Uuid::from_u128(0xabc0 + seq as u128),
        entity: EntityKind::Enterprise,
        entity_id,
        base_version: base,
        payload_hash: payload_hash(&payload),
        payload,
        created_at: "2026-11-22T08:00:00Z".into(),
        receipt: None,
    }
}

fn push(device: Uuid, mutations: Vec<Mutation>) -> PushRequest {
    PushRequest { protocol: PROTOCOL, device_id: device, mutations }
}

#[test]
fn a_replayed_push_gets_the_stored_results_and_changes_nothing_even_across_a_restart() {
    let dir = scratch();
    let path = dir.path().join("server.db");
    let server = open_server(&path, 1);
    let ids = seed_park(&server, P1, "甲园", 3);
    let device = Uuid::from_u128(7);
    let who = principal(device, Role::Inspector, &[P1]);
    let req = push(
        device,
        vec![
            mutation(1, ids[0], 1, json!({"address": "一号路"})),
            mutation(2, ids[1], 1, json!({"address": "二号路"})),
        ],
    );
    let first = server.push(&who, &req).unwrap();
    assert_eq!(first.results.len(), 2);
    assert!(first.results.iter().all(|r| r.outcome == Outcome::Applied));
    let head = server.hello(&who).unwrap().head;
    for _ in 0..10 {
        assert_eq!(server.push(&who, &req).unwrap(), first, "a replay returns the stored results");
    }
    drop(server);
    let server = open_server(&path, 2);
    assert_eq!(server.push(&who, &req).unwrap(), first, "the stored results survive a restart");
    assert_eq!(server.hello(&who).unwrap().head, head, "replays numbered no new change");
    assert_eq!(server.entity(EntityKind::Enterprise, ids[0]).unwrap().unwrap().version, 2);
}

#[test]
fn a_different_mutation_under_a_held_number_is_refused_as_a_fork() {
    let dir = scratch();
    let server = open_server(&dir.path().join("server.db"), 1);
    let ids = seed_park(&server, P1, "甲园", 1);
    let device = Uuid::from_u128(7);
    let who = principal(device, Role::Inspector, &[P1]);
    server.push(&who, &push(device, vec![mutation(1, ids[0], 1, json!({"address": "一号路"}))])).unwrap();
    // A cloned disk: the same device number 1, another edit.
    let clone = push(device, vec![mutation(1, ids[0], 1, json!({"address": "克隆路"}))]);
    let resp = server.push(&who, &clone).unwrap();
    assert_eq!(resp.stop, Some(PushStop::Fork { seq: 1 }));
    assert!(resp.results.is_empty());
    let doc = server.entity(EntityKind::Enterprise, ids[0]).unwrap().unwrap().doc;
    assert_eq!(doc["address"], "一号路", "the fork changed nothing");
}

#[test]
fn a_push_with_a_gap_stops_and_names_the_number_expected() {
    let dir = scratch();
    let server = open_server(&dir.path().join("server.db"), 1);
    let ids = seed_park(&server, P1, "甲园", 1);
    let device = Uuid::from_u128(7);
    let who = principal(device, Role::Inspector, &[P1]);
    let resp = server
        .push(
            &who,
            &push(
                device,
                vec![
                    mutation(1, ids[0], 1, json!({"address": "一号路"})),
                    mutation(3, ids[0], 1, json!({"industry": "化工"})),
                ],
            ),
        )
        .unwrap();
    assert_eq!(resp.results.len(), 1, "number 1 is taken, then the push stops");
    assert_eq!(resp.stop, Some(PushStop::Gap { expected: 2 }));
    assert_eq!(resp.last_seq, 1);
    let doc = server.entity(EntityKind::Enterprise, ids[0]).unwrap().unwrap().doc;
    assert_eq!(doc["industry"], serde_json::Value::Null, "nothing after the gap was taken");
}

#[test]
fn a_damaged_payload_is_refused_whole_with_the_number_named() {
    let dir = scratch();
    let server = open_server(&dir.path().join("server.db"), 1);
    let ids = seed_park(&server, P1, "甲园", 1);
    let device = Uuid::from_u128(7);
    let who = principal(device, Role::Inspector, &[P1]);
    let mut bad = mutation(2, ids[0], 1, json!({"industry": "化工"}));
    bad.payload["fields"]["industry"] = json!("化Ｘ");
    let err =
        server.push(&who, &push(device, vec![mutation(1, ids[0], 1, json!({"address": "一号路"})), bad])).unwrap_err();
    assert!(matches!(err, ServerError::BadRequest(_)));
    assert!(err.to_string().contains("第 2 号修改"), "{err}");
    assert_eq!(server.hello(&who).unwrap().last_seq, 0, "not even the sound mutation before it was taken");
}

#[test]
fn pull_pages_follow_change_numbers_and_resume_from_the_cursor() {
    let dir = scratch();
    let server = open_server(&dir.path().join("server.db"), 1);
    let ids = seed_park(&server, P1, "甲园", 24);
    seed_park(&server, P2, "乙园", 5);
    let who = principal(Uuid::from_u128(7), Role::Inspector, &[P1]);
    let mut after = 0;
    let mut seen = Vec::new();
    loop {
        let page = server.pull(&who, &PullRequest { protocol: PROTOCOL, park_id: P1, after, limit: 10 }).unwrap();
        assert!(page.changes.windows(2).all(|w| w[0].change_no < w[1].change_no), "ascending within a page");
        assert!(page.changes.iter().all(|c| c.change_no > after && c.park_id == P1));
        seen.extend(page.changes.iter().map(|c| c.entity_id));
        after = page.cursor;
        if !page.more {
            break;
        }
    }
    assert_eq!(seen.len(), 25, "the park and its 24 enterprises, each once");
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 25);
    assert!(ids.iter().all(|id| seen.contains(id)));
    let empty = server.pull(&who, &PullRequest { protocol: PROTOCOL, park_id: P1, after, limit: 10 }).unwrap();
    assert!(empty.changes.is_empty() && !empty.more && empty.cursor == after, "nothing new: the cursor stays");
}

#[test]
fn a_laptop_with_thousands_of_changes_sends_them_all_in_one_round() {
    let dir = scratch();
    let server = open_server(&dir.path().join("server.db"), 1);
    seed_park(&server, P1, "甲园", 0);
    let mut a = laptop(dir.path(), "a.db", 10);
    let who = principal(a.device_id(), Role::Inspector, &[P1]);
    sync(&mut a, &server, &who);
    let n = xuncha_sync::MAX_PUSH * 7 + 3;
    a.write(|w| {
        for i in 0..n {
            let id = w.new_id();
            w.save_enterprise(&xuncha_core::Enterprise::new(id, P1, format!("企业{i}")))?;
        }
        Ok::<_, xuncha_core::StoreError>(())
    })
    .unwrap();
    let report = sync(&mut a, &server, &who);
    assert_eq!(report.accepted, n, "more batches than any retry limit: {report:?}");
    assert_eq!(a.sync_status().unwrap().pending, 0);
    assert_eq!(server.documents(P1).unwrap().len(), n + 1);
}

#[test]
fn a_user_can_neither_pull_nor_push_a_park_they_are_not_assigned_to() {
    let dir = scratch();
    let server = open_server(&dir.path().join("server.db"), 1);
    seed_park(&server, P1, "甲园", 1);
    let other = seed_park(&server, P2, "乙园", 1);
    let device = Uuid::from_u128(7);
    let who = principal(device, Role::Inspector, &[P1]);
    let err = server.pull(&who, &PullRequest { protocol: PROTOCOL, park_id: P2, after: 0, limit: 10 }).unwrap_err();
    assert!(matches!(err, ServerError::Forbidden(_)), "{err}");
    let resp = server.push(&who, &push(device, vec![mutation(1, other[0], 1, json!({"address": "越权路"}))])).unwrap();
    assert_eq!(resp.results[0].outcome, Outcome::Rejected);
    assert!(resp.results[0].reason.as_deref().unwrap().contains("未被分配"));
    let doc = server.entity(EntityKind::Enterprise, other[0]).unwrap().unwrap().doc;
    assert_eq!(doc["address"], serde_json::Value::Null);
}

/// A server with one park of `n` enterprises and two laptops that have
/// pulled it.
struct Pair {
    dir: tempfile::TempDir,
    server: xuncha_server::Bureau<xuncha_server::sqlite::Sqlite>,
    ids: Vec<Uuid>,
    a: xuncha_core::Store,
    b: xuncha_core::Store,
    who_a: xuncha_server::Principal,
    who_b: xuncha_server::Principal,
}

fn pair(n: usize) -> Pair {
    let dir = scratch();
    let server = open_server(&dir.path().join("server.db"), 1);
    let ids = seed_park(&server, P1, "甲园", n);
    let mut a = laptop(dir.path(), "a.db", 10);
    let mut b = laptop(dir.path(), "b.db", 20);
    let who_a = principal(a.device_id(), Role::Inspector, &[P1]);
    let who_b = principal(b.device_id(), Role::Steward, &[P1]);
    sync(&mut a, &server, &who_a);
    sync(&mut b, &server, &who_b);
    Pair { dir, server, ids, a, b, who_a, who_b }
}

#[test]
fn laptops_editing_different_fields_merge_and_the_same_field_keeps_both_values() {
    let Pair { dir: _dir, server, ids, mut a, mut b, who_a, who_b } = pair(2);

    let mut ea = a.enterprise(ids[0]).unwrap().unwrap();
    ea.address = Some("甲方改的地址".into());
    ea.industry = Some("化工".into());
    a.save_enterprise(&ea).unwrap();
    let mut eb = b.enterprise(ids[0]).unwrap().unwrap();
    eb.address = Some("乙方改的地址".into());
    eb.industry_code = Some("C2614".into());
    b.save_enterprise(&eb).unwrap();

    let ra = sync(&mut a, &server, &who_a);
    assert_eq!((ra.accepted, ra.held), (1, 0));
    let rb = sync(&mut b, &server, &who_b);
    assert_eq!((rb.accepted, rb.held), (1, 0), "an unguarded field is taken in arrival order");
    sync(&mut a, &server, &who_a);

    for store in [&a, &b] {
        let e = store.enterprise(ids[0]).unwrap().unwrap();
        assert_eq!(e.address.as_deref(), Some("乙方改的地址"), "the later arrival wins the overlapping field");
        assert_eq!(e.industry.as_deref(), Some("化工"), "fields changed on one side merge");
        assert_eq!(e.industry_code.as_deref(), Some("C2614"));
    }
    let conflicts = server.conflicts(&who_a, &[P1]).unwrap();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    let c = &conflicts[0];
    assert_eq!(c.field, "address");
    assert_eq!(c.server_value, "甲方改的地址", "the overwritten value is kept");
    assert_eq!(c.device_value, "乙方改的地址");
    assert!(!c.held);
}

#[test]
fn a_guarded_field_changed_on_both_sides_waits_for_a_supervisor() {
    let Pair { dir: _dir, server, ids, mut a, mut b, who_a, who_b } = pair(1);
    for (store, name) in [(&mut a, "湖南甲化工有限公司"), (&mut b, "湖南乙化工有限公司")] {
        let mut e = store.enterprise(ids[0]).unwrap().unwrap();
        e.name = name.into();
        store.save_enterprise(&e).unwrap();
    }
    sync(&mut a, &server, &who_a);
    let rb = sync(&mut b, &server, &who_b);
    assert_eq!(rb.held, 1);
    assert_eq!(b.sync_status().unwrap().held, 1, "the laptop shows a change waiting");
    assert_eq!(
        b.enterprise(ids[0]).unwrap().unwrap().name,
        "湖南甲化工有限公司",
        "while the conflict waits, the laptop shows what the server holds"
    );
    let conflicts = server.conflicts(&who_a, &[P1]).unwrap();
    assert_eq!(conflicts.len(), 1);
    assert!(conflicts[0].held && conflicts[0].resolution.is_none());
    assert_eq!(conflicts[0].server_value, "湖南甲化工有限公司");
    assert_eq!(conflicts[0].device_value, "湖南乙化工有限公司");

    let err = server.resolve(&who_a, conflicts[0].conflict_id, true).unwrap_err();
    assert!(matches!(err, ServerError::Forbidden(_)), "an inspector cannot decide");
    let supervisor = principal(Uuid::from_u128(99), Role::Supervisor, &[P1]);
    server.resolve(&supervisor, conflicts[0].conflict_id, true).unwrap();
    sync(&mut a, &server, &who_a);
    assert_eq!(a.enterprise(ids[0]).unwrap().unwrap().name, "湖南乙化工有限公司", "the decision reaches every laptop");
    assert!(server.resolve(&supervisor, conflicts[0].conflict_id, false).is_err(), "decided once");
}

#[test]
fn a_server_restored_from_an_older_backup_gets_every_later_record_back() {
    let dir = scratch();
    let path = dir.path().join("server.db");
    let backup = dir.path().join("backup.db");
    let server = open_server(&path, 1);
    let ids = seed_park(&server, P1, "甲园", 2);
    let mut a = laptop(dir.path(), "a.db", 10);
    let mut b = laptop(dir.path(), "b.db", 20);
    let who_a = principal(a.device_id(), Role::Inspector, &[P1]);
    let who_b = principal(b.device_id(), Role::Inspector, &[P1]);
    sync(&mut a, &server, &who_a);
    sync(&mut b, &server, &who_b);
    drop(server);
    std::fs::copy(&path, &backup).unwrap();
    let server = open_server(&path, 2);

    let mut e = a.enterprise(ids[0]).unwrap().unwrap();
    e.address = Some("备份之后改的地址".into());
    a.save_enterprise(&e).unwrap();
    let new_id = a.new_id();
    a.save_enterprise(&xuncha_core::Enterprise::new(new_id, P1, "备份之后新建的企业")).unwrap();
    sync(&mut a, &server, &who_a);
    sync(&mut b, &server, &who_b);
    assert!(b.enterprise(new_id).unwrap().is_some());

    drop(server);
    std::fs::copy(&backup, &path).unwrap();
    let server = open_server(&path, 3);
    assert!(server.entity(EntityKind::Enterprise, new_id).unwrap().is_none(), "the backup predates the new record");
    let rb = sync(&mut b, &server, &who_b);
    assert!(rb.refilled, "b saw that the server forgot its cursor");
    let ra = sync(&mut a, &server, &who_a);
    assert!(ra.refilled && ra.accepted == 2, "a sent its two changes again: {ra:?}");
    sync(&mut b, &server, &who_b);
    let doc = server.entity(EntityKind::Enterprise, ids[0]).unwrap().unwrap().doc;
    assert_eq!(doc["address"], "备份之后改的地址");
    assert!(server.entity(EntityKind::Enterprise, new_id).unwrap().is_some());
    assert_eq!(b.enterprise(new_id).unwrap().unwrap().name, "备份之后新建的企业");
}

#[test]
fn a_park_no_longer_assigned_is_removed_except_files_with_unsent_changes() {
    let dir = scratch();
    let server = open_server(&dir.path().join("server.db"), 1);
    let p1 = seed_park(&server, P1, "甲园", 2);
    let p2 = seed_park(&server, P2, "乙园", 2);
    let mut a = laptop(dir.path(), "a.db", 10);
    let both = principal(a.device_id(), Role::Inspector, &[P1, P2]);
    sync(&mut a, &server, &both);
    assert_eq!(a.enterprise_ids(Some(P2)).unwrap().len(), 2);
    let mut e = a.enterprise(p2[0]).unwrap().unwrap();
    e.address = Some("未发出的修改".into());
    a.save_enterprise(&e).unwrap();

    let only_p1 = principal(a.device_id(), Role::Inspector, &[P1]);
    let report = sync(&mut a, &server, &only_p1);
    assert_eq!(report.parks_removed, vec![P2]);
    assert_eq!(report.rejected, 1, "the edit reached a server that no longer lets this user write 乙园");
    assert_eq!(
        a.enterprise_ids(Some(P2)).unwrap(),
        vec![p2[0]],
        "the file with the refused change stays, for the user to see"
    );
    assert_eq!(a.enterprise_ids(Some(P1)).unwrap().len(), p1.len());

    let report = sync(&mut a, &server, &both);
    assert!(report.pulled >= 3, "a park assigned again is filled from the start: {report:?}");
    assert_eq!(a.enterprise_ids(Some(P2)).unwrap().len(), 2);
}
