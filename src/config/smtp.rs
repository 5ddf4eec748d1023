//! The `[smtp]` table and its `GUICHET_SMTP_*` variables: where mail leaves from. Without a
//! host, mail is off. The password is kept in a `Secret`, whose `Debug` never shows it.

use super::ConfigError;
use serde::Deserialize;
use std::path::PathBuf;

/// A value that must never reach a log, a page or `Debug` output.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value itself, for the one place that needs it (the SMTP sign-in).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain text (a relay on the same machine or network).
    None,
    /// Plain text upgraded with STARTTLS, which is then required (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

impl SmtpTls {
    fn parse(key: &str, value: &str) -> Result<SmtpTls, ConfigError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "none" => Ok(SmtpTls::None),
            "starttls" => Ok(SmtpTls::Starttls),
            "tls" => Ok(SmtpTls::Tls),
            _ => Err(ConfigError::Value {
                key: key.to_owned(),
                message: format!("{value:?} is not one of none, starttls, tls"),
            }),
        }
    }

    fn default_port(self) -> u16 {
        match self {
            SmtpTls::None => 25,
            SmtpTls::Starttls => 587,
            SmtpTls::Tls => 465,
        }
    }
}

/// The mail relay, checked: a host, a port, a sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// The sender, `Name <address>` or an address.
    pub from: String,
    /// An extra certificate authority (PEM) for an internal relay.
    pub ca_file: Option<PathBuf>,
    /// Hours after which an undelivered mail is given up and marked failed.
    pub give_up_hours: u32,
}

/// The `[smtp]` table as written, every key optional so that variables can complete it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpParts {
    host: Option<String>,
    port: Option<u16>,
    tls: Option<SmtpTls>,
    username: Option<String>,
    password: Option<Secret>,
    from: Option<String>,
    ca_file: Option<PathBuf>,
    give_up_hours: Option<u32>,
}

/// The variables of the `[smtp]` table.
pub const ENV_KEYS: &[&str] = &[
    "GUICHET_SMTP_HOST",
    "GUICHET_SMTP_PORT",
    "GUICHET_SMTP_TLS",
    "GUICHET_SMTP_USERNAME",
    "GUICHET_SMTP_PASSWORD",
    "GUICHET_SMTP_FROM",
    "GUICHET_SMTP_CA_FILE",
    "GUICHET_SMTP_GIVE_UP_HOURS",
];

impl SmtpParts {
    /// Lays the file's table over what is there.
    pub fn merge(&mut self, file: SmtpParts) {
        let SmtpParts {
            host,
            port,
            tls,
            username,
            password,
            from,
            ca_file,
            give_up_hours,
        } = file;
        self.host = host.or(self.host.take());
        self.port = port.or(self.port);
        self.tls = tls.or(self.tls);
        self.username = username.or(self.username.take());
        self.password = password.or(self.password.take());
        self.from = from.or(self.from.take());
        self.ca_file = ca_file.or(self.ca_file.take());
        self.give_up_hours = give_up_hours.or(self.give_up_hours);
    }

    /// Takes one `GUICHET_SMTP_*` variable.
    pub fn apply_env(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        let text = || Some(value.trim().to_owned()).filter(|v| !v.is_empty());
        let number = |v: &str| {
            v.trim().parse::<u32>().map_err(|_| ConfigError::Value {
                key: key.to_owned(),
                message: format!("{v:?} is not a whole number"),
            })
        };
        match key {
            "GUICHET_SMTP_HOST" => self.host = text(),
            "GUICHET_SMTP_PORT" => {
                let port = number(value)?;
                self.port = Some(u16::try_from(port).map_err(|_| ConfigError::Value {
                    key: key.to_owned(),
                    message: format!("{port} is not a port number"),
                })?);
            }
            "GUICHET_SMTP_TLS" => self.tls = Some(SmtpTls::parse(key, value)?),
            "GUICHET_SMTP_USERNAME" => self.username = text(),
            // A password may hold spaces at either end: taken as given.
            "GUICHET_SMTP_PASSWORD" => {
                self.password = Some(Secret::new(value)).filter(|p| !p.0.is_empty());
            }
            "GUICHET_SMTP_FROM" => self.from = text(),
            "GUICHET_SMTP_CA_FILE" => self.ca_file = text().map(PathBuf::from),
            "GUICHET_SMTP_GIVE_UP_HOURS" => self.give_up_hours = Some(number(value)?),
            _ => {}
        }
        Ok(())
    }

    /// The relay, or `None` when no host is given (mail is off). A relay needs a sender and
    /// `base_url`, since every mail links back to Guichet.
    pub fn check(self, base_url: Option<&str>) -> Result<Option<Smtp>, ConfigError> {
        let error = |key: &str, message: &str| ConfigError::Value {
            key: key.to_owned(),
            message: message.to_owned(),
        };
        let Some(host) = self
            .host
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
        else {
            if self.from.is_some() || self.username.is_some() || self.password.is_some() {
                return Err(error(
                    "smtp.host",
                    "is missing: mail needs a relay to send through",
                ));
            }
            return Ok(None);
        };
        if host.chars().any(|c| c.is_whitespace() || c == '/') {
            return Err(error(
                "smtp.host",
                "must be a host name or an address, like smtp.example.org",
            ));
        }
        let from = self
            .from
            .ok_or_else(|| error("smtp.from", "is missing: mails need a sender address"))?;
        if from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(error(
                "smtp.from",
                "is not an address like \"Guichet <it@example.org>\" or it@example.org",
            ));
        }
        if base_url.is_none() {
            return Err(error(
                "smtp",
                "needs base_url too: every mail links back to Guichet",
            ));
        }
        if self.password.is_some() && self.username.is_none() {
            return Err(error(
                "smtp.username",
                "is missing: a password needs a user name",
            ));
        }
        let tls = self.tls.unwrap_or_default();
        let give_up_hours = self.give_up_hours.unwrap_or(48);
        if !(1..=24 * 30).contains(&give_up_hours) {
            return Err(error("smtp.give_up_hours", "must be 1 to 720 hours"));
        }
        Ok(Some(Smtp {
            host,
            port: self.port.unwrap_or_else(|| tls.default_port()),
            tls,
            username: self.username,
            password: self.password,
            from,
            ca_file: self.ca_file,
            give_up_hours,
        }))
    }
}
