//! Posture form fields → the API's bodies (`PostureBody`, `ReviewRequest`).
//! Every value is checked again by the model on the way to the store;
//! these functions only translate and name a malformed field.

use std::collections::BTreeMap;

use amtshilfe_dashboard::format::parse_date;
use amtshilfe_dashboard::pages::{REVIEW_COMMENT_ROWS, REVIEW_FINDING_ROWS};
use amtshilfe_protocol::posture::{
    AkcMilestones, Answer, Assessment, Bcms, EvidenceRef, Finding, MeasureCatalogue,
    QuestionAnswer, Verdict, WibaCatalogue,
};

use super::forms::{Fields, text};
use crate::http::ApiError;
use crate::ops::posture::{GENERAL_COMMENT, PostureBody, ReviewRequest};

fn bad(name: &str, value: &str, what: &str) -> ApiError {
    ApiError::InvalidBody(format!("{name}: {value:?} {what}"))
}

fn date(fields: &Fields, name: &str) -> Result<Option<i64>, ApiError> {
    let value = text(fields, name);
    if value.is_empty() {
        return Ok(None);
    }
    parse_date(&value)
        .map(Some)
        .ok_or_else(|| bad(name, &value, "is not a date (TT.MM.JJJJ)"))
}

/// A percentage field as thousandths (a value over 100 is left for the
/// model to refuse by its rule).
fn percent(fields: &Fields, name: &str) -> Result<Option<u16>, ApiError> {
    let value = text(fields, name);
    if value.is_empty() {
        return Ok(None);
    }
    value
        .parse::<u16>()
        .ok()
        .and_then(|v| v.checked_mul(10))
        .map(Some)
        .ok_or_else(|| bad(name, &value, "is not a whole percentage"))
}

fn answer(name: &str, value: &str) -> Result<Option<Answer>, ApiError> {
    Ok(Some(match value {
        "" => return Ok(None),
        "yes" => Answer::Yes,
        "no" => Answer::No,
        "not_applicable" => Answer::NotApplicable,
        "open" => Answer::Open,
        other => return Err(bad(name, other, "is not an answer")),
    }))
}

/// The member's form as a save body; `previous` keeps an evidence's date
/// and hash (set through the API) while its document name is unchanged.
pub(super) fn posture_body(
    fields: &Fields,
    previous: Option<&Assessment>,
) -> Result<PostureBody, ApiError> {
    let catalogue = WibaCatalogue::builtin();
    let measures = MeasureCatalogue::builtin();
    let mut wiba = BTreeMap::new();
    for question in catalogue.topics.iter().flat_map(|t| &t.questions) {
        let name = format!("a_{}", question.id);
        let Some(answer) = answer(&name, &text(fields, &name))? else {
            continue;
        };
        let document = text(fields, &format!("e_{}", question.id));
        let kept = previous
            .and_then(|p| p.wiba.get(&question.id))
            .and_then(|a| a.evidence.as_ref())
            .filter(|e| e.document == document);
        let evidence = (!document.is_empty()).then(|| EvidenceRef {
            date_ms: kept.and_then(|e| e.date_ms),
            sha256: kept.and_then(|e| e.sha256),
            document,
        });
        wiba.insert(
            question.id.clone(),
            QuestionAnswer {
                answer,
                note: text(fields, &format!("n_{}", question.id)),
                evidence,
            },
        );
    }
    let mut nis2 = BTreeMap::new();
    for measure in &measures.nis2_measures {
        let name = format!("nis2_{}", measure.id);
        let value = text(fields, &name);
        if !value.is_empty() {
            let level = value
                .parse()
                .map_err(|_| bad(&name, &value, "is not a maturity level"))?;
            nis2.insert(measure.id.clone(), level);
        }
    }
    let red_flags = measures
        .red_flags
        .iter()
        .map(|flag| {
            let set = !text(fields, &format!("rf_{}", flag.id)).is_empty();
            (flag.id.clone(), set)
        })
        .collect();
    Ok(PostureBody {
        catalogue_version: catalogue.version.clone(),
        wiba,
        bcms: Bcms {
            stage: text(fields, "bcms_stage"),
            last_bia_ms: date(fields, "bcms_bia")?,
            last_exercise_ms: date(fields, "bcms_exercise")?,
        },
        nis2,
        akc: AkcMilestones {
            kdlz_cs_stage1_ms: date(fields, "akc_stage1")?,
            stage1_recommendations_done_permille: percent(fields, "akc_stage1_done")?,
            kdlz_cs_stage2_ms: date(fields, "akc_stage2")?,
            bcm_training_ms: date(fields, "akc_bcm_training")?,
            irs_workshop_ms: date(fields, "akc_irs_workshop")?,
            irs_enrolled_ms: date(fields, "akc_irs_enrolled")?,
            elearning_permille: percent(fields, "akc_elearning")?,
            phishing_click_permille: percent(fields, "akc_phishing")?,
        },
        red_flags,
    })
}

/// The officer's review form as a review body. Comments without a
/// question go under `general`; a finding needs its due date.
pub(super) fn review_body(fields: &Fields) -> Result<ReviewRequest, ApiError> {
    let revision_text = text(fields, "revision");
    let revision = revision_text
        .parse()
        .map_err(|_| bad("revision", &revision_text, "is not a revision"))?;
    let verdict = match text(fields, "verdict").as_str() {
        "accepted" => Verdict::Accepted,
        "returned" => {
            let mut comments: BTreeMap<String, String> = BTreeMap::new();
            let mut add = |question: String, comment: String| {
                if comment.is_empty() {
                    return;
                }
                let question = if question.is_empty() {
                    GENERAL_COMMENT.to_owned()
                } else {
                    question
                };
                comments
                    .entry(question)
                    .and_modify(|c| {
                        c.push('\n');
                        c.push_str(&comment);
                    })
                    .or_insert(comment);
            };
            add(String::new(), text(fields, "comment_general"));
            for row in 0..REVIEW_COMMENT_ROWS {
                add(
                    text(fields, &format!("cq{row}")),
                    text(fields, &format!("ct{row}")),
                );
            }
            Verdict::Returned { comments }
        }
        other => return Err(bad("verdict", other, "is neither accepted nor returned")),
    };
    let mut findings = Vec::new();
    for row in 0..REVIEW_FINDING_ROWS {
        let finding_text = text(fields, &format!("ft{row}"));
        if finding_text.is_empty() {
            continue;
        }
        let due = format!("fd{row}");
        let due_ms = date(fields, &due)?
            .ok_or_else(|| bad(&due, "", "is missing: a finding needs a due date"))?;
        let question = text(fields, &format!("fq{row}"));
        findings.push(Finding {
            id: format!("r{revision}-{}", row + 1),
            question: (!question.is_empty()).then_some(question),
            text: finding_text,
            owner: text(fields, &format!("fo{row}")),
            due_ms,
            closed_ms: None,
        });
    }
    Ok(ReviewRequest {
        revision,
        verdict,
        findings,
    })
}
