//! Sync throughput over loopback HTTP against the real server binary:
//!
//! 1. one laptop pushes 10,000 new enterprise files, and they come back;
//! 2. a second laptop pulls those 10,000 files from nothing;
//! 3. 200 laptops, 10 per park, each sync 100 new files at once.
//!
//! Run with `cargo bench -p xuncha-server --bench sync`; record the output
//! in BENCHMARKS.md with the machine and date.

use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use uuid::Uuid;
use xuncha_client::HttpTransport;
use xuncha_core::sync::{Transport, TransportError};
use xuncha_core::{Enterprise, Env, Store};
use xuncha_sync::{Hello, PullPage, PullRequest, PushRequest, PushResponse};

const BIN: &str = env!("CARGO_BIN_EXE_xuncha-server");
const PASSWORD: &str = "bench-password";

/// Times the push and pull requests of a sync round.
struct Timed<T> {
    inner: T,
    push: Vec<Duration>,
    pull: Vec<Duration>,
}

impl<T: Transport> Transport for Timed<T> {
    fn hello(&mut self, device: Uuid) -> Result<Hello, TransportError> {
        self.inner.hello(device)
    }
    fn push(&mut self, req: &PushRequest) -> Result<PushResponse, TransportError> {
        let t = Instant::now();
        let r = self.inner.push(req);
        self.push.push(t.elapsed());
        r
    }
    fn pull(&mut self, req: &PullRequest) -> Result<PullPage, TransportError> {
        let t = Instant::now();
        let r = self.inner.pull(req);
        self.pull.push(t.elapsed());
        r
    }
}

fn admin(data: &Path, args: &[&str]) -> String {
    let out = Command::new(BIN).arg("--data").arg(data).args(args).env("XUNCHA_PASSWORD", PASSWORD).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn laptop(dir: &Path, name: &str, url: &str, user: &str) -> Store {
    let store = Store::open(dir.join(name), Env::system()).unwrap();
    xuncha_client::login(store.path(), url, user, PASSWORD, store.device_id(), name).unwrap();
    store
}

fn create(store: &mut Store, park: Uuid, n: usize, tag: &str) {
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
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("server");
    let big = Uuid::parse_str(&admin(&data, &["park", "add", "基准园区"])).unwrap();
    admin(&data, &["user", "add", "bench", "--role", "steward"]);
    admin(&data, &["assign", "bench", &big.to_string()]);
    let crowd_parks: Vec<Uuid> =
        (0..20).map(|i| Uuid::parse_str(&admin(&data, &["park", "add", &format!("并发园区{i}")])).unwrap()).collect();
    for (i, park) in crowd_parks.iter().enumerate() {
        let user = format!("crowd{i}");
        admin(&data, &["user", "add", &user, "--role", "inspector"]);
        admin(&data, &["assign", &user, &park.to_string()]);
    }
    let mut server: Child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(&data)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(server.stderr.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().split("listening on ").nth(1).unwrap().to_string();

    // 1. One laptop, 10,000 new files.
    let mut a = laptop(dir.path(), "a.db", &url, "bench");
    a.sync(&mut HttpTransport::for_store(a.path()).unwrap()).unwrap();
    create(&mut a, big, 10_000, "甲");
    let mut t = Timed { inner: HttpTransport::for_store(a.path()).unwrap(), push: vec![], pull: vec![] };
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
    let mut b = laptop(dir.path(), "b.db", &url, "bench");
    let mut t = Timed { inner: HttpTransport::for_store(b.path()).unwrap(), push: vec![], pull: vec![] };
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
            let mut s = laptop(dir.path(), &format!("crowd{i}.db"), &url, &format!("crowd{}", i % crowd_parks.len()));
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
                let mut t = Timed { inner: HttpTransport::for_store(s.path()).unwrap(), push: vec![], pull: vec![] };
                barrier.wait();
                let began = Instant::now();
                let report = s.sync(&mut t).unwrap();
                assert_eq!(report.accepted, 100);
                (began.elapsed(), t.push)
            })
        })
        .collect();
    let mut rounds = Vec::new();
    let mut pushes = Vec::new();
    for h in handles {
        let (round, push) = h.join().unwrap();
        rounds.push(round);
        pushes.extend(push);
    }
    let wall = start.elapsed();
    rounds.sort();
    pushes.sort();
    println!("200 laptops × 100 mutations at once (10 laptops per park):");
    println!(
        "  {:.0} mutations/s over {:.2} s; push request p50 {:.0} ms, p99 {:.0} ms; whole sync round p50 {:.0} ms, p99 {:.0} ms",
        20_000.0 / wall.as_secs_f64(),
        wall.as_secs_f64(),
        pct(&pushes, 0.5),
        pct(&pushes, 0.99),
        pct(&rounds, 0.5),
        pct(&rounds, 0.99)
    );
    let _ = server.kill();
    let _ = server.wait();
}
