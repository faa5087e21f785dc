//! The real server binary against a signed-in user who sends what the
//! laptop never would: another laptop's device id, another park's case,
//! password guesses, numbers at the edge of their range. Each answer rests
//! on what the server holds, not on what the request claims.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use serde_json::{json, Value};
use uuid::Uuid;
use xuncha_core::{DeviceId, Store};

use super::http::{
    admin, approve, error_of, key_of, login_as, raw_login, sample_server, start, token, Server, BIN, PASSWORD,
};
use crate::common::*;

fn login(
    server: &Server,
    user: &str,
    password: &str,
    device: impl Into<DeviceId>,
    name: &str,
) -> Result<Value, (u16, Value)> {
    let device = device.into();
    match raw_login(server, user, password, device, name, &key_of(device)) {
        (200, session) => Ok(session),
        refused => Err(refused),
    }
}

fn hello(server: &Server, token: &str) -> Result<Value, (u16, Value)> {
    match ureq::get(&format!("{}/v1/sync/hello", server.url)).set("Authorization", &format!("Bearer {token}")).call() {
        Ok(resp) => Ok(resp.into_json().unwrap()),
        Err(ureq::Error::Status(code, resp)) => Err((code, resp.into_json().unwrap())),
        Err(e) => panic!("the server answers: {e}"),
    }
}

fn a_device_belongs_to_the_user_who_signed_in_on_it_and_a_revoked_one_is_shut_out(kind: Kind) {
    let db = ServerDb::new(kind);
    let (server, _) = sample_server(&db);
    let (zhang_token, laptop_a) = token(db.dir(), &server);
    admin(&db, &["user", "add", "wang", "--role", "inspector"]);

    // wang presents zhang's laptop: refused, and zhang's stream is untouched.
    let (code, body) = login(&server, "wang", PASSWORD, laptop_a, "王的电脑").unwrap_err();
    assert_eq!((code, body["code"].as_str()), (403, Some("forbidden")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("另一位用户"), "{body}");
    assert!(hello(&server, &zhang_token).is_ok(), "zhang's session goes on");
    // On a laptop of their own, wang signs in.
    login(&server, "wang", PASSWORD, Uuid::from_u128(0xbeef), "王的电脑").unwrap();

    let listing = admin(&db, &["device", "list"]);
    let line = listing.lines().find(|l| l.starts_with(&laptop_a.to_string())).expect("zhang's laptop is listed");
    assert!(line.contains("\tzhang\t") && line.ends_with("在用"), "{listing}");
    assert_eq!(listing.lines().count(), 2, "two laptops signed in: {listing}");

    admin(&db, &["device", "revoke", &laptop_a.to_string()]);
    let (code, _) = hello(&server, &zhang_token).unwrap_err();
    assert_eq!(code, 401, "a revoked laptop's token stops working at once");
    let (code, body) = login(&server, "zhang", PASSWORD, laptop_a, "测试笔记本").unwrap_err();
    assert_eq!(code, 403);
    assert!(body["message"].as_str().unwrap().contains("已被管理员停用"), "{body}");
    assert!(admin(&db, &["device", "list"])
        .lines()
        .any(|l| l.starts_with(&laptop_a.to_string()) && l.contains("已停用")));

    // A device name past the limit is refused with the limit.
    let (code, body) = login(&server, "wang", PASSWORD, Uuid::from_u128(0xcafe), &"名".repeat(65)).unwrap_err();
    assert_eq!(code, 400);
    assert!(body["message"].as_str().unwrap().contains("最多 64 个字符"), "{body}");
}

/// Pushes one new insert-only record as the device behind `token`.
fn push_record(server: &Server, token: &str, device: impl Into<Uuid>, seq: i64, entity: &str, fields: Value) -> Value {
    let device = device.into();
    let id = fields["id"].clone();
    let payload = json!({"op": "create", "fields": fields});
    let push = json!({
        "protocol": 1,
        "device_id": device,
        "mutations": [{
            "seq": seq, "mutation_id": Uuid::from_u128(0x1000 + seq as u128 + device.as_u128() % 1000 * 100),
            "entity": entity, "entity_id": id, "base_version": 0, "payload": payload,
            "payload_hash": xuncha_sync::payload_hash(&payload), "created_at": "2026-12-02T08:00:00Z"
        }]
    });
    let resp: Value = ureq::post(&format!("{}/v1/sync/push", server.url))
        .set("Authorization", &format!("Bearer {token}"))
        .send_json(push)
        .unwrap()
        .into_json()
        .unwrap();
    resp["results"][0].clone()
}

fn case_event(
    id: u128,
    case: Uuid,
    park: impl Into<Uuid>,
    enterprise: impl Into<Uuid>,
    device: impl Into<Uuid>,
    body: Value,
) -> Value {
    let (park, enterprise, device) = (park.into(), enterprise.into(), device.into());
    json!({
        "id": Uuid::from_u128(id), "case_id": case, "park_id": park, "enterprise_id": enterprise,
        "seen": null, "body": body, "recorded_by": "测试", "recorded_at": "2026-12-02T16:00:00+08:00",
        "device_id": device, "verdict": null
    })
}

fn a_user_of_another_park_cannot_step_a_case_of_this_park(kind: Kind) {
    let db = ServerDb::new(kind);
    let (server, parks) = sample_server(&db);
    let (zhang, laptop_z) = token(db.dir(), &server);
    let li = login_as(db.dir(), &server, "li.db", "li");
    let li_session = xuncha_client::SavedSession::load(&xuncha_client::session_path(li.path())).unwrap();
    let (li_token, laptop_l) = (li_session.session.access_token, li.device_id());
    let mut sample = Store::open(":memory:", env(3)).unwrap();
    xuncha_core::sample::load_sample(&mut sample).unwrap();
    let enterprise = sample.enterprise_ids(Some(parks[0])).unwrap()[0];
    let other_enterprise = sample.enterprise_ids(Some(parks[1])).unwrap().first().copied();

    let case = Uuid::from_u128(0xca5e);
    let opened = json!({"kind": "opened", "inspection_id": Uuid::from_u128(0x1), "findings": []});
    let r = push_record(
        &server,
        &zhang,
        laptop_z,
        1,
        "case_event",
        case_event(1, case, parks[0], enterprise, laptop_z, opened),
    );
    assert_eq!(r["outcome"], "applied", "zhang opens a case in zhang's park: {r}");

    // li (park 2) escalates zhang's case, naming li's own park…
    let escalate = json!({"kind": "escalated", "clue_transfer_id": Uuid::from_u128(0x2)});
    let r = push_record(
        &server,
        &li_token,
        laptop_l,
        1,
        "case_event",
        case_event(2, case, parks[1], other_enterprise.unwrap_or(enterprise), laptop_l, escalate.clone()),
    );
    assert_eq!(r["outcome"], "rejected", "{r}");
    assert!(r["reason"].as_str().unwrap().contains("属于另一园区"), "{r}");
    // …or naming zhang's park.
    let r = push_record(
        &server,
        &li_token,
        laptop_l,
        2,
        "case_event",
        case_event(3, case, parks[0], enterprise, laptop_l, escalate),
    );
    assert_eq!(r["outcome"], "rejected", "{r}");
    assert!(r["reason"].as_str().unwrap().contains("未被分配"), "{r}");
    // A new case about zhang's enterprise filed under li's park is refused too.
    let r = push_record(
        &server,
        &li_token,
        laptop_l,
        3,
        "case_event",
        case_event(
            4,
            Uuid::from_u128(0xca5f),
            parks[1],
            enterprise,
            laptop_l,
            json!({"kind": "opened", "inspection_id": Uuid::from_u128(0x3), "findings": []}),
        ),
    );
    assert_eq!(r["outcome"], "rejected", "a new case about another park's enterprise: {r}");

    // zhang's own next step fits the case as zhang left it.
    let reviewed = json!({"kind": "reviewed", "by": "周主任", "note": ""});
    let r = push_record(
        &server,
        &zhang,
        laptop_z,
        2,
        "case_event",
        case_event(5, case, parks[0], enterprise, laptop_z, reviewed),
    );
    assert_eq!(r["outcome"], "applied", "{r}");
    let mut events = Vec::new();
    let mut after = 0;
    loop {
        let page: Value = ureq::post(&format!("{}/v1/sync/pull", server.url))
            .set("Authorization", &format!("Bearer {zhang}"))
            .send_json(json!({"protocol": 1, "park_id": parks[0], "after": after, "limit": 1000}))
            .unwrap()
            .into_json()
            .unwrap();
        let changes = page["changes"].as_array().unwrap();
        events.extend(changes.iter().filter(|c| c["entity"] == "case_event").map(|c| c["doc"].clone()));
        after = page["cursor"].as_i64().unwrap();
        if page["more"] != true {
            break;
        }
    }
    let verdicts: Vec<(Value, Value)> =
        events.iter().map(|e| (e["verdict"]["seq"].clone(), e["verdict"]["accepted"].clone())).collect();
    assert_eq!(verdicts, [(json!(1), json!(true)), (json!(2), json!(true))], "li's events never touched the case");
}

fn password_guessing_is_slowed_then_locked_and_an_admin_unlocks(kind: Kind) {
    let db = ServerDb::new(kind);
    let (server, _) = sample_server(&db);
    let device = Uuid::from_u128(0xd1);
    for attempt in 1..=2 {
        let (code, body) = login(&server, "zhang", "错误的密码", device, "x").unwrap_err();
        assert_eq!((code, body["message"].as_str()), (401, Some("用户名或密码不正确")), "attempt {attempt}");
    }
    let (code, body) = login(&server, "zhang", "错误的密码", device, "x").unwrap_err();
    assert_eq!(code, 401);
    assert_eq!(body["message"], "用户名或密码不正确；已连续失败 3 次，请 5 秒 后再试");
    // Even the right password waits, and the answer says how long.
    let resp = ureq::post(&format!("{}/v1/login", server.url))
        .send_json(json!({"user": "zhang", "password": PASSWORD, "device_id": device, "device_name": "x"}));
    let Err(ureq::Error::Status(429, resp)) = resp else { panic!("a locked account is refused with 429") };
    let wait: i64 = resp.header("Retry-After").expect("Retry-After").parse().unwrap();
    assert!((1..=5).contains(&wait), "Retry-After {wait}");
    let body: Value = resp.into_json().unwrap();
    assert_eq!(body["code"], "throttled");
    assert!(body["message"].as_str().unwrap().starts_with("登录失败次数过多，请"), "{body}");

    admin(&db, &["user", "unlock", "zhang"]);
    login(&server, "zhang", PASSWORD, device, "x").expect("after the admin's unlock the right password works");

    // Guesses spread over many names are counted per address as well: with
    // the three above, the 20th failure from this address locks it.
    for i in 0..17 {
        let (code, _) = login(&server, &format!("guess{i}"), "123456", device, "x").unwrap_err();
        assert_eq!(code, 401, "guess {i}");
    }
    let (code, body) = login(&server, "zhang", PASSWORD, device, "x").unwrap_err();
    assert_eq!((code, body["code"].as_str()), (429, Some("throttled")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("15 分钟"), "{body}");
}

fn numbers_and_schemes_at_the_edge_get_a_clear_answer(kind: Kind) {
    let db = ServerDb::new(kind);
    let (server, parks) = sample_server(&db);
    let (token, _) = token(db.dir(), &server);
    // The scheme is case-insensitive.
    for scheme in ["bearer", "BEARER"] {
        let resp = ureq::get(&format!("{}/v1/sync/hello", server.url))
            .set("Authorization", &format!("{scheme} {token}"))
            .call();
        assert!(resp.is_ok(), "{scheme} is accepted");
    }
    let auth = format!("Bearer {token}");
    let pull = |body: Value| {
        ureq::post(&format!("{}/v1/sync/pull", server.url))
            .set("Authorization", &auth)
            .send_json(body)
            .map_err(Box::new)
    };
    let (code, body) = error_of(pull(json!({"protocol": 1, "park_id": parks[0], "after": 0, "limit": 0})));
    assert_eq!(code, 400);
    assert!(body["message"].as_str().unwrap().contains("1 至 1000"), "{body}");
    let (code, body) = error_of(pull(json!({"protocol": 1, "park_id": parks[0], "after": -5, "limit": 10})));
    assert_eq!(code, 400);
    assert!(body["message"].as_str().unwrap().contains("不能为负数"), "{body}");

    // An offset at the top of the range does not wrap around.
    let sha = "a".repeat(64);
    let (code, body) = error_of(
        ureq::request("PATCH", &format!("{}/v1/blobs/{sha}", server.url))
            .set("Authorization", &auth)
            .set("Upload-Offset", &u64::MAX.to_string())
            .set("Upload-Length", "10")
            .send_bytes(b"0123456789"),
    );
    assert_eq!(code, 400, "{body}");
    assert!(body["message"].as_str().unwrap().contains("分块超出文件总长"), "{body}");
    assert!(hello(&server, &token).is_ok(), "the server keeps serving");
}

/// Signs in, fails, is refused a write and revoked; returns the access
/// token that was used.
fn a_day_of_security_events(db: &ServerDb, server: &Server) -> String {
    let (zhang, laptop) = token(db.dir(), server);
    login(server, "zhang", "错误的密码", laptop, "x").unwrap_err();
    let li = login_as(db.dir(), server, "li.db", "li");
    let li_session = xuncha_client::SavedSession::load(&xuncha_client::session_path(li.path())).unwrap();
    let fields = case_event(
        9,
        Uuid::from_u128(0xca5e),
        Uuid::from_u128(0xdead),
        Uuid::from_u128(1),
        li.device_id(),
        json!({"kind": "opened", "inspection_id": Uuid::from_u128(0x1), "findings": []}),
    );
    let r = push_record(server, &li_session.session.access_token, li.device_id(), 1, "case_event", fields);
    assert_eq!(r["outcome"], "rejected", "{r}");
    admin(db, &["device", "revoke", &laptop.to_string()]);
    hello(server, &zhang).unwrap_err();
    zhang
}

fn every_security_event_is_in_an_audit_trail_that_verifies(kind: Kind) {
    let db = ServerDb::new(kind);
    let (server, _) = sample_server(&db);
    let zhang = a_day_of_security_events(&db, &server);
    let said = admin(&db, &["audit", "verify"]);
    assert!(said.starts_with("审计日志完整：共 "), "{said}");
    let export = admin(&db, &["audit", "export", "--since", "2000-01-01", "--format", "jsonl"]);
    let rows: Vec<Value> = export.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let has = |event: &str, outcome: &str, actor: &str| {
        rows.iter().any(|r| r["event"] == event && r["outcome"] == outcome && r["actor"] == actor)
    };
    assert!(has("user_added", "success", "（服务器控制台）"), "{export}");
    assert!(has("assignment", "success", "（服务器控制台）"), "{export}");
    assert!(has("device_bound", "success", "zhang"), "{export}");
    assert!(has("login", "success", "zhang"), "{export}");
    assert!(has("login", "failure", "zhang"), "{export}");
    assert!(has("write_refused", "refused", "li"), "{export}");
    assert!(has("device_revoked", "success", "（服务器控制台）"), "{export}");
    assert!(has("token_refused", "refused", "（未知）"), "the revoked laptop's token: {export}");
    let source = rows.iter().find(|r| r["event"] == "login").unwrap()["source"].clone();
    assert_eq!(source, "127.0.0.1", "a login names its source");
    assert!(!export.contains(PASSWORD) && !export.contains("错误的密码") && !export.contains(&zhang), "no secrets");
    let csv = admin(&db, &["audit", "export", "--since", "2000-01-01"]);
    assert_eq!(csv.lines().count(), rows.len() + 1, "one CSV line per row under a header");
    assert!(
        admin(&db, &["audit", "export", "--since", "2999-01-01"]).lines().count() == 1,
        "nothing after a future date"
    );
}

fn unfinished_uploads_are_each_devices_own_expire_and_are_capped(kind: Kind) {
    let db = ServerDb::new(kind);
    let (server, _) = sample_server(&db);
    let (zhang, laptop) = token(db.dir(), &server);
    let li = login_as(db.dir(), &server, "li.db", "li");
    let li_token =
        xuncha_client::SavedSession::load(&xuncha_client::session_path(li.path())).unwrap().session.access_token;
    let patch = |token: &str, sha: &str, offset: u64, total: u64, bytes: &[u8]| {
        ureq::request("PATCH", &format!("{}/v1/blobs/{sha}", server.url))
            .set("Authorization", &format!("Bearer {token}"))
            .set("Upload-Offset", &offset.to_string())
            .set("Upload-Length", &total.to_string())
            .send_bytes(bytes)
            .map_err(Box::new)
    };
    let offset_of = |token: &str, sha: &str| -> u64 {
        let resp = match ureq::head(&format!("{}/v1/blobs/{sha}", server.url))
            .set("Authorization", &format!("Bearer {token}"))
            .call()
        {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{e}"),
        };
        resp.header("Upload-Offset").unwrap().parse().unwrap()
    };
    let sha = "b".repeat(64);
    patch(&zhang, &sha, 0, 10, b"01234").unwrap();
    assert_eq!(offset_of(&zhang, &sha), 5, "zhang resumes at 5");
    assert_eq!(offset_of(&li_token, &sha), 0, "another laptop does not see zhang's bytes");

    // A day later without a word from zhang, the next upload clears them.
    let partial = db.dir().join("server").join("blobs").join("partial").join(laptop.to_string()).join(&sha);
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(25 * 3600);
    std::fs::File::options().write(true).open(&partial).unwrap().set_modified(old).unwrap();
    patch(&li_token, &"c".repeat(64), 0, 10, b"01").unwrap();
    assert!(!partial.exists(), "the stale upload is gone");
    assert_eq!(offset_of(&zhang, &sha), 0, "zhang starts over");

    // A laptop that leaves 1 GB unfinished may start no more until it finishes.
    let hoard = partial.with_file_name("d".repeat(64));
    std::fs::File::create(&hoard).unwrap().set_len(1024 * 1024 * 1024).unwrap();
    let (code, body) = error_of(patch(&zhang, &"e".repeat(64), 0, 10, b"01"));
    assert_eq!(code, 413, "{body}");
    assert!(body["message"].as_str().unwrap().contains("1024 MB 上限"), "{body}");
    patch(&li_token, &"e".repeat(64), 0, 10, b"01").expect("other laptops are not held back");
    // A whole small file in one piece is never held back: it leaves nothing unfinished.
    let photo = b"photo bytes";
    let whole = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(photo));
    let done: Value = patch(&zhang, &whole, 0, photo.len() as u64, photo).unwrap().into_json().unwrap();
    assert_eq!(done["complete"], true);
}

/// What a signed-in laptop learns about a file by its hash: its state
/// (`HEAD`: status and `Upload-Offset`) and what `GET` answers.
struct Probe<'a> {
    server: &'a Server,
    token: String,
}

impl Probe<'_> {
    fn head(&self, sha: &str) -> (u16, u64) {
        let resp = match ureq::head(&format!("{}/v1/blobs/{sha}", self.server.url))
            .set("Authorization", &format!("Bearer {}", self.token))
            .call()
        {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{e}"),
        };
        (resp.status(), resp.header("Upload-Offset").unwrap().parse().unwrap())
    }

    fn get(&self, sha: &str) -> Result<Vec<u8>, (u16, Value)> {
        match ureq::get(&format!("{}/v1/blobs/{sha}", self.server.url))
            .set("Authorization", &format!("Bearer {}", self.token))
            .call()
        {
            Ok(resp) => {
                let mut bytes = Vec::new();
                std::io::Read::read_to_end(&mut resp.into_reader(), &mut bytes).unwrap();
                Ok(bytes)
            }
            Err(ureq::Error::Status(code, resp)) => Err((code, resp.into_json().unwrap())),
            Err(e) => panic!("{e}"),
        }
    }

    fn patch(&self, sha: &str, offset: u64, total: u64, bytes: &[u8]) -> Value {
        ureq::request("PATCH", &format!("{}/v1/blobs/{sha}", self.server.url))
            .set("Authorization", &format!("Bearer {}", self.token))
            .set("Upload-Offset", &offset.to_string())
            .set("Upload-Length", &total.to_string())
            .send_bytes(bytes)
            .unwrap()
            .into_json()
            .unwrap()
    }
}

fn a_file_is_seen_only_by_its_uploader_and_the_parks_whose_records_name_it(kind: Kind) {
    let db = ServerDb::new(kind);
    let (server, parks) = sample_server(&db);
    let (zhang_token, laptop_z) = token(db.dir(), &server);
    let li_store = login_as(db.dir(), &server, "li.db", "li");
    let li_token =
        xuncha_client::SavedSession::load(&xuncha_client::session_path(li_store.path())).unwrap().session.access_token;
    let laptop_l = li_store.device_id();
    admin(&db, &["user", "add", "wang", "--role", "inspector"]);
    admin(&db, &["assign", "wang", &parks[0].to_string()]);
    let wang_token = login(&server, "wang", PASSWORD, Uuid::from_u128(0x3a9), "王的电脑").unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let (zhang, li, wang) = (
        Probe { server: &server, token: zhang_token.clone() },
        Probe { server: &server, token: li_token.clone() },
        Probe { server: &server, token: wang_token },
    );
    let mut sample = Store::open(":memory:", env(3)).unwrap();
    xuncha_core::sample::load_sample(&mut sample).unwrap();
    let enterprise = sample.enterprise_ids(Some(parks[0])).unwrap()[0];
    // Park 2 holds no enterprise files yet; li's case is about one not filed yet.
    let li_enterprise = Uuid::from_u128(0xe2);

    let photo = "整改后的现场照片".repeat(1000).into_bytes();
    let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&photo));
    let never = "f".repeat(64);
    let absent = li.get(&never).unwrap_err();
    assert_eq!(absent.0, 404);
    assert_eq!(zhang.patch(&sha, 0, photo.len() as u64, &photo)["complete"], true);
    assert_eq!(
        zhang.head(&sha),
        (200, photo.len() as u64),
        "the uploader sees its file while its record is on the way"
    );
    assert_eq!(wang.head(&sha), (404, 0), "no record names it yet");
    assert_eq!(li.head(&sha), (404, 0));
    assert_eq!(li.get(&sha).unwrap_err(), absent, "answered exactly as a file the server never had");

    // zhang's record in park 1 names the file: park 1's users see it, park 2's do not.
    let case = Uuid::from_u128(0xca5e);
    let opened = json!({"kind": "opened", "inspection_id": Uuid::from_u128(0x1), "findings": []});
    let r = push_record(
        &server,
        &zhang_token,
        laptop_z,
        1,
        "case_event",
        case_event(1, case, parks[0], enterprise, laptop_z, opened),
    );
    assert_eq!(r["outcome"], "applied", "{r}");
    let plan = json!({"kind": "plan_received", "on": "2026-12-03", "note": "整改方案",
        "files": [{"sha256": sha, "file_name": "整改后.jpg", "finding_id": null}]});
    let r = push_record(
        &server,
        &zhang_token,
        laptop_z,
        2,
        "case_event",
        case_event(2, case, parks[0], enterprise, laptop_z, plan),
    );
    assert_eq!(r["outcome"], "applied", "{r}");
    assert_eq!(wang.head(&sha), (200, photo.len() as u64));
    assert!(wang.get(&sha).unwrap() == photo, "a colleague in the park gets the same bytes");
    assert_eq!(li.head(&sha), (404, 0));
    assert_eq!(li.get(&sha).unwrap_err(), absent);

    // li names the hash in a record of li's own park: that alone shows nothing.
    let li_case = Uuid::from_u128(0xca5f);
    let opened = json!({"kind": "opened", "inspection_id": Uuid::from_u128(0x2), "findings": []});
    let r = push_record(
        &server,
        &li_token,
        laptop_l,
        1,
        "case_event",
        case_event(3, li_case, parks[1], li_enterprise, laptop_l, opened),
    );
    assert_eq!(r["outcome"], "applied", "{r}");
    let plan = json!({"kind": "plan_received", "on": "2026-12-03", "note": "",
        "files": [{"sha256": sha, "file_name": "借来的.jpg", "finding_id": null}]});
    let r = push_record(
        &server,
        &li_token,
        laptop_l,
        2,
        "case_event",
        case_event(4, li_case, parks[1], li_enterprise, laptop_l, plan),
    );
    assert_eq!(r["outcome"], "applied", "{r}");
    assert_eq!(li.get(&sha).unwrap_err(), absent, "knowing a hash is not holding the file");

    // Uploading does not tell li either: the server takes every byte, as for a new file.
    let stored = db.dir().join("server").join("blobs").join(&sha[..2]).join(&sha[2..]);
    let original = std::fs::metadata(&stored).unwrap();
    let half = photo.len() / 2;
    assert_eq!(li.patch(&sha, 0, photo.len() as u64, &photo[..half])["complete"], false);
    assert_eq!(li.head(&sha), (404, half as u64), "li resumes li's own upload");
    assert_eq!(li.patch(&sha, half as u64, photo.len() as u64, &photo[half..])["complete"], true);
    // Having sent the bytes, li holds the file, and li's park sees it through li's record.
    assert!(li.get(&sha).unwrap() == photo);
    let now = std::fs::metadata(&stored).unwrap();
    assert_eq!(
        (std::os::unix::fs::MetadataExt::ino(&now), now.modified().unwrap()),
        (std::os::unix::fs::MetadataExt::ino(&original), original.modified().unwrap()),
        "the stored original is untouched"
    );
}

fn refresh(server: &Server, token: &str, signature: Option<String>) -> (u16, Value) {
    let body = json!({"refresh_token": token, "signature": signature});
    match ureq::post(&format!("{}/v1/refresh", server.url)).send_json(body) {
        Ok(resp) => (resp.status(), resp.into_json().unwrap()),
        Err(ureq::Error::Status(code, resp)) => (code, resp.into_json().unwrap()),
        Err(e) => panic!("the server answers: {e}"),
    }
}

fn a_login_needs_the_laptops_key_and_a_new_laptop_needs_the_administrator(kind: Kind) {
    let db = ServerDb::new(kind);
    let (server, _) = sample_server(&db);
    // zhang's own laptop, through the real client: its key is made now.
    let laptop = login_as(db.dir(), &server, "zhang.db", "zhang");
    let laptop_id = laptop.device_id();
    let real_key = xuncha_client::device_key(laptop.path()).unwrap();

    // The password alone, as an old client or a script sends it.
    let (code, body) = error_of(ureq::post(&format!("{}/v1/login", server.url)).send_json(
        json!({"user": "zhang", "password": PASSWORD, "device_id": laptop_id, "device_name": "测试笔记本"}),
    ));
    assert_eq!(code, 403, "{body}");
    assert!(body["message"].as_str().unwrap().contains("缺少本机设备密钥的签名"), "{body}");

    // The password and laptop's device id (a copied data file), but not its key.
    let (code, body) = raw_login(&server, "zhang", PASSWORD, laptop_id, "测试笔记本", &key_of(Uuid::from_u128(7)));
    assert_eq!(code, 403, "{body}");
    assert!(body["message"].as_str().unwrap().contains("设备密钥与服务器登记的不符"), "{body}");

    // The password on a laptop of the thief's own: it waits for the administrator.
    let thief = DeviceId(Uuid::from_u128(0x7e1f));
    for _ in 0..2 {
        let (code, body) = raw_login(&server, "zhang", PASSWORD, thief, "陌生电脑", &key_of(thief));
        assert_eq!(code, 403, "{body}");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains("须经管理员批准") && message.contains(&thief.to_string()), "{body}");
    }
    let listing = admin(&db, &["device", "list"]);
    let line = listing.lines().find(|l| l.starts_with(&thief.to_string())).expect("the new laptop is listed");
    assert!(line.ends_with("待批准") && line.contains(&key_of(thief).public_key()[..16]), "{listing}");
    approve(&server, thief);
    let (code, body) = raw_login(&server, "zhang", PASSWORD, thief, "陌生电脑", &key_of(thief));
    assert_eq!(code, 200, "approved, it signs in: {body}");

    // A challenge is good for one login of the device it was made for.
    let challenge: Value = ureq::post(&format!("{}/v1/login/challenge", server.url))
        .send_json(json!({"device_id": thief}))
        .unwrap()
        .into_json()
        .unwrap();
    let challenge = challenge["challenge"].as_str().unwrap().to_string();
    let send = |device: DeviceId, challenge: &str| {
        let proof = json!({
            "public_key": key_of(thief).public_key(), "challenge": challenge,
            "signature": key_of(thief).sign_login(device, "zhang", challenge)
        });
        error_of(ureq::post(&format!("{}/v1/login", server.url)).send_json(
            json!({"user": "zhang", "password": PASSWORD, "device_id": device, "device_name": "x", "proof": proof}),
        ))
    };
    // The same challenge with its last digit changed.
    let last = if challenge.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{last}", &challenge[..challenge.len() - 1]);
    let (code, body) = send(thief, &forged);
    assert_eq!(code, 403, "a challenge the server did not make: {body}");
    assert!(body["message"].as_str().unwrap().contains("签名无效或登录请求已过期"), "{body}");
    let (code, _) = send(laptop_id, &challenge);
    assert_eq!(code, 403, "a challenge made for another device");
    let proof = json!({
        "public_key": key_of(thief).public_key(), "challenge": challenge,
        "signature": key_of(thief).sign_login(thief, "zhang", &challenge)
    });
    let login = json!({"user": "zhang", "password": PASSWORD, "device_id": thief, "device_name": "x", "proof": proof});
    ureq::post(&format!("{}/v1/login", server.url)).send_json(login.clone()).expect("the first use signs in");
    let (code, body) = error_of(ureq::post(&format!("{}/v1/login", server.url)).send_json(login));
    assert_eq!(code, 403, "a replayed login: {body}");
    assert!(body["message"].as_str().unwrap().contains("已使用过"), "{body}");

    // A copied refresh token: without the laptop's key it neither refreshes
    // nor, by being spent, ends the laptop's session.
    let saved = xuncha_client::SavedSession::load(&xuncha_client::session_path(laptop.path())).unwrap();
    let token = saved.session.refresh_token.clone();
    let (code, body) = refresh(&server, &token, None);
    assert_eq!((code, body["code"].as_str()), (401, Some("signed_out")), "{body}");
    let (code, _) = refresh(&server, &token, Some(key_of(thief).sign_refresh(&token)));
    assert_eq!(code, 401, "another laptop's key");
    let (code, body) = refresh(&server, &token, Some(real_key.sign_refresh(&token)));
    assert_eq!(code, 200, "the laptop itself refreshes: {body}");

    // Logging out keeps the key: the laptop signs in again without the administrator.
    xuncha_client::logout(laptop.path()).unwrap();
    xuncha_client::login(laptop.path(), &server.url, "zhang", PASSWORD, laptop_id, "测试笔记本").unwrap();
    assert_eq!(xuncha_client::device_key(laptop.path()).unwrap().public_key(), real_key.public_key());

    let export = admin(&db, &["audit", "export", "--format", "jsonl"]);
    for detail in
        ["未附设备签名", "设备密钥与登记的不符", "设备待管理员批准", "登录挑战重复使用", "刷新缺少有效的设备签名"]
    {
        assert!(export.contains(detail), "the audit trail has {detail}: {export}");
    }
    assert!(export.contains("\"device_approved\""), "{export}");
    admin(&db, &["audit", "verify"]);
}

on_both_backends!(
    a_login_needs_the_laptops_key_and_a_new_laptop_needs_the_administrator,
    a_file_is_seen_only_by_its_uploader_and_the_parks_whose_records_name_it,
    unfinished_uploads_are_each_devices_own_expire_and_are_capped,
    every_security_event_is_in_an_audit_trail_that_verifies,
    a_device_belongs_to_the_user_who_signed_in_on_it_and_a_revoked_one_is_shut_out,
    a_user_of_another_park_cannot_step_a_case_of_this_park,
    password_guessing_is_slowed_then_locked_and_an_admin_unlocks,
    numbers_and_schemes_at_the_edge_get_a_clear_answer,
);

#[test]
fn a_new_password_follows_the_rules_and_no_command_skips_them() {
    let db = ServerDb::new(Kind::Sqlite);
    let add = |password: &str| {
        let out = Command::new(BIN)
            .args(db.args())
            .args(["user", "add", "zhao", "--role", "clerk"])
            .env("XUNCHA_PASSWORD", password)
            .output()
            .unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (ok, said) = add("Ab1-xyz");
    assert!(!ok && said.contains("10 个字符以上") && said.contains("此密码 7 个字符"), "{said}");
    let (ok, said) = add("环保巡查环保巡查环保巡查");
    assert!(!ok && said.contains("三类"), "Chinese characters alone are one class: {said}");
    let (ok, said) = add("lowercase-only");
    assert!(!ok && said.contains("三类"), "{said}");
    let (ok, said) = add("巡查员zhao2026");
    assert!(ok, "others, lower case and digits: {said}");
}

#[test]
fn altering_or_deleting_any_audit_row_is_found_by_verify() {
    let db = ServerDb::new(Kind::Sqlite);
    let (server, _) = sample_server(&db);
    a_day_of_security_events(&db, &server);
    drop(server);
    let data = db.dir().join("server");
    let verify = |dir: &std::path::Path| {
        let out =
            Command::new(BIN).args(["--data".as_ref(), dir.as_os_str()]).args(["audit", "verify"]).output().unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    assert!(verify(&data).0, "the untouched trail holds");
    let rows = |dir: &std::path::Path| {
        rusqlite::Connection::open(dir.join("server.db"))
            .unwrap()
            .query_row("SELECT COUNT(*) FROM audit_log", [], |r| r.get::<_, i64>(0))
            .unwrap()
    };
    let n = rows(&data);
    assert!(n >= 8, "{n} rows");
    // The server's own SQL cannot change or remove a row.
    let conn = rusqlite::Connection::open(data.join("server.db")).unwrap();
    assert!(conn.execute("UPDATE audit_log SET detail = 'x' WHERE seq = 2", []).is_err());
    assert!(conn.execute("DELETE FROM audit_log WHERE seq = 2", []).is_err());
    drop(conn);

    // Someone with the file in hand drops the guards: every change is found.
    let last = format!("DELETE FROM audit_log WHERE seq = {n}");
    let cases = [
        ("UPDATE audit_log SET detail = '无事' WHERE seq = 3", "第 3 条审计记录的内容与其校验值不符"),
        ("DELETE FROM audit_log WHERE seq = 4", "第 4 条审计记录缺失"),
        ("UPDATE audit_log SET actor = 'nobody' WHERE seq = 1", "第 1 条审计记录的内容与其校验值不符"),
        (last.as_str(), "末尾的记录被删除"),
    ];
    for (i, (sql, expected)) in cases.iter().enumerate() {
        let copy = db.dir().join(format!("copy{i}"));
        std::fs::create_dir_all(&copy).unwrap();
        std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o700)).unwrap();
        let target = copy.join("server.db");
        rusqlite::Connection::open(data.join("server.db"))
            .unwrap()
            .execute("VACUUM INTO ?1", [target.to_str().unwrap()])
            .unwrap();
        let conn = rusqlite::Connection::open(copy.join("server.db")).unwrap();
        conn.execute_batch(&format!("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; {sql};"))
            .unwrap();
        drop(conn);
        let (ok, said) = verify(&copy);
        assert!(!ok, "{sql} is found");
        assert!(said.contains(expected), "{sql}: {said}");
    }
}

#[test]
fn the_data_folder_is_the_servers_alone_whatever_the_umask() {
    let db = ServerDb::new(Kind::Sqlite);
    let data = db.dir().join("server");
    let server = start(&db);
    login(&server, "nobody", "x", Uuid::from_u128(1), "x").unwrap_err();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700, "the data folder");
    for name in ["server.db", "server.db-wal", "server.db-shm"] {
        assert_eq!(mode(&data.join(name)), 0o600, "{name}");
    }
    drop(server);

    // A folder others may write is refused, with the way out.
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = Command::new(BIN).args(db.args()).args(["serve", "--listen", "127.0.0.1:0"]).output().unwrap();
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("其他用户可以写入") && said.contains("chmod 700"), "{said}");
}
