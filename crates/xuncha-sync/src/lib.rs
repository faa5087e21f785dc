//! The sync protocol between laptops and the bureau server (see
//! `docs/sync-protocol.md` for the design and `docs/openapi.yaml` for the
//! HTTP form). This crate holds only what both sides must agree on: the
//! wire types, the canonical payload hash and the rules that classify
//! fields. It has no storage and no I/O, so the server, the laptop core and
//! the simulation all share exactly one definition.
//!
//! The server is the authority on order: it numbers every accepted change
//! (`change_no`, one global sequence) and every entity version. Laptop
//! clocks travel only as `created_at`, for display.

pub mod device_key;
pub mod element;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;
use xuncha_domain::{DeviceId, ParkId};

/// The protocol version; a server refuses requests of another major version.
pub const PROTOCOL: u32 = 1;

/// Most mutations one push may carry; larger batches are refused whole.
pub const MAX_PUSH: usize = 500;

/// Most changes one pull page returns.
pub const MAX_PAGE: usize = 1000;

/// The kinds of record that sync as field-level edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Park,
    Enterprise,
    /// A signed inspection with its results, findings, photos and
    /// signatures: insert-only (a correction is a new inspection).
    Inspection,
    /// An issued rectification notice with its document number: insert-only.
    Notice,
    /// A document number given up, with its reason: insert-only.
    NumberVoid,
    /// A violation clue handed to the bureau: insert-only.
    ClueTransfer,
    /// One event of a rectification case: insert-only; the server adds
    /// its verdict (place in the case's history, accepted or rejected).
    CaseEvent,
    /// News about a clue transfer (delivery, feedback, follow-up): insert-only.
    TransferUpdate,
}

impl EntityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Park => "park",
            EntityKind::Enterprise => "enterprise",
            EntityKind::Inspection => "inspection",
            EntityKind::Notice => "notice",
            EntityKind::NumberVoid => "number_void",
            EntityKind::ClueTransfer => "clue_transfer",
            EntityKind::CaseEvent => "case_event",
            EntityKind::TransferUpdate => "transfer_update",
        }
    }

    /// Kinds whose records are evidence: created once, never changed.
    pub fn is_insert_only(self) -> bool {
        matches!(
            self,
            EntityKind::Inspection
                | EntityKind::Notice
                | EntityKind::NumberVoid
                | EntityKind::ClueTransfer
                | EntityKind::CaseEvent
                | EntityKind::TransferUpdate
        )
    }

    pub fn parse(s: &str) -> Option<EntityKind> {
        match s {
            "park" => Some(EntityKind::Park),
            "enterprise" => Some(EntityKind::Enterprise),
            "inspection" => Some(EntityKind::Inspection),
            "notice" => Some(EntityKind::Notice),
            "number_void" => Some(EntityKind::NumberVoid),
            "clue_transfer" => Some(EntityKind::ClueTransfer),
            "case_event" => Some(EntityKind::CaseEvent),
            "transfer_update" => Some(EntityKind::TransferUpdate),
            _ => None,
        }
    }

    /// Fields with legal or risk weight: when two people changed one of
    /// them without seeing each other's edit, neither value is taken until
    /// a supervisor decides. Every other field takes the value that reached
    /// the server last and keeps the overwritten one in a conflict record.
    pub fn is_guarded(self, field: &str) -> bool {
        match self {
            EntityKind::Enterprise => matches!(
                field,
                "name"
                    | "credit_code"
                    | "legal_representative"
                    | "status"
                    | "management_category"
                    | "tier_override"
                    | "permit_held"
                    | "permits"
                    | "eia_approvals"
                    | "park_id"
            ),
            EntityKind::Park => matches!(field, "name" | "code" | "approvals" | "pollutants"),
            // Insert-only records: every field weighs.
            _ => true,
        }
    }
}

/// The integrity digest of a signed inspection: SHA-256 over a domain tag
/// and the canonical JSON of the record without its `digest` and its local
/// `version`. The record holds its predecessor's digest (`prev_digest`) and
/// its photos' and signatures' SHA-256, so the digest covers the files too
/// and each device's signed inspections form a chain: changing any field,
/// any photo or any earlier record breaks every later digest.
pub fn inspection_digest(record: &Value) -> xuncha_domain::Sha256 {
    let mut record = record.clone();
    if let Some(map) = record.as_object_mut() {
        map.remove("digest");
        map.remove("version");
    }
    let text = serde_json::to_string(&record).expect("a JSON value always serialises");
    let mut h = Sha256::new();
    h.update(b"xuncha-inspection-v1\n");
    h.update(text.as_bytes());
    xuncha_domain::Sha256::from_hasher(h)
}

/// The SHA-256 of a payload's canonical JSON text (keys sorted, no
/// whitespace), lower-case hex. Both sides compute it the same way, so a
/// payload damaged in transit, or a different payload under a number the
/// server already holds, is recognised.
pub fn payload_hash(payload: &Value) -> String {
    let text = serde_json::to_string(payload).expect("a JSON value always serialises");
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// The next link of a device's result chain: SHA-256 over the previous
/// link and the canonical JSON of the next result, in device order. Server
/// and laptop both keep it; when they disagree (a server restored from a
/// backup re-applied some mutations differently), the laptop asks for its
/// stored results again.
pub fn chain_results(previous: &str, result: &MutationResult) -> String {
    let text = serde_json::to_string(result).expect("a result always serialises");
    let mut h = Sha256::new();
    h.update(previous.as_bytes());
    h.update(text.as_bytes());
    hex::encode(h.finalize())
}

/// One laptop change, as the outbox recorded it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mutation {
    /// Dense per-device number: 1, 2, 3 ...
    pub seq: i64,
    pub mutation_id: Uuid,
    pub entity: EntityKind,
    pub entity_id: Uuid,
    /// The server version of the entity the user edited (0: never synced).
    pub base_version: i64,
    /// `{"op": "create"|"update", "fields": {name: value}}`.
    pub payload: Value,
    pub payload_hash: String,
    /// The laptop's clock at the edit; for display only.
    pub created_at: String,
    /// The server's receipt from an earlier acceptance, sent when the
    /// laptop sends the mutation again because the server lost it (a
    /// restore from backup). It lets the server take the mutation again
    /// even if the user's parks changed since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    pub protocol: u32,
    pub device_id: DeviceId,
    /// In device order, without gaps.
    pub mutations: Vec<Mutation>,
}

/// What the server did with one mutation. Final: the same mutation pushed
/// again always gets the same result back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MutationResult {
    pub seq: i64,
    pub mutation_id: Uuid,
    pub outcome: Outcome,
    /// The entity's server version after this mutation, if it changed it.
    pub version: Option<i64>,
    /// Fields that overlapped with someone else's edit.
    pub conflicts: Vec<FieldConflict>,
    /// Why a rejected mutation was refused, in Chinese for the user.
    pub reason: Option<String>,
    /// The server's keyed hash over the device, number, id and payload
    /// hash of an accepted mutation; empty for a rejected one.
    pub receipt: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every field was taken.
    Applied,
    /// Every field was taken; some overwrote an edit this device had not
    /// seen, kept in a conflict record.
    Merged,
    /// Some guarded fields wait for a supervisor; the rest were taken.
    Held,
    /// Refused by a business rule; nothing was taken.
    Rejected,
}

/// One field edited on two sides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldConflict {
    pub conflict_id: Uuid,
    pub field: String,
    /// The value on the server when the mutation arrived.
    pub server_value: Value,
    /// The value the mutation carried.
    pub device_value: Value,
    /// True when the field waits for a supervisor.
    pub held: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushResponse {
    pub epoch: Uuid,
    /// One result per mutation handled, in order; handling stops at the
    /// first gap or fork.
    pub results: Vec<MutationResult>,
    pub stop: Option<PushStop>,
    /// The highest device number the server holds after this push.
    pub last_seq: i64,
    /// The result chain ([`chain_results`]) up to `last_seq`.
    pub results_digest: String,
}

/// Why a push stopped before its end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PushStop {
    /// A number is missing: the server expects `expected` next.
    Gap { expected: i64 },
    /// The server holds a different mutation under this number (a cloned
    /// disk, or a laptop restored from an old copy). Nothing more is taken
    /// from this device until an administrator looks at it.
    Fork { seq: i64 },
}

/// The server's state as a laptop needs it before syncing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hello {
    pub protocol: u32,
    /// Made when the server's database was created. A laptop that knew
    /// another epoch is talking to a different (or rebuilt) server and
    /// sends everything again.
    pub epoch: Uuid,
    /// The highest device number the server holds for this device.
    pub last_seq: i64,
    /// The device's result chain up to `last_seq`.
    pub results_digest: String,
    /// The parks this user may read and write now.
    pub parks: Vec<ParkId>,
    /// The highest change number the server has given out.
    pub head: i64,
    /// Conflicts in these parks that wait for a supervisor's decision.
    /// Added in protocol 1 without a version change: older laptops ignore
    /// it, and an older server's hello reads as 0.
    #[serde(default)]
    pub open_conflicts: i64,
    /// Values in these parks that a later edit replaced (kept in their
    /// conflict records, listed on the conflicts screen). Added like
    /// `open_conflicts`: an older server's hello reads as 0.
    #[serde(default)]
    pub overwritten: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullRequest {
    pub protocol: u32,
    pub park_id: ParkId,
    /// The last change number applied; 0 for everything.
    pub after: i64,
    pub limit: usize,
}

/// An entity's whole state after one accepted change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub change_no: i64,
    pub entity: EntityKind,
    pub entity_id: Uuid,
    pub park_id: ParkId,
    pub version: i64,
    /// The entity's full document at `version`.
    pub doc: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullPage {
    pub epoch: Uuid,
    pub park_id: ParkId,
    /// Ascending by change number.
    pub changes: Vec<Change>,
    /// The cursor to store once these changes are applied.
    pub cursor: i64,
    /// True when more changes follow.
    pub more: bool,
    /// The server does not know the cursor sent: it was restored from an
    /// older backup, or is another server. Drop the park's cursor and pull
    /// it again from 0. The page carries no changes.
    pub restart: bool,
}

/// `POST /v1/login/challenge`: the first step of a login.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChallengeRequest {
    pub device_id: DeviceId,
}

/// A one-time text for the device key to sign, good for
/// `expires_in` seconds and for one login of the device it was made for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoginChallenge {
    pub challenge: String,
    pub expires_in: i64,
}

/// The second factor of a login: the device's public key and its
/// signature of the challenge (see [`device_key`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceProof {
    /// Ed25519, 64 hex digits.
    pub public_key: String,
    pub challenge: String,
    /// 128 hex digits.
    pub signature: String,
}

/// `POST /v1/login`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoginRequest {
    pub user: String,
    pub password: String,
    /// The laptop store's device id; tokens are bound to it.
    pub device_id: DeviceId,
    pub device_name: String,
    /// Required by the server; optional on the wire so that an old
    /// laptop's login is answered with a message rather than a parse error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof: Option<DeviceProof>,
}

/// `POST /v1/refresh`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefreshRequest {
    pub refresh_token: String,
    /// The device key's signature of the token spent (required by the
    /// server, optional on the wire like [`LoginRequest::proof`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

/// What a login or a refresh returns. The refresh token is good for one
/// use: each refresh returns a new pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub access_token: String,
    /// Seconds the access token stays valid.
    pub access_expires_in: i64,
    pub refresh_token: String,
    pub user_id: Uuid,
    /// The login name.
    pub user_name: String,
    /// The person's name as it goes on records and papers (张伟), set by
    /// an administrator or by the user; empty until set (and from older
    /// servers).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub full_name: String,
    /// inspector, steward, clerk, supervisor or admin.
    pub role: String,
    pub parks: Vec<ParkId>,
}

impl Session {
    /// The name that records and papers carry: the person's name, or the
    /// login name until one is set.
    pub fn person(&self) -> &str {
        if self.full_name.trim().is_empty() {
            &self.user_name
        } else {
            &self.full_name
        }
    }
}

/// `PUT /v1/me/name`: the signed-in user sets the name records carry.
/// The answer is the name as kept (trimmed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FullName {
    pub full_name: String,
}

/// `POST /v1/conflicts/{id}/resolve`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resolve {
    /// True to take the laptop's value, false to keep the server's.
    pub take_device_value: bool,
    /// Made when the supervisor decided, and sent with every repeat of the
    /// decision until it is answered: the server answers a repeat (a lost
    /// reply) as it answered the first. Older laptops send none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<Uuid>,
}

/// The answer to one uploaded chunk of a blob (`PATCH /v1/blobs/{sha256}`):
/// how many bytes the server now holds, and whether the file is complete
/// and verified against its SHA-256.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobUpload {
    pub received: u64,
    pub complete: bool,
}

/// Request headers of a chunk upload: where the chunk starts, and the
/// whole file's length. A 409 answer carries the server's offset in
/// `UPLOAD_OFFSET`, as does a 404 answer to `HEAD` for a partial upload.
pub const UPLOAD_OFFSET: &str = "upload-offset";
pub const UPLOAD_LENGTH: &str = "upload-length";
/// The chunk size laptops send.
pub const BLOB_CHUNK: usize = 4 * 1024 * 1024;

/// An error and its causes, as one line for the user: the one place an
/// error chain is joined.
pub fn describe(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        msg.push_str(&format!("：{s}"));
        source = s.source();
    }
    msg
}

/// The one closed set of error codes: the server's HTTP answers, the
/// desktop window's commands and the command line's `--json` errors all
/// carry one of these, and callers branch on it (never on a message or an
/// HTTP status alone). Users read the Chinese message that comes with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// No data folder has been chosen yet (the desktop app).
    NoDataFolder,
    /// The record or file asked for does not exist (or may not be seen).
    NotFound,
    /// Input failed its checks; the message (and, in the app, `problems`)
    /// says where. Servers before this code was shared said `bad_request`.
    #[serde(alias = "bad_request")]
    Invalid,
    /// Someone saved the record since it was opened.
    Stale,
    /// A local file could not be read or written.
    File,
    /// Not logged in, or the login expired: sign in again. Servers before
    /// this code was shared said `unauthorized`.
    #[serde(alias = "unauthorized")]
    SignedOut,
    /// The server could not be reached or did not answer; the work stays on
    /// the laptop and goes out with a later round.
    Offline,
    /// The server holds that this user or device may not do this.
    Forbidden,
    /// Too many failed attempts; try again later.
    Throttled,
    /// A request or file over its size limit.
    TooLarge,
    /// A blob chunk that does not start where the server stopped.
    UploadOffset,
    /// An uploaded file whose content does not match its SHA-256.
    HashMismatch,
    /// Anything else: a defect or a damaged store; the message says what.
    Internal,
    /// The server refused with a code this program does not know (a newer
    /// server); the message says why. Last, as serde's catch-all must be.
    #[serde(other)]
    Refused,
}

impl ErrorCode {
    /// Every code, in declaration order (for generated lists and tests).
    pub const ALL: [ErrorCode; 14] = [
        ErrorCode::NoDataFolder,
        ErrorCode::NotFound,
        ErrorCode::Invalid,
        ErrorCode::Stale,
        ErrorCode::File,
        ErrorCode::SignedOut,
        ErrorCode::Offline,
        ErrorCode::Forbidden,
        ErrorCode::Throttled,
        ErrorCode::TooLarge,
        ErrorCode::UploadOffset,
        ErrorCode::HashMismatch,
        ErrorCode::Internal,
        ErrorCode::Refused,
    ];

    /// The code as it appears on the wire (`not_found`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::NoDataFolder => "no_data_folder",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Invalid => "invalid",
            ErrorCode::Stale => "stale",
            ErrorCode::File => "file",
            ErrorCode::SignedOut => "signed_out",
            ErrorCode::Offline => "offline",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::Throttled => "throttled",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::UploadOffset => "upload_offset",
            ErrorCode::HashMismatch => "hash_mismatch",
            ErrorCode::Refused => "refused",
            ErrorCode::Internal => "internal",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every error the server answers with: a code the client branches on and
/// a message in Chinese for the user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
}

/// A conflict as the conflicts screen shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConflictRecord {
    pub conflict_id: Uuid,
    pub entity: EntityKind,
    pub entity_id: Uuid,
    pub park_id: ParkId,
    pub field: String,
    pub server_value: Value,
    pub device_value: Value,
    pub device_id: DeviceId,
    pub mutation_id: Uuid,
    pub held: bool,
    /// `None` while open; the value chosen once a supervisor decided (or,
    /// for unguarded fields, the value taken on arrival).
    pub resolution: Option<Value>,
}

/// One published version of a reference document (a checklist template,
/// …), as listed by `GET /v1/reference`. Reference data is written only by
/// the server and never changes once published: a new text is a new
/// version, and records keep the version they used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferenceEntry {
    /// What it is, e.g. `checklist_template`.
    pub kind: String,
    /// Which one, e.g. `enterprise_problems`.
    pub key: String,
    /// 1, 2, … per kind and key.
    pub version: i64,
    pub title: String,
    /// [`payload_hash`] of the document.
    pub sha256: String,
    pub published_at: String,
}

/// `GET /v1/reference/{kind}/{key}/{version}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferenceDoc {
    #[serde(flatten)]
    pub entry: ReferenceEntry,
    pub doc: Value,
}

/// A numbering series a user may lease numbers from (`GET
/// /v1/numbers/series`): one per kind of document and issuing office,
/// numbered from 1 each year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumberSeries {
    /// e.g. `notice`.
    pub series: String,
    /// The office's mark in the number, e.g. `祁环改` in `祁环改〔2026〕12号`.
    pub prefix: String,
    /// What the numbers are for, e.g. `生态环境问题整改通知书`.
    pub title: String,
}

/// The most numbers one lease may take.
pub const MAX_LEASE: i64 = 200;

/// `POST /v1/numbers/lease`. A repeated request (same `request_id`, after
/// a lost reply) gets the block it was given the first time, so no number
/// is skipped silently.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeaseRequest {
    pub protocol: u32,
    pub request_id: Uuid,
    pub series: String,
    pub year: i32,
    /// 1 to [`MAX_LEASE`].
    pub size: i64,
}

/// Numbers `first..=last` of a series and year, for this device alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumberBlock {
    pub block_id: Uuid,
    pub series: String,
    pub prefix: String,
    pub year: i32,
    pub first: i64,
    pub last: i64,
}
