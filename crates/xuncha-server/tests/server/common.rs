use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{TimeZone, Utc};
use serde_json::{Map, Value};
use uuid::Uuid;
use xuncha_core::sync::{BlobOnServer, SyncReport, Transport, TransportError};
use xuncha_core::{DeviceId, Enterprise, EnterpriseId, Env, Park, ParkId, Sha256, Store};
use xuncha_server::backend::Database;
use xuncha_server::blob::BlobState;
use xuncha_server::postgres::Postgres;
use xuncha_server::sqlite::Sqlite;
use xuncha_server::{Bureau, Principal, Role};
use xuncha_sync::{
    payload_hash, BlobUpload, EntityKind, Hello, LeaseRequest, Mutation, NumberBlock, NumberSeries, Outcome, PullPage,
    PullRequest, PushRequest, PushResponse, ReferenceDoc, ReferenceEntry, PROTOCOL,
};

pub fn env(seed: u64) -> Env {
    Env::fixed(Utc.with_ymd_and_hms(2026, 11, 22, 8, 0, 0).unwrap(), seed)
}

/// A scratch directory in memory-backed storage where there is some: the
/// simulation opens and fsyncs thousands of real SQLite files.
pub fn scratch() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        tempfile::tempdir_in(shm).expect("scratch dir")
    } else {
        tempfile::tempdir().expect("scratch dir")
    }
}

/// The two storage backends every client-server test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// Generates, for each named test function taking a [`Kind`], a module
/// with one test per backend (`name::sqlite`, `name::postgres`).
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn sqlite() {
                super::$name(crate::common::Kind::Sqlite)
            }
            #[test]
            fn postgres() {
                super::$name(crate::common::Kind::Postgres)
            }
        }
    )*};
}
pub(crate) use on_both_backends;

/// The PostgreSQL server tests make their databases on: the test command
/// starts one and sets `XUNCHA_TEST_DATABASE_URL`.
pub fn postgres_admin_url() -> String {
    std::env::var("XUNCHA_TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://xuncha:xuncha@127.0.0.1/xuncha".into())
}

fn admin_client() -> postgres::Client {
    let url = postgres_admin_url();
    postgres::Client::connect(&url, postgres::NoTls).unwrap_or_else(|e| {
        panic!("PostgreSQL at {url} is needed for the server tests (scripts/dev.sh test starts one): {e}")
    })
}

/// A server's storage for one test: a scratch folder (laptop files, the
/// SQLite database) and, for PostgreSQL, a database of its own, dropped
/// at the end.
pub struct ServerDb {
    pub kind: Kind,
    dir: tempfile::TempDir,
    database: String,
}

static DATABASES: AtomicUsize = AtomicUsize::new(0);

impl ServerDb {
    pub fn new(kind: Kind) -> ServerDb {
        let dir = scratch();
        let database = format!(
            "xuncha_test_{}_{}_{}",
            std::process::id(),
            DATABASES.fetch_add(1, Ordering::Relaxed),
            Utc::now().timestamp_micros()
        );
        if kind == Kind::Postgres {
            admin_client().batch_execute(&format!("CREATE DATABASE {database}")).expect("test database");
        }
        ServerDb { kind, dir, database }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn sqlite_path(&self) -> PathBuf {
        self.dir.path().join("server").join("server.db")
    }

    pub fn url(&self) -> String {
        let mut url = url_without_db(&postgres_admin_url());
        url.push_str(&self.database);
        url
    }

    /// Opens the server core on this storage (again, after a restart).
    pub fn open(&self, seed: u64) -> Bureau<Database> {
        let now = "2026-11-22T08:00:00Z";
        let backend = match self.kind {
            Kind::Sqlite => {
                std::fs::create_dir_all(self.sqlite_path().parent().unwrap()).unwrap();
                Database::Sqlite(Sqlite::open(self.sqlite_path(), now).expect("server database opens"))
            }
            Kind::Postgres => {
                Database::Postgres(Box::new(Postgres::open(&self.url(), 4, now).expect("server database opens")))
            }
        };
        let blobs = xuncha_server::blob::BlobDir::new(self.dir.path().join("server").join("blobs"));
        Bureau::new(backend, blobs, env(seed)).expect("server starts")
    }

    /// The `xuncha-server` options that select this storage.
    pub fn args(&self) -> Vec<OsString> {
        let mut args = vec![OsString::from("--data"), self.dir.path().join("server").into_os_string()];
        if self.kind == Kind::Postgres {
            args.push("--database-url".into());
            args.push(self.url().into());
        }
        args
    }

    /// Takes a backup (the server must be closed).
    pub fn backup(&self) {
        match self.kind {
            Kind::Sqlite => {
                std::fs::copy(self.sqlite_path(), self.dir.path().join("backup.db")).expect("backup");
            }
            Kind::Postgres => {
                let db = &self.database;
                copy_database(&format!("DROP DATABASE IF EXISTS {db}_backup"), &format!("{db}_backup"), db);
            }
        }
    }

    /// Puts the last backup back in place of the live data (the server
    /// must be closed).
    pub fn restore(&self) {
        match self.kind {
            Kind::Sqlite => {
                std::fs::copy(self.dir.path().join("backup.db"), self.sqlite_path()).expect("restore");
            }
            Kind::Postgres => {
                let db = &self.database;
                copy_database(&format!("DROP DATABASE {db} WITH (FORCE)"), db, &format!("{db}_backup"));
            }
        }
    }
}

/// A mutation as the server stored it: device, number, id, payload,
/// payload hash and result, the JSON as stored text.
pub type StoredRow = (Uuid, i64, Uuid, String, String, String);

impl ServerDb {
    /// Every mutation the server holds, in the order it took them, read
    /// straight from the database.
    pub fn stored_mutations(&self) -> Vec<StoredRow> {
        match self.kind {
            Kind::Sqlite => {
                let conn = rusqlite::Connection::open(self.sqlite_path()).unwrap();
                let mut stmt = conn
                    .prepare(
                        "SELECT device_id, seq, mutation_id, payload, payload_hash, result FROM mutation ORDER BY rowid",
                    )
                    .unwrap();
                let rows = stmt
                    .query_map([], |r| {
                        Ok((
                            Uuid::parse_str(&r.get::<_, String>(0)?).unwrap(),
                            r.get(1)?,
                            Uuid::parse_str(&r.get::<_, String>(2)?).unwrap(),
                            r.get(3)?,
                            r.get(4)?,
                            r.get(5)?,
                        ))
                    })
                    .unwrap();
                rows.collect::<Result<_, _>>().unwrap()
            }
            Kind::Postgres => {
                let mut client = postgres::Client::connect(&self.url(), postgres::NoTls).unwrap();
                client
                    .query(
                        "SELECT device_id, seq, mutation_id, payload, payload_hash, result FROM mutation ORDER BY arrival",
                        &[],
                    )
                    .unwrap()
                    .iter()
                    .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5)))
                    .collect()
            }
        }
    }
}

/// Runs `drop`, then creates `to` as a copy of `from`. PostgreSQL copies
/// only a database nobody is connected to, and a closed server's
/// connections take a moment to go.
fn copy_database(drop: &str, to: &str, from: &str) {
    let mut admin = admin_client();
    for attempt in 0.. {
        match admin.batch_execute(drop) {
            Ok(()) => break,
            Err(_) if attempt < 100 => std::thread::sleep(std::time::Duration::from_millis(20)),
            Err(e) => panic!("dropping before copying {from} to {to}: {e}"),
        }
    }
    for attempt in 0.. {
        match admin.batch_execute(&format!("CREATE DATABASE {to} TEMPLATE {from}")) {
            Ok(()) => return,
            Err(_) if attempt < 100 => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => panic!("copying database {from} to {to}: {e}"),
        }
    }
}

fn url_without_db(url: &str) -> String {
    let cut = url.rfind('/').expect("a database URL names its database");
    url[..=cut].to_string()
}

impl Drop for ServerDb {
    fn drop(&mut self) {
        if self.kind == Kind::Postgres {
            let db = &self.database;
            // One statement each: DROP DATABASE cannot run in a transaction block.
            let mut admin = admin_client();
            for name in [db.clone(), format!("{db}_backup")] {
                if let Err(e) = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")) {
                    eprintln!("could not drop test database {name}: {e}");
                }
            }
        }
    }
}

pub fn principal<P: Copy + Into<ParkId>>(device: impl Into<DeviceId>, role: Role, parks: &[P]) -> Principal {
    let device = device.into();
    let parks = parks.iter().map(|&p| p.into()).collect();
    Principal { user_id: Uuid::from_u128(device.uuid().as_u128() ^ 1), device_id: device, role, parks }
}

/// A document as the server stores it: the file without its local version.
pub fn doc_of<T: serde::Serialize>(file: &T) -> Map<String, Value> {
    let Value::Object(mut doc) = serde_json::to_value(file).unwrap() else { unreachable!() };
    doc.remove("version");
    doc
}

/// Puts a park with `n` enterprises on the server, as an administrator
/// would; returns the enterprise ids.
pub fn seed_park(server: &Bureau<Database>, park: impl Into<ParkId>, name: &str, n: usize) -> Vec<EnterpriseId> {
    let park = park.into();
    server.put_document(EntityKind::Park, park.uuid(), park, doc_of(&Park::new(park, name))).unwrap();
    (0..n)
        .map(|i| {
            let id = EnterpriseId(Uuid::from_u128(park.uuid().as_u128() + 1 + i as u128));
            let e = Enterprise::new(id, park, format!("{name}第{}号企业", i + 1));
            server.put_document(EntityKind::Enterprise, id.uuid(), park, doc_of(&e)).unwrap();
            id
        })
        .collect()
}

/// A transport straight into a server in the same process.
pub struct Direct<'a> {
    pub server: &'a Bureau<Database>,
    pub who: Principal,
}

fn refused(e: xuncha_server::ServerError) -> TransportError {
    TransportError::Refused { code: e.code(), message: e.to_string() }
}

/// The blob calls of a transport, straight into a server in this process.
pub fn blob_state(server: &Bureau<Database>, who: &Principal, sha256: &Sha256) -> Result<BlobOnServer, TransportError> {
    Ok(match server.blob_state(who, &sha256.hex()).map_err(refused)? {
        BlobState::Stored(_) => BlobOnServer::Stored,
        BlobState::Partial(received) => BlobOnServer::Missing { received },
    })
}

pub fn upload_chunk(
    server: &Bureau<Database>,
    who: &Principal,
    sha256: &Sha256,
    offset: u64,
    total: u64,
    bytes: &[u8],
) -> Result<BlobUpload, TransportError> {
    Ok(
        match server.upload(who, &sha256.hex(), xuncha_server::blob::Chunk { offset, total, bytes }).map_err(refused)? {
            BlobState::Stored(size) => BlobUpload { received: size, complete: true },
            BlobState::Partial(received) => BlobUpload { received, complete: false },
        },
    )
}

pub fn download(
    server: &Bureau<Database>,
    who: &Principal,
    sha256: &Sha256,
    into: &mut dyn std::io::Write,
) -> Result<bool, TransportError> {
    match server.blob(who, &sha256.hex()) {
        Ok((_, mut reader)) => {
            std::io::copy(&mut reader, into).map_err(|e| TransportError::NoAnswer(e.to_string()))?;
            Ok(true)
        }
        Err(xuncha_server::ServerError::NotFound(_)) => Ok(false),
        Err(e) => Err(refused(e)),
    }
}

impl Transport for Direct<'_> {
    fn blob_state(&mut self, sha256: &Sha256) -> Result<BlobOnServer, TransportError> {
        blob_state(self.server, &self.who, sha256)
    }

    fn upload_chunk(
        &mut self,
        sha256: &Sha256,
        offset: u64,
        total: u64,
        bytes: &[u8],
    ) -> Result<BlobUpload, TransportError> {
        upload_chunk(self.server, &self.who, sha256, offset, total, bytes)
    }

    fn download(&mut self, sha256: &Sha256, into: &mut dyn std::io::Write) -> Result<bool, TransportError> {
        download(self.server, &self.who, sha256, into)
    }

    fn hello(&mut self, device_id: DeviceId) -> Result<Hello, TransportError> {
        assert_eq!(device_id, self.who.device_id, "a laptop says hello as itself");
        self.server.hello(&self.who).map_err(refused)
    }

    fn push(&mut self, req: &PushRequest) -> Result<PushResponse, TransportError> {
        self.server.push(&self.who, req).map_err(refused)
    }

    fn pull(&mut self, req: &PullRequest) -> Result<PullPage, TransportError> {
        self.server.pull(&self.who, req).map_err(refused)
    }

    fn reference_index(&mut self) -> Result<Vec<ReferenceEntry>, TransportError> {
        self.server.reference_index(&self.who).map_err(refused)
    }

    fn reference_doc(&mut self, e: &ReferenceEntry) -> Result<ReferenceDoc, TransportError> {
        self.server.reference_doc(&self.who, &e.kind, &e.key, e.version).map_err(refused)
    }

    fn number_series(&mut self) -> Result<Vec<NumberSeries>, TransportError> {
        self.server.number_series(&self.who).map_err(refused)
    }

    fn lease(&mut self, req: &LeaseRequest) -> Result<NumberBlock, TransportError> {
        self.server.lease(&self.who, req).map_err(refused)
    }

    fn resolve(&mut self, conflict: Uuid, decision: &xuncha_sync::Resolve) -> Result<(), TransportError> {
        self.server.resolve(&self.who, conflict, decision).map_err(refused)
    }
}

/// Syncs a laptop straight with a server.
pub fn sync(store: &mut Store, server: &Bureau<Database>, who: &Principal) -> SyncReport {
    store.sync(&mut Direct { server, who: who.clone() }).expect("sync succeeds")
}

/// A laptop store in a real file, in a folder of its own (as on a real
/// laptop, its scans and photos live next to it).
pub fn laptop(dir: &Path, name: &str, seed: u64) -> Store {
    let own = dir.join(Path::new(name).file_stem().expect("a file name"));
    std::fs::create_dir_all(&own).expect("laptop folder");
    Store::open(own.join(name), env(seed)).expect("laptop store opens")
}

/// Pushes one mutation of `record` as `who`'s device, as a laptop (or a
/// tampered one) would; returns the outcome and the refusal's reason.
pub fn push_one(
    server: &Bureau<Database>,
    who: &Principal,
    seq: i64,
    op: &str,
    entity: EntityKind,
    id: impl Into<Uuid>,
    record: &Value,
) -> (Outcome, Option<String>) {
    let payload = serde_json::json!({"op": op, "fields": record});
    let m = Mutation {
        seq,
        mutation_id: Uuid::from_u128(who.device_id.uuid().as_u128() ^ (0xf000 + seq as u128)),
        entity,
        entity_id: id.into(),
        base_version: 0,
        payload_hash: payload_hash(&payload),
        payload,
        created_at: "2026-11-22T08:00:00Z".into(),
        receipt: None,
    };
    let resp =
        server.push(who, &PushRequest { protocol: PROTOCOL, device_id: who.device_id, mutations: vec![m] }).unwrap();
    (resp.results[0].outcome, resp.results[0].reason.clone())
}
