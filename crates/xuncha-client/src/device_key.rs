//! The laptop's device key: the Ed25519 key pair that makes the second
//! factor of every login and refresh.
//!
//! It is made at the first login of a store and then kept for the life of
//! the store; logging out does not touch it, because the server knows the
//! device by it. The private key goes into the operating system's keyring
//! when one answers, and the file `<store>.device-key` (owner-only) then
//! holds only the public key and says so; with no keyring the private key
//! stays in that file. When the file says the keyring holds the key and the
//! keyring does not answer, the login stops with a message instead of
//! making a new key the server would not know.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use xuncha_sync::device_key::DeviceKey;

use crate::session::keyring_entry;
use crate::ClientError;

/// The key file of a store.
pub fn key_path(store_path: &Path) -> PathBuf {
    let mut name = store_path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".device-key");
    store_path.with_file_name(name)
}

#[derive(Serialize, Deserialize)]
struct KeyFile {
    public_key: String,
    /// The PKCS#8 bytes in hex, unless the keyring holds them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pkcs8: Option<String>,
}

fn damaged(path: &Path) -> ClientError {
    ClientError::DamagedKey { path: path.into() }
}

fn decode(path: &Path, hex_text: &str) -> Result<DeviceKey, ClientError> {
    let bytes = hex::decode(hex_text.trim()).map_err(|_| damaged(path))?;
    DeviceKey::from_pkcs8(&bytes).map_err(|_| damaged(path))
}

/// The store's device key, made (and kept) on first use.
pub fn device_key(store_path: &Path) -> Result<DeviceKey, ClientError> {
    if let Some(key) = stored_key(store_path)? {
        return Ok(key);
    }
    let path = key_path(store_path);
    let key = DeviceKey::generate(&ring::rand::SystemRandom::new()).map_err(|_| damaged(&path))?;
    let secret = hex::encode(key.pkcs8());
    let in_keyring = keyring_entry(&path).is_some_and(|entry| entry.set_password(&secret).is_ok());
    let file = KeyFile { public_key: key.public_key(), pkcs8: (!in_keyring).then_some(secret) };
    write_owner_only(&path, &serde_json::to_string_pretty(&file).expect("a key file serialises"))?;
    Ok(key)
}

/// The store's device key if it has one.
pub fn stored_key(store_path: &Path) -> Result<Option<DeviceKey>, ClientError> {
    let path = key_path(store_path);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(ClientError::ReadSession { path, source }),
    };
    let file: KeyFile = serde_json::from_str(&text).map_err(|_| damaged(&path))?;
    let key = match &file.pkcs8 {
        Some(hex_text) => decode(&path, hex_text)?,
        None => {
            let entry = keyring_entry(&path).ok_or_else(|| ClientError::KeyringKey("密钥环已关闭".into()))?;
            let secret = entry.get_password().map_err(|e| ClientError::KeyringKey(e.to_string()))?;
            decode(&path, &secret)?
        }
    };
    if key.public_key() != file.public_key {
        return Err(damaged(&path));
    }
    Ok(Some(key))
}

/// Writes a file readable by its owner only, atomically (temporary file,
/// then rename).
pub(crate) fn write_owner_only(path: &Path, text: &str) -> Result<(), ClientError> {
    let err = |source| ClientError::SaveSession { path: path.into(), source };
    let mut tmp_name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    tmp_name.push(".tmp");
    let tmp = path.with_file_name(tmp_name);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut out = options.open(&tmp).map_err(err)?;
    out.write_all(text.as_bytes()).map_err(err)?;
    out.sync_all().map_err(err)?;
    std::fs::rename(&tmp, path).map_err(err)
}
