//! The offer form for all five kinds, used for a new offer (Ressourcen) and
//! for editing one of this member's offers. There is one form per kind,
//! chosen before (`?art=`), so that every field the kind needs can carry
//! `required` without any script. Values are strings by field name: the
//! current offer's (`offer_fields::offer_values`), or what was sent when the node
//! refused it, so a refused form keeps what the user typed.
//!
//! The field names, the row caps and both conversions (offer ↔ values)
//! are in `crate::offer_fields`; this module only draws the controls.

use amtshilfe_protocol::catalogue::{CatalogueName, catalogues};
use amtshilfe_protocol::model::{
    DEPLOYMENT_DAYS_DEFAULT, DEPLOYMENT_DAYS_MAX, DURATION_DAYS_MAX, HOURS_PER_WEEK_MAX, OfferKind,
    OfferStatus, PREPARATION_HOURS_MAX, RESPONSE_TIME_MINUTES_MAX, SHIFT_HOURS_DEFAULT,
    SHIFT_HOURS_MAX, TRAVEL_RADIUS_KM_MAX,
};
use maud::{Markup, html};

use super::{date_input, options, status_text};
use crate::Ctx;
use crate::format::date;
use crate::i18n::{Lang, Text, label};
use crate::offer_fields::name::{self, ON};
use crate::offer_fields::{FormError, FormValues, SKILL_ROWS_MAX, TEAM_ROWS_MAX};

/// Empty rows shown below the filled ones, to add a skill or a team role.
const BLANK_ROWS: usize = 2;

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

/// The label of a form field, for pointing at it in an error message.
/// Row numbers are left out: `skill3_level` is labelled like `skill_level`.
fn field_text(name: &str) -> Option<Text> {
    let base: String = name.chars().filter(|c| !c.is_ascii_digit()).collect();
    Some(match base.as_str() {
        name::TITLE => Text::Title,
        name::STATUS => Text::Status,
        name::VALID_FROM => Text::ValidFrom,
        name::VALID_UNTIL => Text::ValidUntil,
        name::CONTACT_ROLE => Text::ContactRole,
        name::CONTACT_PHONE => Text::ContactPhone,
        name::CONTACT_EMAIL => Text::ContactEmail,
        name::NOTES => Text::Notes,
        name::CATEGORY => Text::Category,
        name::QUANTITY => Text::Quantity,
        name::IMAGE_STATE => Text::ImageState,
        name::LOCATION => Text::Location,
        name::SETUP_HOURS => Text::SetupHours,
        name::TRANSPORT => Text::Transport,
        name::CLEAN_IMAGE_BY => Text::ImagedBy,
        name::CLEAN_IMAGE_DATE => Text::ImagedOn,
        name::CLEAN_IMAGE_NAME => Text::ImageName,
        name::CLEAN_IMAGE_SHA256 => Text::ImageSha256,
        name::ROLE | "member_role" => Text::Role,
        "member_count" => Text::Count,
        name::MODE => Text::Mode,
        name::CLEARANCE => Text::Clearance,
        name::EMPLOYMENT_BASIS => Text::EmploymentBasis,
        name::TRAVEL_RADIUS_KM => Text::TravelRadius,
        name::MAX_DEPLOYMENT_DAYS => Text::MaxDeploymentDays,
        name::MAX_SHIFT_HOURS => Text::MaxShiftHours,
        name::LANGUAGES => Text::Languages,
        name::CERTIFICATES => Text::Certificates,
        "skill" => Text::Skill,
        "skill_level" => Text::SkillLevel,
        name::HOURS_PER_WEEK => Text::HoursPerWeek,
        name::RESPONSE_TIME_MINUTES => Text::ResponseMinutes,
        name::COVERAGE_HOURS => Text::CoverageHours,
        name::TOOLS => Text::Tools,
        name::CHANNELS => Text::Channels,
        name::MISSION => Text::Mission,
        name::LIMITATIONS => Text::Limitations,
        name::REQUIRED_SUPPORT => Text::RequiredSupport,
        name::SELF_SUFFICIENCY_HOURS => Text::SelfSufficiencyHours,
        name::MOBILISATION_HOURS => Text::MobilisationHours,
        name::DURATION_DAYS => Text::DurationDays,
        name::COST_ESTIMATE_EUR => Text::CostEstimate,
        name::SERVICE => Text::Service,
        name::CAPACITY_CASES_PER_WEEK => Text::CasesPerWeek,
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
                input type="checkbox" name=(name) value=(ON) checked[self.value(name, "") == ON];
                " " (text.get(self.lang))
            }
        }
    }

    fn skill_rows(&self) -> Markup {
        let filled = (0..SKILL_ROWS_MAX)
            .take_while(|row| !self.value(&name::skill(*row), "").is_empty())
            .count();
        let rows = (filled + BLANK_ROWS).min(SKILL_ROWS_MAX);
        html! {
            fieldset {
                legend { (Text::Skills.get(self.lang)) }
                @for row in 0..rows {
                    @let skill = name::skill(row);
                    @let level = name::skill_level(row);
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
            .take_while(|row| !self.value(&name::member_role(*row), "").is_empty())
            .count();
        let rows = (filled + BLANK_ROWS).min(TEAM_ROWS_MAX);
        html! {
            fieldset {
                legend { (Text::Composition.get(self.lang)) " *" }
                @for row in 0..rows {
                    @let role = name::member_role(row);
                    @let count = name::member_count(row);
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
                (f.choice(name::CATEGORY, Text::Category, CatalogueName::EquipmentCategory, "laptop"))
                (f.number(name::QUANTITY, Text::Quantity, (1, 100_000), "1"))
                (f.choice(name::IMAGE_STATE, Text::ImageState, CatalogueName::ImageState, "clean_standalone"))
                (f.text(name::LOCATION, Text::Location, true, ""))
                (f.number(name::SETUP_HOURS, Text::SetupHours, hours(PREPARATION_HOURS_MAX), "0"))
                (f.text(name::TRANSPORT, Text::Transport, false, ""))
            }
            (f.check(name::OWN_COMMUNICATIONS, Text::OwnCommunications))
            (f.check(name::WIPED_ON_RETURN, Text::WipedOnReturn))
            fieldset {
                legend { (Text::CleanImage.get(f.lang)) }
                p.muted { (Text::CleanImageHint.get(f.lang)) }
                div.grid {
                    (f.text(name::CLEAN_IMAGE_BY, Text::ImagedBy, false, ""))
                    (f.date(name::CLEAN_IMAGE_DATE, Text::ImagedOn, false, ""))
                    (f.text(name::CLEAN_IMAGE_NAME, Text::ImageName, false, ""))
                    (f.text(name::CLEAN_IMAGE_SHA256, Text::ImageSha256, false, ""))
                }
            }
        },
        OfferKind::Person => html! {
            div.grid {
                (f.choice(name::ROLE, Text::Role, CatalogueName::Role, "responder"))
                (f.choice(name::MODE, Text::Mode, CatalogueName::Mode, "both"))
                (f.choice(name::CLEARANCE, Text::Clearance, CatalogueName::Clearance, "none"))
                (f.choice(name::EMPLOYMENT_BASIS, Text::EmploymentBasis, CatalogueName::EmploymentBasis, "abordnung"))
                (f.number(name::TRAVEL_RADIUS_KM, Text::TravelRadius, (0, u64::from(TRAVEL_RADIUS_KM_MAX)), "50"))
                (f.number(name::MAX_DEPLOYMENT_DAYS, Text::MaxDeploymentDays, (1, u64::from(DEPLOYMENT_DAYS_MAX)), &DEPLOYMENT_DAYS_DEFAULT.to_string()))
                (f.number(name::MAX_SHIFT_HOURS, Text::MaxShiftHours, (1, u64::from(SHIFT_HOURS_MAX)), &SHIFT_HOURS_DEFAULT.to_string()))
                (f.text(name::LANGUAGES, Text::Languages, false, "de"))
                (f.text(name::CERTIFICATES, Text::Certificates, false, ""))
            }
            (f.check(name::ON_CALL_24_7, Text::OnCall))
            (f.check(name::RELEASE_APPROVED, Text::ReleaseApproved))
            (f.skill_rows())
        },
        OfferKind::RemoteCapacity => html! {
            div.grid {
                (f.number(name::HOURS_PER_WEEK, Text::HoursPerWeek, (1, u64::from(HOURS_PER_WEEK_MAX)), "8"))
                (f.number(name::RESPONSE_TIME_MINUTES, Text::ResponseMinutes, (0, u64::from(RESPONSE_TIME_MINUTES_MAX)), "60"))
                (f.text(name::COVERAGE_HOURS, Text::CoverageHours, true, "Mo–Fr 7–18 Uhr"))
                (f.text(name::TOOLS, Text::Tools, false, ""))
            }
            fieldset {
                legend { (Text::Channels.get(f.lang)) }
                @for entry in catalogues().get(CatalogueName::Channel).entries() {
                    label {
                        @let name = name::channel(&entry.id);
                        input type="checkbox" name=(name) value=(ON) checked[f.value(&name, "") == ON];
                        " " (if f.lang == Lang::De { &entry.de } else { &entry.en })
                    }
                }
            }
            (f.check(name::NEEDS_CLEAN_JUMP_HOST, Text::NeedsJumpHost))
            (f.skill_rows())
        },
        OfferKind::TeamPackage => html! {
            div.grid {
                (f.text(name::MISSION, Text::Mission, true, ""))
                (f.choice(name::MODE, Text::Mode, CatalogueName::Mode, "both"))
                (f.number(name::MOBILISATION_HOURS, Text::MobilisationHours, hours(PREPARATION_HOURS_MAX), "24"))
                (f.number(name::DURATION_DAYS, Text::DurationDays, (1, u64::from(DURATION_DAYS_MAX)), "14"))
                (f.number(name::SELF_SUFFICIENCY_HOURS, Text::SelfSufficiencyHours, hours(PREPARATION_HOURS_MAX), "0"))
                (f.typed(name::COST_ESTIMATE_EUR, "number", Text::CostEstimate, false, ""))
                (f.text(name::LIMITATIONS, Text::Limitations, false, ""))
                (f.text(name::REQUIRED_SUPPORT, Text::RequiredSupport, false, ""))
            }
            (f.team_rows())
        },
        OfferKind::ServiceRelocation => html! {
            div.grid {
                (f.text(name::SERVICE, Text::Service, true, ""))
                (f.number(name::CAPACITY_CASES_PER_WEEK, Text::CasesPerWeek, (1, 100_000), "50"))
                (f.text(name::LOCATION, Text::Location, true, ""))
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
            input type="hidden" name=(name::KIND) value=(form.kind.id());
            p.muted { (ctx.t(Text::RequiredNote)) }
            fieldset {
                legend { (ctx.t(Text::General)) }
                div.grid {
                    (f.text(name::TITLE, Text::Title, true, ""))
                    @if form.editing.is_some() {
                        (f.labelled(name::STATUS, Text::Status, true, html! {
                            select id=(name::STATUS) name=(name::STATUS) required {
                                @for status in OfferStatus::ALL {
                                    option value=(status.id()) selected[f.value(name::STATUS, "available") == status.id()] {
                                        (super::status_text(ctx.lang, status))
                                    }
                                }
                            }
                        }))
                    }
                    (f.date(name::VALID_FROM, Text::ValidFrom, true, &date(today_ms)))
                    (f.date(name::VALID_UNTIL, Text::ValidUntil, false, ""))
                    (f.text(name::CONTACT_ROLE, Text::ContactRole, true, "IT-Rufbereitschaft"))
                    (f.typed(name::CONTACT_PHONE, "tel", Text::ContactPhone, true, ""))
                    (f.typed(name::CONTACT_EMAIL, "email", Text::ContactEmail, true, ""))
                    (f.text(name::NOTES, Text::Notes, false, ""))
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
    let title = form.values.get(name::TITLE).cloned().unwrap_or_default();
    let content = html! {
        p { (ctx.t(Text::Kind)) ": " strong { (label(ctx.lang, CatalogueName::OfferKind, form.kind.id())) }
            @if let Some(status) = form.values.get(name::STATUS) { " · " (ctx.t(Text::Status)) ": " (status_label(ctx.lang, status)) } }
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
        .find(|s| s.id() == id)
        .unwrap_or(OfferStatus::Available);
    status_text(lang, status)
}
