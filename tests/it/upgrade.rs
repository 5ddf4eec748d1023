//! Upgrades: a real store written by an earlier release is opened by today's binary, migrated,
//! verified, and reads as it did when it was written.
//!
//! `tests/fixtures/schema-N/guichet.redb` is a store written by the release of schema N (the
//! demo organisation with its history of requests in every status, attachments and comments);
//! `expected.json` is what that release's API answered for it. Each later schema adds its own
//! fixture the same way (see tests/fixtures/README.md). Every field the old release answered
//! must still be answered with the same value; new fields may be added. A field renamed on
//! purpose is mapped in `renamed` below.

use crate::support::TestApp;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

fn fixture(schema: u64) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/schema-{schema}"))
}

async fn get_json(api: &crate::support::Api, path: &str) -> Value {
    let response = api.get(path).await;
    assert!(
        response.status().is_success(),
        "GET {path}: {}",
        response.status()
    );
    response.json().await.expect("json")
}

/// Every page of a `{"items","next"}` listing.
async fn all_pages(api: &crate::support::Api, path: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = match &next {
            Some(cursor) => format!("{path}{sep}cursor={cursor}&limit=100"),
            None => format!("{path}{sep}limit=100"),
        };
        let page = get_json(api, &url).await;
        items.extend(page["items"].as_array().expect("items").iter().cloned());
        match page["next"].as_str() {
            Some(cursor) => next = Some(cursor.to_owned()),
            None => return items,
        }
    }
}

/// What the API answers about everything in the store.
async fn dump(app: &TestApp) -> Value {
    let admin = app.api_as("admin").await;
    let users = get_json(&admin, "/api/v1/users").await;
    let mut requests = Vec::new();
    for listed in all_pages(&admin, "/api/v1/requests?status=all&sort=oldest").await {
        // The listing carries summaries; the request's own document has everything.
        let id = listed["id"].as_u64().expect("id");
        let mut request = get_json(&admin, &format!("/api/v1/requests/{id}")).await;
        request["events"] = get_json(&admin, &format!("/api/v1/requests/{id}/events")).await;
        request["comments"] = get_json(&admin, &format!("/api/v1/requests/{id}/comments")).await;
        let mut files = serde_json::Map::new();
        for attachment in request["attachments"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            let key = attachment["key"].as_str().expect("key").to_owned();
            let bytes = admin
                .get(&format!("/api/v1/requests/{id}/attachments/{key}"))
                .await
                .bytes()
                .await
                .expect("file");
            let digest: String = Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            files.insert(key, json!(digest));
        }
        request["attachment_sha256"] = Value::Object(files);
        requests.push(request);
    }
    let mut notifications = serde_json::Map::new();
    for user in users.as_array().expect("users") {
        let name = user["username"].as_str().expect("username");
        if user["active"] == json!(true) {
            let api = app.api_as(name).await;
            let inbox = all_pages(&api, "/api/v1/notifications").await;
            notifications.insert(name.to_owned(), Value::Array(inbox));
        }
    }
    json!({
        "users": users,
        "teams": get_json(&admin, "/api/v1/teams").await,
        "categories": get_json(&admin, "/api/v1/categories").await,
        "services": get_json(&admin, "/api/v1/services").await,
        "calendars": get_json(&admin, "/api/v1/calendars").await,
        "sla_policies": get_json(&admin, "/api/v1/sla-policies").await,
        "requests": requests,
        "notifications": notifications,
    })
}

/// Fields renamed on purpose since a fixture of `schema` was written: (old name, new name).
fn renamed(schema: u64) -> &'static [(&'static str, &'static str)] {
    if schema < 5 {
        // Issue 13: a request's estimate is `expected_at`; `due_at` is now the SLA deadline.
        &[("due_at", "expected_at")]
    } else {
        &[]
    }
}

/// Every value of `expected` is in `actual` at the same place (keys renamed by `renames`);
/// objects may have gained keys.
fn contains(
    expected: &Value,
    actual: &Value,
    at: &str,
    renames: &[(&str, &str)],
) -> Result<(), String> {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (key, value) in e {
                let new_key = renames
                    .iter()
                    .find(|(old, _)| old == key)
                    .map_or(key.as_str(), |(_, new)| new);
                let found = a
                    .get(new_key)
                    .ok_or_else(|| format!("{at}.{key} is missing"))?;
                contains(value, found, &format!("{at}.{key}"), renames)?;
            }
            Ok(())
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                return Err(format!(
                    "{at} has {} entries, {} expected",
                    a.len(),
                    e.len()
                ));
            }
            for (i, (x, y)) in e.iter().zip(a).enumerate() {
                contains(x, y, &format!("{at}[{i}]"), renames)?;
            }
            Ok(())
        }
        _ if expected == actual => Ok(()),
        _ => Err(format!("{at} is {actual}, {expected} expected")),
    }
}

/// Each user's listings, newest first across pages, hold exactly the requests of the dump
/// (read through the listing of every request) they should: their own for a requester, every
/// open one for the IT team. Schema 13 walks these by merging index entries.
async fn listings_follow_the_requests(app: &TestApp, dump: &Value) {
    let requests = dump["requests"].as_array().expect("requests");
    let open = |r: &&Value| {
        !["done", "rejected", "cancelled"].contains(&r["status"].as_str().unwrap_or(""))
    };
    let newest_first = |mut ids: Vec<u64>| {
        ids.sort_unstable_by(|a, b| b.cmp(a));
        ids
    };
    for user in dump["users"].as_array().expect("users") {
        if user["active"] != json!(true) {
            continue;
        }
        let name = user["username"].as_str().expect("username");
        let api = app.api_as(name).await;
        let staff = user["role"] != json!("requester");
        let mine = |r: &&Value| staff || r["requester_id"] == user["id"];
        let listed = |items: Vec<Value>| -> Vec<u64> {
            items.iter().filter_map(|i| i["id"].as_u64()).collect()
        };
        let all = newest_first(
            requests
                .iter()
                .filter(mine)
                .filter_map(|r| r["id"].as_u64())
                .collect(),
        );
        let still_open = newest_first(
            requests
                .iter()
                .filter(mine)
                .filter(open)
                .filter_map(|r| r["id"].as_u64())
                .collect(),
        );
        assert_eq!(
            listed(all_pages(&api, "/api/v1/requests?status=all").await),
            all,
            "{name}, every request"
        );
        assert_eq!(
            listed(all_pages(&api, "/api/v1/requests?status=open").await),
            still_open,
            "{name}, open ones"
        );
    }
}

/// Opens a copy of the fixture of `schema` with today's binary and compares it with what the
/// release that wrote it answered.
async fn upgrade_from(schema: u64) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("guichet.redb");
    std::fs::copy(fixture(schema).join("guichet.redb"), &store).expect("copy fixture");
    let app = TestApp::spawn_on(dir).await;
    let actual = dump(&app).await;
    let expected_path = fixture(schema).join("expected.json");
    if !expected_path.exists() && std::env::var_os("GUICHET_BLESS_FIXTURE").is_some() {
        let text = serde_json::to_string_pretty(&actual).expect("json");
        std::fs::write(&expected_path, text).expect("write expected.json");
    }
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(&expected_path).expect("expected.json of the fixture"),
    )
    .expect("json");
    if let Err(difference) = contains(&expected, &actual, "$", renamed(schema)) {
        panic!(
            "the schema-{schema} fixture reads differently after the upgrade: {difference}; a \
             stored type or a migration changed what old stores say"
        );
    }
    assert!(
        actual["requests"].as_array().is_some_and(|r| r.len() > 100),
        "the fixture holds the demo history"
    );
    listings_follow_the_requests(&app, &actual).await;
    // Roll-ups are built from the requests when an older store first opens, and kept since.
    assert_eq!(app.ops().check_rollups(false).await.expect("check"), 0);
    if schema >= 5 {
        assert_eq!(
            actual["sla_policies"]["items"].as_array().map(Vec::len),
            Some(2),
            "the fixture holds the demo SLA policies"
        );
    }
}

#[tokio::test]
async fn a_schema_4_store_upgrades_and_reads_as_written() {
    upgrade_from(4).await;
}

#[tokio::test]
async fn a_schema_5_store_upgrades_and_reads_as_written() {
    upgrade_from(5).await;
}

#[tokio::test]
async fn a_schema_6_store_upgrades_and_reads_as_written() {
    upgrade_from(6).await;
}

/// The upgraded fixture passes `guichet check`, and `check` itself never migrates a store.
#[test]
fn check_reads_an_old_store_without_migrating_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("guichet.redb");
    std::fs::copy(fixture(4).join("guichet.redb"), &store).expect("copy fixture");
    let before = crate::backups::digest(&store);
    let out = crate::cli::guichet(dir.path(), &["check"], None);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("intact, schema 4 ("), "{stdout}");
    assert!(stdout.contains("5 users"), "{stdout}");
    assert_eq!(
        crate::backups::digest(&store),
        before,
        "check changed the file"
    );
}
