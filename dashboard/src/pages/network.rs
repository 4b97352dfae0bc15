//! Netzwerk: peers and when each last synced, the inputs this node
//! refused, by reason, the forks it knows with their evidence, and (for
//! admins) the upload of an offline bundle.

use maud::html;

use super::none;
use crate::Ctx;
use crate::format::date_time;
use crate::i18n::Text;
use crate::layout::page;

/// One known peer.
#[derive(Debug, Clone)]
pub struct PeerRow {
    /// libp2p peer id.
    pub peer: String,
    /// The member whose device it is, if known.
    pub member: Option<String>,
    /// Last completed sync, ms.
    pub last_sync_ms: Option<i64>,
    /// Last seen, ms.
    pub last_seen_ms: Option<i64>,
    /// Known addresses.
    pub addresses: Vec<String>,
}

/// A device that signed two different changes with one sequence number.
#[derive(Debug, Clone)]
pub struct ForkRow {
    /// The member whose document forked, if known.
    pub member: Option<String>,
    /// The document's collection.
    pub collection: String,
    /// The forked actor, shortened.
    pub actor: String,
    /// From this sequence number on its changes are held.
    pub seq: u64,
    /// The two envelopes' content hashes (the evidence), shortened.
    pub evidence: [String; 2],
}

/// What the network page shows.
#[derive(Debug, Clone, Default)]
pub struct NetworkView {
    /// This node's peer id.
    pub own_peer: String,
    /// Peers connected now.
    pub connected: usize,
    /// Known peers.
    pub peers: Vec<PeerRow>,
    /// Refused envelopes by reason code.
    pub rejected: Vec<(String, u64)>,
    /// Accepted envelopes.
    pub accepted: u64,
    /// Waiting for dependencies.
    pub pending: usize,
    /// Known forks.
    pub forks: Vec<ForkRow>,
    /// What the bundle just uploaded did, on the page that answers it.
    pub bundle_import: Option<super::BundleImportView>,
}

/// The Netzwerk page.
pub fn network(ctx: &Ctx, view: &NetworkView) -> String {
    let content = html! {
        p { (ctx.t(Text::OwnPeerId)) ": " code { (view.own_peer) } }
        // Quiet: sync times change every round (see live.js).
        section id="peers" data-live data-quiet aria-labelledby="h-peers" {
            h2 id="h-peers" { (ctx.t(Text::Peers)) " (" (ctx.t(Text::ConnectedNow)) ": " (view.connected) ")" }
            @if view.peers.is_empty() { (none(ctx)) } @else {
                table {
                    thead { tr { th scope="col" { (ctx.t(Text::Member)) } th scope="col" { "Peer-ID" } th scope="col" { (ctx.t(Text::LastSync)) } th scope="col" { (ctx.t(Text::LastSeen)) } th scope="col" { (ctx.t(Text::Addresses)) } } }
                    tbody { @for peer in &view.peers { tr {
                        td { (peer.member.as_deref().unwrap_or("?")) }
                        td { code { (peer.peer.chars().take(16).collect::<String>()) "…" } }
                        td { (peer.last_sync_ms.map(date_time).unwrap_or_else(|| "–".into())) }
                        td { (peer.last_seen_ms.map(date_time).unwrap_or_else(|| "–".into())) }
                        td { @for address in peer.addresses.iter().take(3) { code { (address) } br; } }
                    } } }
                }
            }
        }
        section id="rejected" data-live aria-labelledby="h-rejected" {
            h2 id="h-rejected" { (ctx.t(Text::RejectedInputs)) }
            p { (ctx.t(Text::Accepted)) ": " (view.accepted) " · " (ctx.t(Text::Pending)) ": " (view.pending) }
            @if view.rejected.is_empty() { (none(ctx)) } @else {
                table {
                    thead { tr { th scope="col" { (ctx.t(Text::Reason)) } th scope="col" { (ctx.t(Text::Count)) } } }
                    tbody { @for (code, count) in &view.rejected { tr { td { code { (code) } } td { (count) } } } }
                }
            }
        }
        section id="forks" data-live aria-labelledby="h-forks" {
            h2 id="h-forks" { (ctx.t(Text::Forks)) }
            p { (ctx.t(Text::ForksExplained)) }
            @if view.forks.is_empty() { (none(ctx)) } @else {
                table {
                    thead { tr {
                        th scope="col" { (ctx.t(Text::Member)) }
                        th scope="col" { (ctx.t(Text::ForkDocument)) }
                        th scope="col" { (ctx.t(Text::ForkActor)) }
                        th scope="col" { (ctx.t(Text::ForkHeldFrom)) }
                        th scope="col" { (ctx.t(Text::ForkEvidence)) }
                    } }
                    tbody { @for fork in &view.forks { tr {
                        td { (fork.member.as_deref().unwrap_or("?")) }
                        td { (fork.collection) }
                        td { code { (fork.actor) } }
                        td { (fork.seq) }
                        td { code { (fork.evidence[0]) } " / " code { (fork.evidence[1]) } }
                    } } }
                }
            }
        }
        (super::bundle_upload::section(ctx, view.bundle_import.as_ref()))
    };
    page(ctx, ctx.t(Text::NavNetzwerk), content)
}
