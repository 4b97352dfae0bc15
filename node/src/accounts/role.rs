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
    /// Joint security officer: reads (posture review comes later).
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
}

impl Permission {
    /// Every permission.
    pub const ALL: [Permission; 6] = [
        Permission::Read,
        Permission::Offer,
        Permission::Pledge,
        Permission::Request,
        Permission::Accept,
        Permission::Administer,
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
                | (Role::Admin, _)
                | (Role::ItLead, Permission::Offer | Permission::Pledge)
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
}
