//! A browser-like client for the in-process tests: any request with its
//! headers and body, cookies, and logging in through the login page.

use axum::http::HeaderMap;
use axum::http::request::Builder;

use super::*;

pub(super) struct Answer {
    pub(super) status: StatusCode,
    pub(super) headers: HeaderMap,
    pub(super) body: String,
}

impl Answer {
    pub(super) fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// `name=value` of the first `Set-Cookie` for `name`.
    pub(super) fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(|v| v.split(';').next().unwrap().to_string())
    }

    pub(super) fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .map_or("", |v| v.to_str().unwrap())
    }
}

impl TestNode {
    pub(super) async fn send(&self, request: Builder, body: Body) -> Answer {
        let response = self
            .app
            .clone()
            .oneshot(request.body(body).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).to_string(),
        }
    }

    /// Logs in through the login page; returns the session cookie and the
    /// CSRF token shown in the Lagebild's forms.
    pub(super) async fn login_page(&self, account: &str) -> (String, String) {
        let form = self.send(Request::get("/anmelden"), Body::empty()).await;
        assert_eq!(form.status, StatusCode::OK);
        let login_cookie = form.cookie("amtshilfe_login").unwrap();
        let token = value_of(&form.body, "login_token");
        let answer = self
            .send(
                Request::post("/anmelden")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(header::COOKIE, &login_cookie),
                Body::from(format!(
                    "login_token={token}&account={account}&password={PASSWORD}"
                )),
            )
            .await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
        let session = answer.cookie("amtshilfe_session").unwrap();
        let page = self
            .send(
                Request::get("/").header(header::COOKIE, &session),
                Body::empty(),
            )
            .await;
        assert_eq!(page.status, StatusCode::OK);
        (session, value_of(&page.body, "csrf"))
    }
}

/// The `value` of the input named `name` in `html`.
pub(super) fn value_of(html: &str, name: &str) -> String {
    let at = html.find(&format!("name=\"{name}\"")).unwrap();
    let rest = &html[at..];
    let start = rest.find("value=\"").unwrap() + 7;
    rest[start..start + rest[start..].find('"').unwrap()].to_string()
}
