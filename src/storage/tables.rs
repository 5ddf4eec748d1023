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
