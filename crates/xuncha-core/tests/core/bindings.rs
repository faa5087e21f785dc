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

/// The forms offer every value of each choice: an `ALL` list that misses a
/// variant added later would leave it unselectable.
#[test]
fn every_choice_list_names_every_variant_of_its_type() {
    use ts_rs::TS;
    use xuncha_core::enterprise::*;
    fn variants<T: TS>() -> Vec<String> {
        let decl = T::decl(&ts_rs::Config::default());
        let union = decl.split_once('=').expect("a type alias").1.trim().trim_end_matches(';');
        let mut v: Vec<String> = union.split('|').map(|s| s.trim().trim_matches('"').to_string()).collect();
        v.sort();
        v
    }
    fn listed<T: serde::Serialize>(all: &[T]) -> Vec<String> {
        let mut v: Vec<String> =
            all.iter().map(|x| serde_json::to_value(x).unwrap().as_str().unwrap().to_string()).collect();
        v.sort();
        v
    }
    assert_eq!(variants::<EnterpriseStatus>(), listed(&EnterpriseStatus::ALL));
    assert_eq!(variants::<ManagementCategory>(), listed(&ManagementCategory::ALL));
    assert_eq!(variants::<Tier>(), listed(&Tier::ALL));
    assert_eq!(variants::<Acceptance>(), listed(&Acceptance::ALL));
    assert_eq!(variants::<PermitKind>(), listed(&PermitKind::ALL));
    assert_eq!(variants::<FacilityKind>(), listed(&FacilityKind::ALL));
    assert_eq!(variants::<OutletKind>(), listed(&OutletKind::ALL));
    use xuncha_core::inspection::FindingSeverity;
    assert_eq!(variants::<FindingSeverity>(), listed(&FindingSeverity::ALL));
    assert_eq!(variants::<Acceptance>().len(), 4, "the check reads the union: {:?}", variants::<Acceptance>());
}
