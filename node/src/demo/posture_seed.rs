//! Fictional posture for the three members the demo officer serves, so
//! that logging in as `isb` shows a workspace with something in it:
//! Kreis Bergstraße (the officer's host) has an accepted baseline with
//! findings and a newer draft (the delta shows), the Odenwaldkreis has
//! submitted an assessment that waits for review, Kreis Groß-Gerau has a
//! draft. Every note and evidence name says it is made up.

use amtshilfe_protocol::model::DAY_MS;
use amtshilfe_protocol::posture::{
    AkcMilestones, Answer, Assessment, Bcms, EvidenceRef, Finding, MeasureCatalogue,
    QuestionAnswer, Verdict, WibaCatalogue,
};

use super::DemoNode;
use super::seed::OFFICER_SERVES;
use crate::core::Core;
use crate::net::{Announcement, NetCommand};
use crate::ops::posture::{review, save_assessment, submit};
use crate::sealing::task::maintain;

/// Marks every demo text as made up.
const FICTIONAL: &str = "(Demo, fiktiv)";

/// The demo assessment of member `index` (`variant` 1 changes a few answers).
fn assessment(index: usize, variant: usize, now_ms: i64) -> Assessment {
    let catalogue = WibaCatalogue::builtin();
    let mut assessment = Assessment::empty(catalogue, now_ms);
    for topic in &catalogue.topics {
        for question in &topic.questions {
            let roll = (index * 7
                + usize::from(topic.number) * 3
                + usize::from(question.number)
                + variant * 5)
                % 10;
            let answer = match roll {
                0..=5 => Answer::Yes,
                6 | 7 => Answer::No,
                8 => Answer::NotApplicable,
                _ => Answer::Open,
            };
            let note = match answer {
                Answer::No => format!("Umsetzung für das nächste Quartal geplant {FICTIONAL}"),
                Answer::NotApplicable => format!("Kein eigenes Rechenzentrum {FICTIONAL}"),
                _ => String::new(),
            };
            let evidence = (answer == Answer::Yes && question.number == 1).then(|| EvidenceRef {
                document: format!("Demo-Dokument {} {FICTIONAL}", topic.id),
                date_ms: Some(now_ms - 90 * DAY_MS),
                sha256: None,
            });
            assessment.wiba.insert(
                question.id.clone(),
                QuestionAnswer {
                    answer,
                    note,
                    evidence,
                },
            );
        }
    }
    let measures = MeasureCatalogue::builtin();
    for (k, measure) in measures.nis2_measures.iter().enumerate() {
        assessment
            .nis2
            .insert(measure.id.clone(), ((index + k) % 4) as u8);
    }
    for (k, flag) in measures.red_flags.iter().enumerate() {
        assessment
            .red_flags
            .insert(flag.id.clone(), !(index + k).is_multiple_of(3));
    }
    let months_ago = |months: i64| Some(now_ms - months * 30 * DAY_MS);
    let (stage, akc) = match index {
        0 => (
            "build_up",
            AkcMilestones {
                kdlz_cs_stage1_ms: months_ago(10),
                stage1_recommendations_done_permille: Some(800),
                irs_workshop_ms: months_ago(6),
                irs_enrolled_ms: months_ago(5),
                elearning_permille: Some(720),
                phishing_click_permille: Some(90),
                ..AkcMilestones::default()
            },
        ),
        1 => (
            "reactive",
            AkcMilestones {
                kdlz_cs_stage1_ms: months_ago(3),
                stage1_recommendations_done_permille: Some(300),
                elearning_permille: Some(410),
                ..AkcMilestones::default()
            },
        ),
        _ => ("none", AkcMilestones::default()),
    };
    assessment.bcms = Bcms {
        stage: stage.into(),
        last_bia_ms: months_ago(14),
        last_exercise_ms: (index == 0).then(|| now_ms - 120 * DAY_MS),
    };
    assessment.akc = akc;
    assessment
}

fn findings(now_ms: i64) -> Vec<Finding> {
    vec![
        Finding {
            id: "demo-1".into(),
            question: Some("wiba_01_02".into()),
            text: format!("Rücksicherung aus dem Offline-Backup üben {FICTIONAL}"),
            owner: "IT-Leitung".into(),
            due_ms: now_ms + 30 * DAY_MS,
            closed_ms: None,
        },
        Finding {
            id: "demo-2".into(),
            question: None,
            text: format!("IT-Notfallkarte in allen Gebäuden aushängen {FICTIONAL}"),
            owner: "Hauptamt".into(),
            due_ms: now_ms - 7 * DAY_MS,
            closed_ms: None,
        },
    ]
}

fn announce(node: &DemoNode, envelopes: Vec<amtshilfe_protocol::envelope::Envelope>) {
    if let Some(running) = &node.running {
        for envelope in envelopes {
            running
                .net
                .send(NetCommand::Announce(Announcement::Envelope(envelope)));
        }
    }
}

fn seed_member(
    core: &mut Core,
    index: usize,
    now_ms: i64,
) -> anyhow::Result<Vec<amtshilfe_protocol::envelope::Envelope>> {
    let mut written = Vec::new();
    let (_, envelopes) = save_assessment(core, assessment(index, 0, now_ms), now_ms)?;
    written.extend(envelopes);
    match index {
        0 => {
            let (revision, envelope) = submit(core, now_ms)?;
            written.push(envelope);
            let member = core.device().member;
            written.push(review(
                core,
                member,
                revision,
                Verdict::Accepted,
                findings(now_ms),
                now_ms,
            )?);
            let (_, envelopes) = save_assessment(core, assessment(index, 1, now_ms), now_ms + 1)?;
            written.extend(envelopes);
        }
        1 => written.push(submit(core, now_ms)?.1),
        _ => {}
    }
    Ok(written)
}

/// Publishes every node's encryption keys, hands the officer's to the
/// members it serves at once (so their records are sealed to it from the
/// start, not re-sealed later), and writes the demo posture.
pub(super) fn seed_posture(nodes: &[DemoNode], now_ms: i64) -> anyhow::Result<()> {
    let mut host_keys = Vec::new();
    for node in nodes {
        let Some(running) = &node.running else {
            continue;
        };
        let round = maintain(&mut running.core.lock(), now_ms)?;
        if node.index == 0 {
            host_keys = round.written.clone();
        }
        announce(node, round.written);
    }
    for &index in &OFFICER_SERVES {
        let Some(running) = &nodes[index].running else {
            continue;
        };
        let mut core = running.core.lock();
        if index != 0 {
            core.receive_envelopes(host_keys.clone(), "demo");
        }
        let written = seed_member(&mut core, index, now_ms)?;
        drop(core);
        announce(&nodes[index], written);
    }
    Ok(())
}
