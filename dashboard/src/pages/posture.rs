//! Posture pages: the member's own (edit answers per WiBA topic with note
//! and evidence, BCMS, NIS-2, AKC, red flags; submit; the officer's
//! comments, the baseline and the delta), and the joint security
//! officer's workspace (the members it serves) with a member's detail and
//! the review form. Labels come from the catalogues (German and English).

use amtshilfe_protocol::posture::{
    Answer, AnswerChange, Assessment, Finding, MeasureCatalogue, Review, Status, Submission,
    Verdict, WibaCatalogue, wiba_progress,
};
use maud::{Markup, html};

use super::{date_input, field, scroll_box};
use crate::Ctx;
use crate::format::date;
use crate::i18n::Lang;
use crate::layout::{Nav, page};

/// Rows of question comments and of findings the review form offers.
pub const REVIEW_COMMENT_ROWS: usize = 3;
/// Rows of findings the review form offers.
pub const REVIEW_FINDING_ROWS: usize = 2;

/// A member's posture as one page shows it.
#[derive(Debug, Clone, Default)]
pub struct PostureView {
    /// The member's hex id.
    pub member: String,
    /// Its name.
    pub member_name: String,
    /// Where the workflow stands.
    pub status: Option<Status>,
    /// The revision the member edits now.
    pub working_revision: u32,
    /// The revision shown.
    pub revision: Option<u32>,
    /// Its assessment.
    pub assessment: Option<Assessment>,
    /// The newest accepted revision.
    pub baseline_revision: Option<u32>,
    /// Answers changed against the baseline.
    pub delta: Vec<AnswerChange>,
    /// Findings, each with whether it is overdue.
    pub findings: Vec<(Finding, bool)>,
    /// Valid submissions.
    pub submissions: Vec<Submission>,
    /// Valid reviews.
    pub reviews: Vec<Review>,
    /// Records refused: record id and reason.
    pub refused: Vec<(String, String)>,
    /// Officer key (hex) → name.
    pub officer_names: Vec<(String, String)>,
    /// Why the last form was refused.
    pub error: Option<String>,
}

/// One row of the officer's workspace.
#[derive(Debug, Clone)]
pub struct WorkspaceRow {
    /// The member's hex id.
    pub member: String,
    /// Its name.
    pub name: String,
    /// Where the workflow stands.
    pub status: Status,
    /// The revision summarised and whether it was submitted.
    pub revision: Option<(u32, bool)>,
    /// yes ÷ (yes + no) over all topics, in thousandths.
    pub progress_permille: Option<u32>,
    /// Share of questions answered, in thousandths.
    pub answered_permille: u32,
    /// BCMS stage id.
    pub bcms_stage: Option<String>,
    /// Mean NIS-2 maturity ×10 over the measures answered.
    pub nis2_mean_tenths: Option<u32>,
    /// May call the state's IRS.
    pub irs_eligible: bool,
    /// Red flags not in place.
    pub red_flags_raised: usize,
    /// Open and overdue findings.
    pub findings: (usize, usize),
    /// Last review.
    pub last_review_ms: Option<i64>,
    /// yes ÷ (yes + no) per WiBA topic id, in thousandths, in catalogue order.
    pub topics: Vec<(String, Option<u32>)>,
}

fn t(ctx: &Ctx, de: &'static str, en: &'static str) -> &'static str {
    match ctx.lang {
        Lang::De => de,
        Lang::En => en,
    }
}

fn label<'a>(ctx: &Ctx, de: &'a str, en: &'a str) -> &'a str {
    match ctx.lang {
        Lang::De => de,
        Lang::En => en,
    }
}

/// An answer in the viewer's language.
pub fn answer_label(lang: Lang, answer: Option<Answer>) -> &'static str {
    match (lang, answer) {
        (Lang::De, Some(a)) => a.de(),
        (Lang::En, Some(Answer::Yes)) => "yes",
        (Lang::En, Some(Answer::No)) => "no",
        (Lang::En, Some(Answer::NotApplicable)) => "not relevant",
        (Lang::En, Some(Answer::Open)) => "open",
        (Lang::De, None) => "unbeantwortet",
        (Lang::En, None) => "unanswered",
    }
}

/// The form value of an answer.
pub fn answer_value(answer: Answer) -> &'static str {
    match answer {
        Answer::Yes => "yes",
        Answer::No => "no",
        Answer::NotApplicable => "not_applicable",
        Answer::Open => "open",
    }
}

const ANSWERS: [Answer; 4] = [Answer::Yes, Answer::No, Answer::NotApplicable, Answer::Open];

/// The status in words.
pub fn status_label(ctx: &Ctx, status: Option<&Status>) -> String {
    match status {
        None | Some(Status::Draft) => {
            t(ctx, "Entwurf, nicht eingereicht", "Draft, not submitted").into()
        }
        Some(Status::Submitted { revision }) => format!(
            "{} {revision} {}",
            t(ctx, "Revision", "Revision"),
            t(
                ctx,
                "eingereicht, wartet auf Prüfung",
                "submitted, waiting for review"
            )
        ),
        Some(Status::Returned { revision, .. }) => format!(
            "{} {revision} {}",
            t(ctx, "Revision", "Revision"),
            t(
                ctx,
                "mit Anmerkungen zurückgegeben",
                "returned with comments"
            )
        ),
        Some(Status::Accepted { revision, .. }) => format!(
            "{} {revision} {}",
            t(ctx, "Revision", "Revision"),
            t(ctx, "angenommen", "accepted")
        ),
    }
}

fn question_text(ctx: &Ctx, id: &str) -> String {
    match WibaCatalogue::builtin().question(id) {
        Some((_, q)) => format!("{id}: {}", label(ctx, &q.de, &q.en)),
        None if id == "general" => t(ctx, "Allgemein", "General").into(),
        None => id.to_owned(),
    }
}

fn topic_name(ctx: &Ctx, id: &str) -> String {
    WibaCatalogue::builtin()
        .topics
        .iter()
        .find(|topic| topic.id == id)
        .map_or_else(
            || id.to_owned(),
            |topic| format!("{} {}", topic.number, label(ctx, &topic.de, &topic.en)),
        )
}

fn permille(value: Option<u32>) -> String {
    value.map_or_else(|| "–".into(), |v| format!("{} %", v / 10))
}

fn short(hex: &str) -> String {
    hex.chars().take(16).collect()
}

fn officer_name(view: &PostureView, key: &str) -> String {
    view.officer_names
        .iter()
        .find(|(k, _)| k == key)
        .map_or_else(|| short(key), |(_, name)| name.clone())
}

fn error_box(ctx: &Ctx, error: Option<&str>) -> Markup {
    html! {
        @if let Some(message) = error {
            div.error id="form-error" role="alert" tabindex="-1" {
                strong { (t(ctx, "Nicht gespeichert.", "Not saved.")) }
                br;
                span { (message) }
            }
        }
    }
}

/// The officer's comments, the baseline and the delta, the findings.
fn review_state(ctx: &Ctx, view: &PostureView) -> Markup {
    html! {
        section aria-labelledby="stand" {
            h2 id="stand" { (t(ctx, "Stand der Prüfung", "Review status")) }
            p id="posture-status" { (status_label(ctx, view.status.as_ref())) }
            @if let Some(Status::Returned { comments, officer, .. }) = &view.status {
                h3 { (t(ctx, "Anmerkungen von", "Comments from")) " " (officer_name(view, &officer.to_string())) }
                ul id="review-comments" {
                    @for (question, comment) in comments {
                        li { strong { (question_text(ctx, question)) } ": " (comment) }
                    }
                }
            }
            @match view.baseline_revision {
                Some(base) => p id="baseline" { (t(ctx, "Basis: angenommene Revision", "Baseline: accepted revision")) " " (base) }
                None => p id="baseline" { (t(ctx, "Noch keine angenommene Basis.", "No accepted baseline yet.")) }
            }
            @if view.baseline_revision.is_some() {
                h3 { (t(ctx, "Änderungen gegenüber der Basis", "Changes against the baseline")) }
                @if view.delta.is_empty() {
                    p.muted { (t(ctx, "Keine.", "None.")) }
                } @else {
                    (scroll_box(t(ctx, "Änderungen", "Changes"), html! {
                        table id="delta" {
                            thead { tr { th scope="col" { (t(ctx, "Frage", "Question")) } th scope="col" { (t(ctx, "Basis", "Baseline")) } th scope="col" { (t(ctx, "Jetzt", "Now")) } } }
                            tbody { @for change in &view.delta { tr {
                                td { (question_text(ctx, &change.question)) }
                                td { (answer_label(ctx.lang, change.from)) }
                                td { (answer_label(ctx.lang, change.to)) }
                            } } }
                        }
                    }))
                }
            }
            @if !view.findings.is_empty() {
                h3 { (t(ctx, "Feststellungen", "Findings")) }
                (scroll_box(t(ctx, "Feststellungen", "Findings"), html! {
                    table {
                        thead { tr { th scope="col" { (t(ctx, "Was", "What")) } th scope="col" { (t(ctx, "Verantwortlich", "Owner")) } th scope="col" { (t(ctx, "Fällig", "Due")) } } }
                        tbody { @for (finding, overdue) in &view.findings { tr {
                            td { (finding.text) @if let Some(q) = &finding.question { br; span.muted { (q) } } }
                            td { (finding.owner) }
                            td { (date(finding.due_ms)) @if *overdue { " " strong { (t(ctx, "überfällig", "overdue")) } } @if finding.closed_ms.is_some() { " " (t(ctx, "(erledigt)", "(closed)")) } }
                        } } }
                    }
                }))
            }
        }
    }
}

/// Both signatures: the member's submissions and the officer's reviews.
fn signatures(ctx: &Ctx, view: &PostureView) -> Markup {
    html! {
        section aria-labelledby="signaturen" {
            h2 id="signaturen" { (t(ctx, "Signaturen", "Signatures")) }
            @if view.submissions.is_empty() && view.reviews.is_empty() {
                p.muted { (t(ctx, "Noch nichts eingereicht.", "Nothing submitted yet.")) }
            }
            ul id="signature-list" {
                @for s in &view.submissions {
                    li { (t(ctx, "Revision", "Revision")) " " (s.body.revision) " " (t(ctx, "eingereicht am", "submitted on")) " " (date(s.body.submitted_at_ms))
                        " · " (t(ctx, "Schlüssel", "key")) " " code { (short(&s.signer.to_string())) } " · " (t(ctx, "Signatur", "signature")) " " code { (short(&s.signature.to_string())) } }
                }
                @for r in &view.reviews {
                    li { (t(ctx, "Revision", "Revision")) " " (r.body.revision) " "
                        (match r.body.verdict { Verdict::Accepted => t(ctx, "angenommen", "accepted"), Verdict::Returned { .. } => t(ctx, "zurückgegeben", "returned") })
                        " " (t(ctx, "von", "by")) " " (officer_name(view, &r.body.officer.to_string())) " " (t(ctx, "am", "on")) " " (date(r.body.reviewed_at_ms))
                        " · " (t(ctx, "Signatur", "signature")) " " code { (short(&r.signature.to_string())) } }
                }
            }
            @if !view.refused.is_empty() {
                h3 { (t(ctx, "Nicht verwendbare Einträge", "Records that were refused")) }
                ul { @for (record, reason) in &view.refused { li { code { (record) } ": " (reason) } } }
            }
        }
    }
}

fn topic_table(ctx: &Ctx, assessment: &Assessment) -> Markup {
    let rows = wiba_progress(assessment, WibaCatalogue::builtin());
    html! {
        (scroll_box(t(ctx, "WiBA-Fortschritt je Baustein", "WiBA progress per topic"), html! {
            table id="topics" {
                thead { tr {
                    th scope="col" { (t(ctx, "Baustein", "Topic")) }
                    th scope="col" { (t(ctx, "ja", "yes")) } th scope="col" { (t(ctx, "nein", "no")) }
                    th scope="col" { (t(ctx, "Fortschritt", "Progress")) } th scope="col" { (t(ctx, "beantwortet", "answered")) }
                } }
                tbody { @for row in &rows { tr {
                    td { (topic_name(ctx, &row.topic)) } td { (row.yes) } td { (row.no) }
                    td { (permille(row.progress_permille())) } td { (permille(Some(row.answered_permille()))) }
                } } }
            }
        }))
    }
}

fn permille_input(ctx: &Ctx, id: &str, de: &str, en: &str, value: Option<u16>) -> Markup {
    let shown = value.map(|v| (v / 10).to_string()).unwrap_or_default();
    field(
        id,
        &format!("{} (%)", label(ctx, de, en)),
        html! {
            input id=(id) name=(id) type="text" inputmode="numeric" size="4" maxlength="3" pattern=r"\s*\d{0,3}\s*" value=(shown);
        },
    )
}

fn date_value(ms: Option<i64>) -> String {
    ms.map(date).unwrap_or_default()
}

/// The edit form of the member's page.
fn edit_form(ctx: &Ctx, view: &PostureView) -> Markup {
    let empty = Assessment::empty(WibaCatalogue::builtin(), 0);
    let a = view.assessment.as_ref().unwrap_or(&empty);
    let measures = MeasureCatalogue::builtin();
    html! {
        form method="post" action="/sicherheitslage" id="posture-form" {
            (ctx.csrf_field())
            h2 { (t(ctx, "Selbstauskunft bearbeiten (Revision", "Edit the self-assessment (revision")) " " (view.working_revision) ")" }
            p.muted { (t(ctx, "Bausteine aufklappen, um Antworten zu bearbeiten; Bausteine mit Antworten sind offen.", "Expand a topic to edit its answers; topics with answers are open.")) }
            @for (index, topic) in WibaCatalogue::builtin().topics.iter().enumerate() {
                @let answered = topic.questions.iter().filter(|q| a.wiba.contains_key(&q.id)).count();
                details open[index == 0 || answered > 0] {
                summary { (topic.number) ". " (label(ctx, &topic.de, &topic.en)) " (" (answered) "/" (topic.questions.len()) ")" }
                fieldset id=(topic.id) {
                    legend { (topic.number) ". " (label(ctx, &topic.de, &topic.en)) }
                    @for q in &topic.questions {
                        @let current = a.wiba.get(&q.id);
                        div.question {
                            (field(&format!("a_{}", q.id), &format!("{} {}", q.id, label(ctx, &q.de, &q.en)), html! {
                                select id={ "a_" (q.id) } name={ "a_" (q.id) } {
                                    option value="" selected[current.is_none()] { (answer_label(ctx.lang, None)) }
                                    @for answer in ANSWERS {
                                        option value=(answer_value(answer)) selected[current.map(|c| c.answer) == Some(answer)] { (answer_label(ctx.lang, Some(answer))) }
                                    }
                                }
                            }))
                            (field(&format!("n_{}", q.id), t(ctx, "Notiz", "Note"), html! {
                                input id={ "n_" (q.id) } name={ "n_" (q.id) } type="text" maxlength="2000" value=(current.map_or("", |c| c.note.as_str()));
                            }))
                            (field(&format!("e_{}", q.id), t(ctx, "Nachweis (Dokument)", "Evidence (document)"), html! {
                                input id={ "e_" (q.id) } name={ "e_" (q.id) } type="text" maxlength="200" value=(current.and_then(|c| c.evidence.as_ref()).map_or("", |e| e.document.as_str()));
                            }))
                        }
                    }
                }
                }
            }
            fieldset id="bcms" {
                legend { "BCMS (BSI-Standard 200-4)" }
                (field("bcms_stage", t(ctx, "Stufe", "Stage"), html! {
                    select id="bcms_stage" name="bcms_stage" {
                        @for stage in &measures.bcms_stages {
                            option value=(stage.id) selected[stage.id == a.bcms.stage] { (label(ctx, &stage.de, &stage.en)) }
                        }
                    }
                }))
                (date_input(ctx.lang, "bcms_bia", t(ctx, "Letzte Business-Impact-Analyse", "Last business impact analysis"), &date_value(a.bcms.last_bia_ms), false, None))
                (date_input(ctx.lang, "bcms_exercise", t(ctx, "Letzte Übung", "Last exercise"), &date_value(a.bcms.last_exercise_ms), false, None))
            }
            fieldset id="nis2" {
                legend { (t(ctx, "NIS-2 Art. 21 Abs. 2: Reifegrad 0–3", "NIS-2 Art. 21(2): maturity 0–3")) }
                @for measure in &measures.nis2_measures {
                    @let level = a.nis2.get(&measure.id).copied();
                    (field(&format!("nis2_{}", measure.id), &format!("{}) {}", measure.id, label(ctx, &measure.de, &measure.en)), html! {
                        select id={ "nis2_" (measure.id) } name={ "nis2_" (measure.id) } {
                            option value="" selected[level.is_none()] { "–" }
                            @for entry in &measures.nis2_maturity {
                                @let value: Option<u8> = entry.id.trim_start_matches(|c: char| !c.is_ascii_digit()).parse().ok();
                                option value=(value.map(|v| v.to_string()).unwrap_or_default()) selected[value.is_some() && value == level] { (label(ctx, &entry.de, &entry.en)) }
                            }
                        }
                    }))
                }
            }
            fieldset id="akc" {
                legend { (t(ctx, "Hessen: Aktionsplan Kommunale Cybersicherheit", "Hessen: municipal cyber security programme (AKC)")) }
                (date_input(ctx.lang, "akc_stage1", t(ctx, "KDLZ-CS Stufe 1 (Audit) am", "KDLZ-CS stage 1 (audit) on"), &date_value(a.akc.kdlz_cs_stage1_ms), false, None))
                (permille_input(ctx, "akc_stage1_done", "Empfehlungen aus Stufe 1 umgesetzt", "Stage 1 recommendations done", a.akc.stage1_recommendations_done_permille))
                (date_input(ctx.lang, "akc_stage2", t(ctx, "KDLZ-CS Stufe 2 am", "KDLZ-CS stage 2 on"), &date_value(a.akc.kdlz_cs_stage2_ms), false, None))
                (date_input(ctx.lang, "akc_bcm_training", t(ctx, "BCM-Schulung am", "BCM training on"), &date_value(a.akc.bcm_training_ms), false, None))
                (date_input(ctx.lang, "akc_irs_workshop", t(ctx, "IRS-Workshop am", "IRS workshop on"), &date_value(a.akc.irs_workshop_ms), false, None))
                (date_input(ctx.lang, "akc_irs_enrolled", t(ctx, "Beim Incident Response Service angemeldet am", "Enrolled in the Incident Response Service on"), &date_value(a.akc.irs_enrolled_ms), false, None))
                (permille_input(ctx, "akc_elearning", "E-Learning abgeschlossen", "E-learning completed", a.akc.elearning_permille))
                (permille_input(ctx, "akc_phishing", "Klickrate der letzten Phishing-Simulation", "Click rate of the last phishing simulation", a.akc.phishing_click_permille))
            }
            fieldset id="red-flags" {
                legend { (t(ctx, "Rote Flaggen: umgesetzt?", "Red flags: in place?")) }
                @for flag in &measures.red_flags {
                    div {
                        input id={ "rf_" (flag.id) } name={ "rf_" (flag.id) } type="checkbox" value="1" checked[a.red_flags.get(&flag.id) == Some(&true)];
                        " "
                        label for={ "rf_" (flag.id) } { (label(ctx, &flag.de, &flag.en)) }
                    }
                }
            }
            button type="submit" { (t(ctx, "Speichern", "Save")) }
        }
    }
}

/// `/sicherheitslage`: the member's own posture.
pub fn posture_page(ctx: &Ctx, view: &PostureView) -> String {
    let title = t(ctx, "Sicherheitslage", "Security posture");
    let submittable = view.assessment.is_some() && view.revision == Some(view.working_revision);
    let ctx = &Ctx {
        nav: Nav::Sicherheitslage,
        ..ctx.clone()
    };
    let content = html! {
        (error_box(ctx, view.error.as_deref()))
        p.muted { (t(ctx, "Nur für die eigene Verwaltung und die bestellte gemeinsame ISB lesbar (verschlüsselt).", "Readable only by this member and its appointed joint security officer (encrypted).")) }
        p { a href="/sicherheitslage/vergleich" { (t(ctx, "Vergleich im Pakt (ohne Einzelwerte)", "Pact benchmark (no individual answers)")) } }
        (review_state(ctx, view))
        @if let Some(assessment) = &view.assessment {
            h2 { (t(ctx, "Fortschritt", "Progress")) }
            (topic_table(ctx, assessment))
        }
        @if submittable {
            form method="post" action="/sicherheitslage/einreichen" {
                (ctx.csrf_field())
                button type="submit" id="submit-posture" { (t(ctx, "Revision", "Submit revision")) " " (view.working_revision) " " (t(ctx, "zur Prüfung einreichen", "for review")) }
            }
        }
        (edit_form(ctx, view))
        (signatures(ctx, view))
    };
    page(ctx, title, content)
}

/// `/isb`: the members the officer serves.
pub fn workspace_page(ctx: &Ctx, officer_name: &str, rows: &[WorkspaceRow]) -> String {
    let title = t(ctx, "ISB-Arbeitsplatz", "Security officer's workspace");
    let content = html! {
        p { (officer_name) }
        @if rows.is_empty() {
            p.muted { (t(ctx, "Keine Mitglieder zugeordnet.", "No members assigned.")) }
        } @else {
            (scroll_box(t(ctx, "Betreute Mitglieder", "Members served"), html! {
                table id="served-members" {
                    thead { tr {
                        th scope="col" { (t(ctx, "Mitglied", "Member")) }
                        th scope="col" { (t(ctx, "Stand", "Status")) }
                        th scope="col" { (t(ctx, "WiBA-Fortschritt", "WiBA progress")) }
                        th scope="col" { (t(ctx, "beantwortet", "answered")) }
                        th scope="col" { "BCMS" }
                        th scope="col" { (t(ctx, "NIS-2 (Mittel)", "NIS-2 (mean)")) }
                        th scope="col" { "IRS" }
                        th scope="col" { (t(ctx, "Rote Flaggen", "Red flags")) }
                        th scope="col" { (t(ctx, "Feststellungen offen / überfällig", "Findings open / overdue")) }
                        th scope="col" { (t(ctx, "Letzte Prüfung", "Last review")) }
                    } }
                    tbody { @for row in rows { tr {
                        td { a href={ "/isb/" (row.member) } { (row.name) } }
                        td { (status_label(ctx, Some(&row.status))) }
                        td { (permille(row.progress_permille)) }
                        td { (permille(Some(row.answered_permille))) }
                        td { (bcms_label(ctx, row.bcms_stage.as_deref())) }
                        td { (row.nis2_mean_tenths.map_or_else(|| "–".to_owned(), |v| format!("{},{}", v / 10, v % 10))) }
                        td { (if row.irs_eligible { t(ctx, "berechtigt", "eligible") } else { t(ctx, "nicht berechtigt", "not eligible") }) }
                        td { (row.red_flags_raised) }
                        td { (row.findings.0) " / " (row.findings.1) }
                        td { (row.last_review_ms.map(date).unwrap_or_else(|| "–".into())) }
                    } } }
                }
            }))
            (topic_matrix(ctx, rows))
        }
    };
    page(
        &Ctx {
            nav: Nav::Isb,
            ..ctx.clone()
        },
        title,
        content,
    )
}

/// WiBA progress per topic (rows) for every served member (columns), so
/// the officer sees where the pact as a whole lags.
fn topic_matrix(ctx: &Ctx, rows: &[WorkspaceRow]) -> Markup {
    let Some(first) = rows.first() else {
        return html! {};
    };
    let of = |row: &WorkspaceRow, topic: &str| {
        row.topics
            .iter()
            .find(|(id, _)| id == topic)
            .and_then(|(_, value)| *value)
    };
    html! {
        (scroll_box(t(ctx, "WiBA-Fortschritt je Baustein und Mitglied", "WiBA progress per topic and member"), html! {
            table id="served-topics" {
                thead { tr {
                    th scope="col" { (t(ctx, "Baustein", "Topic")) }
                    @for row in rows { th scope="col" { (row.name) } }
                } }
                tbody { @for (topic, _) in &first.topics { tr {
                    th scope="row" { (topic_name(ctx, topic)) }
                    @for row in rows { td { (permille(of(row, topic))) } }
                } } }
            }
        }))
    }
}

fn bcms_label(ctx: &Ctx, stage: Option<&str>) -> String {
    let Some(stage) = stage else {
        return "–".into();
    };
    MeasureCatalogue::builtin()
        .bcms_stages
        .iter()
        .find(|e| e.id == stage)
        .map_or_else(|| stage.to_owned(), |e| label(ctx, &e.de, &e.en).to_owned())
}

fn answers_table(ctx: &Ctx, view: &PostureView, assessment: &Assessment) -> Markup {
    let changed = |id: &str| view.delta.iter().any(|c| c.question == id);
    html! {
        (scroll_box(t(ctx, "Antworten", "Answers"), html! {
            table id="answers" {
                thead { tr {
                    th scope="col" { (t(ctx, "Frage", "Question")) }
                    th scope="col" { (t(ctx, "Antwort", "Answer")) }
                    th scope="col" { (t(ctx, "Notiz", "Note")) }
                    th scope="col" { (t(ctx, "Nachweis", "Evidence")) }
                } }
                tbody { @for (id, answer) in &assessment.wiba { tr {
                    td { (question_text(ctx, id)) }
                    td { (answer_label(ctx.lang, Some(answer.answer))) @if changed(id) { " " strong { (t(ctx, "(geändert)", "(changed)")) } } }
                    td { (answer.note) }
                    td { (answer.evidence.as_ref().map_or("", |e| e.document.as_str())) }
                } } }
            }
        }))
        ul {
            li { "BCMS: " (bcms_label(ctx, Some(&assessment.bcms.stage))) }
            li { "IRS: " (if assessment.akc.irs_eligible() { t(ctx, "berechtigt", "eligible") } else { t(ctx, "nicht berechtigt", "not eligible") }) }
            li { (t(ctx, "Rote Flaggen offen:", "Red flags raised:")) " " (assessment.raised_red_flags().join(", ")) }
        }
    }
}

fn question_select(ctx: &Ctx, id: &str) -> Markup {
    html! {
        select id=(id) name=(id) {
            option value="" { "–" }
            @for topic in &WibaCatalogue::builtin().topics {
                @for q in &topic.questions {
                    option value=(q.id) { (q.id) " " (label(ctx, &q.de, &q.en).chars().take(60).collect::<String>()) }
                }
            }
        }
    }
}

fn review_form(ctx: &Ctx, view: &PostureView, revision: u32) -> Markup {
    html! {
        form method="post" action={ "/isb/" (view.member) "/pruefung" } id="review-form" {
            (ctx.csrf_field())
            input type="hidden" name="revision" value=(revision);
            h2 { (t(ctx, "Revision", "Review revision")) " " (revision) " " (t(ctx, "prüfen", "")) }
            fieldset {
                legend { (t(ctx, "Entscheidung", "Decision")) }
                div { input id="verdict-accept" type="radio" name="verdict" value="accepted"; " " label for="verdict-accept" { (t(ctx, "Annehmen (wird Basis)", "Accept (becomes the baseline)")) } }
                div { input id="verdict-return" type="radio" name="verdict" value="returned" checked; " " label for="verdict-return" { (t(ctx, "Mit Anmerkungen zurückgeben", "Return with comments")) } }
            }
            (field("comment_general", t(ctx, "Allgemeine Anmerkung", "General comment"), html! {
                textarea id="comment_general" name="comment_general" maxlength="2000" rows="3" {}
            }))
            @for row in 0..REVIEW_COMMENT_ROWS {
                fieldset {
                    legend { (t(ctx, "Anmerkung zu einer Frage", "Comment on a question")) " " (row + 1) }
                    (field(&format!("cq{row}"), t(ctx, "Frage", "Question"), question_select(ctx, &format!("cq{row}"))))
                    (field(&format!("ct{row}"), t(ctx, "Anmerkung", "Comment"), html! {
                        input id={ "ct" (row) } name={ "ct" (row) } type="text" maxlength="2000";
                    }))
                }
            }
            @for row in 0..REVIEW_FINDING_ROWS {
                fieldset {
                    legend { (t(ctx, "Feststellung", "Finding")) " " (row + 1) }
                    (field(&format!("ft{row}"), t(ctx, "Was ist zu tun", "What must be done"), html! {
                        input id={ "ft" (row) } name={ "ft" (row) } type="text" maxlength="2000";
                    }))
                    (field(&format!("fo{row}"), t(ctx, "Verantwortlich", "Owner"), html! {
                        input id={ "fo" (row) } name={ "fo" (row) } type="text" maxlength="200";
                    }))
                    (date_input(ctx.lang, &format!("fd{row}"), t(ctx, "Fällig am", "Due on"), "", false, None))
                    (field(&format!("fq{row}"), t(ctx, "Zu Frage", "On question"), question_select(ctx, &format!("fq{row}"))))
                }
            }
            button type="submit" { (t(ctx, "Prüfung signieren und senden", "Sign and send the review")) }
        }
    }
}

/// `/isb/{member}`: one served member, with the review form.
pub fn officer_detail_page(ctx: &Ctx, view: &PostureView) -> String {
    let title = format!(
        "{}: {}",
        t(ctx, "Sicherheitslage", "Security posture"),
        view.member_name
    );
    let waiting = match &view.status {
        Some(Status::Submitted { revision }) => Some(*revision),
        _ => None,
    };
    let content = html! {
        p { a href="/isb" { (t(ctx, "Zurück zum ISB-Arbeitsplatz", "Back to the workspace")) } }
        (error_box(ctx, view.error.as_deref()))
        (review_state(ctx, view))
        @if let (Some(assessment), Some(revision)) = (&view.assessment, view.revision) {
            h2 { (t(ctx, "Selbstauskunft, Revision", "Self-assessment, revision")) " " (revision) }
            (topic_table(ctx, assessment))
            (answers_table(ctx, view, assessment))
        } @else {
            p.muted { (t(ctx, "Noch keine Selbstauskunft.", "No self-assessment yet.")) }
        }
        @if let Some(revision) = waiting {
            (review_form(ctx, view, revision))
        }
        (signatures(ctx, view))
    };
    page(
        &Ctx {
            nav: Nav::Isb,
            ..ctx.clone()
        },
        &title,
        content,
    )
}
