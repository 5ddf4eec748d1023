//! A request's whole life as the people involved see it: the requester finds a service
//! (browsing, then searching with a typo and taking a suggestion from the keyboard), fails then
//! succeeds to submit it with a file; the technician filters the desk, takes it, comments
//! internally and externally, completes it; the requester sees the result and the notification
//! but not the internal comment. On a desktop in French, then on a phone in English, dark.

use super::{Page, Run, run};
use crate::support::TestApp;
use fantoccini::key::Key;
use std::sync::{Arc, Mutex};

const SERVICE: &str = "Remplacement d'un poste en panne";
const INTERNAL: &str = "Carte mère HS, voir fournisseur";
const EXTERNAL: &str = "Un poste de prêt vous attend à l'accueil.";

#[tokio::test]
async fn request_life_on_a_desktop_in_french() {
    let app = TestApp::spawn().await;
    life(
        &app,
        Run::desktop_fr("requester-fr"),
        Run::desktop_fr("desk-fr"),
    )
    .await;
}

#[tokio::test]
async fn request_life_on_a_phone_in_english_dark() {
    let app = TestApp::spawn().await;
    life(
        &app,
        Run::phone_en_dark("requester-phone-en"),
        Run::phone_en_dark("desk-phone-en"),
    )
    .await;
}

async fn life(app: &TestApp, requester: Run, technician: Run) {
    let english = requester.lang.starts_with("en");
    let number = Arc::new(Mutex::new(String::new()));
    let photo = tempfile::NamedTempFile::with_suffix(".png").expect("photo");
    std::fs::write(photo.path(), PNG).expect("photo bytes");
    let photo_path = photo.path().display().to_string();

    let submitted = number.clone();
    run(app, requester, move |p| async move {
        p.sign_in("alice").await;
        browse(&p).await;
        search_with_typo(&p).await;
        let n = submit(&p, english, &photo_path).await;
        *submitted.lock().expect("number") = n;
    })
    .await;
    let n = number.lock().expect("number").clone();
    if n.is_empty() {
        return; // skipped: no browser here
    }

    let taken = n.clone();
    run(app, technician, move |p| async move {
        p.sign_in("tom").await;
        work_on(&p, &taken, english).await;
        p.sign_out().await;
    })
    .await;

    let again = if english {
        Run::phone_en_dark("requester-phone-en-after")
    } else {
        Run::desktop_fr("requester-fr-after")
    };
    run(app, again, move |p| async move {
        p.sign_in("alice").await;
        p.open_menu().await;
        p.follow("header a[href='/notifications']", "notifications")
            .await;
        p.sees(&n).await;
        p.follow(&format!("main a[href='/requests/{n}']"), "request-after")
            .await;
        p.sees(EXTERNAL).await;
        p.does_not_see(INTERNAL).await;
        p.sees(if english { "Done" } else { "Terminée" }).await;
        // Opening the request marked its notifications read.
        p.go("/notifications").await;
        let unread = format!("main li.unread a[href='/requests/{n}']");
        assert_eq!(p.count(&unread).await, 0, "its notifications are read");
        p.sign_out().await;
    })
    .await;
}

/// From the home page to the service, through a category and its sub-category.
async fn browse(p: &Page) {
    p.go("/").await;
    p.click_text("Équipement").await;
    p.sees("Poste de travail").await;
    p.click_text("Poste de travail").await;
    p.sees(SERVICE).await;
}

/// The results page for a misspelt query, then a misspelt search in the header box and a
/// suggestion chosen with the arrow keys and Enter.
async fn search_with_typo(p: &Page) {
    p.go("/search?q=anomalie+aplicative").await;
    p.sees("Signaler une anomalie applicative").await;
    p.go("/").await;
    let search = p.find("header input[type=search]").await;
    search.send_keys("remplacment").await.expect("type");
    let first = p.find("header .suggestions a").await;
    assert!(first.text().await.expect("text").contains(SERVICE));
    search
        .send_keys(&Key::Down.to_string())
        .await
        .expect("down");
    let focused = p
        .client
        .execute("return document.activeElement.textContent", vec![])
        .await
        .expect("focus");
    assert!(
        focused.as_str().unwrap_or_default().contains(SERVICE),
        "arrow down reaches the suggestion, focus on {focused}"
    );
    p.client
        .active_element()
        .await
        .expect("focused")
        .send_keys(&Key::Enter.to_string())
        .await
        .expect("enter");
    p.find("form.request-form").await;
    p.step("service-from-suggestion").await;
    p.sees(SERVICE).await;
}

/// Submits with the description missing (kept values, message next to the field), then with it
/// and a photo; answers the request number from the confirmation.
async fn submit(p: &Page, english: bool, photo: &str) -> String {
    p.fill("#f-inventaire", "INV-2042").await;
    p.submit("form.request-form button[type=submit]", "missing-field")
        .await;
    let error = p.text("#f-panne-error").await;
    assert!(!error.is_empty(), "the missing answer is explained");
    assert_eq!(
        p.value("#f-inventaire").await,
        "INV-2042",
        "typed value kept"
    );
    let focused = p
        .client
        .execute("return document.activeElement.id", vec![])
        .await
        .expect("focus");
    assert_eq!(focused, "f-panne", "focus goes to the first field to fix");

    p.fill("#f-panne", "L'écran reste noir au démarrage.").await;
    p.find("#f-photo")
        .await
        .send_keys(photo)
        .await
        .expect("file");
    p.submit("form.request-form button[type=submit]", "submitted")
        .await;
    let number = p.text(".confirmation .tracking").await;
    assert!(number.starts_with("REQ-"), "confirmation number: {number}");
    // The service is under the "Critique" SLA policy: its promise replaces the estimate.
    p.sees(if english {
        "Response within 1 working hour"
    } else {
        "Prise en charge sous 1 heure ouvrée"
    })
    .await;

    p.open_menu().await;
    p.follow("header a[href='/my/requests']", "my-requests")
        .await;
    p.sees(&number).await;
    number
}

/// The technician's part: desk filtered to unassigned requests of the service, take, two
/// comments, complete.
async fn work_on(p: &Page, number: &str, english: bool) {
    p.open_menu().await;
    p.follow("header a[href='/desk']", "desk").await;
    p.find("form.desk-filters select[name=assignee]")
        .await
        .select_by_value("none")
        .await
        .expect("filter");
    p.choose("form.desk-filters select[name=service]", SERVICE)
        .await;
    p.submit("form.desk-filters button[type=submit]", "desk-filtered")
        .await;
    p.follow(&format!("main a[href='/requests/{number}']"), "request")
        .await;
    p.submit("form[action$='/take'] button", "taken").await;
    p.sees(if english {
        "Assigned to"
    } else {
        "Assignée à"
    })
    .await;

    p.fill("#comment-body", INTERNAL).await;
    p.click("input[name=internal]").await;
    p.submit("form.comment-form button[type=submit]", "internal-comment")
        .await;
    p.fill("#comment-body", EXTERNAL).await;
    p.submit("form.comment-form button[type=submit]", "comment")
        .await;
    p.sees(INTERNAL).await;
    p.sees(EXTERNAL).await;

    p.fill("#resolution", "Poste remplacé.").await;
    p.submit("form[action$='/complete'] button", "completed")
        .await;
    p.sees(if english { "Done" } else { "Terminée" }).await;
}

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];
