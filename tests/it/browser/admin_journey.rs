//! The admin builds a corner of the catalog from the pages, on a desktop in French: a category,
//! a sub-category, a service with one field of every kind (keys left to be made from the
//! labels), put under an SLA policy with its own calendar, which requesters then find and see
//! as a form with its promise.

use super::{Page, Run, run};
use crate::support::TestApp;

/// Every kind of field: label, kind, choices.
const FIELDS: &[(&str, &str, &str)] = &[
    ("Motif du prêt", "text", ""),
    ("Détails du trajet", "textarea", ""),
    ("Nombre de passagers", "number", ""),
    ("Date de départ", "date", ""),
    ("Type de véhicule", "select", "Citadine\nUtilitaire"),
    ("Équipements", "multiselect", "Siège bébé\nGPS"),
    ("Permis B valide", "checkbox", ""),
    ("Copie du permis", "file", ""),
];

#[tokio::test]
async fn an_admin_creates_categories_and_a_service_with_every_kind_of_field() {
    let app = TestApp::spawn().await;
    run(&app, Run::desktop_fr("admin-fr"), |p| async move {
        p.sign_in("admin").await;
        p.follow("header a[href='/admin']", "admin").await;
        p.click_text("Catégories").await;
        p.click_text("Nouvelle catégorie").await;
        p.fill("input[name=name]", "Mobilité").await;
        p.fill("textarea[name=description]", "Véhicules et déplacements.")
            .await;
        p.click("input[name=icon][value=car] + span, label[title=car]")
            .await;
        p.submit("main form button[type=submit]", "category-created")
            .await;
        p.sees("Mobilité").await;

        p.go("/admin/categories/new").await;
        p.fill("input[name=name]", "Véhicules de service").await;
        p.choose("select[name=parent_id]", "Mobilité").await;
        p.submit("main form button[type=submit]", "sub-category-created")
            .await;
        p.sees("Véhicules de service").await;

        p.go("/admin/services").await;
        p.click_text("Nouveau service").await;
        p.fill("input[name=name]", "Prêt de véhicule").await;
        p.fill(
            "textarea[name=description]",
            "Un véhicule de l'organisation pour une mission.",
        )
        .await;
        p.choose("select[name=category_id]", "— Véhicules de service")
            .await;
        p.fill("input[name=delay_value]", "2").await;
        p.submit("main form button[type=submit]", "service-created")
            .await;
        let service = p.path().await;
        assert!(service.starts_with("/admin/services/"), "{service}");
        for (label, kind, options) in FIELDS {
            add_field(&p, label, kind, options).await;
        }
        for (label, _, _) in FIELDS {
            p.sees(label).await;
        }
        p.sees("motif_du_pret").await;

        // A calendar and an SLA policy made from the pages, and the service put under it.
        p.click_text("SLA").await;
        p.click_text("Nouveau calendrier").await;
        p.fill("input[name=name]", "Astreinte").await;
        p.fill("input[name=time_zone]", "Europe/Paris").await;
        p.fill("input[name=hours_mon]", "08:00-12:00, 14:00-19:00")
            .await;
        p.fill("input[name=hours_tue]", "08:00-12:00, 14:00-19:00")
            .await;
        p.fill("textarea[name=yearly]", "12-25 Noël").await;
        p.submit("main form button[type=submit]", "calendar-created")
            .await;
        p.sees("Lundi–Mardi 08:00–12:00, 14:00–19:00").await;
        p.click_text("Nouvelle politique SLA").await;
        p.fill("input[name=name]", "Véhicules").await;
        p.choose("select[name=calendar_id]", "Astreinte").await;
        p.fill("input[name=resolution_target]", "2").await;
        p.choose("select[name=resolution_unit]", "jours ouvrés")
            .await;
        p.choose("select[name=t0_target]", "résolution").await;
        p.fill("input[name=t0_percent]", "100").await;
        p.click("input[name=t0_team]").await;
        p.submit("main form button[type=submit]", "policy-created")
            .await;
        p.sees("2 jours ouvrés").await;
        let edit = service.split('?').next().unwrap_or_default().to_owned();
        p.go(&edit).await;
        p.choose("select[name=sla_policy_id]", "Véhicules").await;
        p.submit(
            &format!("form[action='{edit}'] button[type=submit]"),
            "service-under-sla",
        )
        .await;

        // Requesters find it under its category, with its form.
        p.go("/").await;
        p.click_text("Mobilité").await;
        p.click_text("Véhicules de service").await;
        p.click_text("Prêt de véhicule").await;
        for (label, _, _) in FIELDS {
            p.sees(label).await;
        }
        assert_eq!(p.count("#f-equipements input[type=checkbox]").await, 2);
        assert_eq!(p.count("#f-copie_du_permis[type=file]").await, 1);
        p.sees("Engagement de service").await;
        p.sees("Résolution sous 2 jours ouvrés.").await;
        p.does_not_see("Délai estimé").await;
        p.sign_out().await;
    })
    .await;
}

async fn add_field(p: &Page, label: &str, kind: &str, options: &str) {
    p.click_text("Ajouter un champ").await;
    p.fill("input[name=label]", label).await;
    p.find("select[name=kind]")
        .await
        .select_by_value(kind)
        .await
        .expect("kind");
    if !options.is_empty() {
        p.fill("textarea[name=options]", options).await;
    }
    p.submit("main form button[type=submit]", kind).await;
    assert!(
        !p.path().await.contains("/fields"),
        "the {kind} field is saved: {}",
        p.body().await
    );
}
