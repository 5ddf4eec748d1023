//! The pages keep what rarely changes (the catalog, the people) decoded once per version, the
//! API's services listing written once per version, and what every page's frame reads (the
//! session, the header's counts, the most requested services) until the next commit: each
//! change shows on the very next request — a catalog edit, a new request, a renamed person, a
//! role change, a team renamed, a session ended, a request waiting for one's decision.

use crate::requests::{PASSWORD, VPN, service_id, submit, vpn_data};
use crate::support::{Api, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn document(api: &Api, path: &str) -> Value {
    let (status, doc) = Api::json(api.get(path).await).await;
    assert_eq!(status, StatusCode::OK, "{path}: {doc}");
    doc
}

async fn put(api: &Api, path: &str, doc: &Value) {
    let (status, body) = Api::json(api.put(path, doc).await).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
}

/// The names a listing of services holds.
fn names(listing: &Value) -> Vec<String> {
    listing
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|s| s["name"].as_str().map(str::to_owned))
        .collect()
}

/// The options of the `<select name="{name}">` of a page.
fn select<'a>(html: &'a str, name: &str) -> &'a str {
    let start = html
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("no {name} picker"));
    let end = html[start..].find("</select>").expect("end of the picker");
    &html[start..start + end]
}

#[tokio::test]
async fn a_catalog_change_shows_on_the_very_next_request() {
    let app = TestApp::spawn().await;
    let admin = app.api_as("admin").await;
    let alice_api = app.api_as("alice").await;
    let alice = app.signed_in("alice").await;
    let id = service_id(&alice_api, VPN).await;
    let path = format!("/api/v1/services/{id}");
    let mut doc = document(&admin, &path).await;
    let category = format!("/catalog/{}", doc["category_id"]);
    let in_category = format!("/api/v1/services?category={}", doc["category_id"]);
    // Every page and listing is read once, so that each keeps its copy.
    for page in ["/", &category, &format!("/services/{id}")] {
        let (status, html) = alice.get_text(page).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(
            html.contains(VPN) || page == "/",
            "{page} shows the service"
        );
    }
    for listing in ["/api/v1/services", &in_category] {
        assert!(names(&document(&alice_api, listing).await).contains(&VPN.to_owned()));
    }
    // The listings' filter forms offer every service, and are kept written too.
    let lea = app.signed_in("lea").await;
    for (who, page) in [(&alice, "/my/requests"), (&lea, "/desk")] {
        let (_, html) = who.get_text(page).await;
        assert!(select(&html, "service").contains(VPN), "{page}");
    }

    doc["name"] = json!("Accès distant (VPN)");
    put(&admin, &path, &doc).await;
    for (who, page) in [(&alice, "/my/requests"), (&lea, "/desk")] {
        let (_, html) = who.get_text(page).await;
        let services = select(&html, "service");
        assert!(services.contains("Accès distant (VPN)"), "{page}");
        assert!(!services.contains(&format!(">{VPN}<")), "{page}");
    }
    for page in [&category, &format!("/services/{id}")] {
        let (_, html) = alice.get_text(page).await;
        assert!(
            html.contains("Accès distant (VPN)"),
            "{page} shows the new name"
        );
    }
    for listing in ["/api/v1/services", &in_category] {
        let found = names(&document(&alice_api, listing).await);
        assert!(
            found.contains(&"Accès distant (VPN)".to_owned()),
            "{listing}"
        );
        assert!(!found.contains(&VPN.to_owned()), "{listing}");
    }

    // Made inactive: gone for a requester at once, still listed (marked) for the IT team.
    doc["name"] = json!(VPN);
    doc["active"] = json!(false);
    put(&admin, &path, &doc).await;
    assert_eq!(
        alice.get(&format!("/services/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let (_, html) = alice.get_text(&category).await;
    assert!(
        !html.contains(&format!("href=\"/services/{id}\"")),
        "the category page hides it"
    );
    for listing in ["/api/v1/services", &in_category] {
        assert!(!names(&document(&alice_api, listing).await).contains(&VPN.to_owned()));
        assert!(names(&document(&admin, listing).await).contains(&VPN.to_owned()));
    }
}

#[tokio::test]
async fn a_new_request_counts_in_most_requested_on_the_very_next_request() {
    let app = TestApp::spawn().await;
    let admin = app.api_as("admin").await;
    let alice_api = app.api_as("alice").await;
    let alice = app.signed_in("alice").await;
    // A new service, requested by no one yet, is not among the most requested.
    let password = document(
        &admin,
        &format!("/api/v1/services/{}", service_id(&admin, PASSWORD).await),
    )
    .await;
    let (status, made) = Api::json(
        admin
            .post(
                "/api/v1/services",
                &json!({
                    "name": "Prêt de badge", "description": "Un badge pour la journée.",
                    "category_id": password["category_id"], "active": true,
                    "requires_approval": false, "approval_steps": [], "order": 1,
                    "form": [],
                }),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let (_, home) = alice.get_text("/").await;
    assert!(!home.contains("Prêt de badge"));
    // Requested more often than the service that leads, it leads on the next page.
    let at = home
        .find("href=\"/services/")
        .expect("a most requested service")
        + 16;
    let leading: u64 = home[at..home[at..].find('"').expect("end") + at]
        .parse()
        .expect("its id");
    let mut count = 0;
    let mut next = String::new();
    loop {
        let listing = document(
            &admin,
            &format!("/api/v1/requests?status=all&service={leading}&limit=100{next}"),
        )
        .await;
        count += listing["items"].as_array().expect("items").len();
        match listing["next"].as_str() {
            Some(cursor) => next = format!("&before={cursor}"),
            None => break,
        }
    }
    let badge = made["id"].as_u64().expect("id");
    for _ in 0..=count {
        submit(&alice_api, badge, json!({})).await;
    }
    let (_, home) = alice.get_text("/").await;
    let first = home
        .find("href=\"/services/")
        .expect("a most requested service");
    assert!(
        home[first..].starts_with(&format!("href=\"/services/{badge}\"")),
        "the new service leads 'most requested'"
    );
}

#[tokio::test]
async fn a_change_of_people_shows_on_the_very_next_request() {
    let app = TestApp::spawn().await;
    let admin = app.api_as("admin").await;
    let lea = app.signed_in("lea").await;
    let tom = app.signed_in("tom").await;
    let alice_api = app.api_as("alice").await;
    let request = submit(
        &alice_api,
        service_id(&alice_api, PASSWORD).await,
        json!({ "compte": "a.durand", "contact": "Par SMS" }),
    )
    .await;
    let page = format!("/requests/{}", request["id"]);
    let (_, desk) = lea.get_text("/desk").await;
    let tom_doc = document(&admin, "/api/v1/users/4").await;
    let tom_name = tom_doc["display_name"].as_str().expect("name").to_owned();
    assert!(select(&desk, "assignee").contains(&tom_name));
    assert_eq!(tom.get("/desk").await.status(), StatusCode::OK);
    let (_, before) = lea.get_text(&page).await;
    assert!(select(&before, "team_id").contains("Infrastructure"));

    // Renamed: the desk's pickers and the request page show the new name at once.
    let mut doc = tom_doc.clone();
    doc["display_name"] = json!("Thomas Bernard-Martin");
    put(&admin, "/api/v1/users/4", &doc).await;
    let (_, desk) = lea.get_text("/desk").await;
    assert!(select(&desk, "assignee").contains("Thomas Bernard-Martin"));
    assert!(select(&desk, "requester").contains("Thomas Bernard-Martin"));
    assert!(!desk.contains(&tom_name));
    // And a listing's rows name people from the same snapshot: the requester of the newest.
    let mut alice = document(&admin, "/api/v1/users/3").await;
    alice["display_name"] = json!("Alice Durand-Moreau");
    put(&admin, "/api/v1/users/3", &alice).await;
    let (_, desk) = lea.get_text("/desk").await;
    let rows = &desk[desk.find("<tbody>").expect("the desk's rows")..];
    assert!(rows.contains("<td>Alice Durand-Moreau</td>"), "{rows}");

    // No longer in the IT team: not offered as an assignee, and refused the desk.
    doc["role"] = json!("requester");
    put(&admin, "/api/v1/users/4", &doc).await;
    let (_, desk) = lea.get_text("/desk").await;
    assert!(!select(&desk, "assignee").contains("Thomas Bernard-Martin"));
    assert!(select(&desk, "requester").contains("Thomas Bernard-Martin"));
    assert_eq!(tom.get("/desk").await.status(), StatusCode::FORBIDDEN);

    // A team renamed shows in the request page's picker.
    let teams = document(&admin, "/api/v1/teams").await;
    let infrastructure = teams
        .as_array()
        .expect("teams")
        .iter()
        .find(|t| t["name"] == "Infrastructure")
        .expect("the Infrastructure team")
        .clone();
    let mut team = infrastructure.clone();
    team["name"] = json!("Serveurs et réseau");
    put(
        &admin,
        &format!("/api/v1/teams/{}", infrastructure["id"]),
        &team,
    )
    .await;
    let (_, after) = lea.get_text(&page).await;
    assert!(select(&after, "team_id").contains("Serveurs et réseau"));
    assert!(!select(&after, "team_id").contains("Infrastructure"));
}

#[tokio::test]
async fn an_ended_session_is_refused_on_the_very_next_request() {
    let app = TestApp::spawn().await;
    let admin = app.api_as("admin").await;
    let alice = app.signed_in("alice").await;
    let alice_api = app.api_as("alice").await;
    assert_eq!(alice.get("/").await.status(), StatusCode::OK);
    assert_eq!(alice_api.get("/api/v1/me").await.status(), StatusCode::OK);
    // Signing out ends the token at once.
    assert_eq!(
        alice_api.post("/api/v1/logout", &json!({})).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        alice_api.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    // A deactivated account's session ends at once.
    let mut doc = document(&admin, "/api/v1/users/3").await;
    doc["active"] = json!(false);
    put(&admin, "/api/v1/users/3", &doc).await;
    let response = alice.get("/").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(crate::support::location(&response).starts_with("/login"));
}

/// The count shown by the header's link to `href`, 0 when it shows none.
pub fn header_count(html: &str, href: &str) -> u64 {
    let link = &html[html.find(&format!("href=\"{href}\"")).expect("the link")..];
    let link = &link[..link.find("</a>").expect("its end")];
    link.find("class=\"count\"").map_or(0, |at| {
        let count = &link[at..];
        let count = &count[count.find('>').expect("tag") + 1..];
        count[..count.find('<').expect("end")]
            .parse()
            .expect("a count")
    })
}

#[tokio::test]
async fn the_header_counts_follow_on_the_very_next_request() {
    let app = TestApp::spawn().await;
    let bob = app.signed_in("bob").await;
    let alice_api = app.api_as("alice").await;
    let (_, before) = bob.get_text("/").await;
    let (approvals, unread) = (
        header_count(&before, "/approvals"),
        header_count(&before, "/notifications"),
    );
    // Alice's VPN access waits for her manager, Bob, who is told.
    submit(&alice_api, service_id(&alice_api, VPN).await, vpn_data()).await;
    let (_, after) = bob.get_text("/").await;
    assert_eq!(header_count(&after, "/approvals"), approvals + 1);
    assert_eq!(header_count(&after, "/notifications"), unread + 1);
}

/// The table row of request `number` in a listing page.
fn row<'a>(html: &'a str, number: &str) -> &'a str {
    let at = html
        .find(&format!(">{number}<"))
        .unwrap_or_else(|| panic!("{number} is listed"));
    let start = html[..at].rfind("<tr").expect("its row");
    let end = html[at..].find("</tr>").expect("end of its row") + at;
    &html[start..end]
}

/// Asserts that the row of request `number` holds `text`.
fn shows(html: &str, number: &str, text: &str) {
    let row = row(html, number);
    assert!(row.contains(text), "{text} in {row}");
}

/// A password reset submitted by the API's user, by its tracking number.
async fn submitted(api: &Api, service: u64, contact: &str) -> String {
    let data = json!({ "compte": "a.durand", "contact": contact });
    let created = submit(api, service, data).await;
    created["number"].as_str().expect("number").to_owned()
}

/// The status and assignee the API listing gives request `number`.
async fn listed(api: &Api, number: &str) -> (Value, Value) {
    let page = document(api, "/api/v1/requests?status=all").await;
    let item = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["number"] == number)
        .unwrap_or_else(|| panic!("{number} in {page}"))
        .clone();
    (item["status"].clone(), item["assignee_id"].clone())
}

#[tokio::test]
async fn a_request_changed_shows_in_every_listing_on_the_very_next_request() {
    let app = TestApp::spawn().await;
    let alice_api = app.api_as("alice").await;
    let tom_api = app.api_as("tom").await;
    let alice = app.signed_in("alice").await;
    let tom = app.signed_in("tom").await;
    let service = service_id(&alice_api, PASSWORD).await;
    let number = submitted(&alice_api, service, "Par SMS").await;
    // Each listing reads the request's summary once, and keeps it until the next commit; read
    // twice, the second from what was kept.
    for _ in 0..2 {
        let (_, mine) = alice.get_text("/my/requests").await;
        shows(&mine, &number, "Nouvelle");
        let (_, desk) = tom.get_text("/desk").await;
        assert!(!row(&desk, &number).contains("Tom Bernard"));
        assert_eq!(listed(&tom_api, &number).await, (json!("new"), Value::Null));
    }
    app.ops().index_requests_now().expect("indexed");
    for _ in 0..2 {
        let (_, found) = tom.get_text("/desk?status=all&q=SMS").await;
        shows(&found, &number, "Nouvelle");
    }

    // A new request is listed at once, on top.
    let second = submitted(&alice_api, service, "Par téléphone").await;
    let (_, mine) = alice.get_text("/my/requests").await;
    shows(&mine, &second, "Nouvelle");
    let (_, desk) = tom.get_text("/desk").await;
    let at = |number: &str| desk.find(&format!(">{number}<")).expect("listed");
    assert!(at(&second) < at(&number), "the newest first");
    assert_eq!(listed(&tom_api, &second).await, (json!("new"), Value::Null));

    let path = format!("/api/v1/requests/{number}/take");
    let (status, taken) = Api::json(tom_api.post(&path, &json!({})).await).await;
    assert_eq!(status, StatusCode::OK, "{taken}");
    let (_, mine) = alice.get_text("/my/requests").await;
    shows(&mine, &number, "En cours");
    let (_, desk) = tom.get_text("/desk").await;
    shows(&desk, &number, "Tom Bernard");
    assert_eq!(
        listed(&tom_api, &number).await,
        (json!("in_progress"), json!(4))
    );
    let (_, urgent) = tom.get_text("/desk?sort=urgent").await;
    shows(&urgent, &number, "Tom Bernard");
    // Found by its words: the rows a search shows are kept too, and follow as well.
    app.ops().index_requests_now().expect("indexed");
    let (_, found) = tom.get_text("/desk?status=all&q=SMS").await;
    shows(&found, &number, "Tom Bernard");

    // Completed: it leaves the open listings at once and shows in alice's history.
    let path = format!("/api/v1/requests/{number}/complete");
    let body = json!({ "resolution": "Mot de passe réinitialisé" });
    let (status, done) = Api::json(tom_api.post(&path, &body).await).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    let (_, desk) = tom.get_text("/desk").await;
    assert!(
        !desk.contains(&format!(">{number}<")),
        "gone from the open desk"
    );
    let (_, mine) = alice.get_text("/my/requests").await;
    shows(&mine, &number, "Terminée");
    assert_eq!(listed(&tom_api, &number).await.0, json!("done"));
    let (_, found) = tom.get_text("/desk?status=all&q=SMS").await;
    shows(&found, &number, "Terminée");
}

#[tokio::test]
async fn a_request_page_shows_a_change_on_the_very_next_request_to_those_who_may_see_it() {
    let app = TestApp::spawn().await;
    let alice_api = app.api_as("alice").await;
    let tom_api = app.api_as("tom").await;
    let (alice, tom) = (app.signed_in("alice").await, app.signed_in("tom").await);
    let service = service_id(&alice_api, PASSWORD).await;
    let number = submitted(&alice_api, service, "Par SMS").await;
    let page = format!("/requests/{number}");
    // Read twice by each, the second time from what the first kept.
    for _ in 0..2 {
        assert!(alice.get_text(&page).await.1.contains("Nouvelle"));
        assert!(tom.get_text(&page).await.1.contains("Nouvelle"));
    }
    // A note for the IT team, then a comment: the team reads both at once, the requester only
    // the comment, from the same timeline kept for both.
    let comments = format!("/api/v1/requests/{number}/comments");
    for (body, internal) in [("Note interne", true), ("Réponse visible", false)] {
        let doc = json!({ "body": body, "internal": internal });
        let (status, sent) = Api::json(tom_api.post(&comments, &doc).await).await;
        assert_eq!(status, StatusCode::CREATED, "{sent}");
        let (_, seen_by_tom) = tom.get_text(&page).await;
        assert!(seen_by_tom.contains(body), "{body} for the IT team");
        let (_, seen_by_alice) = alice.get_text(&page).await;
        assert_eq!(
            seen_by_alice.contains(body),
            !internal,
            "{body} for the requester"
        );
        assert!(!seen_by_alice.contains("Note interne"));
    }
    let take = format!("/api/v1/requests/{number}/take");
    let (status, taken) = Api::json(tom_api.post(&take, &json!({})).await).await;
    assert_eq!(status, StatusCode::OK, "{taken}");
    assert!(alice.get_text(&page).await.1.contains("En cours"));
    // A request of someone else stays refused to alice, though the IT team's reads kept it.
    let bob_api = app.api_as("bob").await;
    let theirs = submitted(&bob_api, service, "Par téléphone").await;
    let theirs = format!("/requests/{theirs}");
    assert_eq!(tom.get_text(&theirs).await.0, StatusCode::OK);
    assert_eq!(alice.get_text(&theirs).await.0, StatusCode::NOT_FOUND);
}
