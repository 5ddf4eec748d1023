//! The interface language: a user who never chose follows the browser; the switch on every page
//! changes it in place and keeps it in the profile; a choice made on the sign-in page is kept too.

use super::{Run, run};
use crate::support::TestApp;

async fn lang_of(p: &super::Page) -> String {
    p.find("html")
        .await
        .attr("lang")
        .await
        .expect("lang")
        .unwrap_or_default()
}

#[tokio::test]
async fn the_language_follows_the_browser_until_chosen_and_the_choice_is_kept() {
    let app = TestApp::spawn().await;
    // Alice never chose: a French browser gets French; the switch turns the same page English.
    run(&app, Run::desktop_fr("language-switch"), |p| async move {
        p.sign_in("alice").await;
        p.go("/my/requests").await;
        assert_eq!(lang_of(&p).await, "fr");
        p.submit("header button.lang-switch", "switched").await;
        assert_eq!(p.path().await, "/my/requests", "the same page");
        assert_eq!(lang_of(&p).await, "en");
        p.sees("My requests").await;
    })
    .await;
    // Another French browser: Alice's choice wins. Bob picks English on the sign-in page.
    run(&app, Run::desktop_fr("language-kept"), |p| async move {
        p.sign_in("alice").await;
        assert_eq!(lang_of(&p).await, "en", "the profile's choice wins");
        p.sign_out().await;
        p.go("/login").await;
        p.follow("header a[href='?lang=en']", "login-en").await;
        assert_eq!(lang_of(&p).await, "en");
        p.fill("input[name=username]", "bob").await;
        p.fill("input[name=password]", "demo").await;
        p.submit("form[action='/login'] button[type=submit]", "bob-en")
            .await;
        assert_eq!(lang_of(&p).await, "en");
    })
    .await;
    if !super::driver::available() {
        return;
    }
    // Without any cookie, from a French browser, Bob's profile now says English.
    let bob = app.signed_in("bob").await;
    let (_, html) = bob.get_text("/").await;
    assert!(html.contains("<html lang=\"en\""), "bob's choice was kept");
    let lea = app.signed_in("lea").await;
    let response = lea
        .client
        .get(app.url("/"))
        .header("accept-language", "en-US,en;q=0.9")
        .send()
        .await
        .expect("page");
    let html = response.text().await.expect("body");
    assert!(
        html.contains("<html lang=\"en\""),
        "a user who never chose follows the browser"
    );
}
