//! Sessions survive a restart: a new API state over the same store (as a
//! restarted node makes) takes back the live sessions, and a session that
//! was ended or whose account was disabled stays ended.

use super::*;
use crate::accounts::Role;

impl TestNode {
    /// The router of a restarted node: new in-memory state, same store.
    fn restarted(&self) -> Router {
        let (net, _announced) = NetHandle::detached();
        let (_stop, stopped) = watch::channel(false);
        router(ApiState::new(self.core.clone(), net, stopped))
    }
}

async fn status_of(app: &Router, session: &str, path: &str) -> StatusCode {
    let request = Request::get(path)
        .header(header::COOKIE, session)
        .body(Body::empty())
        .unwrap();
    app.clone().oneshot(request).await.unwrap().status()
}

#[tokio::test]
async fn a_restart_keeps_live_sessions_and_not_ended_ones() {
    let node = TestNode::new();
    node.add_account("anna", Role::Viewer, true);
    node.add_account("bernd", Role::ItLead, true);
    let (anna, csrf) = node.login_page("anna").await;
    let (bernd, _) = node.login_page("bernd").await;
    let restarted = node.restarted();
    assert_eq!(status_of(&restarted, &anna, "/").await, StatusCode::OK);
    assert_eq!(status_of(&restarted, &bernd, "/").await, StatusCode::OK);
    // The CSRF token came back too: a form with it works after the restart.
    let logout = Request::post("/abmelden")
        .header(header::COOKIE, &anna)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("csrf={csrf}")))
        .unwrap();
    let answer = restarted.clone().oneshot(logout).await.unwrap();
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    // The restarted node is the live one now: disable bernd there.
    let disable = Request::patch("/api/accounts/bernd")
        .header(header::AUTHORIZATION, format!("Bearer {}", node.token))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({ "disabled": true }).to_string()))
        .unwrap();
    let answer = restarted.clone().oneshot(disable).await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let again = node.restarted();
    assert_eq!(
        status_of(&again, &anna, "/").await,
        StatusCode::SEE_OTHER,
        "logged out"
    );
    assert_eq!(
        status_of(&again, &bernd, "/").await,
        StatusCode::SEE_OTHER,
        "disabled"
    );
    let stored = node.core.lock().store().sessions().unwrap();
    assert!(stored.is_empty(), "{stored:?}");
}

#[tokio::test]
async fn a_stored_session_of_an_account_changed_behind_its_back_is_not_taken_back() {
    let node = TestNode::new();
    node.add_account("carla", Role::ItLead, true);
    node.add_account("dieter", Role::ItLead, true);
    let (carla, _) = node.login_page("carla").await;
    let (dieter, _) = node.login_page("dieter").await;
    // The accounts change in the store while their sessions stay stored,
    // as after a failed write of the session set.
    {
        let core = node.core.lock();
        let store = core.store();
        let mut disabled = store.account("carla").unwrap().unwrap();
        disabled.disabled = true;
        store.put_account("carla", &disabled).unwrap();
        let mut demoted = store.account("dieter").unwrap().unwrap();
        demoted.role = Role::Viewer.id().to_owned();
        store.put_account("dieter", &demoted).unwrap();
        assert_eq!(store.sessions().unwrap().len(), 2);
    }
    let restarted = node.restarted();
    assert_eq!(
        status_of(&restarted, &carla, "/").await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        status_of(&restarted, &dieter, "/").await,
        StatusCode::SEE_OTHER
    );
}
