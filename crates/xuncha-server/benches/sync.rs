//! Sync throughput over loopback HTTP against the real server binary:
//!
//! 1. one laptop pushes 10,000 new enterprise files, and they come back;
//! 2. a second laptop pulls those 10,000 files from nothing;
//! 3. 200 laptops, 10 per park, each sync 100 new files at once;
//! 4. the same load from 200 simulated laptops that keep no database.
//!
//! Each runs against the embedded SQLite backend and against PostgreSQL
//! (`XUNCHA_BENCH_DATABASE_URL`, default the test role of
//! `scripts/dev.sh test`; `XUNCHA_BENCH_BACKENDS=sqlite` skips it).
//! Run with `cargo bench -p xuncha-server --bench sync`; record the output
//! in BENCHMARKS.md with the machine and date.

use std::ffi::OsString;
use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use uuid::Uuid;
use xuncha_client::HttpTransport;
use xuncha_core::sync::{BlobOnServer, Transport, TransportError};
use xuncha_core::{DeviceId, EnterpriseId, ParkId};
use xuncha_core::{Enterprise, Env, Store};
use xuncha_sync::{
    payload_hash, BlobUpload, EntityKind, Hello, Mutation, Outcome, PullPage, PullRequest, PushRequest, PushResponse,
    MAX_PAGE, PROTOCOL,
};

const BIN: &str = env!("CARGO_BIN_EXE_xuncha-server");
const PASSWORD: &str = "bench-password-1";

/// Times the push and pull requests of a sync round.
struct Timed<T> {
    inner: T,
    push: Vec<Duration>,
    pull: Vec<Duration>,
    /// When the last push answer arrived.
    pushed_at: Option<Instant>,
    /// Time spent asking for and uploading blobs.
    blob: Duration,
}

impl<T: Transport> Transport for Timed<T> {
    fn blob_state(&mut self, sha256: &xuncha_core::Sha256) -> Result<BlobOnServer, TransportError> {
        let t = Instant::now();
        let r = self.inner.blob_state(sha256);
        self.blob += t.elapsed();
        r
    }
    fn upload_chunk(
        &mut self,
        sha256: &xuncha_core::Sha256,
        offset: u64,
        total: u64,
        bytes: &[u8],
    ) -> Result<BlobUpload, TransportError> {
        let t = Instant::now();
        let r = self.inner.upload_chunk(sha256, offset, total, bytes);
        self.blob += t.elapsed();
        r
    }
    fn download(
        &mut self,
        sha256: &xuncha_core::Sha256,
        into: &mut dyn std::io::Write,
    ) -> Result<bool, TransportError> {
        self.inner.download(sha256, into)
    }
    fn hello(&mut self, device: DeviceId) -> Result<Hello, TransportError> {
        self.inner.hello(device)
    }
    fn push(&mut self, req: &PushRequest) -> Result<PushResponse, TransportError> {
        let t = Instant::now();
        let r = self.inner.push(req);
        self.push.push(t.elapsed());
        self.pushed_at = Some(Instant::now());
        r
    }
    fn pull(&mut self, req: &PullRequest) -> Result<PullPage, TransportError> {
        let t = Instant::now();
        let r = self.inner.pull(req);
        self.pull.push(t.elapsed());
        r
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

fn admin(server: &[OsString], args: &[&str]) -> String {
    let out = Command::new(BIN).args(server).args(args).env("XUNCHA_PASSWORD", PASSWORD).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn laptop(dir: &Path, name: &str, url: &str, user: &str) -> Store {
    let store = Store::open(dir.join(name), Env::system()).unwrap();
    xuncha_client::login(store.path(), url, user, PASSWORD, store.device_id(), name).unwrap();
    store
}

fn create(store: &mut Store, park: ParkId, n: usize, tag: &str) {
    store
        .write(|w| {
            for i in 0..n {
                let id = w.new_id();
                let mut e = Enterprise::new(id, park, format!("{tag}基准企业{i}"));
                e.address = Some(format!("湖南省衡阳市祁东县工业大道{i}号"));
                e.industry = Some("化学原料和化学制品制造业".into());
                w.save_enterprise(&e)?;
            }
            Ok::<_, xuncha_core::StoreError>(())
        })
        .unwrap();
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

fn main() {
    let backends = std::env::var("XUNCHA_BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    for backend in backends.split(',') {
        let dir = tempfile::tempdir().unwrap();
        let mut server = vec![OsString::from("--data"), dir.path().join("server").into_os_string()];
        let mut database = None;
        match backend {
            "sqlite" => {}
            "postgres" => {
                let admin_url = std::env::var("XUNCHA_BENCH_DATABASE_URL")
                    .unwrap_or_else(|_| "postgres://xuncha:xuncha@127.0.0.1/xuncha".into());
                let name = format!("xuncha_bench_{}", std::process::id());
                let mut client = postgres::Client::connect(&admin_url, postgres::NoTls).unwrap();
                client.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
                server.push("--database-url".into());
                server.push(format!("{}{name}", &admin_url[..=admin_url.rfind('/').unwrap()]).into());
                database = Some((client, name));
            }
            other => panic!("unknown backend {other}: sqlite or postgres"),
        }
        println!("== {backend} ==");
        scenarios(dir.path(), &server);
        if let Some((mut client, name)) = database {
            client.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)")).unwrap();
        }
    }
}

fn scenarios(dir: &Path, data: &[OsString]) {
    let big: ParkId = admin(data, &["park", "add", "基准园区"]).parse().unwrap();
    admin(data, &["user", "add", "bench", "--role", "steward"]);
    admin(data, &["assign", "bench", &big.to_string()]);
    let crowd_parks: Vec<ParkId> =
        (0..20).map(|i| admin(data, &["park", "add", &format!("并发园区{i}")]).parse().unwrap()).collect();
    for (i, park) in crowd_parks.iter().enumerate() {
        let user = format!("crowd{i}");
        admin(data, &["user", "add", &user, "--role", "inspector"]);
        admin(data, &["assign", &user, &park.to_string()]);
    }
    let mut server: Child =
        Command::new(BIN).args(["serve", "--listen", "127.0.0.1:0"]).args(data).stderr(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    std::io::BufReader::new(server.stderr.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().split("listening on ").nth(1).unwrap().to_string();

    // 1. One laptop, 10,000 new files.
    let mut a = laptop(dir, "a.db", &url, "bench");
    a.sync(&mut HttpTransport::for_store(a.path()).unwrap()).unwrap();
    create(&mut a, big, 10_000, "甲");
    let mut t = Timed {
        inner: HttpTransport::for_store(a.path()).unwrap(),
        push: vec![],
        pull: vec![],
        pushed_at: None,
        blob: Duration::ZERO,
    };
    let start = Instant::now();
    let report = a.sync(&mut t).unwrap();
    let round = start.elapsed();
    let push_total: Duration = t.push.iter().sum();
    let pull_total: Duration = t.pull.iter().sum();
    assert_eq!(report.accepted, 10_000);
    println!("one laptop, 10,000 mutations:");
    println!(
        "  push + acknowledge: {:.2} s in {} requests ({:.0} mutations/s), whole round with the echo pulled back {:.2} s",
        push_total.as_secs_f64(),
        t.push.len(),
        10_000.0 / push_total.as_secs_f64(),
        round.as_secs_f64()
    );

    // 2. A fresh laptop pulls them.
    let mut b = laptop(dir, "b.db", &url, "bench");
    let mut t = Timed {
        inner: HttpTransport::for_store(b.path()).unwrap(),
        push: vec![],
        pull: vec![],
        pushed_at: None,
        blob: Duration::ZERO,
    };
    let start = Instant::now();
    let report = b.sync(&mut t).unwrap();
    let round = start.elapsed();
    assert!(report.pulled >= 10_000);
    println!(
        "  pull + apply on a fresh laptop: {} files in {} pages, {:.2} s in requests, {:.2} s in all ({:.0} files/s)",
        report.pulled,
        t.pull.len(),
        t.pull.iter().sum::<Duration>().as_secs_f64(),
        round.as_secs_f64(),
        report.pulled as f64 / round.as_secs_f64()
    );
    let _ = pull_total;

    // 3. 200 laptops at once, 100 new files each.
    let laptops: Vec<Store> = (0..200)
        .map(|i| {
            let park = crowd_parks[i % crowd_parks.len()];
            let mut s = laptop(dir, &format!("crowd{i}.db"), &url, &format!("crowd{}", i % crowd_parks.len()));
            s.sync(&mut HttpTransport::for_store(s.path()).unwrap()).unwrap();
            create(&mut s, park, 100, &format!("{i}号"));
            s
        })
        .collect();
    let barrier = Arc::new(Barrier::new(laptops.len()));
    let start = Instant::now();
    let handles: Vec<_> = laptops
        .into_iter()
        .map(|mut s| {
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let mut t = Timed {
                    inner: HttpTransport::for_store(s.path()).unwrap(),
                    push: vec![],
                    pull: vec![],
                    pushed_at: None,
                    blob: Duration::ZERO,
                };
                barrier.wait();
                let began = Instant::now();
                let report = s.sync(&mut t).unwrap();
                assert_eq!(report.accepted, 100);
                (began.elapsed(), t.push, t.pushed_at.unwrap())
            })
        })
        .collect();
    let results = handles.into_iter().map(|h| h.join().unwrap()).collect();
    print_crowd("200 laptops × 100 mutations at once (10 laptops per park):", start, results);
    crowd_over_http(dir, &url, &crowd_parks);
    photos(dir, &url, big);
    let _ = server.kill();
    let _ = server.wait();
}

/// Prints a crowd's throughput and latencies from each laptop's whole
/// round, push request times and the moment its push was acknowledged.
fn print_crowd(title: &str, start: Instant, results: Vec<(Duration, Vec<Duration>, Instant)>) {
    let wall = start.elapsed();
    let acked = results.iter().map(|(_, _, at)| *at).max().unwrap_or(start) - start;
    let mut rounds: Vec<Duration> = results.iter().map(|(round, _, _)| *round).collect();
    let mut pushes: Vec<Duration> = results.into_iter().flat_map(|(_, push, _)| push).collect();
    rounds.sort();
    pushes.sort();
    println!("{title}");
    println!(
        "  all 20,000 acknowledged after {:.2} s ({:.0} mutations/s); with every laptop's pull too {:.2} s ({:.0} mutations/s)",
        acked.as_secs_f64(),
        20_000.0 / acked.as_secs_f64(),
        wall.as_secs_f64(),
        20_000.0 / wall.as_secs_f64()
    );
    println!(
        "  push request p50 {:.0} ms, p99 {:.0} ms; whole sync round p50 {:.0} ms, p99 {:.0} ms",
        pct(&pushes, 0.5),
        pct(&pushes, 0.99),
        pct(&rounds, 0.5),
        pct(&rounds, 0.99)
    );
}

/// A new enterprise file as a laptop would push it.
fn create_mutation(seq: i64, park: ParkId, tag: &str) -> Mutation {
    let id = EnterpriseId(Uuid::from_u128(rand::random()));
    // A whole file, as a laptop sends it: the server judges it with the
    // laptop's own rules.
    let mut e = xuncha_core::Enterprise::new(id, park, format!("{tag}基准企业{seq}"));
    e.address = Some(format!("湖南省衡阳市祁东县工业大道{seq}号"));
    e.industry = Some("化学原料和化学制品制造业".into());
    let mut fields = serde_json::to_value(&e).unwrap();
    fields.as_object_mut().unwrap().remove("version");
    let payload = serde_json::json!({"op": "create", "fields": fields});
    Mutation {
        seq,
        mutation_id: Uuid::from_u128(rand::random()),
        entity: EntityKind::Enterprise,
        entity_id: id.into(),
        base_version: 0,
        payload_hash: payload_hash(&payload),
        payload,
        created_at: "2026-11-22T08:00:00Z".into(),
        receipt: None,
    }
}

/// Scenario 4, the server alone: 200 simulated laptops that speak the protocol
/// over HTTP (hello, one push of 100 new files, pull their park from
/// their cursor) but keep no database, so the clients' own storage work,
/// which real laptops do on their own machines, does not share these two
/// cores with the server.
fn crowd_over_http(dir: &Path, url: &str, parks: &[ParkId]) {
    let laptops: Vec<(DeviceId, ParkId, i64, HttpTransport)> = (0..200)
        .map(|i| {
            let park = parks[i % parks.len()];
            let s = laptop(dir, &format!("sim{i}.db"), url, &format!("crowd{}", i % parks.len()));
            let mut t = HttpTransport::for_store(s.path()).unwrap();
            let mut after = 0;
            loop {
                let page = t.pull(&PullRequest { protocol: PROTOCOL, park_id: park, after, limit: MAX_PAGE }).unwrap();
                after = page.cursor;
                if !page.more {
                    break;
                }
            }
            (s.device_id(), park, after, t)
        })
        .collect();
    let barrier = Arc::new(Barrier::new(laptops.len()));
    let start = Instant::now();
    let handles: Vec<_> = laptops
        .into_iter()
        .enumerate()
        .map(|(i, (device, park, mut after, mut t))| {
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let mutations = (1..=100).map(|seq| create_mutation(seq, park, &format!("模拟{i}号"))).collect();
                let req = PushRequest { protocol: PROTOCOL, device_id: device, mutations };
                barrier.wait();
                let began = Instant::now();
                t.hello(device).unwrap();
                let pushed = Instant::now();
                let resp = t.push(&req).unwrap();
                let push = pushed.elapsed();
                let acked = Instant::now();
                assert_eq!(resp.results.len(), 100);
                assert!(resp.results.iter().all(|r| r.outcome == Outcome::Applied));
                loop {
                    let page =
                        t.pull(&PullRequest { protocol: PROTOCOL, park_id: park, after, limit: MAX_PAGE }).unwrap();
                    after = page.cursor;
                    if !page.more {
                        break;
                    }
                }
                (began.elapsed(), push, acked)
            })
        })
        .collect();
    let results = handles.into_iter().map(|h| h.join().unwrap()).map(|(r, p, a)| (r, vec![p], a)).collect();
    print_crowd(
        "200 simulated laptops (protocol over HTTP, no local database) × 100 mutations at once:",
        start,
        results,
    );
}

/// Scenario 5: one laptop uploads 200 photos of 4 MB; the reference is the same
/// bytes sent over a plain loopback TCP connection into files, measured
/// in the same run.
fn photos(dir: &Path, url: &str, park: ParkId) {
    use rand::RngCore;
    use std::io::{Read, Write};
    const PHOTOS: usize = 200;
    const SIZE: usize = 4 * 1024 * 1024;
    let mut store = laptop(dir, "photos.db", url, "bench");
    store.sync(&mut HttpTransport::for_store(store.path()).unwrap()).unwrap();
    let ids = store.enterprise_ids(Some(park)).unwrap();
    let originals = dir.join("photos");
    std::fs::create_dir_all(&originals).unwrap();
    let mut bytes = vec![0u8; SIZE];
    let mut files = Vec::new();
    for i in 0..PHOTOS {
        rand::thread_rng().fill_bytes(&mut bytes);
        let path = originals.join(format!("现场照片{i}.jpg"));
        std::fs::write(&path, &bytes).unwrap();
        store.attach_archive_file(ids[i % ids.len()], 1, &path).unwrap();
        files.push(path);
    }
    let mut t = Timed {
        inner: HttpTransport::for_store(store.path()).unwrap(),
        push: vec![],
        pull: vec![],
        pushed_at: None,
        blob: Duration::ZERO,
    };
    let start = Instant::now();
    let report = store.sync(&mut t).unwrap();
    let round = start.elapsed();
    assert_eq!(report.blobs_uploaded, PHOTOS);
    let total = (PHOTOS * SIZE) as f64 / (1024.0 * 1024.0);

    // The reference: the same files over loopback TCP into files.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let sink = dir.join("raw");
    std::fs::create_dir_all(&sink).unwrap();
    let receiver = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut buf = vec![0u8; SIZE];
        for i in 0..PHOTOS {
            conn.read_exact(&mut buf).unwrap();
            std::fs::write(sink.join(i.to_string()), &buf).unwrap();
        }
    });
    let raw_start = Instant::now();
    let mut conn = std::net::TcpStream::connect(addr).unwrap();
    for f in &files {
        conn.write_all(&std::fs::read(f).unwrap()).unwrap();
    }
    receiver.join().unwrap();
    let raw = raw_start.elapsed();
    println!("{PHOTOS} photos of 4 MB from one laptop:");
    println!(
        "  upload (ask, send in 4 MB chunks, server hashes, fsyncs and keeps): {:.2} s, {:.0} MB/s; whole sync round with local checks {:.2} s",
        t.blob.as_secs_f64(),
        total / t.blob.as_secs_f64(),
        round.as_secs_f64()
    );
    println!(
        "  raw loopback copy of the same bytes into files: {:.2} s, {:.0} MB/s; upload reaches {:.0}% of it",
        raw.as_secs_f64(),
        total / raw.as_secs_f64(),
        100.0 * raw.as_secs_f64() / t.blob.as_secs_f64()
    );
}
