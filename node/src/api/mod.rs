//! The node's local HTTP JSON API (bound to 127.0.0.1 unless configured
//! otherwise): health and status, writes (offers, requests, pledges,
//! acceptances), reads of the registry, the request board and the mission
//! orders, and the Prometheus metrics.
//!
//! Every JSON route is one entry of the table in `routes.rs` (method,
//! path, access, body and answer schemas, error codes, handler); the
//! router mounts that table and `GET /api/openapi.json` documents it.
//! `/health`, `/api/login` and `/api/openapi.json` answer without a
//! session; every other route needs a session cookie or an API token
//! (`auth.rs`), and each write route a role that may do it
//! (`accounts::Role::may`):
//!
//! | routes | permission | roles |
//! | --- | --- | --- |
//! | offers (create, replace, withdraw), pledges | `Offer`, `Pledge` | `it_lead`, `admin` |
//! | requests, acceptances | `Request`, `Accept` | `requester`, `admin` |
//! | accounts, tokens list and revoke, audit | `Administer` | `admin` |
//!
//! The dashboard's pages (`crate::web`) are a sibling adapter over the same
//! use cases (`crate::ops`); `crate::http` mounts both.
//!
//! Every write returns only after it is durable, and is then announced to
//! the pact; on any error nothing is written and nothing announced. Errors
//! are [`ApiError`]. Never decides validity of a record itself: the model's
//! `validate()` and the core do; the handlers add only the rules that need
//! the read model (what is open, whose request it is).

mod acceptances;
mod accounts_admin;
pub(crate) mod bundle;
mod contacts;
pub mod events;
mod incidents;
mod notifications;
mod offers;
pub(crate) mod openapi;
mod pact;
mod pledges;
pub(crate) mod posture;
pub(crate) mod reads;
mod requests;
pub(crate) mod routes;
pub mod sessions;
mod shared_posture;

/// Decodes `bytes` as the JSON body of one of the write routes whose body
/// types live in this module (login, API token, new account, account
/// change, acceptance; `kind` picks one) and says whether it decoded. It
/// is how the fuzzer reaches these decoders; the record bodies (`Offer`,
/// `AidRequest`, `Pledge`) are public in the protocol crate.
pub fn decode_json_body(kind: u8, bytes: &[u8]) -> bool {
    match kind % 5 {
        0 => serde_json::from_slice::<sessions::LoginBody>(bytes).is_ok(),
        1 => serde_json::from_slice::<sessions::TokenBody>(bytes).is_ok(),
        2 => serde_json::from_slice::<crate::ops::accounts::NewAccount>(bytes).is_ok(),
        3 => serde_json::from_slice::<crate::ops::accounts::AccountChange>(bytes).is_ok(),
        _ => serde_json::from_slice::<AcceptanceBody>(bytes).is_ok(),
    }
}

#[cfg(test)]
mod tests;

pub(crate) use reads::no_route;

pub use crate::http::{
    API_BODY_BYTES_MAX, ApiError, ApiState, CONTENT_SECURITY_POLICY, HttpSettings, audit, auth,
    limits, router, serve,
};
pub use crate::ops::Saved;
pub use crate::ops::acceptances::AcceptanceBody;
pub use crate::ops::reads::{
    ANY_STATUS, NEXT_OFFSET_HEADER, REGISTRY_LIMIT_DEFAULT, REGISTRY_LIMIT_MAX, RegistryQuery,
};
