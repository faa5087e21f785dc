//! A real `xuncha-server` for the apps to sync with: admin commands,
//! start, stop (the network "goes away") and restart on the same address.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::workspace_root;

/// Every test user's password.
pub const PASSWORD: &str = "inspector-secret-7";

fn server_binary() -> PathBuf {
    let path = workspace_root().join("target/debug/xuncha-server");
    assert!(path.is_file(), "build the server first: cargo build -p xuncha-server ({})", path.display());
    path
}

pub struct Bureau {
    data: PathBuf,
    child: Option<Child>,
    pub addr: SocketAddr,
}

impl Bureau {
    pub fn start(data: &Path) -> Bureau {
        let mut b = Bureau { data: data.to_path_buf(), child: None, addr: "127.0.0.1:0".parse().unwrap() };
        b.restart();
        b
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Starts the server again on the address it had.
    pub fn restart(&mut self) {
        let listen = if self.addr.port() == 0 { "127.0.0.1:0".to_string() } else { self.addr.to_string() };
        let mut child = Command::new(server_binary())
            .args(["serve", "--listen", &listen, "--data"])
            .arg(&self.data)
            .stderr(Stdio::piped())
            .spawn()
            .expect("xuncha-server starts");
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stderr.take().unwrap()), &mut line).unwrap();
        let url = line.trim().split("listening on http://").nth(1).unwrap_or_else(|| panic!("server said: {line}"));
        self.addr = url.parse().unwrap();
        self.child = Some(child);
    }

    /// Stops the server at once: to the apps, the bureau is unreachable.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    /// Runs an admin command on the server's data folder; returns what it printed.
    pub fn admin(data: &Path, args: &[&str]) -> String {
        let out = Command::new(server_binary())
            .arg("--data")
            .arg(data)
            .args(args)
            .env("XUNCHA_PASSWORD", PASSWORD)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

impl Drop for Bureau {
    fn drop(&mut self) {
        self.stop();
    }
}
