//! Sealed timeline lines: readers only, bound to their clear fields and
//! place, checked against the membership log without a secret.

use std::collections::BTreeSet;

use super::record::tests::AWARE_MS;
use super::*;
use crate::identity::KeyPair;
use crate::ids::Collection;
use crate::ids::{MemberId, PactId, RecordId};
use crate::membership::{InsertOutcome, MembershipLog, MembershipState, Proposal};
use crate::model::{Record, ValidationError, decode_record};
use crate::seal::{EncryptionSecret, OpenError, Reader, ReaderId};

const PACT: PactId = PactId([5; 32]);
const RECORD: &str = "t-1";
const TEXT: &str = "Backup-Server kompromittiert, Admin-Kennwort geändert";

/// A pact of three founders (keys 1..=3) and an officer (key 60) serving
/// member 1, the hit member.
struct Pact {
    log: MembershipLog,
    members: Vec<MemberId>,
    officer: ReaderId,
}

impl Pact {
    fn new() -> Self {
        let keys: Vec<KeyPair> = (1..=3).map(|s| KeyPair::from_seed([s; 32])).collect();
        let signers: Vec<(&KeyPair, &str)> = keys.iter().map(|k| (k, "Kreis")).collect();
        let mut log =
            MembershipLog::new(MembershipLog::charter("Pakt", &signers, AWARE_MS)).unwrap();
        let members: Vec<MemberId> = keys
            .iter()
            .map(|k| MemberId::from_key(k.public()))
            .collect();
        let isb = KeyPair::from_seed([60; 32]);
        let entry = log.propose(
            &keys[0],
            Proposal::AppointOfficer {
                officer_key: isb.public(),
                name: "ISB".into(),
                serves: vec![members[0]],
            },
            AWARE_MS,
        );
        let proposal = entry.hash();
        assert!(matches!(
            log.insert(entry),
            Ok(InsertOutcome::Applied { .. })
        ));
        let approval = log.approve(&keys[1], proposal, AWARE_MS);
        assert!(matches!(
            log.insert(approval),
            Ok(InsertOutcome::Applied { .. })
        ));
        Self {
            log,
            members,
            officer: ReaderId::Officer(isb.public()),
        }
    }

    fn state(&self) -> &MembershipState {
        self.log.state()
    }

    fn hit(&self) -> MemberId {
        self.members[0]
    }

    fn helper(&self) -> MemberId {
        self.members[1]
    }

    fn bystander(&self) -> MemberId {
        self.members[2]
    }

    fn place(&self) -> LinePlace<'_> {
        LinePlace {
            pact: &PACT,
            owner: &self.members[0],
            record: RECORD,
        }
    }

    /// Each reader's encryption secret: seed by position among members
    /// (99 for a stranger), 70 for the officer.
    fn secret(&self, reader: &ReaderId) -> EncryptionSecret {
        let seed = match reader {
            ReaderId::Member(m) => self
                .members
                .iter()
                .position(|x| x == m)
                .map_or(99, |at| 10 + at as u8),
            ReaderId::Officer(_) => 70,
        };
        EncryptionSecret::from_bytes([seed; 32])
    }

    fn readers(&self, ids: &[ReaderId]) -> Vec<Reader> {
        ids.iter()
            .map(|id| Reader {
                id: *id,
                key: self.secret(id).public(),
            })
            .collect()
    }

    /// A line of `tlp` sealed to the readers the rule names, member 2
    /// being the incident's helper.
    fn sealed(&self, tlp: Tlp) -> TimelineEntry {
        let helpers = BTreeSet::from([self.helper()]);
        let ids = line_reader_ids(tlp, &self.hit(), &helpers, self.state());
        seal_line(self.place(), line(tlp), &self.readers(&ids), [3; 32]).unwrap()
    }
}

fn line(tlp: Tlp) -> TimelineEntry {
    TimelineEntry {
        incident: RecordId::new("i1").unwrap(),
        at_ms: AWARE_MS,
        tlp,
        author: "Krisenstab".into(),
        text: TEXT.into(),
        sealed: None,
    }
}

fn open_as(pact: &Pact, entry: &TimelineEntry, reader: ReaderId) -> Result<String, OpenLineError> {
    open_line(pact.place(), entry, &reader, &pact.secret(&reader))
}

#[test]
fn amber_reaches_member_helpers_and_officer_and_red_only_member_and_officer() {
    let pact = Pact::new();
    let helpers = BTreeSet::from([pact.helper(), pact.hit(), MemberId([99; 32])]);
    let amber = line_reader_ids(Tlp::Amber, &pact.hit(), &helpers, pact.state());
    let mut expected = vec![
        ReaderId::Member(pact.hit()),
        ReaderId::Member(pact.helper()),
        pact.officer,
    ];
    expected.sort();
    // The hit member once, a stranger named as helper never.
    assert_eq!(amber, expected);
    let red = line_reader_ids(Tlp::Red, &pact.hit(), &helpers, pact.state());
    assert_eq!(red, vec![ReaderId::Member(pact.hit()), pact.officer]);
    assert!(line_reader_ids(Tlp::Clear, &pact.hit(), &helpers, pact.state()).is_empty());
}

#[test]
fn a_sealed_line_opens_for_its_readers_only() {
    let pact = Pact::new();
    let amber = pact.sealed(Tlp::Amber);
    assert_eq!(amber.text, "");
    assert_eq!(amber.validate(), Ok(()));
    for reader in [
        ReaderId::Member(pact.hit()),
        ReaderId::Member(pact.helper()),
        pact.officer,
    ] {
        assert_eq!(open_as(&pact, &amber, reader).as_deref(), Ok(TEXT));
    }
    assert_eq!(
        open_as(&pact, &amber, ReaderId::Member(pact.bystander())),
        Err(OpenLineError::Open(OpenError::NotAReader))
    );
    let red = pact.sealed(Tlp::Red);
    assert_eq!(open_as(&pact, &red, pact.officer).as_deref(), Ok(TEXT));
    assert_eq!(
        open_as(&pact, &red, ReaderId::Member(pact.helper())),
        Err(OpenLineError::Open(OpenError::NotAReader))
    );
    // What travels holds no plaintext, raw or hex.
    let json = Record::Timeline(amber).to_json();
    assert!(!json.contains("kompromittiert"), "{json}");
    assert!(!json.contains(&hex::encode("kompromittiert")), "{json}");
    let back = decode_record(Collection::Requests, &format!("timeline:{RECORD}"), &json).unwrap();
    assert!(matches!(back, Record::Timeline(e) if e.sealed.is_some()));
}

#[test]
fn a_relay_cannot_swap_readers_or_move_a_line() {
    let pact = Pact::new();
    let amber = pact.sealed(Tlp::Amber);
    let hit = ReaderId::Member(pact.hit());

    // Swapping the helper for the bystander (its own key in the helper's
    // wrapping, re-sorted): nobody opens any more, not even the hit member.
    let mut swapped = amber.clone();
    let sealed = swapped.sealed.as_mut().unwrap();
    let at = sealed
        .wrappings
        .iter()
        .position(|w| w.reader.id == ReaderId::Member(pact.helper()))
        .unwrap();
    let bystander = ReaderId::Member(pact.bystander());
    sealed.wrappings[at].reader = Reader {
        id: bystander,
        key: pact.secret(&bystander).public(),
    };
    sealed.wrappings.sort_by_key(|w| w.reader.id);
    assert_eq!(swapped.validate(), Ok(()));
    assert_eq!(
        open_as(&pact, &swapped, bystander),
        Err(OpenLineError::Open(OpenError::Tampered))
    );
    assert_eq!(
        open_as(&pact, &swapped, hit),
        Err(OpenLineError::Open(OpenError::Tampered))
    );

    // Changing a clear field the seal binds: the level, the time, the
    // author, the incident.
    let mut changes: Vec<TimelineEntry> = Vec::new();
    let mut e = amber.clone();
    e.tlp = Tlp::Red;
    changes.push(e);
    let mut e = amber.clone();
    e.at_ms += 1;
    changes.push(e);
    let mut e = amber.clone();
    e.author = "Bürgermeister".into();
    changes.push(e);
    let mut e = amber.clone();
    e.incident = RecordId::new("i2").unwrap();
    changes.push(e);
    for changed in changes {
        assert_eq!(
            open_as(&pact, &changed, hit),
            Err(OpenLineError::Open(OpenError::Tampered)),
            "{changed:?}"
        );
    }

    // Moving the line to another record or another member's document.
    let moved = LinePlace {
        record: "t-2",
        ..pact.place()
    };
    assert_eq!(
        open_line(moved, &amber, &hit, &pact.secret(&hit)),
        Err(OpenLineError::Open(OpenError::Tampered))
    );
    let other_owner = pact.helper();
    let moved = LinePlace {
        owner: &other_owner,
        ..pact.place()
    };
    let helper = ReaderId::Member(pact.helper());
    assert_eq!(
        open_line(moved, &amber, &helper, &pact.secret(&helper)),
        Err(OpenLineError::Open(OpenError::Tampered))
    );
}

#[test]
fn bad_wrappings_and_mixed_lines_are_refused() {
    let pact = Pact::new();
    let amber = pact.sealed(Tlp::Amber);
    let key = format!("timeline:{RECORD}");
    let refused = |entry: &TimelineEntry| {
        decode_record(
            Collection::Requests,
            &key,
            &Record::Timeline(entry.clone()).to_json(),
        )
        .unwrap_err()
        .to_string()
    };

    // A low-order ephemeral key would make the wrapping's secret public.
    let mut weak = amber.clone();
    weak.sealed.as_mut().unwrap().wrappings[0].ephemeral =
        crate::seal::EncryptionPublicKey([0; 32]);
    assert!(refused(&weak).contains("weak_key"), "{}", refused(&weak));

    // Readers out of order or twice.
    let mut unsorted = amber.clone();
    unsorted.sealed.as_mut().unwrap().wrappings.reverse();
    assert!(refused(&unsorted).contains("readers_not_canonical"));

    // A flipped byte of one wrapping: its reader cannot open, and says so.
    let mut flipped = amber.clone();
    let sealed = flipped.sealed.as_mut().unwrap();
    let helper_at = sealed
        .wrappings
        .iter()
        .position(|w| w.reader.id == ReaderId::Member(pact.helper()))
        .unwrap();
    let mut bytes = *sealed.wrappings[helper_at].wrapped_key.as_bytes();
    bytes[0] ^= 1;
    sealed.wrappings[helper_at].wrapped_key = crate::seal::WrappedKey::from_slice(&bytes).unwrap();
    assert_eq!(
        open_as(&pact, &flipped, ReaderId::Member(pact.helper())),
        Err(OpenLineError::Open(OpenError::Tampered))
    );

    // Text in the clear next to the sealed text, a sealed clear line, an
    // amber line without a seal.
    let mut leaky = amber.clone();
    leaky.text = TEXT.into();
    assert_eq!(leaky.validate().unwrap_err().field(), "text");
    let mut clear = amber.clone();
    clear.tlp = Tlp::Clear;
    assert_eq!(clear.validate().unwrap_err().field(), "sealed");
    let mut bare = amber;
    bare.sealed = None;
    bare.text = TEXT.into();
    assert!(matches!(
        bare.validate(),
        Err(ValidationError::Inconsistent { field, .. }) if field == "tlp"
    ));
}

#[test]
fn every_node_checks_the_readers_against_the_log() {
    let pact = Pact::new();
    let state = pact.state();
    let hit = pact.hit();
    let amber = pact.sealed(Tlp::Amber);
    assert_eq!(check_line_readers(&amber, &hit, state), Ok(()));
    assert_eq!(check_line_readers_now(&amber, &hit, state), Ok(()));
    let red = pact.sealed(Tlp::Red);
    assert_eq!(check_line_readers(&red, &hit, state), Ok(()));

    let reseal_to = |entry: &TimelineEntry, ids: &[ReaderId]| {
        seal_line(pact.place(), line(entry.tlp), &pact.readers(ids), [4; 32]).unwrap()
    };
    // Not sealed to the hit member: its own nodes could not read it.
    let no_owner = reseal_to(&amber, &[ReaderId::Member(pact.helper())]);
    assert_eq!(
        check_line_readers(&no_owner, &hit, state),
        Err(LineRejection::OwnerNotReader)
    );
    // A red line to a helper.
    let red_to_helper = reseal_to(
        &red,
        &[ReaderId::Member(hit), ReaderId::Member(pact.helper())],
    );
    assert_eq!(
        check_line_readers(&red_to_helper, &hit, state),
        Err(LineRejection::RedToOtherMember)
    );
    // An amber line to a stranger.
    let stranger = reseal_to(
        &amber,
        &[ReaderId::Member(hit), ReaderId::Member(MemberId([99; 32]))],
    );
    let refused = check_line_readers(&stranger, &hit, state).unwrap_err();
    assert_eq!(refused, LineRejection::MemberNotAdmitted);
    assert!(refused.may_be_early());
    // The officer serves the hit member, not the bystander: a line in the
    // bystander's document may not be sealed to it.
    let bystander = pact.bystander();
    assert_eq!(
        check_line_readers(&amber, &bystander, state),
        Err(LineRejection::OwnerNotReader)
    );
    let bystander_place = LinePlace {
        owner: &bystander,
        ..pact.place()
    };
    let to_foreign_officer = seal_line(
        bystander_place,
        line(Tlp::Red),
        &pact.readers(&[ReaderId::Member(bystander), pact.officer]),
        [5; 32],
    )
    .unwrap();
    assert_eq!(
        check_line_readers(&to_foreign_officer, &bystander, state),
        Err(LineRejection::OfficerNotAppointed)
    );
}

#[test]
fn resealing_lets_a_new_helper_read() {
    let pact = Pact::new();
    let hit = ReaderId::Member(pact.hit());
    let red_like = seal_line(
        pact.place(),
        line(Tlp::Amber),
        &pact.readers(&[hit]),
        [6; 32],
    )
    .unwrap();
    let newcomer = ReaderId::Member(pact.bystander());
    assert!(open_as(&pact, &red_like, newcomer).is_err());
    let resealed = reseal_line(
        pact.place(),
        &red_like,
        &hit,
        &pact.secret(&hit),
        &pact.readers(&[hit, newcomer]),
        [7; 32],
    )
    .unwrap();
    assert_eq!(open_as(&pact, &resealed, newcomer).as_deref(), Ok(TEXT));
    // Only a reader can re-seal.
    assert!(
        reseal_line(
            pact.place(),
            &red_like,
            &newcomer,
            &pact.secret(&newcomer),
            &pact.readers(&[hit, newcomer]),
            [8; 32],
        )
        .is_err()
    );
}
