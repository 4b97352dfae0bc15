//! Offline bundles on a node: export what the node holds (or what a peer
//! lacks) and import a bundle through the same ingress as the network.
//! The format and its checks are `amtshilfe_protocol::bundle`; this module
//! moves the bytes into and out of a [`Core`], so a bundle imported into a
//! stopped node (`amtshilfe bundle import`) and into a running one
//! (`POST /api/bundle`) is stored the same way, durable before answered.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use amtshilfe_protocol::bundle::{BUNDLE_BYTES_MAX, Bundle, BundleError, ItemRefusal};
use amtshilfe_protocol::envelope::Envelope;
use amtshilfe_protocol::ids::{PactId, Sha256Hash};
use amtshilfe_protocol::replica::Replica;
use amtshilfe_protocol::sync::SyncRequest;
use serde::Serialize;

use crate::core::Core;

/// What an import did. Items refused on their merits (ingress) are listed;
/// the rest of the bundle applied.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[schemars(rename = "BundleReport")]
pub struct ImportReport {
    /// Membership entries newly applied.
    pub entries_applied: usize,
    /// Envelopes newly applied.
    pub envelopes_applied: usize,
    /// Items this node had already.
    pub duplicates: usize,
    /// Envelopes waiting for dependencies the bundle did not carry.
    pub pending: usize,
    /// Items ingress refused, with the reason code the network would give.
    pub refused: Vec<RefusedItem>,
}

/// One refused item of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct RefusedItem {
    /// Position among the bundle's items (entries first, then envelopes).
    pub index: usize,
    /// `entry` or `envelope`.
    pub kind: &'static str,
    /// The reason code.
    pub code: &'static str,
    /// The reason in words.
    pub reason: String,
}

impl From<&ItemRefusal> for RefusedItem {
    fn from(item: &ItemRefusal) -> Self {
        Self {
            index: item.index,
            kind: item.kind,
            code: item.code,
            reason: item.reason.clone(),
        }
    }
}

/// A bundle refused whole: nothing of it was applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{code}: {message}")]
pub struct BundleRefused {
    /// The bundle's refusal code (`bundle_checksum`, `wrong_pact`,
    /// `bundle_items_refused`, …).
    pub code: &'static str,
    /// The reason in words.
    pub message: String,
    /// For `bundle_items_refused`: each item and its reason.
    pub items: Vec<RefusedItem>,
}

impl From<BundleError> for BundleRefused {
    fn from(error: BundleError) -> Self {
        let items = match &error {
            BundleError::Items(items) => items.iter().map(RefusedItem::from).collect(),
            _ => Vec::new(),
        };
        Self {
            code: error.code(),
            message: error.to_string(),
            items,
        }
    }
}

/// Decodes `bytes`, checks every item's integrity against the node's
/// pact, and only then takes entries and envelopes in through ingress and
/// stores what applied.
pub fn import(core: &mut Core, bytes: &[u8]) -> Result<ImportReport, BundleRefused> {
    let bundle = checked(bytes, &core.replica().pact_id())?;
    Ok(apply(core, bundle))
}

/// A bundle whose every item passed [`checked`]: its envelopes' signatures
/// are verified, so [`apply`] tells ingress so instead of verifying each
/// one again under the core's lock.
#[derive(Debug)]
pub struct CheckedBundle {
    bundle: Bundle,
    /// The envelopes' verification ids (`Envelope::verification_id`).
    verified: Vec<Sha256Hash>,
}

impl CheckedBundle {
    /// The bundle.
    pub fn bundle(&self) -> &Bundle {
        &self.bundle
    }
}

/// Decodes `bytes` and checks every item's integrity against `pact`,
/// without the core: a running node does this outside its lock.
pub fn checked(bytes: &[u8], pact: &PactId) -> Result<CheckedBundle, BundleRefused> {
    check(Bundle::from_bytes(bytes)?, pact)
}

/// [`checked`] against the pact the bundle names itself: a recovery
/// ticket, read before the node has a store (the caller then checks that
/// the ticket's charter founds that pact).
pub fn checked_as_named(bytes: &[u8]) -> Result<CheckedBundle, BundleRefused> {
    let bundle = Bundle::from_bytes(bytes)?;
    let pact = bundle.pact;
    check(bundle, &pact)
}

fn check(bundle: Bundle, pact: &PactId) -> Result<CheckedBundle, BundleRefused> {
    // Refuses the whole bundle unless every signature verifies.
    bundle.check_integrity(pact)?;
    let verified = bundle
        .envelopes
        .iter()
        .map(Envelope::verification_id)
        .collect();
    Ok(CheckedBundle { bundle, verified })
}

/// Takes a [`checked`] bundle in through ingress and stores what applied.
pub fn apply(core: &mut Core, checked: CheckedBundle) -> ImportReport {
    let CheckedBundle { bundle, verified } = checked;
    let entry_count = bundle.entries.len();
    let positions: BTreeMap<Sha256Hash, usize> = bundle
        .envelopes
        .iter()
        .enumerate()
        .map(|(n, envelope)| (envelope.content_hash(), entry_count + n))
        .collect();
    let mut report = ImportReport::default();
    let outcomes = core.receive_entries_reported(bundle.entries, "bundle");
    for (index, outcome) in outcomes.iter().enumerate() {
        match outcome {
            Ok(amtshilfe_protocol::membership::InsertOutcome::Applied { .. }) => {
                report.entries_applied += 1;
            }
            Ok(amtshilfe_protocol::membership::InsertOutcome::Duplicate) => {
                report.duplicates += 1;
            }
            Ok(_) => {}
            Err(reason) => report.refused.push(RefusedItem {
                index,
                kind: "entry",
                code: reason.code(),
                reason: reason.to_string(),
            }),
        }
    }
    let ingress = core.receive_verified(bundle.envelopes, verified, "bundle");
    report.envelopes_applied = ingress.accepted.len();
    report.duplicates += ingress.duplicates;
    report.pending = ingress.pending;
    for (hash, reason) in &ingress.rejected {
        report.refused.push(RefusedItem {
            index: positions.get(hash).copied().unwrap_or(usize::MAX),
            kind: "envelope",
            code: reason.code(),
            reason: reason.to_string(),
        });
    }
    report
}

/// The bundle of everything `replica` holds, or of what a peer lacks
/// given its known state (the bytes of `amtshilfe bundle state`).
pub fn export(
    replica: &Replica,
    since: Option<&[u8]>,
    addresses: Vec<String>,
) -> Result<Vec<u8>, BundleRefused> {
    let since = since
        .map(SyncRequest::from_bytes)
        .transpose()
        .map_err(|e| BundleRefused {
            code: "known_state_malformed",
            message: e.to_string(),
            items: Vec::new(),
        })?;
    Ok(replica
        .export_bundle(since.as_ref(), addresses)?
        .to_bytes()?)
}

/// The membership log alone as a bundle (a recovery ticket).
pub fn export_membership(
    replica: &Replica,
    addresses: Vec<String>,
) -> Result<Vec<u8>, BundleRefused> {
    Ok(replica.export_membership_bundle(addresses).to_bytes()?)
}

/// This node's known state, for a peer to export a bundle of what it lacks.
pub fn known_state(replica: &Replica) -> Vec<u8> {
    replica.known_state().to_bytes()
}

/// Reads a bundle (or known-state) file, at most [`BUNDLE_BYTES_MAX`]
/// bytes, so a huge file is refused without being read whole.
pub fn read_file(path: &Path) -> anyhow::Result<Vec<u8>> {
    let file = std::fs::File::open(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(BUNDLE_BYTES_MAX as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    anyhow::ensure!(
        bytes.len() <= BUNDLE_BYTES_MAX,
        "{} is larger than {BUNDLE_BYTES_MAX} bytes",
        path.display()
    );
    Ok(bytes)
}
