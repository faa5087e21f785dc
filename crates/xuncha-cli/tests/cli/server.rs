//! A real `xuncha-server` for the client's tests: admin commands, start,
//! `kill -9` and restart on the same address.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use super::server_binary;

/// Every test user's password.
pub const PASSWORD: &str = "steward-secret-9";

pub struct Bureau {
    pub data: PathBuf,
    child: Option<Child>,
    pub addr: SocketAddr,
}

impl Bureau {
    pub fn start(data: &Path) -> Bureau {
        let mut b = Bureau { data: data.to_path_buf(), child: None, addr: "127.0.0.1:0".parse().unwrap() };
        b.restart();
        b
    }

    pub fn restart(&mut self) {
        let listen = if self.addr.port() == 0 { "127.0.0.1:0".to_string() } else { self.addr.to_string() };
        let mut child = Command::new(server_binary())
            .args(["serve", "--listen", &listen, "--data"])
            .arg(&self.data)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stderr.take().unwrap()), &mut line).unwrap();
        let url = line.trim().split("listening on http://").nth(1).unwrap_or_else(|| panic!("server said: {line}"));
        self.addr = url.parse().unwrap();
        self.child = Some(child);
    }

    pub fn kill9(&mut self) {
        let mut child = self.child.take().unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

impl Drop for Bureau {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

pub fn admin(data: &Path, args: &[&str]) -> String {
    let out = Command::new(server_binary())
        .arg("--data")
        .arg(data)
        .args(args)
        .env("XUNCHA_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// `xuncha login` of `user` on the laptop `db`.
fn run_login(db: &Path, url: &str, user: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xuncha"))
        .arg("--db")
        .arg(db)
        .args(["login", "--server", url, "--user", user])
        .env("XUNCHA_PASSWORD", PASSWORD)
        .output()
        .unwrap()
}

/// Logs in a user's later laptop: the server asks for the administrator,
/// who approves the laptop the message names; then the login goes through.
pub fn login_new_laptop(data: &Path, db: &Path, url: &str, user: &str) {
    let out = run_login(db, url, user);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && said.contains("须经管理员批准"), "{said}");
    let id = said.split("device approve ").nth(1).and_then(|t| t.get(..36)).expect("the message names the laptop");
    admin(data, &["device", "approve", id]);
    login(db, url, user);
}

pub fn login(db: &Path, url: &str, user: &str) {
    let out = run_login(db, url, user);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
