//! The pact's agreement as the members agreed it by majority, with every
//! earlier version (who proposed, who approved, when). Read-only: the
//! agreement changes only through a proposal in the membership log.

use amtshilfe_protocol::membership::AgreementVersion;
use amtshilfe_protocol::pact::{
    ExerciseKind, LegalForm, Obligation, ReimbursementModel, RequestingRole, Stage,
};
use maud::{Markup, html};

use super::agreement_form::{AgreementForm, agreement_form};
use crate::Ctx;
use crate::format::{date, date_time};
use crate::i18n::Lang;
use crate::layout::{Nav, page};

fn t(ctx: &Ctx, de: &'static str, en: &'static str) -> &'static str {
    match ctx.lang {
        Lang::De => de,
        Lang::En => en,
    }
}

fn legal_form(ctx: &Ctx, form: LegalForm) -> &'static str {
    match form {
        LegalForm::LetterOfIntent => t(ctx, "Absichtserklärung", "Letter of intent"),
        LegalForm::WorkingGroup => t(ctx, "Arbeitsgemeinschaft", "Working group"),
        LegalForm::PublicLawAgreement => t(
            ctx,
            "Öffentlich-rechtliche Vereinbarung",
            "Public-law agreement",
        ),
        LegalForm::SpecialPurposeAssociation => {
            t(ctx, "Zweckverband", "Special-purpose association")
        }
        LegalForm::AdministrativeAgreement => {
            t(ctx, "Verwaltungsvereinbarung", "Administrative agreement")
        }
    }
}

fn stage(ctx: &Ctx, stage: Stage) -> &'static str {
    match stage {
        Stage::LetterOfIntent => t(
            ctx,
            "Absichtserklärung unterzeichnet",
            "Letter of intent signed",
        ),
        Stage::ContractDraft => t(ctx, "Vertragsentwurf", "Contract draft"),
        Stage::CouncilResolutions => t(ctx, "Gremienbeschlüsse", "Council resolutions"),
        Stage::Signed => t(ctx, "Unterzeichnet", "Signed"),
        Stage::SupervisoryNotice => t(ctx, "Anzeige bei der Aufsicht", "Supervisory notice"),
        Stage::InForce => t(ctx, "In Kraft", "In force"),
    }
}

fn role(ctx: &Ctx, role: RequestingRole) -> &'static str {
    match role {
        RequestingRole::HeadOfAdministration => {
            t(ctx, "Landrat / Bürgermeister/in", "Head of administration")
        }
        RequestingRole::CrisisStaffLead => t(ctx, "Leitung Krisenstab", "Head of the crisis staff"),
        RequestingRole::ItLead => t(ctx, "IT-Leitung", "IT lead"),
        RequestingRole::SecurityOfficer => t(
            ctx,
            "Informationssicherheitsbeauftragte/r",
            "Security officer",
        ),
    }
}

fn euro(cents: u32) -> String {
    format!("{} EUR", crate::format::euros(u64::from(cents)))
}

fn terms(ctx: &Ctx, version: &AgreementVersion, name: &dyn Fn(&str) -> String) -> Markup {
    let a = &version.agreement;
    let r = &a.reimbursement;
    html! {
        dl {
            dt { (t(ctx, "Rechtsform", "Legal form")) } dd { (legal_form(ctx, a.legal_form)) }
            dt { (t(ctx, "Stand", "Stage")) }
            dd { ol { @for s in &a.stages { li { (stage(ctx, s.stage)) " – " (date(s.date_ms)) } } } }
            dt { (t(ctx, "Gremienbeschlüsse", "Council resolutions")) }
            dd { @if a.council_resolutions.is_empty() { "–" } @else { ul { @for c in &a.council_resolutions {
                li { (name(&c.member.to_string())) ": " (date(c.date_ms)) } } } } }
            dt { (t(ctx, "Wer darf anfordern", "Who may request")) }
            dd { (a.may_request.iter().map(|r| role(ctx, *r)).collect::<Vec<_>>().join(", ")) }
            dt { (t(ctx, "Verpflichtung", "Obligation")) }
            dd { (match a.obligation {
                Obligation::BestEffort => t(ctx, "nach Kräften (best effort)", "best effort"),
                Obligation::Committed => t(ctx, "verbindlich zugesagt", "committed"),
            }) }
            dt { (t(ctx, "Erstattung", "Reimbursement")) }
            dd data-testid="reimbursement" { (match r.model {
                ReimbursementModel::ExtraCostsFlatRate => t(ctx, "Mehrkosten pauschal", "Extra costs at flat rates"),
                ReimbursementModel::ExtraCostsActual => t(ctx, "Mehrkosten nach Nachweis", "Extra costs as documented"),
                ReimbursementModel::None => t(ctx, "unentgeltlich", "free of charge"),
            })
            @if r.model == ReimbursementModel::ExtraCostsFlatRate {
                ": " (euro(r.hour_rate_cents)) " " (t(ctx, "je Stunde", "per hour")) ", "
                (euro(r.device_day_rate_cents)) " " (t(ctx, "je Gerät und Tag", "per device-day"))
            } }
            dt { (t(ctx, "Haftung", "Liability")) } dd { (a.liability_clause) }
            dt { (t(ctx, "Übungsplan", "Exercise schedule")) }
            dd { @if a.exercise_schedule.is_empty() { "–" } @else { ul { @for e in &a.exercise_schedule {
                li { (date(e.date_ms)) " – " (e.title) " (" (match e.kind {
                    ExerciseKind::Alerting => t(ctx, "Alarmierungsübung", "alerting exercise"),
                    ExerciseKind::Tabletop => t(ctx, "Planbesprechung", "tabletop"),
                    ExerciseKind::Live => t(ctx, "Vollübung", "live exercise"),
                }) ")" } } } } }
        }
    }
}

/// The agreement page: the version in force, then the history, newest
/// first (`history` oldest first as the membership state keeps it), then
/// the form proposing a change, for those who administer.
pub fn agreement(ctx: &Ctx, history: &[AgreementVersion], form: &AgreementForm) -> String {
    let name = |member: &str| ctx.name_of(None, member);
    let content = html! {
        p { (t(ctx, "Die Vereinbarung ändert sich nur durch einen Vorschlag, dem die Mehrheit der Mitglieder zustimmt.",
            "The agreement changes only by a proposal that a majority of the members approves.")) }
        @match history.last() {
            None => p data-testid="no-agreement" { (t(ctx, "Noch keine Vereinbarung beschlossen.", "No agreement agreed yet.")) },
            Some(current) => {
                section aria-labelledby="h-current" data-testid="agreement" {
                    h2 id="h-current" { (t(ctx, "Gültige Fassung", "Version in force")) }
                    (terms(ctx, current, &name))
                }
                section aria-labelledby="h-history" {
                    h2 id="h-history" { (t(ctx, "Verlauf", "History")) }
                    table data-testid="agreement-history" {
                        thead { tr {
                            th scope="col" { (t(ctx, "Fassung", "Version")) }
                            th scope="col" { (t(ctx, "Vorgeschlagen von", "Proposed by")) }
                            th scope="col" { (t(ctx, "Zugestimmt", "Approved by")) }
                            th scope="col" { (t(ctx, "Wirksam seit", "In effect since")) }
                        } }
                        tbody { @for (index, version) in history.iter().enumerate().rev() { tr {
                            td { (index + 1) }
                            td { (name(&version.proposed_by.to_string())) " · " (date_time(version.proposed_at_ms)) }
                            td { (version.approved_by.iter().map(|m| name(&m.to_string())).collect::<Vec<_>>().join(", ")) }
                            td { (date_time(version.applied_at_ms)) }
                        } } }
                    }
                }
            }
        }
        (agreement_form(ctx, history.last().map(|v| &v.agreement), form))
    };
    let mut ctx = ctx.clone();
    ctx.nav = Nav::Other;
    page(
        &ctx,
        t(&ctx, "Vereinbarung des Pakts", "The pact's agreement"),
        content,
    )
}
