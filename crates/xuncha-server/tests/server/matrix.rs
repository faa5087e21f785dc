//! Who may do what, over HTTP against the real server binary: every
//! endpoint and every kind of write, for every role, as a user of the
//! record's park, of another park, of no park, and on another user's
//! laptop. The expected answers are the table below, written by hand.

use std::collections::HashMap;

use serde_json::{json, Value};
use uuid::Uuid;
use xuncha_core::Store;

use super::http::{admin, approve, key_of, raw_login, sample_server, token, Server, PASSWORD};
use crate::common::*;

/// Every cell: what the server answers to that role, as a user of the
/// park the target belongs to (park 1), of another park, of no park, and
/// (for requests that name a device) as a user of park 1 naming a laptop
/// that belongs to someone else.
///
/// done: served, or the write applied. nothing: served, empty.
/// forbidden: HTTP 403. absent: HTTP 404, as for a file never stored.
/// refused: the push is answered, the write refused for who or where.
/// content: past the access rules, refused for what the made-up record says.
/// -: the request names no device.
const EXPECTED: &str = "
action          role        own        other      no-park    other-device
sign-in         inspector   done       done       done       forbidden
sign-in         steward     done       done       done       forbidden
sign-in         clerk       done       done       done       forbidden
sign-in         supervisor  done       done       done       forbidden
sign-in         admin       done       done       done       forbidden
hello           inspector   done       done       done       -
hello           steward     done       done       done       -
hello           clerk       done       done       done       -
hello           supervisor  done       done       done       -
hello           admin       done       done       done       -
pull            inspector   done       forbidden  forbidden  -
pull            steward     done       forbidden  forbidden  -
pull            clerk       done       forbidden  forbidden  -
pull            supervisor  done       forbidden  forbidden  -
pull            admin       done       done       done       -
conflicts       inspector   done       forbidden  forbidden  -
conflicts       steward     done       forbidden  forbidden  -
conflicts       clerk       done       forbidden  forbidden  -
conflicts       supervisor  done       forbidden  forbidden  -
conflicts       admin       done       done       done       -
read-file       inspector   done       absent     absent     -
read-file       steward     done       absent     absent     -
read-file       clerk       done       absent     absent     -
read-file       supervisor  done       absent     absent     -
read-file       admin       done       done       done       -
series          inspector   done       done       done       -
series          steward     nothing    nothing    nothing    -
series          clerk       done       done       done       -
series          supervisor  done       done       done       -
series          admin       done       done       done       -
lease           inspector   done       done       done       forbidden
lease           steward     forbidden  forbidden  forbidden  forbidden
lease           clerk       done       done       done       forbidden
lease           supervisor  done       done       done       forbidden
lease           admin       done       done       done       forbidden
decide          inspector   forbidden  forbidden  forbidden  -
decide          steward     forbidden  forbidden  forbidden  -
decide          clerk       forbidden  forbidden  forbidden  -
decide          supervisor  done       forbidden  forbidden  -
decide          admin       done       done       done       -
new-park        inspector   refused    refused    refused    forbidden
new-park        steward     refused    refused    refused    forbidden
new-park        clerk       refused    refused    refused    forbidden
new-park        supervisor  refused    refused    refused    forbidden
new-park        admin       done       done       done       forbidden
new-enterprise  inspector   done       refused    refused    forbidden
new-enterprise  steward     done       refused    refused    forbidden
new-enterprise  clerk       done       refused    refused    forbidden
new-enterprise  supervisor  done       refused    refused    forbidden
new-enterprise  admin       done       done       done       forbidden
edit-enterprise inspector   done       refused    refused    forbidden
edit-enterprise steward     done       refused    refused    forbidden
edit-enterprise clerk       done       refused    refused    forbidden
edit-enterprise supervisor  done       refused    refused    forbidden
edit-enterprise admin       done       done       done       forbidden
inspection      inspector   content    refused    refused    forbidden
inspection      steward     content    refused    refused    forbidden
inspection      clerk       content    refused    refused    forbidden
inspection      supervisor  content    refused    refused    forbidden
inspection      admin       content    content    content    forbidden
notice          inspector   content    refused    refused    forbidden
notice          steward     refused    refused    refused    forbidden
notice          clerk       content    refused    refused    forbidden
notice          supervisor  content    refused    refused    forbidden
notice          admin       content    content    content    forbidden
number-void     inspector   content    refused    refused    forbidden
number-void     steward     refused    refused    refused    forbidden
number-void     clerk       content    refused    refused    forbidden
number-void     supervisor  content    refused    refused    forbidden
number-void     admin       content    content    content    forbidden
open-case       inspector   done       refused    refused    forbidden
open-case       steward     done       refused    refused    forbidden
open-case       clerk       done       refused    refused    forbidden
open-case       supervisor  done       refused    refused    forbidden
open-case       admin       done       done       done       forbidden
step-case       inspector   done       refused    refused    forbidden
step-case       steward     done       refused    refused    forbidden
step-case       clerk       done       refused    refused    forbidden
step-case       supervisor  done       refused    refused    forbidden
step-case       admin       done       done       done       forbidden
transfer        inspector   done       refused    refused    forbidden
transfer        steward     done       refused    refused    forbidden
transfer        clerk       done       refused    refused    forbidden
transfer        supervisor  done       refused    refused    forbidden
transfer        admin       done       done       done       forbidden
transfer-news   inspector   done       refused    refused    forbidden
transfer-news   steward     done       refused    refused    forbidden
transfer-news   clerk       done       refused    refused    forbidden
transfer-news   supervisor  done       refused    refused    forbidden
transfer-news   admin       done       done       done       forbidden
";

const ROLES: [&str; 5] = ["inspector", "steward", "clerk", "supervisor", "admin"];
const SCOPES: [&str; 4] = ["own", "other", "no-park", "other-device"];

/// The words with which the server refuses a write for who or where.
const ACCESS_REASONS: [&str; 6] = ["未被分配", "属于另一园区", "只有管理员", "环保管家账号", "您的角色", "只有主管"];

/// A signed-in user of one role and scope, with their own laptop.
struct Actor {
    name: String,
    device: Uuid,
    token: String,
    /// The next change number this laptop sends.
    seq: i64,
}

/// What the cells act on: all of it in park 1, made by zhang.
struct World<'a> {
    server: &'a Server,
    parks: Vec<Uuid>,
    /// An enterprise of park 1 the cells edit and record against.
    enterprise: Uuid,
    /// zhang's laptop: "another user's device" for everyone else.
    zhang_device: Uuid,
    zhang_token: String,
    zhang_seq: i64,
    /// zhang's second laptop, whose stale edits make held conflicts.
    second_token: String,
    second_device: Uuid,
    second_seq: i64,
    /// The enterprise the conflicts are about, and its version.
    disputed: Uuid,
    disputed_version: i64,
    case: Uuid,
    transfer: Uuid,
    file: String,
    /// A lease request zhang made: another device's request.
    zhang_lease: Uuid,
    template_park: Value,
    made: u128,
}

fn call(req: ureq::Request, body: Option<Value>) -> (u16, Value) {
    let sent = match body {
        Some(b) => req.send_json(b),
        None => req.call(),
    };
    match sent {
        Ok(resp) => {
            let status = resp.status();
            let text = resp.into_string().unwrap();
            (status, serde_json::from_str(&text).unwrap_or(Value::Null))
        }
        Err(ureq::Error::Status(code, resp)) => (code, resp.into_json().unwrap_or(Value::Null)),
        Err(e) => panic!("the server answers: {e}"),
    }
}

fn authed(method: &str, server: &Server, path: &str, token: &str) -> ureq::Request {
    ureq::request(method, &format!("{}{path}", server.url)).set("Authorization", &format!("Bearer {token}"))
}

fn sign_in(server: &Server, user: &str, device: Uuid) -> (u16, Value) {
    raw_login(server, user, PASSWORD, device, "矩阵测试", &key_of(device))
}

/// Pushes one change; the HTTP status and the change's result.
#[allow(clippy::too_many_arguments)]
fn push(
    server: &Server,
    token: &str,
    device: Uuid,
    seq: i64,
    entity: &str,
    id: Value,
    op: &str,
    base: i64,
    fields: Value,
) -> (u16, Value) {
    let payload = json!({"op": op, "fields": fields});
    let body = json!({
        "protocol": 1, "device_id": device,
        "mutations": [{
            "seq": seq, "mutation_id": Uuid::from_u128(device.as_u128() ^ ((seq as u128) << 64)), "entity": entity, "entity_id": id, "base_version": base,
            "payload_hash": xuncha_sync::payload_hash(&payload), "payload": payload,
            "created_at": "2026-12-03T08:00:00Z"
        }]
    });
    let (code, answer) = call(authed("POST", server, "/v1/sync/push", token), Some(body));
    (code, answer["results"][0].clone())
}

fn write_answer(code: u16, result: &Value) -> &'static str {
    match code {
        200 => match result["outcome"].as_str() {
            Some("applied") | Some("merged") => "done",
            Some("rejected") => {
                let reason = result["reason"].as_str().unwrap_or_default();
                if ACCESS_REASONS.iter().any(|r| reason.contains(r)) {
                    "refused"
                } else {
                    "content"
                }
            }
            other => panic!("unexpected outcome {other:?}: {result}"),
        },
        403 => "forbidden",
        other => panic!("unexpected status {other}: {result}"),
    }
}

fn read_answer(code: u16) -> &'static str {
    match code {
        200 | 204 => "done",
        403 => "forbidden",
        404 => "absent",
        other => panic!("unexpected status {other}"),
    }
}

impl World<'_> {
    fn next_id(&mut self) -> Uuid {
        self.made += 1;
        Uuid::from_u128(0x6a70_0000_0000 + self.made)
    }

    /// A fresh held conflict in park 1: zhang's two laptops edit the same
    /// guarded field, the second from a stale version.
    fn held_conflict(&mut self) -> Uuid {
        self.made += 1;
        let name = format!("法人甲{}", self.made);
        let (code, r) = push(
            self.server,
            &self.zhang_token,
            self.zhang_device,
            self.zhang_seq,
            "enterprise",
            json!(self.disputed),
            "update",
            self.disputed_version,
            json!({"legal_representative": name}),
        );
        self.zhang_seq += 1;
        assert_eq!((code, r["outcome"].as_str()), (200, Some("applied")), "{r}");
        let stale = self.disputed_version;
        self.disputed_version = r["version"].as_i64().unwrap();
        let (code, r) = push(
            self.server,
            &self.second_token,
            self.second_device,
            self.second_seq,
            "enterprise",
            json!(self.disputed),
            "update",
            stale,
            json!({"legal_representative": format!("法人乙{}", self.made)}),
        );
        self.second_seq += 1;
        assert_eq!((code, r["outcome"].as_str()), (200, Some("held")), "{r}");
        Uuid::parse_str(r["conflicts"][0]["conflict_id"].as_str().unwrap()).unwrap()
    }

    fn case_event(&mut self, actor_device: Uuid, case: Uuid, body: Value) -> (Value, Value) {
        let id = self.next_id();
        let fields = json!({
            "id": id, "case_id": case, "park_id": self.parks[0], "enterprise_id": self.enterprise,
            "seen": null, "body": body, "recorded_by": "测试", "recorded_at": "2026-12-03T16:00:00+08:00",
            "device_id": actor_device, "verdict": null
        });
        (json!(id), fields)
    }

    /// What one cell's request gets.
    fn attempt(&mut self, action: &str, actor: &mut Actor, scope: &str) -> &'static str {
        let server = self.server;
        // On another user's laptop: the push names zhang's device.
        let (device, other_device) = match scope {
            "other-device" => (self.zhang_device, true),
            _ => (actor.device, false),
        };
        let (name, token, own_device) = (actor.name.clone(), actor.token.clone(), actor.device);
        let seq = &mut actor.seq;
        let mut write = |entity: &str, id: Value, op: &str, base: i64, fields: Value| {
            let (code, r) = push(server, &token, device, *seq, entity, id, op, base, fields);
            if code == 200 {
                *seq += 1;
            }
            write_answer(code, &r)
        };
        let park1 = self.parks[0];
        match action {
            "sign-in" => {
                let device = if other_device { self.zhang_device } else { own_device };
                read_answer(sign_in(server, &name, device).0)
            }
            "hello" => read_answer(call(authed("GET", server, "/v1/sync/hello", &token), None).0),
            "pull" => {
                let body = json!({"protocol": 1, "park_id": park1, "after": 0, "limit": 10});
                read_answer(call(authed("POST", server, "/v1/sync/pull", &token), Some(body)).0)
            }
            "conflicts" => {
                let path = format!("/v1/conflicts?park={park1}");
                read_answer(call(authed("GET", server, &path, &token), None).0)
            }
            "read-file" => {
                let path = format!("/v1/blobs/{}", self.file);
                let head = read_answer(call(authed("HEAD", server, &path, &token), None).0);
                let get = read_answer(call(authed("GET", server, &path, &token), None).0);
                assert_eq!(head, get, "HEAD and GET agree for {name}");
                get
            }
            "series" => {
                let (code, list) = call(authed("GET", server, "/v1/numbers/series", &token), None);
                match (code, list.as_array().map(Vec::len)) {
                    (200, Some(0)) => "nothing",
                    (code, _) => read_answer(code),
                }
            }
            "lease" => {
                let request = if other_device { self.zhang_lease } else { self.next_id() };
                let body = json!({"protocol": 1, "request_id": request, "series": "notice", "year": 2026, "size": 1});
                read_answer(call(authed("POST", server, "/v1/numbers/lease", &token), Some(body)).0)
            }
            "decide" => {
                let conflict = self.held_conflict();
                let path = format!("/v1/conflicts/{conflict}/resolve");
                let body = json!({"take_device_value": false, "request_id": self.next_id()});
                read_answer(call(authed("POST", server, &path, &token), Some(body)).0)
            }
            "new-park" => {
                let id = self.next_id();
                let mut park = self.template_park.clone();
                park["id"] = json!(id);
                park["name"] = json!(format!("矩阵新园区{id}"));
                park["code"] = Value::Null;
                write("park", json!(id), "create", 0, park)
            }
            "new-enterprise" => {
                let id = self.next_id();
                let e =
                    xuncha_core::Enterprise::new(id.into(), park1.into(), format!("矩阵测试企业{}有限公司", self.made));
                write("enterprise", json!(id), "create", 0, doc_value(&e))
            }
            "edit-enterprise" => {
                let address = format!("矩阵路{}号", self.next_id().as_u128() & 0xffff);
                let enterprise = self.enterprise;
                write("enterprise", json!(enterprise), "update", 1, json!({"address": address}))
            }
            "inspection" => {
                let id = self.next_id();
                let fields = json!({"id": id, "park_id": park1, "enterprise_id": self.enterprise,
                    "device_id": device, "state": "signed"});
                write("inspection", json!(id), "create", 0, fields)
            }
            "notice" => {
                let id = self.next_id();
                let fields = json!({"id": id, "park_id": park1, "enterprise_id": self.enterprise, "device_id": device});
                write("notice", json!(id), "create", 0, fields)
            }
            "number-void" => {
                let id = self.next_id();
                let fields = json!({"id": id, "park_id": park1, "device_id": device});
                write("number_void", json!(id), "create", 0, fields)
            }
            "open-case" => {
                let case = self.next_id();
                let opened = json!({"kind": "opened", "inspection_id": self.next_id(), "findings": []});
                let (id, fields) = self.case_event(device, case, opened);
                write("case_event", id, "create", 0, fields)
            }
            "step-case" => {
                let reviewed = json!({"kind": "reviewed", "by": "周主任", "note": name});
                let (id, fields) = self.case_event(device, self.case, reviewed);
                write("case_event", id, "create", 0, fields)
            }
            "transfer" => {
                let id = self.next_id();
                let fields = transfer_doc(id, park1, self.enterprise, device);
                write("clue_transfer", json!(id), "create", 0, fields)
            }
            "transfer-news" => {
                let id = self.next_id();
                let fields = json!({
                    "id": id, "transfer_id": self.transfer, "park_id": park1, "enterprise_id": self.enterprise,
                    "news": {"kind": "follow_up", "on": "2026-12-03", "note": name, "rectified": false},
                    "recorded_by": "测试", "recorded_at": "2026-12-03T16:00:00+08:00", "device_id": device
                });
                write("transfer_update", json!(id), "create", 0, fields)
            }
            other => panic!("no such action in the table: {other}"),
        }
    }
}

fn doc_value<T: serde::Serialize>(file: &T) -> Value {
    Value::Object(doc_of(file))
}

fn transfer_doc(id: Uuid, park: Uuid, enterprise: Uuid, device: Uuid) -> Value {
    let office = xuncha_core::clue_transfer::TransferOffice {
        city: "益阳市".into(),
        receiver: "益阳市生态环境局赫山分局".into(),
        sender_phrase: "我管委会".into(),
        issuer: "益阳高新区管委会".into(),
        sender_name: "王五".into(),
        sender_phone: "0737-1234567".into(),
    };
    doc_value(&xuncha_core::clue_transfer::ClueTransfer {
        id: id.into(),
        park_id: park.into(),
        enterprise_id: enterprise.into(),
        inspection_id: Uuid::from_u128(0x15).into(),
        finding_ids: Vec::new(),
        number: None,
        subject: None,
        description: "疑似私设暗管排放废水".into(),
        materials: vec!["现场照片".into()],
        receiver_name: String::new(),
        receiver_phone: String::new(),
        office,
        transferred_on: "2026-12-03".into(),
        created_at: "2026-12-03T08:00:00Z".into(),
        device_id: Some(device.into()),
    })
}

fn every_endpoint_and_write_answers_each_role_and_scope_as_the_table_says(kind: Kind) {
    let db = ServerDb::new(kind);
    let (server, parks) = sample_server(&db);
    admin(&db, &["series", "add", "notice", "--prefix", "祁环改", "--title", "生态环境问题整改通知书"]);
    let (zhang_token, zhang_device) = token(db.dir(), &server);
    let zhang_device = zhang_device.uuid();
    let parks: Vec<Uuid> = parks.iter().map(|p| p.uuid()).collect();
    let mut sample = Store::open(":memory:", env(3)).unwrap();
    xuncha_core::sample::load_sample(&mut sample).unwrap();
    let enterprises: Vec<Uuid> =
        sample.enterprise_ids(Some(parks[0].into())).unwrap().into_iter().map(Uuid::from).collect();
    let second_device = Uuid::from_u128(0x5ec0);
    // zhang's second laptop, approved by the administrator.
    let (code, pending) = sign_in(&server, "zhang", second_device);
    assert_eq!(code, 403, "{pending}");
    approve(&server, second_device);
    let (code, second) = sign_in(&server, "zhang", second_device);
    assert_eq!(code, 200, "{second}");
    let mut world = World {
        server: &server,
        parks: parks.clone(),
        enterprise: enterprises[0],
        zhang_device,
        zhang_token: zhang_token.clone(),
        zhang_seq: 1,
        second_token: second["access_token"].as_str().unwrap().to_string(),
        second_device,
        second_seq: 1,
        disputed: enterprises[1],
        disputed_version: 1,
        case: Uuid::from_u128(0xca5e),
        transfer: Uuid::from_u128(0x7a45),
        file: String::new(),
        zhang_lease: Uuid::from_u128(0x1ea5e),
        template_park: doc_value(&sample.park(parks[1].into()).unwrap().unwrap()),
        made: 0,
    };

    // What the cells act on, made by zhang in park 1.
    let opened = json!({"kind": "opened", "inspection_id": Uuid::from_u128(0x1), "findings": []});
    let (id, fields) = world.case_event(zhang_device, world.case, opened);
    let zhang_push = |world: &mut World, entity: &str, id: Value, fields: Value| {
        let (code, r) = push(&server, &zhang_token, zhang_device, world.zhang_seq, entity, id, "create", 0, fields);
        world.zhang_seq += 1;
        assert_eq!((code, r["outcome"].as_str()), (200, Some("applied")), "{r}");
    };
    zhang_push(&mut world, "case_event", id, fields);
    let photo = "整改后现场照片".repeat(500).into_bytes();
    world.file = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&photo));
    let uploaded = authed("PATCH", &server, &format!("/v1/blobs/{}", world.file), &zhang_token)
        .set("Upload-Offset", "0")
        .set("Upload-Length", &photo.len().to_string())
        .send_bytes(&photo)
        .unwrap();
    assert_eq!(uploaded.status(), 200);
    let plan = json!({"kind": "plan_received", "on": "2026-12-03", "note": "",
        "files": [{"sha256": world.file, "file_name": "方案.jpg", "finding_id": null}]});
    let (id, fields) = world.case_event(zhang_device, world.case, plan);
    zhang_push(&mut world, "case_event", id, fields);
    let transfer = transfer_doc(world.transfer, parks[0], world.enterprise, zhang_device);
    let transfer_id = json!(world.transfer);
    zhang_push(&mut world, "clue_transfer", transfer_id, transfer);
    let lease = json!({"protocol": 1, "request_id": world.zhang_lease, "series": "notice", "year": 2026, "size": 1});
    assert_eq!(call(authed("POST", &server, "/v1/numbers/lease", &zhang_token), Some(lease)).0, 200);

    // One user per role and scope, each on a laptop of their own.
    let mut actors: HashMap<(String, String), Actor> = HashMap::new();
    for (r, role) in ROLES.iter().enumerate() {
        for (s, scope) in SCOPES[..3].iter().enumerate() {
            let name = format!("{role}-{scope}");
            admin(&db, &["user", "add", &name, "--role", role]);
            match *scope {
                "own" => admin(&db, &["assign", &name, &parks[0].to_string()]),
                "other" => admin(&db, &["assign", &name, &parks[1].to_string()]),
                _ => String::new(),
            };
            let device = Uuid::from_u128(0xac70_0000 + (r * 10 + s) as u128);
            let (code, session) = sign_in(&server, &name, device);
            assert_eq!(code, 200, "{session}");
            let token = session["access_token"].as_str().unwrap().to_string();
            actors.insert((role.to_string(), scope.to_string()), Actor { name, device, token, seq: 1 });
        }
    }

    let mut wrong = Vec::new();
    let mut cells = 0;
    for line in EXPECTED.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with("action")) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let [action, role, answers @ ..] = cols.as_slice() else { panic!("bad table line: {line}") };
        assert_eq!(answers.len(), SCOPES.len(), "{line}");
        for (scope, expected) in SCOPES.iter().zip(answers) {
            if *expected == "-" {
                continue;
            }
            // Another user's device is tried by a user of park 1.
            let as_scope = if *scope == "other-device" { "own" } else { scope };
            let actor = actors.get_mut(&(role.to_string(), as_scope.to_string())).unwrap();
            let got = world.attempt(action, actor, scope);
            cells += 1;
            if got != *expected {
                wrong.push(format!("{action} / {role} / {scope}: expected {expected}, got {got}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{} of {cells} cells differ:\n{}", wrong.len(), wrong.join("\n"));
    assert!(cells > 300, "the table covers every cell: {cells}");
}

on_both_backends!(every_endpoint_and_write_answers_each_role_and_scope_as_the_table_says);
