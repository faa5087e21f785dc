//! The HTTP face of the server (`docs/openapi.yaml`): authenticate,
//! convert, call [`Bureau`] on the blocking pool, answer JSON. Every error
//! is `{code, message}` with the message in Chinese for the user.

use std::io::Read;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use uuid::Uuid;
use xuncha_domain::ParkId;
use xuncha_sync::{
    BlobUpload, ChallengeRequest, ErrorBody, ErrorCode, LoginRequest, PullRequest, PushRequest, RefreshRequest,
    Resolve, UPLOAD_LENGTH, UPLOAD_OFFSET,
};

use crate::backend::Backend;
use crate::blob::{BlobError, BlobState, Chunk};
use crate::{Bureau, Principal, ServerError};

/// The largest request body taken; a full push of 500 mutations is far
/// below it.
pub const MAX_BODY: usize = 16 * 1024 * 1024;

pub struct HttpError {
    status: StatusCode,
    code: ErrorCode,
    message: String,
    /// The server's offset in a blob upload, sent back on a mismatch.
    offset: Option<u64>,
    /// Seconds until a throttled caller may try again.
    retry_after: Option<i64>,
}

impl HttpError {
    /// An error answered with the HTTP status that goes with its code.
    fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        let status = match code {
            ErrorCode::Invalid => StatusCode::BAD_REQUEST,
            ErrorCode::SignedOut => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::UploadOffset => StatusCode::CONFLICT,
            ErrorCode::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::HashMismatch => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::Throttled => StatusCode::TOO_MANY_REQUESTS,
            // The laptop's own codes never come from the server.
            ErrorCode::NoDataFolder
            | ErrorCode::Stale
            | ErrorCode::File
            | ErrorCode::Offline
            | ErrorCode::Refused
            | ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        HttpError { status, code, message: message.into(), offset: None, retry_after: None }
    }
}

impl From<ServerError> for HttpError {
    fn from(e: ServerError) -> Self {
        let code = e.code();
        if code == ErrorCode::Internal {
            eprintln!("xuncha-server: internal error: {}", crate::describe(&e));
            return HttpError::new(code, "服务器内部错误，请联系管理员");
        }
        let mut answer = HttpError::new(code, e.to_string());
        match e {
            ServerError::Throttled { retry_after } => answer.retry_after = Some(retry_after),
            ServerError::Blob(BlobError::Offset { received }) => answer.offset = Some(received),
            _ => {}
        }
        answer
    }
}

impl From<JsonRejection> for HttpError {
    fn from(r: JsonRejection) -> Self {
        match r.status() {
            StatusCode::PAYLOAD_TOO_LARGE => HttpError::new(
                ErrorCode::TooLarge,
                format!("请求过大（上限 {} MB），请分批同步", MAX_BODY / 1024 / 1024),
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => HttpError {
                status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ..HttpError::new(ErrorCode::Invalid, "请求内容须为 JSON")
            },
            _ => HttpError::new(ErrorCode::Invalid, format!("请求内容无法读取：{}", r.body_text())),
        }
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(ErrorBody { code: self.code, message: self.message })).into_response();
        if let Some(offset) = self.offset {
            response.headers_mut().insert(UPLOAD_OFFSET, HeaderValue::from(offset));
        }
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

type Shared<B> = State<Arc<Bureau<B>>>;
type Reply<T> = Result<Json<T>, HttpError>;

/// Runs a server call on the blocking pool (storage is synchronous).
async fn blocking<B, T>(
    bureau: &Arc<Bureau<B>>,
    f: impl FnOnce(&Bureau<B>) -> Result<T, ServerError> + Send + 'static,
) -> Reply<T>
where
    B: Backend + 'static,
    T: Send + 'static,
{
    let bureau = bureau.clone();
    match tokio::task::spawn_blocking(move || f(&bureau)).await {
        Ok(result) => Ok(Json(result?)),
        Err(join) => Err(ServerError::Damaged(format!("worker failed: {join}")).into()),
    }
}

fn body<T: DeserializeOwned>(body: Result<Json<T>, JsonRejection>) -> Result<T, HttpError> {
    Ok(body?.0)
}

async fn principal<B: Backend + 'static>(bureau: &Arc<Bureau<B>>, headers: &HeaderMap) -> Result<Principal, HttpError> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        // The scheme is case-insensitive (RFC 7235).
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_string())
        .ok_or_else(|| HttpError::new(ErrorCode::SignedOut, "请先登录"))?;
    Ok(blocking(bureau, move |b| b.principal(&token)).await?.0)
}

pub fn router<B: Backend + 'static>(bureau: Arc<Bureau<B>>) -> Router {
    Router::new()
        .route("/v1/health", get(health::<B>))
        .route("/v1/login/challenge", post(challenge::<B>))
        .route("/v1/login", post(login::<B>))
        .route("/v1/refresh", post(refresh::<B>))
        .route("/v1/me/name", put(name_self::<B>))
        .route("/v1/sync/hello", get(hello::<B>))
        .route("/v1/sync/push", post(push::<B>))
        .route("/v1/sync/pull", post(pull::<B>))
        .route("/v1/conflicts", get(conflicts::<B>))
        .route("/v1/conflicts/{id}/resolve", post(resolve::<B>))
        .route("/v1/reference", get(reference_index::<B>))
        .route("/v1/reference/{kind}/{key}/{version}", get(reference_doc::<B>))
        .route("/v1/numbers/series", get(number_series::<B>))
        .route("/v1/numbers/lease", post(lease::<B>))
        .route("/v1/blobs/{sha256}", get(download::<B>).head(blob_state::<B>).patch(upload::<B>))
        .fallback(|| async { HttpError::new(ErrorCode::NotFound, "没有这个接口") })
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(bureau)
}

#[derive(serde::Serialize)]
struct Health {
    status: &'static str,
    protocol: u32,
}

async fn health<B: Backend + 'static>(State(b): Shared<B>) -> Reply<Health> {
    // Answers only once the database answers.
    blocking(&b, |b| {
        b.backend().transaction(|tx| tx.head()).map(|_| Health { status: "ok", protocol: xuncha_sync::PROTOCOL })
    })
    .await
}

async fn challenge<B: Backend + 'static>(
    State(b): Shared<B>,
    req: Result<Json<ChallengeRequest>, JsonRejection>,
) -> Reply<xuncha_sync::LoginChallenge> {
    let req = body(req)?;
    Ok(Json(b.login_challenge(req.device_id)))
}

async fn login<B: Backend + 'static>(
    State(b): Shared<B>,
    extensions: axum::http::Extensions,
    headers: HeaderMap,
    req: Result<Json<LoginRequest>, JsonRejection>,
) -> Reply<xuncha_sync::Session> {
    let req = body(req)?;
    let source = source_address(&extensions, &headers);
    blocking(&b, move |b| b.login(&req, source)).await
}

/// The signed-in user sets the name their records carry.
async fn name_self<B: Backend + 'static>(
    State(b): Shared<B>,
    headers: HeaderMap,
    req: Result<Json<xuncha_sync::FullName>, JsonRejection>,
) -> Reply<xuncha_sync::FullName> {
    let who = principal(&b, &headers).await?;
    let req = body(req)?;
    blocking(&b, move |b| Ok(xuncha_sync::FullName { full_name: b.name_self(&who, &req.full_name)? })).await
}

/// The caller's address: the peer, or behind a proxy on this machine the
/// last address the proxy put in `X-Forwarded-For`.
fn source_address(extensions: &axum::http::Extensions, headers: &HeaderMap) -> Option<IpAddr> {
    let peer = extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())?;
    if !peer.is_loopback() {
        return Some(peer);
    }
    let forwarded = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()).and_then(|v| v.rsplit(',').next());
    Some(forwarded.and_then(|a| a.trim().parse().ok()).unwrap_or(peer))
}

async fn refresh<B: Backend + 'static>(
    State(b): Shared<B>,
    req: Result<Json<RefreshRequest>, JsonRejection>,
) -> Reply<xuncha_sync::Session> {
    let req = body(req)?;
    blocking(&b, move |b| b.refresh(&req)).await
}

async fn hello<B: Backend + 'static>(State(b): Shared<B>, headers: HeaderMap) -> Reply<xuncha_sync::Hello> {
    let who = principal(&b, &headers).await?;
    blocking(&b, move |b| b.hello(&who)).await
}

async fn push<B: Backend + 'static>(
    State(b): Shared<B>,
    headers: HeaderMap,
    req: Result<Json<PushRequest>, JsonRejection>,
) -> Reply<xuncha_sync::PushResponse> {
    let who = principal(&b, &headers).await?;
    let req = body(req)?;
    blocking(&b, move |b| b.push(&who, &req)).await
}

async fn pull<B: Backend + 'static>(
    State(b): Shared<B>,
    headers: HeaderMap,
    req: Result<Json<PullRequest>, JsonRejection>,
) -> Reply<xuncha_sync::PullPage> {
    let who = principal(&b, &headers).await?;
    let req = body(req)?;
    blocking(&b, move |b| b.pull(&who, &req)).await
}

#[derive(Deserialize)]
struct ConflictQuery {
    park: ParkId,
}

async fn conflicts<B: Backend + 'static>(
    State(b): Shared<B>,
    headers: HeaderMap,
    query: Result<Query<ConflictQuery>, axum::extract::rejection::QueryRejection>,
) -> Reply<Vec<xuncha_sync::ConflictRecord>> {
    let who = principal(&b, &headers).await?;
    let Query(q) = query.map_err(|r| HttpError::new(ErrorCode::Invalid, format!("参数错误：{}", r.body_text())))?;
    if !who.may_access(q.park) {
        return Err(ServerError::Forbidden("您未被分配到该园区".into()).into());
    }
    blocking(&b, move |b| b.conflicts(&who, &[q.park])).await
}

async fn resolve<B: Backend + 'static>(
    State(b): Shared<B>,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    req: Result<Json<Resolve>, JsonRejection>,
) -> Result<StatusCode, HttpError> {
    let who = principal(&b, &headers).await?;
    let req = body(req)?;
    let Json(()) = blocking(&b, move |b| b.resolve(&who, id, &req)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn reference_index<B: Backend + 'static>(
    State(b): Shared<B>,
    headers: HeaderMap,
) -> Reply<Vec<xuncha_sync::ReferenceEntry>> {
    let who = principal(&b, &headers).await?;
    blocking(&b, move |b| b.reference_index(&who)).await
}

async fn reference_doc<B: Backend + 'static>(
    State(b): Shared<B>,
    headers: HeaderMap,
    path: Result<Path<(String, String, i64)>, axum::extract::rejection::PathRejection>,
) -> Reply<xuncha_sync::ReferenceDoc> {
    let who = principal(&b, &headers).await?;
    let Path((kind, key, version)) =
        path.map_err(|r| HttpError::new(ErrorCode::Invalid, format!("地址错误：{}", r.body_text())))?;
    blocking(&b, move |b| b.reference_doc(&who, &kind, &key, version)).await
}

async fn number_series<B: Backend + 'static>(
    State(b): Shared<B>,
    headers: HeaderMap,
) -> Reply<Vec<xuncha_sync::NumberSeries>> {
    let who = principal(&b, &headers).await?;
    blocking(&b, move |b| b.number_series(&who)).await
}

async fn lease<B: Backend + 'static>(
    State(b): Shared<B>,
    headers: HeaderMap,
    req: Result<Json<xuncha_sync::LeaseRequest>, JsonRejection>,
) -> Reply<xuncha_sync::NumberBlock> {
    let who = principal(&b, &headers).await?;
    let req = body(req)?;
    blocking(&b, move |b| b.lease(&who, &req)).await
}

/// `HEAD`: 200 when the blob is stored, 404 when not (yet); either way
/// `Upload-Offset` says how many bytes the server holds.
async fn blob_state<B: Backend + 'static>(
    State(b): Shared<B>,
    headers: HeaderMap,
    Path(sha256): Path<String>,
) -> Result<Response, HttpError> {
    let who = principal(&b, &headers).await?;
    let Json(state) = blocking(&b, move |b| b.blob_state(&who, &sha256)).await?;
    let (status, offset) = match state {
        BlobState::Stored(size) => (StatusCode::OK, size),
        BlobState::Partial(received) => (StatusCode::NOT_FOUND, received),
    };
    Ok((status, [(UPLOAD_OFFSET, HeaderValue::from(offset))]).into_response())
}

fn number_header(headers: &HeaderMap, name: &str) -> Result<u64, HttpError> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| HttpError::new(ErrorCode::Invalid, format!("缺少或无法读取请求头 {name}（应为非负整数）")))
}

/// `PATCH`: one chunk at `Upload-Offset` of a file of `Upload-Length` bytes.
async fn upload<B: Backend + 'static>(
    State(b): Shared<B>,
    headers: HeaderMap,
    Path(sha256): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Reply<BlobUpload> {
    let who = principal(&b, &headers).await?;
    let offset = number_header(&headers, UPLOAD_OFFSET)?;
    let total = number_header(&headers, UPLOAD_LENGTH)?;
    let bytes = body.map_err(|r| match r.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            HttpError::new(ErrorCode::TooLarge, format!("分块过大（上限 {} MB）", MAX_BODY / 1024 / 1024))
        }
        _ => HttpError::new(ErrorCode::Invalid, format!("上传内容无法读取：{}", r.body_text())),
    })?;
    blocking(&b, move |b| {
        b.upload(&who, &sha256, Chunk { offset, total, bytes: &bytes }).map(|state| match state {
            BlobState::Stored(size) => BlobUpload { received: size, complete: true },
            BlobState::Partial(received) => BlobUpload { received, complete: false },
        })
    })
    .await
}

/// `GET`: the stored file, streamed from a blocking reader in 1 MB pieces.
async fn download<B: Backend + 'static>(
    State(b): Shared<B>,
    headers: HeaderMap,
    Path(sha256): Path<String>,
) -> Result<Response, HttpError> {
    let who = principal(&b, &headers).await?;
    let bureau = b.clone();
    let opened = tokio::task::spawn_blocking(move || bureau.blob(&who, &sha256))
        .await
        .map_err(|join| HttpError::from(ServerError::Damaged(format!("worker failed: {join}"))))?;
    let (size, reader) = opened?;
    let chunks = futures_util::stream::unfold(Some(reader), |reader| async move {
        let mut reader = reader?;
        let read = tokio::task::spawn_blocking(move || {
            let mut buf = vec![0u8; 1 << 20];
            let n = reader.read(&mut buf)?;
            buf.truncate(n);
            Ok::<_, std::io::Error>((reader, buf))
        })
        .await;
        match read {
            Ok(Ok((_, buf))) if buf.is_empty() => None,
            Ok(Ok((reader, buf))) => Some((Ok(Bytes::from(buf)), Some(reader))),
            Ok(Err(e)) => Some((Err(e), None)),
            Err(join) => Some((Err(std::io::Error::other(join)), None)),
        }
    });
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream")),
            (header::CONTENT_LENGTH, HeaderValue::from(size)),
        ],
        Body::from_stream(chunks),
    )
        .into_response())
}
