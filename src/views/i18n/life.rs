//! The words of a request's later life (reopened, given back, moved, cancelled with a
//! reason), in French and English.

#[derive(Debug)]
pub struct LifeTexts {
    pub notice_reopened: &'static str,
    pub notice_cancelled: &'static str,
    pub ev_reopened: &'static str,
    pub ev_released: &'static str,
    pub ev_transferred: &'static str,
    pub reopen_title: &'static str,
    pub reopen_help: &'static str,
    pub reopen_reason: &'static str,
    pub reopen: &'static str,
    pub release: &'static str,
    pub transfer_to: &'static str,
    pub transfer: &'static str,
    pub cancel_reason: &'static str,
    pub reopened_count: &'static str,
}

pub static FR: LifeTexts = LifeTexts {
    notice_reopened: "Demande rouverte",
    notice_cancelled: "Demande annulée",
    ev_reopened: "a rouvert la demande",
    ev_released: "a remis la demande dans la file de l'équipe",
    ev_transferred: "a transféré la demande à l'équipe",
    reopen_title: "Pas résolu ?",
    reopen_help: "Rouvrez la demande et dites ce qui ne fonctionne toujours pas : elle revient à la même personne.",
    reopen_reason: "Ce qui ne fonctionne toujours pas",
    reopen: "Rouvrir",
    release: "Remettre dans la file",
    transfer_to: "Transférer à l'équipe",
    transfer: "Transférer",
    cancel_reason: "Motif (facultatif, communiqué au demandeur et à la personne qui la traitait)",
    reopened_count: "Rouvertes",
};

pub static EN: LifeTexts = LifeTexts {
    notice_reopened: "Request reopened",
    notice_cancelled: "Request cancelled",
    ev_reopened: "reopened the request",
    ev_released: "gave the request back to the team's queue",
    ev_transferred: "moved the request to the queue of",
    reopen_title: "Not solved?",
    reopen_help: "Reopen the request and say what still does not work: it goes back to the same person.",
    reopen_reason: "What still does not work",
    reopen: "Reopen",
    release: "Give back to the queue",
    transfer_to: "Move to the team",
    transfer: "Move",
    cancel_reason: "Reason (optional, told to the requester and to whoever was handling it)",
    reopened_count: "Reopened",
};
