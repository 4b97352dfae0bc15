//! The domain model: the records members write into their documents
//! (profiles, offers, aid requests, pledges, acceptances, declines,
//! settlements, and the incident room's records of [`crate::incident`]), their per-record
//! validation, and the record keys and schema check of a document.
//!
//! JSON is the stored form of every record. Fields that name a catalogue
//! entry hold its id as a string and are checked against
//! [`crate::catalogue`]. Nothing here looks at more than one record at a
//! time, reads a clock, or does I/O.

mod acceptance;
mod clean_image;
mod common;
mod decline;
mod offer;
mod offer_detail;
mod pledge;
mod profile;
pub mod record;
mod record_time;
mod request;
mod settlement;
pub(crate) mod validation;

#[cfg(test)]
pub(crate) mod fixtures;

pub use acceptance::{
    Acceptance, AcceptanceStatus, EXPENSES_CENTS_MAX, HOURS_RECORDED_MAX, PledgeRef,
};
pub use clean_image::{CleanImageAttestation, IMAGE_SHA256_HEX_CHARS};
pub use common::{
    Contact, DAY_MS, EMAIL_CHARS_MAX, GeoPoint, Mode, OfferKind, PHONE_CHARS_MAX, SkillLevel,
    TimeWindow,
};
pub use decline::Decline;
pub use offer::{Offer, OfferStatus};
pub use offer_detail::{
    COST_EUR_MAX, DEPLOYMENT_DAYS_DEFAULT, DEPLOYMENT_DAYS_MAX, DURATION_DAYS_MAX, EquipmentOffer,
    HOURS_PER_WEEK_MAX, OfferDetail, PREPARATION_HOURS_MAX, PersonOffer, RESPONSE_TIME_MINUTES_MAX,
    RemoteCapacityOffer, SHIFT_HOURS_DEFAULT, SHIFT_HOURS_MAX, ServiceRelocationOffer,
    TRAVEL_RADIUS_KM_MAX, TeamMember, TeamPackageOffer,
};
pub use pledge::{PLEDGE_ACCEPT_WINDOW_MS, Pledge, PledgeStatus, RequestRef};
pub use profile::{AGS_DIGITS_MAX, AGS_DIGITS_MIN, MemberProfile, POPULATION_MAX};
pub use record::{
    BadRecordKey, PROFILE_RECORD_ID, RECORD_JSON_BYTES_MAX, Record, RecordError, RecordKey,
    RecordTag, check_record_key, decode_keyed, decode_record,
};
pub use record_time::{RECORD_TIME_SKEW_MS, TimeAheadOfChange, check_record_times, rule_times};
pub use request::{AidRequest, Need, RequestStatus};
pub use settlement::Settlement;
pub use validation::{
    LIST_ITEMS_MAX, NAME_CHARS_MAX, QUANTITY_MAX, SHORT_TEXT_CHARS_MAX, TEXT_CHARS_MAX,
    TIME_MS_MAX, ValidationError,
};
