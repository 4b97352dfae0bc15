//! The pact benchmark without exposure: the hosted officer's node
//! computes, per WiBA topic, min / median / max of the progress of the
//! members it serves (from each member's newest submitted assessment it
//! can open), and shares it with each of them as a record `bm-…` about
//! that member, sealed to the member and its officers and carried in
//! this node's member's document with the officer's signature, like a
//! review. With fewer than `BENCHMARK_MEMBERS_MIN` members contributing
//! to a topic, the topic is left out; with fewer in all, nothing is
//! shared and earlier shares are deleted.

use amtshilfe_protocol::document::RecordOp;
use amtshilfe_protocol::ids::MemberId;
use amtshilfe_protocol::posture::{
    BENCHMARK_RECORD_PREFIX, BenchmarkShare, PosturePayload, SealedPosture, TopicBenchmark,
    WibaCatalogue, benchmark, benchmark_record, officer_serves, posture_context, wiba_progress,
};
use amtshilfe_protocol::seal::ReaderId;

use super::{delete, entropy, put};
use crate::core::Core;
use crate::http::ApiError;
use crate::ops::posture::{posture_overview, served_members};
use crate::sealing::open::{open_sealed, posture_readers_now};

/// This node hosts no officer.
pub const NO_OFFICER: &str = "no_officer_here";

/// What publishing did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct BenchmarkPublished {
    /// Members whose submitted assessment counted.
    pub contributors: usize,
    /// Members the benchmark was shared with (served, with a published key).
    pub shared_with: Vec<MemberId>,
    /// The figures shared; empty when too few members contributed.
    pub topics: Vec<TopicBenchmark>,
}

/// The ops that share the hosted officer's benchmark with every member it
/// serves (one put per member; deletes of earlier shares when too few
/// contributed). Each op is written on its own.
pub fn publish(core: &Core, now_ms: i64) -> Result<(Vec<RecordOp>, BenchmarkPublished), ApiError> {
    let officer = core
        .seal_identities()
        .officer
        .clone()
        .ok_or_else(|| ApiError::Conflict {
            code: NO_OFFICER,
            message: "This node hosts no joint security officer.".into(),
        })?;
    let catalogue = WibaCatalogue::builtin();
    let served = served_members(core);
    // The newest submitted revision of each member: what the member
    // declared, not a draft in progress.
    let progress: Vec<_> = served
        .iter()
        .filter_map(|member| {
            let overview = posture_overview(core, member);
            let revision = overview.submitted_revision();
            let assessment = overview.assessments.get(&revision)?;
            (revision > 0).then(|| wiba_progress(assessment, catalogue))
        })
        .collect();
    let topics = benchmark(&progress).unwrap_or_default();
    let host = core.device().member;
    let pact = core.replica().pact_id();
    let mut ops = Vec::new();
    let mut shared_with = Vec::new();
    for member in &served {
        let record = benchmark_record(member);
        if topics.is_empty() {
            let held = core
                .replica()
                .read_model()
                .posture_records()
                .any(|(address, _)| address.owner == host && address.id.as_str() == record);
            if held {
                ops.push(delete(&record)?);
            }
            continue;
        }
        // A member without a published key is left out until it has one.
        let Ok(readers) = posture_readers_now(core.replica(), member) else {
            continue;
        };
        let share = BenchmarkShare {
            member: *member,
            catalogue_version: catalogue.version.clone(),
            topics: topics.clone(),
            computed_at_ms: now_ms,
        };
        let sealed = SealedPosture::seal(
            &pact,
            *member,
            &record,
            &PosturePayload::Benchmark(share),
            &readers,
            entropy()?,
        )
        .map_err(|e| ApiError::Conflict {
            code: "seal_refused",
            message: e.to_string(),
        })?
        .carried_by(&host, &officer.signing);
        ops.push(put(&record, sealed)?);
        shared_with.push(*member);
    }
    Ok((
        ops,
        BenchmarkPublished {
            contributors: progress.len(),
            shared_with,
            topics,
        },
    ))
}

/// One benchmark shared with this node's member.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct BenchmarkSeen {
    /// The officer that computed it (serving this member now).
    pub officer: amtshilfe_protocol::ids::PublicKey,
    /// The benchmark.
    pub benchmark: BenchmarkShare,
}

/// The benchmarks shared with this node's member by officers serving it
/// now, that open and check (no topic of fewer than
/// `BENCHMARK_MEMBERS_MIN` members).
pub fn shared_with_me(core: &Core) -> Vec<BenchmarkSeen> {
    let me = core.device().member;
    let replica = core.replica();
    let pact = replica.pact_id();
    let state = replica.membership().state();
    replica
        .read_model()
        .posture_records()
        .filter(|(address, sealed)| {
            sealed.member == me && address.id.as_str().starts_with(BENCHMARK_RECORD_PREFIX)
        })
        .filter_map(|(_, sealed)| {
            // Ingress checked the officer's signature over the sealed
            // value; it must serve this member now to count.
            let officer = sealed.carriage.as_ref()?.officer;
            if !officer_serves(state, &officer, &me) {
                return None;
            }
            let context = posture_context(&pact, &me, &sealed.record);
            let (reader, opened) =
                open_sealed(core.seal_identities(), me, &sealed.sealed, &context)?;
            if reader != ReaderId::Member(me) {
                return None;
            }
            match serde_json::from_slice(&opened.ok()?) {
                Ok(PosturePayload::Benchmark(benchmark)) if benchmark.check(&me).is_ok() => {
                    Some(BenchmarkSeen { officer, benchmark })
                }
                _ => None,
            }
        })
        .collect()
}
