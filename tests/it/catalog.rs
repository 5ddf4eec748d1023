//! The catalog: category tree rules, services and their forms, portal pages, visibility.

use crate::support::{Api, TestApp, location};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Ids in the demo: categories 1 "Accès et identité" (2 Création de compte, 3 Accès VPN, 4
/// Permissions), 5 "Équipement" (6 Poste de travail…); services 2 "Réinitialisation du mot de
/// passe", 8 "Nouveau PC", 18 "Création de VM".
fn find<'a>(tree: &'a Value, name: &str) -> Option<&'a Value> {
    tree.as_array()?.iter().find_map(|node| {
        if node["name"] == name {
            Some(node)
        } else {
            find(&node["children"], name)
        }
    })
}

#[tokio::test]
async fn the_category_tree_is_served_and_changed_through_the_api() {
    let app = TestApp::spawn().await;
    let alice = app.api_as("alice").await;
    let (status, tree) = Api::json(alice.get("/api/v1/categories").await).await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = tree
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "Accès et identité",
            "Équipement",
            "Logiciels",
            "Infrastructure",
            "Support"
        ]
    );
    let access = find(&tree, "Accès et identité").expect("present");
    assert_eq!(access["icon"], "key-round");
    assert_eq!(access["children"].as_array().expect("children").len(), 3);
    assert_eq!(
        find(&tree, "Accès VPN").expect("child")["parent_id"],
        access["id"]
    );

    let admin = app.api_as("admin").await;
    let (status, created) = Api::json(
        admin
            .post(
                "/api/v1/categories",
                &json!({"name": "Sécurité", "icon": "shield", "parent_id": 1, "order": 5}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_u64().expect("id");
    // Moved to the top level with a PUT.
    let (status, moved) = Api::json(
        admin
            .put(
                &format!("/api/v1/categories/{id}"),
                &json!({"name": "Sécurité", "icon": "shield"}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(moved["parent_id"], Value::Null);
    // An empty category can be deleted.
    assert_eq!(
        admin
            .delete(&format!("/api/v1/categories/{id}"))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        admin
            .get(&format!("/api/v1/categories/{id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn cycles_depth_and_non_empty_deletes_are_refused() {
    let app = TestApp::spawn().await;
    let admin = app.api_as("admin").await;
    // Build depth 4: 1 > 2 > new3 > new4.
    let (_, third) = Api::json(
        admin
            .post(
                "/api/v1/categories",
                &json!({"name": "Niveau 3", "parent_id": 2}),
            )
            .await,
    )
    .await;
    let third = third["id"].as_u64().expect("id");
    let (status, fourth) = Api::json(
        admin
            .post(
                "/api/v1/categories",
                &json!({"name": "Niveau 4", "parent_id": third}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let fourth = fourth["id"].as_u64().expect("id");

    let (status, error) = Api::json(
        admin
            .post(
                "/api/v1/categories",
                &json!({"name": "Niveau 5", "parent_id": fourth}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error["error"]["fields"]["parent_id"],
        "would make the tree deeper than 4 levels"
    );

    let (status, error) = Api::json(
        admin
            .put(
                "/api/v1/categories/1",
                &json!({"name": "Accès et identité", "parent_id": fourth}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error["error"]["fields"]["parent_id"],
        "would put the category inside itself"
    );

    let (status, error) = Api::json(admin.delete("/api/v1/categories/1").await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error["error"]["code"], "not_empty");
    assert!(
        error["error"]["message"]
            .as_str()
            .expect("message")
            .contains("3 sub-categories")
    );
    let (status, error) = Api::json(admin.delete("/api/v1/categories/3").await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        error["error"]["message"]
            .as_str()
            .expect("message")
            .contains("2 services")
    );

    // Through the HTML forms too, with the reason in French.
    let browser = app.signed_in("admin").await;
    let response = browser
        .submit(
            "/admin/categories/1",
            "/admin/categories/1",
            &[
                ("name", "Accès et identité"),
                ("parent_id", &fourth.to_string()),
                ("icon", "key-round"),
                ("order", "10"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .expect("body")
            .contains("Placerait la catégorie dans elle-même.")
    );
    // A delete asks first, and changes nothing until confirmed.
    let response = browser
        .submit("/admin/categories/1", "/admin/categories/1/delete", &[])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.expect("body");
    assert!(
        html.contains("Supprimer cette catégorie ?")
            && html.contains("name=\"confirm\" value=\"yes\""),
        "{html}"
    );
    let response = browser
        .submit(
            "/admin/categories/1",
            "/admin/categories/1/delete",
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let html = response.text().await.expect("body");
    assert!(
        html.contains("Cette catégorie contient encore 3 sous-catégorie(s) et 0 service(s)"),
        "{html}"
    );
    let (_, tree) = Api::json(admin.get("/api/v1/categories").await).await;
    assert!(
        find(&tree, "Accès et identité").is_some(),
        "nothing was deleted"
    );
}

#[tokio::test]
async fn categories_are_managed_through_the_html_forms() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin").await;
    // A new category is proposed after the existing ones (the demo's highest order is 50), not
    // first; the tree counts services in words.
    let (_, form) = admin.get_text("/admin/categories/new").await;
    assert!(
        form.contains("name=\"order\" value=\"60\"")
            || form.contains("value=\"60\" name=\"order\""),
        "{form}"
    );
    let (_, tree) = admin.get_text("/admin/categories").await;
    assert!(!tree.contains(" 1 services"), "{tree}");
    let (_, service_form) = admin.get_text("/admin/services/new").await;
    assert!(
        !service_form.contains("value=\"0\" name=\"order\"")
            && !service_form.contains("name=\"order\" value=\"0\"")
    );
    let response = admin
        .submit(
            "/admin/categories/new",
            "/admin/categories",
            &[
                ("name", "Achats"),
                ("description", "Commandes"),
                ("parent_id", ""),
                ("icon", "shopping-cart"),
                ("order", "60"),
            ],
        )
        .await;
    assert_eq!(location(&response), "/admin/categories");
    let (_, html) = admin.get_text("/admin/categories").await;
    assert!(html.contains("Achats") && html.contains("i-shopping-cart"));
    // An unknown icon is refused next to the picker.
    let response = admin
        .submit(
            "/admin/categories/new",
            "/admin/categories",
            &[("name", "X"), ("icon", "unicorn"), ("order", "1")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .expect("body")
            .contains("Icône inconnue.")
    );
    // Reordering: "Support" (the last top-level demo category, id 15) moves up past "Infrastructure".
    let (_, before) = admin.get_text("/admin/categories").await;
    assert!(
        before.find(">Infrastructure<").expect("infra")
            < before.find(">Support<").expect("support")
    );
    admin
        .submit("/admin/categories", "/admin/categories/15/move?dir=up", &[])
        .await;
    let (_, after) = admin.get_text("/admin/categories").await;
    assert!(
        after.find(">Support<").expect("support") < after.find(">Infrastructure<").expect("infra")
    );
    // More than seven top-level categories: a warning.
    assert!(!after.contains("catégories de premier niveau"));
    for name in ["A", "B"] {
        admin
            .submit(
                "/admin/categories/new",
                "/admin/categories",
                &[("name", name), ("icon", "folder"), ("order", "99")],
            )
            .await;
    }
    let (_, crowded) = admin.get_text("/admin/categories").await;
    assert!(crowded.contains("Il y a 8 catégories de premier niveau"));
}

#[tokio::test]
async fn the_form_builder_handles_every_field_kind() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin").await;
    let response = admin
        .submit(
            "/admin/services/new",
            "/admin/services",
            &[
                ("name", "Prêt de matériel"),
                (
                    "description",
                    "Un vidéoprojecteur ou un portable pour une réunion.",
                ),
                ("category_id", "6"),
                ("team_id", "1"),
                ("delay_value", "2"),
                ("delay_unit", "days"),
                ("requires_approval", "on"),
                ("step1", "team_lead"),
                ("step2", "user:1"),
                ("active", "on"),
                ("order", "5"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = location(&response);
    let base = page.trim_end_matches("?done=saved").to_owned();
    // The first field is given no key: it takes `objet` from its label.
    let fields: &[&[(&str, &str)]] = &[
        &[
            ("key", ""),
            ("label", "Objet"),
            ("kind", "text"),
            ("required", "on"),
            ("max_length", "80"),
        ],
        &[
            ("key", "details"),
            ("label", "Détails"),
            ("kind", "textarea"),
        ],
        &[
            ("key", "personnes"),
            ("label", "Nombre de personnes"),
            ("kind", "number"),
            ("min", "1"),
            ("max", "200"),
        ],
        &[
            ("key", "materiel"),
            ("label", "Matériel"),
            ("kind", "select"),
            ("required", "on"),
            ("options", "Vidéoprojecteur\r\nPortable\r\nMicro"),
        ],
        &[
            ("key", "accessoires"),
            ("label", "Accessoires"),
            ("kind", "multiselect"),
            ("options", "Câble HDMI\nAdaptateur\nTélécommande"),
        ],
        &[
            ("key", "assurance"),
            ("label", "J'en prends soin"),
            ("kind", "checkbox"),
            ("required", "on"),
        ],
        &[
            ("key", "date_pret"),
            ("label", "Date du prêt"),
            ("kind", "date"),
            ("not_in_past", "on"),
        ],
        &[
            ("key", "bon"),
            ("label", "Bon de commande"),
            ("kind", "file"),
            ("max_size_mb", "2"),
            ("allowed_types", "pdf, .PNG"),
        ],
    ];
    for field in fields {
        let response = admin
            .submit(
                &format!("{base}/fields/new"),
                &format!("{base}/fields"),
                field,
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{field:?}");
    }
    // A choice field without options, and a duplicate key, are refused with their reasons.
    let response = admin
        .submit(
            &format!("{base}/fields/new"),
            &format!("{base}/fields"),
            &[("key", "objet"), ("label", "Encore"), ("kind", "select")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.expect("body");
    assert!(
        html.contains("Déjà utilisée dans ce formulaire.")
            && html.contains("Un champ à choix demande au moins un choix.")
    );
    assert!(html.contains("value=\"Encore\""), "input kept");

    // The API shows the whole form with its limits.
    let api = app.api_as("admin").await;
    let id = base.rsplit('/').next().expect("id");
    let (_, service) = Api::json(api.get(&format!("/api/v1/services/{id}")).await).await;
    let form = service["form"].as_array().expect("form");
    let kinds: Vec<&str> = form.iter().filter_map(|f| f["kind"].as_str()).collect();
    assert_eq!(
        kinds,
        [
            "text",
            "textarea",
            "number",
            "select",
            "multiselect",
            "checkbox",
            "date",
            "file"
        ]
    );
    assert_eq!(form[0]["max_length"], 80);
    assert_eq!(
        form[3]["options"],
        json!(["Vidéoprojecteur", "Portable", "Micro"])
    );
    assert_eq!(form[7]["allowed_types"], json!(["pdf", "png"]));
    assert_eq!(
        service["approval_steps"],
        json!([{"rule": "team_lead"}, {"rule": "user", "user_id": 1}])
    );

    // Move a field up, edit it, remove another.
    admin
        .submit(&base, &format!("{base}/fields/details/move?dir=up"), &[])
        .await;
    let response = admin
        .submit(
            &format!("{base}/fields/details"),
            &format!("{base}/fields/details"),
            &[
                ("key", "details"),
                ("label", "Précisions"),
                ("kind", "textarea"),
                ("required", "on"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    admin
        .submit(
            &base,
            &format!("{base}/fields/assurance/delete"),
            &[("confirm", "yes")],
        )
        .await;
    let (_, service) = Api::json(api.get(&format!("/api/v1/services/{id}")).await).await;
    let keys = form_keys(&service);
    assert_eq!(
        keys,
        [
            "details",
            "objet",
            "personnes",
            "materiel",
            "accessoires",
            "date_pret",
            "bon"
        ]
    );
    assert_eq!(service["form"][0]["label"], "Précisions");

    // The page's position list moves a field to any place in one step; a bad place is refused.
    let (_, html) = admin.get_text(&base).await;
    assert!(
        html.contains(&format!("action=\"{base}/fields/bon/move\""))
            && html.contains("name=\"to\"")
    );
    let response = admin
        .submit(&base, &format!("{base}/fields/bon/move"), &[("to", "2")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = admin
        .submit(&base, &format!("{base}/fields/bon/move"), &[("to", "0")])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (_, service) = Api::json(api.get(&format!("/api/v1/services/{id}")).await).await;
    let keys = form_keys(&service);
    assert_eq!(
        keys,
        [
            "details",
            "bon",
            "objet",
            "personnes",
            "materiel",
            "accessoires",
            "date_pret"
        ]
    );

    // The portal renders every kind with the right control.
    let alice = app.signed_in("alice").await;
    let (status, html) = alice.get_text(&format!("/services/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    for needle in [
        "<textarea",
        "type=\"number\"",
        "<select",
        "type=\"checkbox\" name=\"accessoires\"",
        "type=\"date\"",
        "type=\"file\"",
        "accept=\".pdf,.png\"",
        "maxlength=\"80\"",
    ] {
        assert!(html.contains(needle), "{needle}");
    }
    assert!(
        html.contains("par le responsable de l&#39;équipe")
            || html.contains("par le responsable de l'équipe")
    );
    assert!(
        html.contains("Camille Admin"),
        "the designated approver is named"
    );
}

#[tokio::test]
async fn requesters_and_technicians_cannot_administer_the_catalog() {
    let app = TestApp::spawn().await;
    let pages = [
        "/admin/categories",
        "/admin/categories/new",
        "/admin/categories/1",
        "/admin/services",
        "/admin/services/new",
        "/admin/services/8",
        "/admin/services/8/fields/new",
        "/admin/services/8/fields/modele",
    ];
    let forms = [
        "/admin/categories",
        "/admin/categories/1",
        "/admin/categories/1/delete",
        "/admin/categories/1/move?dir=up",
        "/admin/services",
        "/admin/services/8",
        "/admin/services/8/active?to=false",
        "/admin/services/8/move?dir=up",
        "/admin/services/8/fields",
        "/admin/services/8/fields/modele",
        "/admin/services/8/fields/modele/move?dir=down",
        "/admin/services/8/fields/modele/delete",
    ];
    for user in ["alice", "tom"] {
        let browser = app.signed_in(user).await;
        for page in pages {
            assert_eq!(
                browser.get(page).await.status(),
                StatusCode::FORBIDDEN,
                "{user} GET {page}"
            );
        }
        for form in forms {
            let response = browser
                .submit(
                    "/account",
                    form,
                    &[
                        ("name", "Piraté"),
                        ("key", "x"),
                        ("label", "x"),
                        ("kind", "text"),
                    ],
                )
                .await;
            assert_eq!(
                response.status(),
                StatusCode::FORBIDDEN,
                "{user} POST {form}"
            );
        }
        let api = app.api_as(user).await;
        let body = json!({"name": "Piraté", "category_id": 2});
        assert_eq!(
            api.post("/api/v1/categories", &body).await.status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            api.put("/api/v1/categories/1", &body).await.status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            api.delete("/api/v1/categories/1").await.status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            api.post("/api/v1/services", &body).await.status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            api.put("/api/v1/services/8", &body).await.status(),
            StatusCode::FORBIDDEN
        );
    }
    let admin = app.api_as("admin").await;
    let (_, service) = Api::json(admin.get("/api/v1/services/8").await).await;
    assert_eq!(service["name"], "Nouveau PC");
    assert_eq!(
        service["form"].as_array().expect("form").len(),
        5,
        "nothing changed"
    );
}

#[tokio::test]
async fn an_inactive_service_is_invisible_to_requesters() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin").await;
    let response = admin
        .submit(
            "/admin/services/8",
            "/admin/services/8/active?to=false",
            &[],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK, "asks first");
    let html = response.text().await.expect("body");
    assert!(html.contains("Désactiver ce service ?"), "{html}");
    let (_, html) = app.signed_in("alice").await.get_text("/services/8").await;
    assert!(
        html.contains("request-form"),
        "still active until confirmed"
    );
    let response = admin
        .submit(
            "/admin/services/8",
            "/admin/services/8/active?to=false",
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    let alice = app.signed_in("alice").await;
    let (status, html) = alice.get_text("/services/8").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!html.contains("Nouveau PC"));
    let (_, category) = alice.get_text("/catalog/6").await;
    assert!(
        !category.contains("Nouveau PC") && category.contains("Remplacement d'un poste en panne")
    );
    let api = app.api_as("alice").await;
    assert_eq!(
        api.get("/api/v1/services/8").await.status(),
        StatusCode::NOT_FOUND
    );
    let (_, list) = Api::json(api.get("/api/v1/services?category=6").await).await;
    assert!(list.as_array().expect("array").iter().all(|s| s["id"] != 8));

    let tom = app.signed_in("tom").await;
    let (status, html) = tom.get_text("/services/8").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Ce service est désactivé"));
    let (_, category) = tom.get_text("/catalog/6").await;
    assert!(category.contains("Nouveau PC") && category.contains("Désactivé"));
    let (_, list) = Api::json(
        app.api_as("tom")
            .await
            .get("/api/v1/services?category=6")
            .await,
    )
    .await;
    assert!(
        list.as_array()
            .expect("array")
            .iter()
            .any(|s| s["id"] == 8 && s["active"] == false)
    );
}

#[tokio::test]
async fn portal_pages_show_the_tree_and_the_service() {
    let app = TestApp::spawn().await;
    let alice = app.signed_in("alice").await;
    let (_, home) = alice.get_text("/").await;
    for name in [
        "Accès et identité",
        "Équipement",
        "Logiciels",
        "Infrastructure",
        "Support",
    ] {
        assert!(home.contains(name), "{name}");
    }
    assert!(home.contains("href=\"/catalog/1\"") && home.contains("i-key-round"));
    assert!(
        !home.contains("href=\"/catalog/2\""),
        "only top-level categories on the home page"
    );
    assert!(
        home.contains("Les plus demandés") && home.contains("href=\"/services/"),
        "the demo history feeds \"most requested\""
    );

    let (status, category) = alice.get_text("/catalog/1").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        category.contains("Création de compte")
            && category.contains("Accès VPN")
            && category.contains("Permissions applicatives")
    );
    assert!(
        !category.contains("Aucun service dans cette catégorie"),
        "a parent whose services are in its sub-categories does not say it has none"
    );
    let (_, sub) = alice.get_text("/catalog/3").await;
    assert!(
        sub.contains("href=\"/catalog/1\"") && sub.contains("aria-current=\"page\">Accès VPN"),
        "breadcrumbs"
    );
    assert!(
        sub.contains("href=\"/services/4\""),
        "the VPN service is listed"
    );

    let (_, vpn) = alice.get_text("/services/4").await;
    assert!(
        vpn.contains("Accès VPN") && vpn.contains("2 jours") && vpn.contains("Bob Martin"),
        "delay and approver in words"
    );
    assert!(vpn.contains("Pourquoi avez-vous besoin") && vpn.contains("abbr class=\"required\""));
    let (_, reset) = alice.get_text("/services/2").await;
    assert!(reset.contains("Aucune validation") && reset.contains("1 heure"));
    let (_, vm) = alice.get_text("/services/18").await;
    assert!(
        vm.contains("Léa Petit") && vm.contains("Infrastructure"),
        "approval by the team lead, named"
    );
    // Bob has no manager: the page says who will approve instead.
    let bob = app.signed_in("bob").await;
    let (_, vpn) = bob.get_text("/services/4").await;
    assert!(vpn.contains("un administrateur validera"));

    for missing in [
        "/catalog/999",
        "/catalog/abc",
        "/services/999",
        "/services/-1",
    ] {
        assert_eq!(
            alice.get(missing).await.status(),
            StatusCode::NOT_FOUND,
            "{missing}"
        );
    }
}

#[tokio::test]
async fn services_are_created_and_replaced_through_the_api() {
    let app = TestApp::spawn().await;
    let admin = app.api_as("admin").await;
    let body = json!({
        "name": "Badge d'accès", "description": "Badge pour les bâtiments.", "category_id": 2,
        "requires_approval": true, "approval_steps": [{"rule": "manager"}],
        "estimated_delay": {"value": 3, "unit": "days"}, "team_id": 1,
        "form": [
            {"key": "batiment", "label": "Bâtiment", "kind": "select", "required": true, "options": ["A", "B"]},
            {"key": "photo", "label": "Photo", "kind": "file", "allowed_types": ["jpg"]}
        ]
    });
    let (status, created) = Api::json(admin.post("/api/v1/services", &body).await).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(
        created["estimated_delay"],
        json!({"value": 3, "unit": "days"})
    );
    let id = created["id"].as_u64().expect("id");

    let bad = json!({"name": "", "category_id": 999, "team_id": 42, "requires_approval": true,
        "approval_steps": [{"rule": "boss"}], "form": [{"key": "x", "label": "X", "kind": "colour"}]});
    let (status, errors) = Api::json(admin.post("/api/v1/services", &bad).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        errors["error"]["fields"].get("approval_steps").is_some()
            && errors["error"]["fields"].get("form[0].kind").is_some(),
        "{errors}"
    );
    let bad = json!({"name": "", "category_id": 999, "team_id": 42});
    let (_, errors) = Api::json(admin.post("/api/v1/services", &bad).await).await;
    assert!(errors["error"]["fields"].get("name").is_some(), "{errors}");
    let bad = json!({"name": "Ok", "category_id": 999, "team_id": 42});
    let (_, errors) = Api::json(admin.post("/api/v1/services", &bad).await).await;
    assert!(
        errors["error"]["fields"].get("category_id").is_some()
            && errors["error"]["fields"].get("team_id").is_some(),
        "{errors}"
    );

    // PUT without "form" keeps the form; with it, replaces it.
    let (status, updated) = Api::json(
        admin
            .put(
                &format!("/api/v1/services/{id}"),
                &json!({"name": "Badge", "category_id": 2, "active": false}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(updated["form"].as_array().expect("form").len(), 2);
    assert_eq!(updated["active"], false);
    assert_eq!(updated["requires_approval"], false);
    let (_, updated) = Api::json(
        admin
            .put(
                &format!("/api/v1/services/{id}"),
                &json!({"name": "Badge", "category_id": 2, "active": false, "form": []}),
            )
            .await,
    )
    .await;
    assert_eq!(updated["form"], json!([]));
    let alice = app.api_as("alice").await;
    assert_eq!(
        alice.get(&format!("/api/v1/services/{id}")).await.status(),
        StatusCode::NOT_FOUND,
        "inactive"
    );
    let (_, listed) = Api::json(alice.get("/api/v1/services").await).await;
    assert_eq!(listed.as_array().expect("array").len(), 23);
}

/// The portal shows a category only when it, or one below it, holds a service its viewer may
/// request: a new empty category stays hidden until a service arrives; a category whose only
/// service is deactivated disappears for requesters, not for the IT staff.
#[tokio::test]
async fn the_portal_hides_categories_without_services() {
    let app = TestApp::spawn().await;
    let admin = app.api_as("admin").await;
    let (_, top) = Api::json(
        admin
            .post(
                "/api/v1/categories",
                &json!({"name": "Mobilité", "icon": "car"}),
            )
            .await,
    )
    .await;
    let top = top["id"].as_u64().expect("id");
    let (_, sub) = Api::json(
        admin
            .post(
                "/api/v1/categories",
                &json!({"name": "Véhicules", "icon": "car", "parent_id": top}),
            )
            .await,
    )
    .await;
    let sub = sub["id"].as_u64().expect("id");
    let alice = app.signed_in("alice").await;
    let tom = app.signed_in("tom").await;
    let link = format!("href=\"/catalog/{top}\"");
    let (_, home) = alice.get_text("/").await;
    assert!(!home.contains(&link), "an empty category is hidden");

    let body = json!({"name": "Prêt de véhicule", "category_id": sub, "active": true});
    let (status, service) = Api::json(admin.post("/api/v1/services", &body).await).await;
    assert_eq!(status, StatusCode::CREATED, "{service}");
    let id = service["id"].as_u64().expect("id");
    let (_, home) = alice.get_text("/").await;
    assert!(home.contains(&link), "a service below it shows it");
    let (_, page) = alice.get_text(&format!("/catalog/{top}")).await;
    assert!(
        page.contains(&format!("href=\"/catalog/{sub}\"")),
        "and its sub-category"
    );

    let body = json!({"name": "Prêt de véhicule", "category_id": sub, "active": false});
    let (status, _) = Api::json(admin.put(&format!("/api/v1/services/{id}"), &body).await).await;
    assert_eq!(status, StatusCode::OK);
    let (_, home) = alice.get_text("/").await;
    assert!(!home.contains(&link), "nothing left to request");
    let (_, home) = tom.get_text("/").await;
    assert!(
        home.contains(&link),
        "the IT staff still sees the inactive service's category"
    );
}

/// The keys of a service's form, in order, from its JSON.
fn form_keys(service: &Value) -> Vec<&str> {
    service["form"]
        .as_array()
        .expect("form")
        .iter()
        .filter_map(|f| f["key"].as_str())
        .collect()
}
