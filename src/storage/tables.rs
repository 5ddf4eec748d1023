//! The whole redb schema on one screen. Values are postcard-encoded versioned records
//! (`records.rs`); keys are plain redb types.

use redb::{MultimapTableDefinition, TableDefinition};

/// `schema_version` → number of migrations applied.
pub const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
/// Sequence name (`user`, `team`, `session`) → last id handed out. Ids are never reused.
pub const SEQUENCES: TableDefinition<&str, u64> = TableDefinition::new("sequences");

/// User id → `UserRecord`.
pub const USERS: TableDefinition<u64, &[u8]> = TableDefinition::new("users");
/// Lowercased username → user id. Unique: this is what makes usernames case-insensitive.
pub const USERS_BY_NAME: TableDefinition<&str, u64> = TableDefinition::new("users_by_name");

/// Team id → `TeamRecord`.
pub const TEAMS: TableDefinition<u64, &[u8]> = TableDefinition::new("teams");

/// SHA-256 of a session or API token → `SessionRecord`. The token itself is never stored.
pub const SESSIONS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("sessions");
/// User id → token hashes of that user's sessions and tokens (schema 2), so that
/// deactivation and password changes end them and personal tokens can be listed.
pub const SESSIONS_BY_USER: MultimapTableDefinition<u64, &[u8]> =
    MultimapTableDefinition::new("sessions_by_user");

/// Category id → `CategoryRecord` (schema 3). The whole tree is small and read at once.
pub const CATEGORIES: TableDefinition<u64, &[u8]> = TableDefinition::new("categories");
/// Service id → `ServiceRecord` (schema 3), its form included.
pub const SERVICES: TableDefinition<u64, &[u8]> = TableDefinition::new("services");
/// Category id → ids of its services (schema 3): a category page reads only its services.
pub const SERVICES_BY_CATEGORY: MultimapTableDefinition<u64, u64> =
    MultimapTableDefinition::new("services_by_category");
/// Service id → number of requests ever submitted for it (schema 3), for "most requested".
pub const SERVICE_REQUESTS: TableDefinition<u64, u64> = TableDefinition::new("service_requests");

/// Request id → `RequestRecord` (schema 4): the request with its form snapshot and steps.
pub const REQUESTS: TableDefinition<u64, &[u8]> = TableDefinition::new("requests");
/// Request id → `SummaryRecord`: what lists show and filter on, so that a page of a list
/// decodes little.
pub const REQUEST_SUMMARIES: TableDefinition<u64, &[u8]> =
    TableDefinition::new("request_summaries");
/// (request id, sequence) → `EventRecord`: the append-only timeline, comments included.
pub const REQUEST_EVENTS: TableDefinition<(u64, u32), &[u8]> =
    TableDefinition::new("request_events");
/// (request id, field key) → the bytes of the file uploaded for that field.
pub const ATTACHMENTS: TableDefinition<(u64, &str), &[u8]> = TableDefinition::new("attachments");

/// A `(x, request id) → ()` index: a page is one range read in id order.
pub type RequestIndex = TableDefinition<'static, (u64, u64), ()>;
/// Every request index in one table, so that a submission touches one index tree, not nine.
/// `x` is the index kind in its top byte and the value indexed below it (`storage::requests`
/// names the kinds: open and closed ones by requester, by status, by assignee, by service,
/// waiting for an approver; by requester and open ones until schema 13, whose listings now
/// merge the entries of the others).
pub const REQUEST_INDEX: RequestIndex = TableDefinition::new("request_index");

/// (user id, notification id) → `NotificationRecord`: each user's inbox, newest last.
pub const NOTIFICATIONS: TableDefinition<(u64, u64), &[u8]> = TableDefinition::new("notifications");
/// (user id, notification id) → (), until schema 12: the unread ones. Schema 11's index by
/// request holds the same entries, so schema 12 drops this one: a notification then writes
/// three rows, not four (a submission notifies each member of its team).
pub const UNREAD: RequestIndex = TableDefinition::new("unread_notifications");
/// (user id, request id, notification id) → () (schema 11): the unread ones by request, so
/// that opening a request marks its notices read without reading them all, and "mark all
/// read" touches only those.
pub const UNREAD_ABOUT: TableDefinition<(u64, u64, u64), ()> =
    TableDefinition::new("unread_about_request");
/// User id → how many notifications they have not read, for the header.
pub const UNREAD_COUNT: TableDefinition<u64, u64> = TableDefinition::new("unread_count");

/// The request index and the unread index (until schema 12), as schema 4 created them.
pub const REQUEST_INDEXES: [RequestIndex; 2] = [REQUEST_INDEX, UNREAD];

/// Calendar id → `CalendarRecord` (schema 5): working hours and holidays for SLA clocks.
pub const CALENDARS: TableDefinition<u64, &[u8]> = TableDefinition::new("calendars");
/// Policy id → `PolicyRecord` (schema 5).
pub const SLA_POLICIES: TableDefinition<u64, &[u8]> = TableDefinition::new("sla_policies");
/// (kind, instant, request id) → () (schema 5): open requests by their next SLA deadline, by
/// their expected date (without SLA), and by when the SLA scan next has something to do for
/// them, so that "most urgent first" and the scan read only what is due.
pub const REQUEST_DUE: TableDefinition<(u8, i64, u64), ()> = TableDefinition::new("request_due");
/// (day, service id, team id or 0, assignee id or 0) → `RollupRecord` (schema 6): the daily
/// metrics counters, kept on each request write, so that the dashboard reads days × services,
/// never every request. Days count from 1970-01-01 in the instance's time zone.
pub const ROLLUPS: TableDefinition<(i32, u64, u64, u64), &[u8]> = TableDefinition::new("rollups");

/// Mail id → `MailRecord` (schema 7): every mail queued, sent or given up.
pub const OUTBOX: TableDefinition<u64, &[u8]> = TableDefinition::new("outbox");
/// (due instant, mail id) of every pending mail (schema 7): the sender reads what is due.
pub const OUTBOX_DUE: TableDefinition<(i64, u64), ()> = TableDefinition::new("outbox_due");
/// User id → the notification kinds that user does not want by mail, one bit per kind code
/// (schema 8). No entry: the admins' defaults (`mail.default_off` in `meta`).
pub const MAIL_CHOICES: TableDefinition<u64, u64> = TableDefinition::new("mail_choices");

/// Schema 10: the audit trail, by entry id (in the order of the changes).
pub const AUDIT: TableDefinition<u64, &[u8]> = TableDefinition::new("audit");
