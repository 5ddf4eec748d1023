//! The desk's CSV export: the very rows of the listing for the same filters, in the metrics
//! CSV's conventions, for the IT team only.

use crate::request_search::every_page;
use crate::requests::{PASSWORD, service_id};
use crate::support::{Api, TestApp};
use reqwest::StatusCode;

/// Every request number the API lists for `query`, page after page.
async fn listed(api: &Api, query: &str) -> Vec<String> {
    every_page(api, 100, query).await
}

/// The numbers of a CSV export's rows, after checking its form.
fn exported(csv: &str, delimiter: char) -> Vec<String> {
    let body = csv
        .strip_prefix('\u{feff}')
        .expect("a byte-order mark first");
    let mut lines = body.lines();
    let header = lines.next().expect("a header row");
    assert!(header.split(delimiter).count() >= 10, "{header}");
    lines
        .map(|line| line.split(delimiter).next().expect("a number").to_owned())
        .collect()
}

#[tokio::test]
async fn the_export_carries_the_listing_for_the_same_filters_for_the_it_team_only() {
    let app = TestApp::spawn().await;
    let tom = app.api_as("tom").await;
    let service = service_id(&tom, PASSWORD).await;
    let browser = app.signed_in("tom").await;
    for query in [
        format!("status=all&service={service}"),
        "status=open&sort=oldest".to_owned(),
        "status=done&assignee=me".to_owned(),
    ] {
        let response = browser.get(&format!("/desk/export.csv?{query}")).await;
        assert_eq!(response.status(), StatusCode::OK, "{query}");
        let kind = response.headers()["content-type"]
            .to_str()
            .expect("type")
            .to_owned();
        assert_eq!(kind, "text/csv; charset=utf-8");
        let csv = response.text().await.expect("body");
        let rows = exported(&csv, ';');
        assert!(!rows.is_empty(), "{query}");
        assert_eq!(rows, listed(&tom, &query).await, "{query}");
        if query.starts_with("status=all") {
            assert!(
                rows.len() > 100,
                "more than one page of the listing: {}",
                rows.len()
            );
            assert!(
                csv.lines()
                    .next()
                    .is_some_and(|h| h.contains("Numéro;Service")),
                "French headers"
            );
        }
    }
    // The API answers the same rows; the desk page links to its export.
    let query = format!("status=all&service={service}");
    let response = tom.get(&format!("/api/v1/requests.csv?{query}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let csv = response.text().await.expect("body");
    assert_eq!(exported(&csv, ';'), listed(&tom, &query).await);
    let (_, desk) = browser.get_text(&format!("/desk?{query}")).await;
    assert!(
        desk.contains("/desk/export.csv?"),
        "the desk offers its export"
    );
    // Bad filters are named; requesters may not export.
    let response = tom.get("/api/v1/requests.csv?status=sideways").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let alice = app.api_as("alice").await;
    assert_eq!(
        alice.get("/api/v1/requests.csv").await.status(),
        StatusCode::FORBIDDEN
    );
    let page = app.signed_in("alice").await.get("/desk/export.csv").await;
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
}
