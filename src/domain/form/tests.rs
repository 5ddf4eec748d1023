//! Unit tests for each field kind and property tests of form validation.

use super::*;
use proptest::prelude::*;

fn field(key: &str, kind: FieldKind, required: bool) -> FormField {
    FormField {
        key: key.into(),
        label: key.to_uppercase(),
        help: String::new(),
        kind,
        required,
        options: if kind.has_options() {
            vec!["a".into(), "b".into(), "c".into()]
        } else {
            vec![]
        },
        limits: Limits::default(),
    }
}

fn values(v: &[&str]) -> Submitted {
    Submitted::Values(v.iter().map(|s| (*s).to_owned()).collect())
}

fn one(form: &FormField, sent: Option<Submitted>) -> Result<Option<Answer>, String> {
    let mut submitted = BTreeMap::new();
    if let Some(sent) = sent {
        submitted.insert(form.key.clone(), sent);
    }
    match validate(std::slice::from_ref(form), &submitted, "2026-11-28") {
        Ok(mut data) => Ok(data.remove(&form.key)),
        Err(errors) => Err(errors.get(&form.key).unwrap_or("(other field)").to_owned()),
    }
}

const TODAY: &str = "2026-11-28";

#[test]
fn text_is_trimmed_bounded_and_single_line() {
    let mut f = field("name", FieldKind::Text, true);
    assert_eq!(
        one(&f, Some(values(&["  Ada  "]))),
        Ok(Some(Answer::Text("Ada".into())))
    );
    assert_eq!(
        one(&f, Some(values(&["a\nb"]))),
        Ok(Some(Answer::Text("a b".into())))
    );
    assert_eq!(one(&f, Some(values(&["   "]))), Err("is required".into()));
    assert_eq!(one(&f, None), Err("is required".into()));
    f.limits.max_length = Some(3);
    assert_eq!(
        one(&f, Some(values(&["abcd"]))),
        Err("must be at most 3 characters long".into())
    );
    assert!(one(&f, Some(values(&["a", "b"]))).is_err());
    f.required = false;
    assert_eq!(one(&f, None), Ok(None));
}

#[test]
fn textarea_keeps_line_breaks() {
    let f = field("why", FieldKind::Textarea, false);
    assert_eq!(
        one(&f, Some(values(&["a\nb"]))),
        Ok(Some(Answer::Text("a\nb".into())))
    );
    assert!(one(&f, Some(values(&[&"x".repeat(5001)]))).is_err());
}

#[test]
fn numbers_parse_with_either_decimal_mark_and_respect_bounds() {
    let mut f = field("count", FieldKind::Number, true);
    f.limits.min = Some(1.0);
    f.limits.max = Some(10.0);
    assert_eq!(
        one(&f, Some(values(&["2,5"]))),
        Ok(Some(Answer::Number(2.5)))
    );
    assert_eq!(
        one(&f, Some(values(&["0"]))),
        Err("must be at least 1".into())
    );
    assert_eq!(
        one(&f, Some(values(&["11"]))),
        Err("must be at most 10".into())
    );
    assert_eq!(
        one(&f, Some(values(&["NaN"]))),
        Err("must be a number".into())
    );
    assert_eq!(
        one(&f, Some(values(&["inf"]))),
        Err("must be a number".into())
    );
    assert_eq!(
        one(&f, Some(values(&["douze"]))),
        Err("must be a number".into())
    );
}

#[test]
fn choices_must_be_offered() {
    let single = field("os", FieldKind::Select, true);
    assert_eq!(
        one(&single, Some(values(&["b"]))),
        Ok(Some(Answer::Text("b".into())))
    );
    assert_eq!(
        one(&single, Some(values(&["z"]))),
        Err("is not one of the choices".into())
    );
    let multi = field("apps", FieldKind::Multiselect, true);
    assert_eq!(
        one(&multi, Some(values(&["a", "c", "a"]))),
        Ok(Some(Answer::Choices(vec!["a".into(), "c".into()])))
    );
    assert_eq!(
        one(&multi, Some(values(&["a", "z"]))),
        Err("is not one of the choices".into())
    );
    assert_eq!(one(&multi, Some(values(&[]))), Err("is required".into()));
}

#[test]
fn checkboxes_are_flags_and_required_means_checked() {
    let f = field("agree", FieldKind::Checkbox, true);
    assert_eq!(one(&f, Some(values(&["on"]))), Ok(Some(Answer::Flag(true))));
    assert_eq!(one(&f, None), Err("must be checked".into()));
    let optional = field("copy", FieldKind::Checkbox, false);
    assert_eq!(one(&optional, None), Ok(Some(Answer::Flag(false))));
}

#[test]
fn dates_are_real_days_and_may_refuse_the_past() {
    let mut f = field("start", FieldKind::Date, true);
    assert_eq!(
        one(&f, Some(values(&["2024-02-29"]))),
        Ok(Some(Answer::Text("2024-02-29".into())))
    );
    assert_eq!(
        one(&f, Some(values(&["2023-02-29"]))),
        Err("must be a date (YYYY-MM-DD)".into())
    );
    assert_eq!(
        one(&f, Some(values(&["28/11/2026"]))),
        Err("must be a date (YYYY-MM-DD)".into())
    );
    f.limits.not_in_past = true;
    assert_eq!(
        one(&f, Some(values(&["2026-11-27"]))),
        Err("must not be in the past".into())
    );
    assert!(one(&f, Some(values(&[TODAY]))).is_ok());
}

#[test]
fn files_respect_size_and_type() {
    let mut f = field("quote", FieldKind::File, true);
    f.limits.max_size_mb = Some(1);
    f.limits.allowed_types = vec!["pdf".into()];
    let file = |name: &str, size: u64| {
        Some(Submitted::File(FileMeta {
            name: name.into(),
            size,
        }))
    };
    assert!(one(&f, file("devis.PDF", 1000)).is_ok());
    assert_eq!(
        one(&f, file("devis.pdf", 2 * 1024 * 1024)),
        Err("must be at most 1 MiB".into())
    );
    assert_eq!(
        one(&f, file("devis.exe", 10)),
        Err("must be one of: pdf".into())
    );
    assert_eq!(one(&f, None), Err("is required".into()));
    assert!(one(&f, Some(values(&["x"]))).is_err());
}

#[test]
fn unknown_keys_are_named() {
    let form = vec![field("a", FieldKind::Text, false)];
    let mut submitted = BTreeMap::new();
    submitted.insert("zzz".to_owned(), values(&["1"]));
    let errors = validate(&form, &submitted, TODAY).expect_err("unknown key");
    assert_eq!(errors.get("zzz"), Some("is not a field of this form"));
}

#[test]
fn definitions_are_checked() {
    let ok = field("laptop_model", FieldKind::Select, true)
        .check(&[])
        .expect("valid");
    assert_eq!(ok.options, vec!["a", "b", "c"]);
    let mut bad = field("Bad Key", FieldKind::Multiselect, true);
    bad.options = vec![" ".into()];
    bad.label = String::new();
    let errors = bad.check(&[]).expect_err("invalid");
    for name in ["key", "label", "options"] {
        assert!(errors.get(name).is_some(), "{name}");
    }
    let dup = field("laptop_model", FieldKind::Text, false).check(std::slice::from_ref(&ok));
    assert_eq!(
        dup.expect_err("dup").get("key"),
        Some("is already used in this form")
    );
    let mut range = field("n", FieldKind::Number, false);
    range.limits.min = Some(5.0);
    range.limits.max = Some(1.0);
    assert!(range.check(&[]).is_err());
    // Limits that do not apply to a kind are dropped rather than kept silently.
    let mut text = field("t", FieldKind::Text, false);
    text.limits.min = Some(1.0);
    text.options = vec!["x".into()];
    let text = text.check(&[]).expect("valid");
    assert_eq!(text.limits.min, None);
    assert!(text.options.is_empty());
}

fn kind_strategy() -> impl Strategy<Value = FieldKind> {
    prop::sample::select(FieldKind::ALL.to_vec())
}

fn form_strategy() -> impl Strategy<Value = Vec<FormField>> {
    prop::collection::vec((kind_strategy(), any::<bool>()), 1..8).prop_map(|kinds| {
        kinds
            .into_iter()
            .enumerate()
            .map(|(i, (kind, required))| field(&format!("f{i}"), kind, required))
            .collect()
    })
}

/// A value that satisfies `field` (with no limits set).
fn valid_value(field: &FormField, seed: u8) -> Submitted {
    let pick = |n: usize| field.options[usize::from(seed) % n].clone();
    match field.kind {
        FieldKind::Text | FieldKind::Textarea => Submitted::Values(vec![format!("v{seed}")]),
        FieldKind::Number => Submitted::Values(vec![format!("{}", i32::from(seed) - 100)]),
        FieldKind::Select => Submitted::Values(vec![pick(field.options.len())]),
        FieldKind::Multiselect => {
            Submitted::Values(vec![pick(field.options.len()), field.options[0].clone()])
        }
        FieldKind::Checkbox => Submitted::Values(vec!["on".into()]),
        FieldKind::Date => Submitted::Values(vec![format!("2027-01-{:02}", 1 + seed % 28)]),
        FieldKind::File => Submitted::File(FileMeta {
            name: format!("f{seed}.pdf"),
            size: u64::from(seed),
        }),
    }
}

proptest! {
    #[test]
    fn valid_submissions_pass_and_answer_every_field(form in form_strategy(), seed in any::<u8>()) {
        let submitted: BTreeMap<String, Submitted> =
            form.iter().map(|f| (f.key.clone(), valid_value(f, seed))).collect();
        let data = validate(&form, &submitted, TODAY).expect("valid data passes");
        prop_assert_eq!(data.len(), form.len());
    }

    #[test]
    fn a_missing_required_field_is_named(form in form_strategy(), seed in any::<u8>(), drop in any::<prop::sample::Index>()) {
        let dropped = &form[drop.index(form.len())];
        let submitted: BTreeMap<String, Submitted> = form
            .iter()
            .filter(|f| f.key != dropped.key)
            .map(|f| (f.key.clone(), valid_value(f, seed)))
            .collect();
        match validate(&form, &submitted, TODAY) {
            Ok(data) => prop_assert!(!dropped.required, "a required field was missing yet accepted: {data:?}"),
            Err(errors) => {
                prop_assert!(dropped.required);
                prop_assert!(errors.get(&dropped.key).is_some());
                prop_assert_eq!(errors.iter().count(), 1, "only the missing field is named");
            }
        }
    }

    #[test]
    fn arbitrary_input_never_panics_and_errors_name_real_keys(
        form in form_strategy(),
        sent in prop::collection::btree_map("[a-z0-9]{1,3}", prop::collection::vec(".{0,12}", 0..3), 0..8),
    ) {
        let submitted: BTreeMap<String, Submitted> =
            sent.into_iter().map(|(k, v)| (k, Submitted::Values(v))).collect();
        if let Err(errors) = validate(&form, &submitted, TODAY) {
            for (key, _) in errors.iter() {
                prop_assert!(form.iter().any(|f| f.key == key) || submitted.contains_key(key));
            }
        }
    }

    #[test]
    fn iso_dates_agree_with_a_calendar(year in 1u32..3000, month in 0u32..14, day in 0u32..33) {
        let text = format!("{year:04}-{month:02}-{day:02}");
        let real = jiff::civil::Date::new(i16::try_from(year).unwrap_or(1), i8::try_from(month).unwrap_or(0), i8::try_from(day).unwrap_or(0)).is_ok();
        prop_assert_eq!(is_iso_date(&text), real);
    }
}

#[test]
fn a_field_without_a_key_takes_one_from_its_label() {
    use super::key_from_label;
    assert_eq!(
        key_from_label("Numéro d'inventaire", &[]),
        "numero_d_inventaire"
    );
    assert_eq!(key_from_label("  Cœur / Équipe ? ", &[]), "coeur_equipe");
    assert_eq!(key_from_label("2e écran", &[]), "f_2e_ecran");
    assert_eq!(key_from_label("???", &[]), "f");
    let taken = field("motif", FieldKind::Text, false);
    assert_eq!(key_from_label("Motif", &[taken]), "motif_2");
    let long = key_from_label(&"très long libellé ".repeat(10), &[]);
    assert!(super::check_key(&long).is_ok(), "{long}");
}
