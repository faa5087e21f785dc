use std::path::Path;

use chrono::{TimeZone, Utc};
use serde_json::{Map, Value};
use uuid::Uuid;
use xuncha_core::sync::{SyncReport, Transport, TransportError};
use xuncha_core::{Enterprise, Env, Park, Store};
use xuncha_server::sqlite::Sqlite;
use xuncha_server::{Bureau, Principal, Role};
use xuncha_sync::{EntityKind, Hello, PullPage, PullRequest, PushRequest, PushResponse};

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

pub fn open_server(path: &Path, seed: u64) -> Bureau<Sqlite> {
    let backend = Sqlite::open(path, "2026-11-22T08:00:00Z").expect("server database opens");
    Bureau::new(backend, env(seed)).expect("server starts")
}

pub fn principal(device: Uuid, role: Role, parks: &[Uuid]) -> Principal {
    Principal { user_id: Uuid::from_u128(device.as_u128() ^ 1), device_id: device, role, parks: parks.to_vec() }
}

/// A document as the server stores it: the file without its local version.
pub fn doc_of<T: serde::Serialize>(file: &T) -> Map<String, Value> {
    let Value::Object(mut doc) = serde_json::to_value(file).unwrap() else { unreachable!() };
    doc.remove("version");
    doc
}

/// Puts a park with `n` enterprises on the server, as an administrator
/// would; returns the enterprise ids.
pub fn seed_park(server: &Bureau<Sqlite>, park: Uuid, name: &str, n: usize) -> Vec<Uuid> {
    server.put_document(EntityKind::Park, park, park, doc_of(&Park::new(park, name))).unwrap();
    (0..n)
        .map(|i| {
            let id = Uuid::from_u128(park.as_u128() + 1 + i as u128);
            let e = Enterprise::new(id, park, format!("{name}第{}号企业", i + 1));
            server.put_document(EntityKind::Enterprise, id, park, doc_of(&e)).unwrap();
            id
        })
        .collect()
}

/// A transport straight into a server in the same process.
pub struct Direct<'a> {
    pub server: &'a Bureau<Sqlite>,
    pub who: Principal,
}

fn refused(e: xuncha_server::ServerError) -> TransportError {
    TransportError::Refused(e.to_string())
}

impl Transport for Direct<'_> {
    fn hello(&mut self, device_id: Uuid) -> Result<Hello, TransportError> {
        assert_eq!(device_id, self.who.device_id, "a laptop says hello as itself");
        self.server.hello(&self.who).map_err(refused)
    }

    fn push(&mut self, req: &PushRequest) -> Result<PushResponse, TransportError> {
        self.server.push(&self.who, req).map_err(refused)
    }

    fn pull(&mut self, req: &PullRequest) -> Result<PullPage, TransportError> {
        self.server.pull(&self.who, req).map_err(refused)
    }
}

/// Syncs a laptop straight with a server.
pub fn sync(store: &mut Store, server: &Bureau<Sqlite>, who: &Principal) -> SyncReport {
    store.sync(&mut Direct { server, who: who.clone() }).expect("sync succeeds")
}

/// A laptop store in a real file.
pub fn laptop(dir: &Path, name: &str, seed: u64) -> Store {
    Store::open(dir.join(name), env(seed)).expect("laptop store opens")
}
