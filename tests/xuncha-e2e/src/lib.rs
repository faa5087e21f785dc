//! Starts the built desktop app under a real WebKitGTK webview and drives
//! it through WebDriver: Xvfb (when there is no display), `tauri-driver`
//! in front of `WebKitWebDriver`, and a fantoccini client.
//!
//! Each [`App`] gets its own config folder (`XUNCHA_CONFIG_DIR`), so a test
//! starts from a first run, and starting a second `App` on the same folder
//! is a restart of the same installation.

pub mod bureau;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

/// One app at a time: WebDriver sessions and Xvfb displays are shared.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The screen the app is tried on: a 1366×768 laptop.
pub const SCREEN: (u32, u32) = (1366, 768);

/// Where screenshots go: test artifacts, kept after the run.
/// A log file for the app started with `config_dir`, in the artifacts folder.
fn app_log(config_dir: &Path) -> Stdio {
    let name = config_dir.file_name().map_or("app".into(), |n| n.to_string_lossy().into_owned());
    std::fs::create_dir_all(artifacts_dir()).expect("artifacts folder");
    match std::fs::File::create(artifacts_dir().join(format!("{name}.log"))) {
        Ok(f) => Stdio::from(f),
        Err(_) => Stdio::null(),
    }
}

pub fn artifacts_dir() -> PathBuf {
    let dir = workspace_root().join("target/e2e-artifacts");
    std::fs::create_dir_all(&dir).expect("artifacts folder");
    dir
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("bound").port()
}

fn which(name: &str) -> Option<PathBuf> {
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain([home.join(".cargo/bin")])
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The screen apps run on: a display (Xvfb when there is none) and the
/// turn to use it. Several apps may run on one desk at once.
pub struct Desk {
    display: String,
    _xvfb: Option<Killed>,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

impl Desk {
    pub async fn open() -> Desk {
        let turn = ONE_AT_A_TIME.lock().await;
        let (display, xvfb) = match std::env::var("DISPLAY") {
            Ok(d) if !d.is_empty() => (d, None),
            _ => {
                let n = 90 + (std::process::id() % 500);
                let display = format!(":{n}");
                let child = Command::new("Xvfb")
                    .args([
                        display.as_str(),
                        "-screen",
                        "0",
                        &format!("{}x{}x24", SCREEN.0, SCREEN.1),
                        "-nolisten",
                        "tcp",
                    ])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .expect("Xvfb (package xvfb) is needed when there is no display");
                // The server is ready when its socket exists.
                wait_for_file(Path::new(&format!("/tmp/.X11-unix/X{n}")), Duration::from_secs(20)).await;
                (display, Some(Killed(child)))
            }
        };
        Desk { display, _xvfb: xvfb, _turn: turn }
    }

    /// Starts the app with `config_dir` as its config folder and `env`
    /// added to its environment.
    pub async fn start(&self, config_dir: &Path, env: &[(&str, &str)]) -> App {
        // XUNCHA_APP points at another build, e.g. target/release/xuncha-app for benchmarks.
        let application = std::env::var_os("XUNCHA_APP")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace_root().join("target/debug/xuncha-app"));
        assert!(application.is_file(), "build the app first: cargo build -p xuncha-app ({})", application.display());
        let driver_bin =
            which("tauri-driver").expect("tauri-driver: cargo install tauri-driver --version '^2' --locked");
        let port = free_port();
        let native = free_port();
        let driver = Command::new(driver_bin)
            .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
            .env("DISPLAY", &self.display)
            .env("XUNCHA_CONFIG_DIR", config_dir)
            .env("LANG", "zh_CN.UTF-8")
            // With a display, libdbus could start a session bus whose keyring
            // asks for a password on screen; the keyring has its own test.
            .env("XUNCHA_KEYRING", "off")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            // The app's own messages (a panic, say) land next to the screenshots.
            .stderr(app_log(config_dir))
            .spawn()
            .expect("tauri-driver starts");
        let driver = Killed(driver);
        let mut caps = serde_json::Map::new();
        caps.insert("tauri:options".into(), serde_json::json!({ "application": application }));
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector).capabilities(caps.clone()).connect(&url).await {
                Ok(c) => break c,
                Err(e) if started.elapsed() < Duration::from_secs(30) => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => panic!("no WebDriver session with the app: {e}"),
            }
        };
        let app = App { client, _driver: driver, _desk: None };
        // The smallest laptop screen inspectors carry: every dialog and
        // button must be usable on it.
        app.client.set_window_size(SCREEN.0, SCREEN.1).await.expect("the window takes the laptop's size");
        app.without_transitions().await;
        app
    }
}

/// Waits until `path` exists, failing loudly after `limit`.
pub async fn wait_for_file(path: &Path, limit: Duration) {
    let started = Instant::now();
    while !path.exists() {
        assert!(started.elapsed() < limit, "{} did not appear within {limit:?}", path.display());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A running app with a WebDriver client attached.
pub struct App {
    pub client: Client,
    _driver: Killed,
    /// The desk of an app started on its own.
    _desk: Option<Desk>,
}

impl App {
    /// Starts the app alone, with `config_dir` as its config folder.
    pub async fn start(config_dir: &Path) -> App {
        let desk = Desk::open().await;
        let mut app = desk.start(config_dir, &[]).await;
        app._desk = Some(desk);
        app
    }

    /// Waits (up to 20 s) for an element matching `css`.
    pub async fn find(&self, css: &str) -> Element {
        match self.client.wait().at_most(Duration::from_secs(20)).for_element(Locator::Css(css)).await {
            Ok(e) => e,
            Err(e) => {
                let name: String = css.chars().filter(|c| c.is_alphanumeric() || *c == '-').take(40).collect();
                let shot = self.screenshot(&format!("failure-find-{name}")).await;
                panic!("no element {css}: {e}; screenshot {}", shot.display())
            }
        }
    }

    /// Turns CSS transitions and animations off, so that a dialog is where
    /// it will stay as soon as it is in the page.
    async fn without_transitions(&self) {
        self.find("body").await;
        let script = "const s = document.createElement('style'); s.dataset.test = 'no-motion'; \
            s.textContent = '*, *::before, *::after { transition: none !important; animation: none !important; }'; \
            document.head.appendChild(s);";
        self.client.execute(script, Vec::new()).await.expect("the page takes a style sheet");
    }

    /// Clicks the element matching `css` once it is shown, enabled and not
    /// busy (Element Plus marks a working button `is-loading`). A click that
    /// lands on something covering it (a message fading out) is retried;
    /// any other failure fails the test.
    pub async fn click(&self, css: &str) {
        let started = Instant::now();
        let ready = "const e = document.querySelector(arguments[0]); \
            return !!e && e.getClientRects().length > 0 && !e.disabled && !e.classList.contains('is-disabled') \
            && !e.classList.contains('is-loading');";
        loop {
            let element = self.find(css).await;
            let is_ready = matches!(
                self.client.execute(ready, vec![serde_json::json!(css)]).await,
                Ok(serde_json::Value::Bool(true))
            );
            let outcome = if is_ready { Some(element.click().await) } else { None };
            let covered = match &outcome {
                Some(Ok(_)) => return,
                Some(Err(fantoccini::error::CmdError::Standard(e))) => matches!(
                    e.error,
                    fantoccini::error::ErrorStatus::ElementClickIntercepted
                        | fantoccini::error::ErrorStatus::ElementNotInteractable
                        | fantoccini::error::ErrorStatus::StaleElementReference
                ),
                Some(Err(_)) => false,
                None => true,
            };
            if !covered || started.elapsed() > Duration::from_secs(20) {
                let name: String = css.chars().filter(|c| c.is_alphanumeric() || *c == '-').collect();
                let shot = self.screenshot(&format!("failure-click-{name}")).await;
                panic!("click {css}: {outcome:?} (ready: {is_ready}); screenshot {}", shot.display());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Types into the input or text area matching `css` (or the one inside
    /// it), replacing its text.
    pub async fn type_into(&self, css: &str, text: &str) {
        let input = self.find(&format!("{css}:is(input, textarea), {css} input, {css} textarea")).await;
        // Clear through an input event, as a person deleting the text would,
        // so that the page's bindings see the empty value.
        self.client
            .execute(
                "arguments[0].value = ''; arguments[0].dispatchEvent(new Event('input', { bubbles: true }));",
                vec![serde_json::to_value(&input).expect("element reference")],
            )
            .await
            .expect("clear");
        input.send_keys(text).await.expect("type");
    }

    /// Waits (up to 20 s) until the text of `css` satisfies `ok`; returns it.
    pub async fn wait_text(&self, css: &str, ok: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let text = self.text_of(css).await.unwrap_or_default();
            if ok(&text) {
                return text;
            }
            if started.elapsed() > Duration::from_secs(20) {
                let name: String = css.chars().filter(|c| c.is_alphanumeric() || *c == '-').collect();
                let shot = self.screenshot(&format!("failure-{name}")).await;
                panic!("{css} never showed what was expected; last text: {text:?}; screenshot {}", shot.display());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits (up to 20 s) until exactly `n` elements match `css`.
    pub async fn wait_count(&self, css: &str, n: usize) {
        let started = Instant::now();
        loop {
            let found = self.texts(css).await.len();
            if found == n {
                return;
            }
            if started.elapsed() > Duration::from_secs(20) {
                let name: String = css.chars().filter(|c| c.is_alphanumeric() || *c == '-').collect();
                let shot = self.screenshot(&format!("failure-{name}")).await;
                panic!("{css}: {found} elements, never the {n} expected; screenshot {}", shot.display());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The text content of the first element matching `css`, white space
    /// folded. (WebKitWebDriver's element text leaves out table cells.)
    pub async fn text_of(&self, css: &str) -> Option<String> {
        self.texts(css).await.into_iter().next()
    }

    /// Text contents of every element matching `css` (an input's or text
    /// area's current value), white space folded.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let script = "return Array.from(document.querySelectorAll(arguments[0])).map(e => (e.matches('input, textarea') ? e.value : e.textContent).replace(/\\s+/g, ' ').trim())";
        match self.client.execute(script, vec![serde_json::json!(css)]).await {
            Ok(serde_json::Value::Array(items)) => {
                items.into_iter().map(|v| v.as_str().unwrap_or_default().to_string()).collect()
            }
            _ => Vec::new(),
        }
    }

    /// Saves a screenshot as a test artifact, after two animation frames so
    /// that it shows the current state.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let _ = self
            .client
            .execute_async(
                "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done()));",
                vec![],
            )
            .await;
        let png = self.client.screenshot().await.expect("screenshot");
        let path = artifacts_dir().join(format!("{name}.png"));
        std::fs::write(&path, png).expect("write screenshot");
        path
    }

    /// Ends the session, which closes the app.
    pub async fn quit(self) {
        let _ = self.client.close().await;
    }
}
