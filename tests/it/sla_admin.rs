//! The SLA administration pages: calendars and policies made, refused and deleted through the
//! forms an admin fills, the default calendar, the service form's policy select, a service's
//! promise on its page, and the desk's order and deadline filters.

use crate::support::{Api, Browser, TestApp, location};
use reqwest::StatusCode;
use serde_json::Value;

async fn items(api: &Api, path: &str) -> Vec<Value> {
    let (status, body) = Api::json(api.get(path).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().cloned().expect("items")
}

fn id_named(items: &[Value], name: &str) -> u64 {
    items
        .iter()
        .find(|i| i["name"] == name)
        .and_then(|i| i["id"].as_u64())
        .unwrap_or_else(|| panic!("{name} in {items:?}"))
}

async fn post(
    admin: &Browser,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let response = admin.submit(page, action, fields).await;
    let status = response.status();
    let to = location(&response);
    (status, to, response.text().await.expect("body"))
}

#[tokio::test]
async fn an_admin_makes_a_calendar_through_the_form_and_bad_ones_are_refused() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin").await;
    let api = app.api_as("admin").await;
    let (status, html) = admin.get_text("/admin/sla").await;
    assert_eq!(status, StatusCode::OK);
    for shown in [
        "Critique",
        "Standard",
        "Heures de bureau",
        "Création de VM",
        "Lundi–Vendredi 09:00–18:00",
    ] {
        assert!(html.contains(shown), "{shown} on the overview");
    }

    for missing in [
        "/admin/sla/rules/new",
        "/admin/sla/calendars/999",
        "/admin/sla/policies/x",
    ] {
        assert_eq!(
            admin.get(missing).await.status(),
            StatusCode::NOT_FOUND,
            "{missing}"
        );
    }
    let before = items(&api, "/api/v1/calendars").await.len();
    let (status, _, html) = post(
        &admin,
        "/admin/sla/calendars/new",
        "/admin/sla/calendars",
        &[
            ("name", "Support US"),
            ("time_zone", "Mars/Olympus"),
            ("hours_tue", "9h-18h"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Doit être un fuseau horaire IANA"), "{html}");
    assert!(html.contains("Les heures s"), "the hours error is named");
    assert!(
        html.contains("value=\"9h-18h\""),
        "what was typed comes back"
    );
    assert_eq!(items(&api, "/api/v1/calendars").await.len(), before);

    let (status, to, _) = post(
        &admin,
        "/admin/sla/calendars/new",
        "/admin/sla/calendars",
        &[
            ("name", "Support US"),
            ("time_zone", "America/New_York"),
            ("hours_mon", "08:00-12:00, 13:00-17:00"),
            ("hours_fri", "08:00–12:00"),
            ("yearly", "07-04 Independence Day\n12-25 Christmas"),
            ("other", "2027-11-25 Thanksgiving"),
        ],
    )
    .await;
    assert_eq!(
        (status, to.as_str()),
        (StatusCode::SEE_OTHER, "/admin/sla?done=saved")
    );
    let calendars = items(&api, "/api/v1/calendars").await;
    let us = calendars
        .iter()
        .find(|c| c["name"] == "Support US")
        .expect("saved");
    assert_eq!(us["time_zone"], "America/New_York");
    assert_eq!(us["hours"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        us["hours"][2],
        serde_json::json!({"day": "fri", "from": "08:00", "to": "12:00"})
    );
    let holidays = us["holidays"].as_array().expect("holidays");
    assert_eq!(holidays.len(), 3);
    assert!(
        holidays
            .iter()
            .any(|h| h["name"] == "Independence Day" && h["yearly"] == true)
    );
    assert!(
        holidays
            .iter()
            .any(|h| h["date"] == "2027-11-25" && h["yearly"] == false)
    );

    // The edit page gives back what was saved, in the form's own notation.
    let id = us["id"].as_u64().expect("id");
    let (_, html) = admin.get_text(&format!("/admin/sla/calendars/{id}")).await;
    assert!(html.contains("value=\"08:00-12:00, 13:00-17:00\""));
    assert!(html.contains("07-04 Independence Day"));

    // Made the default, it cannot be deleted; the overview says so by its select.
    let (status, _, _) = post(
        &admin,
        "/admin/sla",
        "/admin/sla/default-calendar",
        &[("calendar_id", &id.to_string())],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = admin.get_text("/admin/sla").await;
    assert!(html.contains(&format!("<option value=\"{id}\" selected>Support US")));
    let page = format!("/admin/sla/calendars/{id}");
    let action = format!("{page}/delete");
    let (status, _, _) = post(&admin, &page, &action, &[("confirm", "yes")]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _, _) = post(
        &admin,
        "/admin/sla",
        "/admin/sla/default-calendar",
        &[("calendar_id", "")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // Asked first, then deleted.
    let (status, _, html) = post(&admin, &page, &action, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Supprimer ce calendrier ?"));
    let (status, to, _) = post(&admin, &page, &action, &[("confirm", "yes")]).await;
    assert_eq!(
        (status, to.as_str()),
        (StatusCode::SEE_OTHER, "/admin/sla?done=deleted")
    );
    assert_eq!(items(&api, "/api/v1/calendars").await.len(), before);

    // A calendar a policy counts in stays.
    let office = id_named(&items(&api, "/api/v1/calendars").await, "Heures de bureau");
    let page = format!("/admin/sla/calendars/{office}");
    let (_, html) = admin.get_text(&page).await;
    assert!(html.contains("Utilisé par\u{a0}: Critique, Standard"));
    let (status, _, _) = post(
        &admin,
        &page,
        &format!("{page}/delete"),
        &[("confirm", "yes")],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn an_admin_makes_a_policy_through_the_form_and_bad_ones_are_refused() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin").await;
    let api = app.api_as("admin").await;
    let office = id_named(&items(&api, "/api/v1/calendars").await, "Heures de bureau").to_string();
    let before = items(&api, "/api/v1/sla-policies").await.len();
    let good = [
        ("name", "Or"),
        ("calendar_id", office.as_str()),
        ("response_target", "30"),
        ("response_unit", "minutes"),
        ("resolution_target", "2"),
        ("resolution_unit", "days"),
        ("t0_target", "response"),
        ("t0_percent", "80"),
        ("t0_team", "on"),
        ("t1_target", "resolution"),
        ("t1_percent", "100"),
        ("t1_assignee", "on"),
        ("t1_admins", "on"),
        ("t2_target", "resolution"),
        ("t2_percent", ""),
    ];
    // A response alert that tells only the assignee reaches nobody: refused, in words.
    let mut bad = good.to_vec();
    bad[8] = ("t0_assignee", "on");
    let (status, _, html) = post(
        &admin,
        "/admin/sla/policies/new",
        "/admin/sla/policies",
        &bad,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("Une alerte de prise en charge part avant"),
        "{html}"
    );
    assert!(html.contains("value=\"Or\""));
    let (status, _, html) = post(
        &admin,
        "/admin/sla/policies/new",
        "/admin/sla/policies",
        &[
            ("name", ""),
            ("response_target", "zero"),
            ("calendar_id", "999"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Doit être un nombre"), "{html}");
    assert_eq!(items(&api, "/api/v1/sla-policies").await.len(), before);

    let (status, to, _) = post(
        &admin,
        "/admin/sla/policies/new",
        "/admin/sla/policies",
        &good,
    )
    .await;
    assert_eq!(
        (status, to.as_str()),
        (StatusCode::SEE_OTHER, "/admin/sla?done=saved")
    );
    let policies = items(&api, "/api/v1/sla-policies").await;
    let or = policies.iter().find(|p| p["name"] == "Or").expect("saved");
    assert_eq!(or["calendar_id"].to_string(), office);
    assert_eq!(
        or["response_target"],
        serde_json::json!({"value": 30, "unit": "minutes"})
    );
    assert_eq!(
        or["resolution_target"],
        serde_json::json!({"value": 2, "unit": "days"})
    );
    assert_eq!(
        or["thresholds"],
        serde_json::json!([
            {"target": "response", "percent": 80, "notify": ["team"]},
            {"target": "resolution", "percent": 100, "notify": ["assignee", "admins"]},
        ])
    );
    let id = or["id"].as_u64().expect("id");
    let (_, html) = admin.get_text("/admin/sla").await;
    assert!(html.contains("30 minutes ouvrées") && html.contains("2 jours ouvrés"));

    // The service form offers policies by name, the current one selected.
    let vm = crate::requests::service_id(&api, crate::requests::VM).await;
    let standard = id_named(&policies, "Standard");
    let (_, html) = admin.get_text(&format!("/admin/services/{vm}")).await;
    assert!(html.contains(&format!("<option value=\"{standard}\" selected>Standard")));
    assert!(html.contains(&format!("<option value=\"{id}\">Or")));

    // A policy in use has no delete button and a forced delete is refused.
    let page = format!("/admin/sla/policies/{standard}");
    let (_, html) = admin.get_text(&page).await;
    assert!(html.contains("Utilisé par\u{a0}: "));
    assert!(!html.contains(&format!("{page}/delete")));
    let (status, _, _) = post(
        &admin,
        &page,
        &format!("{page}/delete"),
        &[("confirm", "yes")],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);

    let page = format!("/admin/sla/policies/{id}");
    let (status, _, html) = post(&admin, &page, &format!("{page}/delete"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Supprimer cette politique SLA ?"));
    let (status, _, _) = post(
        &admin,
        &page,
        &format!("{page}/delete"),
        &[("confirm", "yes")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _) = Api::json(api.get(&format!("/api/v1/sla-policies/{id}")).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_service_under_sla_promises_its_targets_and_the_desk_sorts_by_urgency() {
    let app = TestApp::spawn().await;
    let api = app.api_as("admin").await;
    let vm = crate::requests::service_id(&api, crate::requests::VM).await;
    let vpn = crate::requests::service_id(&api, crate::requests::VPN).await;
    let alice = app.signed_in("alice").await;
    let (_, html) = alice.get_text(&format!("/services/{vm}")).await;
    assert!(html.contains("Engagement de service"));
    assert!(
        html.contains("Prise en charge sous 4 heures ouvrées, résolution sous 3 jours ouvrés.")
    );
    assert!(
        !html.contains("Délai estimé"),
        "the deadlines replace the estimate"
    );
    let (_, html) = alice.get_text(&format!("/services/{vpn}")).await;
    assert!(html.contains("Délai estimé") && !html.contains("Engagement de service"));

    let tom = app.signed_in("tom").await;
    let (status, html) = tom.get_text("/desk?sort=urgent&due=soon").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<option value=\"urgent\" selected>"));
    assert!(html.contains("<option value=\"soon\" selected>"));
    let (status, html) = tom.get_text("/desk?sort=fastest").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("Doit être newest, oldest ou urgent"));
}
