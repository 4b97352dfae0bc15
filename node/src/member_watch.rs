//! What each member's documents cost this node, and which members cost
//! more than an honest member writes.
//!
//! Not a quota: the protocol refuses only what every node decides alike,
//! a quota per actor and a cap on a member's counted incarnations
//! (`protocol/src/replica/quota.rs`; ARCHITECTURE.md, "Member-wide
//! bound"), which together allow a member gigabytes per document. The
//! node shows the figure in `/api/status` and `/metrics` and flags a
//! member above [`MEMBER_BYTES_WATCH`], far below that bound, so the
//! operators see a flood early and the pact can remove the member; once
//! removed, nothing new of it is accepted.

use serde::Serialize;

use amtshilfe_protocol::ids::MemberId;
use amtshilfe_protocol::replica::Replica;

/// A member keeping more than this many bytes of changes on the node is
/// flagged (256 MiB: four full actor quotas; a register of a thousand
/// offers edited for years stays far below it).
pub const MEMBER_BYTES_WATCH: usize = 256 * 1024 * 1024;

/// One member's kept bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct MemberStored {
    /// The member.
    pub member: MemberId,
    /// Encoded bytes of its documents' changes kept here (applied, held
    /// and waiting).
    pub bytes: u64,
    /// More than [`MEMBER_BYTES_WATCH`].
    pub over_watch: bool,
    /// Of the member's `INCARNATIONS_PER_MEMBER_MAX` (32) slots, how many
    /// its keys still writing use: near the cap, a device of the member
    /// declaring a new incarnation may find none left.
    pub incarnation_slots_used: u32,
}

/// Every member with something kept, by member id.
pub fn stored(replica: &Replica) -> Vec<MemberStored> {
    stored_with(replica, MEMBER_BYTES_WATCH)
}

fn stored_with(replica: &Replica, watch: usize) -> Vec<MemberStored> {
    let state = replica.membership().state();
    replica
        .stored_bytes_by_member()
        .into_iter()
        .map(|(member, bytes)| MemberStored {
            member,
            bytes: bytes as u64,
            over_watch: bytes > watch,
            incarnation_slots_used: state.incarnation_slots_used(&member) as u32,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use amtshilfe_protocol::ids::Collection;
    use amtshilfe_tests::fixtures::{T0_MS, TestPact};

    #[test]
    fn a_member_above_the_watch_is_flagged_and_one_below_is_not() {
        let pact = TestPact::new(3, 5);
        let mut replica = pact.replica();
        let writer = &pact.members[1];
        let offer =
            amtshilfe_protocol::model::Record::Offer(amtshilfe_tests::sample::laptops(2, T0_MS));
        let envelope = replica
            .write(
                &writer.device,
                Collection::Offers,
                &[amtshilfe_protocol::document::RecordOp::Put {
                    key: "offer:o-1".to_owned(),
                    json: offer.to_json(),
                }],
                T0_MS,
            )
            .unwrap();
        let bytes = envelope.encoded_len();

        let at_the_bytes = stored_with(&replica, bytes);
        assert_eq!(
            at_the_bytes,
            vec![MemberStored {
                member: writer.id(),
                bytes: bytes as u64,
                over_watch: false,
                // Its device's one declared incarnation.
                incarnation_slots_used: 1,
            }],
            "only the member that wrote is listed, not flagged at its own size"
        );
        let below = stored_with(&replica, bytes - 1);
        assert!(below[0].over_watch);
    }
}
