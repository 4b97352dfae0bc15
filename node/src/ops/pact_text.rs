//! What a proposal does, in words, German and English: the text the Pakt
//! page, the API and `amtshilfe member` show before anyone signs. Names
//! every key in full with its word fingerprint and counts the heads a
//! removal or rotation freezes, so that what is shown is what is signed.

use amtshilfe_protocol::fingerprint;
use amtshilfe_protocol::ids::{MemberId, PublicKey};
use amtshilfe_protocol::membership::{FrozenHeads, Proposal};

/// The proposal's kind as the API spells it.
pub(crate) fn proposal_kind(proposal: &Proposal) -> &'static str {
    match proposal {
        Proposal::Add { .. } => "add",
        Proposal::Remove { .. } => "remove",
        Proposal::RotateKey { .. } => "rotate_key",
        Proposal::AppointOfficer { .. } => "appoint_officer",
        Proposal::DismissOfficer { .. } => "dismiss_officer",
        Proposal::SetAgreement { .. } => "set_agreement",
    }
}

fn key_text(key: &PublicKey) -> String {
    format!("{key} ({})", fingerprint::words(key))
}

fn heads_count(heads: &FrozenHeads) -> usize {
    heads.values().map(Vec::len).sum()
}

/// `proposal` in German and in English; `name_of` names members.
pub(crate) fn describe(
    proposal: &Proposal,
    name_of: &dyn Fn(&MemberId) -> String,
) -> (String, String) {
    match proposal {
        Proposal::Add { key, name } => (
            format!(
                "„{name}“ in den Pakt aufnehmen, mit dem Mitgliedsschlüssel {}",
                key_text(key)
            ),
            format!(
                "admit “{name}” to the pact with member key {}",
                key_text(key)
            ),
        ),
        Proposal::Remove {
            member,
            frozen_heads,
        } => {
            let name = name_of(member);
            let heads = heads_count(frozen_heads);
            (
                format!(
                    "„{name}“ aus dem Pakt entfernen; seine Daten bleiben bis zu {heads} \
                     Köpfen gültig, spätere Änderungen werden überall abgewiesen"
                ),
                format!(
                    "remove “{name}” from the pact; its data stays valid up to {heads} heads, \
                     later changes are refused everywhere"
                ),
            )
        }
        Proposal::RotateKey {
            member,
            new_key,
            frozen_heads,
        } => {
            let name = name_of(member);
            let heads = heads_count(frozen_heads);
            (
                format!(
                    "den Mitgliedsschlüssel von „{name}“ ersetzen durch {}; was unter dem alten \
                     Schlüssel geschrieben wurde, bleibt bis zu {heads} Köpfen gültig",
                    key_text(new_key)
                ),
                format!(
                    "replace the member key of “{name}” by {}; what was written under the old \
                     key stays valid up to {heads} heads",
                    key_text(new_key)
                ),
            )
        }
        Proposal::AppointOfficer {
            officer_key,
            name,
            serves,
        } => {
            let served = serves.iter().map(name_of).collect::<Vec<_>>().join(", ");
            (
                format!(
                    "„{name}“ (Schlüssel {}) zur gemeinsamen Informationssicherheitsbeauftragten \
                     bestellen für: {served}",
                    key_text(officer_key)
                ),
                format!(
                    "appoint “{name}” (key {}) as joint security officer for: {served}",
                    key_text(officer_key)
                ),
            )
        }
        Proposal::DismissOfficer { officer_key } => (
            format!(
                "die gemeinsame Informationssicherheitsbeauftragte mit dem Schlüssel {} abberufen",
                key_text(officer_key)
            ),
            format!(
                "dismiss the joint security officer with key {}",
                key_text(officer_key)
            ),
        ),
        Proposal::SetAgreement {
            agreement,
            previous,
        } => {
            let stage = agreement
                .stage()
                .map_or_else(|| "-".to_owned(), |s| format!("{:?}", s.stage));
            let replacing = |de: bool| {
                previous.map_or_else(String::new, |p| {
                    if de {
                        format!(", ersetzt die Fassung des Vorschlags {p}")
                    } else {
                        format!(", replacing the version of proposal {p}")
                    }
                })
            };
            (
                format!(
                    "die Vereinbarung des Pakts festlegen ({:?}, Stand {stage}){}",
                    agreement.legal_form,
                    replacing(true)
                ),
                format!(
                    "set the pact's agreement ({:?}, stage {stage}){}",
                    agreement.legal_form,
                    replacing(false)
                ),
            )
        }
    }
}
