//! Photos and scans, stored by SHA-256 and written once.
//!
//! An upload arrives in chunks at stated offsets, so a laptop whose
//! connection dropped resumes where the server stopped rather than from
//! the start. Only when the last byte is in is the whole file hashed; a
//! file whose hash differs from its name is thrown away (a file of the
//! right size can still be wrong). The store is a trait so that an object
//! store can take the folder's place.
//!
//! Who may see a stored file is decided by the bureau ([`Sight`]): a caller
//! who may not see it is answered exactly as if it were absent, and an
//! upload of it runs to the last byte, so that knowing a hash never tells
//! anyone whether the server holds the file.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

/// The largest file taken (a scanned archive volume can be large).
pub const MAX_BLOB: u64 = 512 * 1024 * 1024;
/// The most unfinished upload bytes one device may leave on the server.
pub const MAX_UNFINISHED: u64 = 1024 * 1024 * 1024;
/// An unfinished upload untouched this long is thrown away.
pub const PARTIAL_LIFETIME: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("文件标识不是 64 位十六进制的 SHA-256 值")]
    BadName,
    #[error("上传位置不符：服务器已收到 {received} 字节")]
    Offset { received: u64 },
    #[error("文件大小 {total} 字节超过上限 {max} 字节", max = MAX_BLOB)]
    TooLarge { total: u64 },
    #[error("分块超出文件总长：总长 {total} 字节，分块止于 {end} 字节")]
    Overrun { total: u64, end: u64 },
    #[error("文件内容与校验值不符（传输中损坏），已丢弃，请重新上传")]
    Mismatch,
    #[error("本设备未传完的文件已达 {} MB 上限；请先传完已开始的文件（24 小时未续传的会被清除）", MAX_UNFINISHED / 1024 / 1024)]
    Quota,
    #[error("blob storage failed")]
    Io(#[from] io::Error),
}

/// Where an upload stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobState {
    /// Stored and verified, with its size.
    Stored(u64),
    /// Not complete: this many bytes are in (0 when none).
    Partial(u64),
}

/// Whether the caller may learn that a stored blob exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sight {
    Visible,
    /// Answered as if absent; an upload must send every byte.
    Hidden,
}

/// The SHA-256 names a record points at: every string anywhere in the
/// document that has the form of one. Record digests match too, which is
/// harmless: they name no file.
pub fn referenced(doc: &serde_json::Value) -> Vec<String> {
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) if valid_name(s) => out.push(s.clone()),
            serde_json::Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            serde_json::Value::Object(m) => m.values().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(doc, &mut out);
    out.sort();
    out.dedup();
    out
}

/// A stored blob: its size and a reader of its bytes.
pub type StoredBlob = (u64, Box<dyn Read + Send>);

/// One piece of an upload: `bytes` at `offset` of a file of `total` bytes.
#[derive(Debug, Clone, Copy)]
pub struct Chunk<'a> {
    pub offset: u64,
    pub total: u64,
    pub bytes: &'a [u8],
}

/// Who is uploading: each device's unfinished uploads are its own, counted
/// against its cap, and resumed only by it.
pub type Uploader = xuncha_domain::DeviceId;

pub trait Blobs: Send + Sync {
    /// Whether a blob is stored (when the caller may see it), or how much
    /// of it this uploader has sent.
    fn state(&self, sha256: &str, uploader: Uploader, sight: Sight) -> Result<BlobState, BlobError>;
    /// Appends a chunk; verifies and keeps the file when it is complete.
    /// Returns the new state.
    fn append(&self, sha256: &str, uploader: Uploader, sight: Sight, chunk: Chunk<'_>) -> Result<BlobState, BlobError>;
    /// The stored file, or `None`.
    fn open(&self, sha256: &str) -> Result<Option<StoredBlob>, BlobError>;
}

/// Blobs in a folder: `ab/cdef…` when stored, `partial/<device>/<hash>`
/// while an upload is under way.
pub struct BlobDir {
    root: PathBuf,
    /// One lock per hash being written, so two laptops uploading the same
    /// photo at once take turns.
    writing: Mutex<HashMap<String, Arc<Mutex<()>>>>,
}

/// Whether `sha256` names a blob: the domain's one spelling of a hash.
pub fn valid_name(sha256: &str) -> bool {
    sha256.parse::<xuncha_domain::Sha256>().is_ok()
}

impl BlobDir {
    pub fn new(root: impl Into<PathBuf>) -> BlobDir {
        BlobDir { root: root.into(), writing: Mutex::new(HashMap::new()) }
    }

    fn stored_path(&self, sha256: &str) -> PathBuf {
        self.root.join(&sha256[..2]).join(&sha256[2..])
    }

    fn partial_path(&self, sha256: &str, uploader: Uploader) -> PathBuf {
        self.root.join("partial").join(uploader.to_string()).join(sha256)
    }

    /// Throws away unfinished uploads untouched for [`PARTIAL_LIFETIME`],
    /// and returns how many unfinished bytes `uploader` still has.
    fn sweep(&self, uploader: Uploader) -> io::Result<u64> {
        let now = std::time::SystemTime::now();
        let mut own = 0;
        let devices = match fs::read_dir(self.root.join("partial")) {
            Ok(d) => d,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e),
        };
        for device in devices {
            let device = device?;
            if !device.file_type()?.is_dir() {
                // An upload begun before uploads were kept per device.
                let old = device.metadata()?.modified().ok().and_then(|m| now.duration_since(m).ok());
                if old.unwrap_or_default() > PARTIAL_LIFETIME {
                    let _ = fs::remove_file(device.path());
                }
                continue;
            }
            let mine = device.file_name() == uploader.to_string().as_str();
            for file in fs::read_dir(device.path())? {
                let file = file?;
                let meta = file.metadata()?;
                let age = meta.modified().ok().and_then(|m| now.duration_since(m).ok()).unwrap_or_default();
                if age > PARTIAL_LIFETIME {
                    let _ = fs::remove_file(file.path());
                } else if mine {
                    own += meta.len();
                }
            }
        }
        Ok(own)
    }

    fn lock(&self, sha256: &str) -> Arc<Mutex<()>> {
        let mut writing = self.writing.lock().unwrap_or_else(|p| p.into_inner());
        writing.retain(|_, lock| Arc::strong_count(lock) > 1);
        writing.entry(sha256.to_string()).or_default().clone()
    }
}

fn len_of(path: &Path) -> io::Result<Option<u64>> {
    match fs::metadata(path) {
        Ok(m) => Ok(Some(m.len())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Feeds the first `len` bytes of a file to `hasher`.
fn hash_prefix(path: &Path, len: u64, hasher: &mut Sha256) -> io::Result<()> {
    if len == 0 {
        return Ok(());
    }
    let mut file = File::open(path)?.take(len);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        hasher.update(&buf[..n]);
    }
}

impl Blobs for BlobDir {
    fn state(&self, sha256: &str, uploader: Uploader, sight: Sight) -> Result<BlobState, BlobError> {
        if !valid_name(sha256) {
            return Err(BlobError::BadName);
        }
        if sight == Sight::Visible {
            if let Some(size) = len_of(&self.stored_path(sha256))? {
                return Ok(BlobState::Stored(size));
            }
        }
        Ok(BlobState::Partial(len_of(&self.partial_path(sha256, uploader))?.unwrap_or(0)))
    }

    fn append(&self, sha256: &str, uploader: Uploader, sight: Sight, chunk: Chunk<'_>) -> Result<BlobState, BlobError> {
        let Chunk { offset, total, bytes } = chunk;
        if !valid_name(sha256) {
            return Err(BlobError::BadName);
        }
        if total > MAX_BLOB {
            return Err(BlobError::TooLarge { total });
        }
        // Both numbers come from the client: an offset near the top of the
        // range must not wrap around.
        let end = offset.saturating_add(bytes.len() as u64);
        if end > total {
            return Err(BlobError::Overrun { total, end });
        }
        let lock = self.lock(sha256);
        let _turn = lock.lock().unwrap_or_else(|p| p.into_inner());
        let state = self.state(sha256, uploader, sight)?;
        let received = match state {
            BlobState::Stored(_) => return Ok(state),
            BlobState::Partial(received) => received,
        };
        if offset != received {
            return Err(BlobError::Offset { received });
        }
        if end < total && self.sweep(uploader)? + bytes.len() as u64 > MAX_UNFINISHED {
            return Err(BlobError::Quota);
        }
        let partial = self.partial_path(sha256, uploader);
        fs::create_dir_all(partial.parent().expect("partial has a folder"))?;
        let mut file = OpenOptions::new().create(true).append(true).open(&partial)?;
        file.write_all(bytes)?;
        if end < total {
            return Ok(BlobState::Partial(end));
        }
        // The whole file's hash: what was on disk before this chunk, then
        // the chunk as received (a one-chunk photo is not read back).
        let mut hasher = Sha256::new();
        hash_prefix(&partial, offset, &mut hasher)?;
        hasher.update(bytes);
        if hex::encode(hasher.finalize()) != sha256 {
            drop(file);
            fs::remove_file(&partial)?;
            return Err(BlobError::Mismatch);
        }
        file.sync_all()?;
        drop(file);
        let stored = self.stored_path(sha256);
        if stored.exists() {
            // Held already, for someone this uploader may not know of: the
            // same bytes, proven by their hash; the original stays as it is.
            fs::remove_file(&partial)?;
            return Ok(BlobState::Stored(total));
        }
        let folder = stored.parent().expect("stored has a folder");
        let new_folder = !folder.exists();
        fs::create_dir_all(folder)?;
        fs::rename(&partial, &stored)?;
        File::open(folder)?.sync_all()?;
        if new_folder {
            // The new folder's own entry must survive a power cut too.
            File::open(&self.root)?.sync_all()?;
        }
        Ok(BlobState::Stored(total))
    }

    fn open(&self, sha256: &str) -> Result<Option<StoredBlob>, BlobError> {
        if !valid_name(sha256) {
            return Err(BlobError::BadName);
        }
        match File::open(self.stored_path(sha256)) {
            Ok(file) => Ok(Some((file.metadata()?.len(), Box::new(file)))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}
