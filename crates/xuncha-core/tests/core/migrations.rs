use xuncha_core::store::{sha256_hex, StoreError, MIGRATIONS};
use xuncha_core::Store;

use crate::common::env;

/// Every landed migration and the SHA-256 of its text. A landed migration
/// is never edited: add a new one, and a line here.
const LANDED: &[(&str, &str)] =
    &[("20261122120000_park_and_enterprise_files", "9e425afaa14c19dde698d2ae1c38dc9f2f7adcd8023bd9b62c1a90aec2b4f35a")];

#[test]
fn landed_migrations_are_never_edited() {
    assert!(MIGRATIONS.len() >= LANDED.len(), "a landed migration was removed");
    for ((name, sha), m) in LANDED.iter().zip(MIGRATIONS) {
        assert_eq!(*name, m.name, "migrations must stay in their landed order");
        assert_eq!(*sha, sha256_hex(m.sql.as_bytes()), "migration {name} was edited after it landed");
    }
}

#[test]
fn migration_names_are_timestamped_and_in_order() {
    let mut previous = "";
    for m in MIGRATIONS {
        let (stamp, rest) = m.name.split_at(14);
        assert!(stamp.chars().all(|c| c.is_ascii_digit()), "{} must start with YYYYMMDDHHMMSS", m.name);
        assert!(rest.starts_with('_'), "{}", m.name);
        assert!(m.name > previous, "{} is out of order", m.name);
        previous = m.name;
    }
}

#[test]
fn a_store_of_every_earlier_schema_upgrades_and_keeps_its_data() {
    for upto in 0..MIGRATIONS.len() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let mut old = Store::open_at(&path, env(7), upto).unwrap();
            if upto > 0 {
                xuncha_core::sample::load_sample(&mut old).unwrap();
            }
        }
        let mut store = Store::open(&path, env(8)).unwrap();
        let applied: i64 = store.conn().query_row("SELECT COUNT(*) FROM schema_migration", [], |r| r.get(0)).unwrap();
        assert_eq!(applied as usize, MIGRATIONS.len(), "upgrading from schema {upto} applies every later migration");
        let loaded = xuncha_core::sample::load_sample(&mut store).unwrap();
        if upto > 0 {
            assert_eq!(loaded.changes, 0, "data written at schema {upto} is still there after the upgrade");
        }
        let ok: String = store.conn().query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(ok, "ok");
    }
}

#[test]
fn a_database_whose_migration_history_was_altered_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.db");
    drop(Store::open(&path, env(1)).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("UPDATE schema_migration SET sha256 = 'edited'", []).unwrap();
    drop(conn);
    match Store::open(&path, env(1)) {
        Err(StoreError::MigrationChanged { migration }) => assert_eq!(migration, MIGRATIONS[0].name),
        other => panic!("an altered history must be refused, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn a_database_from_a_newer_program_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.db");
    drop(Store::open(&path, env(1)).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("INSERT INTO schema_migration VALUES ('29991231000000_future', 'x', 'now')", []).unwrap();
    drop(conn);
    let err = Store::open(&path, env(1)).err().expect("must be refused");
    assert!(matches!(err, StoreError::SchemaTooNew { .. }));
    assert!(err.to_string().contains("请升级本程序"), "{err}");
}
