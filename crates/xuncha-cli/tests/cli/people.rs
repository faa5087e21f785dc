//! Sync as a park's people meet it, through the real `xuncha` and
//! `xuncha-server` binaries: two laptops creating the same enterprise, a
//! document the rules refuse, saving while a round runs, two scans on one
//! file, and a supervisor's decision whose reply is lost.

use std::path::{Path, PathBuf};
use std::process::Command;

use rand::SeedableRng;
use serde_json::Value;

use super::server::{admin, login, login_new_laptop, Bureau};
use super::{ok, xuncha};

/// A server with the sample park and these users assigned to it.
fn park_with(dir: &Path, users: &[(&str, &str)]) -> (Bureau, String) {
    let data = dir.join("server");
    let park = admin(&data, &["park", "load-sample"]).lines().next().unwrap().split('\t').next().unwrap().to_string();
    for (user, role) in users {
        admin(&data, &["user", "add", user, "--role", role]);
        admin(&data, &["assign", user, &park]);
    }
    (Bureau::start(&data), park)
}

/// A laptop in its own folder, logged in as `user`, after its first round.
fn laptop(dir: &Path, url: &str, user: &str) -> PathBuf {
    let db = dir.join(user).join("xuncha.db");
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    ok(xuncha(&db, &["init"]));
    login(&db, url, user);
    ok(xuncha(&db, &["sync"]));
    db
}

fn json(out: String) -> Value {
    serde_json::from_str(&out).unwrap()
}

fn hits(db: &Path, query: &str) -> Vec<Value> {
    json(ok(xuncha(db, &["search", query, "--json"]))).as_array().unwrap().clone()
}

#[test]
fn two_laptops_import_the_same_new_roster_offline_and_the_park_ends_with_one_copy_of_each() {
    let dir = tempfile::tempdir().unwrap();
    let (bureau, _) = park_with(dir.path(), &[("zhao", "inspector"), ("qian", "steward"), ("li", "inspector")]);
    let url = format!("http://{}", bureau.addr);
    let (a, b) = (laptop(dir.path(), &url, "zhao"), laptop(dir.path(), &url, "qian"));
    let mut rng = rand::rngs::StdRng::seed_from_u64(15);
    let codes: Vec<String> = (0..3).map(|_| xuncha_core::synth::credit_code(&mut rng)).collect();
    let roster = dir.path().join("新入园企业.csv");
    std::fs::write(
        &roster,
        format!(
            "序号,企业名称,统一社会信用代码,管理类别\n1,湖南新入园甲有限公司,{},重点\n2,湖南新入园乙有限公司,{},简化\n3,湖南新入园丙有限公司,{},登记\n",
            codes[0], codes[1], codes[2]
        ),
    )
    .unwrap();
    // Both import the same roster before either syncs.
    for db in [&a, &b] {
        let said = ok(xuncha(db, &["import", roster.to_str().unwrap(), "--park", "S437012"]));
        assert!(said.contains("新增3家"), "{said}");
    }
    for round in 0..2 {
        for db in [&a, &b] {
            let out = xuncha(db, &["sync", "--json"]);
            assert!(out.status.success(), "round {round}: {}", String::from_utf8_lossy(&out.stderr));
            let said: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(said["report"]["rejected"], 0, "no twin is refused either: {said}");
            assert!(said["report"]["set_aside"].as_array().unwrap().is_empty(), "{said}");
        }
    }
    let late = laptop(dir.path(), &url, "li");
    for code in &codes {
        let ids: Vec<Vec<Value>> = [&a, &b, &late].iter().map(|db| hits(db, code)).collect();
        for found in &ids {
            assert_eq!(found.len(), 1, "one copy of {code} on every laptop: {ids:?}");
        }
        assert!(ids.iter().all(|f| f[0]["id"] == ids[0][0]["id"]), "the same file everywhere: {ids:?}");
    }
    assert_eq!(hits(&a, "新入园").len(), 3);
    assert_eq!(hits(&late, "新入园").len(), 3, "a laptop that joins later gets no twins");
    // Every laptop goes on syncing, and a later edit on the folded-away copy
    // reaches the file that stayed.
    let b_copy = hits(&b, &codes[0])[0]["id"].as_str().unwrap().to_string();
    ok(xuncha(&b, &["enterprise", "tier", &b_copy, "C", "--reason", "产能很小，减少巡查"]));
    ok(xuncha(&b, &["sync"]));
    ok(xuncha(&a, &["sync"]));
    let shown = json(ok(xuncha(&a, &["enterprise", "show", &codes[0], "--json"])));
    assert_eq!(shown["tier"], "C", "{shown}");
    drop(bureau);
}

#[test]
fn a_document_the_rules_refuse_is_refused_with_its_reason_and_the_park_keeps_syncing() {
    use xuncha_core::sync::Transport;
    let dir = tempfile::tempdir().unwrap();
    let (bureau, park) = park_with(dir.path(), &[("zhao", "inspector"), ("hand", "inspector")]);
    let url = format!("http://{}", bureau.addr);
    let honest = laptop(dir.path(), &url, "zhao");
    // A hand-made request from a signed-in device: a status outside the list.
    let rogue = laptop(dir.path(), &url, "hand");
    let device: xuncha_core::DeviceId = {
        let conn = rusqlite::Connection::open(&rogue).unwrap();
        let id: String = conn.query_row("SELECT id FROM device", [], |r| r.get(0)).unwrap();
        id.parse().unwrap()
    };
    let id = uuid::Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0bad);
    let mut doc =
        serde_json::to_value(xuncha_core::Enterprise::new(id.into(), park.parse().unwrap(), "湖南来路不明有限公司"))
            .unwrap();
    doc["status"] = "closed_forever".into();
    doc.as_object_mut().unwrap().remove("version");
    let payload = serde_json::json!({"op": "create", "fields": doc});
    let push = xuncha_sync::PushRequest {
        protocol: xuncha_sync::PROTOCOL,
        device_id: device,
        mutations: vec![xuncha_sync::Mutation {
            seq: 1,
            mutation_id: uuid::Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0bae),
            entity: xuncha_sync::EntityKind::Enterprise,
            entity_id: id,
            base_version: 0,
            payload_hash: xuncha_sync::payload_hash(&payload),
            payload,
            created_at: "2026-12-02T10:00:00+08:00".into(),
            receipt: None,
        }],
    };
    let mut t = xuncha_client::HttpTransport::for_store(&rogue).unwrap();
    let answer = t.push(&push).unwrap();
    let result = &answer.results[0];
    assert_eq!(result.outcome, xuncha_sync::Outcome::Rejected);
    let reason = result.reason.as_deref().unwrap();
    assert!(reason.contains("企业档案格式错误") && reason.contains("closed_forever"), "{reason}");
    // Nothing of it was stored: every laptop of the park syncs on.
    let said = json(ok(xuncha(&honest, &["sync", "--json"])));
    assert!(said["report"]["set_aside"].as_array().unwrap().is_empty(), "{said}");
    assert!(hits(&honest, "来路不明").is_empty());
    // zhao's later laptop, approved by the administrator.
    let late = dir.path().join("later").join("xuncha.db");
    std::fs::create_dir_all(late.parent().unwrap()).unwrap();
    ok(xuncha(&late, &["init"]));
    login_new_laptop(&bureau.data, &late, &url, "zhao");
    ok(xuncha(&late, &["sync"]));
    assert_eq!(hits(&late, "领湃").len(), 1, "a new laptop pulls the whole park");
    drop(bureau);
}

#[test]
fn saving_while_sync_rounds_run_in_another_thread_and_another_process_never_fails() {
    let dir = tempfile::tempdir().unwrap();
    let (bureau, _) = park_with(dir.path(), &[("zhou", "steward")]);
    let url = format!("http://{}", bureau.addr);
    let db = laptop(dir.path(), &url, "zhou");
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Arc;
    let stop = Arc::new(AtomicBool::new(false));
    let (in_thread, in_process) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let background = {
        let (db, stop, rounds) = (db.clone(), stop.clone(), in_thread.clone());
        std::thread::spawn(move || {
            let mut store = xuncha_core::Store::open(&db, xuncha_core::Env::system()).unwrap();
            while !stop.load(Ordering::SeqCst) {
                let mut t = xuncha_client::HttpTransport::for_store(&db).unwrap();
                store.sync(&mut t).expect("a background round");
                rounds.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    let process = {
        let (db, stop, rounds) = (db.clone(), stop.clone(), in_process.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                ok(xuncha(&db, &["sync"]));
                rounds.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    let mut store = xuncha_core::Store::open(&db, xuncha_core::Env::system()).unwrap();
    let ids = store.enterprise_ids(None).unwrap();
    let mut failures = Vec::new();
    // Saves go on until both kinds of round have run a few times meanwhile.
    let mut n = 0;
    let rounds_ran = || in_thread.load(Ordering::SeqCst) >= 3 && in_process.load(Ordering::SeqCst) >= 3;
    // (A round that failed ends its thread; the join below reports it.)
    while (n < 300 || !rounds_ran()) && !background.is_finished() && !process.is_finished() {
        n += 1;
        // As the window does: a file that a round changed while it was open
        // is reported stale, read again and saved; anything else is a failure.
        let id = ids[n % ids.len()];
        let save = |store: &mut xuncha_core::Store| {
            let mut e = store.enterprise(id).unwrap().unwrap();
            e.address = Some(format!("祁东县归阳镇第{n}号"));
            store.save_enterprise(&e)
        };
        let saved = match save(&mut store) {
            Err(xuncha_core::StoreError::Stale { .. }) => save(&mut store),
            other => other,
        };
        if let Err(err) = saved {
            failures.push(format!("save {n}: {err}"));
        }
        // One save every few milliseconds, as fast as a person could never type.
        std::thread::sleep(std::time::Duration::from_millis(3));
    }
    stop.store(true, Ordering::SeqCst);
    background.join().unwrap();
    process.join().unwrap();
    assert!(failures.is_empty(), "{} of {n} saves failed: {:?}", failures.len(), &failures[..failures.len().min(3)]);
    let said = json(ok(xuncha(&db, &["sync", "--json"])));
    assert_eq!(said["status"]["pending"], 0, "every save reached the server: {said}");
    drop(bureau);
}

#[test]
fn two_people_attaching_scans_to_different_archive_items_both_keep_theirs() {
    let dir = tempfile::tempdir().unwrap();
    let (bureau, _) = park_with(dir.path(), &[("zhao", "inspector"), ("qian", "steward")]);
    let url = format!("http://{}", bureau.addr);
    let (a, b) = (laptop(dir.path(), &url, "zhao"), laptop(dir.path(), &url, "qian"));
    let scan = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_str().unwrap().to_string()
    };
    let (permit, plan) = (scan("排污许可证.pdf", b"%PDF-1.4 permit"), scan("应急预案备案表.pdf", b"%PDF-1.4 plan"));
    ok(xuncha(&a, &["enterprise", "attach", "91430426MA4QA91117", "4", &permit]));
    ok(xuncha(&b, &["enterprise", "attach", "91430426MA4QA91117", "10", &plan]));
    for db in [&a, &b, &a] {
        ok(xuncha(db, &["sync"]));
    }
    for db in [&a, &b] {
        let shown = json(ok(xuncha(db, &["enterprise", "show", "91430426MA4QA91117", "--json"])));
        let names = |no: u64| -> Vec<String> {
            let items = shown["enterprise"]["archive"].as_array().unwrap();
            let item = items.iter().find(|i| i["item_no"] == no).unwrap();
            item["attachments"].as_array().unwrap().iter().map(|x| x["file_name"].as_str().unwrap().into()).collect()
        };
        assert_eq!(names(4), vec!["排污许可证.pdf"], "{db:?}");
        assert_eq!(names(10), vec!["应急预案备案表.pdf"], "{db:?}");
        let status = json(ok(xuncha(db, &["status", "--json"])));
        assert_eq!(status["overwritten"], 0, "nothing was overwritten: {status}");
    }
    drop(bureau);
}

#[test]
fn a_supervisors_decision_whose_reply_is_lost_is_sent_again_and_taken() {
    let dir = tempfile::tempdir().unwrap();
    let (bureau, _) = park_with(dir.path(), &[("zhao", "inspector"), ("qian", "steward"), ("sun", "supervisor")]);
    let url = format!("http://{}", bureau.addr);
    let (a, b) = (laptop(dir.path(), &url, "zhao"), laptop(dir.path(), &url, "qian"));
    let proxy = super::crash::Proxy::start(bureau.addr);
    let s = laptop(dir.path(), &proxy.url, "sun");
    ok(xuncha(&a, &["enterprise", "tier", "91430426MA4QA91117", "A", "--reason", "群众投诉较多"]));
    ok(xuncha(&b, &["enterprise", "tier", "91430426MA4QA91117", "C", "--reason", "已停产"]));
    ok(xuncha(&a, &["sync"]));
    ok(xuncha(&b, &["sync"]));
    let open = json(ok(xuncha(&s, &["conflicts", "--json"])));
    let conflict = open[0]["conflict_id"].as_str().unwrap().to_string();

    // The decision reaches the server; its reply never comes back.
    proxy.arm(super::crash::Trap::HoldReply { request: "POST /v1/conflicts/", nth: 1 });
    let mut deciding = Command::new(env!("CARGO_BIN_EXE_xuncha"))
        .arg("--db")
        .arg(&s)
        .args(["resolve", &conflict, "--take", "laptop"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    proxy.sprung.recv_timeout(std::time::Duration::from_secs(60)).expect("the decision was sent");
    deciding.kill().unwrap();
    deciding.wait().unwrap();
    proxy.disarm();
    let waiting = json(ok(xuncha(&s, &["status", "--json"])));
    assert_eq!(waiting["decisions_waiting"], 1, "the decision is kept until answered: {waiting}");

    let said = json(ok(xuncha(&s, &["sync", "--json"])));
    assert_eq!(said["report"]["decisions_sent"], 1, "sent again and answered as the first time: {said}");
    assert_eq!(said["status"]["decisions_waiting"], 0);
    for db in [&a, &b] {
        ok(xuncha(db, &["sync"]));
        let shown = json(ok(xuncha(db, &["enterprise", "show", "91430426MA4QA91117", "--json"])));
        assert_eq!(shown["tier"], "C", "the decision reached every laptop");
    }
    assert!(ok(xuncha(&s, &["conflicts"])).contains("没有待裁决的冲突"));
    drop(bureau);
}

#[test]
fn correcting_a_name_to_another_files_name_folds_the_two_files_into_one() {
    let dir = tempfile::tempdir().unwrap();
    let (bureau, _) = park_with(dir.path(), &[("zhao", "inspector"), ("qian", "steward")]);
    let url = format!("http://{}", bureau.addr);
    let (a, b) = (laptop(dir.path(), &url, "zhao"), laptop(dir.path(), &url, "qian"));
    let lingpai = hits(&a, "领湃")[0].clone();
    // One laptop typed the enterprise in again under a spelling of its own,
    // with a scan; later someone sees it is 领湃 and corrects the name.
    let mut store = xuncha_core::Store::open(&a, xuncha_core::Env::system()).unwrap();
    let park = lingpai["park_id"].as_str().map(|p| p.parse().unwrap());
    let park = park.unwrap_or_else(|| store.parks().unwrap()[0].id);
    let id = store.new_id();
    store.save_enterprise(&xuncha_core::Enterprise::new(id, park, "领湃新能源（祁东）")).unwrap();
    let scan = dir.path().join("验收意见.pdf");
    std::fs::write(&scan, b"%PDF-1.4 acceptance").unwrap();
    store.attach_archive_file(id, 3, &scan).unwrap();
    ok(xuncha(&a, &["sync"]));
    let mut twin = store.enterprise(id).unwrap().unwrap();
    twin.name = lingpai["name"].as_str().unwrap().to_string();
    store.save_enterprise(&twin).unwrap();
    drop(store);
    for db in [&a, &b, &a] {
        let said = json(ok(xuncha(db, &["sync", "--json"])));
        assert_eq!(said["report"]["rejected"], 0, "{said}");
    }
    for db in [&a, &b] {
        let found = hits(db, "领湃");
        assert_eq!(found.len(), 1, "one file is left: {found:?}");
        assert_eq!(found[0]["id"], lingpai["id"], "the file that was there first");
        let shown = json(ok(xuncha(db, &["enterprise", "show", lingpai["id"].as_str().unwrap(), "--json"])));
        let item3 = shown["enterprise"]["archive"].as_array().unwrap().iter().find(|i| i["item_no"] == 3).unwrap();
        let names: Vec<&str> =
            item3["attachments"].as_array().unwrap().iter().map(|x| x["file_name"].as_str().unwrap()).collect();
        assert!(names.contains(&"验收意见.pdf"), "the scan came along: {names:?}");
    }
    drop(bureau);
}
