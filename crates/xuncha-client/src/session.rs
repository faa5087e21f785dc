//! Where the login is kept between runs.
//!
//! The session file `<store>.session` sits next to the store, readable by
//! its owner only, written atomically. It names the server and the user.
//! The tokens go into the operating system's keyring (the Secret Service
//! on Linux desktops, the Keychain on macOS, the Credential Manager on
//! Windows) when one answers; the file then only says so. Where no keyring
//! runs (a server without a desktop session, a minimal install), or with
//! `XUNCHA_KEYRING=off`, the tokens stay in the file itself. The status
//! bar reads the file alone, so it never waits for a keyring.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use xuncha_core::api::SignedIn;
use xuncha_sync::Session;

use crate::device_key::write_owner_only;
use crate::ClientError;

/// The keyring's service name for every 巡查 entry.
const SERVICE: &str = "xuncha";

/// A login: the server and the session it gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedSession {
    pub server: String,
    pub session: Session,
}

/// The file as written: the session with its tokens blanked when they
/// are in the keyring.
#[derive(Serialize, Deserialize)]
struct SessionFile {
    server: String,
    session: Session,
    #[serde(default)]
    tokens_in_keyring: bool,
}

/// What goes into the keyring.
#[derive(Serialize, Deserialize)]
struct Tokens {
    access_token: String,
    refresh_token: String,
}

/// The session file of a store.
pub fn session_path(store_path: &Path) -> PathBuf {
    let mut name = store_path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".session");
    store_path.with_file_name(name)
}

/// The keyring entry of a session file, unless keyrings are switched off.
pub(crate) fn keyring_entry(path: &Path) -> Option<keyring::Entry> {
    if std::env::var("XUNCHA_KEYRING").is_ok_and(|v| v == "off") {
        return None;
    }
    // One entry per store: its session file's absolute path.
    let account = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    keyring::Entry::new(SERVICE, &account.to_string_lossy()).ok()
}

fn read_file(path: &Path) -> Result<SessionFile, ClientError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(ClientError::NotLoggedIn),
        Err(source) => return Err(ClientError::ReadSession { path: path.into(), source }),
    };
    serde_json::from_str(&text).map_err(|_| ClientError::DamagedSession { path: path.into() })
}

impl SavedSession {
    pub fn load(path: &Path) -> Result<SavedSession, ClientError> {
        let SessionFile { server, mut session, tokens_in_keyring } = read_file(path)?;
        if tokens_in_keyring {
            let entry = keyring_entry(path).ok_or_else(|| ClientError::Keyring("密钥环已关闭".into()))?;
            let secret = entry.get_password().map_err(|e| ClientError::Keyring(e.to_string()))?;
            let tokens: Tokens =
                serde_json::from_str(&secret).map_err(|_| ClientError::Keyring("密钥环中的凭据已损坏".into()))?;
            session.access_token = tokens.access_token;
            session.refresh_token = tokens.refresh_token;
        }
        Ok(SavedSession { server, session })
    }

    /// Saves the tokens in the keyring if one answers, else in the file;
    /// then writes the file atomically (temporary file, then rename),
    /// readable by its owner only. Returns whether the keyring holds them.
    pub fn save(&self, path: &Path) -> Result<bool, ClientError> {
        let tokens = Tokens {
            access_token: self.session.access_token.clone(),
            refresh_token: self.session.refresh_token.clone(),
        };
        let secret = serde_json::to_string(&tokens).expect("tokens serialise");
        let in_keyring = keyring_entry(path).is_some_and(|entry| entry.set_password(&secret).is_ok());
        let mut session = self.session.clone();
        if in_keyring {
            session.access_token.clear();
            session.refresh_token.clear();
        }
        let file = SessionFile { server: self.server.clone(), session, tokens_in_keyring: in_keyring };
        write_owner_only(path, &serde_json::to_string_pretty(&file).expect("a session serialises"))?;
        Ok(in_keyring)
    }
}

/// Who the saved session belongs to, or `None` when this store is not
/// logged in (or its session file is unreadable: the next login replaces
/// it). Reads the file only.
pub fn signed_in(store_path: &Path) -> Option<SignedIn> {
    let file = read_file(&session_path(store_path)).ok()?;
    Some(SignedIn {
        server: file.server,
        person: file.session.person().to_string(),
        full_name: Some(file.session.full_name.clone()).filter(|n| !n.trim().is_empty()),
        user_name: file.session.user_name,
        role: file.session.role,
        parks: file.session.parks.len(),
    })
}

/// Forgets the session: the file and the keyring entry. The refresh token
/// stops working when it expires on the server; the records on this laptop
/// stay, and so does the device key (the server knows the laptop by it).
pub fn logout(store_path: &Path) -> Result<(), ClientError> {
    let path = session_path(store_path);
    if let Some(entry) = keyring_entry(&path) {
        // Nothing there (the tokens were in the file) is fine.
        let _ = entry.delete_credential();
    }
    match std::fs::remove_file(&path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(ClientError::SaveSession { path, source: e }),
        _ => Ok(()),
    }
}
