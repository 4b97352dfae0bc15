//! Posture writes for the harness: a member's assessment sealed to itself
//! and the officers its replica knows to serve it, with a marker in the
//! plaintext so the end-of-run check can prove that no store holds it in
//! clear. Encryption secrets are derived from the reader id (test keys
//! only: every peer can compute every secret, so the check can open what
//! each reader may open).

use std::collections::BTreeMap;

use amtshilfe_protocol::document::RecordOp;
use amtshilfe_protocol::identity::sha256;
use amtshilfe_protocol::ids::{Collection, MemberId, PactId, RecordId};
use amtshilfe_protocol::membership::MembershipState;
use amtshilfe_protocol::model::{Record, RecordKey, RecordTag};
use amtshilfe_protocol::posture::{
    Answer, Assessment, PosturePayload, QuestionAnswer, SealedPosture, WibaCatalogue,
    posture_readers,
};
use amtshilfe_protocol::seal::{EncryptionSecret, ReaderId};

use crate::rng::SeededRng;

/// Starts every note the harness seals; must never appear in a store.
pub const POSTURE_MARKER: &str = "POSTURE-PLAINTEXT-";

/// The harness's encryption secret of a reader.
pub fn encryption_secret(reader: &ReaderId) -> EncryptionSecret {
    let mut seed = b"harness-encryption-secret".to_vec();
    seed.extend_from_slice(&reader.to_bytes());
    EncryptionSecret::from_bytes(sha256(&seed))
}

/// A posture record of `me`, sealed to `me` and the officers `state` says
/// serve it; `None` if sealing fails (it does not with harness keys).
pub fn posture_write(
    rng: &mut SeededRng,
    pact: &PactId,
    state: &MembershipState,
    me: MemberId,
    now_ms: i64,
) -> Option<(Collection, Vec<RecordOp>)> {
    let mut ids = vec![ReaderId::Member(me)];
    ids.extend(
        state
            .officers()
            .filter(|o| o.serves.contains(&me))
            .map(|o| ReaderId::Officer(o.key)),
    );
    let keys: BTreeMap<ReaderId, _> = ids
        .into_iter()
        .map(|id| (id, encryption_secret(&id).public()))
        .collect();
    let readers = posture_readers(&me, state, &keys).ok()?;
    let id = RecordId::generate("pa", rng.bytes()).ok()?;
    let mut assessment = Assessment::empty(WibaCatalogue::builtin(), now_ms);
    assessment.wiba.insert(
        "wiba_03_02".into(),
        QuestionAnswer {
            answer: Answer::No,
            note: format!("{POSTURE_MARKER}{}", id.as_str()),
            evidence: None,
        },
    );
    let payload = PosturePayload::Assessment {
        revision: 0,
        assessment,
    };
    let sealed =
        SealedPosture::seal(pact, me, id.as_str(), &payload, &readers, rng.bytes()).ok()?;
    let key = RecordKey {
        tag: RecordTag::Posture,
        id,
    };
    Some((
        Collection::Posture,
        vec![RecordOp::Put {
            key: key.to_string(),
            json: Record::Posture(sealed).to_json(),
        }],
    ))
}
