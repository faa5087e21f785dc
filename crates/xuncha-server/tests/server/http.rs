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

use crate::common::*;

const BIN: &str = env!("CARGO_BIN_EXE_xuncha-server");
const PASSWORD: &str = "巡查-测试-密码";

/// A running server process, killed when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn admin(data: &Path, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .arg("--data")
        .arg(data)
        .args(args)
        .env("XUNCHA_PASSWORD", PASSWORD)
        .output()
        .expect("xuncha-server runs");
    assert!(out.status.success(), "xuncha-server {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn start(data: &Path) -> Server {
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
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
    Server { child, url }
}

/// An empty server with the sample parks, an inspector assigned to the
/// first park only, and the parks' ids.
fn sample_server(dir: &Path) -> (Server, Vec<Uuid>) {
    let data = dir.join("server");
    let listing = admin(&data, &["park", "load-sample"]);
    let listed: Vec<Uuid> = listing.lines().map(|l| Uuid::parse_str(l.split('\t').next().unwrap()).unwrap()).collect();
    // The sample's ids are fixed: put the park with enterprises first.
    let mut sample = Store::open(":memory:", env(3)).unwrap();
    xuncha_core::sample::load_sample(&mut sample).unwrap();
    let mut parks = listed;
    parks.sort_by_key(|p| std::cmp::Reverse(sample.enterprise_ids(Some(*p)).unwrap().len()));
    assert!(parks.len() >= 2, "the sample has several parks: {listing}");
    admin(&data, &["user", "add", "zhang", "--role", "inspector"]);
    admin(&data, &["assign", "zhang", &parks[0].to_string()]);
    admin(&data, &["user", "add", "li", "--role", "steward"]);
    admin(&data, &["assign", "li", &parks[1].to_string()]);
    (start(&data), parks)
}

fn logged_in_laptop(dir: &Path, server: &Server, name: &str) -> Store {
    login_as(dir, server, name, "zhang")
}

fn login_as(dir: &Path, server: &Server, name: &str, user: &str) -> Store {
    // Each laptop its own seed, hence its own device id.
    let seed = name.bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64));
    let store = laptop(dir, name, seed);
    xuncha_client::login(store.path(), &server.url, user, PASSWORD, store.device_id(), "测试笔记本").unwrap();
    store
}

#[test]
fn a_laptop_logs_in_and_syncs_its_assigned_park_over_http() {
    let dir = scratch();
    let (server, parks) = sample_server(dir.path());
    let mut store = logged_in_laptop(dir.path(), &server, "a.db");
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

    let mut other = logged_in_laptop(dir.path(), &server, "b.db");
    other.sync(&mut HttpTransport::for_store(other.path()).unwrap()).unwrap();
    assert_eq!(other.enterprise(id).unwrap().unwrap().address.as_deref(), Some("经由 HTTP 修改的地址"));
}

fn token(dir: &Path, server: &Server) -> (String, Uuid) {
    let store = logged_in_laptop(dir, server, "t.db");
    let saved = xuncha_client::SavedSession::load(&xuncha_client::session_path(store.path())).unwrap();
    (saved.session.access_token, store.device_id())
}

fn error_of(result: Result<ureq::Response, impl Into<Box<ureq::Error>>>) -> (u16, Value) {
    match result.map_err(Into::into).map_err(|e| *e) {
        Err(ureq::Error::Status(code, resp)) => (code, resp.into_json().unwrap()),
        Ok(resp) => panic!("expected an error, got {}", resp.status()),
        Err(e) => panic!("expected an HTTP error, got {e}"),
    }
}

#[test]
fn a_user_assigned_to_one_park_can_neither_pull_nor_push_another_over_http() {
    let dir = scratch();
    let (server, parks) = sample_server(dir.path());
    let (token, device) = token(dir.path(), &server);
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
    let mut li = login_as(dir.path(), &server, "li.db", "li");
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
    assert_eq!((code, body["code"].as_str()), (401, Some("unauthorized")), "no token, no entry");
}

#[test]
fn malformed_oversized_and_truncated_requests_get_a_clear_4xx_and_change_nothing() {
    let dir = scratch();
    let (server, _) = sample_server(dir.path());
    let (token, device) = token(dir.path(), &server);
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

    let huge =
        format!("{{\"protocol\":1,\"device_id\":\"{device}\",\"mutations\":[],\"pad\":\"{}\"}}", "x".repeat(17 << 20));
    let (code, body) = error_of(
        ureq::post(&format!("{}/v1/sync/push", server.url))
            .set("Authorization", &auth)
            .set("Content-Type", "application/json")
            .send_string(&huge),
    );
    assert_eq!(code, 413);
    assert!(body["message"].as_str().unwrap().contains("请求过大"), "{body}");

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

#[test]
fn a_wrong_password_is_refused_and_a_reused_refresh_token_ends_the_session() {
    let dir = scratch();
    let (server, _) = sample_server(dir.path());
    let store = laptop(dir.path(), "a.db", 5);
    let err =
        xuncha_client::login(store.path(), &server.url, "zhang", "错误的密码", store.device_id(), "x").unwrap_err();
    assert!(err.to_string().contains("用户名或密码不正确"), "{err}");
    let err = xuncha_client::login(store.path(), &server.url, "nobody", PASSWORD, store.device_id(), "x").unwrap_err();
    assert!(err.to_string().contains("用户名或密码不正确"), "an unknown name gets the same answer: {err}");

    let (_, _) = token(dir.path(), &server);
    let saved = xuncha_client::SavedSession::load(&xuncha_client::session_path(&dir.path().join("t.db"))).unwrap();
    let refresh = |t: &str| {
        ureq::post(&format!("{}/v1/refresh", server.url)).send_json(json!({"refresh_token": t})).map_err(Box::new)
    };
    let next: Value = refresh(&saved.session.refresh_token).unwrap().into_json().unwrap();
    assert_ne!(next["access_token"], saved.session.access_token.as_str(), "a refresh gives a new pair");
    let (code, body) = error_of(refresh(&saved.session.refresh_token));
    assert_eq!(code, 401);
    assert!(body["message"].as_str().unwrap().contains("重复使用"), "{body}");
    let (code, _) = error_of(refresh(next["refresh_token"].as_str().unwrap()));
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
