//! Content-addressed file storage for scans and photos.
//!
//! A file is copied into a temporary file while it is hashed, flushed to
//! disk, and only then renamed to its SHA-256 name; the database row that
//! refers to it is committed afterwards (sync-design.md, "Client"). A blob
//! is written once and never changed; many rows may refer to one blob.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("文件 {path} 不存在")]
    Missing { path: String },
    #[error("无法读取文件 {path}")]
    Read {
        path: String,
        #[source]
        source: io::Error,
    },
    #[error("文件 {path} 为空（0字节），未保存")]
    Empty { path: String },
    #[error("保存文件失败")]
    Write(#[from] io::Error),
}

/// A stored blob: its SHA-256 (hex) and size in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobRef {
    pub sha256: String,
    pub size: u64,
}

pub struct BlobStore {
    root: PathBuf,
}

impl BlobStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        BlobStore { root: root.into() }
    }

    /// Where the blob with this hash lives: `ab/cdef…` under the root.
    pub fn path_of(&self, sha256: &str) -> PathBuf {
        self.root.join(&sha256[..2]).join(&sha256[2..])
    }

    /// Copies a file in, unless a blob with the same content is there already.
    pub fn put_file(&self, src: &Path) -> Result<BlobRef, BlobError> {
        let read_err = |source: io::Error| match source.kind() {
            io::ErrorKind::NotFound => BlobError::Missing { path: src.display().to_string() },
            _ => BlobError::Read { path: src.display().to_string(), source },
        };
        let mut input = File::open(src).map_err(read_err)?;
        let tmp_dir = self.root.join("tmp");
        fs::create_dir_all(&tmp_dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(&tmp_dir)?;
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = input.read(&mut buf).map_err(read_err)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            tmp.write_all(&buf[..n])?;
            size += n as u64;
        }
        if size == 0 {
            return Err(BlobError::Empty { path: src.display().to_string() });
        }
        let sha256 = hex::encode(hasher.finalize());
        let dest = self.path_of(&sha256);
        if !dest.exists() {
            tmp.as_file().sync_all()?;
            let dir = dest.parent().expect("blob paths have a parent");
            fs::create_dir_all(dir)?;
            let file = tmp.persist(&dest).map_err(|e| e.error)?;
            // Evidence is never modified: the stored copy is read-only.
            let mut perms = file.metadata()?.permissions();
            perms.set_readonly(true);
            fs::set_permissions(&dest, perms)?;
            File::open(dir)?.sync_all()?;
        }
        Ok(BlobRef { sha256, size })
    }

    /// Whether the stored blob still has the content its name says.
    pub fn verify(&self, sha256: &str) -> Result<bool, BlobError> {
        let path = self.path_of(sha256);
        let mut f = File::open(&path).map_err(|source| BlobError::Read { path: path.display().to_string(), source })?;
        let mut hasher = Sha256::new();
        io::copy(&mut f, &mut hasher)?;
        Ok(hex::encode(hasher.finalize()) == sha256)
    }
}
