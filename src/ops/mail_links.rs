//! One-click approvals: the approver's mail carries an "approve" and a "reject" link, each a
//! claim (the decision, the request, the approval step, the approver, an expiry) signed with
//! HMAC-SHA-256 under a key kept in the store. Following a link changes nothing: it shows a
//! confirmation page; its form decides. A link is refused, and changes nothing, when it is
//! forged or altered, expired, for a step already decided (which makes every link single-use),
//! or for someone who is no longer that step's approver. A restore drops the key, so that the
//! links of the old copy stop working.

use super::requests::act_in_with;
use super::{Error, Ops};
use crate::domain::request::{Action, Approver, EventKind, Request, RequestId, Status};
use crate::domain::{Role, Timestamp, User, UserId};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How long an approval link stays valid.
pub const LINK_SECONDS: i64 = 7 * 86_400;
/// Bytes of the MAC kept in a link (128 bits).
const MAC_BYTES: usize = 16;
const CLAIM_BYTES: usize = 1 + 8 + 4 + 8 + 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
}

/// What a link says, once its signature is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Claim {
    decision: Decision,
    request: RequestId,
    step: u32,
    approver: UserId,
    expires: Timestamp,
}

/// Why a link does nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRefusal {
    /// Not a link this server signed (or altered, or signed before a restore).
    Forged,
    Expired,
    /// The step was decided already (this link, another one, or on the site).
    Decided,
    /// The person the link was for is no longer this step's approver.
    NotApprover,
}

/// What the confirmation page shows.
pub struct LinkView {
    pub request: Request,
    pub approver: User,
    pub requester: String,
}

fn encode(claim: &Claim) -> [u8; CLAIM_BYTES] {
    let mut out = [0u8; CLAIM_BYTES];
    out[0] = match claim.decision {
        Decision::Approve => 1,
        Decision::Reject => 2,
    };
    out[1..9].copy_from_slice(&claim.request.0.to_be_bytes());
    out[9..13].copy_from_slice(&claim.step.to_be_bytes());
    out[13..21].copy_from_slice(&claim.approver.0.to_be_bytes());
    out[21..29].copy_from_slice(&claim.expires.0.to_be_bytes());
    out
}

fn decode(bytes: &[u8]) -> Option<Claim> {
    let word =
        |range: std::ops::Range<usize>| -> Option<[u8; 8]> { bytes.get(range)?.try_into().ok() };
    Some(Claim {
        decision: match bytes.first()? {
            1 => Decision::Approve,
            2 => Decision::Reject,
            _ => return None,
        },
        request: RequestId(u64::from_be_bytes(word(1..9)?)),
        step: u32::from_be_bytes(bytes.get(9..13)?.try_into().ok()?),
        approver: UserId(u64::from_be_bytes(word(13..21)?)),
        expires: Timestamp(i64::from_be_bytes(word(21..29)?)),
    })
}

fn mac(key: &[u8; 32], claim: &[u8]) -> Option<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).ok()?;
    mac.update(claim);
    Some(mac)
}

/// `claim` and its MAC under `key`, hex-encoded.
pub(super) fn seal(key: &[u8; 32], claim: &[u8]) -> String {
    let tag = mac(key, claim)
        .map(|m| m.finalize().into_bytes().to_vec())
        .unwrap_or_default();
    let mut token = super::secrets::hex(claim);
    token.push_str(&super::secrets::hex(
        tag.get(..MAC_BYTES).unwrap_or_default(),
    ));
    token
}

/// The claim of `token` (`claim_bytes` long), if its MAC under `key` holds.
pub(super) fn unseal(key: &[u8; 32], token: &str, claim_bytes: usize) -> Option<Vec<u8>> {
    let mut bytes = unhex(token)?;
    if bytes.len() != claim_bytes + MAC_BYTES {
        return None;
    }
    let tag = bytes.split_off(claim_bytes);
    mac(key, &bytes)?.verify_truncated_left(&tag).ok()?;
    Some(bytes)
}

fn sign(key: &[u8; 32], claim: &Claim) -> String {
    seal(key, &encode(claim))
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The claim of a token signed under `key`, if the signature holds.
fn verify(key: &[u8; 32], token: &str) -> Option<Claim> {
    decode(&unseal(key, token, CLAIM_BYTES)?)
}

/// Whether `user` may decide the current step of `request`.
fn decides(request: &Request, user: &User) -> bool {
    user.active
        && match request.current_approver() {
            Some(Approver::User(id)) => id == user.id,
            Some(Approver::Admins) => user.role == Role::Admin && user.id != request.requester,
            None => false,
        }
}

impl Ops {
    /// The key approval links are signed with, made at first need.
    pub(super) fn link_key(&self) -> Result<[u8; 32], Error> {
        if let Some(key) = self.store().read()?.mail_link_key()? {
            return Ok(key);
        }
        let fresh = super::secrets::random_bytes::<32>()?;
        Ok(self.store().write(|w| w.ensure_mail_link_key(fresh))?)
    }

    /// The approve and reject links of `request`'s current step for `approver`, if they
    /// decide it now.
    pub(super) fn approval_links(
        &self,
        request: &Request,
        approver: &User,
        base_url: &str,
    ) -> Result<Option<(String, String)>, Error> {
        let Some(step) = request
            .current_step()
            .filter(|_| decides(request, approver))
        else {
            return Ok(None);
        };
        let key = self.link_key()?;
        let claim = |decision| Claim {
            decision,
            request: request.id,
            step: u32::try_from(step).unwrap_or(u32::MAX),
            approver: approver.id,
            expires: self.now().plus_seconds(LINK_SECONDS),
        };
        Ok(Some((
            format!(
                "{base_url}/approve/{}",
                sign(&key, &claim(Decision::Approve))
            ),
            format!("{base_url}/reject/{}", sign(&key, &claim(Decision::Reject))),
        )))
    }

    /// Checks a link against the store as it is now, changing nothing.
    pub fn approval_link(
        &self,
        token: &str,
        decision: Decision,
    ) -> Result<Result<LinkView, LinkRefusal>, Error> {
        let key = self.link_key()?;
        let Some(claim) = verify(&key, token).filter(|c| c.decision == decision) else {
            return Ok(Err(LinkRefusal::Forged));
        };
        if claim.expires < self.now() {
            return Ok(Err(LinkRefusal::Expired));
        }
        let reader = self.store().read()?;
        let (Some(request), Some(approver)) =
            (reader.request(claim.request)?, reader.user(claim.approver)?)
        else {
            return Ok(Err(LinkRefusal::Forged));
        };
        if request.status != Status::PendingApproval
            || request.current_step().and_then(|s| u32::try_from(s).ok()) != Some(claim.step)
        {
            return Ok(Err(LinkRefusal::Decided));
        }
        if !decides(&request, &approver) {
            return Ok(Err(LinkRefusal::NotApprover));
        }
        let requester = reader
            .user(request.requester)?
            .map_or_else(String::new, |u| u.display_name);
        Ok(Ok(LinkView {
            request,
            approver,
            requester,
        }))
    }

    /// Decides as the link says, for its approver; the timeline records that the decision came
    /// by mail. A rejection needs a reason (`Error::Invalid` otherwise).
    pub async fn decide_by_link(
        &self,
        token: &str,
        decision: Decision,
        reason: String,
    ) -> Result<Result<Request, LinkRefusal>, Error> {
        let view = match self.approval_link(token, decision)? {
            Ok(view) => view,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let step = view.request.current_step();
        let action = match decision {
            Decision::Approve => Action::Approve { comment: reason },
            Decision::Reject => Action::Reject { reason },
        };
        let (id, approver) = (view.request.id, view.approver);
        let (now, rules) = (self.now(), self.sla_rules());
        let decided = self
            .store()
            .write_batched(move |w| {
                // Decided in between (another link, the site): this one does nothing.
                let current = w.request(id)?.and_then(|r| r.current_step());
                if current != step {
                    return Ok(Err(LinkRefusal::Decided));
                }
                act_in_with(
                    w,
                    &approver,
                    id,
                    &action,
                    &rules,
                    now,
                    Some(EventKind::DecidedByMail),
                )
                .map(Ok)
            })
            .await?;
        self.mail_queued();
        Ok(decided)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_reads_back_only_under_its_key_and_unaltered() {
        let key = [7u8; 32];
        let claim = Claim {
            decision: Decision::Reject,
            request: RequestId(321),
            step: 1,
            approver: UserId(2),
            expires: Timestamp(1_796_025_600),
        };
        let token = sign(&key, &claim);
        assert_eq!(token.len(), 2 * (CLAIM_BYTES + MAC_BYTES));
        assert_eq!(verify(&key, &token), Some(claim));
        assert_eq!(verify(&[8u8; 32], &token), None, "another key");
        for i in 0..token.len() {
            let mut altered: Vec<char> = token.chars().collect();
            altered[i] = if altered[i] == '0' { '1' } else { '0' };
            let altered: String = altered.into_iter().collect();
            assert_eq!(verify(&key, &altered), None, "character {i} altered");
        }
        assert_eq!(verify(&key, &token[..token.len() - 2]), None, "shortened");
        assert_eq!(verify(&key, "é"), None);
    }
}
