//! The connection to the mail relay (lettre over tokio, TLS by rustls): built once at start-up
//! from `[smtp]`, it turns a rendered mail into a message with its threading headers and
//! hands it to the relay, answering whether a refusal is for good.

use super::Error;
use crate::config::{Smtp, SmtpTls};
use crate::views::mail::Rendered;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// How long one delivery may take before it counts as a failed attempt.
const SEND_TIMEOUT: Duration = Duration::from_secs(30);

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The host of `base_url`, for message ids.
    domain: String,
    pub give_up_hours: u32,
    pub base_url: String,
}

/// A refused delivery: the relay's answer (or the network's) in words, and whether trying
/// again could help.
pub struct Refused {
    pub error: String,
    pub permanent: bool,
}

impl Mailer {
    pub fn new(smtp: &Smtp, base_url: &str) -> Result<Mailer, Error> {
        let bad = |what: String| Error::Internal(format!("[smtp] {what}"));
        let mut tls = TlsParameters::builder(smtp.host.clone());
        if let Some(path) = &smtp.ca_file {
            let pem =
                std::fs::read(path).map_err(|e| bad(format!("ca_file {}: {e}", path.display())))?;
            let certificate = Certificate::from_pem(&pem).map_err(|e| {
                bad(format!(
                    "ca_file {} is not a PEM certificate: {e}",
                    path.display()
                ))
            })?;
            tls = tls.add_root_certificate(certificate);
        }
        let tls = || {
            tls.clone()
                .build_rustls()
                .map_err(|e| bad(format!("TLS: {e}")))
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
            .port(smtp.port)
            .timeout(Some(SEND_TIMEOUT))
            .tls(match smtp.tls {
                SmtpTls::None => Tls::None,
                SmtpTls::Starttls => Tls::Required(tls()?),
                SmtpTls::Tls => Tls::Wrapper(tls()?),
            });
        if let (Some(user), Some(password)) = (&smtp.username, &smtp.password) {
            builder =
                builder.credentials(Credentials::new(user.clone(), password.expose().to_owned()));
        }
        let from = smtp
            .from
            .parse::<Mailbox>()
            .map_err(|e| bad(format!("from: {e}")))?;
        let domain = base_url
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split(['/', ':']).next())
            .filter(|d| !d.is_empty())
            .unwrap_or("guichet.invalid")
            .to_owned();
        Ok(Mailer {
            transport: builder.build(),
            from,
            domain,
            give_up_hours: smtp.give_up_hours,
            base_url: base_url.to_owned(),
        })
    }

    /// The message id of mail `id`, and the id every mail of `thread` refers to.
    fn ids(&self, id: u64, thread: Option<&str>) -> (String, Option<String>) {
        (
            format!("<mail-{id}@{}>", self.domain),
            thread.map(|t| format!("<{t}@{}>", self.domain)),
        )
    }

    /// Sends mail `id`, addressed to `to`; `thread` names the conversation it belongs to.
    pub async fn send(
        &self,
        id: u64,
        to: &str,
        thread: Option<&str>,
        rendered: Rendered,
    ) -> Result<(), Refused> {
        let to: Mailbox = to.parse().map_err(|e| Refused {
            error: format!("the address {to:?} is not valid: {e}"),
            permanent: true,
        })?;
        let (message_id, root) = self.ids(id, thread);
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(rendered.subject)
            .message_id(Some(message_id))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Auto-Submitted"),
                "auto-generated".into(),
            ));
        if let Some(root) = root {
            builder = builder.in_reply_to(root.clone()).references(root);
        }
        let message = builder
            .multipart(MultiPart::alternative_plain_html(
                rendered.text,
                rendered.html,
            ))
            .map_err(|e| Refused {
                error: format!("the mail could not be built: {e}"),
                permanent: true,
            })?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) => Err(Refused {
                permanent: e.is_permanent(),
                error: e.to_string(),
            }),
        }
    }
}
