//! Record keys and the document schema check.
//!
//! A member's document is an automerge map whose root holds one string per
//! record: key `"<tag>:<record id>"`, value the record's JSON. Which tags a
//! document may hold depends on its collection. [`decode_record`] is the
//! schema check ingress runs on every put: a value that fails it never gets
//! into a document.
//!
//! This module never touches automerge itself; it sees keys and strings.

use std::str::FromStr;

use serde::de::DeserializeOwned;

use super::validation::ValidationError;
use super::{
    AidRequest, Decline, MemberProfile, Offer, Pledge, Settlement, acceptance::Acceptance,
};
use crate::ids::{Collection, RecordId};
use crate::incident::{Incident, IncidentReport, IncidentStep, TimelineEntry};
use crate::posture::SealedPosture;
use crate::seal::EncryptionKeyAnnouncement;

/// Largest record JSON, in bytes.
pub const RECORD_JSON_BYTES_MAX: usize = 16 * 1024;
/// The record id of the one profile record.
pub const PROFILE_RECORD_ID: &str = "main";

/// What kind of record a key names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RecordTag {
    /// A [`MemberProfile`], only `profile:main`, in the Profile collection.
    Profile,
    /// An [`Offer`], in the Offers collection.
    Offer,
    /// An [`AidRequest`], in the Requests collection.
    Request,
    /// An [`Acceptance`], in the Requests collection.
    Acceptance,
    /// A [`Pledge`], in the Pledges collection.
    Pledge,
    /// A [`Decline`] of a pledge, in the Requests collection.
    Decline,
    /// A [`Settlement`] of a mission order by the helper, in the Pledges
    /// collection.
    Settlement,
    /// An [`Incident`], in the Requests collection.
    Incident,
    /// An [`IncidentStep`], in the Requests collection.
    IncidentStep,
    /// An [`IncidentReport`], in the Requests collection.
    IncidentReport,
    /// A [`TimelineEntry`], in the Requests collection.
    Timeline,
    /// A [`SealedPosture`], in the Posture collection.
    Posture,
    /// An [`EncryptionKeyAnnouncement`] (the member's own, or an officer's
    /// whose login this member's node hosts), in the Profile collection.
    EncryptionKey,
}

impl RecordTag {
    /// Every tag.
    pub const ALL: [RecordTag; 13] = [
        RecordTag::Profile,
        RecordTag::Offer,
        RecordTag::Request,
        RecordTag::Acceptance,
        RecordTag::Pledge,
        RecordTag::Decline,
        RecordTag::Settlement,
        RecordTag::Incident,
        RecordTag::IncidentStep,
        RecordTag::IncidentReport,
        RecordTag::Timeline,
        RecordTag::Posture,
        RecordTag::EncryptionKey,
    ];

    /// The tag as written in keys.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordTag::Profile => "profile",
            RecordTag::Offer => "offer",
            RecordTag::Request => "request",
            RecordTag::Acceptance => "acceptance",
            RecordTag::Pledge => "pledge",
            RecordTag::Decline => "decline",
            RecordTag::Settlement => "settlement",
            RecordTag::Incident => "incident",
            RecordTag::IncidentStep => "incident_step",
            RecordTag::IncidentReport => "incident_report",
            RecordTag::Timeline => "timeline",
            RecordTag::Posture => "posture",
            RecordTag::EncryptionKey => "enckey",
        }
    }

    /// The collection whose documents hold records with this tag.
    pub fn collection(self) -> Collection {
        match self {
            RecordTag::Profile | RecordTag::EncryptionKey => Collection::Profile,
            RecordTag::Offer => Collection::Offers,
            RecordTag::Request
            | RecordTag::Acceptance
            | RecordTag::Decline
            | RecordTag::Incident
            | RecordTag::IncidentStep
            | RecordTag::IncidentReport
            | RecordTag::Timeline => Collection::Requests,
            RecordTag::Pledge | RecordTag::Settlement => Collection::Pledges,
            RecordTag::Posture => Collection::Posture,
        }
    }
}

/// The key of one record in a document: `tag:id`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RecordKey {
    /// What kind of record.
    pub tag: RecordTag,
    /// Its id.
    pub id: RecordId,
}

/// A key that is not `tag:id` with a known tag and a valid record id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("record key must be <tag>:<record id> with a known tag, got {0:?}")]
pub struct BadRecordKey(pub String);

impl RecordKey {
    /// The key of the member's profile: `profile:main`.
    pub fn profile() -> Self {
        Self {
            tag: RecordTag::Profile,
            id: profile_id(),
        }
    }

    /// The key of an offer.
    pub fn offer(id: RecordId) -> Self {
        Self {
            tag: RecordTag::Offer,
            id,
        }
    }

    /// The key of a request.
    pub fn request(id: RecordId) -> Self {
        Self {
            tag: RecordTag::Request,
            id,
        }
    }

    /// The key of an acceptance.
    pub fn acceptance(id: RecordId) -> Self {
        Self {
            tag: RecordTag::Acceptance,
            id,
        }
    }

    /// The key of a pledge.
    pub fn pledge(id: RecordId) -> Self {
        Self {
            tag: RecordTag::Pledge,
            id,
        }
    }

    /// A key with this tag and id.
    pub fn new(tag: RecordTag, id: RecordId) -> Self {
        Self { tag, id }
    }
}

fn profile_id() -> RecordId {
    match RecordId::new(PROFILE_RECORD_ID) {
        Ok(id) => id,
        // A programmer error (the constant breaks the record id rules),
        // caught by the key tests; no input can reach it.
        Err(error) => unreachable!("{error}"),
    }
}

impl std::fmt::Display for RecordKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.tag.as_str(), self.id)
    }
}

impl FromStr for RecordKey {
    type Err = BadRecordKey;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || BadRecordKey(text.chars().take(100).collect());
        let (tag, id) = text.split_once(':').ok_or_else(bad)?;
        let tag = RecordTag::ALL
            .into_iter()
            .find(|t| t.as_str() == tag)
            .ok_or_else(bad)?;
        let id = RecordId::new(id).map_err(|_| bad())?;
        Ok(Self { tag, id })
    }
}

/// One decoded, validated record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    /// The member's profile.
    Profile(MemberProfile),
    /// An offer.
    Offer(Offer),
    /// An aid request.
    Request(AidRequest),
    /// An acceptance of a pledge.
    Acceptance(Acceptance),
    /// A pledge.
    Pledge(Pledge),
    /// A decline of a pledge.
    Decline(Decline),
    /// A helper's settlement of a mission order.
    Settlement(Settlement),
    /// An incident.
    Incident(Incident),
    /// A checklist step of an incident.
    IncidentStep(IncidentStep),
    /// A report of an incident.
    IncidentReport(IncidentReport),
    /// A decision-log entry of an incident.
    Timeline(TimelineEntry),
    /// A sealed posture record.
    Posture(SealedPosture),
    /// A published encryption key.
    EncryptionKey(EncryptionKeyAnnouncement),
}

impl Record {
    /// The tag its key carries.
    pub fn key_tag(&self) -> RecordTag {
        match self {
            Record::Profile(_) => RecordTag::Profile,
            Record::Offer(_) => RecordTag::Offer,
            Record::Request(_) => RecordTag::Request,
            Record::Acceptance(_) => RecordTag::Acceptance,
            Record::Pledge(_) => RecordTag::Pledge,
            Record::Decline(_) => RecordTag::Decline,
            Record::Settlement(_) => RecordTag::Settlement,
            Record::Incident(_) => RecordTag::Incident,
            Record::IncidentStep(_) => RecordTag::IncidentStep,
            Record::IncidentReport(_) => RecordTag::IncidentReport,
            Record::Timeline(_) => RecordTag::Timeline,
            Record::Posture(_) => RecordTag::Posture,
            Record::EncryptionKey(_) => RecordTag::EncryptionKey,
        }
    }

    /// The stored form. Serialising these plain structs cannot fail; an
    /// empty string (which no decoder accepts) stands in if it ever did.
    pub fn to_json(&self) -> String {
        let json = match self {
            Record::Profile(r) => serde_json::to_string(r),
            Record::Offer(r) => serde_json::to_string(r),
            Record::Request(r) => serde_json::to_string(r),
            Record::Acceptance(r) => serde_json::to_string(r),
            Record::Pledge(r) => serde_json::to_string(r),
            Record::Decline(r) => serde_json::to_string(r),
            Record::Settlement(r) => serde_json::to_string(r),
            Record::Incident(r) => serde_json::to_string(r),
            Record::IncidentStep(r) => serde_json::to_string(r),
            Record::IncidentReport(r) => serde_json::to_string(r),
            Record::Timeline(r) => serde_json::to_string(r),
            Record::Posture(r) => serde_json::to_string(r),
            Record::EncryptionKey(r) => serde_json::to_string(r),
        };
        json.unwrap_or_default()
    }

    /// Checks the record's own rules.
    pub fn validate(&self) -> Result<(), ValidationError> {
        match self {
            Record::Profile(r) => r.validate(),
            Record::Offer(r) => r.validate(),
            Record::Request(r) => r.validate(),
            Record::Acceptance(r) => r.validate(),
            Record::Pledge(r) => r.validate(),
            Record::Decline(r) => r.validate(),
            Record::Settlement(r) => r.validate(),
            Record::Incident(r) => r.validate(),
            Record::IncidentStep(r) => r.validate(),
            Record::IncidentReport(r) => r.validate(),
            Record::Timeline(r) => r.validate(),
            // What needs no membership state and no secret; ingress checks
            // the readers against the log (`ingress::check_sealed_readers`).
            Record::Posture(r) => {
                r.sealed
                    .check_structure()
                    .map_err(|e| ValidationError::BadFormat {
                        field: "sealed".into(),
                        reason: e.code(),
                    })
            }
            Record::EncryptionKey(r) => {
                r.check_signature().map_err(|e| ValidationError::BadFormat {
                    field: "signature".into(),
                    reason: e.code(),
                })
            }
        }
    }
}

/// Why a put was refused by the schema check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// The key is not `tag:id`, or a profile key is not `profile:main`.
    #[error(transparent)]
    BadKey(#[from] BadRecordKey),
    /// The tag does not belong in this collection.
    #[error("a {tag} record does not belong in a {collection} document")]
    TagNotAllowed {
        /// The key's tag, as text.
        tag: &'static str,
        /// The document's collection, as text.
        collection: &'static str,
    },
    /// The JSON is larger than [`RECORD_JSON_BYTES_MAX`].
    #[error("record is {bytes} bytes, at most {max} allowed")]
    TooLarge {
        /// Its size in bytes.
        bytes: usize,
        /// The cap in bytes.
        max: usize,
    },
    /// The JSON does not parse into the tag's type (including unknown fields).
    #[error("record JSON does not fit its type: {0}")]
    Json(String),
    /// The record parses but breaks a rule.
    #[error("record is invalid: {0}")]
    Invalid(#[from] ValidationError),
}

/// The schema check for one put into a document of `collection`: the key
/// parses, its tag belongs in the collection, the JSON is small enough,
/// parses into the tag's type without unknown fields, and validates.
pub fn decode_record(collection: Collection, key: &str, json: &str) -> Result<Record, RecordError> {
    decode_keyed(collection, key, json).map(|(_, record)| record)
}

/// [`decode_record`], also returning the parsed key.
pub fn decode_keyed(
    collection: Collection,
    key: &str,
    json: &str,
) -> Result<(RecordKey, Record), RecordError> {
    if json.len() > RECORD_JSON_BYTES_MAX {
        return Err(RecordError::TooLarge {
            bytes: json.len(),
            max: RECORD_JSON_BYTES_MAX,
        });
    }
    let key = check_record_key(collection, key)?;
    let record = match key.tag {
        RecordTag::Profile => Record::Profile(parse(json)?),
        RecordTag::Offer => Record::Offer(parse(json)?),
        RecordTag::Request => Record::Request(parse(json)?),
        RecordTag::Acceptance => Record::Acceptance(parse(json)?),
        RecordTag::Pledge => Record::Pledge(parse(json)?),
        RecordTag::Decline => Record::Decline(parse(json)?),
        RecordTag::Settlement => Record::Settlement(parse(json)?),
        RecordTag::Incident => Record::Incident(parse(json)?),
        RecordTag::IncidentStep => Record::IncidentStep(parse(json)?),
        RecordTag::IncidentReport => Record::IncidentReport(parse(json)?),
        RecordTag::Timeline => Record::Timeline(parse(json)?),
        RecordTag::Posture => Record::Posture(parse(json)?),
        RecordTag::EncryptionKey => Record::EncryptionKey(parse(json)?),
    };
    record.validate()?;
    match &record {
        Record::Request(request) => crate::pact::exercise::check_marker(request.exercise, &key.id)?,
        Record::Incident(incident) => {
            crate::pact::exercise::check_marker(incident.exercise, &key.id)?;
        }
        _ => {}
    }
    if let Record::Posture(posture) = &record
        && posture.record != key.id.as_str()
    {
        // The record id is bound into the seal; a mismatch is a value
        // copied from another record.
        return Err(BadRecordKey(key.to_string()).into());
    }
    Ok((key, record))
}

/// The key check alone, for deletes: the key parses, its tag belongs in
/// the collection, and a profile key is `profile:main`.
pub fn check_record_key(collection: Collection, key: &str) -> Result<RecordKey, RecordError> {
    let key: RecordKey = key.parse()?;
    if key.tag.collection() != collection {
        return Err(RecordError::TagNotAllowed {
            tag: key.tag.as_str(),
            collection: collection.name(),
        });
    }
    if key.tag == RecordTag::Profile && key.id.as_str() != PROFILE_RECORD_ID {
        return Err(BadRecordKey(key.to_string()).into());
    }
    Ok(key)
}

fn parse<T: DeserializeOwned>(json: &str) -> Result<T, RecordError> {
    serde_json::from_str(json).map_err(|e| RecordError::Json(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::{
        acceptance, equipment_need, equipment_offer, member, pledge, profile, request,
    };

    fn id(text: &str) -> RecordId {
        RecordId::new(text).unwrap()
    }

    #[test]
    fn keys_round_trip_as_text() {
        for key in [
            RecordKey::profile(),
            RecordKey::offer(id("o-1")),
            RecordKey::request(id("r1")),
            RecordKey::acceptance(id("a1")),
            RecordKey::pledge(id("p1")),
        ] {
            let text = key.to_string();
            assert_eq!(text.parse::<RecordKey>(), Ok(key));
        }
        assert_eq!(RecordKey::profile().to_string(), "profile:main");
        for bad in ["offer", "offer:", ":o1", "gift:o1", "offer:O1", "offer:a:b"] {
            assert!(bad.parse::<RecordKey>().is_err(), "{bad}");
        }
    }

    #[test]
    fn every_record_kind_round_trips_through_decode() {
        let cases = [
            (
                Collection::Profile,
                RecordKey::profile(),
                Record::Profile(profile("Stadt Darmstadt", "06411")),
            ),
            (
                Collection::Offers,
                RecordKey::offer(id("o1")),
                Record::Offer(equipment_offer("laptop", 20)),
            ),
            (
                Collection::Requests,
                RecordKey::request(id("r1")),
                Record::Request(request(vec![equipment_need("n1", 100)])),
            ),
            (
                Collection::Requests,
                RecordKey::acceptance(id("a1")),
                Record::Acceptance(acceptance(member(2), "p1", "r1", "n1", 5)),
            ),
            (
                Collection::Pledges,
                RecordKey::pledge(id("p1")),
                Record::Pledge(pledge(member(1), "r1", "n1", Some("o1"), 5)),
            ),
        ];
        for (collection, key, record) in cases {
            assert_eq!(record.key_tag(), key.tag);
            let decoded = decode_record(collection, &key.to_string(), &record.to_json());
            assert_eq!(decoded, Ok(record));
        }
    }

    #[test]
    fn bad_keys_are_rejected() {
        let json = Record::Offer(equipment_offer("laptop", 1)).to_json();
        assert!(matches!(
            decode_record(Collection::Offers, "offer/o1", &json),
            Err(RecordError::BadKey(_))
        ));
        let profile_json = Record::Profile(profile("X", "06431")).to_json();
        assert!(matches!(
            decode_record(Collection::Profile, "profile:other", &profile_json),
            Err(RecordError::BadKey(_))
        ));
    }

    #[test]
    fn tags_in_the_wrong_collection_are_rejected() {
        let json = Record::Offer(equipment_offer("laptop", 1)).to_json();
        for collection in [
            Collection::Profile,
            Collection::Requests,
            Collection::Pledges,
        ] {
            assert!(matches!(
                decode_record(collection, "offer:o1", &json),
                Err(RecordError::TagNotAllowed { tag: "offer", .. })
            ));
        }
        let pledge_json = Record::Pledge(pledge(member(1), "r1", "n1", None, 1)).to_json();
        assert!(matches!(
            decode_record(Collection::Requests, "pledge:p1", &pledge_json),
            Err(RecordError::TagNotAllowed { .. })
        ));
    }

    #[test]
    fn unknown_fields_and_wrong_types_are_rejected() {
        let json = Record::Offer(equipment_offer("laptop", 1)).to_json();
        let extra_top = json.replacen('{', "{\"extra\":1,", 1);
        assert!(matches!(
            decode_record(Collection::Offers, "offer:o1", &extra_top),
            Err(RecordError::Json(_))
        ));
        let extra_detail = json.replace("\"kind\":\"equipment\"", "\"kind\":\"equipment\",\"x\":2");
        assert_ne!(extra_detail, json);
        assert!(matches!(
            decode_record(Collection::Offers, "offer:o1", &extra_detail),
            Err(RecordError::Json(_))
        ));
        let unknown_kind = json.replace("\"kind\":\"equipment\"", "\"kind\":\"gift\"");
        assert!(matches!(
            decode_record(Collection::Offers, "offer:o1", &unknown_kind),
            Err(RecordError::Json(_))
        ));
        // A request's JSON under an offer key does not fit the offer type.
        let request_json = Record::Request(request(vec![equipment_need("n1", 1)])).to_json();
        assert!(matches!(
            decode_record(Collection::Offers, "offer:o1", &request_json),
            Err(RecordError::Json(_))
        ));
        assert!(matches!(
            decode_record(Collection::Offers, "offer:o1", "not json"),
            Err(RecordError::Json(_))
        ));
    }

    #[test]
    fn oversized_records_are_rejected_before_parsing() {
        let mut offer = equipment_offer("laptop", 1);
        offer.notes = "x".repeat(RECORD_JSON_BYTES_MAX);
        let json = Record::Offer(offer).to_json();
        assert!(matches!(
            decode_record(Collection::Offers, "offer:o1", &json),
            Err(RecordError::TooLarge { .. })
        ));
    }

    #[test]
    fn invalid_records_are_rejected_with_the_reason() {
        let json = Record::Offer(equipment_offer("laptop", 0)).to_json();
        let error = decode_record(Collection::Offers, "offer:o1", &json).unwrap_err();
        assert!(matches!(error, RecordError::Invalid(_)));
        assert_eq!(
            error.to_string(),
            "record is invalid: detail.quantity: must be at least 1, got 0"
        );
    }
}
