//! The manager's decisions, on a desktop in French: the approvals page shows each request's
//! answers; refusing without a reason is explained next to that request; approving and
//! rejecting with a reason say what happened, and the requester reads the reason.

use super::{Run, run};
use crate::requests::{VPN, service_id, submit, vpn_data};
use crate::support::TestApp;

#[tokio::test]
async fn a_manager_approves_and_rejects_with_a_reason() {
    let app = TestApp::spawn().await;
    let alice = app.api_as("alice").await;
    let vpn = service_id(&alice, VPN).await;
    let first = submit(&alice, vpn, vpn_data()).await["number"]
        .as_str()
        .expect("number")
        .to_owned();
    let second = submit(&alice, vpn, vpn_data()).await["number"]
        .as_str()
        .expect("number")
        .to_owned();
    let (one, two) = (first.clone(), second.clone());
    run(&app, Run::desktop_fr("approvals-fr"), move |p| async move {
        p.sign_in("bob").await;
        p.follow("header a[href='/approvals']", "approvals").await;
        // The answers are there to decide on.
        p.sees("Télétravail le vendredi").await;

        let reject = format!("form[action='/requests/{two}/decide'] button[value=reject]");
        p.submit(&reject, "reject-without-reason").await;
        let title = p.text("main h1").await;
        assert_eq!(
            title, "En attente de ma validation",
            "the approvals page again"
        );
        let error = p.text(&format!("#reason-{two} ~ .field-error")).await;
        assert!(!error.is_empty(), "the missing reason is explained");

        p.fill(
            &format!("#reason-{two}"),
            "Pas de télétravail pendant l'inventaire",
        )
        .await;
        p.submit(&reject, "rejected").await;
        p.sees(&format!("{two} : refusée")).await;

        let approve = format!("form[action='/requests/{one}/decide'] button[value=approve]");
        p.submit(&approve, "approved").await;
        p.sees(&format!("{one} : approuvée")).await;
        for decided in [&one, &two] {
            let form = format!("form[action='/requests/{decided}/decide']");
            assert_eq!(p.count(&form).await, 0, "{decided} no longer waits");
        }
        p.sign_out().await;
    })
    .await;
    if !super::driver::available() {
        return;
    }
    let (_, page) = app
        .signed_in("alice")
        .await
        .get_text(&format!("/requests/{second}"))
        .await;
    assert!(
        page.contains("Pas de télétravail pendant l&#39;inventaire")
            || page.contains("Pas de télétravail pendant l'inventaire"),
        "the requester reads the reason"
    );
    let (_, page) = app
        .signed_in("alice")
        .await
        .get_text(&format!("/requests/{first}"))
        .await;
    assert!(page.contains("s-approved\">Validée"), "approved: {page}");
}
