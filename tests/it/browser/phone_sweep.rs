//! Every page of the product on a 360-pixel phone in dark mode, in English, as the admin (who
//! sees every page): none scrolls sideways, and each passes axe-core in both schemes.

use super::driver::{self, Scheme};
use super::{Run, run};
use crate::support::TestApp;

const PAGES: &[&str] = &[
    "/",
    "/catalog/1",
    "/catalog/3",
    "/services/8",
    "/search?q=vpn",
    "/my/requests",
    "/approvals",
    "/desk",
    "/desk?status=all&assignee=none",
    "/notifications",
    "/requests/REQ-000300",
    "/account",
    "/account/password",
    "/admin",
    "/admin/users",
    "/admin/users/new",
    "/admin/users/2",
    "/admin/teams",
    "/admin/teams/new",
    "/admin/teams/1",
    "/admin/categories",
    "/admin/categories/new",
    "/admin/categories/1",
    "/admin/services",
    "/admin/services/new",
    "/admin/services/8",
    "/admin/services/8/fields/new",
    "/admin/backup",
    "/admin/jobs",
    "/admin/outbox",
    "/admin/sla",
    "/admin/sla/policies/new",
    "/admin/sla/policies/1",
    "/admin/sla/calendars/new",
    "/admin/sla/calendars/1",
    "/services/18",
    "/desk?sort=urgent&due=soon",
    "/metrics?from=2025-12-01&to=2026-11-28",
    "/metrics?from=2026-11-22&to=2026-11-28",
    "/requests/REQ-000321",
    "/requests/REQ-000322",
    "/no/such/page",
];

#[tokio::test]
async fn every_page_fits_a_phone_and_passes_axe() {
    let app = TestApp::spawn().await;
    run(&app, Run::phone_en_dark("phone-sweep"), |p| async move {
        p.sign_in("admin").await;
        for page in PAGES {
            p.go(page).await;
        }
        // A field's own page, and the confirmation before a destructive action.
        p.go("/admin/services/8").await;
        p.follow(
            "a[href^='/admin/services/8/fields/']:not([href$='/new'])",
            "field",
        )
        .await;
        p.go("/admin/categories/1").await;
        p.submit(
            "form[action='/admin/categories/1/delete'] button",
            "confirm",
        )
        .await;
        p.sees("Delete this category?").await;
        p.go("/").await;
        // The menu's button reads in both schemes: axe leaves it undecided (its icon is a
        // gradient), and white on white once hid it in the light one.
        for scheme in [Scheme::Light, Scheme::Dark] {
            driver::set_scheme(&p.client, scheme).await;
            let colours = p
                .client
                .execute(
                    "document.getAnimations().forEach(a => a.finish()); \
                     const style = e => getComputedStyle(e); \
                     return [style(document.querySelector('button.menu-toggle')).color, \
                             style(document.documentElement).backgroundColor];",
                    vec![],
                )
                .await
                .expect("colours");
            assert_ne!(colours[0], colours[1], "the menu button in {scheme:?}");
        }
        driver::set_scheme(&p.client, Scheme::Dark).await;
        // On a card, a due date and its badges sit together at the right edge (as three
        // items of the cell, the date alone stood in the middle).
        p.go("/desk").await;
        let aligned = p
            .client
            .execute(
                "return [...document.querySelectorAll('table.listing td:last-child')].map(td => \
                   td.childNodes.length === 1 && td.firstChild.nodeType === 1 && \
                   Math.abs(td.firstChild.getBoundingClientRect().right \
                            - td.getBoundingClientRect().right) < 2);",
                vec![],
            )
            .await
            .expect("due cells");
        let cells = aligned.as_array().map_or(0, Vec::len);
        assert!(cells > 0, "the desk shows requests");
        assert_eq!(aligned, serde_json::json!(vec![true; cells]));
        p.go("/").await;
        p.open_menu().await;
        p.step("menu-open").await;
    })
    .await;
}
