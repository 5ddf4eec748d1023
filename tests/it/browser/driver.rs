//! Starting Chromium through Debian's `chromedriver`, one driver process per journey, and the
//! one-line skip when neither is installed (a failure where `GUICHET_BROWSER_TESTS=required`).

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};
use std::io::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Once;
use std::time::{Duration, Instant};

/// The screen a journey runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Desktop,
    /// 360 CSS pixels wide, touch, as a small Android phone.
    Phone,
}

impl Screen {
    pub fn width(self) -> u32 {
        match self {
            Screen::Desktop => 1280,
            Screen::Phone => 360,
        }
    }
}

/// `prefers-color-scheme` as the page sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Light,
    Dark,
}

impl Scheme {
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Light => "light",
            Scheme::Dark => "dark",
        }
    }
}

/// A running `chromedriver`, stopped when dropped.
pub struct Driver {
    child: Child,
    pub url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn program(env: &str, default: &str) -> Option<PathBuf> {
    let path = std::env::var_os(env).map_or_else(|| PathBuf::from(default), PathBuf::from);
    path.is_file().then_some(path)
}

fn required() -> bool {
    std::env::var("GUICHET_BROWSER_TESTS").is_ok_and(|v| v == "required")
}

static SKIPPED: Once = Once::new();

/// Whether this machine can run the browser tests.
pub fn available() -> bool {
    program("GUICHET_CHROMIUM", "/usr/bin/chromium").is_some()
        && program("GUICHET_CHROMEDRIVER", "/usr/bin/chromedriver").is_some()
}

/// The driver, or `None` (after saying so once, past the test harness's capture) when this
/// machine has no Chromium. Where browser tests are required, a missing browser fails the test.
pub fn start() -> Option<(Driver, PathBuf)> {
    let chromium = program("GUICHET_CHROMIUM", "/usr/bin/chromium");
    let chromedriver = program("GUICHET_CHROMEDRIVER", "/usr/bin/chromedriver");
    let (Some(chromium), Some(chromedriver)) = (chromium, chromedriver) else {
        assert!(
            !required(),
            "GUICHET_BROWSER_TESTS=required but /usr/bin/chromium or /usr/bin/chromedriver is \
             missing (apt-get install -y chromium chromium-driver)"
        );
        SKIPPED.call_once(|| {
            let _ = writeln!(
                std::io::stderr(),
                "browser tests skipped: no Chromium here; to run them: apt-get install -y \
                 chromium chromium-driver (or set GUICHET_CHROMIUM and GUICHET_CHROMEDRIVER)"
            );
        });
        return None;
    };
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new(&chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not listen");
        std::thread::sleep(Duration::from_millis(20));
    }
    Some((driver, chromium))
}

/// A new browser session: headless, its own empty profile, the given screen and language.
pub async fn session(
    driver: &Driver,
    chromium: &Path,
    profile: &Path,
    screen: Screen,
    accept_language: &str,
) -> Client {
    let mut args = vec![
        "--headless=new".to_owned(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-dev-shm-usage".into(),
        "--disable-quic".into(),
        "--no-first-run".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--hide-scrollbars".into(),
        format!("--user-data-dir={}", profile.display()),
        format!("--lang={accept_language}"),
    ];
    let mut options = json!({
        "binary": chromium,
        "prefs": {"intl.accept_languages": accept_language},
    });
    match screen {
        Screen::Desktop => args.push("--window-size=1280,900".into()),
        Screen::Phone => {
            options["mobileEmulation"] = json!({
                "deviceMetrics": {"width": 360, "height": 740, "pixelRatio": 2.0, "touch": true},
                "userAgent": "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 \
                              (KHTML, like Gecko) Chrome/156.0 Mobile Safari/537.36",
            });
        }
    }
    options["args"] = json!(args);
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("browserName".into(), json!("chrome"));
    capabilities.insert("goog:chromeOptions".into(), options);
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .expect("a Chromium session starts")
}

/// A Chrome DevTools command sent through chromedriver (`goog/cdp/execute`).
#[derive(Debug)]
pub struct Cdp {
    pub cmd: &'static str,
    pub params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({"cmd": self.cmd, "params": self.params});
        (http::Method::POST, Some(body.to_string()))
    }
}

/// Makes the page see `prefers-color-scheme: scheme`.
pub async fn set_scheme(client: &Client, scheme: Scheme) {
    client
        .issue_cmd(Cdp {
            cmd: "Emulation.setEmulatedMedia",
            params: json!({"features": [{"name": "prefers-color-scheme", "value": scheme.name()}]}),
        })
        .await
        .expect("colour scheme emulation");
}
