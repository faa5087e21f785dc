//! Rules of the codebase that ARCHITECTURE.md states, checked over the
//! source tree so that a change breaking one fails the build: the shells
//! and the UI keep to their layers, SQL stays in the store modules, UI
//! text stays in the locale file, and a landed migration never changes.

use std::path::{Path, PathBuf};

use xuncha_core::store::sha256_hex;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// Files under `dir` (relative to the repository) whose names end in one of `exts`.
fn files(dir: &str, exts: &[&str]) -> Vec<PathBuf> {
    fn walk(dir: &Path, exts: &[&str], out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, exts, out);
            } else if exts.iter().any(|e| path.to_string_lossy().ends_with(e)) {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&root().join(dir), exts, &mut out);
    out.sort();
    out
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root()).unwrap().to_string_lossy().into_owned()
}

/// The text with comments blanked out (`//`, `/* */`, `<!-- -->`), line
/// numbers kept.
fn without_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let next = ["//", "/*", "<!--"].iter().filter_map(|m| rest.find(m).map(|i| (i, *m))).min();
        let Some((i, marker)) = next else {
            out.push_str(rest);
            break;
        };
        // `//` inside a URL is not a comment.
        if marker == "//" && rest[..i].ends_with(':') {
            out.push_str(&rest[..i + 2]);
            rest = &rest[i + 2..];
            continue;
        }
        out.push_str(&rest[..i]);
        let end = match marker {
            "//" => rest[i..].find('\n').map_or(rest.len(), |n| i + n),
            "/*" => rest[i..].find("*/").map_or(rest.len(), |n| i + n + 2),
            _ => rest[i..].find("-->").map_or(rest.len(), |n| i + n + 3),
        };
        out.extend(rest[i..end].chars().filter(|&c| c == '\n'));
        rest = &rest[end..];
    }
    out
}

fn violations(paths: &[PathBuf], bad: impl Fn(&str) -> bool) -> Vec<String> {
    let mut out = Vec::new();
    for path in paths {
        let text = without_comments(&std::fs::read_to_string(path).unwrap());
        for (n, line) in text.lines().enumerate() {
            if bad(line) {
                out.push(format!("{}:{}: {}", relative(path), n + 1, line.trim()));
            }
        }
    }
    out
}

#[test]
fn only_the_ipc_module_imports_tauri_in_the_ui() {
    let ui: Vec<PathBuf> =
        files("ui/src", &[".ts", ".vue"]).into_iter().filter(|p| !relative(p).starts_with("ui/src/ipc/")).collect();
    assert!(ui.len() > 10, "the UI sources are found");
    let found = violations(&ui, |l| l.contains("@tauri-apps/"));
    assert!(found.is_empty(), "only ui/src/ipc/ may import @tauri-apps:\n{}", found.join("\n"));
}

const SQL_CALLS: [&str; 7] =
    [".prepare(", ".prepare_cached(", "query_row(", "query_map(", ".execute(", "execute_batch(", ".query("];

#[test]
fn sql_lives_only_in_the_store_modules() {
    let core: Vec<PathBuf> = files("crates/xuncha-core/src", &[".rs"])
        .into_iter()
        .filter(|p| !relative(p).starts_with("crates/xuncha-core/src/store/"))
        .collect();
    let server: Vec<PathBuf> = files("crates/xuncha-server/src", &[".rs"])
        .into_iter()
        .filter(|p| !["sqlite.rs", "postgres.rs"].iter().any(|f| p.ends_with(f)))
        .collect();
    let shells = [files("crates/xuncha-cli/src", &[".rs"]), files("src-tauri/src", &[".rs"])].concat();
    let all = [core, server, shells].concat();
    let found = violations(&all, |l| SQL_CALLS.iter().any(|c| l.contains(c)) || l.contains("\"SELECT "));
    assert!(
        found.is_empty(),
        "SQL belongs in xuncha-core's store/ and the server's sqlite.rs and postgres.rs:\n{}",
        found.join("\n")
    );
}

fn has_han(line: &str) -> bool {
    line.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[test]
fn every_ui_text_is_in_the_locale_file() {
    let generated = ["ui/src/ipc/bindings.ts", "ui/src/ipc/checklists.ts"];
    let ui: Vec<PathBuf> = files("ui/src", &[".ts", ".vue"])
        .into_iter()
        .filter(|p| {
            let r = relative(p);
            !r.starts_with("ui/src/locales/") && !generated.contains(&r.as_str()) && !r.contains(".test.")
        })
        .collect();
    let found = violations(&ui, has_han);
    assert!(found.is_empty(), "Chinese text belongs in ui/src/locales/zh-CN.ts:\n{}", found.join("\n"));
}

/// Every landed server migration and the SHA-256 of its text. A landed
/// migration is never edited: add a new file, and a line here.
const SERVER_MIGRATIONS: &[(&str, &str)] = &[
    (
        "crates/xuncha-server/migrations/postgres/20261122230000_sync_and_people.sql",
        "c7a4e51c3ae6d92b4332e45235c86aad6b6ef4b797c8dc76bb85a62a4ceb2ec7",
    ),
    (
        "crates/xuncha-server/migrations/postgres/20261123030000_reference_and_numbers.sql",
        "db1eecf3642a8355d2cfce6479155b6660cd128b32cf1cb3dd63bbd0988a65e2",
    ),
    (
        "crates/xuncha-server/migrations/postgres/20261202200000_devices_and_logins.sql",
        "195890678425d7093378db5714519964df2bd656fb52116d3bec7703222d2798",
    ),
    (
        "crates/xuncha-server/migrations/postgres/20261202210000_audit.sql",
        "9a9ea1f4e7c854f1f489b8e121670e6d1e550ee653769e6aaf25d80bccf69429",
    ),
    (
        "crates/xuncha-server/migrations/postgres/20261203080000_blob_scope.sql",
        "2b4a538ed960b9dcbf5817e8661114f66a8b046582b414f824a118a4ac8d1fd7",
    ),
    (
        "crates/xuncha-server/migrations/postgres/20261203110000_device_keys.sql",
        "f0c3ec2d0f0713a1329167b600903f79b7eb07a6e61d54ff3b24c41b977ef3c1",
    ),
    (
        "crates/xuncha-server/migrations/postgres/20261206030000_person_name.sql",
        "183bafb8ce60334a66ff3f855027a80c34d5e6959a2a51eb612b4e096549a51d",
    ),
    (
        "crates/xuncha-server/migrations/sqlite/20261122190000_sync.sql",
        "b3e551961c2c60720854f34677f1f8f2fbdeec0e54f046c3a1474073ca809c5e",
    ),
    (
        "crates/xuncha-server/migrations/sqlite/20261122200000_people.sql",
        "7dc35af101cf61dbd91a2f08930b0806c1fbb1185bb2ef2273483b2c8c30bf3f",
    ),
    (
        "crates/xuncha-server/migrations/sqlite/20261123030000_reference_and_numbers.sql",
        "41b12f314e5b2161d08dca695eaedd0f96d65fae1e54148a66b0da989bcdef1c",
    ),
    (
        "crates/xuncha-server/migrations/sqlite/20261202200000_devices_and_logins.sql",
        "195890678425d7093378db5714519964df2bd656fb52116d3bec7703222d2798",
    ),
    (
        "crates/xuncha-server/migrations/sqlite/20261202210000_audit.sql",
        "1e25bab6b569f2282b232f5d54b75df16d35f75a3f00436c45a699d090fec415",
    ),
    (
        "crates/xuncha-server/migrations/sqlite/20261203080000_blob_scope.sql",
        "d5392bd68da28f5df59a7657dc407c7199f2b02f7eabc1bcbabff1a22107ba10",
    ),
    (
        "crates/xuncha-server/migrations/sqlite/20261203110000_device_keys.sql",
        "091f5efeba9824423b0a3120b73729d6e3336f4a6db516a06b28bf1584d68bfa",
    ),
    (
        "crates/xuncha-server/migrations/sqlite/20261206030000_person_name.sql",
        "183bafb8ce60334a66ff3f855027a80c34d5e6959a2a51eb612b4e096549a51d",
    ),
];

#[test]
fn landed_server_migrations_are_never_edited() {
    let found: Vec<(String, String)> = files("crates/xuncha-server/migrations", &[".sql"])
        .iter()
        .map(|p| (relative(p), sha256_hex(&std::fs::read(p).unwrap())))
        .collect();
    let listing = found.iter().map(|(p, s)| format!("    (\"{p}\", \"{s}\"),")).collect::<Vec<_>>().join("\n");
    for (path, sha) in SERVER_MIGRATIONS {
        let now = found.iter().find(|(p, _)| p == path);
        assert!(now.is_some(), "the landed migration {path} was removed");
        assert_eq!(now.unwrap().1, *sha, "the landed migration {path} was edited: add a new one instead");
    }
    assert_eq!(
        found.len(),
        SERVER_MIGRATIONS.len(),
        "a new migration: pin it in SERVER_MIGRATIONS; the files now are:\n{listing}"
    );
}

/// Every crate's and shell's source (`src/`: tests, benches and fuzzers aside).
fn rust_sources() -> Vec<PathBuf> {
    let mut dirs: Vec<String> = std::fs::read_dir(root().join("crates"))
        .unwrap()
        .map(|e| format!("crates/{}/src", e.unwrap().file_name().to_string_lossy()))
        .collect();
    dirs.push("src-tauri/src".into());
    dirs.iter().filter(|d| root().join(d).is_dir()).flat_map(|d| files(d, &[".rs"])).collect()
}

#[test]
fn errors_keep_their_causes_and_are_described_once() {
    let flattened = violations(&rust_sources(), |l| l.contains("map_err(|e| e.to_string())"));
    assert!(
        flattened.is_empty(),
        "an error's text without its causes; convert it to a typed error or use xuncha_sync::describe:\n{}",
        flattened.join("\n")
    );
    let describers = violations(&rust_sources(), |l| l.trim_start().starts_with("pub fn describe(e: &dyn"));
    let files: Vec<&str> = describers.iter().map(|v| v.split(':').next().unwrap()).collect();
    assert_eq!(files, ["crates/xuncha-sync/src/lib.rs"], "one error-chain function");
}

#[test]
fn every_window_command_runs_off_the_main_thread() {
    let mut blocking = Vec::new();
    for path in files("src-tauri/src", &[".rs"]) {
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (n, line) in lines.iter().enumerate() {
            if line.trim() == "#[tauri::command]" {
                let next = lines[n + 1..].iter().find(|l| !l.trim_start().starts_with("///")).unwrap_or(&"");
                if !next.trim_start().starts_with("pub async fn ") {
                    blocking.push(format!("{}:{}: {}", relative(&path), n + 2, next.trim()));
                }
            }
        }
    }
    assert!(blocking.is_empty(), "a synchronous command runs on the window's thread:\n{}", blocking.join("\n"));
}

/// The names in a manifest's `[dependencies]` table (not dev- or build-).
fn dependencies(manifest: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root().join(manifest)).unwrap();
    let mut names = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == "[dependencies]";
        } else if inside && !line.is_empty() && !line.starts_with('#') {
            names.push(line.split(['=', '.', ' ']).next().unwrap().to_string());
        }
    }
    names
}

#[test]
fn the_layers_depend_downwards_only() {
    let domain = dependencies("crates/xuncha-domain/Cargo.toml");
    assert!(domain.contains(&"serde".to_string()), "the manifest was read: {domain:?}");
    for lower in ["rusqlite", "xuncha-core", "xuncha-schema", "xuncha-photo", "calamine", "rust_xlsxwriter", "tauri"] {
        assert!(!domain.contains(&lower.to_string()), "the domain holds no storage, files or shell: {lower}");
    }
    let server = dependencies("crates/xuncha-server/Cargo.toml");
    assert!(server.contains(&"xuncha-domain".to_string()), "{server:?}");
    for laptop in ["xuncha-core", "xuncha-client", "xuncha-print", "xuncha-photo", "calamine", "rust_xlsxwriter"] {
        assert!(!server.contains(&laptop.to_string()), "the server stands on the domain, not the laptop's {laptop}");
    }
    // The store serves the window's API types, never the reverse.
    let store_uses_api = violations(&files("crates/xuncha-core/src/store", &[".rs"]), |l| l.contains("crate::api"));
    assert!(store_uses_api.is_empty(), "the store reaches up into api:\n{}", store_uses_api.join("\n"));
}

/// A record's links name the kind of record they point at, and file hashes
/// are `Sha256`: a field of the domain or of the wire that names a park, an
/// enterprise, an inspection, a finding, a photo, a notice, a case, a
/// transfer or a device is typed, and so is every file hash and digest of
/// the domain. (A child row of a file keeps its plain id; a sync entity id
/// names any kind; the wire's payload hashes are protocol checksums.)
#[test]
fn records_link_by_typed_ids_and_hashes() {
    const LINKS: &[&str] = &[
        "park_id",
        "parks",
        "enterprise_id",
        "merged_ids",
        "inspection_id",
        "corrects",
        "prev_id",
        "finding_id",
        "finding_ids",
        "photo_id",
        "notice_id",
        "case_id",
        "clue_transfer_id",
        "transfer_id",
        "device_id",
    ];
    // Struct fields, enum variant fields and parameters alike.
    let field = |line: &str| -> Option<(String, String)> {
        let line = line.trim();
        let (name, ty) = line.strip_prefix("pub ").unwrap_or(line).split_once(": ")?;
        Some((name.to_string(), ty.trim_end_matches(',').to_string()))
    };
    let sources: Vec<PathBuf> =
        [files("crates/xuncha-domain/src", &[".rs"]), files("crates/xuncha-sync/src", &[".rs"])].concat();
    let mut bare = violations(&sources, |line| {
        field(line).is_some_and(|(name, ty)| LINKS.contains(&name.as_str()) && ty.contains("Uuid"))
    });
    bare.extend(violations(&files("crates/xuncha-domain/src", &[".rs"]), |line| {
        field(line).is_some_and(|(name, ty)| {
            let hashes = name.ends_with("sha256") || name.ends_with("digest") || name == "photos";
            hashes && ty.contains("String")
        })
    }));
    assert!(bare.is_empty(), "untyped links:\n{}", bare.join("\n"));
    // The rule reads the fields it is about.
    let inspection = std::fs::read_to_string(root().join("crates/xuncha-domain/src/inspection.rs")).unwrap();
    assert!(
        inspection.contains("pub enterprise_id: EnterpriseId,") && inspection.contains("pub digest: Option<Sha256>,")
    );
}
