//! The offer form for all five kinds, used for a new offer (Ressourcen) and
//! for editing one of this member's offers. There is one form per kind,
//! chosen before (`?art=`), so that every field the kind needs can carry
//! `required` without any script. Values are strings by field name: the
//! current offer's (`offer_values`), or what was sent when the node
//! refused it, so a refused form keeps what the user typed.
//!
//! The node's `web::offer_fields` reads the same field names back into an
//! `Offer`; a round-trip test there keeps both sides in step.

use std::collections::HashMap;

use amtshilfe_protocol::catalogue::{CatalogueName, catalogues};
use amtshilfe_protocol::model::{
    DEPLOYMENT_DAYS_DEFAULT, DEPLOYMENT_DAYS_MAX, DURATION_DAYS_MAX, HOURS_PER_WEEK_MAX, OfferKind,
    OfferStatus, PREPARATION_HOURS_MAX, RESPONSE_TIME_MINUTES_MAX, SHIFT_HOURS_DEFAULT,
    SHIFT_HOURS_MAX, TRAVEL_RADIUS_KM_MAX,
};
use maud::{Markup, html};

use super::offer_values::status_id;
use super::{date_input, options, status_text};
use crate::Ctx;
use crate::format::date;
use crate::i18n::{Lang, Text, label};

/// Field name → value, as a form sends them.
pub type FormValues = HashMap<String, String>;

/// Most skill rows a form has (`skill0` … ); the node reads no more.
pub const SKILL_ROWS_MAX: usize = 8;
/// Most team composition rows a form has (`member0_role` … ).
pub const TEAM_ROWS_MAX: usize = 8;
/// Empty rows shown below the filled ones, to add a skill or a team role.
const BLANK_ROWS: usize = 2;

/// A refused form: what to tell the user and which field to point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormError {
    /// The reason, as the node's rules put it.
    pub message: String,
    /// The form field it is about, if known.
    pub field: Option<String>,
}

/// What the offer form shows.
#[derive(Debug, Clone)]
pub struct OfferForm<'a> {
    /// The kind whose fields are shown.
    pub kind: OfferKind,
    /// Values by field name; a missing name shows the field's default.
    pub values: &'a FormValues,
    /// The offer's id when editing; `None` for a new offer.
    pub editing: Option<&'a str>,
    /// Why the last submission was refused.
    pub error: Option<&'a FormError>,
}

/// The kind named by `id` (`?art=` or the form's `kind`), if any.
pub fn kind_of(id: &str) -> Option<OfferKind> {
    OfferKind::ALL.into_iter().find(|kind| kind.id() == id)
}

/// The label of a form field, for pointing at it in an error message.
/// Row numbers are left out: `skill3_level` is labelled like `skill_level`.
fn field_text(name: &str) -> Option<Text> {
    let base: String = name.chars().filter(|c| !c.is_ascii_digit()).collect();
    Some(match base.as_str() {
        "title" => Text::Title,
        "status" => Text::Status,
        "valid_from" => Text::ValidFrom,
        "valid_until" => Text::ValidUntil,
        "contact_role" => Text::ContactRole,
        "contact_phone" => Text::ContactPhone,
        "contact_email" => Text::ContactEmail,
        "notes" => Text::Notes,
        "category" => Text::Category,
        "quantity" => Text::Quantity,
        "image_state" => Text::ImageState,
        "location" => Text::Location,
        "setup_hours" => Text::SetupHours,
        "transport" => Text::Transport,
        "role" | "member_role" => Text::Role,
        "member_count" => Text::Count,
        "mode" => Text::Mode,
        "clearance" => Text::Clearance,
        "employment_basis" => Text::EmploymentBasis,
        "travel_radius_km" => Text::TravelRadius,
        "max_deployment_days" => Text::MaxDeploymentDays,
        "max_shift_hours" => Text::MaxShiftHours,
        "languages" => Text::Languages,
        "certificates" => Text::Certificates,
        "skill" => Text::Skill,
        "skill_level" => Text::SkillLevel,
        "hours_per_week" => Text::HoursPerWeek,
        "response_time_minutes" => Text::ResponseMinutes,
        "coverage_hours" => Text::CoverageHours,
        "tools" => Text::Tools,
        "channels" => Text::Channels,
        "mission" => Text::Mission,
        "limitations" => Text::Limitations,
        "required_support" => Text::RequiredSupport,
        "self_sufficiency_hours" => Text::SelfSufficiencyHours,
        "mobilisation_hours" => Text::MobilisationHours,
        "duration_days" => Text::DurationDays,
        "cost_estimate_eur" => Text::CostEstimate,
        "service" => Text::Service,
        "capacity_cases_per_week" => Text::CasesPerWeek,
        _ => return None,
    })
}

/// Builds the controls of one form from its values.
struct Fields<'a> {
    lang: Lang,
    values: &'a FormValues,
    invalid: Option<&'a str>,
}

impl Fields<'_> {
    fn value<'v>(&'v self, name: &str, default: &'v str) -> &'v str {
        self.values.get(name).map_or(default, String::as_str)
    }

    fn labelled(&self, name: &str, text: Text, required: bool, control: Markup) -> Markup {
        html! {
            div {
                label for=(name) { (text.get(self.lang)) @if required { " *" } }
                (control)
            }
        }
    }

    fn invalid(&self, name: &str) -> Option<&'static str> {
        (self.invalid == Some(name)).then_some("true")
    }

    fn text(&self, name: &str, text: Text, required: bool, default: &str) -> Markup {
        let control = html! {
            input id=(name) name=(name) value=(self.value(name, default)) required[required]
                maxlength="4000" aria-invalid=[self.invalid(name)];
        };
        self.labelled(name, text, required, control)
    }

    fn typed(&self, name: &str, kind: &str, text: Text, required: bool, default: &str) -> Markup {
        let control = html! {
            input id=(name) name=(name) type=(kind) value=(self.value(name, default)) required[required]
                aria-invalid=[self.invalid(name)];
        };
        self.labelled(name, text, required, control)
    }

    fn date(&self, name: &str, text: Text, required: bool, default: &str) -> Markup {
        let label = if required {
            format!("{} *", text.get(self.lang))
        } else {
            text.get(self.lang).to_owned()
        };
        let value = self.value(name, default);
        date_input(self.lang, name, &label, value, required, self.invalid(name))
    }

    fn number(&self, name: &str, text: Text, range: (u64, u64), default: &str) -> Markup {
        let required = range.0 > 0;
        let control = html! {
            input id=(name) name=(name) type="number" min=(range.0) max=(range.1)
                value=(self.value(name, default)) required[required] aria-invalid=[self.invalid(name)];
        };
        self.labelled(name, text, required, control)
    }

    fn choice(&self, name: &str, text: Text, catalogue: CatalogueName, default: &str) -> Markup {
        let control = html! {
            select id=(name) name=(name) required aria-invalid=[self.invalid(name)] {
                (options(self.lang, catalogue, self.value(name, default)))
            }
        };
        self.labelled(name, text, true, control)
    }

    fn check(&self, name: &str, text: Text) -> Markup {
        html! {
            label {
                input type="checkbox" name=(name) value="on" checked[self.value(name, "") == "on"];
                " " (text.get(self.lang))
            }
        }
    }

    fn skill_rows(&self) -> Markup {
        let filled = (0..SKILL_ROWS_MAX)
            .take_while(|row| !self.value(&format!("skill{row}"), "").is_empty())
            .count();
        let rows = (filled + BLANK_ROWS).min(SKILL_ROWS_MAX);
        html! {
            fieldset {
                legend { (Text::Skills.get(self.lang)) }
                @for row in 0..rows {
                    @let skill = format!("skill{row}");
                    @let level = format!("skill{row}_level");
                    div.grid {
                        (self.labelled(&skill, Text::Skill, false, html! {
                            select id=(skill) name=(skill) aria-invalid=[self.invalid(&skill)] {
                                option value="" { "–" }
                                (options(self.lang, CatalogueName::Skill, self.value(&skill, "")))
                            }
                        }))
                        (self.labelled(&level, Text::SkillLevel, false, html! {
                            select id=(level) name=(level) {
                                (options(self.lang, CatalogueName::SkillLevel, self.value(&level, "2")))
                            }
                        }))
                    }
                }
            }
        }
    }

    fn team_rows(&self) -> Markup {
        let filled = (0..TEAM_ROWS_MAX)
            .take_while(|row| !self.value(&format!("member{row}_role"), "").is_empty())
            .count();
        let rows = (filled + BLANK_ROWS).min(TEAM_ROWS_MAX);
        html! {
            fieldset {
                legend { (Text::Composition.get(self.lang)) " *" }
                @for row in 0..rows {
                    @let role = format!("member{row}_role");
                    @let count = format!("member{row}_count");
                    div.grid {
                        (self.labelled(&role, Text::Role, row == 0, html! {
                            select id=(role) name=(role) required[row == 0] aria-invalid=[self.invalid(&role)] {
                                option value="" { "–" }
                                (options(self.lang, CatalogueName::Role, self.value(&role, "")))
                            }
                        }))
                        (self.labelled(&count, Text::Count, row == 0, html! {
                            input id=(count) name=(count) type="number" min="0" max="1000"
                                value=(self.value(&count, if row == 0 { "1" } else { "" }))
                                required[row == 0] aria-invalid=[self.invalid(&count)];
                        }))
                    }
                }
            }
        }
    }
}

fn hours(max: u16) -> (u64, u64) {
    (0, u64::from(max))
}

fn kind_fields(f: &Fields<'_>, kind: OfferKind) -> Markup {
    match kind {
        OfferKind::Equipment => html! {
            div.grid {
                (f.choice("category", Text::Category, CatalogueName::EquipmentCategory, "laptop"))
                (f.number("quantity", Text::Quantity, (1, 100_000), "1"))
                (f.choice("image_state", Text::ImageState, CatalogueName::ImageState, "clean_standalone"))
                (f.text("location", Text::Location, true, ""))
                (f.number("setup_hours", Text::SetupHours, hours(PREPARATION_HOURS_MAX), "0"))
                (f.text("transport", Text::Transport, false, ""))
            }
            (f.check("own_communications", Text::OwnCommunications))
            (f.check("wiped_on_return", Text::WipedOnReturn))
        },
        OfferKind::Person => html! {
            div.grid {
                (f.choice("role", Text::Role, CatalogueName::Role, "responder"))
                (f.choice("mode", Text::Mode, CatalogueName::Mode, "both"))
                (f.choice("clearance", Text::Clearance, CatalogueName::Clearance, "none"))
                (f.choice("employment_basis", Text::EmploymentBasis, CatalogueName::EmploymentBasis, "abordnung"))
                (f.number("travel_radius_km", Text::TravelRadius, (0, u64::from(TRAVEL_RADIUS_KM_MAX)), "50"))
                (f.number("max_deployment_days", Text::MaxDeploymentDays, (1, u64::from(DEPLOYMENT_DAYS_MAX)), &DEPLOYMENT_DAYS_DEFAULT.to_string()))
                (f.number("max_shift_hours", Text::MaxShiftHours, (1, u64::from(SHIFT_HOURS_MAX)), &SHIFT_HOURS_DEFAULT.to_string()))
                (f.text("languages", Text::Languages, false, "de"))
                (f.text("certificates", Text::Certificates, false, ""))
            }
            (f.check("on_call_24_7", Text::OnCall))
            (f.check("release_approved", Text::ReleaseApproved))
            (f.skill_rows())
        },
        OfferKind::RemoteCapacity => html! {
            div.grid {
                (f.number("hours_per_week", Text::HoursPerWeek, (1, u64::from(HOURS_PER_WEEK_MAX)), "8"))
                (f.number("response_time_minutes", Text::ResponseMinutes, (0, u64::from(RESPONSE_TIME_MINUTES_MAX)), "60"))
                (f.text("coverage_hours", Text::CoverageHours, true, "Mo–Fr 7–18 Uhr"))
                (f.text("tools", Text::Tools, false, ""))
            }
            fieldset {
                legend { (Text::Channels.get(f.lang)) }
                @for entry in catalogues().get(CatalogueName::Channel).entries() {
                    label {
                        @let name = format!("channel_{}", entry.id);
                        input type="checkbox" name=(name) value="on" checked[f.value(&name, "") == "on"];
                        " " (if f.lang == Lang::De { &entry.de } else { &entry.en })
                    }
                }
            }
            (f.check("needs_clean_jump_host", Text::NeedsJumpHost))
            (f.skill_rows())
        },
        OfferKind::TeamPackage => html! {
            div.grid {
                (f.text("mission", Text::Mission, true, ""))
                (f.choice("mode", Text::Mode, CatalogueName::Mode, "both"))
                (f.number("mobilisation_hours", Text::MobilisationHours, hours(PREPARATION_HOURS_MAX), "24"))
                (f.number("duration_days", Text::DurationDays, (1, u64::from(DURATION_DAYS_MAX)), "14"))
                (f.number("self_sufficiency_hours", Text::SelfSufficiencyHours, hours(PREPARATION_HOURS_MAX), "0"))
                (f.typed("cost_estimate_eur", "number", Text::CostEstimate, false, ""))
                (f.text("limitations", Text::Limitations, false, ""))
                (f.text("required_support", Text::RequiredSupport, false, ""))
            }
            (f.team_rows())
        },
        OfferKind::ServiceRelocation => html! {
            div.grid {
                (f.text("service", Text::Service, true, ""))
                (f.number("capacity_cases_per_week", Text::CasesPerWeek, (1, 100_000), "50"))
                (f.text("location", Text::Location, true, ""))
            }
        },
    }
}

fn error_box(ctx: &Ctx, error: &FormError) -> Markup {
    let field = error.field.as_deref();
    html! {
        div.error id="form-error" role="alert" tabindex="-1" {
            strong { (ctx.t(Text::OfferNotSaved)) }
            @if let (Some(name), Some(text)) = (field, field.and_then(field_text)) {
                " " (ctx.t(Text::CheckField)) " "
                a href={ "#" (name) } { "„" (text.get(ctx.lang)) "“" } "."
            }
            br;
            span.muted { (error.message) }
        }
    }
}

/// The form (without the page around it).
pub(super) fn offer_form(ctx: &Ctx, form: &OfferForm<'_>, today_ms: i64) -> Markup {
    let f = Fields {
        lang: ctx.lang,
        values: form.values,
        invalid: form.error.and_then(|e| e.field.as_deref()),
    };
    let action = match form.editing {
        Some(id) => format!("/ressourcen/{id}/bearbeiten"),
        None => "/ressourcen".to_owned(),
    };
    let kind_label = label(ctx.lang, CatalogueName::OfferKind, form.kind.id());
    html! {
        @if let Some(error) = form.error { (error_box(ctx, error)) }
        form method="post" action=(action) data-testid="offer-form" {
            (ctx.csrf_field())
            input type="hidden" name="kind" value=(form.kind.id());
            p.muted { (ctx.t(Text::RequiredNote)) }
            fieldset {
                legend { (ctx.t(Text::General)) }
                div.grid {
                    (f.text("title", Text::Title, true, ""))
                    @if form.editing.is_some() {
                        (f.labelled("status", Text::Status, true, html! {
                            select id="status" name="status" required {
                                @for status in OfferStatus::ALL {
                                    option value=(status_id(status)) selected[f.value("status", "available") == status_id(status)] {
                                        (super::status_text(ctx.lang, status))
                                    }
                                }
                            }
                        }))
                    }
                    (f.date("valid_from", Text::ValidFrom, true, &date(today_ms)))
                    (f.date("valid_until", Text::ValidUntil, false, ""))
                    (f.text("contact_role", Text::ContactRole, true, "IT-Rufbereitschaft"))
                    (f.typed("contact_phone", "tel", Text::ContactPhone, true, ""))
                    (f.typed("contact_email", "email", Text::ContactEmail, true, ""))
                    (f.text("notes", Text::Notes, false, ""))
                }
            }
            fieldset {
                legend { (kind_label) }
                (kind_fields(&f, form.kind))
            }
            p {
                button type="submit" { (ctx.t(Text::SaveOffer)) }
                @if form.editing.is_some() { " " a href="/ressourcen" { (ctx.t(Text::Cancel)) } }
            }
        }
    }
}

/// The choice of kind before the form: a small GET form (`?art=`).
pub(super) fn kind_chooser(ctx: &Ctx, kind: OfferKind) -> Markup {
    html! {
        form method="get" action="/ressourcen#h-new" {
            div.grid {
                div {
                    label for="art" { (ctx.t(Text::ChooseKind)) }
                    select id="art" name="art" {
                        @for option in OfferKind::ALL {
                            option value=(option.id()) selected[option == kind] {
                                (label(ctx.lang, CatalogueName::OfferKind, option.id()))
                            }
                        }
                    }
                }
            }
            p { button.secondary type="submit" { (ctx.t(Text::OpenForm)) } }
        }
    }
}

/// The edit page of one own offer.
pub fn offer_edit(ctx: &Ctx, form: &OfferForm<'_>, today_ms: i64) -> String {
    let title = form.values.get("title").cloned().unwrap_or_default();
    let content = html! {
        p { (ctx.t(Text::Kind)) ": " strong { (label(ctx.lang, CatalogueName::OfferKind, form.kind.id())) }
            @if let Some(status) = form.values.get("status") { " · " (ctx.t(Text::Status)) ": " (status_label(ctx.lang, status)) } }
        (offer_form(ctx, form, today_ms))
    };
    crate::layout::page(
        ctx,
        &format!("{}: {title}", ctx.t(Text::EditOffer)),
        content,
    )
}

fn status_label(lang: Lang, id: &str) -> &'static str {
    let status = OfferStatus::ALL
        .into_iter()
        .find(|s| status_id(*s) == id)
        .unwrap_or(OfferStatus::Available);
    status_text(lang, status)
}
