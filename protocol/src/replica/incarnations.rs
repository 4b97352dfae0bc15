//! The incarnations a device writes under, declared in the membership log
//! (`membership::EntryKind::Incarnation`): a change counts only under a
//! declared incarnation that is within the caps of its key and member, so
//! every node bounds a member's actors alike (see `quota.rs`). A device
//! declares its own incarnation before its first write; a node that
//! starts on a store written before declarations existed declares the
//! incarnations of its key it finds there.

use std::collections::BTreeSet;

use super::{LocalDevice, Replica};
use crate::identity::{INCARNATION_LEN, split_actor};
use crate::ids::{MemberId, PublicKey};
use crate::membership::{EntryRejection, SignedEntry};

/// Why a device could not declare its incarnation, and so cannot write.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeclareError {
    /// The log refused the declaration: the key has declared its
    /// `INCARNATIONS_PER_KEY_MAX` (a new device key is needed), or it no
    /// longer writes for its member.
    #[error("the membership log refused this device's incarnation: {0}")]
    Refused(EntryRejection),
    /// The member's keys still writing have declared
    /// `INCARNATIONS_PER_MEMBER_MAX` incarnations before this one.
    #[error(
        "the member has used up its incarnations; revoke devices it no longer uses to free them"
    )]
    MemberCapReached,
}

impl Replica {
    /// Declares the device's incarnation in the membership log unless it
    /// is declared already (a change counts only under a declared one,
    /// see `membership::EntryKind::Incarnation`). Returns the new entry,
    /// which the caller stores with the log's other new entries; it is
    /// also kept for [`Self::take_declarations`], so that the node can
    /// announce it before the changes written under it. A refusal says
    /// why (the key has used up its incarnations, or no longer writes for
    /// its member).
    pub fn declare_incarnation(
        &mut self,
        device: &LocalDevice,
        now_ms: i64,
    ) -> Result<Option<SignedEntry>, DeclareError> {
        let key = device.key.public();
        let state = self.membership.state();
        let declared = state.incarnations_of(&device.member, &key);
        if let Some(own) = declared
            .iter()
            .find(|d| d.incarnation == device.incarnation)
        {
            return if own.counts {
                Ok(None)
            } else {
                Err(DeclareError::MemberCapReached)
            };
        }
        let entry = self.membership.declare_incarnation(
            &device.key,
            device.member,
            device.incarnation,
            now_ms,
        );
        self.receive_entry(entry.clone())
            .map_err(DeclareError::Refused)?;
        if !self
            .membership
            .state()
            .incarnation_counts(&device.member, &key, &device.incarnation)
        {
            return Err(DeclareError::MemberCapReached);
        }
        self.declarations.push(entry.clone());
        Ok(Some(entry))
    }

    /// The declarations made here since the last call, to announce
    /// (peers refuse changes under an incarnation until its declaration
    /// reaches them; sync repairs a declaration that was not announced).
    pub fn take_declarations(&mut self) -> Vec<SignedEntry> {
        std::mem::take(&mut self.declarations)
    }

    /// The incarnations of `key` among the changes this replica holds of
    /// `member`'s documents (applied or held) that `key` has not declared:
    /// what a node started on an older store declares for its own key.
    pub fn undeclared_incarnations(
        &self,
        member: &MemberId,
        key: &PublicKey,
    ) -> BTreeSet<[u8; INCARNATION_LEN]> {
        let declared = self.membership.state().incarnations_of(member, key);
        let applied = self
            .documents
            .iter()
            .filter(|(id, _)| id.owner == *member)
            .flat_map(|(_, document)| document.tips().keys());
        let held = self
            .held
            .iter()
            .filter(|(id, _)| id.owner == *member)
            .flat_map(|(_, changes)| changes.iter().map(|c| &c.actor));
        applied
            .chain(held)
            .map(split_actor)
            .filter(|(signer, incarnation)| {
                signer == key && !declared.iter().any(|d| d.incarnation == *incarnation)
            })
            .map(|(_, incarnation)| incarnation)
            .collect()
    }
}
