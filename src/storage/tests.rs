//! Storage round trips, migrations and failure modes on temporary files.

use super::*;
use crate::domain::{Locale, Role, Session, SessionKind, Timestamp, User, UserId, Username};

fn user(id: u64, name: &str) -> User {
    User {
        id: UserId(id),
        username: Username::parse(name).expect("valid"),
        display_name: name.to_uppercase(),
        email: format!("{name}@example.org"),
        password_hash: "$argon2id$fake".into(),
        role: Role::Requester,
        manager_id: None,
        locale: Some(Locale::En),
        active: true,
        must_change_password: false,
        created_at: Timestamp(1_700_000_000),
    }
}

fn session(id: u64, user: u64) -> Session {
    Session {
        id,
        user_id: UserId(user),
        kind: SessionKind::Web,
        name: String::new(),
        csrf: "00".into(),
        created_at: Timestamp(1),
        expires_at: Some(Timestamp(100)),
    }
}

const CACHE: usize = 4 << 20;

fn create() -> Opening {
    Opening {
        create: true,
        verify: Verify::AfterUncleanShutdown,
        migrate: true,
        cache_bytes: CACHE,
        journal_bytes: super::journal::SEGMENT_BYTES,
    }
}

#[test]
fn users_round_trip_and_survive_reopening() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(FILE_NAME);
    {
        let store = Store::open(&path, CACHE).expect("open");
        store
            .write(|w| {
                let id = w.next_id("user")?;
                w.put_user(&user(id, "alice"))
            })
            .expect("write");
    }
    let store = Store::open(&path, CACHE).expect("reopen");
    let reader = store.read().expect("read");
    let alice = reader.user(UserId(1)).expect("get").expect("present");
    assert_eq!(alice, user(1, "alice"));
    let by_name = Username::parse("ALICE").expect("valid");
    assert_eq!(
        reader.user_id_by_name(&by_name).expect("get"),
        Some(UserId(1))
    );
}

#[test]
fn renaming_a_user_moves_the_index_entry() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join(FILE_NAME), CACHE).expect("open");
    store
        .write(|w| w.put_user(&user(1, "alice")))
        .expect("write");
    store
        .write(|w| w.put_user(&user(1, "alicia")))
        .expect("write");
    let reader = store.read().expect("read");
    let old = Username::parse("alice").expect("valid");
    let new = Username::parse("alicia").expect("valid");
    assert_eq!(reader.user_id_by_name(&old).expect("get"), None);
    assert_eq!(reader.user_id_by_name(&new).expect("get"), Some(UserId(1)));
}

#[test]
fn a_failed_use_case_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join(FILE_NAME), CACHE).expect("open");
    let result: Result<(), Error> = store.write(|w| {
        w.put_user(&user(1, "alice"))?;
        Err(Error::Encode("refused".into()))
    });
    assert!(result.is_err());
    assert_eq!(store.read().expect("read").count_users().expect("count"), 0);
}

#[test]
fn migration_from_schema_1_indexes_existing_sessions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(FILE_NAME);
    {
        // A store as the previous release wrote it: schema 1, sessions without the index.
        let store = Store::open_with(&path, create(), &migrations::MIGRATIONS[..1]).expect("open");
        store
            .write(|w| {
                let mut table = w.txn.open_table(tables::SESSIONS)?;
                let record = records::encode(&records::SessionRecord::from(&session(7, 3)))?;
                table.insert([9u8; 32].as_slice(), record.as_slice())?;
                Ok::<_, Error>(())
            })
            .expect("write");
        let version = migrations::current_version(&store.read().expect("read").txn);
        assert_eq!(version.expect("version"), 1);
    }
    let store = Store::open(&path, CACHE).expect("migrate");
    let reader = store.read().expect("read");
    assert_eq!(
        migrations::current_version(&reader.txn).expect("version"),
        SCHEMA_VERSION
    );
    let sessions = reader.sessions_of(UserId(3)).expect("sessions");
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].0, [9u8; 32]);
    assert_eq!(sessions[0].1.id, 7);
}

#[test]
fn a_store_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(FILE_NAME);
    drop(Store::open(&path, CACHE).expect("open"));
    let older = Store::open_with(&path, create(), &migrations::MIGRATIONS[..1]);
    assert!(matches!(
        older,
        Err(Error::NewerSchema {
            found: SCHEMA_VERSION,
            known: 1
        })
    ));
}

#[test]
fn a_file_that_is_not_a_store_is_reported_as_damaged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(FILE_NAME);
    std::fs::write(&path, vec![0x5a; 64 * 1024]).expect("write garbage");
    match Store::open(&path, CACHE) {
        Err(Error::Corrupt { .. }) => {}
        Err(other) => panic!("expected Corrupt, got {other}"),
        Ok(_) => panic!("garbage opened as a store"),
    }
}

#[test]
fn a_store_in_use_is_reported_as_locked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(FILE_NAME);
    let _first = Store::open(&path, CACHE).expect("open");
    assert!(matches!(Store::open(&path, CACHE), Err(Error::Locked(_))));
}

#[test]
fn sessions_are_indexed_by_user_and_purged_when_expired() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join(FILE_NAME), CACHE).expect("open");
    store
        .write(|w| {
            w.put_session(&[1; 32], &session(1, 5))?;
            let mut lasting = session(2, 5);
            lasting.expires_at = None;
            w.put_session(&[2; 32], &lasting)
        })
        .expect("write");
    let purged = store
        .write(|w| w.purge_expired_sessions(Timestamp(100)))
        .expect("purge");
    assert_eq!(purged, 1);
    let left = store
        .read()
        .expect("read")
        .sessions_of(UserId(5))
        .expect("list");
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].1.id, 2);
}

#[test]
fn backup_copies_every_table_but_sign_ins() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join(FILE_NAME), CACHE).expect("open");
    store
        .write(|w| {
            w.put_user(&user(1, "alice"))?;
            w.put_session(&[1; 32], &session(1, 1))?;
            let mut token = session(2, 1);
            token.kind = SessionKind::Personal;
            w.put_session(&[2; 32], &token)
        })
        .expect("write");
    let dest = dir.path().join("copy.redb");
    let bytes = store.backup_to(&dest, 1_800_000_000).expect("backup");
    assert!(bytes > 0);
    assert!(
        store.backup_to(&dest, 0).is_err(),
        "an existing file is not overwritten"
    );
    assert_eq!(
        store.read().expect("read").last_backup().expect("meta"),
        Some((1_800_000_000, bytes))
    );

    let copy = Store::open(&dest, CACHE).expect("open copy");
    let tables = |s: &Store| registry::names_in(&s.db.begin_read().expect("read")).expect("list");
    assert_eq!(tables(&copy), tables(&store), "every table is in the copy");
    let reader = copy.read().expect("read");
    assert_eq!(reader.count_users().expect("count"), 1);
    let kept = reader.sessions_of(UserId(1)).expect("list");
    assert_eq!(kept.len(), 1, "only the personal token is kept");
    assert_eq!(kept[0].1.kind, SessionKind::Personal);
}

#[test]
fn every_table_of_a_new_store_is_in_the_registry() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join(FILE_NAME), CACHE).expect("open");
    let txn = store.db.begin_read().expect("read");
    let known = registry::tables();
    assert_eq!(
        registry::unknown_tables(&txn, &known).expect("list"),
        Vec::<String>::new(),
        "a migration created a table that storage/registry.rs does not declare"
    );
    // Tables of earlier schemas that a migration dropped stay known, for the stores and
    // backups that still hold them; a new store has none of them.
    use redb::TableHandle;
    let dropped = [tables::UNREAD.name()];
    assert!(
        dropped.iter().all(|d| known.iter().any(|e| e.name == *d)),
        "a dropped table stays known"
    );
    let mut names: Vec<String> = known.iter().map(|e| e.name.clone()).collect();
    names.retain(|name| !dropped.contains(&name.as_str()));
    names.sort();
    assert_eq!(
        names,
        registry::names_in(&txn).expect("list"),
        "storage/registry.rs declares a table that no migration creates"
    );
}

#[test]
fn a_table_the_registry_does_not_know_fails_the_backup_and_the_check() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(FILE_NAME);
    {
        let store = Store::open(&path, CACHE).expect("open");
        store
            .write(|w| {
                let def: redb::TableDefinition<u64, u64> = redb::TableDefinition::new("mystery");
                w.txn.open_table(def)?.insert(1, 2)?;
                Ok::<_, Error>(())
            })
            .expect("write");
        let dest = dir.path().join("copy.redb");
        match store.backup_to(&dest, 0) {
            Err(Error::UnknownTables(names)) => assert_eq!(names, vec!["mystery".to_owned()]),
            other => panic!("expected UnknownTables, got {other:?}"),
        }
        assert!(!dest.exists(), "a failed backup leaves no file");
    }
    match check(&path) {
        Err(Error::Damaged { problems, .. }) => {
            assert!(problems[0].contains("mystery"), "{problems:?}");
        }
        other => panic!("expected Damaged, got {other:?}"),
    }
}

#[test]
fn check_names_the_table_and_key_of_a_record_that_does_not_decode() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(FILE_NAME);
    {
        let store = Store::open(&path, CACHE).expect("open");
        store
            .write(|w| {
                w.put_user(&user(1, "alice"))?;
                // Role code 9 means nothing.
                let records::UserRecord::V2(mut bob) = records::UserRecord::from(&user(2, "bob"))
                else {
                    panic!("users are written as version 2");
                };
                bob.role = 9;
                let bad = records::encode(&records::UserRecord::V2(bob))?;
                w.users_table()?.insert(2, bad.as_slice())?;
                Ok::<_, Error>(())
            })
            .expect("write");
    }
    match check(&path) {
        Err(Error::Damaged { problems, .. }) => assert_eq!(
            problems,
            vec!["a stored users record (key 2) cannot be read: unknown role code 9".to_owned()]
        ),
        other => panic!("expected Damaged, got {other:?}"),
    }
}

#[test]
fn only_a_creating_opening_makes_a_store_and_an_empty_file_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(FILE_NAME);
    assert!(matches!(
        Store::open_as(&path, Opening::existing(Verify::Always)),
        Err(Error::Missing(_))
    ));
    assert!(!path.exists());
    std::fs::write(&path, b"").expect("empty");
    for opening in [create(), Opening::existing(Verify::Always)] {
        match Store::open_as(&path, opening) {
            Err(Error::Corrupt { reason, .. }) => assert!(reason.contains("empty"), "{reason}"),
            Err(other) => panic!("expected Corrupt, got {other}"),
            Ok(_) => panic!("an empty file opened as a store"),
        }
    }
    assert_eq!(std::fs::metadata(&path).expect("meta").len(), 0);
}

#[test]
fn services_round_trip_with_every_field_kind_and_stay_indexed_by_category() {
    use crate::domain::form::{FieldKind, FormField, Limits};
    use crate::domain::service::{ApprovalRule, Delay, DelayUnit};
    use crate::domain::{CategoryId, Service, ServiceId, TeamId};
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join(FILE_NAME), CACHE).expect("open");
    let form: Vec<FormField> = FieldKind::ALL
        .iter()
        .enumerate()
        .map(|(i, kind)| FormField {
            key: format!("f{i}"),
            label: format!("Field {i}"),
            help: "help".into(),
            kind: *kind,
            required: i % 2 == 0,
            options: vec!["a".into()],
            limits: Limits {
                max_length: Some(3),
                min: Some(-1.5),
                max: Some(2.0),
                not_in_past: true,
                max_size_mb: Some(4),
                allowed_types: vec!["pdf".into()],
            },
        })
        .collect();
    let mut service = Service {
        id: ServiceId(1),
        name: "VM".into(),
        description: "d".into(),
        keywords: "k".into(),
        category_id: CategoryId(7),
        active: true,
        requires_approval: true,
        approval_steps: vec![
            ApprovalRule::Manager,
            ApprovalRule::TeamLead,
            ApprovalRule::User(UserId(3)),
        ],
        estimated_delay: Some(Delay {
            value: 3,
            unit: DelayUnit::Hours,
        }),
        sla_policy_id: Some(2),
        team_id: Some(TeamId(4)),
        order: -5,
        form,
        created_at: None,
        show_usual_time: false,
        on_behalf: true,
    };
    store.write(|w| w.put_service(&service)).expect("write");
    assert_eq!(
        store
            .read()
            .expect("read")
            .service(ServiceId(1))
            .expect("get"),
        Some(service.clone())
    );
    service.category_id = CategoryId(8);
    store.write(|w| w.put_service(&service)).expect("move");
    let reader = store.read().expect("read");
    assert!(reader.services_in(CategoryId(7)).expect("list").is_empty());
    assert_eq!(reader.services_in(CategoryId(8)).expect("list").len(), 1);
    assert_eq!(reader.count_services_in(CategoryId(8)).expect("count"), 1);
}

#[test]
fn a_restored_store_keeps_personal_tokens_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = dir.path().join("source.redb");
    {
        let store = Store::open(&source, CACHE).expect("open");
        store
            .write(|w| {
                w.put_user(&user(1, "alice"))?;
                w.put_session(&[1; 32], &session(1, 1))?;
                let mut token = session(2, 1);
                token.kind = SessionKind::Personal;
                w.put_session(&[2; 32], &token)
            })
            .expect("write");
    }
    let data = dir.path().join("data");
    std::fs::create_dir(&data).expect("dir");
    let report = restore(&source, &data.join(FILE_NAME)).expect("restore");
    assert_eq!(report.entries("users"), 1);
    let store = Store::open(&data.join(FILE_NAME), CACHE).expect("open");
    let sessions = store
        .read()
        .expect("read")
        .sessions_of(UserId(1))
        .expect("list");
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].1.kind, SessionKind::Personal);
    assert!(!data.join(".restore.redb").exists());
    assert!(
        !before_restore_path(&data.join(FILE_NAME)).exists(),
        "nothing was replaced"
    );
}
