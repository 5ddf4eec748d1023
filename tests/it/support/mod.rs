//! `TestApp`: the real application in-process, on a random port and a temporary data
//! directory, with a manual clock; `Browser`: a cookie-keeping client that fills forms.

pub mod smtp;

use guichet::app::App;
use guichet::clock::ManualClock;
use guichet::config::Config;
use guichet::domain::Timestamp;
use reqwest::redirect::Policy;
use reqwest::{Response, StatusCode};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// 2026-11-28 09:00 UTC: tests start from a fixed instant.
pub const START: i64 = 1_795_856_400;

pub struct TestApp {
    pub base: String,
    pub clock: Arc<ManualClock>,
    pub data: Arc<TempDir>,
    pub initial_admin_password: Option<String>,
    /// The running app's use cases, to drive the scheduler with `run_due`; let go at shutdown,
    /// so that the store closes.
    ops: Option<guichet::ops::Ops>,
    demo: bool,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// The files of a stopped demo app: its two years of history take seconds to play, so they are
/// played once per test binary and copied into each test's data directory.
static DEMO_FILES: tokio::sync::OnceCell<Vec<(PathBuf, Vec<u8>)>> =
    tokio::sync::OnceCell::const_new();

/// A fresh data directory holding the demo organisation as seeded at `START`.
async fn demo_copy() -> Arc<TempDir> {
    let files = DEMO_FILES
        .get_or_init(|| async {
            let data = Arc::new(tempfile::tempdir().expect("tempdir"));
            let mut app = TestApp::start(data.clone(), true, None).await;
            app.shutdown().await;
            let mut files = Vec::new();
            read_tree(data.path(), data.path(), &mut files);
            files
        })
        .await;
    let data = tempfile::tempdir().expect("tempdir");
    for (path, bytes) in files {
        let target = data.path().join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).expect("demo copy directory");
        }
        std::fs::write(target, bytes).expect("demo copy file");
    }
    Arc::new(data)
}

fn read_tree(root: &Path, dir: &Path, files: &mut Vec<(PathBuf, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).expect("read the demo directory") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            read_tree(root, &path, files);
        } else {
            let relative = path.strip_prefix(root).expect("inside").to_path_buf();
            files.push((relative, std::fs::read(&path).expect("read a demo file")));
        }
    }
}

impl TestApp {
    /// The app with the demo organisation (a copy of the one seeded for this test binary).
    pub async fn spawn() -> TestApp {
        Self::start(demo_copy().await, true, None).await
    }

    /// The app on an empty store: only the generated `admin` exists.
    pub async fn spawn_empty() -> TestApp {
        Self::start(Arc::new(tempfile::tempdir().expect("tempdir")), false, None).await
    }

    /// The app on a data directory prepared by the test (a fixture store, a restored backup).
    pub async fn spawn_on(data: TempDir) -> TestApp {
        Self::start(Arc::new(data), false, None).await
    }

    /// The demo app with a configuration changed by `tweak`; seeded again when the tweak
    /// changes the time zone (the demo's dates depend on it), copied otherwise.
    pub async fn spawn_configured(tweak: impl Fn(&mut Config)) -> TestApp {
        let mut probe = Config::default();
        tweak(&mut probe);
        let data = if probe.time_zone.is_none() {
            demo_copy().await
        } else {
            Arc::new(tempfile::tempdir().expect("tempdir"))
        };
        Self::start_with(data, true, None, tweak).await
    }

    async fn start(data: Arc<TempDir>, demo: bool, clock: Option<Arc<ManualClock>>) -> TestApp {
        Self::start_with(data, demo, clock, |_| {}).await
    }

    async fn start_with(
        data: Arc<TempDir>,
        demo: bool,
        clock: Option<Arc<ManualClock>>,
        tweak: impl FnOnce(&mut Config),
    ) -> TestApp {
        let clock = clock.unwrap_or_else(|| Arc::new(ManualClock::new(Timestamp(START))));
        let mut config = Config {
            data_dir: data.path().to_path_buf(),
            listen: "127.0.0.1:0".parse().expect("addr"),
            demo,
            cache_mb: 4,
            background_jobs: false,
            ..Config::default()
        };
        tweak(&mut config);
        let app = App::build_with_clock(config, clock.clone())
            .await
            .expect("app builds");
        let base = format!("http://{}", app.addr());
        let initial_admin_password = app.initial_admin_password.clone();
        let ops = app.ops().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            app.run_until_stopped(async {
                let _ = stopped.await;
            })
            .await
            .expect("server runs");
        });
        TestApp {
            base,
            clock,
            data,
            initial_admin_password,
            ops: Some(ops),
            demo,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// A new server on a data directory a stopped one used, its configuration changed by
    /// `tweak`.
    pub async fn restart_on(data: Arc<TempDir>, tweak: impl FnOnce(&mut Config)) -> TestApp {
        Self::start_with(data, true, None, tweak).await
    }

    /// Stops the server gracefully and starts a new one on the same data directory.
    pub async fn restart(mut self) -> TestApp {
        self.shutdown().await;
        Self::start(self.data.clone(), self.demo, Some(self.clock.clone())).await
    }

    /// The running app's use cases (`run_due`, `now`, …).
    pub fn ops(&self) -> &guichet::ops::Ops {
        self.ops.as_ref().expect("the app is running")
    }

    pub async fn shutdown(&mut self) {
        self.ops = None;
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("server task ends cleanly");
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn browser(&self) -> Browser {
        Browser {
            base: self.base.clone(),
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(Policy::none())
                .build()
                .expect("client"),
        }
    }

    /// A browser signed in as a demo user.
    pub async fn signed_in(&self, username: &str) -> Browser {
        let browser = self.browser();
        let response = browser.login(username, "demo").await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "{username} signs in"
        );
        browser
    }

    pub fn api(&self, token: Option<&str>) -> Api {
        Api {
            base: self.base.clone(),
            token: token.map(str::to_owned),
            client: reqwest::Client::new(),
        }
    }

    /// An API client signed in as a demo user.
    pub async fn api_as(&self, username: &str) -> Api {
        let response = self
            .api(None)
            .post(
                "/api/v1/login",
                &serde_json::json!({"username": username, "password": "demo"}),
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "{username} signs in to the API"
        );
        let body: Value = response.json().await.expect("json");
        let token = body["token"].as_str().expect("token");
        self.api(Some(token))
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub struct Browser {
    pub base: String,
    pub client: reqwest::Client,
}

/// The form token embedded in a page.
pub fn csrf_of(html: &str) -> Option<String> {
    let at = html.find("name=\"_csrf\" value=\"")? + "name=\"_csrf\" value=\"".len();
    let rest = &html[at..];
    Some(rest[..rest.find('"')?].to_owned())
}

pub fn location(response: &Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

impl Browser {
    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request")
    }

    pub async fn get_text(&self, path: &str) -> (StatusCode, String) {
        let response = self.get(path).await;
        let status = response.status();
        (status, response.text().await.expect("body"))
    }

    /// Posts raw fields, exactly as given (no form token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.client
            .post(format!("{}{path}", self.base))
            .form(fields)
            .send()
            .await
            .expect("request")
    }

    /// Opens `page`, takes its form token, and posts `fields` with it to `action`.
    pub async fn submit(&self, page: &str, action: &str, fields: &[(&str, &str)]) -> Response {
        let (_, html) = self.get_text(page).await;
        let token = csrf_of(&html).unwrap_or_else(|| panic!("no form token on {page}"));
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("_csrf", &token));
        self.post_raw(action, &all).await
    }

    /// Opens `page`, takes its form token, and posts `fields` and `files` (field, file name,
    /// bytes) as multipart to `action`, as a browser sends a form with file inputs.
    pub async fn submit_multipart(
        &self,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, Vec<u8>)],
    ) -> Response {
        let (_, html) = self.get_text(page).await;
        let token = csrf_of(&html).unwrap_or_else(|| panic!("no form token on {page}"));
        let mut form = reqwest::multipart::Form::new().text("_csrf", token);
        for (key, value) in fields {
            form = form.text((*key).to_owned(), (*value).to_owned());
        }
        for (key, name, bytes) in files {
            let part = reqwest::multipart::Part::bytes(bytes.clone()).file_name((*name).to_owned());
            form = form.part((*key).to_owned(), part);
        }
        self.client
            .post(format!("{}{action}", self.base))
            .multipart(form)
            .send()
            .await
            .expect("request")
    }

    pub async fn login(&self, username: &str, password: &str) -> Response {
        self.submit(
            "/login",
            "/login",
            &[("username", username), ("password", password)],
        )
        .await
    }
}

#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub token: Option<String>,
    pub client: reqwest::Client,
}

impl Api {
    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let builder = self.client.request(method, format!("{}{path}", self.base));
        match &self.token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    pub async fn get(&self, path: &str) -> Response {
        self.request(reqwest::Method::GET, path)
            .send()
            .await
            .expect("request")
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.request(reqwest::Method::POST, path)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn put(&self, path: &str, body: &Value) -> Response {
        self.request(reqwest::Method::PUT, path)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.request(reqwest::Method::DELETE, path)
            .send()
            .await
            .expect("request")
    }

    pub async fn post_raw(&self, path: &str, body: &str) -> Response {
        self.request(reqwest::Method::POST, path)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .expect("request")
    }

    /// Status and JSON body in one call; a body is always said to be JSON.
    pub async fn json(response: Response) -> (StatusCode, Value) {
        let status = response.status();
        let said = response.headers().get("content-type").cloned();
        let body = response.json().await.unwrap_or(Value::Null);
        if !body.is_null() {
            assert_eq!(
                said.as_ref().and_then(|v| v.to_str().ok()),
                Some("application/json"),
                "a JSON answer ({status}) says so"
            );
        }
        (status, body)
    }
}
