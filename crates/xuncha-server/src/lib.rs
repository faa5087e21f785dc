//! The bureau server: the authority every laptop syncs with.
//!
//! [`bureau`] holds the sync rules (push, pull, conflicts) written once
//! against the [`backend::Backend`] trait; [`sqlite`] is the embedded
//! backend and [`postgres`] the shared one. The HTTP layer only
//! authenticates and converts.

pub mod access;
pub mod audit;
pub mod auth;
pub mod backend;
pub mod blob;
pub mod bureau;
pub mod http;
mod judge;
mod merge;
mod natural;
pub mod postgres;
pub mod reference;
pub mod sqlite;

use uuid::Uuid;
use xuncha_domain::{DeviceId, ParkId};

pub use bureau::Bureau;

/// What can go wrong on the server. `BadRequest` and `Forbidden` carry a
/// message for the user, in Chinese.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("database error")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL error")]
    Postgres(#[from] ::postgres::Error),
    #[error(transparent)]
    Schema(#[from] xuncha_schema::MigrationError),
    #[error(transparent)]
    Blob(#[from] blob::BlobError),
    #[error("stored JSON is unreadable")]
    Json(#[from] serde_json::Error),
    #[error("stored data is damaged: {0}")]
    Damaged(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Unauthorized(String),
    /// Too many failed sign-ins: try again after this many seconds.
    #[error("登录失败次数过多，请 {} 后再试，或请管理员解锁", auth::wait_text(*retry_after))]
    Throttled { retry_after: i64 },
}

impl ServerError {
    /// The shared code this error answers with (over HTTP, and to the
    /// simulated laptops of the tests). Every variant is named, so a new
    /// one needs a decision here.
    pub fn code(&self) -> xuncha_sync::ErrorCode {
        use blob::BlobError;
        use xuncha_sync::ErrorCode;
        match self {
            ServerError::BadRequest(_) => ErrorCode::Invalid,
            ServerError::Forbidden(_) => ErrorCode::Forbidden,
            ServerError::NotFound(_) => ErrorCode::NotFound,
            ServerError::Unauthorized(_) => ErrorCode::SignedOut,
            ServerError::Throttled { .. } => ErrorCode::Throttled,
            ServerError::Blob(BlobError::Offset { .. }) => ErrorCode::UploadOffset,
            ServerError::Blob(BlobError::BadName | BlobError::Overrun { .. }) => ErrorCode::Invalid,
            ServerError::Blob(BlobError::TooLarge { .. } | BlobError::Quota) => ErrorCode::TooLarge,
            ServerError::Blob(BlobError::Mismatch) => ErrorCode::HashMismatch,
            ServerError::Blob(BlobError::Io(_))
            | ServerError::Sqlite(_)
            | ServerError::Postgres(_)
            | ServerError::Schema(_)
            | ServerError::Json(_)
            | ServerError::Damaged(_) => ErrorCode::Internal,
        }
    }
}

/// An error and its causes on one line, for logs and the operator's terminal.
pub use xuncha_sync::describe;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Inspector,
    Steward,
    Clerk,
    Supervisor,
    Admin,
}

/// An authenticated caller: a user on one registered device.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    pub user_id: Uuid,
    pub device_id: DeviceId,
    pub role: Role,
    /// The parks the user is assigned to now.
    pub parks: Vec<ParkId>,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Inspector, Role::Steward, Role::Clerk, Role::Supervisor, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Inspector => "inspector",
            Role::Steward => "steward",
            Role::Clerk => "clerk",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl Principal {
    pub fn may_access(&self, park: ParkId) -> bool {
        self.role == Role::Admin || self.parks.contains(&park)
    }
}
