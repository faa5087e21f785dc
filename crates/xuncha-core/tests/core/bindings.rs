use std::path::PathBuf;

/// Compares a generated file with its committed copy, or rewrites the copy
/// when `UPDATE_BINDINGS` is set.
fn check(file: &str, fresh: String) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/ipc").join(file);
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &fresh).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(committed == fresh, "ui/src/ipc/{file} is stale: run UPDATE_BINDINGS=1 cargo test -p xuncha-core bindings");
}

/// The committed TypeScript types match the Rust types.
#[test]
fn the_committed_typescript_bindings_are_up_to_date() {
    let fresh = xuncha_core::api::typescript_bindings();
    assert!(fresh.contains("export type Enterprise = {"), "the enterprise file crosses the boundary");
    check("bindings.ts", fresh);
}

/// The UI lists the same checklist items as the core.
#[test]
fn the_committed_checklists_are_up_to_date() {
    let fresh = xuncha_core::api::typescript_checklists();
    assert!(fresh.contains("\"排污口标志牌照片\""));
    check("checklists.ts", fresh);
}
