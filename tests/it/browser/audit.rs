//! axe-core (vendored in `tests/fixtures/axe-core/`) on each distinct page, in both colour
//! schemes: no critical or serious violation of the WCAG 2.1 A and AA rules. Every rule runs in
//! the light scheme; in the dark one, where only colours change, the rules that read colours
//! (`COLOUR_RULES`). A page is its path with each segment holding a number taken out:
//! `/requests/REQ-000012` is `/requests/N`.
//! Every result is appended to `target/tmp/axe-report.txt`; with `GUICHET_AXE_REPORT_ONLY=1` the
//! audit reports without failing (to measure a page's state before fixing it).

use super::{Page, Scheme, driver};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::io::Write as _;
use std::sync::Mutex;

const AXE: &str = include_str!("../../fixtures/axe-core/axe.min.js");

static AUDITED: Mutex<Option<HashSet<String>>> = Mutex::new(None);

/// The WCAG 2.1 A and AA rules that depend on the page's colours.
const COLOUR_RULES: [&str; 2] = ["color-contrast", "link-in-text-block"];

/// Runs axe with `arguments[0]` as its `runOnly`.
const RUN: &str = r"
const done = arguments[arguments.length - 1];
axe.run(document, {
  runOnly: arguments[0],
  resultTypes: ['violations'],
}).then(r => done(r.violations.map(v => ({
  id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
  nodes: v.nodes.slice(0, 4).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').split('\n').slice(1, 2).join('')),
})))).catch(e => done([{ id: 'axe-error', impact: 'critical', help: String(e), count: 1, nodes: [] }]));
";

/// The page's name for the audit: its path without numbers and without the query.
pub fn page_key(path: &str) -> String {
    let path = path.split('?').next().unwrap_or_default();
    path.split('/')
        .map(|part| {
            if part.chars().any(|c| c.is_ascii_digit()) {
                "N"
            } else {
                part
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Audits the current page unless a journey already did.
pub async fn once(page: &Page, path: &str) {
    let key = page_key(path);
    {
        let mut audited = AUDITED.lock().expect("audit set");
        if !audited.get_or_insert_with(HashSet::new).insert(key.clone()) {
            return;
        }
    }
    let mut failures = Vec::new();
    for scheme in [Scheme::Light, Scheme::Dark] {
        driver::set_scheme(&page.client, scheme).await;
        // Colours change through CSS transitions: audit the end state, not the fade.
        page.client
            .execute(
                "getComputedStyle(document.body).color; \
                 document.getAnimations().forEach(a => a.finish());",
                vec![],
            )
            .await
            .expect("transitions finished");
        let only = match scheme {
            Scheme::Light => {
                json!({"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]})
            }
            Scheme::Dark => json!({"type": "rule", "values": COLOUR_RULES}),
        };
        let violations = run(page, only).await;
        report(&key, scheme, &violations);
        for v in &violations {
            let impact = v["impact"].as_str().unwrap_or_default();
            if impact == "critical" || impact == "serious" {
                failures.push(format!(
                    "{key} ({}): {} [{impact}] {} on {} element(s): {}",
                    scheme.name(),
                    v["id"].as_str().unwrap_or_default(),
                    v["help"].as_str().unwrap_or_default(),
                    v["count"],
                    v["nodes"]
                ));
            }
        }
    }
    driver::set_scheme(&page.client, page.scheme()).await;
    let report_only = std::env::var("GUICHET_AXE_REPORT_ONLY").is_ok_and(|v| v == "1");
    assert!(
        failures.is_empty() || report_only,
        "axe-core finds serious accessibility violations:\n{}",
        failures.join("\n")
    );
}

async fn run(page: &Page, only: Value) -> Vec<Value> {
    let loaded = page
        .client
        .execute("return typeof window.axe !== 'undefined'", vec![])
        .await
        .expect("axe check");
    if loaded != Value::Bool(true) {
        page.client.execute(AXE, vec![]).await.expect("axe loads");
    }
    let result = page
        .client
        .execute_async(RUN, vec![only])
        .await
        .expect("axe runs");
    result.as_array().cloned().unwrap_or_default()
}

fn report(key: &str, scheme: Scheme, violations: &[Value]) {
    let count = |impact: &str| {
        violations
            .iter()
            .filter(|v| v["impact"] == impact)
            .map(|v| v["count"].as_u64().unwrap_or_default())
            .sum::<u64>()
    };
    let line = format!(
        "{key}\t{}\tcritical {}\tserious {}\tmoderate {}\tminor {}\t{}\n",
        scheme.name(),
        count("critical"),
        count("serious"),
        count("moderate"),
        count("minor"),
        violations
            .iter()
            .map(|v| format!("{}×{}", v["id"].as_str().unwrap_or_default(), v["count"]))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let mut line = line;
    for v in violations {
        for node in v["nodes"].as_array().into_iter().flatten() {
            line.push_str(&format!(
                "    {} {}\n",
                v["id"].as_str().unwrap_or_default(),
                node
            ));
        }
    }
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("axe-report.txt");
    if let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = file.write_all(line.as_bytes());
    }
}
