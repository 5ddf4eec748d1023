//! Configuration: defaults, then the TOML file, then `GUICHET_*` environment variables, then
//! command-line flags (clap merges the last two for the options it declares).

mod jobs;
mod smtp;

use crate::domain::Locale;
pub use jobs::Jobs;
use jobs::check_time_zone;
use serde::Deserialize;
use smtp::SmtpParts;
pub use smtp::{Secret, Smtp, SmtpTls};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The store's page cache by default, in MiB. Pages read the same number of instructions with
/// 4 as with 8 at 100,000 requests, submissions go as fast, and the peak under a burst of them
/// is 8–10 MB lower (`benches/README.md`); the system's own cache of the file stays behind it.
pub const DEFAULT_CACHE_MB: u32 = 4;
/// Each journal segment by default, in MiB: short checkpoints (`benches/README.md`).
pub const DEFAULT_JOURNAL_MB: u32 = 2;

#[derive(Debug, Clone)]
pub struct Config {
    /// Directory holding `guichet.redb` and the search index.
    pub data_dir: PathBuf,
    /// Address the HTTP server listens on.
    pub listen: SocketAddr,
    /// The organisation's name, shown in the header and page titles.
    pub org_name: String,
    /// The public address users reach Guichet at; `https://…` makes cookies `Secure`.
    pub base_url: Option<String>,
    /// Interface language when neither the user nor the browser says otherwise.
    pub default_locale: Locale,
    /// How long a sign-in lasts, in hours.
    pub session_hours: u32,
    /// Largest accepted upload, in MiB.
    pub upload_limit_mb: u32,
    /// Memory redb may use to cache pages of the store, in MiB (`DEFAULT_CACHE_MB`).
    pub cache_mb: u32,
    /// Each of the store journal's two segments, in MiB (`DEFAULT_JOURNAL_MB`).
    pub journal_mb: u32,
    /// Fill an empty store with the demo organisation and show the demo banner.
    pub demo: bool,
    /// Verify every record of the store before serving, even after a clean shutdown
    /// (`serve --verify`); after an unclean one it is always done.
    pub verify: bool,
    /// Limits on HTTP connections (`[http]`).
    pub http: Http,
    /// Reverse proxies whose `X-Forwarded-For` names the client (addresses or CIDR ranges).
    pub trusted_proxies: Vec<IpRange>,
    /// The instance's time zone (IANA name) for scheduled jobs and dates; `None`: the system's.
    pub time_zone: Option<String>,
    /// When each scheduled job runs (`[jobs]`, cron expressions).
    pub jobs: Jobs,
    /// Days a request may wait for its requester's answer before it is closed (a reminder goes
    /// half-way); 0 never closes.
    pub waiting_close_days: u32,
    /// Days after completion during which the requester may reopen a request.
    pub reopen_days: u32,
    /// The mail relay (`[smtp]`); `None`: mail is off.
    pub smtp: Option<Smtp>,
    /// Run the scheduled jobs in the background. Not a setting of the file or the environment:
    /// the integration tests turn it off and drive the jobs with `run_due` and their clock.
    pub background_jobs: bool,
}

/// The `[http]` table: how long a client may take, and how many connections it may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Http {
    /// Seconds a client has to send a whole request head once it has begun.
    pub header_timeout_s: u32,
    /// Seconds a kept-alive connection may wait for its next request.
    pub idle_timeout_s: u32,
    /// Seconds a client has to send a whole request body.
    pub body_timeout_s: u32,
    /// Connections open at once, in all.
    pub max_connections: u32,
    /// Connections open at once from one address (an IPv6 /64); a trusted proxy counts only
    /// against `max_connections`.
    pub max_connections_per_address: u32,
}

impl Default for Http {
    fn default() -> Self {
        Http {
            header_timeout_s: 10,
            idle_timeout_s: 60,
            body_timeout_s: 120,
            max_connections: 512,
            max_connections_per_address: 64,
        }
    }
}

impl Http {
    fn check(self) -> Result<Http, ConfigError> {
        check_range("http.header_timeout_s", self.header_timeout_s, 1, 3600)?;
        check_range("http.idle_timeout_s", self.idle_timeout_s, 1, 3600)?;
        check_range("http.body_timeout_s", self.body_timeout_s, 1, 24 * 3600)?;
        check_range("http.max_connections", self.max_connections, 1, 1_000_000)?;
        check_range(
            "http.max_connections_per_address",
            self.max_connections_per_address,
            1,
            1_000_000,
        )?;
        Ok(self)
    }
}

/// An address or a CIDR range (`10.0.0.0/8`, `fd00::/8`, `192.0.2.7`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    pub network: std::net::IpAddr,
    pub prefix: u8,
}

impl IpRange {
    pub fn parse(text: &str) -> Option<IpRange> {
        let (address, prefix) = match text.trim().split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().ok()?)),
            None => (text.trim(), None),
        };
        let network: std::net::IpAddr = address.parse().ok()?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(IpRange { network, prefix })
    }

    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        let bits = |ip: std::net::IpAddr| -> (u128, u8) {
            match ip {
                std::net::IpAddr::V4(v4) => (u128::from(u32::from(v4)) << 96, 32),
                std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                    Some(v4) => (u128::from(u32::from(v4)) << 96, 32),
                    None => (u128::from(v6), 128),
                },
            }
        };
        let (net, net_width) = bits(self.network);
        let (addr, width) = bits(ip);
        if net_width != width {
            return false;
        }
        let mask = if self.prefix == 0 {
            0
        } else {
            u128::MAX << (128 - u32::from(self.prefix))
        };
        net & mask == addr & mask
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("guichet-data"),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            org_name: "Guichet".into(),
            base_url: None,
            default_locale: Locale::Fr,
            session_hours: 12,
            upload_limit_mb: 10,
            cache_mb: DEFAULT_CACHE_MB,
            journal_mb: DEFAULT_JOURNAL_MB,
            demo: false,
            verify: false,
            http: Http::default(),
            trusted_proxies: Vec::new(),
            time_zone: None,
            jobs: Jobs::default(),
            waiting_close_days: 14,
            reopen_days: 14,
            smtp: None,
            background_jobs: true,
        }
    }
}

/// The keys a configuration file may hold. Unknown keys are an error that names them.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data: Option<PathBuf>,
    listen: Option<String>,
    org_name: Option<String>,
    base_url: Option<String>,
    default_locale: Option<String>,
    session_hours: Option<u32>,
    upload_limit_mb: Option<u32>,
    cache_mb: Option<u32>,
    journal_mb: Option<u32>,
    http: Option<Http>,
    trusted_proxies: Option<Vec<String>>,
    time_zone: Option<String>,
    jobs: Option<Jobs>,
    waiting_close_days: Option<u32>,
    reopen_days: Option<u32>,
    smtp: Option<SmtpParts>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the configuration file {path} is invalid: {message}")]
    File { path: PathBuf, message: String },
    #[error("{key} is invalid: {message}")]
    Value { key: String, message: String },
}

/// Settings given on the command line (or their `GUICHET_DATA`/`GUICHET_LISTEN` variables).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub data: Option<PathBuf>,
    pub listen: Option<String>,
    pub demo: bool,
    pub verify: bool,
}

impl Config {
    /// Builds the configuration from its layers. `env` is passed in (not read here) so that
    /// tests can give their own. Unknown `GUICHET_*` variables are returned as warnings.
    pub fn load(
        file: Option<&Path>,
        env: &[(String, String)],
        flags: &Overrides,
    ) -> Result<(Config, Vec<String>), ConfigError> {
        let mut config = Config::default();
        let mut smtp = SmtpParts::default();
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: path.to_owned(),
                source,
            })?;
            let mut parsed: FileConfig = toml::from_str(&text).map_err(|e| ConfigError::File {
                path: path.to_owned(),
                message: e.message().to_owned(),
            })?;
            if let Some(table) = parsed.smtp.take() {
                smtp.merge(table);
            }
            config.apply_file(parsed)?;
        }
        let mut warnings = Vec::new();
        for (key, value) in env {
            if !key.starts_with("GUICHET_") {
                continue;
            }
            if config.jobs.apply_env(key, value)? {
                continue;
            }
            if smtp::ENV_KEYS.contains(&key.as_str()) {
                smtp.apply_env(key, value)?;
                continue;
            }
            if !config.apply_env(key, value)? {
                warnings.push(format!("unknown environment variable {key} is ignored"));
            }
        }
        if let Some(data) = &flags.data {
            config.data_dir.clone_from(data);
        }
        if let Some(listen) = &flags.listen {
            config.listen = parse_listen("--listen", listen)?;
        }
        config.demo = flags.demo;
        config.verify = flags.verify;
        config.smtp = smtp.check(config.base_url.as_deref())?;
        Ok((config, warnings))
    }

    fn apply_file(&mut self, file: FileConfig) -> Result<(), ConfigError> {
        if let Some(data) = file.data {
            self.data_dir = data;
        }
        if let Some(listen) = file.listen {
            self.listen = parse_listen("listen", &listen)?;
        }
        if let Some(name) = file.org_name {
            self.org_name = check_org_name("org_name", &name)?;
        }
        if let Some(url) = file.base_url {
            self.base_url = Some(check_base_url("base_url", &url)?);
        }
        if let Some(locale) = file.default_locale {
            self.default_locale = parse_locale("default_locale", &locale)?;
        }
        if let Some(hours) = file.session_hours {
            self.session_hours = check_range("session_hours", hours, 1, 24 * 90)?;
        }
        if let Some(mb) = file.upload_limit_mb {
            self.upload_limit_mb = check_range("upload_limit_mb", mb, 1, 1024)?;
        }
        if let Some(mb) = file.cache_mb {
            self.cache_mb = check_range("cache_mb", mb, 1, 65_536)?;
        }
        if let Some(mb) = file.journal_mb {
            self.journal_mb = check_range("journal_mb", mb, 1, 1024)?;
        }
        if let Some(http) = file.http {
            self.http = http.check()?;
        }
        if let Some(proxies) = file.trusted_proxies {
            self.trusted_proxies =
                parse_proxies("trusted_proxies", proxies.iter().map(String::as_str))?;
        }
        if let Some(zone) = file.time_zone {
            self.time_zone = Some(check_time_zone("time_zone", &zone)?);
        }
        if let Some(days) = file.waiting_close_days {
            self.waiting_close_days = check_range("waiting_close_days", days, 0, 365)?;
        }
        if let Some(days) = file.reopen_days {
            self.reopen_days = check_range("reopen_days", days, 0, 365)?;
        }
        if let Some(jobs) = file.jobs {
            jobs.schedules(|job| format!("[jobs] {}", job.name()))?;
            self.jobs = jobs;
        }
        Ok(())
    }

    /// Applies `key`, answering whether it is one of the server's variables.
    fn apply_env(&mut self, key: &str, value: &str) -> Result<bool, ConfigError> {
        let number = |v: &str| {
            v.trim().parse::<u32>().map_err(|_| ConfigError::Value {
                key: key.to_owned(),
                message: format!("{v:?} is not a whole number"),
            })
        };
        match key {
            "GUICHET_ORG_NAME" => self.org_name = check_org_name(key, value)?,
            "GUICHET_BASE_URL" => self.base_url = Some(check_base_url(key, value)?),
            "GUICHET_DEFAULT_LOCALE" => self.default_locale = parse_locale(key, value)?,
            "GUICHET_SESSION_HOURS" => {
                self.session_hours = check_range(key, number(value)?, 1, 24 * 90)?;
            }
            "GUICHET_UPLOAD_LIMIT_MB" => {
                self.upload_limit_mb = check_range(key, number(value)?, 1, 1024)?;
            }
            "GUICHET_CACHE_MB" => self.cache_mb = check_range(key, number(value)?, 1, 65_536)?,
            "GUICHET_JOURNAL_MB" => self.journal_mb = check_range(key, number(value)?, 1, 1024)?,
            "GUICHET_TIME_ZONE" => self.time_zone = Some(check_time_zone(key, value)?),
            "GUICHET_WAITING_CLOSE_DAYS" => {
                self.waiting_close_days = check_range(key, number(value)?, 0, 365)?;
            }
            "GUICHET_REOPEN_DAYS" => self.reopen_days = check_range(key, number(value)?, 0, 365)?,
            "GUICHET_TRUSTED_PROXIES" => {
                self.trusted_proxies =
                    parse_proxies(key, value.split(',').filter(|p| !p.trim().is_empty()))?;
            }
            // DATA, LISTEN and CONFIG arrive through clap as flags; LOG is read by tracing.
            "GUICHET_DATA" | "GUICHET_LISTEN" | "GUICHET_CONFIG" | "GUICHET_LOG" => {}
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Cookies are `Secure` when users reach Guichet over https.
    pub fn secure_cookies(&self) -> bool {
        self.base_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }
}

fn parse_listen(key: &str, value: &str) -> Result<SocketAddr, ConfigError> {
    value.trim().parse().map_err(|_| ConfigError::Value {
        key: key.to_owned(),
        message: format!("{value:?} is not an address like 127.0.0.1:8080"),
    })
}

fn parse_locale(key: &str, value: &str) -> Result<Locale, ConfigError> {
    Locale::parse(value).ok_or_else(|| ConfigError::Value {
        key: key.to_owned(),
        message: format!("{value:?} is not a supported language (fr or en)"),
    })
}

fn check_org_name(key: &str, value: &str) -> Result<String, ConfigError> {
    let name = value.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(ConfigError::Value {
            key: key.to_owned(),
            message: "must be 1 to 80 characters long".into(),
        });
    }
    Ok(name.to_owned())
}

fn check_base_url(key: &str, value: &str) -> Result<String, ConfigError> {
    let url = value.trim().trim_end_matches('/');
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(ConfigError::Value {
            key: key.to_owned(),
            message: format!("{value:?} must start with http:// or https://"),
        });
    }
    Ok(url.to_owned())
}

fn check_range(key: &str, value: u32, min: u32, max: u32) -> Result<u32, ConfigError> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(ConfigError::Value {
            key: key.to_owned(),
            message: format!("{value} is outside {min}..={max}"),
        })
    }
}

fn parse_proxies<'a>(
    key: &str,
    items: impl Iterator<Item = &'a str>,
) -> Result<Vec<IpRange>, ConfigError> {
    items
        .map(|item| {
            IpRange::parse(item).ok_or_else(|| ConfigError::Value {
                key: key.to_owned(),
                message: format!("{item:?} is not an IP address or a CIDR range"),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("guichet.toml");
        std::fs::write(&path, text).expect("write");
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        Config::load(Some(&path), &env, &Overrides::default()).map(|(c, _)| c)
    }

    #[test]
    fn smtp_is_read_from_the_file_and_variables_and_never_shows_its_password() {
        let file = "base_url = \"https://it.example.org\"\n[smtp]\nhost = \"relay.example.org\"\n\
                    from = \"Guichet <it@example.org>\"\nusername = \"guichet\"\npassword = \"s3cr3t-file\"";
        let config = load_text(
            file,
            &[
                ("GUICHET_SMTP_PASSWORD", "s3cr3t-env"),
                ("GUICHET_SMTP_TLS", "tls"),
            ],
        )
        .expect("valid");
        let smtp = config.smtp.clone().expect("mail on");
        assert_eq!(
            (smtp.host.as_str(), smtp.port, smtp.tls),
            ("relay.example.org", 465, SmtpTls::Tls)
        );
        assert_eq!(
            smtp.password.as_ref().map(Secret::expose),
            Some("s3cr3t-env")
        );
        assert_eq!(smtp.give_up_hours, 48);
        let shown = format!("{config:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(
            load_text("", &[]).expect("valid").smtp.is_none(),
            "off without a host"
        );
    }

    #[test]
    fn smtp_without_base_url_or_sender_or_with_a_bad_value_stops_the_start() {
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);
        let cases: [Case; 5] = [
            (
                "[smtp]\nhost = \"relay\"\nfrom = \"it@example.org\"",
                &[],
                "base_url",
            ),
            (
                "base_url = \"https://x.org\"\n[smtp]\nhost = \"relay\"",
                &[],
                "smtp.from",
            ),
            (
                "base_url = \"https://x.org\"\n[smtp]\nhost = \"relay\"\nfrom = \"not an address\"",
                &[],
                "smtp.from",
            ),
            (
                "base_url = \"https://x.org\"",
                &[("GUICHET_SMTP_FROM", "it@example.org")],
                "smtp.host",
            ),
            (
                "base_url = \"https://x.org\"\n[smtp]\nhost = \"relay\"\nfrom = \"it@x.org\"",
                &[("GUICHET_SMTP_TLS", "ssl")],
                "GUICHET_SMTP_TLS",
            ),
        ];
        for (file, env, key) in cases {
            let err = load_text(file, env).expect_err(file);
            assert!(err.to_string().contains(key), "{file}: {err}");
        }
        let err = load_text("[smtp]\nhost = \"relay\"\nport = 99999", &[]).expect_err("port");
        assert!(err.to_string().contains("invalid"), "{err}");
    }

    #[test]
    fn layers_apply_in_order() {
        let config = load_text(
            "org_name = \"ACME\"\nsession_hours = 4\ndefault_locale = \"en\"",
            &[("GUICHET_SESSION_HOURS", "8")],
        )
        .expect("valid");
        assert_eq!(config.org_name, "ACME");
        assert_eq!(config.session_hours, 8);
        assert_eq!(config.default_locale, Locale::En);
        assert_eq!(config.journal_mb, DEFAULT_JOURNAL_MB);
        let config = load_text("journal_mb = 16", &[]).expect("valid");
        assert_eq!(config.journal_mb, 16);
        let config = load_text("journal_mb = 16", &[("GUICHET_JOURNAL_MB", "8")]).expect("valid");
        assert_eq!(config.journal_mb, 8);
    }

    #[test]
    fn unknown_keys_are_named() {
        let err = load_text("org_nmae = \"x\"", &[]).expect_err("unknown key");
        assert!(err.to_string().contains("org_nmae"), "{err}");
    }

    #[test]
    fn bad_values_are_named() {
        let err = load_text("default_locale = \"de\"", &[]).expect_err("bad locale");
        assert!(err.to_string().contains("default_locale"), "{err}");
        let err = load_text("", &[("GUICHET_CACHE_MB", "lots")]).expect_err("bad number");
        assert!(err.to_string().contains("GUICHET_CACHE_MB"), "{err}");
        let err = load_text("journal_mb = 0", &[]).expect_err("no journal");
        assert!(err.to_string().contains("journal_mb"), "{err}");
        let err = load_text("", &[("GUICHET_JOURNAL_MB", "4096")]).expect_err("too long");
        assert!(err.to_string().contains("GUICHET_JOURNAL_MB"), "{err}");
        let err = load_text("base_url = \"ftp://x\"", &[]).expect_err("bad url");
        assert!(err.to_string().contains("base_url"), "{err}");
    }

    #[test]
    fn unknown_env_vars_warn_and_https_makes_cookies_secure() {
        let env = vec![
            ("GUICHET_LISTN".to_string(), "x".to_string()),
            (
                "GUICHET_BASE_URL".to_string(),
                "https://it.example.org/".to_string(),
            ),
            ("GUICHET_REOPEN_DAYS".to_string(), "3".to_string()),
            ("GUICHET_LOG".to_string(), "debug".to_string()),
        ];
        let (config, warnings) = Config::load(None, &env, &Overrides::default()).expect("valid");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("GUICHET_LISTN"));
        assert_eq!(config.reopen_days, 3);
        assert!(config.secure_cookies());
        assert_eq!(config.base_url.as_deref(), Some("https://it.example.org"));
    }

    #[test]
    fn the_http_table_and_trusted_proxies_are_read_and_checked() {
        let config = load_text(
            "trusted_proxies = [\"10.0.0.0/8\", \"::1\"]\n[http]\nheader_timeout_s = 3\nmax_connections = 9",
            &[],
        )
        .expect("valid");
        assert_eq!(config.http.header_timeout_s, 3);
        assert_eq!(config.http.max_connections, 9);
        assert_eq!(config.http.idle_timeout_s, Http::default().idle_timeout_s);
        assert!(config.trusted_proxies[0].contains("10.20.30.40".parse().expect("ip")));
        assert!(!config.trusted_proxies[0].contains("11.0.0.1".parse().expect("ip")));
        assert!(config.trusted_proxies[1].contains("::1".parse().expect("ip")));
        let err = load_text("[http]\nheader_timeout_s = 0", &[]).expect_err("zero");
        assert!(err.to_string().contains("http.header_timeout_s"), "{err}");
        let err = load_text("[http]\nheader_timeout = 3", &[]).expect_err("unknown key");
        assert!(err.to_string().contains("header_timeout"), "{err}");
        let err = load_text("trusted_proxies = [\"10.0.0.0/33\"]", &[]).expect_err("bad range");
        assert!(err.to_string().contains("trusted_proxies"), "{err}");
        let err = load_text("", &[("GUICHET_TRUSTED_PROXIES", "10.0.0.1,nope")]).expect_err("bad");
        assert!(err.to_string().contains("nope"), "{err}");
    }

    #[test]
    fn jobs_and_the_time_zone_are_checked_and_named_when_wrong() {
        let config = load_text(
            "time_zone = \"Europe/Paris\"\n[jobs]\npurge_sessions = \"*/10 * * * *\"",
            &[],
        )
        .expect("valid");
        assert_eq!(config.time_zone.as_deref(), Some("Europe/Paris"));
        assert_eq!(config.jobs.purge_sessions, "*/10 * * * *");
        let err = load_text("[jobs]\npurge_sessions = \"0 9 * * 1-5\"", &[]).expect_err("numbers");
        let message = err.to_string();
        assert!(
            message.contains("[jobs] purge_sessions") && message.contains("write names"),
            "{message}"
        );
        let err = load_text("[jobs]\nbackups = \"0 2 * * *\"", &[]).expect_err("unknown job");
        assert!(err.to_string().contains("backups"), "{err}");
        let err = load_text("time_zone = \"Mars/Olympus\"", &[]).expect_err("zone");
        assert!(err.to_string().contains("time_zone"), "{err}");
        let err = load_text("", &[("GUICHET_JOBS_PURGE_SESSIONS", "every hour")]).expect_err("env");
        assert!(
            err.to_string().contains("GUICHET_JOBS_PURGE_SESSIONS"),
            "{err}"
        );
        let config =
            load_text("", &[("GUICHET_JOBS_PURGE_SESSIONS", "0 0 3 * * Sun")]).expect("env");
        assert_eq!(config.jobs.purge_sessions, "0 0 3 * * Sun");
    }
}
