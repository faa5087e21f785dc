//! Content-addressed file storage for scans and photos.
//!
//! A file is copied into a temporary file while it is hashed, flushed to
//! disk, and only then renamed to its SHA-256 name; the database row that
//! refers to it is committed afterwards (sync-design.md, "Client"). A blob
//! is written once and never changed; many rows may refer to one blob.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use sha2::Digest;

use crate::id::Sha256;

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
    #[error("收到的文件与其校验值 {expected} 不符（传输中损坏），未保存")]
    Mismatch { expected: Sha256 },
    #[error("保存文件失败")]
    Write(#[from] io::Error),
}

/// A stored blob: its SHA-256 and size in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobRef {
    pub sha256: Sha256,
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
    pub fn path_of(&self, sha256: &Sha256) -> PathBuf {
        let hex = sha256.hex();
        self.root.join(&hex[..2]).join(&hex[2..])
    }

    /// Copies a file in, unless a blob with the same content is there already.
    pub fn put_file(&self, src: &Path) -> Result<BlobRef, BlobError> {
        let read_err = |source: io::Error| match source.kind() {
            io::ErrorKind::NotFound => BlobError::Missing { path: src.display().to_string() },
            _ => BlobError::Read { path: src.display().to_string(), source },
        };
        let mut input = File::open(src).map_err(read_err)?;
        let mut writer = self.writer()?;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = input.read(&mut buf).map_err(read_err)?;
            if n == 0 {
                break;
            }
            writer.write_all(&buf[..n])?;
        }
        if writer.size == 0 {
            return Err(BlobError::Empty { path: src.display().to_string() });
        }
        writer.finish(None)
    }

    /// A temporary file that hashes what is written to it; `finish` stores it.
    pub fn writer(&self) -> Result<BlobWriter<'_>, BlobError> {
        let tmp_dir = self.root.join("tmp");
        fs::create_dir_all(&tmp_dir)?;
        Ok(BlobWriter {
            store: self,
            tmp: tempfile::NamedTempFile::new_in(&tmp_dir)?,
            hasher: sha2::Sha256::new(),
            size: 0,
        })
    }

    /// The hashes of every stored blob.
    pub fn list(&self) -> Result<Vec<Sha256>, BlobError> {
        let mut out = Vec::new();
        let dirs = match fs::read_dir(&self.root) {
            Ok(dirs) => dirs,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(e.into()),
        };
        for dir in dirs {
            let dir = dir?;
            let prefix = dir.file_name().to_string_lossy().into_owned();
            // Only `ab/cdef…` names a blob; `tmp/` and strays are passed over.
            if prefix.len() != 2 || !dir.file_type()?.is_dir() {
                continue;
            }
            for file in fs::read_dir(dir.path())? {
                let rest = file?.file_name().to_string_lossy().into_owned();
                if let Ok(sha256) = format!("{prefix}{rest}").parse() {
                    out.push(sha256);
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// Deletes a stored blob; one already gone is no error.
    pub fn remove(&self, sha256: &Sha256) -> Result<(), BlobError> {
        match fs::remove_file(self.path_of(sha256)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }

    /// Whether the stored blob still has the content its name says.
    pub fn verify(&self, sha256: &Sha256) -> Result<bool, BlobError> {
        let path = self.path_of(sha256);
        let mut f = File::open(&path).map_err(|source| BlobError::Read { path: path.display().to_string(), source })?;
        let mut hasher = sha2::Sha256::new();
        io::copy(&mut f, &mut hasher)?;
        Ok(Sha256::from_hasher(hasher) == *sha256)
    }
}

/// A blob being written: hashed as it goes, stored under its hash by
/// [`BlobWriter::finish`], dropped without a trace otherwise.
pub struct BlobWriter<'s> {
    store: &'s BlobStore,
    tmp: tempfile::NamedTempFile,
    hasher: sha2::Sha256,
    size: u64,
}

impl Write for BlobWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.tmp.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tmp.flush()
    }
}

impl BlobWriter<'_> {
    /// Flushes the file to disk and renames it to its SHA-256 name (read
    /// only: evidence is never modified). With `expected`, a file whose
    /// hash differs is refused and nothing is stored.
    pub fn finish(self, expected: Option<Sha256>) -> Result<BlobRef, BlobError> {
        let sha256 = Sha256::from_hasher(self.hasher);
        if let Some(expected) = expected.filter(|e| *e != sha256) {
            return Err(BlobError::Mismatch { expected });
        }
        let dest = self.store.path_of(&sha256);
        if !dest.exists() {
            self.tmp.as_file().sync_all()?;
            let dir = dest.parent().expect("blob paths have a parent");
            fs::create_dir_all(dir)?;
            let file = self.tmp.persist(&dest).map_err(|e| e.error)?;
            let mut perms = file.metadata()?.permissions();
            perms.set_readonly(true);
            fs::set_permissions(&dest, perms)?;
            File::open(dir)?.sync_all()?;
        }
        Ok(BlobRef { sha256, size: self.size })
    }
}
