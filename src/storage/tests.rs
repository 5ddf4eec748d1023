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
        locale: Locale::En,
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
        let store = Store::open_with(&path, CACHE, &migrations::MIGRATIONS[..1]).expect("open");
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
    let older = Store::open_with(&path, CACHE, &migrations::MIGRATIONS[..1]);
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
fn backup_copies_every_table() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join(FILE_NAME), CACHE).expect("open");
    store
        .write(|w| {
            w.put_user(&user(1, "alice"))?;
            w.put_session(&[1; 32], &session(1, 1))
        })
        .expect("write");
    let dest = dir.path().join("copy.redb");
    store.backup_to(&dest).expect("backup");
    assert!(
        store.backup_to(&dest).is_err(),
        "an existing file is not overwritten"
    );

    let copy = Store::open(&dest, CACHE).expect("open copy");
    let tables = |s: &Store| -> Vec<String> {
        let txn = s.db.begin_read().expect("read");
        let mut names: Vec<String> = txn
            .list_tables()
            .expect("list")
            .map(|t| redb::TableHandle::name(&t).to_owned())
            .chain(
                txn.list_multimap_tables()
                    .expect("list")
                    .map(|t| redb::MultimapTableHandle::name(&t).to_owned()),
            )
            .collect();
        names.sort();
        names
    };
    assert_eq!(
        tables(&copy),
        tables(&store),
        "backup.rs must copy every table"
    );
    let reader = copy.read().expect("read");
    assert_eq!(reader.count_users().expect("count"), 1);
    assert_eq!(reader.sessions_of(UserId(1)).expect("list").len(), 1);
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
