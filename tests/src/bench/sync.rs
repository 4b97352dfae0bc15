//! Sync efficiency: the same documents brought to an empty peer in memory
//! by automerge's own sync protocol (one `sync::State` pair per document)
//! and by amtshilfe's signed sync (one pull session for all documents):
//! bytes of every message both ways, and time.

use std::collections::BTreeMap;
use std::time::Instant;

use amtshilfe_protocol::ids::DocumentId;
use automerge::sync::{Message, State, SyncDoc};
use automerge::{AutoCommit, Change};

use super::Sizes;
use super::heal::pull;
use super::support::{ms, write_offers};
use super::table::Row;
use crate::fixtures::TestPact;

pub(crate) const BYTES: &str = "signed sync bytes";
pub(crate) const TIME: &str = "signed sync time (ms)";

pub(crate) fn run(sizes: &Sizes) -> anyhow::Result<Vec<Row>> {
    let members = sizes.sync_documents;
    let pact = TestPact::new(members, 53);
    let mut source = pact.replica();
    let envelopes = write_offers(
        &pact,
        &mut source,
        0..members,
        sizes.sync_changes_per_document,
    )?;

    // The same changes, as plain automerge documents.
    let mut by_document: BTreeMap<DocumentId, Vec<Change>> = BTreeMap::new();
    for envelope in &envelopes {
        by_document
            .entry(envelope.document)
            .or_default()
            .push(Change::from_bytes(envelope.change.clone())?);
    }
    let mut plain = Vec::new();
    for changes in by_document.into_values() {
        let mut document = AutoCommit::new();
        document.apply_changes(changes)?;
        plain.push(document);
    }

    let started = Instant::now();
    let mut automerge_bytes = 0;
    for document in &mut plain {
        automerge_bytes += automerge_sync(document)?;
    }
    let automerge_time = ms(started.elapsed());

    let mut empty = pact.replica();
    let started = Instant::now();
    let signed_bytes = pull(&mut empty, &source)?;
    let signed_time = ms(started.elapsed());
    anyhow::ensure!(empty.heads() == source.heads(), "signed sync incomplete");

    let note = format!(
        "{} documents x {} changes (one offer each) to an empty peer; the signed sync also \
         carries the membership entries' hashes and verifies every signature",
        plain.len(),
        sizes.sync_changes_per_document
    );
    Ok(vec![
        Row {
            figure: BYTES,
            value: signed_bytes as f64,
            unit: "B",
            baseline: Some(automerge_bytes as f64),
            baseline_name: "automerge sync bytes",
            target: "<= 1.3x baseline",
            met: Some(signed_bytes as f64 <= 1.3 * automerge_bytes as f64),
            note,
        },
        Row {
            figure: TIME,
            value: signed_time,
            unit: "ms",
            baseline: Some(automerge_time),
            baseline_name: "automerge sync ms",
            target: "",
            met: None,
            note: String::new(),
        },
    ])
}

/// Syncs `source` into a fresh empty document with automerge's protocol;
/// returns the bytes of every message both ways.
fn automerge_sync(source: &mut AutoCommit) -> anyhow::Result<usize> {
    let mut target = AutoCommit::new();
    let (mut source_state, mut target_state) = (State::new(), State::new());
    let mut bytes = 0;
    for _round in 0..100 {
        let mut quiet = true;
        if let Some(message) = source.sync().generate_sync_message(&mut source_state) {
            let wire = message.encode();
            bytes += wire.len();
            target
                .sync()
                .receive_sync_message(&mut target_state, Message::decode(&wire)?)?;
            quiet = false;
        }
        if let Some(message) = target.sync().generate_sync_message(&mut target_state) {
            let wire = message.encode();
            bytes += wire.len();
            source
                .sync()
                .receive_sync_message(&mut source_state, Message::decode(&wire)?)?;
            quiet = false;
        }
        if quiet {
            anyhow::ensure!(
                target.get_heads() == source.get_heads(),
                "automerge sync incomplete"
            );
            return Ok(bytes);
        }
    }
    anyhow::bail!("automerge sync did not finish in 100 rounds")
}
