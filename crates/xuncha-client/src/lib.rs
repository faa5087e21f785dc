//! The laptop's way to the bureau server: log in, keep the session outside
//! the database, and carry sync requests over HTTP(S).
//!
//! The session is kept outside the database ([`session`]), so a copied
//! database carries no credentials. An expired access token is refreshed
//! once and the request repeated; any failure without an answer is
//! reported as "no answer", because the server may have carried the
//! request out.

pub mod device_key;
pub mod session;

pub use device_key::{device_key, key_path};
pub use session::{logout, session_path, signed_in, SavedSession};

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::de::DeserializeOwned;
use uuid::Uuid;
use xuncha_core::api::{ApiError, ConflictItem, ErrorCode};
use xuncha_core::sync::{BlobOnServer, Transport, TransportError};
use xuncha_core::Store;
use xuncha_core::{DeviceId, ParkId, Sha256};
use xuncha_sync::{
    BlobUpload, ChallengeRequest, ConflictRecord, DeviceProof, ErrorBody, FullName, Hello, LeaseRequest,
    LoginChallenge, LoginRequest, NumberBlock, NumberSeries, PullPage, PullRequest, PushRequest, PushResponse,
    ReferenceDoc, ReferenceEntry, RefreshRequest, Resolve, Session, UPLOAD_LENGTH, UPLOAD_OFFSET,
};

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error("无法保存登录信息到 {path}：{source}")]
    SaveSession { path: PathBuf, source: std::io::Error },
    #[error("无法读取登录信息 {path}：{source}")]
    ReadSession { path: PathBuf, source: std::io::Error },
    #[error("登录信息文件 {path} 已损坏，请重新登录")]
    DamagedSession { path: PathBuf },
    #[error("无法从系统密钥环取出登录凭据（{0}），请重新登录")]
    Keyring(String),
    #[error("本机设备密钥文件 {path} 已损坏；请新建数据文件后重新登录，并请管理员批准这台新设备")]
    DamagedKey { path: PathBuf },
    #[error("本机设备密钥应在系统密钥环中，但无法取出（{0}）；请确认密钥环已解锁、数据文件未被移动，且未设置 XUNCHA_KEYRING=off")]
    KeyringKey(String),
    #[error("尚未登录同步服务器，请先运行 login")]
    NotLoggedIn,
    #[error("服务器地址“{0}”无效：请填写局服务器的网址，如 https://xuncha.example.gov.cn")]
    BadUrl(String),
}

impl From<ClientError> for ApiError {
    fn from(e: ClientError) -> Self {
        let code = match e {
            ClientError::Transport(t) => return t.into(),
            ClientError::NotLoggedIn | ClientError::DamagedSession { .. } | ClientError::Keyring(_) => {
                ErrorCode::SignedOut
            }
            ClientError::BadUrl(_) => ErrorCode::Invalid,
            ClientError::SaveSession { .. }
            | ClientError::ReadSession { .. }
            | ClientError::DamagedKey { .. }
            | ClientError::KeyringKey(_) => ErrorCode::File,
        };
        // The io cause is part of the message already.
        ApiError::new(code, e.to_string())
    }
}

/// This computer's name, shown to administrators in the device list.
pub fn device_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "巡查笔记本".to_string())
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new().timeout_connect(Duration::from_secs(10)).timeout(Duration::from_secs(120)).build()
}

/// The server's address as typed, made whole: a bare address is reached
/// over HTTPS, except this machine's own (the server allows plain HTTP only
/// there), and a trailing `/` is dropped.
pub fn server_url(typed: &str) -> Result<String, ClientError> {
    let server = typed.trim().trim_end_matches('/');
    if server.starts_with("http://") || server.starts_with("https://") {
        return Ok(server.to_string());
    }
    let host = match server.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => server.split(['/', ':']).next().unwrap_or_default(),
    };
    if server.is_empty() || server.contains("://") || server.contains(char::is_whitespace) || host.is_empty() {
        return Err(ClientError::BadUrl(server.to_string()));
    }
    let local = host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|a| a.is_loopback());
    Ok(format!("{}://{server}", if local { "http" } else { "https" }))
}

/// Turns a ureq failure into what the sync loop needs to know.
fn transport_error(e: ureq::Error) -> TransportError {
    match e {
        ureq::Error::Status(401, resp) => {
            let _ = resp.into_string();
            TransportError::Unauthorized
        }
        ureq::Error::Status(status, resp) => {
            let body = resp.into_json::<ErrorBody>().ok();
            match body {
                Some(ErrorBody { code, message }) if status < 500 => TransportError::Refused { code, message },
                Some(ErrorBody { message, .. }) => TransportError::NoAnswer(message),
                // Not the server's answer (a proxy's page, say).
                None => TransportError::NoAnswer(format!("HTTP {status}")),
            }
        }
        ureq::Error::Transport(t) => match t.kind() {
            ureq::ErrorKind::Dns | ureq::ErrorKind::ConnectionFailed | ureq::ErrorKind::InvalidUrl => {
                TransportError::Unreachable(t.to_string())
            }
            _ => TransportError::NoAnswer(t.to_string()),
        },
    }
}

fn read<T: DeserializeOwned>(resp: ureq::Response) -> Result<T, TransportError> {
    resp.into_json().map_err(|e| TransportError::NoAnswer(format!("答复无法读取：{e}")))
}

/// Logs in and saves the session next to the store. The login carries the
/// store's device key's signature of a fresh challenge from the server;
/// the key is made on the first login and kept (see [`device_key`]).
pub fn login(
    store_path: &Path,
    server: &str,
    user: &str,
    password: &str,
    device_id: DeviceId,
    device_name: &str,
) -> Result<SavedSession, ClientError> {
    let server = server_url(server)?;
    let key = device_key(store_path)?;
    let agent = agent();
    let LoginChallenge { challenge, .. } = read(
        agent
            .post(&format!("{server}/v1/login/challenge"))
            .send_json(ChallengeRequest { device_id })
            .map_err(transport_error)?,
    )?;
    let req = LoginRequest {
        user: user.to_string(),
        password: password.to_string(),
        device_id,
        device_name: device_name.to_string(),
        proof: Some(DeviceProof {
            public_key: key.public_key(),
            signature: key.sign_login(device_id, user, &challenge),
            challenge,
        }),
    };
    let session: Session = match agent.post(&format!("{server}/v1/login")).send_json(&req) {
        Ok(resp) => read(resp)?,
        // A refused password is an answer, not an expired login.
        Err(ureq::Error::Status(401, resp)) => {
            let message = resp.into_json::<ErrorBody>().map(|b| b.message).unwrap_or_default();
            return Err(TransportError::Refused { code: ErrorCode::SignedOut, message }.into());
        }
        Err(e) => return Err(transport_error(e).into()),
    };
    let saved = SavedSession { server, session };
    saved.save(&session_path(store_path))?;
    Ok(saved)
}

/// Logs the laptop of `store` in, under this computer's name: the one
/// login of the command line and the desktop app.
pub fn login_store(store: &Store, server: &str, user: &str, password: &str) -> Result<SavedSession, ClientError> {
    login(store.path(), server, user, password, store.device_id(), &device_name())
}

/// The conflicts of `parks` (every park on this laptop when `None`), named
/// from the laptop's records, as the conflicts screen and `xuncha
/// conflicts` list them; decided ones only with `decided`.
pub fn conflicts(store: &Store, parks: Option<Vec<ParkId>>, decided: bool) -> Result<Vec<ConflictItem>, ApiError> {
    let mut transport = HttpTransport::for_store(store.path())?;
    let parks = match parks {
        Some(p) => p,
        None => store.parks()?.into_iter().map(|p| p.id).collect(),
    };
    let mut listed = transport.conflicts(parks)?;
    listed.retain(|c| decided || c.resolution.is_none());
    Ok(store.conflict_items(listed)?)
}

/// Sets the name the signed-in user's records and papers carry (the
/// server keeps it for every laptop of the user); returns it as kept.
pub fn set_full_name(store_path: &Path, typed: &str) -> Result<String, ApiError> {
    Ok(HttpTransport::for_store(store_path)?.set_full_name(typed)?)
}

/// Sync requests over HTTP with the saved session.
pub struct HttpTransport {
    agent: ureq::Agent,
    saved: SavedSession,
    session_file: PathBuf,
    store_path: PathBuf,
}

impl HttpTransport {
    /// Uses the session saved for the store at `store_path`.
    pub fn for_store(store_path: &Path) -> Result<HttpTransport, ClientError> {
        let session_file = session_path(store_path);
        let saved = SavedSession::load(&session_file)?;
        Ok(HttpTransport { agent: agent(), saved, session_file, store_path: store_path.to_path_buf() })
    }

    pub fn server(&self) -> &str {
        &self.saved.server
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.saved.server)
    }

    /// Trades the refresh token for a new pair and saves it.
    fn refresh(&mut self) -> Result<(), TransportError> {
        // Without the key the server would refuse: sign in again.
        let key = device_key::stored_key(&self.store_path).ok().flatten().ok_or(TransportError::Unauthorized)?;
        let refresh_token = self.saved.session.refresh_token.clone();
        let req = RefreshRequest { signature: Some(key.sign_refresh(&refresh_token)), refresh_token };
        let session: Session =
            read(self.agent.post(&self.url("/v1/refresh")).send_json(&req).map_err(transport_error)?)?;
        self.saved.session = session;
        self.save()
    }

    fn save(&self) -> Result<(), TransportError> {
        self.saved
            .save(&self.session_file)
            .map(|_| ())
            .map_err(|e| TransportError::Refused { code: ErrorCode::File, message: xuncha_core::api::describe(&e) })
    }

    /// Sends a request, refreshing the access token once if it expired.
    fn send(
        &mut self,
        send: impl Fn(&ureq::Agent, &str, &str) -> Result<ureq::Response, TransportError>,
        path: &str,
    ) -> Result<ureq::Response, TransportError> {
        let url = self.url(path);
        let auth = format!("Bearer {}", self.saved.session.access_token);
        match send(&self.agent, &url, &auth) {
            Err(TransportError::Unauthorized) => {
                self.refresh()?;
                let auth = format!("Bearer {}", self.saved.session.access_token);
                send(&self.agent, &url, &auth)
            }
            other => other,
        }
    }

    /// [`Self::send`], then reads the JSON answer.
    fn call<T: DeserializeOwned>(
        &mut self,
        send: impl Fn(&ureq::Agent, &str, &str) -> Result<ureq::Response, TransportError>,
        path: &str,
    ) -> Result<T, TransportError> {
        read(self.send(send, path)?)
    }
}

impl HttpTransport {
    /// Sets the name the user's records carry, on the server and in the
    /// saved session; returns it as the server kept it.
    pub fn set_full_name(&mut self, typed: &str) -> Result<String, TransportError> {
        let req = FullName { full_name: typed.to_string() };
        let FullName { full_name } = self.call(
            |a, url, auth| a.put(url).set("Authorization", auth).send_json(&req).map_err(transport_error),
            "/v1/me/name",
        )?;
        self.saved.session.full_name = full_name.clone();
        self.save()?;
        Ok(full_name)
    }

    /// The conflicts of these parks, each park's oldest first: both
    /// values, and whether a supervisor still has to decide.
    pub fn conflicts(
        &mut self,
        parks: impl IntoIterator<Item = ParkId>,
    ) -> Result<Vec<ConflictRecord>, TransportError> {
        let mut all = Vec::new();
        for park in parks {
            all.extend(self.call::<Vec<ConflictRecord>>(
                |a, url, auth| a.get(url).set("Authorization", auth).call().map_err(transport_error),
                &format!("/v1/conflicts?park={park}"),
            )?);
        }
        Ok(all)
    }
}

/// A 404 is an answer for blobs ("not here"), not a failure.
fn found_or_not(result: Result<ureq::Response, ureq::Error>) -> Result<ureq::Response, TransportError> {
    match result {
        Err(ureq::Error::Status(404, resp)) => Ok(resp),
        other => other.map_err(transport_error),
    }
}

impl Transport for HttpTransport {
    fn hello(&mut self, _device_id: DeviceId) -> Result<Hello, TransportError> {
        self.call(
            |a, url, auth| a.get(url).set("Authorization", auth).call().map_err(transport_error),
            "/v1/sync/hello",
        )
    }

    fn push(&mut self, req: &PushRequest) -> Result<PushResponse, TransportError> {
        self.call(
            |a, url, auth| a.post(url).set("Authorization", auth).send_json(req).map_err(transport_error),
            "/v1/sync/push",
        )
    }

    fn pull(&mut self, req: &PullRequest) -> Result<PullPage, TransportError> {
        self.call(
            |a, url, auth| a.post(url).set("Authorization", auth).send_json(req).map_err(transport_error),
            "/v1/sync/pull",
        )
    }

    fn blob_state(&mut self, sha256: &Sha256) -> Result<BlobOnServer, TransportError> {
        let resp = self.send(
            |a, url, auth| found_or_not(a.head(url).set("Authorization", auth).call()),
            &format!("/v1/blobs/{sha256}"),
        )?;
        let received = resp.header(UPLOAD_OFFSET).and_then(|v| v.parse().ok()).unwrap_or(0);
        Ok(if resp.status() == 200 { BlobOnServer::Stored } else { BlobOnServer::Missing { received } })
    }

    fn upload_chunk(
        &mut self,
        sha256: &Sha256,
        offset: u64,
        total: u64,
        bytes: &[u8],
    ) -> Result<BlobUpload, TransportError> {
        self.call(
            |a, url, auth| {
                a.request("PATCH", url)
                    .set("Authorization", auth)
                    .set(UPLOAD_OFFSET, &offset.to_string())
                    .set(UPLOAD_LENGTH, &total.to_string())
                    .set("Content-Type", "application/octet-stream")
                    .send_bytes(bytes)
                    .map_err(transport_error)
            },
            &format!("/v1/blobs/{sha256}"),
        )
    }

    fn download(&mut self, sha256: &Sha256, into: &mut dyn Write) -> Result<bool, TransportError> {
        let resp = self.send(
            |a, url, auth| found_or_not(a.get(url).set("Authorization", auth).call()),
            &format!("/v1/blobs/{sha256}"),
        )?;
        if resp.status() == 404 {
            return Ok(false);
        }
        std::io::copy(&mut resp.into_reader(), into).map_err(|e| TransportError::NoAnswer(format!("下载中断：{e}")))?;
        Ok(true)
    }

    fn reference_index(&mut self) -> Result<Vec<ReferenceEntry>, TransportError> {
        self.call(|a, url, auth| a.get(url).set("Authorization", auth).call().map_err(transport_error), "/v1/reference")
    }

    fn reference_doc(&mut self, e: &ReferenceEntry) -> Result<ReferenceDoc, TransportError> {
        // Kinds and keys are lower-case letters, digits and underscores: nothing to escape.
        self.call(
            |a, url, auth| a.get(url).set("Authorization", auth).call().map_err(transport_error),
            &format!("/v1/reference/{}/{}/{}", e.kind, e.key, e.version),
        )
    }

    fn number_series(&mut self) -> Result<Vec<NumberSeries>, TransportError> {
        self.call(
            |a, url, auth| a.get(url).set("Authorization", auth).call().map_err(transport_error),
            "/v1/numbers/series",
        )
    }

    fn lease(&mut self, req: &LeaseRequest) -> Result<NumberBlock, TransportError> {
        self.call(
            |a, url, auth| a.post(url).set("Authorization", auth).send_json(req).map_err(transport_error),
            "/v1/numbers/lease",
        )
    }

    fn resolve(&mut self, conflict: Uuid, decision: &Resolve) -> Result<(), TransportError> {
        self.send(
            |a, url, auth| a.post(url).set("Authorization", auth).send_json(decision).map_err(transport_error),
            &format!("/v1/conflicts/{conflict}/resolve"),
        )?;
        Ok(())
    }
}
