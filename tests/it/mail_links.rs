//! One-click approvals from the approver's mail: the link's page changes nothing; its form
//! decides, once, as the approver, and the timeline says it came by mail; a link that is
//! forged, for the other decision, reused, expired, or for someone who no longer approves
//! answers a clear page and changes nothing.

use crate::mail::{mail_app, mailed_link};
use crate::requests::{VPN, service_id, submit, vpn_data};
use crate::support::smtp::SmtpSink;
use crate::support::{Api, Browser, TestApp, csrf_of};
use reqwest::StatusCode;
use serde_json::json;

/// The approve and reject paths of the last approval mail sent to `to`.
fn links(sink: &SmtpSink, to: &str) -> (String, String) {
    (
        mailed_link(sink, to, "/approve/"),
        mailed_link(sink, to, "/reject/"),
    )
}

/// Posts `fields` to `path` as the link's page would, with the visitor's form token (taken
/// from the sign-in page: the refusal pages hold no form).
async fn post(visitor: &Browser, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let (_, html) = visitor.get_text("/login").await;
    let token = csrf_of(&html).expect("a form token");
    let mut all = fields.to_vec();
    all.push(("_csrf", &token));
    visitor.post_raw(path, &all).await
}

async fn status_of(api: &Api, id: u64) -> String {
    let (_, r) = Api::json(api.get(&format!("/api/v1/requests/{id}")).await).await;
    r["status"].as_str().expect("status").to_owned()
}

async fn a_vpn_request(app: &TestApp, alice: &Api) -> u64 {
    let vpn = service_id(alice, VPN).await;
    let id = submit(alice, vpn, vpn_data()).await["id"]
        .as_u64()
        .expect("id");
    app.clock.advance(60);
    app.ops().run_due(app.ops().now()).await.expect("jobs");
    id
}

#[tokio::test]
async fn an_approver_decides_once_from_the_mail_and_bad_links_change_nothing() {
    let sink = SmtpSink::start().await;
    let app = mail_app(sink.addr).await;
    let alice = app.api_as("alice").await;
    let id = a_vpn_request(&app, &alice).await;
    let (approve, reject) = links(&sink, "bob@demo.guichet.test");

    // Following the link (as a mail scanner would) shows the confirmation and changes nothing.
    let visitor = app.browser();
    let (status, html) = visitor.get_text(&approve).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Valider la demande") && html.contains("Bob Martin"),
        "{html}"
    );
    assert_eq!(status_of(&alice, id).await, "pending_approval");

    // Forged or altered, or one decision's link used for the other: not found.
    let mut forged = approve.clone();
    let last = forged.pop().expect("a character");
    forged.push(if last == '0' { '1' } else { '0' });
    let swapped = approve.replace("/approve/", "/reject/");
    for bad in [
        forged.as_str(),
        swapped.as_str(),
        "/approve/00",
        "/reject/zz",
    ] {
        let (status, html) = visitor.get_text(bad).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{bad}");
        assert!(html.contains("pas valide"), "{bad}: {html}");
        let response = post(&visitor, bad, &[("reason", "non")]).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{bad}");
    }
    assert_eq!(status_of(&alice, id).await, "pending_approval");

    // A rejection needs its reason: asked again, nothing decided.
    let response = post(&visitor, &reject, &[("reason", "  ")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(status_of(&alice, id).await, "pending_approval");

    // The approval decides, as Bob, and the timeline says it came by mail.
    let response = post(&visitor, &approve, &[("comment", "OK pour moi")]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response
            .text()
            .await
            .expect("body")
            .contains("Demande validée")
    );
    assert_eq!(status_of(&alice, id).await, "approved");
    let (_, events) = Api::json(alice.get(&format!("/api/v1/requests/{id}/events")).await).await;
    let kinds: Vec<&str> = events
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["type"].as_str())
        .collect();
    assert!(
        kinds.ends_with(&["approved", "decided_by_mail"]),
        "{kinds:?}"
    );
    let approved = &events[events.as_array().expect("events").len() - 2];
    assert_eq!(approved["by"], json!(2), "decided as Bob");
    assert_eq!(approved["comment"], "OK pour moi");

    // Used: both links now answer that the step was decided, and change nothing.
    for used in [&approve, &reject] {
        let (status, html) = visitor.get_text(used).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(html.contains("déjà été décidée"), "{html}");
        let response = post(&visitor, used, &[("reason", "finalement non")]).await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
    }
    assert_eq!(status_of(&alice, id).await, "approved");
}

#[tokio::test]
async fn expired_links_and_links_of_a_former_approver_change_nothing() {
    let sink = SmtpSink::start().await;
    let app = mail_app(sink.addr).await;
    let alice = app.api_as("alice").await;
    let first = a_vpn_request(&app, &alice).await;
    let (old_approve, _) = links(&sink, "bob@demo.guichet.test");

    // Eight days later the link has expired.
    app.clock.advance(8 * 86_400);
    let alice = app.api_as("alice").await;
    let visitor = app.browser();
    let (status, html) = visitor.get_text(&old_approve).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(html.contains("expiré"), "{html}");
    let response = post(&visitor, &old_approve, &[]).await;
    assert_eq!(response.status(), StatusCode::GONE);
    assert_eq!(status_of(&alice, first).await, "pending_approval");

    // Bob is deactivated: his fresh link no longer decides anything.
    let second = a_vpn_request(&app, &alice).await;
    let (approve, _) = links(&sink, "bob@demo.guichet.test");
    let admin = app.api_as("admin").await;
    let response = admin
        .put("/api/v1/users/2", &json!({"active": false}))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let (status, html) = visitor.get_text(&approve).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("plus la personne qui valide"), "{html}");
    let response = post(&visitor, &approve, &[]).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert_eq!(status_of(&alice, second).await, "pending_approval");
}
