//! `kill -9` of the real `xuncha` client and the real `xuncha-server` at
//! chosen points of a sync. The laptop talks to the server through a
//! proxy in this test that stops a chosen request or its reply at a chosen
//! byte, so the process is killed exactly there, not at a lucky moment.
//! Afterwards at most two more sync rounds must finish the work, with
//! nothing lost, nothing doubled and both databases intact.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use super::server::{admin, login, login_new_laptop, Bureau};
use super::{ok, xuncha};

/// Where the proxy stops traffic.
#[derive(Clone, Copy)]
pub(super) enum Trap {
    /// Forwards the `nth` request starting with this line, then holds its reply.
    HoldReply { request: &'static str, nth: usize },
    /// Forwards only the first `keep` bytes of the `nth` such request.
    CutRequest { request: &'static str, nth: usize, keep: usize },
}

pub(super) struct Proxy {
    pub(super) url: String,
    upstream: Arc<Mutex<SocketAddr>>,
    trap: Arc<Mutex<Option<Trap>>>,
    /// Set to let held connections go (after the kill).
    release: Arc<AtomicBool>,
    pub(super) sprung: Receiver<()>,
}

impl Proxy {
    pub(super) fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let upstream = Arc::new(Mutex::new(upstream));
        let trap = Arc::new(Mutex::new(None));
        let release = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(AtomicUsize::new(0));
        let (tx, sprung) = channel();
        let (up, tr, rel) = (upstream.clone(), trap.clone(), release.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let server = *up.lock().unwrap();
                let Ok(server) = TcpStream::connect(server) else { continue };
                relay(client, server, tr.clone(), rel.clone(), seen.clone(), tx.clone());
            }
        });
        Proxy { url, upstream, trap, release, sprung }
    }

    pub(super) fn arm(&self, trap: Trap) {
        self.release.store(false, Ordering::SeqCst);
        *self.trap.lock().unwrap() = Some(trap);
    }

    pub(super) fn disarm(&self) {
        *self.trap.lock().unwrap() = None;
        self.release.store(true, Ordering::SeqCst);
    }
}

fn hold(release: &AtomicBool) {
    while !release.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Pumps one connection both ways, springing the trap when its request passes.
fn relay(
    mut client: TcpStream,
    mut server: TcpStream,
    trap: Arc<Mutex<Option<Trap>>>,
    release: Arc<AtomicBool>,
    seen: Arc<AtomicUsize>,
    sprung: Sender<()>,
) {
    let hold_reply = Arc::new(AtomicBool::new(false));
    let (mut client_r, mut server_w) = (client.try_clone().unwrap(), server.try_clone().unwrap());
    let (held, rel, tx) = (hold_reply.clone(), release.clone(), sprung.clone());
    // Client to server.
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        // Bytes of a cut request still allowed through.
        let mut allowance: Option<usize> = None;
        loop {
            let n = match client_r.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let chunk = &buf[..n];
            if allowance.is_none() {
                let armed = *trap.lock().unwrap();
                let matches = |line: &str| chunk.starts_with(line.as_bytes());
                match armed {
                    Some(Trap::HoldReply { request, nth })
                        if matches(request) && seen.fetch_add(1, Ordering::SeqCst) + 1 == nth =>
                    {
                        held.store(true, Ordering::SeqCst);
                    }
                    Some(Trap::CutRequest { request, nth, keep })
                        if matches(request) && seen.fetch_add(1, Ordering::SeqCst) + 1 == nth =>
                    {
                        allowance = Some(keep);
                    }
                    _ => {}
                }
            }
            if let Some(left) = allowance {
                let pass = left.min(n);
                let _ = server_w.write_all(&chunk[..pass]);
                allowance = Some(left - pass);
                if left - pass == 0 {
                    let _ = tx.send(());
                    hold(&rel);
                    break;
                }
                continue;
            }
            if server_w.write_all(chunk).is_err() {
                break;
            }
        }
        // Ends the connection for both threads (they hold copies of it).
        let _ = server_w.shutdown(Shutdown::Both);
        let _ = client_r.shutdown(Shutdown::Both);
    });
    // Server to client.
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match server.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if hold_reply.load(Ordering::SeqCst) {
                let _ = sprung.send(());
                hold(&release);
                break;
            }
            if client.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        let _ = client.shutdown(Shutdown::Both);
        let _ = server.shutdown(Shutdown::Both);
    });
}

fn integrity(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap()
}

fn count(db: &Path, sql: &str) -> i64 {
    rusqlite::Connection::open(db).unwrap().query_row(sql, [], |r| r.get(0)).unwrap()
}

#[derive(Clone, Copy, PartialEq)]
enum Victim {
    Client,
    Server,
}

/// One laptop with three edits and a 9 MB scan waiting, a sync stopped at
/// `trap`, `victim` killed with SIGKILL there; then sync until done (at
/// most two rounds) and check everything arrived once.
fn killed_at(trap: Trap, victim: Victim) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("server");
    let park = admin(&data, &["park", "load-sample"]).lines().next().unwrap().split('\t').next().unwrap().to_string();
    admin(&data, &["user", "add", "zhou", "--role", "steward"]);
    admin(&data, &["assign", "zhou", &park]);
    let mut bureau = Bureau::start(&data);
    let proxy = Proxy::start(bureau.addr);

    let db = dir.path().join("laptop").join("xuncha.db");
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    ok(xuncha(&db, &["init"]));
    login(&db, &proxy.url, "zhou");
    ok(xuncha(&db, &["sync"]));
    let listed: Value = serde_json::from_str(&ok(xuncha(&db, &["search", "有限公司", "--json"]))).unwrap();
    let ids: Vec<String> =
        listed.as_array().unwrap().iter().take(3).map(|h| h["id"].as_str().unwrap().into()).collect();
    for id in &ids {
        ok(xuncha(&db, &["enterprise", "tier", id, "A", "--reason", "信访投诉，加密巡查"]));
    }
    let scan = dir.path().join("验收意见扫描件.pdf");
    let bytes: Vec<u8> = (0..9_000_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8).collect();
    std::fs::write(&scan, &bytes).unwrap();
    ok(xuncha(&db, &["enterprise", "attach", &ids[0], "4", scan.to_str().unwrap()]));

    proxy.arm(trap);
    let mut syncing = Command::new(env!("CARGO_BIN_EXE_xuncha"))
        .arg("--db")
        .arg(&db)
        .arg("sync")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    proxy.sprung.recv_timeout(Duration::from_secs(120)).expect("the sync reached the chosen point");
    match victim {
        Victim::Client => {
            syncing.kill().unwrap();
            syncing.wait().unwrap();
        }
        Victim::Server => {
            bureau.kill9();
            proxy.disarm();
            let _ = syncing.wait();
            bureau.restart();
            *proxy.upstream.lock().unwrap() = bureau.addr;
        }
    }
    proxy.disarm();
    assert_eq!(integrity(&db), "ok", "the laptop's database survived the kill");
    let sha = xuncha_core::store::sha256_hex(&bytes);
    if let Trap::CutRequest { request: "PATCH /v1/blobs/", .. } = trap {
        // Unfinished uploads are kept per device: partial/<device>/<sha>.
        let devices = std::fs::read_dir(data.join("blobs").join("partial")).unwrap();
        let kept: Vec<_> = devices.map(|d| d.unwrap().path().join(&sha)).filter(|p| p.exists()).collect();
        assert_eq!(kept.len(), 1, "one device's unfinished upload: {kept:?}");
        let partial = std::fs::metadata(&kept[0]).unwrap().len();
        assert_eq!(partial, 4 * 1024 * 1024, "the server kept the first chunk and nothing of the cut one");
    }

    let mut rounds = 0;
    loop {
        rounds += 1;
        let out = xuncha(&db, &["sync", "--json"]);
        if out.status.success() {
            let done: Value = serde_json::from_slice(&out.stdout).unwrap();
            if done["status"]["pending"] == 0 && done["status"]["uploads_pending"] == 0 {
                break;
            }
        }
        assert!(rounds < 2, "not done after two rounds: {}", String::from_utf8_lossy(&out.stderr));
    }

    // Nothing doubled: the server holds each of the laptop's changes once.
    let server_db = data.join("server.db");
    assert_eq!(integrity(&server_db), "ok");
    assert_eq!(
        count(&server_db, "SELECT COUNT(*) FROM mutation"),
        count(&db, "SELECT COUNT(*) FROM outbox"),
        "every local change has exactly one server record"
    );
    // Nothing lost: a second laptop gets the edits and the scan, byte for byte.
    let other = dir.path().join("other").join("xuncha.db");
    std::fs::create_dir_all(other.parent().unwrap()).unwrap();
    ok(xuncha(&other, &["init"]));
    login_new_laptop(&data, &other, &proxy.url, "zhou");
    let got: Value = serde_json::from_str(&ok(xuncha(&other, &["sync", "--json"]))).unwrap();
    assert_eq!(got["report"]["blobs_downloaded"], 1, "{got}");
    for id in &ids {
        let shown: Value = serde_json::from_str(&ok(xuncha(&other, &["enterprise", "show", id, "--json"]))).unwrap();
        assert_eq!(shown["tier"], "A", "the edit of {id} arrived");
    }
    let copy = std::fs::read(other.parent().unwrap().join("blobs").join(&sha[..2]).join(&sha[2..])).unwrap();
    assert!(copy == bytes, "the scan arrived intact");
}

#[test]
fn a_client_killed_after_its_local_commit_finishes_the_sync_later() {
    killed_at(Trap::HoldReply { request: "GET /v1/sync/hello", nth: 1 }, Victim::Client);
}

#[test]
fn a_client_killed_mid_push_loses_and_doubles_nothing() {
    killed_at(Trap::CutRequest { request: "POST /v1/sync/push", nth: 1, keep: 300 }, Victim::Client);
}

#[test]
fn a_server_killed_after_committing_a_push_before_replying_answers_the_replay() {
    killed_at(Trap::HoldReply { request: "POST /v1/sync/push", nth: 1 }, Victim::Server);
}

#[test]
fn a_client_killed_mid_pull_resumes_from_its_cursor() {
    killed_at(Trap::HoldReply { request: "POST /v1/sync/pull", nth: 1 }, Victim::Client);
}

#[test]
fn a_client_killed_mid_upload_resumes_the_file_where_the_server_stopped() {
    killed_at(Trap::CutRequest { request: "PATCH /v1/blobs/", nth: 2, keep: 1_000_000 }, Victim::Client);
}
