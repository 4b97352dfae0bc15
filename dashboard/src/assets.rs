//! The pages' style sheets and their one script, as files the node serves
//! under `/static/`. Nothing is inline, so the node's
//! Content-Security-Policy can allow script and style from its own origin
//! only.

/// The style of every page after login.
pub const APP_CSS: &str = include_str!("assets/app.css");
/// Where [`APP_CSS`] is served.
pub const APP_CSS_PATH: &str = "/static/app.css";
/// The login page's style.
pub const LOGIN_CSS: &str = include_str!("assets/login.css");
/// Where [`LOGIN_CSS`] is served.
pub const LOGIN_CSS_PATH: &str = "/static/login.css";
/// The live-update script (server-sent events → swap `[data-live]`).
pub const LIVE_JS: &str = include_str!("assets/live.js");
/// Where [`LIVE_JS`] is served.
pub const LIVE_JS_PATH: &str = "/static/live.js";

/// Every asset: path, content type, content.
pub const ALL: [(&str, &str, &str); 3] = [
    (APP_CSS_PATH, "text/css; charset=utf-8", APP_CSS),
    (LOGIN_CSS_PATH, "text/css; charset=utf-8", LOGIN_CSS),
    (LIVE_JS_PATH, "text/javascript; charset=utf-8", LIVE_JS),
];
