//! The real `xuncha-server` binary over HTTP: admin commands, login,
//! sync through the laptop's HTTP transport, access rules and bad input.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};
use uuid::Uuid;
use xuncha_client::HttpTransport;
use xuncha_core::Store;
use xuncha_core::{DeviceId, ParkId};
use xuncha_sync::device_key::DeviceKey;

use crate::common::*;

pub(super) const BIN: &str = env!("CARGO_BIN_EXE_xuncha-server");
pub(super) const PASSWORD: &str = "巡查-测试-密码-2026a";

/// A running server process, killed when dropped.
pub(super) struct Server {
    child: Child,
    pub(super) url: String,
    /// The arguments that point an admin command at this server's data.
    admin_args: Vec<std::ffi::OsString>,
}

/// The key a made-up device of these tests holds: the same for one id.
pub(super) fn key_of(device: impl Into<DeviceId>) -> DeviceKey {
    use sha2::Digest;
    DeviceKey::from_seed(&sha2::Sha256::digest(device.into().uuid().as_bytes()).into())
}

/// Signs in over HTTP as a laptop holding `key` does: a challenge, then
/// the login with its signature. The status and the answer.
pub(super) fn raw_login(
    server: &Server,
    user: &str,
    password: &str,
    device: impl Into<DeviceId>,
    name: &str,
    key: &DeviceKey,
) -> (u16, Value) {
    let device = device.into();
    let challenge: Value = ureq::post(&format!("{}/v1/login/challenge", server.url))
        .send_json(json!({"device_id": device}))
        .unwrap()
        .into_json()
        .unwrap();
    let challenge = challenge["challenge"].as_str().unwrap();
    let proof = json!({
        "public_key": key.public_key(), "challenge": challenge,
        "signature": key.sign_login(device, user, challenge)
    });
    let body = json!({"user": user, "password": password, "device_id": device, "device_name": name, "proof": proof});
    match ureq::post(&format!("{}/v1/login", server.url)).send_json(body) {
        Ok(resp) => (resp.status(), resp.into_json().unwrap()),
        Err(ureq::Error::Status(code, resp)) => (code, resp.into_json().unwrap()),
        Err(e) => panic!("the server answers: {e}"),
    }
}

/// An administrator approves a user's new device.
pub(super) fn approve(server: &Server, device: impl Into<DeviceId>) {
    let device = device.into();
    let out = Command::new(BIN)
        .args(&server.admin_args)
        .args(["device", "approve", &device.to_string()])
        .output()
        .expect("xuncha-server runs");
    assert!(out.status.success(), "device approve failed: {}", String::from_utf8_lossy(&out.stderr));
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(super) fn admin(db: &ServerDb, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .args(db.args())
        .args(args)
        .env("XUNCHA_PASSWORD", PASSWORD)
        .output()
        .expect("xuncha-server runs");
    assert!(out.status.success(), "xuncha-server {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Runs an admin command that must fail; returns what it says on stderr.
fn admin_refused(db: &ServerDb, args: &[&str]) -> String {
    let out = Command::new(BIN).args(db.args()).args(args).output().expect("xuncha-server runs");
    assert!(!out.status.success(), "xuncha-server {args:?} should fail");
    String::from_utf8(out.stderr).unwrap()
}

fn the_admin_lists_parks_and_users_names_a_park_by_name_and_hears_what_was_done(kind: Kind) {
    let db = ServerDb::new(kind);
    let loaded = admin(&db, &["park", "load-sample"]);
    let parks: Vec<(String, String)> = loaded
        .lines()
        .map(|l| {
            let (id, name) = l.split_once('\t').unwrap();
            (id.to_string(), name.to_string())
        })
        .collect();
    assert!(parks.len() >= 3, "{loaded}");
    let listed = admin(&db, &["park", "list"]);
    let mut expected: Vec<String> = parks.iter().map(|(id, name)| format!("{id}\t{name}")).collect();
    expected.sort_by(|a, b| a.split('\t').nth(1).cmp(&b.split('\t').nth(1)));
    assert_eq!(listed.lines().collect::<Vec<_>>(), expected, "every park, by name");

    admin(&db, &["user", "add", "zhang", "--role", "inspector"]);
    let (id, name) = &parks[0];
    let said = admin(&db, &["assign", "zhang", name]);
    assert_eq!(said.trim(), format!("已将园区“{name}”（{id}）分配给用户 zhang"));
    // A part of the name only this park has is enough; one several parks
    // share is refused with their names.
    let others: Vec<&String> = parks[1..].iter().map(|p| &p.1).collect();
    let chars: Vec<char> = parks[1].1.chars().collect();
    let unique = (2..=chars.len())
        .flat_map(|n| chars.windows(n).map(String::from_iter).collect::<Vec<_>>())
        .find(|part| parks.iter().filter(|p| p.1.contains(part.as_str())).count() == 1)
        .expect("some part of a park's name is its own");
    assert!(!others.is_empty());
    let said = admin(&db, &["assign", "zhang", &unique]);
    assert_eq!(said.trim(), format!("已将园区“{}”（{}）分配给用户 zhang", parks[1].1, parks[1].0));
    let shared = parks[0]
        .1
        .chars()
        .map(String::from)
        .find(|c| parks.iter().filter(|p| p.1.contains(c.as_str())).count() >= 2)
        .expect("park names share a character");
    let why = admin_refused(&db, &["assign", "zhang", &shared]);
    assert!(why.contains(&format!("“{shared}”对应多个园区")) && why.contains("请写园区全名或编号"), "{why}");
    let why = admin_refused(&db, &["assign", "zhang", "月球环保产业园"]);
    assert!(why.contains("没有名称含“月球环保产业园”的园区"), "{why}");

    admin(&db, &["user", "add", "li", "--role", "steward", "--full-name", "李娜"]);
    let users = admin(&db, &["user", "list"]);
    let mut names = [parks[0].1.as_str(), parks[1].1.as_str()];
    names.sort_by_key(|n| parks.iter().find(|p| p.1 == *n).unwrap().0.clone());
    assert_eq!(
        users.lines().collect::<Vec<_>>(),
        [
            "li\t李娜\tsteward\t（未分配园区）".to_string(),
            format!("zhang\t（未设姓名）\tinspector\t{}", names.join("、"))
        ]
    );
    let said = admin(&db, &["assign", "zhang", id, "--remove"]);
    assert_eq!(said.trim(), format!("已取消用户 zhang 的园区“{name}”（{id}）"));
    let said = admin(&db, &["series", "add", "notice", "--prefix", "祁环改", "--title", "生态环境问题整改通知书"]);
    assert_eq!(said.trim(), "已添加文号系列 notice：祁环改〔年份〕N号（生态环境问题整改通知书）");
}

on_both_backends!(the_admin_lists_parks_and_users_names_a_park_by_name_and_hears_what_was_done);

pub(super) fn start(db: &ServerDb) -> Server {
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(db.args())
        .stderr(Stdio::piped())
        .spawn()
        .expect("xuncha-server starts");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let first = lines.next().expect("the server says where it listens").unwrap();
    let url =
        first.split("listening on ").nth(1).unwrap_or_else(|| panic!("unexpected first line: {first}")).to_string();
    std::thread::spawn(move || for _ in lines {});
    let health: Value = ureq::get(&format!("{url}/v1/health")).call().unwrap().into_json().unwrap();
    assert_eq!(health["status"], "ok");
    Server { child, url, admin_args: db.args() }
}

/// An empty server with the sample parks, an inspector assigned to the
/// first park only, and the parks' ids.
pub(super) fn sample_server(db: &ServerDb) -> (Server, Vec<ParkId>) {
    let listing = admin(db, &["park", "load-sample"]);
    let listed: Vec<ParkId> = listing.lines().map(|l| l.split('\t').next().unwrap().parse().unwrap()).collect();
    // The sample's ids are fixed: put the park with enterprises first.
    let mut sample = Store::open(":memory:", env(3)).unwrap();
    xuncha_core::sample::load_sample(&mut sample).unwrap();
    let mut parks = listed;
    parks.sort_by_key(|p| std::cmp::Reverse(sample.enterprise_ids(Some(*p)).unwrap().len()));
    assert!(parks.len() >= 2, "the sample has several parks: {listing}");
    admin(db, &["user", "add", "zhang", "--role", "inspector"]);
    admin(db, &["assign", "zhang", &parks[0].to_string()]);
    admin(db, &["user", "add", "li", "--role", "steward"]);
    admin(db, &["assign", "li", &parks[1].to_string()]);
    (start(db), parks)
}

fn logged_in_laptop(dir: &Path, server: &Server, name: &str) -> Store {
    login_as(dir, server, name, "zhang")
}

pub(super) fn login_as(dir: &Path, server: &Server, name: &str, user: &str) -> Store {
    // Each laptop its own seed, hence its own device id.
    let seed = name.bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64));
    let store = laptop(dir, name, seed);
    let login = || xuncha_client::login(store.path(), &server.url, user, PASSWORD, store.device_id(), "测试笔记本");
    // A user's later laptop waits for the administrator, as in a bureau.
    if let Err(e) = login() {
        assert!(e.to_string().contains("须经管理员批准"), "{e}");
        approve(server, store.device_id());
        login().unwrap();
    }
    store
}

fn a_laptop_logs_in_and_syncs_its_assigned_park_over_http(kind: Kind) {
    let db = ServerDb::new(kind);
    let (server, parks) = sample_server(&db);
    let mut store = logged_in_laptop(db.dir(), &server, "a.db");
    let mut t = HttpTransport::for_store(store.path()).unwrap();
    let report = store.sync(&mut t).unwrap();
    assert!(report.pulled > 1, "the park and its enterprises arrive: {report:?}");
    assert!(store.park(parks[0]).unwrap().is_some());
    assert!(store.park(parks[1]).unwrap().is_none(), "a park not assigned is not sent");

    let id = store.enterprise_ids(Some(parks[0])).unwrap()[0];
    let mut e = store.enterprise(id).unwrap().unwrap();
    e.address = Some("经由 HTTP 修改的地址".into());
    store.save_enterprise(&e).unwrap();
    let report = store.sync(&mut t).unwrap();
    assert_eq!((report.pushed, report.accepted), (1, 1));

    let mut other = logged_in_laptop(db.dir(), &server, "b.db");
    other.sync(&mut HttpTransport::for_store(other.path()).unwrap()).unwrap();
    assert_eq!(other.enterprise(id).unwrap().unwrap().address.as_deref(), Some("经由 HTTP 修改的地址"));
}

fn a_user_names_themselves_the_admin_renames_them_and_their_laptops_carry_the_name(kind: Kind) {
    let db = ServerDb::new(kind);
    let (server, _) = sample_server(&db);
    let a = logged_in_laptop(db.dir(), &server, "a.db");
    let who = xuncha_client::signed_in(a.path()).unwrap();
    assert_eq!((who.person.as_str(), who.full_name), ("zhang", None), "the login name stands in until a name is set");

    // What the window or the CLI never sends is refused with what is wrong.
    for (typed, why) in [
        ("   ", "姓名不能为空".to_string()),
        (&"欧阳".repeat(11), "姓名最多 20 个字符，此处 22 个".to_string()),
        ("张\u{7}伟", "姓名不能含换行、制表符等控制字符".to_string()),
        ("张\u{202E}伟", "姓名不能含看不见的字符或改变书写方向的字符".to_string()),
        ("张\u{200B}伟", "姓名不能含看不见的字符或改变书写方向的字符".to_string()),
    ] {
        let err = xuncha_client::set_full_name(a.path(), typed).unwrap_err();
        assert_eq!(err.code, xuncha_core::api::ErrorCode::Invalid, "{typed:?}: {err:?}");
        assert!(err.message.contains(&why), "{typed:?}: {}", err.message);
    }
    assert_eq!(xuncha_client::signed_in(a.path()).unwrap().person, "zhang", "nothing changed");
    // Without a login nobody names anyone.
    let (status, _) =
        error_of(ureq::put(&format!("{}/v1/me/name", server.url)).send_json(json!({"full_name": "冒名"})));
    assert_eq!(status, 401);

    assert_eq!(xuncha_client::set_full_name(a.path(), " 张伟 ").unwrap(), "张伟");
    assert_eq!(xuncha_client::set_full_name(a.path(), "张伟").unwrap(), "张伟", "the same name again is no change");
    let who = xuncha_client::signed_in(a.path()).unwrap();
    assert_eq!((who.person.as_str(), who.full_name.as_deref()), ("张伟", Some("张伟")));
    // The user's other laptop gets it with its login.
    let b = logged_in_laptop(db.dir(), &server, "b.db");
    assert_eq!(xuncha_client::signed_in(b.path()).unwrap().person, "张伟");

    // The administrator corrects it; the next login brings the correction.
    let said = admin(&db, &["user", "name", "zhang", "张 伟"]);
    assert!(said.starts_with("已将用户 zhang 的姓名设为“张 伟”"), "{said}");
    assert!(admin(&db, &["user", "list"]).contains("zhang\t张 伟\tinspector"));
    assert!(admin(&db, &["user", "list"]).contains("li\t（未设姓名）\tsteward"));
    let c = logged_in_laptop(db.dir(), &server, "c.db");
    assert_eq!(xuncha_client::signed_in(c.path()).unwrap().person, "张 伟");
    // Both changes are in the audit trail, by whom.
    let trail = admin(&db, &["audit", "export", "--since", "2000-01-01"]);
    let named: Vec<&str> = trail.lines().filter(|l| l.contains(",\"user_named\",")).collect();
    assert_eq!(named.len(), 2, "{trail}");
    assert!(named[0].contains(",\"zhang\",") && named[0].contains("设置姓名“张伟”"), "{}", named[0]);
    assert!(named[1].contains("用户 zhang 姓名由“张伟”改为“张 伟”"), "{}", named[1]);
}

on_both_backends!(a_user_names_themselves_the_admin_renames_them_and_their_laptops_carry_the_name);

pub(super) fn token(dir: &Path, server: &Server) -> (String, DeviceId) {
    let store = logged_in_laptop(dir, server, "t.db");
    let saved = xuncha_client::SavedSession::load(&xuncha_client::session_path(store.path())).unwrap();
    (saved.session.access_token, store.device_id())
}

pub(super) fn error_of(result: Result<ureq::Response, impl Into<Box<ureq::Error>>>) -> (u16, Value) {
    match result.map_err(Into::into).map_err(|e| *e) {
        Err(ureq::Error::Status(code, resp)) => (code, resp.into_json().unwrap()),
        Ok(resp) => panic!("expected an error, got {}", resp.status()),
        Err(e) => panic!("expected an HTTP error, got {e}"),
    }
}

fn a_user_assigned_to_one_park_can_neither_pull_nor_push_another_over_http(kind: Kind) {
    let db = ServerDb::new(kind);
    let (server, parks) = sample_server(&db);
    let (token, device) = token(db.dir(), &server);
    let auth = format!("Bearer {token}");
    let (code, body) = error_of(
        ureq::post(&format!("{}/v1/sync/pull", server.url))
            .set("Authorization", &auth)
            .send_json(json!({"protocol": 1, "park_id": parks[1], "after": 0, "limit": 100})),
    );
    assert_eq!(code, 403);
    assert_eq!(body["code"], "forbidden");
    assert!(body["message"].as_str().unwrap().contains("未被分配"), "{body}");

    // li files an enterprise in the other park; zhang tries to edit it.
    let mut li = login_as(db.dir(), &server, "li.db", "li");
    li.sync(&mut HttpTransport::for_store(li.path()).unwrap()).unwrap();
    let theirs = li.new_id();
    li.save_enterprise(&xuncha_core::Enterprise::new(theirs, parks[1], "乙园新企业")).unwrap();
    let report = li.sync(&mut HttpTransport::for_store(li.path()).unwrap()).unwrap();
    assert_eq!(report.accepted, 1, "li may write the park assigned to li");
    let payload = json!({"op": "update", "fields": {"address": "越权修改"}});
    let push = json!({
        "protocol": 1,
        "device_id": device,
        "mutations": [{
            "seq": 1, "mutation_id": Uuid::from_u128(1), "entity": "enterprise", "entity_id": theirs,
            "base_version": 1, "payload": payload, "payload_hash": xuncha_sync::payload_hash(&payload),
            "created_at": "2026-11-22T08:00:00Z"
        }]
    });
    let resp: Value = ureq::post(&format!("{}/v1/sync/push", server.url))
        .set("Authorization", &auth)
        .send_json(push)
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(resp["results"][0]["outcome"], "rejected", "{resp}");
    assert!(resp["results"][0]["reason"].as_str().unwrap().contains("未被分配"), "{resp}");
    li.sync(&mut HttpTransport::for_store(li.path()).unwrap()).unwrap();
    assert_eq!(li.enterprise(theirs).unwrap().unwrap().address.as_deref(), None, "the other park is untouched");

    let (code, body) = error_of(ureq::get(&format!("{}/v1/sync/hello", server.url)).call());
    assert_eq!((code, body["code"].as_str()), (401, Some("signed_out")), "no token, no entry");
}

fn malformed_oversized_and_truncated_requests_get_a_clear_4xx_and_change_nothing(kind: Kind) {
    let db = ServerDb::new(kind);
    let (server, _) = sample_server(&db);
    let (token, device) = token(db.dir(), &server);
    let auth = format!("Bearer {token}");
    let hello = || -> Value {
        ureq::get(&format!("{}/v1/sync/hello", server.url))
            .set("Authorization", &auth)
            .call()
            .unwrap()
            .into_json()
            .unwrap()
    };
    let before = hello();

    let (code, body) = error_of(
        ureq::post(&format!("{}/v1/sync/push", server.url))
            .set("Authorization", &auth)
            .set("Content-Type", "application/json")
            .send_string("{\"protocol\": 1, \"device_id\": "),
    );
    assert_eq!(code, 400);
    assert!(body["message"].as_str().unwrap().starts_with("请求内容无法读取"), "{body}");

    let (code, body) = error_of(
        ureq::post(&format!("{}/v1/sync/push", server.url))
            .set("Authorization", &auth)
            .send_json(json!({"protocol": 1, "device_id": device, "mutations": "不是列表"})),
    );
    assert_eq!(code, 400, "{body}");

    // An oversized body is refused once the limit is passed. The server
    // answers 413 and closes while the client may still be sending, so the
    // client sees either the answer or the connection reset by the close;
    // either way nothing is taken (checked below).
    let huge =
        format!("{{\"protocol\":1,\"device_id\":\"{device}\",\"mutations\":[],\"pad\":\"{}\"}}", "x".repeat(17 << 20));
    let sent = ureq::post(&format!("{}/v1/sync/push", server.url))
        .set("Authorization", &auth)
        .set("Content-Type", "application/json")
        .send_string(&huge);
    match sent {
        Err(ureq::Error::Status(code, resp)) => {
            assert_eq!(code, 413);
            let body: Value = resp.into_json().unwrap();
            assert!(body["message"].as_str().unwrap().contains("请求过大"), "{body}");
        }
        Err(ureq::Error::Transport(t)) => {
            assert!(t.to_string().contains("reset") || t.to_string().contains("Broken pipe"), "{t}")
        }
        Ok(resp) => panic!("an oversized body was taken: {}", resp.status()),
    }

    // A body cut off in the middle: the connection closes early.
    let addr = server.url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).unwrap();
    let partial = "{\"protocol\":1,\"device_id\":\"";
    write!(
        stream,
        "POST /v1/sync/push HTTP/1.1\r\nHost: {addr}\r\nAuthorization: {auth}\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{partial}"
    )
    .unwrap();
    stream.shutdown(std::net::Shutdown::Write).unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 4"), "a truncated body is never taken: {answer}");

    assert_eq!(hello(), before, "nothing changed on the server");
}

fn a_wrong_password_is_refused_a_retried_refresh_is_answered_again_and_a_copied_one_ends_the_session(kind: Kind) {
    let db = ServerDb::new(kind);
    let (server, _) = sample_server(&db);
    let store = laptop(db.dir(), "a.db", 5);
    let err =
        xuncha_client::login(store.path(), &server.url, "zhang", "错误的密码", store.device_id(), "x").unwrap_err();
    assert!(err.to_string().contains("用户名或密码不正确"), "{err}");
    let err = xuncha_client::login(store.path(), &server.url, "nobody", PASSWORD, store.device_id(), "x").unwrap_err();
    assert!(err.to_string().contains("用户名或密码不正确"), "an unknown name gets the same answer: {err}");

    let (_, _) = token(db.dir(), &server);
    let laptop_t = db.dir().join("t").join("t.db");
    let saved = xuncha_client::SavedSession::load(&xuncha_client::session_path(&laptop_t)).unwrap();
    let key = xuncha_client::device_key(&laptop_t).unwrap();
    let refresh = |t: &str| {
        ureq::post(&format!("{}/v1/refresh", server.url))
            .send_json(json!({"refresh_token": t, "signature": key.sign_refresh(t)}))
            .map_err(Box::new)
    };
    let next: Value = refresh(&saved.session.refresh_token).unwrap().into_json().unwrap();
    assert_ne!(next["access_token"], saved.session.access_token.as_str(), "a refresh gives a new pair");
    // The reply was lost: the laptop sends the same token again and gets
    // the same pair, not a revoked session.
    let again: Value = refresh(&saved.session.refresh_token).unwrap().into_json().unwrap();
    assert_eq!(again["refresh_token"], next["refresh_token"], "a retry gets the pair the lost reply carried");
    assert_eq!(again["access_token"], next["access_token"]);
    let after: Value = refresh(next["refresh_token"].as_str().unwrap()).unwrap().into_json().unwrap();
    // Once the new pair was used, the old token is a copy.
    let (code, body) = error_of(refresh(&saved.session.refresh_token));
    assert_eq!(code, 401);
    assert!(body["message"].as_str().unwrap().contains("重复使用"), "{body}");
    let (code, _) = error_of(refresh(after["refresh_token"].as_str().unwrap()));
    assert_eq!(code, 401, "the whole family was revoked");
}

#[test]
fn plain_http_on_a_public_address_is_refused_with_the_way_out() {
    let dir = scratch();
    let out = Command::new(BIN).args(["serve", "--listen", "0.0.0.0:0", "--data"]).arg(dir.path()).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--tls-cert") && stderr.contains("--behind-proxy"), "{stderr}");
}

on_both_backends!(
    a_laptop_logs_in_and_syncs_its_assigned_park_over_http,
    a_user_assigned_to_one_park_can_neither_pull_nor_push_another_over_http,
    malformed_oversized_and_truncated_requests_get_a_clear_4xx_and_change_nothing,
    a_wrong_password_is_refused_a_retried_refresh_is_answered_again_and_a_copied_one_ends_the_session,
);

fn reference_data_and_number_blocks_travel_over_http_and_a_steward_is_refused_numbers(kind: Kind) {
    let db = ServerDb::new(kind);
    let (server, _) = sample_server(&db);
    let template = db.dir().join("template.json");
    std::fs::write(&template, r#"{"items": [{"code": "2a", "text": "污染防治设施未正常运行"}]}"#).unwrap();
    let path = template.to_str().unwrap();
    let args = ["--kind", "regulation", "--key", "solid_waste_law", "--title", "固体废物污染环境防治法", path];
    assert_eq!(admin(&db, &[&["reference", "publish"][..], &args[..]].concat()).trim(), "1");
    admin(&db, &["series", "add", "notice", "--prefix", "祁环改", "--title", "生态环境问题整改通知书"]);

    let mut zhang = logged_in_laptop(db.dir(), &server, "a.db");
    let report = zhang.sync(&mut HttpTransport::for_store(zhang.path()).unwrap()).unwrap();
    assert_eq!((report.reference_received, report.numbers_leased), (1, xuncha_core::store::NUMBERS_BLOCK));
    let doc = zhang.reference("regulation", "solid_waste_law", None).unwrap().unwrap();
    assert_eq!(doc.doc["items"][0]["text"], "污染防治设施未正常运行");
    let blocks = admin(&db, &["series", "blocks", "notice"]);
    assert!(
        blocks.contains(&format!("祁环改〔{}〕1–30号\t{}", zhang.numbers_left().unwrap()[0].year, zhang.device_id())),
        "{blocks}"
    );

    let li = login_as(db.dir(), &server, "li.db", "li");
    let saved = xuncha_client::SavedSession::load(&xuncha_client::session_path(li.path())).unwrap();
    let auth = format!("Bearer {}", saved.session.access_token);
    let series: Value = ureq::get(&format!("{}/v1/numbers/series", server.url))
        .set("Authorization", &auth)
        .call()
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(series, json!([]), "a steward is offered no series");
    let lease = json!({"protocol": 1, "request_id": Uuid::from_u128(1), "series": "notice", "year": 2026, "size": 5});
    let (code, body) =
        error_of(ureq::post(&format!("{}/v1/numbers/lease", server.url)).set("Authorization", &auth).send_json(lease));
    assert_eq!((code, body["code"].as_str()), (403, Some("forbidden")));
    let (code, body) = error_of(
        ureq::post(&format!("{}/v1/numbers/lease", server.url))
            .set("Authorization", &auth)
            .send_json(json!({"protocol": 1, "series": "notice"})),
    );
    assert_eq!(code, 400, "a lease without its id is refused: {body}");
    let (code, _) = error_of(
        ureq::get(&format!("{}/v1/reference/regulation/solid_waste_law/9", server.url))
            .set("Authorization", &auth)
            .call(),
    );
    assert_eq!(code, 404, "a version never published");
    let (code, _) = error_of(ureq::get(&format!("{}/v1/reference", server.url)).call());
    assert_eq!(code, 401, "reference data needs a login");
}

on_both_backends!(reference_data_and_number_blocks_travel_over_http_and_a_steward_is_refused_numbers);

fn blobs_resume_at_the_servers_offset_and_a_damaged_file_is_refused_over_http(kind: Kind) {
    let db = ServerDb::new(kind);
    let (server, _) = sample_server(&db);
    let (token, _) = token(db.dir(), &server);
    let auth = format!("Bearer {token}");
    let content: Vec<u8> = (0..100_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let sha = xuncha_core::store::sha256_hex(&content);
    let url = format!("{}/v1/blobs/{sha}", server.url);
    let head = || match ureq::head(&url).set("Authorization", &auth).call() {
        Ok(resp) => (resp.status(), resp.header("upload-offset").map(str::to_string)),
        Err(ureq::Error::Status(code, resp)) => (code, resp.header("upload-offset").map(str::to_string)),
        Err(e) => panic!("{e}"),
    };
    let patch = |offset: usize, bytes: &[u8], total: usize| {
        ureq::request("PATCH", &url)
            .set("Authorization", &auth)
            .set("Upload-Offset", &offset.to_string())
            .set("Upload-Length", &total.to_string())
            .send_bytes(bytes)
            .map_err(Box::new)
    };
    assert_eq!(head(), (404, Some("0".into())), "nothing yet");
    let answer: Value = patch(0, &content[..40_000], content.len()).unwrap().into_json().unwrap();
    assert_eq!(answer, json!({"received": 40_000, "complete": false}));

    let resent = patch(0, &content[..40_000], content.len());
    let offset = match resent.map_err(|e| *e) {
        Err(ureq::Error::Status(409, resp)) => resp.header("upload-offset").map(str::to_string),
        other => panic!("a chunk at the wrong offset is refused with 409: {other:?}"),
    };
    assert_eq!(offset.as_deref(), Some("40000"), "the refusal says where to go on");
    let (code, body) = error_of(patch(0, &content[..40_000], content.len()));
    assert_eq!((code, body["code"].as_str()), (409, Some("upload_offset")));
    assert!(body["message"].as_str().unwrap().contains("40000"), "{body}");
    assert_eq!(head(), (404, Some("40000".into())), "a partial upload is not served");

    let answer: Value = patch(40_000, &content[40_000..], content.len()).unwrap().into_json().unwrap();
    assert_eq!(answer, json!({"received": 100_000, "complete": true}));
    assert_eq!(head().0, 200);
    let mut fetched = Vec::new();
    ureq::get(&url).set("Authorization", &auth).call().unwrap().into_reader().read_to_end(&mut fetched).unwrap();
    assert!(fetched == content, "the stored file comes back byte for byte");

    let mut damaged = content.clone();
    damaged[99_999] ^= 1;
    let damaged_url = format!("{}/v1/blobs/{}", server.url, xuncha_core::store::sha256_hex(&damaged[..99_999]));
    let (code, body) = error_of(
        ureq::request("PATCH", &damaged_url)
            .set("Authorization", &auth)
            .set("Upload-Offset", "0")
            .set("Upload-Length", "100000")
            .send_bytes(&damaged),
    );
    assert_eq!((code, body["code"].as_str()), (422, Some("hash_mismatch")), "{body}");
    let (code, body) = error_of(
        ureq::request("PATCH", &format!("{}/v1/blobs/not-a-hash", server.url))
            .set("Authorization", &auth)
            .set("Upload-Offset", "0")
            .set("Upload-Length", "1")
            .send_bytes(b"x"),
    );
    assert_eq!(code, 400);
    assert!(body["message"].as_str().unwrap().contains("SHA-256"), "{body}");
    let (code, _) = error_of(ureq::get(&url).call());
    assert_eq!(code, 401, "no token, no file");
}

on_both_backends!(blobs_resume_at_the_servers_offset_and_a_damaged_file_is_refused_over_http);

fn several_photos_go_up_and_come_down_intact_over_http(kind: Kind) {
    let db = ServerDb::new(kind);
    let (server, parks) = sample_server(&db);
    let mut a = logged_in_laptop(db.dir(), &server, "a.db");
    a.sync(&mut HttpTransport::for_store(a.path()).unwrap()).unwrap();
    let id = a.enterprise_ids(Some(parks[0])).unwrap()[0];
    let photos: Vec<Vec<u8>> = (0..7u8)
        .map(|n| (0..300_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> (n + 3)) as u8 ^ n).collect())
        .collect();
    for (n, bytes) in photos.iter().enumerate() {
        let path = db.dir().join(format!("现场照片{n}.jpg"));
        std::fs::write(&path, bytes).unwrap();
        a.attach_archive_file(id, 5, &path).unwrap();
    }
    assert_eq!(a.sync_status().unwrap().uploads_pending, photos.len() as i64);
    let report = a.sync(&mut HttpTransport::for_store(a.path()).unwrap()).unwrap();
    assert_eq!(report.blobs_uploaded, photos.len(), "{report:?}");
    assert_eq!(a.sync_status().unwrap().uploads_pending, 0);

    let mut b = logged_in_laptop(db.dir(), &server, "b.db");
    let report = b.sync(&mut HttpTransport::for_store(b.path()).unwrap()).unwrap();
    assert_eq!(report.blobs_downloaded, photos.len(), "{report:?}");
    for bytes in &photos {
        let sha = xuncha_core::store::sha256_hex(bytes);
        assert!(
            std::fs::read(b.blobs().path_of(&sha.parse().unwrap())).unwrap() == *bytes,
            "photo {sha} arrived intact"
        );
    }
}

on_both_backends!(several_photos_go_up_and_come_down_intact_over_http);
