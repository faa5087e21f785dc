//! A seeded, deterministic simulation of several laptops and the server
//! over a network that loses, duplicates, delays and reorders messages,
//! with laptop crashes, server restarts, a restore from an older backup,
//! scope changes and clocks skewed by up to ±48 hours.
//!
//! `XUNCHA_SIM_SEEDS` sets how many seeds run (default 500; `500..5000`
//! runs those) and `XUNCHA_SIM_SEED` runs one seed alone; a failure names its seed and
//! prints the steps that led to it.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;
use uuid::Uuid;
use xuncha_core::env::Clock;
use xuncha_core::sync::{BlobOnServer, Transport, TransportError};
use xuncha_core::{DeviceId, EnterpriseId, ParkId};
use xuncha_core::{Enterprise, Env, Store};
use xuncha_server::backend::Database;
use xuncha_server::{Bureau, Principal, Role};
use xuncha_sync::{
    BlobUpload, Hello, LeaseRequest, MutationResult, NumberBlock, NumberSeries, Outcome, PullPage, PullRequest,
    PushRequest, PushResponse, ReferenceDoc, ReferenceEntry,
};

use crate::common::{self, doc_of, principal, seed_park, Kind, ServerDb};

const P1: ParkId = ParkId(Uuid::from_u128(0x1000));
const P2: ParkId = ParkId(Uuid::from_u128(0x2000));
const STEPS: usize = 300;
const LAPTOPS: usize = 3;
const SERIES: &str = "notice";

/// Laptop time: a shared tick (one minute per step) plus a fixed skew.
struct SimClock {
    tick: Arc<AtomicI64>,
    skew_minutes: i64,
}

impl Clock for SimClock {
    fn now(&self) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 8, 0, 0).unwrap()
            + Duration::minutes(self.tick.load(Ordering::Relaxed) + self.skew_minutes)
    }
}

/// How rough the network is for one seed.
struct Faults {
    lose_request: f64,
    lose_reply: f64,
    duplicate: f64,
    delay: f64,
}

struct Net {
    faults: Faults,
    /// Pushes held back in the network, delivered later (or never).
    in_flight: Vec<(usize, PushRequest)>,
    healed: bool,
}

struct Laptop {
    path: PathBuf,
    store: Option<Store>,
    skew_minutes: i64,
    restarts: u64,
    cut_off: bool,
    parks: Vec<ParkId>,
    /// The last committed cursor seen per park, to check it only moves on.
    cursors: HashMap<ParkId, i64>,
}

struct World {
    seed: u64,
    rng: StdRng,
    tick: Arc<AtomicI64>,
    db: ServerDb,
    server: Option<Bureau<Database>>,
    server_starts: u64,
    has_backup: bool,
    restored: bool,
    net: Net,
    laptops: Vec<Laptop>,
    /// The documents the administrator put on the server at the start.
    seeded: Vec<xuncha_sync::Change>,
    trace: Vec<String>,
}

/// One laptop's way to the server through the simulated network.
struct SimTransport<'w> {
    server: &'w Bureau<Database>,
    who: Principal,
    laptop: usize,
    net: &'w mut Net,
    rng: &'w mut StdRng,
    cut_off: bool,
    /// The laptop's database: the window saves through a connection of its
    /// own while the round runs.
    side_save: Option<(PathBuf, u64)>,
}

impl SimTransport<'_> {
    fn reachable(&mut self) -> Result<(), TransportError> {
        if self.cut_off && !self.net.healed {
            return Err(TransportError::Unreachable("网络中断".into()));
        }
        if !self.net.healed && self.rng.gen_bool(self.net.faults.lose_request) {
            return Err(TransportError::NoAnswer("请求丢失".into()));
        }
        Ok(())
    }

    fn reply_lost(&mut self) -> bool {
        !self.net.healed && self.rng.gen_bool(self.net.faults.lose_reply)
    }
}

fn refused(e: xuncha_server::ServerError) -> TransportError {
    TransportError::Refused { code: e.code(), message: e.to_string() }
}

/// A save made in the window while the background sync runs on the same
/// file: it must wait its turn, never fail with `database is locked`.
fn save_while_syncing(path: &std::path::Path, seed: u64) {
    let mut store = Store::open(path, Env::fixed(Utc::now(), seed)).expect("a second connection opens");
    let ids = store.enterprise_ids(None).unwrap();
    let Some(id) = ids.get(seed as usize % ids.len().max(1)) else { return };
    let mut e = store.enterprise(*id).unwrap().unwrap();
    e.address = Some(format!("边同步边保存{seed}"));
    store.save_enterprise(&e).expect("a save during a sync round succeeds");
}

/// Enterprises several laptops type in or import on their own: the same
/// credit code and name; the same name without a code; the same code
/// with a typo in one copy of the name.
fn twin(k: usize) -> (String, Option<String>) {
    let code = |seed| Some(xuncha_core::synth::credit_code(&mut StdRng::seed_from_u64(seed)));
    match k {
        0 => ("湖南新入园甲有限公司".into(), code(1)),
        1 => ("湖南新入园乙有限公司".into(), None),
        2 => ("湖南新入园丙有限公司".into(), code(3)),
        _ => ("湖南新入园丙有限工司".into(), code(3)),
    }
}

impl Transport for SimTransport<'_> {
    fn hello(&mut self, _device: DeviceId) -> Result<Hello, TransportError> {
        self.reachable()?;
        let hello = self.server.hello(&self.who).map_err(refused)?;
        if self.reply_lost() {
            return Err(TransportError::NoAnswer("答复丢失".into()));
        }
        Ok(hello)
    }

    fn push(&mut self, req: &PushRequest) -> Result<PushResponse, TransportError> {
        if !self.net.healed && self.rng.gen_bool(self.net.faults.delay) {
            // Held up in the network: the laptop gives up, the request
            // arrives some time later.
            self.net.in_flight.push((self.laptop, req.clone()));
            return Err(TransportError::NoAnswer("请求超时".into()));
        }
        self.reachable()?;
        let resp = self.server.push(&self.who, req).map_err(refused)?;
        if !self.net.healed && self.rng.gen_bool(self.net.faults.duplicate) {
            self.net.in_flight.push((self.laptop, req.clone()));
        }
        if self.reply_lost() {
            return Err(TransportError::NoAnswer("答复丢失".into()));
        }
        Ok(resp)
    }

    fn pull(&mut self, req: &PullRequest) -> Result<PullPage, TransportError> {
        if let Some((path, seed)) = &self.side_save {
            if !self.net.healed && self.rng.gen_bool(0.3) {
                save_while_syncing(path, *seed + self.rng.gen::<u16>() as u64);
            }
        }
        self.reachable()?;
        let page = self.server.pull(&self.who, req).map_err(refused)?;
        if self.reply_lost() {
            return Err(TransportError::NoAnswer("答复丢失".into()));
        }
        Ok(page)
    }

    fn blob_state(&mut self, sha256: &xuncha_core::Sha256) -> Result<BlobOnServer, TransportError> {
        self.reachable()?;
        let state = common::blob_state(self.server, &self.who, sha256)?;
        if self.reply_lost() {
            return Err(TransportError::NoAnswer("答复丢失".into()));
        }
        Ok(state)
    }

    fn upload_chunk(
        &mut self,
        sha256: &xuncha_core::Sha256,
        offset: u64,
        total: u64,
        bytes: &[u8],
    ) -> Result<BlobUpload, TransportError> {
        self.reachable()?;
        if !self.net.healed && bytes.len() > 1 && self.rng.gen_bool(self.net.faults.lose_reply) {
            // The connection drops mid-chunk: the server keeps what arrived.
            let cut = self.rng.gen_range(1..bytes.len());
            common::upload_chunk(self.server, &self.who, sha256, offset, total, &bytes[..cut])?;
            return Err(TransportError::NoAnswer("上传中断".into()));
        }
        let answer = common::upload_chunk(self.server, &self.who, sha256, offset, total, bytes)?;
        if self.reply_lost() {
            return Err(TransportError::NoAnswer("答复丢失".into()));
        }
        Ok(answer)
    }

    fn download(
        &mut self,
        sha256: &xuncha_core::Sha256,
        into: &mut dyn std::io::Write,
    ) -> Result<bool, TransportError> {
        self.reachable()?;
        if self.reply_lost() {
            // Part of the file arrives, then the connection drops.
            let mut part = Vec::new();
            common::download(self.server, &self.who, sha256, &mut part)?;
            into.write_all(&part[..part.len() / 2]).map_err(|e| TransportError::NoAnswer(e.to_string()))?;
            return Err(TransportError::NoAnswer("下载中断".into()));
        }
        common::download(self.server, &self.who, sha256, into)
    }

    fn reference_index(&mut self) -> Result<Vec<ReferenceEntry>, TransportError> {
        self.reachable()?;
        let index = self.server.reference_index(&self.who).map_err(refused)?;
        self.answer(index)
    }

    fn reference_doc(&mut self, e: &ReferenceEntry) -> Result<ReferenceDoc, TransportError> {
        self.reachable()?;
        let doc = self.server.reference_doc(&self.who, &e.kind, &e.key, e.version).map_err(refused)?;
        self.answer(doc)
    }

    fn number_series(&mut self) -> Result<Vec<NumberSeries>, TransportError> {
        self.reachable()?;
        let series = self.server.number_series(&self.who).map_err(refused)?;
        self.answer(series)
    }

    fn lease(&mut self, req: &LeaseRequest) -> Result<NumberBlock, TransportError> {
        self.reachable()?;
        let block = self.server.lease(&self.who, req).map_err(refused)?;
        if !self.net.healed && self.rng.gen_bool(self.net.faults.duplicate) {
            // The request arrives twice: the server must answer the same block.
            let again = self.server.lease(&self.who, req).map_err(refused)?;
            assert_eq!(again, block, "a repeated lease request got another block");
        }
        self.answer(block)
    }

    fn resolve(&mut self, conflict: Uuid, decision: &xuncha_sync::Resolve) -> Result<(), TransportError> {
        self.reachable()?;
        self.server.resolve(&self.who, conflict, decision).map_err(refused)?;
        self.answer(())
    }
}

impl SimTransport<'_> {
    /// The reply, unless the network loses it.
    fn answer<T>(&mut self, reply: T) -> Result<T, TransportError> {
        if self.reply_lost() {
            return Err(TransportError::NoAnswer("答复丢失".into()));
        }
        Ok(reply)
    }
}

const ADDRESSES: &[&str] = &["一号路1号", "二号路2号", "三号路3号", "四号路4号"];
const INDUSTRIES: &[&str] = &["化工", "电子", "食品"];
const NAMES: &[&str] = &["湖南甲有限公司", "湖南乙有限公司", "湖南丙有限公司"];

impl World {
    fn new(kind: Kind, seed: u64) -> World {
        let mut rng = StdRng::seed_from_u64(seed);
        let db = ServerDb::new(kind);
        let server = db.open(seed);
        seed_park(&server, P1, "甲园", 4);
        seed_park(&server, P2, "乙园", 3);
        let series =
            NumberSeries { series: SERIES.into(), prefix: "甲环改".into(), title: "整改通知书".into() };
        server.add_series(&series).unwrap();
        server.publish_shipped_checklists().unwrap();
        let seeded = [P1, P2].iter().flat_map(|p| server.documents(*p).unwrap()).collect();
        let tick = Arc::new(AtomicI64::new(0));
        let rough = rng.gen_range(0.0..0.3);
        let faults = Faults {
            lose_request: rough * rng.gen_range(0.0..1.0),
            lose_reply: rough * rng.gen_range(0.0..1.0),
            duplicate: rough * rng.gen_range(0.0..1.0),
            delay: rough * rng.gen_range(0.0..0.5),
        };
        let laptops = (0..LAPTOPS)
            .map(|i| {
                // Each laptop in a folder of its own, with its photos beside it.
                let folder = db.dir().join(format!("laptop{i}"));
                std::fs::create_dir_all(&folder).expect("laptop folder");
                let path = folder.join("xuncha.db");
                let skew_minutes = rng.gen_range(-48 * 60..=48 * 60);
                // The last laptop starts with 甲园 only; the others hold both.
                let parks = if i == LAPTOPS - 1 { vec![P1] } else { vec![P1, P2] };
                Laptop { path, store: None, skew_minutes, restarts: 0, cut_off: false, parks, cursors: HashMap::new() }
            })
            .collect();
        let mut world = World {
            seed,
            rng,
            tick,
            db,
            server: Some(server),
            server_starts: 1,
            has_backup: false,
            restored: false,
            net: Net { faults, in_flight: Vec::new(), healed: false },
            laptops,
            seeded,
            trace: Vec::new(),
        };
        for i in 0..LAPTOPS {
            world.open_laptop(i);
        }
        world
    }

    fn open_laptop(&mut self, i: usize) {
        let l = &mut self.laptops[i];
        let mut env = Env::fixed(Utc::now(), self.seed * 1000 + i as u64 * 100 + l.restarts);
        env.clock = Box::new(SimClock { tick: self.tick.clone(), skew_minutes: l.skew_minutes });
        l.store = Some(Store::open(&l.path, env).expect("laptop store opens"));
    }

    fn who(&self, i: usize) -> Principal {
        let store = self.laptops[i].store.as_ref().unwrap();
        // Stewards number no documents; the inspectors lease numbers.
        let role = if i == LAPTOPS - 1 { Role::Steward } else { Role::Inspector };
        principal(store.device_id(), role, &self.laptops[i].parks)
    }

    fn note(&mut self, step: usize, what: String) {
        self.trace.push(format!("{step:>4} {what}"));
    }

    fn fail(&self, why: String) -> ! {
        let keep = std::env::var("XUNCHA_SIM_TRACE").ok().and_then(|v| v.parse().ok()).unwrap_or(40);
        let tail: Vec<&String> = self.trace.iter().rev().take(keep).collect::<Vec<_>>().into_iter().rev().collect();
        panic!(
            "seed {} failed: {why}\nrerun with XUNCHA_SIM_SEED={}\nlast steps:\n{}",
            self.seed,
            self.seed,
            tail.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n")
        );
    }

    fn restart_server(&mut self) {
        self.server = None;
        self.server_starts += 1;
        self.server = Some(self.db.open(self.seed * 7 + self.server_starts));
    }

    fn step(&mut self, step: usize) {
        self.tick.fetch_add(1, Ordering::Relaxed);
        let roll = self.rng.gen_range(0..100);
        let i = self.rng.gen_range(0..LAPTOPS);
        match roll {
            0..=31 => self.edit(step, i),
            32..=35 => self.act_on_case(step, i),
            36..=39 => self.attach(step, i),
            40..=42 => self.inspect(step, i),
            43..=47 => self.create(step, i),
            48..=77 => {
                self.sync(step, i);
            }
            78..=81 => {
                self.laptops[i].store = None;
                self.laptops[i].restarts += 1;
                self.open_laptop(i);
                self.note(step, format!("laptop {i} crashes and restarts"));
            }
            82..=83 => {
                self.restart_server();
                self.note(step, "server restarts".into());
            }
            84 if !self.has_backup => {
                self.server = None;
                self.db.backup();
                self.has_backup = true;
                self.restart_server();
                self.note(step, "server backed up".into());
            }
            85 if self.has_backup && !self.restored => {
                self.server = None;
                self.db.restore();
                self.restored = true;
                self.restart_server();
                // The restore procedure: numbers leased since the backup
                // are skipped, and the server takes a new epoch.
                let server = self.server.as_ref().unwrap();
                for year in [2025, 2026, 2027] {
                    server.skip_numbers(SERIES, year, 1000).unwrap();
                }
                server.renew_epoch().unwrap();
                self.note(step, "server restored from the older backup".into());
            }
            86..=91 => self.deliver_in_flight(step),
            92..=96 => {
                let l = &mut self.laptops[i];
                l.cut_off = !l.cut_off;
                let state = if l.cut_off { "loses" } else { "regains" };
                self.note(step, format!("laptop {i} {state} the network"));
            }
            97 => {
                let l = &mut self.laptops[LAPTOPS - 1];
                if l.parks.contains(&P2) {
                    l.parks.retain(|p| *p != P2);
                } else {
                    l.parks.push(P2);
                }
                let parks = l.parks.len();
                self.note(step, format!("laptop {} is now assigned {parks} park(s)", LAPTOPS - 1));
            }
            98 => self.misbehave(step),
            99 => self.rename_onto(step, i),
            _ => self.edit(step, i),
        }
    }

    /// A laptop corrects an enterprise's name to that of another file of
    /// its park: they were one enterprise all along, and the server folds
    /// the edited file into the other.
    fn rename_onto(&mut self, step: usize, i: usize) {
        let parks = self.laptops[i].parks.clone();
        let park = parks[self.rng.gen_range(0..parks.len())];
        let store = self.laptops[i].store.as_mut().unwrap();
        let ids = store.enterprise_ids(Some(park)).unwrap();
        if ids.len() < 2 {
            return;
        }
        let a = self.rng.gen_range(0..ids.len());
        let b = (a + 1 + self.rng.gen_range(0..ids.len() - 1)) % ids.len();
        let other = store.enterprise(ids[b]).unwrap().unwrap();
        let mut e = store.enterprise(ids[a]).unwrap().unwrap();
        e.name = other.name.clone();
        let saved = store.save_enterprise(&e).unwrap();
        self.note(step, format!("laptop {i} renames {} onto {} -> seq {:?}", e.id, other.id, saved.seq));
    }

    /// A signed-in user of 乙园 alone whose device sends what no laptop
    /// would (a hand-made request, a tampered program): writes aimed at
    /// 甲园's files and cases, pushes under an honest laptop's device id,
    /// malformed and oversized values, and a status outside the list in
    /// its own park. Nothing of 甲园 changes, every refused write is in the
    /// audit log, and (checked at the end) the honest laptops converge.
    fn misbehave(&mut self, step: usize) {
        use xuncha_sync::EntityKind;
        let server = self.server.as_ref().unwrap();
        let rogue = principal(Uuid::from_u128(0xbad), Role::Inspector, &[P2]);
        let p1_head = |server: &Bureau<Database>| server.documents(P1).unwrap().iter().map(|c| c.change_no).max();
        let refused_in_log = |server: &Bureau<Database>| {
            let rows = server.audit_since("").unwrap();
            rows.iter().filter(|r| r.event == "write_refused" && r.device_id == Some(rogue.device_id)).count()
        };
        let (head_before, logged_before) = (p1_head(server), refused_in_log(server));
        let p1_enterprise = Uuid::from_u128(P1.uuid().as_u128() + 1 + self.rng.gen_range(0..4));
        let p1_case = server
            .documents(P1)
            .unwrap()
            .into_iter()
            .filter(|c| c.entity == EntityKind::CaseEvent)
            .filter_map(|c| c.doc.get("case_id").and_then(Value::as_str).and_then(|s| Uuid::parse_str(s).ok()))
            .next();
        let fresh = Uuid::from_u128(0xbad0_0000 + step as u128);
        let event = |park: ParkId, enterprise: Uuid| {
            serde_json::json!({
                "id": fresh, "case_id": p1_case.unwrap_or_default(), "park_id": park, "enterprise_id": enterprise, "seen": null,
                "body": {"kind": "returned", "reason": "冒名退回"}, "recorded_by": "冒名者",
                "recorded_at": "2026-11-22T16:00:00+08:00", "device_id": rogue.device_id, "verdict": null
            })
        };
        let doc = |park: ParkId, name: String| Value::Object(doc_of(&Enterprise::new(fresh.into(), park, name)));
        let p2_enterprise = Uuid::from_u128(P2.uuid().as_u128() + 1);
        // Until 甲园 has a case there is none to aim at.
        let pick = match self.rng.gen_range(0..8) {
            2 | 3 if p1_case.is_none() => 0,
            n => n,
        };
        let (what, entity, id, op, fields) = match pick {
            0 => (
                "edits a 甲园 file",
                EntityKind::Enterprise,
                p1_enterprise,
                "update",
                serde_json::json!({"address": "冒改地址"}),
            ),
            1 => (
                "files an enterprise under 甲园",
                EntityKind::Enterprise,
                fresh,
                "create",
                doc(P1, format!("冒建企业{step}")),
            ),
            2 => ("steps a 甲园 case as 乙园", EntityKind::CaseEvent, fresh, "create", event(P2, p2_enterprise)),
            3 => ("steps a 甲园 case as 甲园", EntityKind::CaseEvent, fresh, "create", event(P1, p1_enterprise)),
            4 => (
                "moves a 甲园 file to 乙园",
                EntityKind::Enterprise,
                p1_enterprise,
                "update",
                serde_json::json!({"park_id": P2}),
            ),
            5 => ("sends an oversized name", EntityKind::Enterprise, fresh, "create", doc(P2, "大".repeat(100_000))),
            6 => (
                "sends fields that are no object",
                EntityKind::Enterprise,
                p2_enterprise,
                "update",
                serde_json::json!([1, 2, 3]),
            ),
            _ => {
                let mut e = doc(P2, format!("来路不明{step}"));
                e["status"] = "closed_forever".into();
                ("sends a status outside the list", EntityKind::Enterprise, fresh, "create", e)
            }
        };
        let payload = serde_json::json!({"op": op, "fields": fields});
        let last = server.hello(&rogue).unwrap().last_seq;
        let m = xuncha_sync::Mutation {
            seq: last + 1,
            mutation_id: Uuid::from_u128(0xbad_0000 + step as u128),
            entity,
            entity_id: id,
            base_version: 1,
            payload_hash: xuncha_sync::payload_hash(&payload),
            payload,
            created_at: "2026-11-22T08:00:00Z".into(),
            receipt: None,
        };
        // Half the time under an honest laptop's device id.
        let honest = self.laptops[self.rng.gen_range(0..LAPTOPS)].store.as_ref().unwrap().device_id();
        let posing = self.rng.gen_bool(0.5);
        let device_id = if posing { honest } else { rogue.device_id };
        let req = PushRequest { protocol: xuncha_sync::PROTOCOL, device_id, mutations: vec![m] };
        let refusals = match server.push(&rogue, &req) {
            Err(xuncha_server::ServerError::Forbidden(_)) if posing => 1,
            Ok(resp) if !posing && resp.results.iter().all(|r| r.outcome == Outcome::Rejected) => resp.results.len(),
            other => self.fail(format!("a rogue device that {what} (posing: {posing}) was not refused: {other:?}")),
        };
        if p1_head(server) != head_before {
            self.fail(format!("a rogue device of 乙园 that {what} changed 甲园"));
        }
        if refused_in_log(server) != logged_before + refusals {
            self.fail(format!("a rogue device's refused write ({what}, posing: {posing}) is not in the audit log"));
        }
        self.note(step, format!("a rogue device {what} (posing: {posing}): refused"));
    }

    fn edit(&mut self, step: usize, i: usize) {
        let store = self.laptops[i].store.as_mut().unwrap();
        let ids = store.enterprise_ids(None).unwrap();
        if ids.is_empty() {
            return;
        }
        let id = ids[self.rng.gen_range(0..ids.len())];
        let mut e = store.enterprise(id).unwrap().unwrap();
        let what = match self.rng.gen_range(0..4) {
            0 => {
                e.address = Some(ADDRESSES[self.rng.gen_range(0..ADDRESSES.len())].into());
                "address"
            }
            1 => {
                e.industry = Some(INDUSTRIES[self.rng.gen_range(0..INDUSTRIES.len())].into());
                "industry"
            }
            // Renames of one file by two laptops conflict; a name no other
            // file has keeps the renamed files apart (see `rename_onto`).
            2 => {
                e.name = format!("{}（{}）", NAMES[self.rng.gen_range(0..NAMES.len())], id.uuid().as_u128() % 100_000);
                "name"
            }
            _ => {
                e.latitude = Some(26.0 + self.rng.gen_range(0..100) as f64 / 1000.0);
                "latitude"
            }
        };
        let saved = store.save_enterprise(&e).unwrap();
        self.note(step, format!("laptop {i} edits {what} of {id} -> seq {:?}", saved.seq));
    }

    /// A photo of an archive document, attached on site.
    fn attach(&mut self, step: usize, i: usize) {
        let len = self.rng.gen_range(1..3000);
        let bytes: Vec<u8> = (0..len).map(|_| self.rng.gen()).collect();
        let item_no = self.rng.gen_range(1..=5);
        let folder = self.laptops[i].path.parent().unwrap().to_path_buf();
        let store = self.laptops[i].store.as_mut().unwrap();
        let ids = store.enterprise_ids(None).unwrap();
        if ids.is_empty() {
            return;
        }
        let id = ids[self.rng.gen_range(0..ids.len())];
        let photo = folder.join(format!("照片{step}.jpg"));
        std::fs::write(&photo, &bytes).unwrap();
        let (a, _) = store.attach_archive_file(id, item_no, &photo).unwrap();
        self.note(step, format!("laptop {i} attaches {} to item {item_no} of {id}", a.sha256.short(8)));
    }

    /// A patrol signed on site with a photo: an insert-only record and its files.
    fn inspect(&mut self, step: usize, i: usize) {
        use xuncha_core::inspection::{InspectionKind, InspectionState, SignerRole};
        use xuncha_core::store::inspection::{NewInspection, NewSignature};
        let seed = self.rng.gen::<u32>();
        let folder = self.laptops[i].path.parent().unwrap().to_path_buf();
        let parks = self.laptops[i].parks.clone();
        let store = self.laptops[i].store.as_mut().unwrap();
        let ids: Vec<EnterpriseId> = parks.iter().flat_map(|p| store.enterprise_ids(Some(*p)).unwrap()).collect();
        if ids.is_empty() {
            return;
        }
        let id = ids[seed as usize % ids.len()];
        let new = NewInspection {
            enterprise_id: id,
            kind: InspectionKind::DailyPatrol,
            inspectors: vec![format!("检查员{i}")],
            accompanying: None,
        };
        let draft = store.start_inspection(&new).unwrap();
        let photo = folder.join(format!("现场{step}.jpg"));
        std::fs::write(&photo, xuncha_photo::synth::jpeg(&xuncha_photo::synth::scene(32, 24, seed))).unwrap();
        let (mut draft, _) = store.import_photos(draft.id, None, &[photo]).unwrap();
        draft.results.iter_mut().for_each(|r| r.outcome = xuncha_core::inspection::ItemOutcome::Compliant);
        draft.ended_at = Some(draft.started_at.clone());
        draft.state = InspectionState::Completed;
        let draft = store.save_inspection(&draft).unwrap();
        let png = b"\x89PNG\r\n\x1a\nsim".to_vec();
        let signers = [
            NewSignature::drawn(SignerRole::Inspector, &format!("检查员{i}"), png),
            NewSignature::refused("企业代表", "见证人"),
        ];
        let signed = store.sign_inspection(draft.id, draft.version, &signers).unwrap();
        self.note(step, format!("laptop {i} signs inspection {} of {id} (chain {:?})", signed.id, signed.chain_no));
    }

    /// Work on a rectification case: open one from a new signed patrol
    /// with a finding, or record a random next step on a case this laptop
    /// holds. Laptops act without seeing each other, so the server gets
    /// events that no longer fit.
    fn act_on_case(&mut self, step: usize, i: usize) {
        use xuncha_core::inspection::{Finding, FindingSeverity, InspectionKind, InspectionState, ItemOutcome};
        use xuncha_core::rectification::{EventBody, Term};
        use xuncha_core::store::inspection::{NewInspection, NewSignature};
        use xuncha_core::store::rectification::{CaseFilter, NewCase};
        let roll = self.rng.gen_range(0..13);
        let pick = self.rng.gen::<usize>();
        let folder = self.laptops[i].path.parent().unwrap().to_path_buf();
        let parks = self.laptops[i].parks.clone();
        let store = self.laptops[i].store.as_mut().unwrap();
        store.set_operator(&format!("检查员{i}"));
        let cases: Vec<_> = store
            .cases(&CaseFilter { open_only: true, ..Default::default() })
            .unwrap()
            .into_iter()
            .filter(|c| parks.contains(&c.park_id))
            .collect();
        if roll == 12 {
            use xuncha_core::clue_transfer::TransferNews;
            let transfers = store.clue_transfers(None).unwrap();
            let Some(t) = transfers.iter().filter(|t| parks.contains(&t.park_id)).nth(pick % transfers.len().max(1))
            else {
                return;
            };
            let news = match pick % 3 {
                0 => TransferNews::Delivered {
                    to: "执法大队".into(), on: "2026-11-23".into(), how: "当面送达".into()
                },
                1 => TransferNews::Feedback {
                    filed: pick % 2 == 0,
                    case_number: None,
                    result: "已调查".into(),
                    closed_on: None,
                },
                _ => TransferNews::FollowUp { on: "2026-11-25".into(), note: "已督促".into(), rectified: true },
            };
            let label = news.label();
            let result = store.record_transfer_news(t.id, news).map(|f| f.standing());
            self.note(step, format!("laptop {i} records {label} on transfer {}: {result:?}", t.id));
            return;
        }
        if roll == 0 || cases.is_empty() {
            let ids: Vec<EnterpriseId> = parks.iter().flat_map(|p| store.enterprise_ids(Some(*p)).unwrap()).collect();
            if ids.is_empty() {
                return;
            }
            let new = NewInspection {
                enterprise_id: ids[pick % ids.len()],
                kind: InspectionKind::DailyPatrol,
                inspectors: vec![format!("检查员{i}")],
                accompanying: None,
            };
            let mut draft = store.start_inspection(&new).unwrap();
            draft.results.iter_mut().for_each(|r| r.outcome = ItemOutcome::Compliant);
            draft.results[0].outcome = ItemOutcome::NonCompliant;
            draft.findings.push(Finding {
                id: store.new_id(),
                item_key: Some(draft.results[0].key.clone()),
                found: format!("问题{step}"),
                suggestion: "整改".into(),
                legal_basis: None,
                severity: FindingSeverity::General,
                deadline: Some("2026-12-22".into()),
            });
            draft.ended_at = Some(draft.started_at.clone());
            draft.state = InspectionState::Completed;
            let draft = store.save_inspection(&draft).unwrap();
            let png = b"\x89PNG\r\n\x1a\nsim".to_vec();
            let signers = [
                NewSignature::drawn(xuncha_core::inspection::SignerRole::Inspector, &format!("检查员{i}"), png),
                NewSignature::refused("企业代表", "见证人"),
            ];
            let signed = store.sign_inspection(draft.id, draft.version, &signers).unwrap();
            let new = NewCase {
                inspection_id: signed.id,
                finding_ids: Vec::new(),
                term: Term::Days(30),
                responsible: format!("厂长{i}"),
            };
            let case = store.open_case(&new).unwrap();
            self.note(step, format!("laptop {i} opens case {} from {}", case.id, signed.id));
            return;
        }
        let case = &cases[pick % cases.len()];
        let body = match roll {
            1 => EventBody::Reviewed { by: format!("审核人{i}"), note: String::new() },
            2 => {
                let notice = xuncha_core::store::notice::NewNotice {
                    inspection_id: case.inspection_id,
                    series: SERIES.into(),
                    finding_ids: Vec::new(),
                    laws: "《中华人民共和国环境保护法》".into(),
                    plan_due: "2099-01-01".into(),
                    office: xuncha_core::sample::notice_office(),
                    case_id: Some(case.id),
                    reviewed_by: format!("审核人{i}"),
                    responsible: String::new(),
                };
                let result = store.issue_notice(&notice).map(|n| n.number.to_string());
                self.note(step, format!("laptop {i} issues a notice for case {}: {result:?}", case.id));
                return;
            }
            3 => EventBody::Delivered { to: "厂长".into(), on: "2026-11-22".into(), how: "当面送达".into() },
            4 => EventBody::PlanReceived { on: "2026-11-23".into(), note: "方案".into(), files: Vec::new() },
            5 | 6 => {
                let photo = folder.join(format!("整改{step}.jpg"));
                let bytes: Vec<u8> = (0..(pick % 2000 + 1)).map(|n| (n * 31 + step) as u8).collect();
                std::fs::write(&photo, bytes).unwrap();
                let file = store.keep_case_file(&photo, None).unwrap();
                EventBody::Rectified { on: "2026-11-24".into(), note: String::new(), files: vec![file] }
            }
            7 => EventBody::Returned { reason: "佐证不足".into() },
            8 => {
                EventBody::Reinspected { inspection_id: case.inspection_id, passed: pick % 3 != 0, note: String::new() }
            }
            9 => EventBody::Closed { by: format!("审核人{i}"), note: String::new() },
            10 => EventBody::Extended { finding_id: None, due: "2099-06-30".into(), reason: "延期".into() },
            _ => {
                let mut transfer =
                    store.clue_transfer_draft(case.inspection_id, &[case.findings[0].finding_id]).unwrap();
                transfer.office = xuncha_core::sample::transfer_office();
                let t = store.transfer_clue(&transfer).unwrap();
                EventBody::Escalated { clue_transfer_id: t.id }
            }
        };
        let label = body.label();
        let result = store.record_case_event(case.id, body).map(|c| c.state.label());
        self.note(step, format!("laptop {i} records {label} on case {}: {result:?}", case.id));
    }

    fn create(&mut self, step: usize, i: usize) {
        let parks = self.laptops[i].parks.clone();
        let park = parks[self.rng.gen_range(0..parks.len())];
        let store = self.laptops[i].store.as_mut().unwrap();
        if store.park(park).unwrap().is_none() {
            return;
        }
        let id = store.new_id();
        let mut e = Enterprise::new(id, park, format!("新建企业{step}"));
        if self.rng.gen_bool(0.5) {
            let (name, code) = twin(self.rng.gen_range(0..4));
            // A laptop that already holds the enterprise finds it instead.
            let held = store.enterprise_ids(None).unwrap().into_iter().any(|other| {
                let o = store.enterprise(other).unwrap().unwrap();
                (o.name == name && o.park_id == park) || (code.is_some() && o.credit_code == code)
            });
            if held {
                return;
            }
            e.name = name;
            e.credit_code = code;
        }
        let saved = store.save_enterprise(&e).unwrap();
        self.note(step, format!("laptop {i} creates {id} ({}) -> seq {:?}", e.name, saved.seq));
    }

    fn sync(&mut self, step: usize, i: usize) -> bool {
        let who = self.who(i);
        let World { server, net, rng, laptops, .. } = self;
        let laptop = &mut laptops[i];
        let side_save = Some((laptop.path.clone(), step as u64 * 7919 + i as u64));
        let mut t = SimTransport {
            server: server.as_ref().unwrap(),
            who,
            laptop: i,
            net,
            rng,
            cut_off: laptop.cut_off,
            side_save,
        };
        let store = laptop.store.as_mut().unwrap();
        let resets = store.cursor_resets().unwrap();
        let result = store.sync(&mut t);
        let ok = result.is_ok();
        let reset = store.cursor_resets().unwrap() > resets;
        for park in [P1, P2] {
            let now = store.sync_cursor(park).unwrap();
            let before = laptop.cursors.get(&park).copied().unwrap_or(0);
            // A cursor moves forward, or starts over from 0 on purpose (the
            // server was restored, or a refused change refetches its park);
            // starting over can repeat changes but never skip one.
            let unassigned = !laptop.parks.contains(&park) && now == 0;
            if now < before && !reset && !unassigned {
                let msg = format!("laptop {i}'s cursor for {park} went back from {before} to {now}");
                self.fail(msg);
            }
            laptop.cursors.insert(park, now);
        }
        self.note(step, format!("laptop {i} syncs: {:?}", result.map_err(|e| xuncha_core::api::describe(&e))));
        ok
    }

    fn deliver_in_flight(&mut self, step: usize) {
        if self.net.in_flight.is_empty() {
            return;
        }
        let k = self.rng.gen_range(0..self.net.in_flight.len());
        let (i, req) = self.net.in_flight.remove(k);
        let who = self.who(i);
        let result = self.server.as_ref().unwrap().push(&who, &req).map(|r| r.results.len());
        self.note(step, format!("a held-up push of laptop {i} arrives: {result:?}"));
    }

    fn heal(&mut self) {
        self.net.healed = true;
        while !self.net.in_flight.is_empty() {
            self.deliver_in_flight(STEPS);
        }
        for round in 0..2 {
            for i in 0..LAPTOPS {
                if !self.sync(STEPS + round, i) {
                    self.fail(format!("laptop {i} could not sync after the network healed"));
                }
            }
        }
    }

    fn check(&self) {
        let server = self.server.as_ref().unwrap();
        self.check_twins(server);
        // Every mutation the server holds, in arrival order.
        let held: Vec<Arrived> = self
            .db
            .stored_mutations()
            .into_iter()
            .map(|(device, seq, mutation_id, payload, payload_hash, result)| Arrived {
                device,
                seq,
                mutation_id,
                payload: serde_json::from_str(&payload).unwrap(),
                payload_hash,
                result: serde_json::from_str(&result).unwrap(),
            })
            .collect();
        let mut on_server: BTreeMap<(Uuid, i64), &Arrived> = BTreeMap::new();
        for m in &held {
            if on_server.insert((m.device, m.seq), m).is_some() {
                self.fail(format!("the server holds device {} number {} twice", m.device, m.seq));
            }
        }

        for (i, l) in self.laptops.iter().enumerate() {
            let store = l.store.as_ref().unwrap();
            let device = store.device_id().uuid();
            let outbox = store.outbox().unwrap();
            for entry in &outbox {
                let Some(m) = on_server.get(&(device, entry.seq)) else {
                    self.fail(format!("laptop {i}'s change {} never reached the server", entry.seq));
                };
                if m.mutation_id != entry.mutation_id || m.payload_hash != entry.payload_hash {
                    self.fail(format!("laptop {i}'s change {} is a different mutation on the server", entry.seq));
                }
                let expected = match m.result.outcome {
                    Outcome::Applied | Outcome::Merged => "acknowledged",
                    Outcome::Held => "conflict",
                    Outcome::Rejected => "rejected",
                };
                if entry.state != expected {
                    self.fail(format!(
                        "laptop {i}'s change {} is {} locally but {:?} on the server",
                        entry.seq, entry.state, m.result.outcome
                    ));
                }
            }
            let extra = on_server.keys().filter(|(d, s)| *d == device && !outbox.iter().any(|e| e.seq == *s)).count();
            if extra > 0 {
                self.fail(format!("the server holds {extra} change(s) of laptop {i} that the laptop never made"));
            }

            // A create the server refused, from any laptop, is rightly not on
            // the server.
            let rejected_creates: Vec<Uuid> = self
                .laptops
                .iter()
                .flat_map(|other| other.store.as_ref().unwrap().outbox().unwrap())
                .filter(|e| e.state == "rejected" && e.payload["op"] == "create")
                .map(|e| e.entity_id)
                .collect();

            // Every photo a record of an assigned park on this laptop refers
            // to is here, intact, and on the server; and every photo taken
            // here reached the server. A record of a park taken away that
            // still has unsent changes stays, and a create the server refused
            // stays with its author, but their files are no longer this
            // user's to fetch: only records the server holds vouch for files.
            let blobs = store.blobs();
            for id in store.enterprise_ids(None).unwrap() {
                let e = store.enterprise(id).unwrap().unwrap();
                if !self.laptops[i].parks.contains(&e.park_id) || rejected_creates.contains(&id.uuid()) {
                    continue;
                }
                for item in e.archive {
                    for a in item.attachments {
                        if !blobs.path_of(&a.sha256).exists() || !blobs.verify(&a.sha256).unwrap() {
                            self.fail(format!("laptop {i} lacks photo {} of {id} or holds it damaged", a.sha256));
                        }
                    }
                }
            }
            for sha in blobs.list().unwrap() {
                let who = principal(device, Role::Steward, &[P1, P2]);
                if server.blob_state(&who, &sha.hex()).unwrap()
                    != xuncha_server::blob::BlobState::Stored(std::fs::metadata(blobs.path_of(&sha)).unwrap().len())
                {
                    self.fail(format!("photo {sha} of laptop {i} never reached the server"));
                }
            }

            // Replicas equal the server for the parks assigned.
            // Known gap: when the server loses an accepted create
            // to a restore and its author has been unassigned from the park
            // before re-sending it, the re-send is refused, and laptops that
            // pulled the record before the restore keep their copy (seed 223).
            // Fixing it needs assignment history on the server.
            for park in &l.parks {
                let docs = server.documents(*park).unwrap();
                let mut server_ids = Vec::new();
                for c in &docs {
                    server_ids.push(c.entity_id);
                    if c.doc.get("merged_into").is_some() {
                        if store.enterprise(c.entity_id.into()).unwrap().is_some() {
                            self.fail(format!("laptop {i} still holds {}, folded into another file", c.entity_id));
                        }
                        continue;
                    }
                    let local = match c.entity {
                        xuncha_sync::EntityKind::Park => store.park(c.entity_id.into()).unwrap().map(|p| doc_of(&p)),
                        xuncha_sync::EntityKind::Enterprise => {
                            store.enterprise(c.entity_id.into()).unwrap().map(|e| doc_of(&e))
                        }
                        xuncha_sync::EntityKind::Inspection => {
                            store.inspection(c.entity_id.into()).unwrap().map(|i| doc_of(&i.record()))
                        }
                        xuncha_sync::EntityKind::Notice => {
                            store.notice(c.entity_id.into()).unwrap().map(|n| doc_of(&n))
                        }
                        xuncha_sync::EntityKind::NumberVoid => {
                            store.number_voids().unwrap().into_iter().find(|v| v.id == c.entity_id).map(|v| doc_of(&v))
                        }
                        xuncha_sync::EntityKind::ClueTransfer => {
                            store.clue_transfer(c.entity_id.into()).unwrap().map(|t| doc_of(&t))
                        }
                        xuncha_sync::EntityKind::CaseEvent => {
                            store.case_event(c.entity_id.into()).unwrap().map(|e| doc_of(&e))
                        }
                        xuncha_sync::EntityKind::TransferUpdate => {
                            store.transfer_update(c.entity_id).unwrap().map(|u| doc_of(&u))
                        }
                    };
                    // Known gap: a restore from an older backup can undo a
                    // fold (or turn which of two parks' files with one credit
                    // code the server refuses) after laptops acted on it. A
                    // laptop then cannot apply the file the server serves
                    // again (its elements or its code are held by the file it
                    // was folded into) and sets it aside, visibly in its
                    // status; nothing is lost, and the park syncs on.
                    let set_aside = store.set_aside().unwrap().iter().any(|s| s.entity_id == c.entity_id);
                    if local.is_none() && set_aside && self.restored {
                        continue;
                    }
                    let Some(local) = local else {
                        let folded_into = self.folded(server).get(&c.entity_id).copied();
                        let merged_here = store.merged_enterprises().unwrap().get(&c.entity_id.into()).copied();
                        self.fail(format!(
                            "laptop {i} lacks {} of park {park} (folded on the server into {folded_into:?}, here into {merged_here:?})",
                            c.entity_id
                        ));
                    };
                    if Value::Object(local.clone()) != c.doc {
                        self.fail(format!(
                            "laptop {i}'s copy of {} differs from the server:\nlocal  {}\nserver {}",
                            c.entity_id,
                            Value::Object(local),
                            c.doc
                        ));
                    }
                }
                for id in store.enterprise_ids(Some(*park)).unwrap() {
                    if !server_ids.contains(&id.uuid()) && !rejected_creates.contains(&id.uuid()) {
                        self.fail(format!("laptop {i} holds {id} which the server does not have"));
                    }
                }
                for s in store.inspections(None, Some(*park)).unwrap() {
                    if !server_ids.contains(&s.id.uuid()) && !rejected_creates.contains(&s.id.uuid()) {
                        self.fail(format!("laptop {i}'s signed inspection {} never reached the server", s.id));
                    }
                }
                for c in server.verify_inspections(*park).unwrap() {
                    if !c.problems.is_empty() {
                        self.fail(format!("inspection {} fails verification on the server: {:?}", c.id, c.problems));
                    }
                }
            }
            let ok: String = store.conn().query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
            if ok != "ok" {
                self.fail(format!("laptop {i}'s database is damaged: {ok}"));
            }
        }

        self.check_conflicts(server, &held);
        self.check_twins(server);
        self.check_elements(server);
        self.check_numbers(server);
        self.check_cases(server);
    }

    /// Ids the server folded into another enterprise file, and that file.
    fn folded(&self, server: &Bureau<Database>) -> HashMap<Uuid, Uuid> {
        let mut out = HashMap::new();
        for park in [P1, P2] {
            for c in server.documents(park).unwrap() {
                for m in c.doc.get("merged_ids").and_then(Value::as_array).into_iter().flatten() {
                    out.insert(Uuid::parse_str(m.as_str().unwrap()).unwrap(), c.entity_id);
                }
                if let Some(into) = c.doc.get("merged_into").and_then(Value::as_str) {
                    out.insert(c.entity_id, Uuid::parse_str(into).unwrap());
                }
            }
        }
        // Folded files folded again name the last one.
        let ends: Vec<(Uuid, Uuid)> = out
            .keys()
            .map(|k| {
                let mut at = out[k];
                while let Some(next) = out.get(&at) {
                    at = *next;
                }
                (*k, at)
            })
            .collect();
        ends.into_iter().collect()
    }

    /// Files that another existing file was folded into by an edit.
    fn fold_targets(&self, server: &Bureau<Database>) -> std::collections::HashSet<Uuid> {
        let folded = self.folded(server);
        [P1, P2]
            .iter()
            .flat_map(|p| server.documents(*p).unwrap())
            .filter(|c| c.doc.get("merged_into").is_some())
            .map(|c| folded[&c.entity_id])
            .collect()
    }

    /// No two enterprise files of a park share a credit code or a name,
    /// and every twin a laptop created is folded into the file that stayed
    /// (or was refused).
    fn check_twins(&self, server: &Bureau<Database>) {
        let folded = self.folded(server);
        for park in [P1, P2] {
            let mut codes = HashMap::new();
            let mut names = HashMap::new();
            for c in server.documents(park).unwrap() {
                if c.entity != xuncha_sync::EntityKind::Enterprise || c.doc.get("merged_into").is_some() {
                    continue;
                }
                if let Some(code) = c.doc["credit_code"].as_str() {
                    if let Some(other) = codes.insert(code.to_string(), c.entity_id) {
                        self.fail(format!("{other} and {} share the credit code {code}", c.entity_id));
                    }
                }
                let name = xuncha_core::search::normalize(c.doc["name"].as_str().unwrap());
                if let Some(other) = names.insert(name.clone(), c.entity_id) {
                    self.fail(format!("{other} and {} share the name {name} in park {park}", c.entity_id));
                }
                if folded.contains_key(&c.entity_id) {
                    self.fail(format!("{} was folded into another file but is still served", c.entity_id));
                }
            }
        }
    }

    /// Every scan any laptop attached is on the server, in the file it was
    /// attached to (or the file that file was folded into), or in a
    /// conflict record: no element is dropped silently.
    fn check_elements(&self, server: &Bureau<Database>) {
        let who = principal(Uuid::nil(), Role::Admin, &[] as &[ParkId]);
        let records = server.conflicts(&who, &[P1, P2]).unwrap();
        let folded = self.folded(server);
        for (i, l) in self.laptops.iter().enumerate() {
            for entry in l.store.as_ref().unwrap().outbox().unwrap() {
                if entry.state == "rejected" || entry.entity != "enterprise" {
                    continue;
                }
                let Some(items) = entry.payload["fields"]["archive"].as_array() else { continue };
                let id = folded.get(&entry.entity_id).copied().unwrap_or(entry.entity_id);
                let Some(row) = server.entity(xuncha_sync::EntityKind::Enterprise, id).unwrap() else { continue };
                let on_server = Value::Object(row.doc).to_string();
                // The scans this change added; the others in its list came
                // from elsewhere and are checked with their own change.
                let touched: Vec<&str> =
                    entry.payload["touched"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                let added = items.iter().flat_map(|item| {
                    let attachments = item["attachments"].as_array().cloned().unwrap_or_default();
                    attachments.into_iter().map(move |a| (item["item_no"].clone(), a))
                });
                for (no, a) in added {
                    if !touched.contains(&format!("archive/{no}/attachments/{}", a["id"].as_str().unwrap()).as_str()) {
                        continue;
                    }
                    let sha = a["sha256"].as_str().unwrap();
                    let kept = on_server.contains(sha)
                        || records.iter().any(|r| {
                            r.server_value.to_string().contains(sha) || r.device_value.to_string().contains(sha)
                        });
                    if !kept {
                        self.fail(format!(
                            "scan {sha} laptop {i} sent to {id} (change {}, {}) is neither on the server nor in a conflict",
                            entry.seq, entry.state
                        ));
                    }
                }
            }
        }
    }

    /// Every case history on the server is valid under the transition
    /// table: its events are numbered without gaps, an event is accepted
    /// exactly when it fits the state the accepted ones before it left,
    /// and every file an event brought in is stored.
    fn check_cases(&self, server: &Bureau<Database>) {
        use xuncha_core::rectification::{step, CaseEvent};
        let mut cases: BTreeMap<xuncha_core::CaseId, Vec<CaseEvent>> = BTreeMap::new();
        for park in [P1, P2] {
            for c in server.documents(park).unwrap() {
                if c.entity == xuncha_sync::EntityKind::CaseEvent {
                    let e: CaseEvent = serde_json::from_value(c.doc).unwrap();
                    cases.entry(e.case_id).or_default().push(e);
                }
            }
        }
        let who = principal(Uuid::nil(), Role::Admin, &[P1, P2]);
        for (id, mut events) in cases {
            xuncha_core::rectification::order(&mut events);
            let (mut state, mut delivered) = (None, false);
            for (n, e) in events.iter().enumerate() {
                let Some(v) = &e.verdict else { self.fail(format!("event {} of case {id} has no verdict", e.id)) };
                if v.seq != n as i64 + 1 {
                    self.fail(format!("case {id}: event {} has number {} where {} was due", e.id, v.seq, n + 1));
                }
                if v.state_at_server != state {
                    self.fail(format!(
                        "case {id}: event {} says the case was {:?}, it was {state:?}",
                        e.id, v.state_at_server
                    ));
                }
                match (step(state, delivered, &e.body), v.accepted) {
                    (Ok((to, d)), true) => (state, delivered) = (Some(to), d),
                    (Err(_), false) => {}
                    (fits, accepted) => {
                        self.fail(format!("case {id}: event {} accepted={accepted} but the rules say {fits:?}", e.id))
                    }
                }
                for f in e.body.files() {
                    if !matches!(
                        server.blob_state(&who, &f.sha256.hex()).unwrap(),
                        xuncha_server::blob::BlobState::Stored(_)
                    ) {
                        self.fail(format!("case {id}: the file {} of event {} is not on the server", f.sha256, e.id));
                    }
                }
            }
        }
    }

    /// No number is held by two laptops, every block the server gave a
    /// laptop is on that laptop (none lost to a lost reply), and every
    /// inspector's laptop has numbers in stock and the checklist template.
    fn check_numbers(&self, server: &Bureau<Database>) {
        let mut held: Vec<(usize, i32, i64, i64, String)> = Vec::new();
        for (i, l) in self.laptops.iter().enumerate() {
            let store = l.store.as_ref().unwrap();
            let mut stmt = store.conn().prepare("SELECT year, first, last, block_id FROM number_block").unwrap();
            let rows = stmt.query_map([], |r| Ok((i, r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap();
            held.extend(rows.map(Result::unwrap));
            let pending: i64 = store.conn().query_row("SELECT COUNT(*) FROM number_lease", [], |r| r.get(0)).unwrap();
            if pending > 0 {
                self.fail(format!("laptop {i} still waits for {pending} lease(s) after the network healed"));
            }
            let stocked: i64 = store.numbers_left().unwrap().iter().map(|n| n.left).sum();
            let inspector = i != LAPTOPS - 1;
            if inspector && stocked < xuncha_core::store::NUMBERS_LOW {
                self.fail(format!("inspector laptop {i} has only {stocked} numbers in stock"));
            }
            if !inspector && stocked > 0 {
                self.fail(format!("the steward's laptop {i} was given numbers"));
            }
            if store.reference("checklist_template", "daily_patrol", None).unwrap().is_none() {
                self.fail(format!("laptop {i} lacks the checklist template"));
            }
        }
        for (n, a) in held.iter().enumerate() {
            for b in &held[n + 1..] {
                if a.1 == b.1 && a.2 <= b.3 && b.2 <= a.3 {
                    self.fail(format!(
                        "laptops {} and {} both hold numbers of {}: {}–{} and {}–{}",
                        a.0, b.0, a.1, a.2, a.3, b.2, b.3
                    ));
                }
            }
        }
        for (block, device) in server.number_blocks(SERIES).unwrap() {
            if device == DeviceId::NIL {
                continue;
            }
            let on = self.laptops.iter().position(|l| l.store.as_ref().unwrap().device_id() == device);
            let kept = on.is_some_and(|i| held.iter().any(|h| h.0 == i && h.4 == block.block_id.to_string()));
            if !kept {
                self.fail(format!(
                    "numbers {}–{} of {} went to a laptop that never got them",
                    block.first, block.last, block.year
                ));
            }
        }
    }

    /// Replays the server's arrivals to find every edit that overlapped
    /// another device's edit of the same field (the latest accepted value
    /// came from another device after the version the edit started from,
    /// and the values differ), and checks each has its conflict record
    /// with both values.
    fn check_conflicts(&self, server: &Bureau<Database>, held: &[Arrived]) {
        let who = principal(Uuid::nil(), Role::Admin, &[] as &[ParkId]);
        let records = server.conflicts(&who, &[P1, P2]).unwrap();
        // field -> (value, device, version) of its latest accepted write.
        let mut latest: HashMap<(Uuid, String), (Value, Uuid, i64)> = HashMap::new();
        for c in &self.seeded {
            for (k, v) in c.doc.as_object().unwrap() {
                latest.insert((c.entity_id, k.clone()), (v.clone(), Uuid::nil(), c.version));
            }
        }
        let made: HashMap<Uuid, (Uuid, i64)> = self
            .laptops
            .iter()
            .flat_map(|l| l.store.as_ref().unwrap().outbox().unwrap())
            .map(|e| (e.mutation_id, (e.entity_id, e.base_version)))
            .collect();
        let folded = self.folded(server);
        // A file another file was folded into by an edit got that file's
        // whole document; the replay below does not model it, so its edits
        // are checked by the other invariants only.
        let targets = self.fold_targets(server);
        for Arrived { device, mutation_id, payload, result, .. } in held {
            if result.outcome == Outcome::Rejected || device.as_u128() == 0xbad {
                continue;
            }
            let Some(&(entity_id, base)) = made.get(mutation_id) else {
                self.fail(format!("no laptop made mutation {mutation_id}"));
            };
            // A twin folded into another file merges as an edit of that
            // file from base 0; its creation says nothing with empty fields.
            let (entity_id, base, folding) = match folded.get(&entity_id) {
                Some(into) => (*into, 0, payload["op"] == "create"),
                None => (entity_id, base, false),
            };
            if targets.contains(&entity_id) {
                continue;
            }
            for (field, value) in payload["fields"].as_object().unwrap() {
                let empty = value.is_null() || value.as_array().is_some_and(Vec::is_empty) || value == "";
                if field == "id" || (folding && empty) {
                    continue;
                }
                // Collections merge element by element (`check_elements`).
                if xuncha_sync::element::collection(xuncha_sync::EntityKind::Enterprise, field).is_some()
                    || xuncha_sync::element::collection(xuncha_sync::EntityKind::Park, field).is_some()
                {
                    continue;
                }
                let key = (entity_id, field.clone());
                let record = records.iter().find(|r| r.mutation_id == *mutation_id && r.field == *field);
                match latest.get(&key) {
                    Some((current, by, version)) if by != device && *version > base && current != value => {
                        let Some(r) = record else {
                            self.fail(format!(
                                "mutation {mutation_id} overwrote {field} of {entity_id} without a conflict record"
                            ));
                        };
                        if r.server_value != *current || r.device_value != *value {
                            self.fail(format!("conflict record {} does not hold both values", r.conflict_id));
                        }
                        if r.held {
                            continue;
                        }
                    }
                    _ => {
                        if record.is_some() {
                            self.fail(format!("mutation {mutation_id} has a conflict on {field} without an overlap"));
                        }
                        if latest.get(&key).is_some_and(|(current, _, _)| current == value) {
                            continue;
                        }
                    }
                }
                if let Some(version) = result.version {
                    latest.insert(key, (value.clone(), *device, version));
                }
            }
        }
    }
}

/// A mutation as the server holds it.
struct Arrived {
    device: Uuid,
    seq: i64,
    mutation_id: Uuid,
    payload: Value,
    payload_hash: String,
    result: MutationResult,
}

fn run(kind: Kind, seed: u64) {
    let mut world = World::new(kind, seed);
    for step in 0..STEPS {
        world.step(step);
    }
    world.heal();
    world.check();
}

/// Runs the seeds chosen by the environment: `XUNCHA_SIM_SEED` alone, or
/// the first `count_var` seeds (default `default`).
fn run_seeds(kind: Kind, count_var: &str, default: u64) {
    if let Ok(seed) = std::env::var("XUNCHA_SIM_SEED") {
        run(kind, seed.parse().expect("XUNCHA_SIM_SEED is a number"));
        return;
    }
    // A count (`500`: seeds 0 to 499) or a range (`500..5000`).
    let var = std::env::var(count_var).unwrap_or_default();
    let seeds = match var.split_once("..") {
        Some((from, to)) => from.parse().expect("a seed range: 500..5000")..to.parse().expect("a seed range"),
        None => 0..var.parse().unwrap_or(default),
    };
    for seed in seeds {
        run(kind, seed);
    }
}

#[test]
fn every_laptop_converges_with_nothing_lost_or_doubled_under_a_hostile_network() {
    run_seeds(Kind::Sqlite, "XUNCHA_SIM_SEEDS", 500);
}

/// The same simulation against PostgreSQL: fewer seeds by default, as
/// every step costs real round trips to the database.
#[test]
fn every_laptop_converges_on_postgresql_too() {
    run_seeds(Kind::Postgres, "XUNCHA_SIM_PG_SEEDS", 100);
}
