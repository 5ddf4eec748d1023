//! Signing in and out, sessions, CSRF, throttling, forced password change, languages.

use crate::support::{TestApp, csrf_of, location};
use reqwest::StatusCode;

#[tokio::test]
async fn healthz_answers_without_signing_in() {
    let app = TestApp::spawn().await;
    let (status, body) = app.browser().get_text("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "ok");
}

#[tokio::test]
async fn pages_need_a_sign_in_and_come_back_after_it() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let response = browser.get("/account").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/login?next=%2Faccount");

    let (_, html) = browser.get_text("/login?next=%2Faccount").await;
    let token = csrf_of(&html).expect("form token");
    let response = browser
        .post_raw(
            "/login",
            &[
                ("username", "Alice"),
                ("password", "demo"),
                ("next", "/account"),
                ("_csrf", &token),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/account");
    let cookie = response
        .headers()
        .get("set-cookie")
        .expect("cookie")
        .to_str()
        .expect("text");
    assert!(cookie.starts_with("guichet_session="));
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    assert!(
        !cookie.contains("Secure"),
        "plain http base url: no Secure flag"
    );

    let (status, html) = browser.get_text("/account").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Alice Durand"));
    assert!(html.contains("Bob Martin"), "the manager is shown");
}

#[tokio::test]
async fn sign_in_refuses_wrong_passwords_and_unknown_users() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    for (user, password) in [("alice", "wrong"), ("nobody", "demo"), ("", "")] {
        let response = browser.login(user, password).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(
            response
                .headers()
                .get("set-cookie")
                .is_none_or(|c| !c.to_str().unwrap_or("").starts_with("guichet_session"))
        );
        let html = response.text().await.expect("body");
        assert!(html.contains("Identifiant ou mot de passe incorrect."));
    }
    assert_eq!(browser.get("/").await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn sign_in_only_goes_on_to_local_pages() {
    let app = TestApp::spawn().await;
    for hostile in [
        "//evil.example/x",
        "/\t/evil.example/x",
        "/\n/evil.example",
        "/\\evil.example",
        "\\/evil.example",
        "/\u{1}evil",
        "https://evil.example/",
        "evil.example",
        "/ /evil.example",
        "/%2F%2Fevil.example".replace("%2F", "/").as_str(),
    ] {
        let browser = app.browser();
        let (_, html) = browser
            .get_text(&format!(
                "/login?next={}",
                form_urlencoded::byte_serialize(hostile.as_bytes()).collect::<String>()
            ))
            .await;
        assert!(
            !html.contains("evil.example"),
            "{hostile:?} kept in the form"
        );
        let token = csrf_of(&html).expect("token");
        let response = browser
            .post_raw(
                "/login",
                &[
                    ("username", "bob"),
                    ("password", "demo"),
                    ("next", hostile),
                    ("_csrf", &token),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{hostile:?}");
        assert_eq!(location(&response), "/", "{hostile:?}");
    }
    // A local path goes through, its non-ASCII characters encoded.
    let browser = app.browser();
    let (_, html) = browser.get_text("/login").await;
    let token = csrf_of(&html).expect("token");
    let response = browser
        .post_raw(
            "/login",
            &[
                ("username", "bob"),
                ("password", "demo"),
                ("next", "/search?q=accès"),
                ("_csrf", &token),
            ],
        )
        .await;
    assert_eq!(location(&response), "/search?q=acc%C3%A8s");
}

#[tokio::test]
async fn repeated_failures_wait_longer_and_longer() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    for _ in 0..3 {
        assert_eq!(
            browser.login("bob", "guess").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let response = browser.login("bob", "demo").await;
    assert_eq!(
        response.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    assert_eq!(response.headers()["retry-after"], "1");
    assert!(
        response
            .text()
            .await
            .expect("body")
            .contains("Trop de tentatives")
    );
    // Another user is not slowed by bob's failures.
    assert_eq!(
        app.browser().login("alice", "demo").await.status(),
        StatusCode::SEE_OTHER
    );
    // Each further failure doubles the wait.
    app.clock.advance(1);
    assert_eq!(
        browser.login("bob", "guess").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let response = browser.login("bob", "guess").await;
    assert_eq!(response.headers()["retry-after"], "2");
    app.clock.advance(2);
    assert_eq!(
        browser.login("bob", "demo").await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn the_api_is_throttled_too() {
    let app = TestApp::spawn().await;
    let api = app.api(None);
    let bad = serde_json::json!({"username": "tom", "password": "nope"});
    for _ in 0..3 {
        assert_eq!(
            api.post("/api/v1/login", &bad).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let good = serde_json::json!({"username": "tom", "password": "demo"});
    let response = api.post("/api/v1/login", &good).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().get("retry-after").is_some());
}

/// The seconds a throttled answer asks to wait.
fn retry_after(response: &reqwest::Response) -> i64 {
    response.headers()["retry-after"]
        .to_str()
        .expect("text")
        .parse()
        .expect("seconds")
}

/// An API client whose connections come from `source` (another loopback address).
fn api_from(app: &TestApp, source: &str) -> crate::support::Api {
    crate::support::Api {
        base: app.base.clone(),
        token: None,
        client: reqwest::Client::builder()
            .local_address(source.parse::<std::net::IpAddr>().expect("ip"))
            .build()
            .expect("client"),
    }
}

#[tokio::test]
async fn parallel_wrong_guesses_and_the_right_one_cannot_pass_the_limit() {
    let app = TestApp::spawn().await;
    let api = api_from(&app, "127.0.0.2");
    let mut calls = Vec::new();
    for i in 0..13 {
        let api = api.clone();
        let password = if i == 6 { "demo" } else { "wrong" };
        calls.push(tokio::spawn(async move {
            api.post(
                "/api/v1/login",
                &serde_json::json!({"username": "alice", "password": password}),
            )
            .await
            .status()
        }));
    }
    let mut checked = 0;
    for call in calls {
        if call.await.expect("call") != StatusCode::TOO_MANY_REQUESTS {
            checked += 1;
        }
    }
    assert!(checked <= 3, "{checked} passwords were checked at once");
}

#[tokio::test]
async fn the_owner_signs_in_from_elsewhere_while_an_attack_goes_on() {
    let app = TestApp::spawn().await;
    let attacker = api_from(&app, "127.0.0.2");
    let owner = api_from(&app, "127.0.0.3");
    let bad = serde_json::json!({"username": "admin", "password": "guess"});
    // The attacker guesses as fast as the throttle lets them, for a while.
    for _ in 0..40 {
        let response = attacker.post("/api/v1/login", &bad).await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            let wait = retry_after(&response);
            app.clock.advance(wait.min(30));
        }
    }
    let good = serde_json::json!({"username": "admin", "password": "demo"});
    let mut response = owner.post("/api/v1/login", &good).await;
    if response.status() == StatusCode::TOO_MANY_REQUESTS {
        let wait = retry_after(&response);
        assert!(wait <= 5, "the owner waits {wait} s");
        app.clock.advance(wait);
        response = owner.post("/api/v1/login", &good).await;
    }
    assert_eq!(response.status(), StatusCode::OK);
    // The attacker, meanwhile, is still kept waiting.
    assert_eq!(
        attacker.post("/api/v1/login", &good).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn forwarded_addresses_count_only_from_trusted_proxies() {
    // Without trusted proxies, a client cannot pick a new address with each guess.
    let app = TestApp::spawn().await;
    let api = app.api(None);
    for i in 0..4 {
        let response = api
            .client
            .post(app.url("/api/v1/login"))
            .header("x-forwarded-for", format!("203.0.113.{i}"))
            .json(&serde_json::json!({"username": "bob", "password": "x"}))
            .send()
            .await
            .expect("request");
        let expected = if i < 3 {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(response.status(), expected);
    }
    // Behind a trusted proxy, each client is counted on its own.
    let app = TestApp::spawn_configured(|config| {
        config.trusted_proxies = vec![guichet::config::IpRange::parse("127.0.0.1").expect("range")];
    })
    .await;
    let api = app.api(None);
    let login = |client: &'static str, password: &'static str| {
        api.client
            .post(app.url("/api/v1/login"))
            .header("x-forwarded-for", client)
            .json(&serde_json::json!({"username": "bob", "password": password}))
            .send()
    };
    for _ in 0..3 {
        assert_eq!(
            login("203.0.113.5", "x").await.expect("request").status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        login("203.0.113.5", "demo")
            .await
            .expect("request")
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        login("198.51.100.7", "demo")
            .await
            .expect("request")
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn guessing_the_current_password_is_throttled() {
    let app = TestApp::spawn().await;
    let api = app.api_as("alice").await;
    let guess = serde_json::json!({"current": "guess", "new": "a brand new password"});
    for _ in 0..3 {
        assert_eq!(
            api.post("/api/v1/me/password", &guess).await.status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    let right = serde_json::json!({"current": "demo", "new": "a brand new password"});
    assert_eq!(
        api.post("/api/v1/me/password", &right).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn logout_ends_the_session_for_good() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in("alice").await;
    let cookie_value = {
        // Replaying the old cookie after logout must not work either.
        let (_, html) = browser.get_text("/account").await;
        assert!(html.contains("Alice Durand"));
        csrf_of(&html).expect("token")
    };
    let response = browser
        .post_raw("/logout", &[("_csrf", &cookie_value)])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/login");
    assert_eq!(
        browser.get("/account").await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn forms_without_the_right_token_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in("alice").await;
    for token in [None, Some("0000"), Some("")] {
        let mut fields = vec![("locale", "en")];
        if let Some(token) = token {
            fields.push(("_csrf", token));
        }
        let response = browser.post_raw("/account/locale", &fields).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(
            response
                .text()
                .await
                .expect("body")
                .contains("Le formulaire a expiré")
        );
    }
    let (_, html) = browser.get_text("/account").await;
    assert!(
        html.contains("<html lang=\"fr\""),
        "the locale did not change"
    );
    // Logout without a token does not sign out.
    assert_eq!(
        browser.post_raw("/logout", &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(browser.get("/account").await.status(), StatusCode::OK);
    // The sign-in form has its own token too.
    let anonymous = app.browser();
    let response = anonymous
        .post_raw("/login", &[("username", "bob"), ("password", "demo")])
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_generated_password_must_be_changed_before_anything_else() {
    let app = TestApp::spawn_empty().await;
    let password = app
        .initial_admin_password
        .clone()
        .expect("first start prints a password");
    let browser = app.browser();
    let response = browser.login("admin", &password).await;
    assert_eq!(location(&response), "/account/password");
    for path in ["/", "/admin/users", "/account"] {
        let response = browser.get(path).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(location(&response), "/account/password");
    }
    let (_, html) = browser.get_text("/account/password").await;
    assert!(html.contains("Vous devez choisir un nouveau mot de passe"));

    // The API refuses everything but the password change too.
    let token = {
        let body = serde_json::json!({"username": "admin", "password": password});
        let (_, value) =
            crate::support::Api::json(app.api(None).post("/api/v1/login", &body).await).await;
        value["token"].as_str().expect("token").to_owned()
    };
    let api = app.api(Some(&token));
    let (status, body) = crate::support::Api::json(api.get("/api/v1/users").await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "password_change_required");
    assert_eq!(api.get("/api/v1/me").await.status(), StatusCode::OK);

    // A weak new password is refused with its reason, next to the field.
    let response = browser
        .submit(
            "/account/password",
            "/account/password",
            &[("current", &password), ("new", "short")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .expect("body")
            .contains("Au moins 8 caractères.")
    );
    let response = browser
        .submit(
            "/account/password",
            "/account/password",
            &[("current", "wrong"), ("new", "a long new secret")],
        )
        .await;
    assert!(
        response
            .text()
            .await
            .expect("body")
            .contains("pas votre mot de passe actuel.")
    );

    let response = browser
        .submit(
            "/account/password",
            "/account/password",
            &[("current", &password), ("new", "a long new secret")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(browser.get("/").await.status(), StatusCode::OK);
    // Other sessions (the API login) ended with the change.
    assert_eq!(
        api.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    // The old password no longer works; the new one does.
    assert_eq!(
        app.browser().login("admin", &password).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.browser()
            .login("admin", "a long new secret")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn sessions_expire() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in("tom").await;
    assert_eq!(browser.get("/").await.status(), StatusCode::OK);
    app.clock.advance(12 * 3600 + 1);
    assert_eq!(browser.get("/").await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_interface_follows_the_user_then_the_browser() {
    let app = TestApp::spawn().await;
    let anonymous = app.browser();
    let english = anonymous
        .client
        .get(app.url("/login"))
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("body");
    assert!(english.contains("<html lang=\"en\"") && english.contains("Sign in"));
    let (_, french) = anonymous.get_text("/login").await;
    assert!(french.contains("<html lang=\"fr\"") && french.contains("Se connecter"));

    // ?lang=en is remembered in a cookie for the next pages.
    let (_, picked) = anonymous.get_text("/login?lang=en").await;
    assert!(picked.contains("Sign in"));
    let (_, again) = anonymous.get_text("/login").await;
    assert!(again.contains("Sign in"));

    // A signed-in user's own preference wins over the browser's.
    let browser = app.signed_in("bob").await;
    let response = browser
        .submit("/account", "/account/locale", &[("locale", "en")])
        .await;
    assert_eq!(location(&response), "/account?done=saved");
    let (_, html) = browser.get_text("/account?done=saved").await;
    assert!(
        html.contains("<html lang=\"en\"")
            && html.contains("My account")
            && html.contains("Changes saved."),
        "{html}"
    );
}

#[tokio::test]
async fn the_demo_banner_lists_the_logins() {
    let app = TestApp::spawn().await;
    let (_, html) = app.browser().get_text("/login").await;
    assert!(html.contains("Mode démonstration"));
    for user in ["alice", "bob", "tom", "lea", "admin"] {
        assert!(html.contains(&format!("<code>{user}</code>")), "{user}");
    }
    let empty = TestApp::spawn_empty().await;
    let (_, html) = empty.browser().get_text("/login").await;
    assert!(!html.contains("Mode démonstration"));
}

#[tokio::test]
async fn security_headers_are_on_every_response() {
    let app = TestApp::spawn().await;
    for path in ["/login", "/healthz", "/nowhere"] {
        let response = app.browser().get(path).await;
        let headers = response.headers();
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert!(
            headers["content-security-policy"]
                .to_str()
                .expect("text")
                .starts_with("default-src 'self'")
        );
        assert!(
            headers.get("strict-transport-security").is_none(),
            "not over http"
        );
    }
    let app = TestApp::spawn_configured(|config| {
        config.base_url = Some("https://it.example.org".into());
    })
    .await;
    let response = app.browser().get("/login").await;
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000"
    );
}

#[tokio::test]
async fn admin_asks_a_signed_out_visitor_to_sign_in_first() {
    let app = TestApp::spawn().await;
    let response = app.browser().get("/admin").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&response).starts_with("/login"),
        "{}",
        location(&response)
    );
    let admin = app.signed_in("admin").await;
    assert_eq!(location(&admin.get("/admin").await), "/admin/users");
    assert_eq!(
        app.signed_in("alice").await.get("/admin").await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn unknown_pages_answer_by_audience() {
    let app = TestApp::spawn().await;
    let anonymous = app.browser().get("/no/such/page").await;
    assert_eq!(
        anonymous.status(),
        StatusCode::SEE_OTHER,
        "no hint of what exists before sign-in"
    );
    let browser = app.signed_in("alice").await;
    let (status, html) = browser.get_text("/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Page introuvable"));
    let (status, body) =
        crate::support::Api::json(app.api(None).get("/api/v1/nothing").await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
    // A path that is not UTF-8 once decoded is just as unknown: a page, or JSON.
    let (status, html) = browser.get_text("/requests/%FF").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Page introuvable"), "{html}");
    let api = app.api_as("alice").await;
    let (status, body) = crate::support::Api::json(api.get("/api/v1/requests/%FF%FE").await).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (StatusCode::NOT_FOUND, &serde_json::json!("not_found"))
    );
}

/// The stylesheet at `path` as `html` links it (with its version), checked served as CSS and
/// cached for good.
async fn stylesheet(app: &TestApp, html: &str, path: &str) -> String {
    let start = html
        .find(&format!("{path}?v="))
        .expect("linked with its version");
    let url = &html[start..start + html[start..].find('"').expect("end")];
    let response = app.browser().get(url).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/css; charset=utf-8"
    );
    assert!(
        response.headers()["cache-control"]
            .to_str()
            .expect("text")
            .contains("immutable")
    );
    response.text().await.expect("css")
}

/// On a phone a table of requests becomes cards whose cells are named by a stylesheet made
/// from each language's texts, linked from every page and cached like the files.
#[tokio::test]
async fn request_tables_name_their_cells_from_one_generated_stylesheet() {
    let app = TestApp::spawn().await;
    let tom = app.signed_in("tom").await;
    let (_, desk) = tom.get_text("/desk").await;
    assert!(desk.contains("<table class=\"requests listing with-requester\">"));
    assert!(
        !desk.contains("data-label"),
        "no label repeated in every row"
    );
    let (_, mine) = app.signed_in("alice").await.get_text("/my/requests").await;
    assert!(
        mine.contains("<table class=\"requests listing\">"),
        "{mine}"
    );
    let css = stylesheet(&app, &desk, "/assets/labels.css").await;
    for rule in [
        "html[lang=\"fr\"] table.listing td:nth-child(4)::before { content: \"Assignée à\"; }",
        "html[lang=\"fr\"] table.listing.with-requester td:nth-child(4)::before { content: \"Demandeur\"; }",
        "html[lang=\"en\"] table.listing.with-requester td:nth-child(7)::before { content: \"Expected\"; }",
    ] {
        assert!(css.contains(rule), "{rule} in {css}");
    }
    let stale = app.browser().get("/assets/labels.css?v=old").await;
    assert_eq!(stale.headers()["cache-control"], "no-cache");
}

#[tokio::test]
async fn assets_are_served_with_long_caching_when_versioned() {
    let app = TestApp::spawn().await;
    let (_, html) = app.browser().get_text("/login").await;
    // The site icon: named in every page, and where browsers look for it on their own.
    assert!(html.contains("rel=\"icon\""));
    let icon = app.browser().get("/favicon.ico").await;
    assert_eq!(icon.status(), StatusCode::PERMANENT_REDIRECT);
    let target = location(&icon);
    assert!(target.starts_with("/assets/favicon.svg?v="), "{target}");
    let svg = app.browser().get(&target).await;
    assert_eq!(svg.status(), StatusCode::OK);
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    stylesheet(&app, &html, "/assets/app.css").await;
    let stale = app.browser().get("/assets/app.css?v=old").await;
    assert_eq!(stale.headers()["cache-control"], "no-cache");
    assert_eq!(
        app.browser().get("/assets/missing.css").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.browser()
            .get("/assets/vendor/pico/LICENSE.md")
            .await
            .status(),
        StatusCode::OK
    );
}
