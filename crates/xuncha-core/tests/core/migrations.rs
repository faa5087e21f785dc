use xuncha_core::store::{sha256_hex, StoreError, MIGRATIONS};
use xuncha_core::Store;

use crate::common::env;

/// Every landed migration and the SHA-256 of its text. A landed migration
/// is never edited: add a new one, and a line here.
const LANDED: &[(&str, &str)] = &[
    ("20261122120000_park_and_enterprise_files", "9e425afaa14c19dde698d2ae1c38dc9f2f7adcd8023bd9b62c1a90aec2b4f35a"),
    ("20261122190000_sync_state", "ea91cb6157a1ff964017ab1cf7c1cfda63927ef34f8ebb895fb72b8b25987bdf"),
    ("20261122233000_blob_sync", "42998446a69833792552579ea7517471c701717ecec35a65fa47f7b2e2dc7d40"),
    ("20261123030000_reference_and_numbers", "26e4782174febeb296697c10388b03009c8b1cd4f40ffd464e23a9dcf151d4e7"),
    ("20261123090000_inspections", "ecaefd23552c37cdcda3c93da1fa910e50bc4c0f87a0daed0df496db467f3c18"),
    ("20261123120000_notices", "cdc5da899dc77ecbd3f90ad56f51a609671f02d5f0d9f801533846318f1f6992"),
    ("20261123140000_settings", "1cda6737d047e162bdf0762c84f956b349a909b9b2a427cf815ba778c2019a9a"),
    ("20261123160000_clue_transfers", "2837d2bb5cf6bd1f13d06e1460fcef29cbc3a40a7a957ab7541e526865e3c53e"),
    ("20261123180000_closed_loop", "b1c5f7e2c5d64f0eefa6a40c2ca5efdad17e6f1b828baa7d099009c4559efadf"),
    ("20261202120000_sync_with_people", "4a43ea00b49a569815bf3a13d692dc5d94816ae348e711c3162d63a571d81e1f"),
];

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

/// Builds a database of the first `upto` migrations holding the sample
/// parks: the sample is loaded by today's program into a current store,
/// then every row is copied into the old schema's tables, column by column
/// (migrations only add, so the old columns are a subset).
fn old_store_with_sample(dir: &std::path::Path, upto: usize) -> std::path::PathBuf {
    let path = dir.join("old.db");
    drop(Store::open_at(&path, env(7), upto).unwrap());
    if upto == 0 {
        return path;
    }
    let current_path = dir.join("current.db");
    let mut current = Store::open(&current_path, env(7)).unwrap();
    xuncha_core::sample::load_sample(&mut current).unwrap();
    drop(current);
    let old = rusqlite::Connection::open(&path).unwrap();
    old.execute("ATTACH DATABASE ?1 AS cur", [current_path.to_str().unwrap()]).unwrap();
    old.execute_batch("PRAGMA foreign_keys = OFF; BEGIN").unwrap();
    old.execute("DELETE FROM device", []).unwrap();
    let tables: Vec<String> = {
        let mut stmt = old
            .prepare("SELECT name FROM main.sqlite_master WHERE type = 'table' AND name <> 'schema_migration'")
            .unwrap();
        let rows = stmt.query_map([], |r| r.get(0)).unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    };
    for table in tables {
        let columns: Vec<String> = {
            let mut stmt = old.prepare(&format!("PRAGMA main.table_info({table})")).unwrap();
            let rows = stmt.query_map([], |r| r.get(1)).unwrap();
            rows.collect::<Result<_, _>>().unwrap()
        };
        let list = columns.join(", ");
        old.execute(&format!("INSERT INTO main.{table} ({list}) SELECT {list} FROM cur.{table}"), []).unwrap();
    }
    old.execute_batch("COMMIT").unwrap();
    path
}

#[test]
fn a_store_of_every_earlier_schema_upgrades_and_keeps_its_data() {
    for upto in 0..MIGRATIONS.len() {
        let dir = tempfile::tempdir().unwrap();
        let path = old_store_with_sample(dir.path(), upto);
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
