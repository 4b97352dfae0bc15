//! The incident room of a hit member: the incident record, the checklist
//! template with due times, the legal clocks, the report drafts and the
//! decision log with TLP levels.
//!
//! - [`checklist`]: the 15 steps as data with stable ids;
//! - [`clocks`]: GDPR Art. 33 and § 32 BSIG deadlines from the awareness
//!   time, the 80 % reminder and overdue, as pure functions of `now_ms`;
//! - [`reports`]: the fields of each report, drafts, marking as sent;
//! - [`record`]: the records the room is made of;
//! - [`sealed_line`]: timeline lines above TLP `clear`, sealed to their
//!   readers with `crate::seal`.
//!
//! Never reads a clock, never does I/O.

pub mod acting;
pub mod checklist;
pub mod clocks;
pub mod record;
pub mod reports;
pub mod sealed_line;
#[cfg(test)]
mod sealed_line_tests;

pub use acting::{ActingError, check_acting, check_acting_write};
pub use checklist::{CHECKLIST, StepDue, StepTemplate, checklist_for, step_template};
pub use clocks::{
    Clock, ClockKind, ClockPhase, ClockProfile, SentReports, clock, clocks as clocks_at,
};
pub use record::{
    Incident, IncidentRef, IncidentStatus, IncidentStep, ReaderRole, StepState, TimelineEntry, Tlp,
};
pub use reports::{IncidentReport, ReportField, ReportFieldTemplate, draft, report_fields};
pub use sealed_line::{
    LinePlace, LineRejection, OpenLineError, check_line_readers, check_line_readers_now,
    line_context, line_reader_ids, open_line, reseal_line, seal_line,
};
