//! Shared fixtures: a pact of test members with their keys, charter and
//! device delegations, all derived from a seed.

use amtshilfe_protocol::identity::KeyPair;
use amtshilfe_protocol::ids::MemberId;
use amtshilfe_protocol::membership::{MembershipLog, SignedEntry};
use amtshilfe_protocol::replica::{LocalDevice, Replica};

use crate::rng::SeededRng;

/// 22.11.2026 00:00 UTC in milliseconds: the harness's start of time.
pub const T0_MS: i64 = 1_795_305_600_000;
/// How long test delegations last: a year.
pub const DELEGATION_MS: i64 = 365 * 24 * 3_600 * 1_000;

/// One member of a test pact: its member key and one device.
#[derive(Debug, Clone)]
pub struct TestMember {
    /// Display name.
    pub name: String,
    /// The member key (signs membership entries and delegations).
    pub member_key: KeyPair,
    /// The member's node device.
    pub device: LocalDevice,
}

impl TestMember {
    /// The member's id.
    pub fn id(&self) -> MemberId {
        MemberId::from_key(self.member_key.public())
    }
}

/// A pact whose members are all founders, with one delegated device each.
#[derive(Debug, Clone)]
pub struct TestPact {
    /// The signed charter.
    pub charter: SignedEntry,
    /// The members, in founding order.
    pub members: Vec<TestMember>,
    /// One delegation entry per member, for its device.
    pub delegations: Vec<SignedEntry>,
    /// One declaration per member, by its device, of the incarnation the
    /// device writes under (a change counts only under a declared one).
    pub incarnations: Vec<SignedEntry>,
}

impl TestPact {
    /// A pact of `size` founders with keys derived from `seed`.
    pub fn new(size: usize, seed: u64) -> Self {
        let mut rng = SeededRng::new(seed.wrapping_mul(31).wrapping_add(7));
        let members: Vec<TestMember> = (0..size)
            .map(|index| {
                let member_key = KeyPair::from_seed(rng.bytes());
                let device_key = KeyPair::from_seed(rng.bytes());
                let member = MemberId::from_key(member_key.public());
                TestMember {
                    name: format!("Mitglied {index}"),
                    member_key,
                    device: LocalDevice {
                        member,
                        key: device_key,
                        incarnation: rng.bytes(),
                    },
                }
            })
            .collect();
        let founders: Vec<(&KeyPair, &str)> = members
            .iter()
            .map(|m| (&m.member_key, m.name.as_str()))
            .collect();
        let charter = MembershipLog::charter("Testpakt", &founders, T0_MS);
        let mut log = match MembershipLog::new(charter.clone()) {
            Ok(log) => log,
            Err(error) => panic!("a fresh charter must be valid: {error}"),
        };
        let mut delegations = Vec::new();
        for member in &members {
            let entry = log.delegate(
                &member.member_key,
                member.id(),
                &member.device.key,
                T0_MS + DELEGATION_MS,
                T0_MS,
            );
            if let Err(error) = log.insert(entry.clone()) {
                panic!("a fresh delegation must be valid: {error}");
            }
            delegations.push(entry);
        }
        let mut incarnations = Vec::new();
        for member in &members {
            let entry = log.declare_incarnation(
                &member.device.key,
                member.id(),
                member.device.incarnation,
                T0_MS,
            );
            if let Err(error) = log.insert(entry.clone()) {
                panic!("a fresh declaration must be valid: {error}");
            }
            incarnations.push(entry);
        }
        Self {
            charter,
            members,
            delegations,
            incarnations,
        }
    }

    /// Every entry after the charter, in an order the log takes them:
    /// the delegations, then the devices' incarnations.
    pub fn entries(&self) -> impl Iterator<Item = &SignedEntry> {
        self.delegations.iter().chain(&self.incarnations)
    }

    /// A replica that knows the charter, every delegation and every
    /// device's incarnation.
    pub fn replica(&self) -> Replica {
        let mut replica = match Replica::new(self.charter.clone()) {
            Ok(replica) => replica,
            Err(error) => panic!("a fresh charter must be valid: {error}"),
        };
        for entry in self.entries() {
            if let Err(error) = replica.receive_entry(entry.clone()) {
                panic!("a fresh delegation must be valid: {error}");
            }
        }
        replica
    }
}
