//! The server's HTTP handlers on whatever a signed-in laptop (or anyone)
//! might send: any route, headers and body, and pushes whose changes are
//! well-formed JSON with arbitrary kinds, ids, fields and values aimed at
//! the parks, enterprises and devices the server holds. Every request must
//! end in an answer below 500: a panic in a handler, an overflow or a
//! write the store cannot take is a defect.
#![no_main]

use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Method, Request as HttpRequest};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map, Value};
use tower::ServiceExt;
use uuid::Uuid;
use xuncha_server::backend::Database;
use xuncha_server::{Bureau, Role};

const PASSWORD: &str = "巡查-模糊-测试-2026a";

/// The field names the laptop's records use, so that changes reach the
/// server's rules rather than stopping at an unknown key.
const KEYS: &[&str] = &[
    "id", "park_id", "enterprise_id", "case_id", "name", "credit_code", "body", "kind", "files", "sha256",
    "file_name", "finding_id", "verdict", "device_id", "digest", "prev_id", "prev_digest", "signed_at",
    "photos", "signatures", "number", "notice_id", "inspection_id", "findings", "merged_into", "archive",
    "attachments", "recorded_at", "recorded_by", "seen", "clue_transfer_id", "on", "note", "by", "reason",
    "tier", "items", "results", "plan_due", "transfer_id", "series", "year", "seq", "aliases", "full_name",
];

const ENTITIES: &[&str] = &[
    "park", "enterprise", "inspection", "notice", "number_void", "clue_transfer", "case_event", "transfer_update",
];

struct Server {
    runtime: tokio::runtime::Runtime,
    router: axum::Router,
    token: String,
    device: xuncha_domain::DeviceId,
    /// Ids the server holds (parks, enterprises) and a few it does not.
    ids: Vec<Uuid>,
}

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("xuncha-fuzz-http-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let now = "2026-12-03T08:00:00Z";
        let backend = Database::Sqlite(xuncha_server::sqlite::Sqlite::open(dir.join("server.db"), now).unwrap());
        let blobs = xuncha_server::blob::BlobDir::new(dir.join("blobs"));
        let bureau = Bureau::new(backend, blobs, xuncha_domain::Env::system()).unwrap();
        let sample = xuncha_domain::sample::sample_data();
        bureau.import_files(&sample.parks).unwrap();
        let parks: Vec<xuncha_domain::ParkId> = sample.parks.iter().map(|p| p.park.id).collect();
        let mut ids: Vec<Uuid> = parks.iter().map(|p| p.uuid()).collect();
        ids.extend(sample.parks.iter().flat_map(|p| p.enterprises.iter().map(|e| e.id.uuid())).take(6));
        ids.extend([Uuid::nil(), Uuid::from_u128(1), Uuid::max()]);
        bureau.add_user("fuzz", None, Role::Steward, PASSWORD).unwrap();
        bureau.assign("fuzz", parks[0], true).unwrap();
        let device = xuncha_domain::DeviceId(Uuid::from_u128(0xf022));
        let key = xuncha_sync::device_key::DeviceKey::from_seed(&[0xf0; 32]);
        let challenge = bureau.login_challenge(device).challenge;
        let login = xuncha_sync::LoginRequest {
            user: "fuzz".into(),
            password: PASSWORD.into(),
            device_id: device,
            device_name: "模糊测试".into(),
            proof: Some(xuncha_sync::DeviceProof {
                public_key: key.public_key(),
                signature: key.sign_login(device, "fuzz", &challenge),
                challenge,
            }),
        };
        let token = bureau.login(&login, None).unwrap().access_token;
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let router = xuncha_server::http::router(std::sync::Arc::new(bureau));
        Server { runtime, router, token, device, ids }
    })
}

#[derive(Arbitrary, Debug)]
struct Input {
    route: u8,
    signed_in: bool,
    path_tail: String,
    offset: String,
    length: String,
    body: Payload,
}

#[derive(Arbitrary, Debug)]
enum Payload {
    Raw(Vec<u8>),
    Push { device: u8, changes: Vec<Change> },
    Pull { park: u8, after: i64, limit: i64 },
}

#[derive(Arbitrary, Debug)]
struct Change {
    seq: i64,
    entity: u8,
    id: u8,
    base_version: i64,
    update: bool,
    fields: Vec<(Key, Val)>,
    receipt: Option<String>,
}

#[derive(Arbitrary, Debug)]
enum Key {
    Known(u8),
    Any(String),
}

#[derive(Arbitrary, Debug)]
enum Val {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    Id(u8),
    Hash(u8),
    List(Vec<Val>),
    Object(Vec<(Key, Val)>),
}

impl Key {
    fn name(&self) -> String {
        match self {
            Key::Known(i) => KEYS[*i as usize % KEYS.len()].to_string(),
            Key::Any(s) => s.clone(),
        }
    }
}

impl Val {
    fn json(&self, s: &Server, depth: u8) -> Value {
        match self {
            Val::Null => Value::Null,
            Val::Bool(b) => json!(b),
            Val::Int(i) => json!(i),
            Val::Float(f) => json!(f),
            Val::Text(t) => json!(t),
            Val::Id(i) => json!(pick(s, *i)),
            Val::Hash(i) => json!(format!("{:064x}", *i)),
            Val::List(items) if depth < 4 => Value::Array(items.iter().map(|v| v.json(s, depth + 1)).collect()),
            Val::Object(fields) if depth < 4 => Value::Object(object(s, fields, depth + 1)),
            Val::List(_) | Val::Object(_) => Value::Null,
        }
    }
}

fn object(s: &Server, fields: &[(Key, Val)], depth: u8) -> Map<String, Value> {
    fields.iter().map(|(k, v)| (k.name(), v.json(s, depth))).collect()
}

fn pick(s: &Server, i: u8) -> Uuid {
    s.ids[i as usize % s.ids.len()]
}

fn request(s: &Server, input: &Input) -> HttpRequest<Body> {
    let routes: &[(Method, &str)] = &[
        (Method::POST, "/v1/sync/push"),
        (Method::POST, "/v1/sync/pull"),
        (Method::GET, "/v1/sync/hello"),
        (Method::POST, "/v1/login/challenge"),
        (Method::POST, "/v1/login"),
        (Method::POST, "/v1/refresh"),
        (Method::PUT, "/v1/me/name"),
        (Method::GET, "/v1/conflicts"),
        (Method::POST, "/v1/conflicts/"),
        (Method::GET, "/v1/reference/"),
        (Method::GET, "/v1/numbers/series"),
        (Method::POST, "/v1/numbers/lease"),
        (Method::HEAD, "/v1/blobs/"),
        (Method::GET, "/v1/blobs/"),
        (Method::PATCH, "/v1/blobs/"),
    ];
    let (method, path) = &routes[input.route as usize % routes.len()];
    let mut uri = path.to_string();
    if path.ends_with('/') {
        uri.extend(input.path_tail.chars().filter(|c| c.is_ascii_graphic() && *c != '?' && *c != '#'));
    }
    let body = match &input.body {
        Payload::Raw(bytes) => bytes.clone(),
        Payload::Push { device, changes } => {
            let device = if *device == 0 { s.device.uuid() } else { pick(s, *device) };
            let mutations: Vec<Value> = changes
                .iter()
                .map(|c| {
                    let mut fields = object(s, &c.fields, 1);
                    fields.entry("id").or_insert_with(|| json!(pick(s, c.id)));
                    let op = if c.update { "update" } else { "create" };
                    let payload = json!({"op": op, "fields": fields});
                    json!({
                        "seq": c.seq, "mutation_id": Uuid::from_u128(c.seq as u128), "entity": ENTITIES[c.entity as usize % ENTITIES.len()],
                        "entity_id": pick(s, c.id), "base_version": c.base_version,
                        "payload_hash": xuncha_sync::payload_hash(&payload), "payload": payload,
                        "created_at": "2026-12-03T08:00:00Z", "receipt": c.receipt,
                    })
                })
                .collect();
            serde_json::to_vec(&json!({"protocol": 1, "device_id": device, "mutations": mutations})).unwrap()
        }
        Payload::Pull { park, after, limit } => {
            serde_json::to_vec(&json!({"protocol": 1, "park_id": pick(s, *park), "after": after, "limit": limit}))
                .unwrap()
        }
    };
    let mut req = HttpRequest::builder().method(method.clone()).uri(uri);
    if input.signed_in {
        req = req.header("Authorization", format!("Bearer {}", s.token));
    }
    if !input.offset.is_empty() {
        req = req.header("Upload-Offset", input.offset.as_str());
    }
    if !input.length.is_empty() {
        req = req.header("Upload-Length", input.length.as_str());
    }
    req.header("Content-Type", "application/json").body(Body::from(body)).unwrap_or_else(|_| {
        HttpRequest::builder().method(Method::GET).uri("/v1/health").body(Body::empty()).unwrap()
    })
}

fuzz_target!(|input: Input| {
    let s = server();
    let req = request(s, &input);
    let resp = s.runtime.block_on(s.router.clone().oneshot(req)).unwrap();
    assert!(resp.status().as_u16() < 500, "{} for {input:?}", resp.status());
});
