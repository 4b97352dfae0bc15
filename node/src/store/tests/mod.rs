//! Store tests: a one-member pact whose device writes real, signed
//! profile changes, stored and read back.

mod audit;
mod basics;
mod crash;
mod errors;
mod notify;
mod peers;
mod restore;
mod tokens;

use amtshilfe_protocol::document::RecordOp;
use amtshilfe_protocol::envelope::Envelope;
use amtshilfe_protocol::identity::KeyPair;
use amtshilfe_protocol::ids::{Collection, MemberId, PactId};
use amtshilfe_protocol::membership::{MembershipLog, SignedEntry};
use amtshilfe_protocol::model::{Contact, MemberProfile, Record, RecordKey};
use amtshilfe_protocol::replica::{LocalDevice, Replica};

use super::Store;

/// 22.11.2026 00:00 UTC in ms.
const T0_MS: i64 = 1_795_305_600_000;
const YEAR_MS: i64 = 365 * 24 * 3_600 * 1_000;

/// A pact of one founder with one delegated device, and a replica of it.
struct Pact {
    charter: SignedEntry,
    delegation: SignedEntry,
    device: LocalDevice,
    replica: Replica,
}

impl Pact {
    fn new() -> Self {
        let member_key = KeyPair::from_seed([11; 32]);
        let device_key = KeyPair::from_seed([12; 32]);
        let member = MemberId::from_key(member_key.public());
        let charter = MembershipLog::charter("Testpakt", &[(&member_key, "Kreis A")], T0_MS);
        let log = MembershipLog::new(charter.clone()).unwrap();
        let delegation = log.delegate(&member_key, member, &device_key, T0_MS + YEAR_MS, T0_MS);
        let mut replica = Replica::new(charter.clone()).unwrap();
        replica.receive_entry(delegation.clone()).unwrap();
        Self {
            charter,
            delegation,
            device: LocalDevice {
                member,
                key: device_key,
                incarnation: [13; 16],
            },
            replica,
        }
    }

    fn pact_id(&self) -> PactId {
        self.replica.pact_id()
    }

    /// The replica's whole log: the charter, the delegation and, once the
    /// device has written, its declared incarnation.
    fn entries(&self) -> Vec<SignedEntry> {
        self.replica
            .membership()
            .entries_in_order()
            .into_iter()
            .map(|(_, entry)| entry.clone())
            .collect()
    }

    /// `count` profile changes, each a new envelope.
    fn write_profiles(&mut self, count: usize) -> Vec<Envelope> {
        for n in 0..count {
            let now_ms = T0_MS + 1_000 * (n as i64 + 1);
            let op = RecordOp::Put {
                key: RecordKey::profile().to_string(),
                json: Record::Profile(profile(now_ms)).to_json(),
            };
            self.replica
                .write(&self.device, Collection::Profile, &[op], now_ms)
                .unwrap();
        }
        self.replica.take_new_envelopes()
    }

    fn create_store(&self, dir: &tempfile::TempDir) -> Store {
        Store::create(store_path(dir), self.pact_id(), [13; 16], T0_MS).unwrap()
    }
}

fn store_path(dir: &tempfile::TempDir) -> std::path::PathBuf {
    dir.path().join(super::STORE_FILE_NAME)
}

fn profile(updated_at_ms: i64) -> MemberProfile {
    let contact = Contact {
        role: "IT-Rufbereitschaft".into(),
        phone: "+49 6252 15-0".into(),
        email: "it-notfall@example.de".into(),
    };
    MemberProfile {
        name: "Kreis A".into(),
        ags: Some("06431".into()),
        kind: "landkreis".into(),
        population: Some(270_000),
        region: "Südhessen".into(),
        location: "Heppenheim".into(),
        primary_contact: contact.clone(),
        deputy_contact: contact,
        coordinates: None,
        updated_at_ms,
        contacts_confirmed_ms: None,
    }
}
