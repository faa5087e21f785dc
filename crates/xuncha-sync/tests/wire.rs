//! Golden tests that pin the wire format. A change here breaks laptops
//! already in the field: bump `PROTOCOL` and keep the old form readable
//! instead of editing a golden file.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;
use xuncha_sync::*;

fn golden<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(name: &str, value: &T) {
    let path = format!("{}/tests/golden/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = serde_json::to_string_pretty(value).unwrap() + "\n";
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let pinned = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e} (UPDATE_GOLDEN=1 writes it)"));
    assert_eq!(text, pinned, "the wire form of {name} changed");
    let back: T = serde_json::from_str(&pinned).unwrap();
    assert_eq!(&back, value, "{name} reads back as written");
}

fn id<I: From<Uuid>>(n: u128) -> I {
    I::from(Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0000 + n))
}

fn mutation() -> Mutation {
    let payload = json!({"op": "update", "fields": {"address": "祁东县归阳镇", "contacts": []}});
    Mutation {
        seq: 7,
        mutation_id: id(1),
        entity: EntityKind::Enterprise,
        entity_id: id(2),
        base_version: 3,
        payload_hash: payload_hash(&payload),
        payload,
        created_at: "2026-11-22T09:30:00+08:00".into(),
        receipt: None,
    }
}

fn result() -> MutationResult {
    MutationResult {
        seq: 7,
        mutation_id: id(1),
        outcome: Outcome::Held,
        version: None,
        conflicts: vec![FieldConflict {
            conflict_id: id(3),
            field: "name".into(),
            server_value: json!("湖南甲化工有限公司"),
            device_value: json!("湖南乙化工有限公司"),
            held: true,
        }],
        reason: None,
        receipt: "ab".repeat(32),
    }
}

#[test]
fn push_request_and_response() {
    golden("push_request", &PushRequest { protocol: PROTOCOL, device_id: id(9), mutations: vec![mutation()] });
    golden(
        "push_response",
        &PushResponse {
            epoch: id(10),
            results: vec![result()],
            stop: Some(PushStop::Gap { expected: 9 }),
            last_seq: 7,
            results_digest: chain_results("", &result()),
        },
    );
}

#[test]
fn hello_and_pull() {
    golden(
        "hello",
        &Hello {
            protocol: PROTOCOL,
            epoch: id(10),
            last_seq: 7,
            results_digest: String::new(),
            parks: vec![id(20)],
            head: 42,
            open_conflicts: 1,
            overwritten: 2,
        },
    );
    let older: Hello = serde_json::from_str(
        r#"{"protocol":1,"epoch":"0193a0c2-7d1e-7c3a-9f00-000000000001","last_seq":0,"results_digest":"","parks":[],"head":0}"#,
    )
    .unwrap();
    assert_eq!(older.open_conflicts, 0, "a hello from a server without the count reads as no conflicts");
    assert_eq!(older.overwritten, 0, "nor any overwritten value");
    golden("pull_request", &PullRequest { protocol: PROTOCOL, park_id: id(20), after: 40, limit: 1000 });
    golden(
        "pull_page",
        &PullPage {
            epoch: id(10),
            park_id: id(20),
            changes: vec![Change {
                change_no: 41,
                entity: EntityKind::Park,
                entity_id: id(20),
                park_id: id(20),
                version: 2,
                doc: json!({"id": id::<Uuid>(20), "name": "湖南祁东高新技术产业开发区"}),
            }],
            cursor: 41,
            more: false,
            restart: false,
        },
    );
}

#[test]
fn login_session_and_errors() {
    golden(
        "login_request",
        &LoginRequest {
            user: "zhang".into(),
            password: "******".into(),
            device_id: id(9),
            device_name: "巡查笔记本".into(),
            proof: Some(DeviceProof {
                public_key: "b".repeat(64),
                challenge: format!("{}.{}", id::<Uuid>(40), "c".repeat(64)),
                signature: "d".repeat(128),
            }),
        },
    );
    golden("challenge_request", &ChallengeRequest { device_id: id(9) });
    golden(
        "login_challenge",
        &LoginChallenge { challenge: format!("{}.{}", id::<Uuid>(40), "c".repeat(64)), expires_in: 300 },
    );
    golden("refresh_request", &RefreshRequest { refresh_token: "r".repeat(64), signature: Some("d".repeat(128)) });
    golden(
        "session",
        &Session {
            access_token: "a".repeat(64),
            access_expires_in: 900,
            refresh_token: "r".repeat(64),
            user_id: id(30),
            user_name: "zhang".into(),
            full_name: String::new(),
            role: "inspector".into(),
            parks: vec![id(20)],
        },
    );
    // A server that knows people's names sends one once it is set.
    golden(
        "session_named",
        &Session {
            access_token: "a".repeat(64),
            access_expires_in: 900,
            refresh_token: "r".repeat(64),
            user_id: id(30),
            user_name: "zhang".into(),
            full_name: "张伟".into(),
            role: "inspector".into(),
            parks: vec![id(20)],
        },
    );
    golden("full_name", &FullName { full_name: "张伟".into() });
    // Records carry the person's name, or the login name until one is set.
    let named: Session = serde_json::from_str(include_str!("golden/session_named.json")).unwrap();
    assert_eq!(named.person(), "张伟");
    let unnamed: Session = serde_json::from_str(include_str!("golden/session.json")).unwrap();
    assert_eq!(unnamed.person(), "zhang");
    golden("blob_upload", &BlobUpload { received: 4_194_304, complete: false });
    golden(
        "error",
        &ErrorBody {
            code: ErrorCode::Forbidden, message: "您未被分配到该园区，不能读取其档案".into()
        },
    );
}

#[test]
fn the_payload_hash_is_sha256_of_sorted_compact_json() {
    let payload = json!({"op": "update", "fields": {"b": 1, "a": "地址"}});
    let canonical = r#"{"fields":{"a":"地址","b":1},"op":"update"}"#;
    assert_eq!(payload_hash(&payload), hex::encode(Sha256::digest(canonical.as_bytes())));
}

#[test]
fn the_result_chain_hashes_the_previous_link_then_the_result() {
    let r = result();
    let first = chain_results("", &r);
    let text = serde_json::to_string(&r).unwrap();
    assert_eq!(first, hex::encode(Sha256::digest(text.as_bytes())));
    let second = chain_results(&first, &r);
    assert_eq!(second, hex::encode(Sha256::digest(format!("{first}{text}").as_bytes())));
    let mut other = r.clone();
    other.outcome = Outcome::Applied;
    assert_ne!(chain_results("", &other), first, "a different result gives a different link");
}

#[test]
fn only_legal_and_risk_fields_wait_for_a_supervisor() {
    for field in ["name", "credit_code", "tier_override", "permits", "status"] {
        assert!(EntityKind::Enterprise.is_guarded(field), "{field}");
    }
    for field in ["address", "contacts", "industry", "latitude", "archive"] {
        assert!(!EntityKind::Enterprise.is_guarded(field), "{field}");
    }
}

#[test]
fn reference_data_and_number_blocks() {
    let entry = ReferenceEntry {
        kind: "checklist_template".into(),
        key: "enterprise_problems".into(),
        version: 2,
        title: "企业环境问题排查清单".into(),
        sha256: payload_hash(&json!({"items": []})),
        published_at: "2026-11-23T03:00:00+00:00".into(),
    };
    golden("reference_index", &vec![entry.clone()]);
    golden("reference_doc", &ReferenceDoc { entry, doc: json!({"items": []}) });
    golden(
        "number_series",
        &vec![NumberSeries {
            series: "notice".into(),
            prefix: "祁环改".into(),
            title: "生态环境问题整改通知书".into(),
        }],
    );
    golden(
        "lease_request",
        &LeaseRequest { protocol: PROTOCOL, request_id: id(30), series: "notice".into(), year: 2026, size: 20 },
    );
    golden(
        "number_block",
        &NumberBlock {
            block_id: id(31),
            series: "notice".into(),
            prefix: "祁环改".into(),
            year: 2026,
            first: 41,
            last: 60,
        },
    );
}

#[test]
fn error_codes_are_one_closed_set_on_the_wire() {
    let wire: Vec<String> =
        ErrorCode::ALL.iter().map(|c| serde_json::to_value(c).unwrap().as_str().unwrap().to_string()).collect();
    assert_eq!(
        wire,
        [
            "no_data_folder",
            "not_found",
            "invalid",
            "stale",
            "file",
            "signed_out",
            "offline",
            "forbidden",
            "throttled",
            "too_large",
            "upload_offset",
            "hash_mismatch",
            "internal",
            "refused"
        ]
    );
    for c in ErrorCode::ALL {
        assert_eq!(serde_json::to_value(c).unwrap(), json!(c.as_str()));
        assert_eq!(serde_json::from_value::<ErrorCode>(json!(c.as_str())).unwrap(), c);
    }
    // Servers from before the codes were shared, and newer servers.
    let body: ErrorBody = serde_json::from_str(r#"{"code":"bad_request","message":"m"}"#).unwrap();
    assert_eq!(body.code, ErrorCode::Invalid);
    let body: ErrorBody = serde_json::from_str(r#"{"code":"unauthorized","message":"m"}"#).unwrap();
    assert_eq!(body.code, ErrorCode::SignedOut);
    let body: ErrorBody = serde_json::from_str(r#"{"code":"quota_exceeded","message":"m"}"#).unwrap();
    assert_eq!(body.code, ErrorCode::Refused);
}
