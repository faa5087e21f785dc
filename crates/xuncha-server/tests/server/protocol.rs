//! The protocol's rules, one at a time, with laptops and a server in one
//! process (the simulation mixes them all; the HTTP tests add the wire).

use serde_json::json;
use uuid::Uuid;
use xuncha_core::{DeviceId, EnterpriseId, ParkId};
use xuncha_server::{Role, ServerError};
use xuncha_sync::{payload_hash, EntityKind, Mutation, Outcome, PullRequest, PushRequest, PushStop, PROTOCOL};

use xuncha_core::store::sha256_hex;
use xuncha_core::sync::{BlobOnServer, Transport, TransportError};
use xuncha_server::blob::{BlobState, Chunk};

use crate::common::*;

const P1: ParkId = ParkId(Uuid::from_u128(0x1000));
const P2: ParkId = ParkId(Uuid::from_u128(0x2000));

fn mutation(seq: i64, entity_id: impl Into<Uuid>, base: i64, fields: serde_json::Value) -> Mutation {
    let payload = json!({"op": "update", "fields": fields});
    Mutation {
        seq,
        mutation_id: Uuid::from_u128(0xabc0 + seq as u128),
        entity: EntityKind::Enterprise,
        entity_id: entity_id.into(),
        base_version: base,
        payload_hash: payload_hash(&payload),
        payload,
        created_at: "2026-11-22T08:00:00Z".into(),
        receipt: None,
    }
}

fn push(device: impl Into<DeviceId>, mutations: Vec<Mutation>) -> PushRequest {
    PushRequest { protocol: PROTOCOL, device_id: device.into(), mutations }
}

fn a_replayed_push_gets_the_stored_results_and_changes_nothing_even_across_a_restart(kind: Kind) {
    let db = ServerDb::new(kind);
    let server = db.open(1);
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
    let server = db.open(2);
    assert_eq!(server.push(&who, &req).unwrap(), first, "the stored results survive a restart");
    assert_eq!(server.hello(&who).unwrap().head, head, "replays numbered no new change");
    assert_eq!(server.entity(EntityKind::Enterprise, ids[0]).unwrap().unwrap().version, 2);
}

fn a_different_mutation_under_a_held_number_is_refused_as_a_fork(kind: Kind) {
    let db = ServerDb::new(kind);
    let server = db.open(1);
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

fn a_push_with_a_gap_stops_and_names_the_number_expected(kind: Kind) {
    let db = ServerDb::new(kind);
    let server = db.open(1);
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

fn a_damaged_payload_is_refused_whole_with_the_number_named(kind: Kind) {
    let db = ServerDb::new(kind);
    let server = db.open(1);
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

fn pull_pages_follow_change_numbers_and_resume_from_the_cursor(kind: Kind) {
    let db = ServerDb::new(kind);
    let server = db.open(1);
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
    assert!(ids.iter().all(|id| seen.contains(&id.uuid())));
    let empty = server.pull(&who, &PullRequest { protocol: PROTOCOL, park_id: P1, after, limit: 10 }).unwrap();
    assert!(empty.changes.is_empty() && !empty.more && empty.cursor == after, "nothing new: the cursor stays");
}

/// Eight devices push edits of the same two files at once, each touching
/// the files in its own order (which makes PostgreSQL's deadlock detector
/// abort some attempts), while a ninth device keeps pulling.
fn concurrent_pushes_to_the_same_files_lose_no_field_and_a_puller_skips_no_change(kind: Kind) {
    const DEVICES: u128 = 8;
    const ROUNDS: i64 = 15;
    let db = ServerDb::new(kind);
    let server = db.open(1);
    let ids = seed_park(&server, P1, "甲园", 2);
    let done = std::sync::atomic::AtomicBool::new(false);
    let pulled = std::thread::scope(|scope| {
        let puller = scope.spawn(|| {
            let who = principal(Uuid::from_u128(0x900), Role::Inspector, &[P1]);
            let mut seen = std::collections::HashMap::new();
            let mut after = 0;
            loop {
                let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                let page =
                    server.pull(&who, &PullRequest { protocol: PROTOCOL, park_id: P1, after, limit: 7 }).unwrap();
                for c in &page.changes {
                    seen.insert(c.entity_id, c.version);
                }
                after = page.cursor;
                if finished && !page.more {
                    return seen;
                }
            }
        });
        let pushers: Vec<_> = (1..=DEVICES)
            .map(|d| {
                let (server, ids) = (&server, &ids);
                scope.spawn(move || {
                    let device = Uuid::from_u128(0x100 * d);
                    let who = principal(device, Role::Inspector, &[P1]);
                    let order = if d % 2 == 0 { [ids[0], ids[1]] } else { [ids[1], ids[0]] };
                    for round in 0..ROUNDS {
                        let batch = order
                            .iter()
                            .enumerate()
                            .map(|(k, id)| {
                                let seq = round * 2 + k as i64 + 1;
                                let mut m =
                                    mutation(seq, *id, 1, json!({ format!("note_{d}"): format!("第{round}轮") }));
                                m.mutation_id = Uuid::from_u128(device.as_u128() << 32 | seq as u128);
                                m
                            })
                            .collect();
                        let resp = server.push(&who, &push(device, batch)).unwrap();
                        assert!(resp.results.iter().all(|r| r.outcome == Outcome::Applied), "{resp:?}");
                    }
                })
            })
            .collect();
        // Every pusher ends before the puller is told to finish, even one that failed.
        let pushed: Vec<_> = pushers.into_iter().map(|p| p.join()).collect();
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        for outcome in pushed {
            if let Err(panic) = outcome {
                std::panic::resume_unwind(panic);
            }
        }
        puller.join().unwrap()
    });
    for id in &ids {
        let row = server.entity(EntityKind::Enterprise, *id).unwrap().unwrap();
        for d in 1..=DEVICES {
            assert_eq!(row.doc[&format!("note_{d}")], format!("第{}轮", ROUNDS - 1), "device {d}'s last edit survives");
        }
        let edits = (DEVICES as i64) * ROUNDS;
        assert_eq!(row.version, 1 + edits, "every edit made exactly one new version");
        assert_eq!(pulled[&id.uuid()], row.version, "the puller ended on the latest version of every file");
    }
    let head = server.hello(&principal(Uuid::from_u128(0x900), Role::Inspector, &[P1])).unwrap().head;
    assert_eq!(head, 3 + 2 * (DEVICES as i64) * ROUNDS, "change numbers were handed out once each, none lost");
}

fn a_laptop_with_thousands_of_changes_sends_them_all_in_one_round(kind: Kind) {
    let db = ServerDb::new(kind);
    let server = db.open(1);
    seed_park(&server, P1, "甲园", 0);
    let mut a = laptop(db.dir(), "a.db", 10);
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

fn a_user_can_neither_pull_nor_push_a_park_they_are_not_assigned_to(kind: Kind) {
    let db = ServerDb::new(kind);
    let server = db.open(1);
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
    db: ServerDb,
    server: xuncha_server::Bureau<xuncha_server::backend::Database>,
    ids: Vec<EnterpriseId>,
    a: xuncha_core::Store,
    b: xuncha_core::Store,
    who_a: xuncha_server::Principal,
    who_b: xuncha_server::Principal,
}

fn pair(kind: Kind, n: usize) -> Pair {
    let db = ServerDb::new(kind);
    let server = db.open(1);
    let ids = seed_park(&server, P1, "甲园", n);
    let mut a = laptop(db.dir(), "a.db", 10);
    let mut b = laptop(db.dir(), "b.db", 20);
    let who_a = principal(a.device_id(), Role::Inspector, &[P1]);
    let who_b = principal(b.device_id(), Role::Steward, &[P1]);
    sync(&mut a, &server, &who_a);
    sync(&mut b, &server, &who_b);
    Pair { db, server, ids, a, b, who_a, who_b }
}

fn laptops_editing_different_fields_merge_and_the_same_field_keeps_both_values(kind: Kind) {
    let Pair { db: _db, server, ids, mut a, mut b, who_a, who_b } = pair(kind, 2);

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

fn a_guarded_field_changed_on_both_sides_waits_for_a_supervisor(kind: Kind) {
    let Pair { db: _db, server, ids, mut a, mut b, who_a, who_b } = pair(kind, 1);
    for (store, name) in [(&mut a, "湖南甲化工有限公司"), (&mut b, "湖南乙化工有限公司")] {
        let mut e = store.enterprise(ids[0]).unwrap().unwrap();
        e.name = name.into();
        store.save_enterprise(&e).unwrap();
    }
    sync(&mut a, &server, &who_a);
    let rb = sync(&mut b, &server, &who_b);
    assert_eq!(rb.held, 1);
    assert_eq!(b.sync_status().unwrap().held, 1, "the laptop shows a change waiting");
    assert_eq!(b.sync_status().unwrap().conflicts_waiting, 1, "and counts the open conflict in the same round");
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

    let err = server.resolve(&who_a, conflicts[0].conflict_id, &take(true)).unwrap_err();
    assert!(matches!(err, ServerError::Forbidden(_)), "an inspector cannot decide");
    let supervisor = principal(Uuid::from_u128(99), Role::Supervisor, &[P1]);
    server.resolve(&supervisor, conflicts[0].conflict_id, &take(true)).unwrap();
    sync(&mut a, &server, &who_a);
    assert_eq!(a.enterprise(ids[0]).unwrap().unwrap().name, "湖南乙化工有限公司", "the decision reaches every laptop");
    assert_eq!(a.sync_status().unwrap().conflicts_waiting, 0, "nothing waits once decided");
    assert!(server.resolve(&supervisor, conflicts[0].conflict_id, &take(false)).is_err(), "decided once");
}

fn a_server_restored_from_an_older_backup_gets_every_later_record_back(kind: Kind) {
    let db = ServerDb::new(kind);
    let server = db.open(1);
    let ids = seed_park(&server, P1, "甲园", 2);
    let mut a = laptop(db.dir(), "a.db", 10);
    let mut b = laptop(db.dir(), "b.db", 20);
    let who_a = principal(a.device_id(), Role::Inspector, &[P1]);
    let who_b = principal(b.device_id(), Role::Inspector, &[P1]);
    sync(&mut a, &server, &who_a);
    sync(&mut b, &server, &who_b);
    drop(server);
    db.backup();
    let server = db.open(2);

    let mut e = a.enterprise(ids[0]).unwrap().unwrap();
    e.address = Some("备份之后改的地址".into());
    a.save_enterprise(&e).unwrap();
    let new_id = a.new_id();
    a.save_enterprise(&xuncha_core::Enterprise::new(new_id, P1, "备份之后新建的企业")).unwrap();
    sync(&mut a, &server, &who_a);
    sync(&mut b, &server, &who_b);
    assert!(b.enterprise(new_id).unwrap().is_some());

    drop(server);
    db.restore();
    let server = db.open(3);
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

fn after_a_restore_and_a_new_epoch_a_file_sent_after_the_backup_reaches_every_laptop(kind: Kind) {
    let db = ServerDb::new(kind);
    let server = db.open(1);
    let ids = seed_park(&server, P1, "甲园", 1);
    let mut a = laptop(db.dir(), "a.db", 10);
    let mut b = laptop(db.dir(), "b.db", 20);
    let who_a = principal(a.device_id(), Role::Inspector, &[P1]);
    let who_b = principal(b.device_id(), Role::Inspector, &[P1]);
    sync(&mut a, &server, &who_a);
    sync(&mut b, &server, &who_b);
    // The signed record goes up; the link drops before its files do.
    let signed = crate::inspections::sign_one(&mut a, ids[0], db.dir(), 1);
    let mut link = Dropping {
        inner: Direct { server: &server, who: who_a.clone() },
        chunks_left: 0,
        bytes_sent: 0,
        refusal: None,
    };
    assert!(a.sync(&mut link).is_err(), "the files did not go up");
    drop(server);
    db.backup();
    let server = db.open(2);
    // The files go up after the backup was taken.
    assert!(sync(&mut a, &server, &who_a).blobs_uploaded > 0);
    drop(server);
    db.restore();
    let server = db.open(3);
    // The backup holds the record but not that laptop a holds its files,
    // and a has nothing to send again: the new epoch makes it offer them.
    server.renew_epoch().unwrap();
    let ra = sync(&mut a, &server, &who_a);
    assert!(ra.refilled && ra.blobs_uploaded > 0, "a offered its files again: {ra:?}");
    let rb = sync(&mut b, &server, &who_b);
    assert_eq!(rb.blobs_waiting, 0, "b gets every file of a's record: {rb:?}");
    let record = b.inspection(signed.id).unwrap().expect("b holds a's record");
    for p in &record.photos {
        assert!(b.blobs().path_of(&p.sha256).exists(), "photo {} is on b", p.sha256);
    }
}

fn a_park_no_longer_assigned_is_removed_except_files_with_unsent_changes(kind: Kind) {
    let db = ServerDb::new(kind);
    let server = db.open(1);
    let p1 = seed_park(&server, P1, "甲园", 2);
    let p2 = seed_park(&server, P2, "乙园", 2);
    let mut a = laptop(db.dir(), "a.db", 10);
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

on_both_backends!(
    concurrent_pushes_to_the_same_files_lose_no_field_and_a_puller_skips_no_change,
    a_replayed_push_gets_the_stored_results_and_changes_nothing_even_across_a_restart,
    a_different_mutation_under_a_held_number_is_refused_as_a_fork,
    a_push_with_a_gap_stops_and_names_the_number_expected,
    a_damaged_payload_is_refused_whole_with_the_number_named,
    pull_pages_follow_change_numbers_and_resume_from_the_cursor,
    a_laptop_with_thousands_of_changes_sends_them_all_in_one_round,
    a_user_can_neither_pull_nor_push_a_park_they_are_not_assigned_to,
    laptops_editing_different_fields_merge_and_the_same_field_keeps_both_values,
    a_guarded_field_changed_on_both_sides_waits_for_a_supervisor,
    a_server_restored_from_an_older_backup_gets_every_later_record_back,
    after_a_restore_and_a_new_epoch_a_file_sent_after_the_backup_reaches_every_laptop,
    a_park_no_longer_assigned_is_removed_except_files_with_unsent_changes,
);

#[test]
fn a_postgresql_database_with_an_altered_or_newer_migration_history_is_refused() {
    let db = ServerDb::new(Kind::Postgres);
    drop(db.open(1));
    let mut client = postgres::Client::connect(&db.url(), postgres::NoTls).unwrap();
    client.batch_execute("UPDATE schema_migration SET sha256 = 'edited'").unwrap();
    let err = xuncha_server::postgres::Postgres::open(&db.url(), 1, "2026-11-22T08:00:00Z").err().unwrap();
    assert!(err.to_string().contains("differs from the one applied"), "{err}");
    client.batch_execute("DELETE FROM schema_migration").unwrap();
    client
        .batch_execute("INSERT INTO schema_migration VALUES ('29991231000000_from_the_future', 'x', 'later')")
        .unwrap();
    let err = xuncha_server::postgres::Postgres::open(&db.url(), 1, "2026-11-22T08:00:00Z").err().unwrap();
    assert!(err.to_string().contains("newer program"), "{err}");
}

/// The real server behind a link that drops after `chunks_left` chunks,
/// or a server that answers every chunk with `refusal`.
struct Dropping<'a> {
    inner: Direct<'a>,
    chunks_left: usize,
    bytes_sent: usize,
    refusal: Option<xuncha_sync::ErrorCode>,
}

impl Transport for Dropping<'_> {
    fn hello(&mut self, device: DeviceId) -> Result<xuncha_sync::Hello, TransportError> {
        self.inner.hello(device)
    }
    fn push(&mut self, req: &PushRequest) -> Result<xuncha_sync::PushResponse, TransportError> {
        self.inner.push(req)
    }
    fn pull(&mut self, req: &PullRequest) -> Result<xuncha_sync::PullPage, TransportError> {
        self.inner.pull(req)
    }
    fn blob_state(&mut self, sha256: &xuncha_core::Sha256) -> Result<BlobOnServer, TransportError> {
        self.inner.blob_state(sha256)
    }
    fn upload_chunk(
        &mut self,
        sha256: &xuncha_core::Sha256,
        offset: u64,
        total: u64,
        bytes: &[u8],
    ) -> Result<xuncha_sync::BlobUpload, TransportError> {
        if self.chunks_left == 0 {
            return Err(TransportError::Unreachable("网络中断".into()));
        }
        self.chunks_left -= 1;
        if let Some(code) = self.refusal {
            return Err(TransportError::Refused { code, message: "文件大小超过上限".into() });
        }
        self.bytes_sent += bytes.len();
        self.inner.upload_chunk(sha256, offset, total, bytes)
    }
    fn download(
        &mut self,
        sha256: &xuncha_core::Sha256,
        into: &mut dyn std::io::Write,
    ) -> Result<bool, TransportError> {
        self.inner.download(sha256, into)
    }
    fn reference_index(&mut self) -> Result<Vec<xuncha_sync::ReferenceEntry>, TransportError> {
        self.inner.reference_index()
    }
    fn reference_doc(&mut self, e: &xuncha_sync::ReferenceEntry) -> Result<xuncha_sync::ReferenceDoc, TransportError> {
        self.inner.reference_doc(e)
    }
    fn number_series(&mut self) -> Result<Vec<xuncha_sync::NumberSeries>, TransportError> {
        self.inner.number_series()
    }
    fn lease(&mut self, req: &xuncha_sync::LeaseRequest) -> Result<xuncha_sync::NumberBlock, TransportError> {
        self.inner.lease(req)
    }
    fn resolve(&mut self, conflict: Uuid, decision: &xuncha_sync::Resolve) -> Result<(), TransportError> {
        self.inner.resolve(conflict, decision)
    }
}

/// Bytes that differ from file to file and do not compress.
fn photo(len: usize, seed: u64) -> Vec<u8> {
    use rand::{RngCore, SeedableRng};
    let mut bytes = vec![0u8; len];
    rand::rngs::StdRng::seed_from_u64(seed).fill_bytes(&mut bytes);
    bytes
}

fn an_interrupted_upload_resumes_where_it_stopped_and_the_other_laptop_gets_the_same_bytes(kind: Kind) {
    let Pair { db, server, ids, mut a, mut b, who_a, who_b } = pair(kind, 1);
    let original = photo(2 * xuncha_sync::BLOB_CHUNK + 12_345, 1);
    let path = db.dir().join("现场照片.jpg");
    std::fs::write(&path, &original).unwrap();
    let (attachment, _) = a.attach_archive_file(ids[0], 3, &path).unwrap();
    assert_eq!(a.sync_status().unwrap().uploads_pending, 1);

    let mut dropping = Dropping {
        inner: Direct { server: &server, who: who_a.clone() },
        chunks_left: 1,
        bytes_sent: 0,
        refusal: None,
    };
    let err = a.sync(&mut dropping).unwrap_err();
    assert!(err.to_string().contains("网络中断"), "{err}");
    assert_eq!(
        server.blob_state(&who_a, &attachment.sha256.hex()).unwrap(),
        BlobState::Partial(xuncha_sync::BLOB_CHUNK as u64),
        "the server kept the chunk that arrived"
    );
    assert_eq!(a.sync_status().unwrap().uploads_pending, 1, "not marked as sent before the server has it all");

    let mut resumed = Dropping {
        inner: Direct { server: &server, who: who_a.clone() },
        chunks_left: 9,
        bytes_sent: 0,
        refusal: None,
    };
    let report = a.sync(&mut resumed).unwrap();
    assert_eq!(report.blobs_uploaded, 1);
    assert_eq!(resumed.bytes_sent, original.len() - xuncha_sync::BLOB_CHUNK, "only the rest was sent again");
    assert_eq!(server.blob_state(&who_a, &attachment.sha256.hex()).unwrap(), BlobState::Stored(original.len() as u64));
    assert_eq!(a.sync_status().unwrap().uploads_pending, 0);

    // A file name on b that is no hash (kept from before names were
    // checked) is passed over; the real file still comes.
    rusqlite::Connection::open(b.path())
        .unwrap()
        .execute("INSERT INTO case_file (event_id, sha256) VALUES ('e', 'NOT-A-HASH')", [])
        .unwrap();
    let report = sync(&mut b, &server, &who_b);
    assert_eq!(report.blobs_downloaded, 1, "{report:?}");
    let copy = std::fs::read(b.blobs().path_of(&attachment.sha256)).unwrap();
    assert!(copy == original, "the other laptop holds the same bytes");
    assert_eq!(sync(&mut b, &server, &who_b).blobs_downloaded, 0, "fetched once");
}

/// A file the server will not take is reported with the server's reason,
/// kept and offered again, never called damaged; a refusal that a retry
/// cannot change is not retried.
fn a_file_the_server_refuses_is_reported_with_its_reason_not_as_damaged(kind: Kind) {
    let Pair { db, server, ids, mut a, who_a, .. } = pair(kind, 1);
    let path = db.dir().join("扫描件.pdf");
    std::fs::write(&path, photo(10_000, 3)).unwrap();
    let (attachment, _) = a.attach_archive_file(ids[0], 2, &path).unwrap();
    let mut refusing = Dropping {
        inner: Direct { server: &server, who: who_a.clone() },
        chunks_left: 9,
        bytes_sent: 0,
        refusal: Some(xuncha_sync::ErrorCode::TooLarge),
    };
    let report = a.sync(&mut refusing).unwrap();
    assert_eq!(report.blobs_damaged, Vec::<xuncha_core::Sha256>::new(), "the laptop's copy is sound");
    assert_eq!(report.blobs_refused, vec![(attachment.sha256, "文件大小超过上限".to_string())]);
    assert_eq!(refusing.chunks_left, 8, "one attempt: asking again gets the same answer");
    assert_eq!(a.sync_status().unwrap().uploads_pending, 1, "still to be sent");
    let round = xuncha_core::api::SyncRound::from(&report);
    assert_eq!(round.refused_files, vec![format!("文件 {}：文件大小超过上限", attachment.sha256.short(12))]);

    // A damaged upload is tried again from where the server stands.
    refusing.refusal = Some(xuncha_sync::ErrorCode::HashMismatch);
    refusing.chunks_left = 9;
    let report = a.sync(&mut refusing).unwrap();
    assert_eq!(refusing.chunks_left, 5, "the first attempt and three more");
    assert_eq!(report.blobs_refused.len(), 1);

    refusing.refusal = None;
    assert_eq!(a.sync(&mut refusing).unwrap().blobs_uploaded, 1);
    assert_eq!(a.sync_status().unwrap().uploads_pending, 0);
}

fn a_flipped_bit_is_caught_and_nothing_damaged_is_kept_or_sent(kind: Kind) {
    let Pair { db, server, ids, mut a, who_a, .. } = pair(kind, 1);
    let original = photo(100_000, 2);
    let sha = sha256_hex(&original);
    let mut damaged = original.clone();
    damaged[77_777] ^= 0x04;
    server.upload(&who_a, &sha, Chunk { offset: 0, total: damaged.len() as u64, bytes: &damaged[..50_000] }).unwrap();
    let err = server
        .upload(&who_a, &sha, Chunk { offset: 50_000, total: damaged.len() as u64, bytes: &damaged[50_000..] })
        .unwrap_err();
    assert!(err.to_string().contains("校验值不符"), "{err}");
    assert_eq!(server.blob_state(&who_a, &sha).unwrap(), BlobState::Partial(0), "the damaged upload was thrown away");

    // A laptop whose own copy was damaged on disk does not send it.
    let path = db.dir().join("扫描件.pdf");
    std::fs::write(&path, &original).unwrap();
    let (attachment, _) = a.attach_archive_file(ids[0], 2, &path).unwrap();
    let stored = a.blobs().path_of(&attachment.sha256);
    let mut perms = std::fs::metadata(&stored).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&stored, perms).unwrap();
    std::fs::write(&stored, &damaged).unwrap();
    let report = sync(&mut a, &server, &who_a);
    assert_eq!(report.blobs_damaged, vec![attachment.sha256]);
    assert_eq!(report.blobs_uploaded, 0);
    assert_eq!(server.blob_state(&who_a, &attachment.sha256.hex()).unwrap(), BlobState::Partial(0));
}

on_both_backends!(
    an_interrupted_upload_resumes_where_it_stopped_and_the_other_laptop_gets_the_same_bytes,
    a_flipped_bit_is_caught_and_nothing_damaged_is_kept_or_sent,
    a_file_the_server_refuses_is_reported_with_its_reason_not_as_damaged,
);

fn numbered_pair(kind: Kind) -> Pair {
    let p = pair(kind, 1);
    let notice = xuncha_sync::NumberSeries {
        series: "notice".into(),
        prefix: "祁环改".into(),
        title: "生态环境问题整改通知书".into(),
    };
    p.server.add_series(&notice).unwrap();
    p
}

fn lease_request(id: u128, year: i32, size: i64) -> xuncha_sync::LeaseRequest {
    xuncha_sync::LeaseRequest {
        protocol: xuncha_sync::PROTOCOL,
        request_id: Uuid::from_u128(id),
        series: "notice".into(),
        year,
        size,
    }
}

fn two_laptops_never_get_the_same_number_and_a_repeated_lease_gets_the_same_block(kind: Kind) {
    let Pair { db: _db, server, mut a, who_a, .. } = numbered_pair(kind);
    let mut c = laptop(_db.dir(), "c.db", 30);
    let who_c = principal(c.device_id(), Role::Clerk, &[P1]);
    let ra = sync(&mut a, &server, &who_a);
    let rc = sync(&mut c, &server, &who_c);
    assert_eq!(ra.numbers_leased, xuncha_core::store::NUMBERS_BLOCK, "the inspector's laptop stocks up");
    assert_eq!(rc.numbers_leased, xuncha_core::store::NUMBERS_BLOCK, "so does the clerk's");
    let left = |s: &xuncha_core::Store| s.numbers_left().unwrap();
    let (na, nc) = (left(&a), left(&c));
    assert_eq!(na.len(), 1, "{na:?}");
    assert_eq!((na[0].prefix.as_str(), na[0].next), ("祁环改", Some(1)), "numbering starts at 1");
    assert_eq!(nc[0].next, Some(1 + xuncha_core::store::NUMBERS_BLOCK), "the clerk's block follows the inspector's");
    assert_eq!(sync(&mut a, &server, &who_a).numbers_leased, 0, "a full stock asks for nothing");

    // A reply lost on the way: the same request again gets the same block, and the series moves on once.
    let year = na[0].year;
    let first = server.lease(&who_a, &lease_request(7, year, 5)).unwrap();
    let again = server.lease(&who_a, &lease_request(7, year, 5)).unwrap();
    assert_eq!(first, again, "a repeated request is answered from what was given");
    let next = server.lease(&who_c, &lease_request(8, year, 5)).unwrap();
    assert_eq!(next.first, first.last + 1, "no number skipped and none given twice");
    let stolen = server.lease(&who_c, &lease_request(7, year, 5)).unwrap_err();
    assert!(matches!(stolen, ServerError::Forbidden(_)), "another device cannot claim a request: {stolen:?}");

    let blocks = server.number_blocks("notice").unwrap();
    for (n, (x, _)) in blocks.iter().enumerate() {
        for (y, _) in &blocks[n + 1..] {
            assert!(x.year != y.year || x.last < y.first || y.last < x.first, "{x:?} overlaps {y:?}");
        }
    }
}

fn a_steward_gets_no_numbers_and_bad_leases_are_refused_with_the_reason(kind: Kind) {
    let Pair { db: _db, server, mut b, who_a, who_b, .. } = numbered_pair(kind);
    assert_eq!(sync(&mut b, &server, &who_b).numbers_leased, 0);
    assert!(b.numbers_left().unwrap().is_empty(), "steward teams do not number bureau documents");
    let err = server.lease(&who_b, &lease_request(1, 2026, 5)).unwrap_err();
    assert!(err.to_string().contains("环保管家"), "{err}");

    let year = chrono::Datelike::year(&chrono::Utc::now());
    let too_many = server.lease(&who_a, &lease_request(2, year, xuncha_sync::MAX_LEASE + 1)).unwrap_err();
    assert!(too_many.to_string().contains("一次可领取 1 至 200 个编号"), "{too_many}");
    let far = server.lease(&who_a, &lease_request(3, year + 5, 5)).unwrap_err();
    assert!(far.to_string().contains("请检查笔记本的日期"), "{far}");
    let mut unknown = lease_request(4, year, 5);
    unknown.series = "clue_transfer".into();
    assert!(server.lease(&who_a, &unknown).unwrap_err().to_string().contains("没有编号序列“clue_transfer”"));
    assert!(server.number_blocks("notice").unwrap().is_empty(), "refused leases took no numbers");
}

fn reference_data_reaches_every_laptop_and_each_version_is_kept(kind: Kind) {
    let Pair { db: _db, server, mut a, mut b, who_a, who_b, .. } = pair(kind, 1);
    let v1 = serde_json::json!({"items": [{"code": "1a", "text": "未申领排污许可证"}]});
    let v2 = serde_json::json!({"items": [{"code": "1a", "text": "未依法申领排污许可证"}]});
    assert_eq!(server.publish_reference("regulation", "solid_waste_law", "固体废物污染环境防治法", &v1).unwrap(), 1);
    assert_eq!(sync(&mut a, &server, &who_a).reference_received, 1);
    assert_eq!(server.publish_reference("regulation", "solid_waste_law", "固体废物污染环境防治法", &v2).unwrap(), 2);
    assert_eq!(sync(&mut a, &server, &who_a).reference_received, 1, "only the new version comes");
    assert_eq!(sync(&mut b, &server, &who_b).reference_received, 2, "a steward gets reference data too");
    assert_eq!(sync(&mut b, &server, &who_b).reference_received, 0, "nothing again once held");

    for store in [&a, &b] {
        let newest = store.reference("regulation", "solid_waste_law", None).unwrap().unwrap();
        assert_eq!((newest.entry.version, &newest.doc), (2, &v2), "the newest version is the default");
        let old = store.reference("regulation", "solid_waste_law", Some(1)).unwrap().unwrap();
        assert_eq!(old.doc, v1, "records that used version 1 still find it");
    }
    let bad = server.publish_reference("Checklist", "x", "清单", &v1).unwrap_err();
    assert!(bad.to_string().contains("小写英文字母"), "{bad}");
    let not_object = server.publish_reference("regulation", "x", "清单", &serde_json::json!([1])).unwrap_err();
    assert!(not_object.to_string().contains("JSON 对象"), "{not_object}");
}

fn concurrent_leases_take_disjoint_blocks_that_leave_no_gap(kind: Kind) {
    let Pair { db: _db, server, .. } = numbered_pair(kind);
    let year = chrono::Datelike::year(&chrono::Utc::now());
    std::thread::scope(|scope| {
        for device in 0..8u128 {
            let server = &server;
            scope.spawn(move || {
                let who = principal(Uuid::from_u128(0x5000 + device), Role::Inspector, &[P1]);
                for n in 0..10u128 {
                    server.lease(&who, &lease_request(0x9000 + device * 100 + n, year, 3 + (n as i64 % 4))).unwrap();
                }
            });
        }
    });
    let mut blocks: Vec<_> =
        server.number_blocks("notice").unwrap().into_iter().map(|(b, _)| (b.first, b.last)).collect();
    blocks.sort();
    assert_eq!(blocks.len(), 80);
    let mut expected_first = 1;
    for (first, last) in blocks {
        assert_eq!(first, expected_first, "blocks follow each other without gap or overlap");
        expected_first = last + 1;
    }
}

on_both_backends!(
    concurrent_leases_take_disjoint_blocks_that_leave_no_gap,
    two_laptops_never_get_the_same_number_and_a_repeated_lease_gets_the_same_block,
    a_steward_gets_no_numbers_and_bad_leases_are_refused_with_the_reason,
    reference_data_reaches_every_laptop_and_each_version_is_kept,
);

/// A server database left at each earlier schema opens with this program:
/// the missing migrations are applied and what was stored is kept.
fn a_server_database_of_every_earlier_schema_upgrades_and_keeps_its_data(kind: Kind) {
    use xuncha_server::backend::Backend;
    let now = "2026-11-22T08:00:00Z";
    let count = match kind {
        Kind::Sqlite => xuncha_server::sqlite::MIGRATIONS.len(),
        Kind::Postgres => xuncha_server::postgres::MIGRATIONS.len(),
    };
    for upto in 1..count {
        let db = ServerDb::new(kind);
        match kind {
            Kind::Sqlite => {
                std::fs::create_dir_all(db.sqlite_path().parent().unwrap()).unwrap();
                let mut conn = rusqlite::Connection::open(db.sqlite_path()).unwrap();
                xuncha_core::store::apply_migrations(&mut conn, xuncha_server::sqlite::MIGRATIONS, upto, now).unwrap();
                conn.execute("INSERT INTO meta (key, value) VALUES ('probe', 'kept')", []).unwrap();
            }
            Kind::Postgres => {
                let mut client = postgres::Client::connect(&db.url(), postgres::NoTls).unwrap();
                client
                    .batch_execute(
                        "CREATE TABLE schema_migration (name TEXT PRIMARY KEY, sha256 TEXT NOT NULL, applied_at TEXT NOT NULL)",
                    )
                    .unwrap();
                for (name, sql) in &xuncha_server::postgres::MIGRATIONS[..upto] {
                    client.batch_execute(sql).unwrap();
                    client
                        .execute(
                            "INSERT INTO schema_migration VALUES ($1, $2, $3)",
                            &[name, &sha256_hex(sql.as_bytes()), &now],
                        )
                        .unwrap();
                }
                client.batch_execute("INSERT INTO meta (key, value) VALUES ('probe', 'kept')").unwrap();
            }
        }
        let server = db.open(1);
        let probe = server.backend().transaction(|tx| tx.meta("probe")).unwrap();
        assert_eq!(probe.as_deref(), Some("kept"), "data stored at schema {upto} survives the upgrade");
        let who = principal(Uuid::from_u128(1), Role::Admin, &[] as &[ParkId]);
        assert!(
            server.reference_index(&who).unwrap().is_empty(),
            "the newest tables exist after upgrading from {upto}"
        );
    }
}

on_both_backends!(a_server_database_of_every_earlier_schema_upgrades_and_keeps_its_data);

fn take(take_device_value: bool) -> xuncha_sync::Resolve {
    xuncha_sync::Resolve { take_device_value, request_id: None }
}
