//! The use cases: every write a person can make on this node (offers,
//! requests, pledges, acceptances, accounts, tokens, logging in and out)
//! and the reads the pages and the API share, as functions over the core
//! and the store that return typed errors ([`ApiError`]: the model's and
//! the read model's refusals with their stable codes).
//!
//! The JSON API (`crate::api`) and the pages (`crate::web`) are sibling
//! adapters over these functions: they turn HTTP bodies and form fields
//! into arguments and answers into JSON or HTML, and never import each
//! other. The rules themselves live in the protocol crate
//! (`Offer::validate`, `read_model::rules`); what is left here is running
//! them under the core's lock together with the write.
//!
//! [`ApiError`]: crate::http::ApiError

pub mod acceptances;
pub mod accounts;
pub(crate) mod agreement_text;
pub mod bundles;
pub mod contacts;
pub mod device_revocation;
pub mod exports;
pub mod incident_room;
pub mod incidents;
pub mod invitation_for;
pub mod login;
pub mod mission_end;
pub mod offers;
pub mod pact;
pub mod pact_actions;
pub(crate) mod pact_text;
pub mod pledges;
pub mod posture;
pub mod reads;
pub mod requests;
pub mod shared_posture;
mod write;

pub use write::Saved;
pub(crate) use write::announce;
