//! Pakt (admins): the members with their AGS, keys and devices, the
//! officers and whom they serve, the open proposals with what each does,
//! who approved and how many approvals are missing, and the forms to
//! propose and approve. Every form first shows what will be signed
//! ([`pact_confirm`]); only the button there signs.

use maud::{Markup, html};

use crate::Ctx;
use crate::format::date_time;
use crate::i18n::Lang;
use crate::layout::page;

/// German or English by the viewer's language. The page's texts live
/// here rather than in the shared text table: they are its own.
fn tr(ctx: &Ctx, de: &'static str, en: &'static str) -> &'static str {
    match ctx.lang {
        Lang::De => de,
        Lang::En => en,
    }
}

/// A member on the page.
#[derive(Debug, Clone)]
pub struct PactMemberRow {
    /// Member id, hex.
    pub id: String,
    /// Name.
    pub name: String,
    /// AGS, if its profile names one.
    pub ags: Option<String>,
    /// Current member key, hex.
    pub key: String,
    /// Its word fingerprint.
    pub fingerprint: String,
    /// Earlier keys, replaced by rotations.
    pub old_keys: usize,
    /// Devices that may write now, shortened keys.
    pub devices: Vec<String>,
    /// Officers serving it.
    pub served_by: Vec<String>,
}

/// An officer on the page.
#[derive(Debug, Clone)]
pub struct PactOfficerRow {
    /// Key, hex.
    pub key: String,
    /// Name.
    pub name: String,
    /// Names of the members it serves.
    pub serves: Vec<String>,
}

/// A proposal on the page.
#[derive(Debug, Clone)]
pub struct PactProposalRow {
    /// Hash, hex.
    pub hash: String,
    /// What it does, in the viewer's language.
    pub text: String,
    /// Who proposed it.
    pub proposer: String,
    /// When, ms.
    pub proposed_at_ms: i64,
    /// open, applied, inapplicable, not_counted.
    pub state: &'static str,
    /// Who approved.
    pub approvers: Vec<String>,
    /// Approvals missing.
    pub missing: usize,
    /// Served members whose approval an appointment still needs.
    pub also_needed: Vec<String>,
    /// Whether this member approved.
    pub approved_here: bool,
}

/// What the Pakt page shows.
#[derive(Debug, Clone, Default)]
pub struct PactPage {
    /// Pact name.
    pub pact_name: String,
    /// Pact id, hex.
    pub pact: String,
    /// Whether the node holds its member key (else forms are off).
    pub holds_member_key: bool,
    /// Approvals a proposal needs.
    pub majority: usize,
    /// Current members.
    pub members: Vec<PactMemberRow>,
    /// Removed members' names.
    pub former: Vec<String>,
    /// Officers.
    pub officers: Vec<PactOfficerRow>,
    /// Open proposals.
    pub open: Vec<PactProposalRow>,
    /// Decided proposals, newest first (the last few).
    pub decided: Vec<PactProposalRow>,
    /// This member's delegated devices.
    pub own_devices: Vec<super::PactDeviceRow>,
    /// A refusal to show.
    pub error: Option<String>,
}

/// What a confirmation shows before signing: the texts and the fields
/// that are posted again to sign.
#[derive(Debug, Clone)]
pub struct PactConfirm {
    /// Page title.
    pub title: String,
    /// What is signed, German.
    pub text_de: String,
    /// What is signed, English.
    pub text_en: String,
    /// Further lines: keys in full, fingerprints, frozen heads, approvals.
    pub details: Vec<(String, String)>,
    /// Where the signing form posts.
    pub action: String,
    /// Hidden fields carried to the signing form.
    pub fields: Vec<(String, String)>,
    /// Where a signed decline posts, for an open proposal.
    pub decline_action: Option<String>,
}

fn hidden(ctx: &Ctx) -> Markup {
    ctx.csrf_field()
}

fn short(key: &str) -> String {
    format!("{}…", key.chars().take(16).collect::<String>())
}

fn proposal_item(ctx: &Ctx, proposal: &PactProposalRow, open: bool) -> Markup {
    html! {
        li {
            p { strong { (proposal.text) } }
            p.muted {
                (tr(ctx, "Vorgeschlagen von ", "Proposed by ")) (proposal.proposer)
                ", " (date_time(proposal.proposed_at_ms)) " · " code { (short(&proposal.hash)) }
            }
            @if open {
                p {
                    (tr(ctx, "Zugestimmt: ", "Approved: "))
                    (proposal.approvers.join(", "))
                    " · " (tr(ctx, "Es fehlen ", "Missing: ")) strong { (proposal.missing) }
                    (tr(ctx, " Zustimmungen", " approvals"))
                    @if !proposal.also_needed.is_empty() {
                        " · " (tr(ctx, "außerdem nötig: ", "also needed: ")) (proposal.also_needed.join(", "))
                    }
                }
                @if proposal.approved_here {
                    p.muted { (tr(ctx, "Dieses Mitglied hat zugestimmt.", "This member has approved.")) }
                } @else {
                    a href={ "/pakt/vorschlaege/" (proposal.hash) } { (tr(ctx, "Prüfen, zustimmen oder ablehnen", "Review, approve or decline")) }
                }
            } @else {
                p.muted { (proposal.state) }
            }
        }
    }
}

/// The Pakt page.
pub fn pact(ctx: &Ctx, view: &PactPage) -> String {
    let off = !view.holds_member_key;
    let content = html! {
        p { (view.pact_name) " · " code { (short(&view.pact)) } " · "
            (tr(ctx, "Mehrheit: ", "Majority: ")) (view.majority) " " (tr(ctx, "von", "of")) " " (view.members.len()) }
        @if let Some(error) = &view.error { p.error role="alert" { (error) } }
        @if off {
            p.notice role="note" {
                (tr(ctx, "Der Mitgliedsschlüssel liegt nicht auf diesem Knoten. Signieren Sie mit dem Schlüssel vom Stick: ",
                    "This node does not hold the member key. Sign with the key from its stick: "))
                code { "amtshilfe member … --member-key /media/stick/member.key" }
            }
        }
        section id="proposals" data-live aria-labelledby="h-proposals" {
            h2 id="h-proposals" { (tr(ctx, "Offene Vorschläge", "Open proposals")) }
            @if view.open.is_empty() { p { (tr(ctx, "Keine.", "None.")) } } @else {
                ul { @for proposal in &view.open { (proposal_item(ctx, proposal, true)) } }
            }
        }
        section id="members" data-live aria-labelledby="h-members" {
            h2 id="h-members" { (tr(ctx, "Mitglieder", "Members")) }
            p { (tr(ctx, "Kontaktdaten pflegt jedes Mitglied selbst in seinem eigenen Profil; andere Mitglieder können sie nicht ändern. ",
                    "Each member keeps its contact data in its own profile; no other member can change it. "))
                a href=(super::OWN_CONTACTS_PATH) { (tr(ctx, "Eigene 24/7-Kontakte pflegen", "Keep this member's 24/7 contacts")) }
                " · " a href="/pakt/vereinbarung" { (tr(ctx, "Vereinbarung", "Agreement")) }
                " · " a href="/pakt/kontakte" { (tr(ctx, "Kontaktliste", "Contact sheet")) } }
            (super::scroll_box(tr(ctx, "Mitglieder", "Members"), html! {
            table {
                thead { tr {
                    th scope="col" { "Name" } th scope="col" { "AGS" }
                    th scope="col" { (tr(ctx, "Mitgliedsschlüssel", "Member key")) }
                    th scope="col" { (tr(ctx, "Geräte", "Devices")) }
                    th scope="col" { (tr(ctx, "Betreut von", "Served by")) }
                    th scope="col" { (tr(ctx, "Vorschlagen", "Propose")) }
                } }
                tbody { @for member in &view.members { tr {
                    td { (member.name) }
                    td { (member.ags.as_deref().unwrap_or("–")) }
                    td { code { (short(&member.key)) } br; span.muted { (member.fingerprint) }
                        @if member.old_keys > 0 { br; span.muted { (member.old_keys) (tr(ctx, " frühere", " earlier")) } } }
                    td { @for device in &member.devices { code { (device) } br; } }
                    td { (member.served_by.join(", ")) }
                    td {
                        form method="post" action="/pakt/pruefen" {
                            (hidden(ctx))
                            input type="hidden" name="kind" value="remove";
                            input type="hidden" name="member" value=(member.id);
                            button.secondary type="submit" disabled[off] { (tr(ctx, "Entfernen …", "Remove …")) }
                        }
                        form method="post" action="/pakt/pruefen" {
                            (hidden(ctx))
                            input type="hidden" name="kind" value="rotate_key";
                            input type="hidden" name="member" value=(member.id);
                            label for={ "new-key-" (member.id) } { (tr(ctx, "Neuer Schlüssel", "New key")) }
                            input id={ "new-key-" (member.id) } name="new_key" required pattern="[0-9a-f]{64}" size="20";
                            button.secondary type="submit" disabled[off] { (tr(ctx, "Schlüssel ersetzen …", "Replace key …")) }
                        }
                    }
                } } }
            }
            }))
            @if !view.former.is_empty() {
                p.muted { (tr(ctx, "Ausgeschieden: ", "Removed: ")) (view.former.join(", ")) }
            }
        }
        (super::pact_devices::section(ctx, &view.own_devices, off))
        section id="officers" data-live aria-labelledby="h-officers" {
            h2 id="h-officers" { (tr(ctx, "Gemeinsame Informationssicherheitsbeauftragte", "Joint security officers")) }
            @if view.officers.is_empty() { p { (tr(ctx, "Keine.", "None.")) } } @else {
                ul { @for officer in &view.officers { li {
                    (officer.name) " · " code { (short(&officer.key)) } " · " (tr(ctx, "für ", "for ")) (officer.serves.join(", "))
                    form method="post" action="/pakt/pruefen" {
                        (hidden(ctx))
                        input type="hidden" name="kind" value="dismiss_officer";
                        input type="hidden" name="officer_key" value=(officer.key);
                        button.secondary type="submit" disabled[off] { (tr(ctx, "Abberufen …", "Dismiss …")) }
                    }
                } } }
            }
            form method="post" action="/pakt/pruefen" {
                (hidden(ctx))
                input type="hidden" name="kind" value="appoint_officer";
                fieldset {
                    legend { (tr(ctx, "Beauftragte bestellen", "Appoint an officer")) }
                    label for="officer-name" { "Name" }
                    input id="officer-name" name="name" required maxlength="256";
                    label for="officer-key" { (tr(ctx, "Schlüssel (amtshilfe keys officer)", "Key (amtshilfe keys officer)")) }
                    input id="officer-key" name="officer_key" required pattern="[0-9a-f]{64}";
                    p { (tr(ctx, "Betreut:", "Serves:")) }
                    @for member in &view.members {
                        label { input type="checkbox" name="serves" value=(member.id); " " (member.name) }
                    }
                    button type="submit" disabled[off] { (tr(ctx, "Prüfen …", "Review …")) }
                }
            }
        }
        section aria-labelledby="h-invite" {
            h2 id="h-invite" { (tr(ctx, "Mitglied einladen", "Invite a member")) }
            form method="post" action="/pakt/pruefen" {
                (hidden(ctx))
                input type="hidden" name="kind" value="add";
                label for="invite-name" { "Name" }
                input id="invite-name" name="name" required maxlength="256";
                label for="invite-key" { (tr(ctx, "Mitgliedsschlüssel (aus amtshilfe init)", "Member key (from amtshilfe init)")) }
                input id="invite-key" name="member_key" required pattern="[0-9a-f]{64}";
                label for="invite-address" { (tr(ctx, "Adresse dieses Knotens", "This node's address")) }
                input id="invite-address" name="address" placeholder="/dns4/amtshilfe.kreis.example/tcp/4100";
                button type="submit" disabled[off] { (tr(ctx, "Prüfen …", "Review …")) }
            }
        }
        section aria-labelledby="h-decided" {
            h2 id="h-decided" { (tr(ctx, "Entschiedene Vorschläge", "Decided proposals")) }
            @if view.decided.is_empty() { p { (tr(ctx, "Keine.", "None.")) } } @else {
                ul { @for proposal in &view.decided { (proposal_item(ctx, proposal, false)) } }
            }
        }
    };
    page(ctx, "Pakt", content)
}

/// What will be signed, with the button that signs it.
pub fn pact_confirm(ctx: &Ctx, confirm: &PactConfirm) -> String {
    let content = html! {
        p { (tr(ctx, "Mit dem Mitgliedsschlüssel wird signiert:", "The member key signs:")) }
        blockquote lang="de" { (confirm.text_de) }
        blockquote lang="en" { (confirm.text_en) }
        @if !confirm.details.is_empty() {
            dl { @for (term, value) in &confirm.details { dt { (term) } dd { code { (value) } } } }
        }
        form method="post" action=(confirm.action) {
            (hidden(ctx))
            @for (name, value) in &confirm.fields { input type="hidden" name=(name) value=(value); }
            button type="submit" { (tr(ctx, "Signieren", "Sign")) }
        }
        @if let Some(decline) = &confirm.decline_action {
            form method="post" action=(decline) {
                (hidden(ctx))
                button.secondary type="submit" { (tr(ctx, "Ablehnen und signieren (für alle sichtbar)", "Decline and sign (visible to all)")) }
            }
        }
        p { a href="/pakt" { (tr(ctx, "Nichts signieren, zurück zum Pakt", "Sign nothing, back to the pact")) } }
    };
    page(ctx, &confirm.title, content)
}
