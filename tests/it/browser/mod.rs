//! Journeys in a real browser: headless Chromium driven over WebDriver (`fantoccini`), against
//! the real server. When a journey fails, a screenshot of the last page, its address and text and
//! the list of the steps taken are written under `target/tmp/browser-screenshots/<journey>/`;
//! with `GUICHET_SCREENSHOTS=1` every step is photographed and written, failed or not (a
//! screenshot costs a quarter of a second on two busy cores: a third of the journeys' time).
//! Every distinct page a journey reaches is audited once by axe-core in both colour schemes, and
//! on a phone no page may scroll sideways.

mod audit;
mod driver;

mod admin_journey;
mod approval_journey;
mod language;
mod phone_sweep;
mod requester_journey;

pub use driver::{Scheme, Screen};

use crate::support::TestApp;
use fantoccini::elements::Element;
use fantoccini::{Client, Locator};
use serde_json::json;
use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A journey's steps in order: name, and its screenshot where they are kept.
type Shots = Arc<Mutex<Vec<(String, Option<Vec<u8>>)>>>;

/// One person's browser during a journey.
#[derive(Clone)]
pub struct Page {
    pub client: Client,
    base: String,
    screen: Screen,
    scheme: Scheme,
    shots: Shots,
    /// Whether each step is photographed (`GUICHET_SCREENSHOTS=1`).
    photograph: bool,
}

/// How a journey is run: where, on what, in which language.
pub struct Run {
    pub name: &'static str,
    pub screen: Screen,
    pub scheme: Scheme,
    /// The browser's `Accept-Language`.
    pub lang: &'static str,
}

impl Run {
    pub fn desktop_fr(name: &'static str) -> Run {
        Run {
            name,
            screen: Screen::Desktop,
            scheme: Scheme::Light,
            lang: "fr-FR,fr",
        }
    }

    pub fn phone_en_dark(name: &'static str) -> Run {
        Run {
            name,
            screen: Screen::Phone,
            scheme: Scheme::Dark,
            lang: "en-GB,en",
        }
    }
}

fn screenshot_dir(journey: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("browser-screenshots")
        .join(journey)
}

/// Runs `journey` in a fresh browser against `app`; skipped (one line) without Chromium.
pub async fn run<F, Fut>(app: &TestApp, how: Run, journey: F)
where
    F: FnOnce(Page) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some((driver, chromium)) = driver::start() else {
        return;
    };
    let profile = tempfile::tempdir().expect("profile dir");
    let client = driver::session(&driver, &chromium, profile.path(), how.screen, how.lang).await;
    driver::set_scheme(&client, how.scheme).await;
    let photograph = std::env::var("GUICHET_SCREENSHOTS").is_ok_and(|v| v == "1");
    let page = Page {
        client: client.clone(),
        base: app.base.clone(),
        screen: how.screen,
        scheme: how.scheme,
        shots: Arc::new(Mutex::new(Vec::new())),
        photograph,
    };
    let shots = page.shots.clone();
    let outcome = tokio::spawn(journey(page)).await;
    if let Err(failure) = outcome {
        let mut shots = shots.lock().expect("shots").clone();
        if let Ok(last) = client.screenshot().await {
            shots.push(("at-failure".into(), Some(last)));
        }
        let dir = write_shots(how.name, &shots);
        let url = client.current_url().await.map(|u| u.to_string());
        let text = client
            .execute(
                "return document.body ? document.body.innerText : ''",
                vec![],
            )
            .await
            .map(|v| {
                v.as_str()
                    .unwrap_or_default()
                    .chars()
                    .take(1500)
                    .collect::<String>()
            });
        eprintln!(
            "journey `{}` failed at {url:?}; screenshots in {}\n--- page text ---\n{}",
            how.name,
            dir.display(),
            text.unwrap_or_default()
        );
        let _ = client.close().await;
        drop(driver);
        std::panic::resume_unwind(failure.into_panic());
    }
    if photograph {
        write_shots(how.name, &shots.lock().expect("shots"));
    }
    let _ = client.close().await;
}

/// Writes a journey's screenshots, numbered in order, and the list of its steps into its folder.
fn write_shots(journey: &str, shots: &[(String, Option<Vec<u8>>)]) -> PathBuf {
    let dir = screenshot_dir(journey);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    let mut steps = String::new();
    for (i, (step, png)) in shots.iter().enumerate() {
        steps.push_str(&format!("{i:02} {step}\n"));
        if let Some(png) = png {
            let _ = std::fs::write(dir.join(format!("{i:02}-{step}.png")), png);
        }
    }
    let _ = std::fs::write(dir.join("steps.txt"), steps);
    dir
}

impl Page {
    /// Opens `path` and records the step.
    pub async fn go(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("open {path}: {e}"));
        self.step(path).await;
    }

    /// What the browser shows now: the step noted (and photographed where asked) for a failure
    /// report, no sideways scroll on a phone, and axe-core once per distinct page.
    pub async fn step(&self, name: &str) {
        let path = self.path().await;
        let png = if self.photograph {
            Some(self.client.screenshot().await.expect("screenshot"))
        } else {
            None
        };
        let label: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        self.shots.lock().expect("shots").push((label, png));
        if self.screen == Screen::Phone {
            let widths = self
                .client
                .execute(
                    "return [document.documentElement.scrollWidth, window.innerWidth]",
                    vec![],
                )
                .await
                .expect("widths");
            let scroll = widths[0].as_u64().unwrap_or_default();
            let inner = widths[1].as_u64().unwrap_or_default();
            assert!(
                scroll <= inner,
                "{path} scrolls sideways on a {}-pixel screen ({scroll} px wide)",
                self.screen.width()
            );
        }
        audit::once(self, &path).await;
    }

    /// The path and query of the current page.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("url");
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    }

    pub async fn find(&self, css: &str) -> Element {
        let found = self
            .client
            .wait()
            .at_most(Duration::from_secs(5))
            .for_element(Locator::Css(css))
            .await;
        match found {
            Ok(element) => element,
            Err(e) => panic!("no `{css}` on {}: {e}", self.path().await),
        }
    }

    pub async fn count(&self, css: &str) -> usize {
        self.client
            .find_all(Locator::Css(css))
            .await
            .map(|all| all.len())
            .unwrap_or_default()
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.expect("clear");
        field.send_keys(text).await.expect("type");
    }

    /// Picks the option of a `select` whose text (trimmed) is `label`.
    pub async fn choose(&self, select_css: &str, label: &str) {
        let select = self.find(select_css).await;
        for option in select
            .find_all(Locator::Css("option"))
            .await
            .expect("options")
        {
            if option.text().await.expect("option text").trim() == label {
                option.click().await.expect("choose");
                return;
            }
        }
        panic!("no option {label:?} in `{select_css}`");
    }

    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.expect("click");
    }

    /// Clicks the link or button whose visible text contains `text`, and records the step.
    pub async fn click_text(&self, text: &str) {
        let xpath = format!(
            "//*[self::a or self::button][contains(normalize-space(.), {})]",
            xpath_literal(text)
        );
        let target = self
            .client
            .wait()
            .at_most(Duration::from_secs(5))
            .for_element(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|e| panic!("nothing to click reading {text:?}: {e}"));
        self.leaving(async { target.click().await.expect("click") })
            .await;
        self.step(text).await;
    }

    /// Submits the form holding `css` by clicking its submit button, and records the step.
    pub async fn submit(&self, button_css: &str, step: &str) {
        self.follow(button_css, step).await;
    }

    /// Clicks the link or button `css`, which leads to another page, and records the step.
    pub async fn follow(&self, css: &str, step: &str) {
        self.leaving(self.click(css)).await;
        self.step(step).await;
    }

    /// Runs `click` and waits until the browser shows the page it leads to. That page may have
    /// the same address (a form's answer), so the page left is told apart by a mark set on it
    /// before: a step must not read, or type into, the page it left.
    async fn leaving(&self, click: impl Future<Output = ()>) {
        self.client
            .execute("window.guichetLeft = true", vec![])
            .await
            .expect("mark the page");
        click.await;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let arrived = self
                .client
                .execute(
                    "return !window.guichetLeft && document.readyState === 'complete'",
                    vec![],
                )
                .await;
            if arrived.is_ok_and(|v| v == json!(true)) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the click did not lead to another page: still {}",
                self.path().await
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("text")
    }

    /// The visible text of the whole page.
    pub async fn body(&self) -> String {
        self.text("body").await
    }

    pub async fn value(&self, css: &str) -> String {
        self.find(css)
            .await
            .prop("value")
            .await
            .expect("value")
            .unwrap_or_default()
    }

    /// Asserts the page shows `needle` somewhere in its visible text.
    pub async fn sees(&self, needle: &str) {
        let body = self.body().await;
        assert!(
            body.contains(needle),
            "{} does not show {needle:?}:\n{body}",
            self.path().await
        );
    }

    pub async fn does_not_see(&self, needle: &str) {
        let body = self.body().await;
        assert!(
            !body.contains(needle),
            "{} shows {needle:?}:\n{body}",
            self.path().await
        );
    }

    /// Signs in through the form, from the sign-in page.
    pub async fn sign_in(&self, username: &str) {
        self.go("/login").await;
        self.fill("input[name=username]", username).await;
        self.fill("input[name=password]", "demo").await;
        self.submit("form[action='/login'] button[type=submit]", "signed-in")
            .await;
        let path = self.path().await;
        assert!(!path.starts_with("/login"), "{username} is still on {path}");
    }

    /// Signs out through the header's button (behind the menu on a phone).
    pub async fn sign_out(&self) {
        self.open_menu().await;
        self.submit("form[action='/logout'] button", "signed-out")
            .await;
        assert!(self.path().await.starts_with("/login"));
    }

    /// On a phone, opens the header's menu so that its links can be used.
    pub async fn open_menu(&self) {
        if self.screen == Screen::Phone {
            let open = self
                .client
                .execute(
                    "return document.getElementById('site-menu').matches(':popover-open')",
                    vec![],
                )
                .await
                .expect("menu state");
            if open == json!(false) {
                self.click("header button.menu-toggle").await;
            }
        }
    }

    pub fn scheme(&self) -> Scheme {
        self.scheme
    }
}

fn xpath_literal(text: &str) -> String {
    if text.contains('\'') {
        format!("\"{text}\"")
    } else {
        format!("'{text}'")
    }
}
