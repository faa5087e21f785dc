//! Where a login is kept: in the OS keyring when one runs (a real
//! gnome-keyring Secret Service on a private D-Bus session here), in an
//! owner-only file otherwise. One test in a fixed order, because libdbus
//! reads the session bus address once per process: the file half switches
//! keyrings off and never touches D-Bus. (Every other test binary logs in
//! with no session bus at all, which is the fallback for real.)

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use uuid::Uuid;
use xuncha_client::{device_key, key_path, logout, server_url, session_path, signed_in, SavedSession};
use xuncha_sync::Session;

fn session() -> SavedSession {
    SavedSession {
        server: "https://xuncha.example.gov.cn".into(),
        session: Session {
            access_token: "access-secret-1".into(),
            access_expires_in: 900,
            refresh_token: "refresh-secret-2".into(),
            user_id: Uuid::from_u128(7),
            user_name: "zhang".into(),
            full_name: String::new(),
            role: "inspector".into(),
            parks: vec![Uuid::from_u128(8).into()],
        },
    }
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A private session bus with an unlocked gnome-keyring on it. The bus
/// starts no services on demand, so the only Secret Service on it is ours.
fn keyring_session(home: &Path) -> (Killed, Killed, String) {
    std::fs::create_dir_all(home).unwrap();
    let config = home.join("bus.conf");
    std::fs::write(
        &config,
        r#"<busconfig><type>session</type><keep_umask/><listen>unix:tmpdir=/tmp</listen><auth>EXTERNAL</auth>
           <policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/>
           <allow own="*"/></policy></busconfig>"#,
    )
    .unwrap();
    let mut bus = Command::new("dbus-daemon")
        .arg(format!("--config-file={}", config.display()))
        .args(["--nofork", "--print-address=1"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("dbus-daemon (package dbus) runs");
    let mut address = String::new();
    BufReader::new(bus.stdout.take().unwrap()).read_line(&mut address).unwrap();
    let address = address.trim().to_string();
    let runtime = home.join("run");
    std::fs::create_dir_all(&runtime).unwrap();
    let mut keyring = Command::new("gnome-keyring-daemon")
        .args(["--foreground", "--unlock", "--components=secrets"])
        .env("DBUS_SESSION_BUS_ADDRESS", &address)
        .env("HOME", home)
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("XDG_DATA_HOME", home.join("data"))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("gnome-keyring-daemon (package gnome-keyring) runs");
    // The password of the login keyring it creates and unlocks, then end of input.
    keyring.stdin.take().unwrap().write_all(b"keyring-test-password").unwrap();
    (Killed(bus), Killed(keyring), address)
}

fn file_text(store: &Path) -> String {
    std::fs::read_to_string(session_path(store)).unwrap()
}

#[test]
fn tokens_go_to_the_keyring_when_one_runs_and_stay_in_an_owner_only_file_when_none_does() {
    let dir = tempfile::tempdir().unwrap();

    // Keyrings off: the file keeps everything, readable by its owner only.
    std::env::set_var("XUNCHA_KEYRING", "off");
    let plain = dir.path().join("plain.db");
    let saved = session();
    assert!(!saved.save(&session_path(&plain)).unwrap(), "XUNCHA_KEYRING=off keeps the tokens in the file");
    assert!(file_text(&plain).contains("refresh-secret-2"), "the file is the fallback");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(session_path(&plain)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "only the owner may read the tokens");
    }
    assert_eq!(SavedSession::load(&session_path(&plain)).unwrap(), saved);
    // So does the device key.
    let key = device_key(&plain).unwrap();
    let key_text = std::fs::read_to_string(key_path(&plain)).unwrap();
    assert!(key_text.contains("pkcs8") && key_text.contains(&key.public_key()), "{key_text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(key_path(&plain)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "only the owner may read the device key");
    }
    assert_eq!(device_key(&plain).unwrap().public_key(), key.public_key(), "the key is made once");

    // A running keyring: the tokens leave the file.
    let (_bus, _keyring, address) = keyring_session(&dir.path().join("home"));
    std::env::remove_var("XUNCHA_KEYRING");
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &address);
    let store = dir.path().join("xuncha.db");
    // The keyring daemon needs a moment to claim its bus name.
    let mut in_keyring = false;
    for _ in 0..50 {
        in_keyring = saved.save(&session_path(&store)).unwrap();
        if in_keyring {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(in_keyring, "the Secret Service took the tokens");
    let text = file_text(&store);
    assert!(!text.contains("access-secret-1") && !text.contains("refresh-secret-2"), "no token in the file: {text}");
    assert_eq!(SavedSession::load(&session_path(&store)).unwrap(), saved, "the tokens come back from the keyring");
    let who = signed_in(&store).unwrap();
    assert_eq!((who.user_name.as_str(), who.parks), ("zhang", 1), "the status bar reads the file alone");

    // The device key's private half goes to the keyring too, and outlives a logout.
    let key = device_key(&store).unwrap();
    let key_text = std::fs::read_to_string(key_path(&store)).unwrap();
    assert!(!key_text.contains("pkcs8") && key_text.contains(&key.public_key()), "{key_text}");
    let sign = |k: &xuncha_sync::device_key::DeviceKey| k.sign_refresh("t");
    assert_eq!(sign(&device_key(&store).unwrap()), sign(&key), "the same key comes back from the keyring");

    // A copied session file without its keyring entry lets nobody in.
    logout(&store).unwrap();
    assert_eq!(device_key(&store).unwrap().public_key(), key.public_key(), "logging out keeps the device key");
    // A copied key file names a keyring entry that is not there: no key, and no new one made.
    let copy = dir.path().join("copy.db");
    std::fs::write(key_path(&copy), &key_text).unwrap();
    let err = device_key(&copy).unwrap_err();
    assert!(err.to_string().contains("密钥环"), "{err}");
    assert!(signed_in(&store).is_none());
    std::fs::write(session_path(&store), text).unwrap();
    let err = SavedSession::load(&session_path(&store)).unwrap_err();
    assert!(err.to_string().contains("请重新登录"), "{err}");
}

#[test]
fn a_bare_server_address_is_reached_over_https_and_this_machine_over_http() {
    let url = |typed: &str| server_url(typed).map_err(|e| e.to_string());
    assert_eq!(url("xuncha.example.gov.cn").unwrap(), "https://xuncha.example.gov.cn");
    assert_eq!(url(" 10.1.2.3:8730/ ").unwrap(), "https://10.1.2.3:8730");
    assert_eq!(url("https://xuncha.example.gov.cn/").unwrap(), "https://xuncha.example.gov.cn");
    assert_eq!(url("127.0.0.1:8730").unwrap(), "http://127.0.0.1:8730");
    assert_eq!(url("localhost:8730").unwrap(), "http://localhost:8730");
    assert_eq!(url("[::1]:8730").unwrap(), "http://[::1]:8730");
    assert_eq!(url("127.0.0.1.example.cn").unwrap(), "https://127.0.0.1.example.cn", "a name, not this machine");
    assert_eq!(url("http://127.0.0.1:8730").unwrap(), "http://127.0.0.1:8730");
    for bad in ["", "ftp://xuncha.example.gov.cn", "xuncha example", ":8730"] {
        assert!(url(bad).unwrap_err().contains("服务器地址"), "{bad:?} is refused");
    }
}
