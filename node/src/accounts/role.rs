//! Roles and the permissions each has. One table (`Role::may`) decides.

use serde::{Deserialize, Serialize};

/// An operator's role on this node.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including accounts and the audit log.
    Admin,
    /// IT-Leitung: keeps the member's offers, pledges help.
    ItLead,
    /// Asks the pact for help and accepts pledges.
    Requester,
    /// Joint security officer: reads, and reviews the posture of the
    /// members the officer hosted on this node serves.
    SecurityOfficer,
    /// Reads only.
    Viewer,
}

/// What a request wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// See pages and read the API.
    Read,
    /// Create, edit and withdraw this member's offers.
    Offer,
    /// Pledge against another member's request.
    Pledge,
    /// Ask for help.
    Request,
    /// Accept a pledge for this member's request.
    Accept,
    /// Manage accounts, read the audit log.
    Administer,
    /// Read and edit this member's own posture (a list of its weaknesses,
    /// so not every reader sees it) and submit it for review.
    EditPosture,
    /// Act as the officer hosted on this node: read and review the posture
    /// of the members it serves. Not an admin's: the officer is appointed
    /// by the pact, and the host member's staff must not review in its name.
    ReviewPosture,
}

impl Permission {
    /// Every permission.
    pub const ALL: [Permission; 8] = [
        Permission::Read,
        Permission::Offer,
        Permission::Pledge,
        Permission::Request,
        Permission::Accept,
        Permission::Administer,
        Permission::EditPosture,
        Permission::ReviewPosture,
    ];
}

impl Role {
    /// Every role, most powerful first.
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::ItLead,
        Role::Requester,
        Role::SecurityOfficer,
        Role::Viewer,
    ];

    /// The stable id, as stored and sent.
    pub fn id(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::ItLead => "it_lead",
            Role::Requester => "requester",
            Role::SecurityOfficer => "security_officer",
            Role::Viewer => "viewer",
        }
    }

    /// The role with this id.
    pub fn from_id(id: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.id() == id)
    }

    /// Whether everything this role may do, `other` may do too: a token
    /// made by a session of `other` may act with this role.
    pub fn within(self, other: Role) -> bool {
        Permission::ALL
            .into_iter()
            .all(|permission| !self.may(permission) || other.may(permission))
    }

    /// Whether this role may do `permission`.
    pub fn may(self, permission: Permission) -> bool {
        matches!(
            (self, permission),
            (_, Permission::Read)
                | (Role::SecurityOfficer, Permission::ReviewPosture)
                | (
                    Role::Admin,
                    Permission::Offer
                        | Permission::Pledge
                        | Permission::Request
                        | Permission::Accept
                        | Permission::Administer
                        | Permission::EditPosture
                )
                | (
                    Role::ItLead,
                    Permission::Offer | Permission::Pledge | Permission::EditPosture
                )
                | (Role::Requester, Permission::Request | Permission::Accept)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_permission_table() {
        for role in Role::ALL {
            assert!(role.may(Permission::Read));
            assert_eq!(Role::from_id(role.id()), Some(role));
        }
        assert!(Role::ItLead.may(Permission::Offer) && Role::ItLead.may(Permission::Pledge));
        assert!(!Role::ItLead.may(Permission::Request) && !Role::ItLead.may(Permission::Accept));
        assert!(
            Role::Requester.may(Permission::Request) && Role::Requester.may(Permission::Accept)
        );
        assert!(!Role::Requester.may(Permission::Offer));
        for read_only in [Role::Viewer, Role::SecurityOfficer] {
            for permission in [
                Permission::Offer,
                Permission::Pledge,
                Permission::Request,
                Permission::Accept,
                Permission::Administer,
            ] {
                assert!(!read_only.may(permission), "{read_only:?} {permission:?}");
            }
        }
        assert!(!Role::ItLead.may(Permission::Administer));
        assert!(Role::Admin.may(Permission::Administer));
    }

    #[test]
    fn posture_is_edited_by_admins_and_it_leads_and_reviewed_by_the_officer_only() {
        for role in Role::ALL {
            let edits = matches!(role, Role::Admin | Role::ItLead);
            assert_eq!(role.may(Permission::EditPosture), edits, "{role:?}");
            let reviews = role == Role::SecurityOfficer;
            assert_eq!(role.may(Permission::ReviewPosture), reviews, "{role:?}");
        }
        // A token made by an admin cannot act as the officer.
        assert!(!Role::SecurityOfficer.within(Role::Admin));
    }
}
