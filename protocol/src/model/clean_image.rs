//! A "clean image" attestation on an equipment offer: who imaged the
//! devices, when, and which image (name and SHA-256), so a helper's
//! recipient can compare the hash with the image it trusts before it
//! connects a lent device to its network.
//!
//! The attestation is the offering member's statement: it is part of the
//! offer record and so signed by a device of the offer's owner like every
//! other field. It proves who vouches for the image, not that the image is
//! clean; the hash lets the recipient check it against the image it knows.

use serde::{Deserialize, Serialize};

use super::validation::{ValidationError, bad_format, check_name, check_time, inconsistent};

/// Length of an image hash: SHA-256 as lowercase hex, in characters.
pub const IMAGE_SHA256_HEX_CHARS: usize = 64;

/// Who imaged the devices of an equipment offer, when, and with what.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CleanImageAttestation {
    /// Who imaged the devices, e.g. "M. Weber, IT Heppenheim".
    #[schemars(length(min = 1, max = super::validation::NAME_CHARS_MAX))]
    pub imaged_by: String,
    /// When the devices were imaged, ms since the epoch; not after the
    /// offer's `updated_at_ms` (nobody attests an imaging still to come).
    #[schemars(range(min = 0, max = super::validation::TIME_MS_MAX))]
    pub imaged_at_ms: i64,
    /// The image's name, e.g. "Win11-Basis-2026-03".
    #[schemars(length(min = 1, max = super::validation::NAME_CHARS_MAX))]
    pub image_name: String,
    /// SHA-256 of the image file, 64 lowercase hex characters.
    #[schemars(regex(pattern = r"^[0-9a-f]{64}$"))]
    pub image_sha256: String,
}

impl CleanImageAttestation {
    /// Checks the attestation of an offer saved at `updated_at_ms`.
    pub(crate) fn validate(&self, field: &str, updated_at_ms: i64) -> Result<(), ValidationError> {
        check_name(&format!("{field}.imaged_by"), &self.imaged_by)?;
        check_time(&format!("{field}.imaged_at_ms"), self.imaged_at_ms)?;
        if self.imaged_at_ms > updated_at_ms {
            return Err(inconsistent(
                &format!("{field}.imaged_at_ms"),
                "the imaging must not be later than the offer's last change",
            ));
        }
        check_name(&format!("{field}.image_name"), &self.image_name)?;
        let hex = self.image_sha256.len() == IMAGE_SHA256_HEX_CHARS
            && self
                .image_sha256
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !hex {
            return Err(bad_format(
                &format!("{field}.image_sha256"),
                "must be a SHA-256 hash: 64 characters 0-9 and a-f",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::OfferDetail;
    use crate::model::fixtures::equipment_offer;

    const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    fn attested(attestation: CleanImageAttestation) -> crate::model::Offer {
        let mut offer = equipment_offer("laptop", 3);
        if let OfferDetail::Equipment(equipment) = &mut offer.detail {
            equipment.clean_image = Some(attestation);
        }
        offer
    }

    fn good(updated_at_ms: i64) -> CleanImageAttestation {
        CleanImageAttestation {
            imaged_by: "M. Weber, IT Heppenheim".into(),
            imaged_at_ms: updated_at_ms - 86_400_000,
            image_name: "Win11-Basis-2026-03".into(),
            image_sha256: HASH.into(),
        }
    }

    fn refusal(change: impl FnOnce(&mut CleanImageAttestation)) -> (String, &'static str) {
        let updated = equipment_offer("laptop", 3).updated_at_ms;
        let mut attestation = good(updated);
        change(&mut attestation);
        let error = attested(attestation).validate().unwrap_err();
        (error.field().to_owned(), error.code())
    }

    #[test]
    fn a_complete_attestation_is_accepted_and_optional() {
        let plain = equipment_offer("laptop", 3);
        assert!(plain.validate().is_ok());
        assert!(attested(good(plain.updated_at_ms)).validate().is_ok());
    }

    #[test]
    fn a_bad_attestation_is_refused_with_its_field_and_code() {
        let field = |leaf: &str| format!("detail.clean_image.{leaf}");
        assert_eq!(
            refusal(|a| a.imaged_by = " ".into()),
            (field("imaged_by"), "empty")
        );
        assert_eq!(
            refusal(|a| a.image_name = "x".repeat(121)),
            (field("image_name"), "too_long")
        );
        assert_eq!(
            refusal(|a| a.image_name = "a\nb".into()),
            (field("image_name"), "bad_format")
        );
        assert_eq!(
            refusal(|a| a.image_sha256 = HASH.to_uppercase()),
            (field("image_sha256"), "bad_format")
        );
        assert_eq!(
            refusal(|a| a.image_sha256 = HASH[..63].into()),
            (field("image_sha256"), "bad_format")
        );
        assert_eq!(
            refusal(|a| a.imaged_at_ms = -1),
            (field("imaged_at_ms"), "below_min")
        );
        assert_eq!(
            refusal(|a| a.imaged_at_ms += 2 * 86_400_000),
            (field("imaged_at_ms"), "inconsistent")
        );
    }

    #[test]
    fn an_unknown_field_in_the_attestation_does_not_decode() {
        let json = format!(
            r#"{{"imaged_by":"x","imaged_at_ms":0,"image_name":"y","image_sha256":"{HASH}","signed":true}}"#
        );
        assert!(serde_json::from_str::<CleanImageAttestation>(&json).is_err());
    }
}
