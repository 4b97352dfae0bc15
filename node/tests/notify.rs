//! On-call notifications against real receivers on loopback: an SMTP
//! server and an HTTP webhook receiver started by the test. The right
//! messages arrive exactly once; a contact who does not acknowledge is
//! followed by the next; an acknowledgement stops it; a reopened store
//! sends nothing again; a failing webhook is retried with backoff and
//! every attempt is in the delivery log; the first run sends nothing old.
// A failed unwrap in a test helper is a failed test.
#![allow(clippy::unwrap_used)]

#[path = "notify/sinks.rs"]
mod sinks;

use std::sync::Mutex;

use amtshilfe_node::config::{Contact, NotifyConfig, SmtpSecurity};
use amtshilfe_node::notify::smtp::SmtpSettings;
use amtshilfe_node::notify::{
    Notifier, NotifySettings, RETRY_FIRST_MS, SENDS_PER_RUN_MAX, StoreAccess, acknowledge,
};
use amtshilfe_node::store::{NewAlert, NotifyEvent, NotifyStatus, Store};
use amtshilfe_protocol::ids::PactId;
use sinks::{SmtpSink, WebhookSink};

const T0_MS: i64 = 1_796_000_000_000;
const MINUTE_MS: i64 = 60_000;

fn alert(id: &str) -> NewAlert {
    NewAlert {
        id: id.to_owned(),
        kind: "new_request".to_owned(),
        subject_de: format!("Neue Hilfeanfrage {id}"),
        subject_en: format!("New request {id}"),
    }
}

fn email(name: &str) -> Contact {
    Contact {
        name: name.to_owned(),
        email: Some(format!("{name}@kreis.test")),
        webhook: None,
    }
}

fn hook(name: &str, sink: &WebhookSink) -> Contact {
    Contact {
        name: name.to_owned(),
        email: None,
        webhook: Some(sink.url.clone()),
    }
}

fn settings(contacts: Vec<Contact>, smtp: Option<&SmtpSink>) -> NotifySettings {
    NotifySettings {
        contacts,
        smtp: smtp.map(|sink| SmtpSettings {
            server: sink.address.to_string(),
            security: SmtpSecurity::None,
            from: "amtshilfe@kreis.test".to_owned(),
            login: None,
        }),
        escalation_ms: 15 * MINUTE_MS,
        unreachable_ms: 60 * MINUTE_MS,
        node_name: "Kreis Test".to_owned(),
    }
}

fn new_store(dir: &tempfile::TempDir) -> Mutex<Store> {
    Mutex::new(
        Store::create(
            dir.path().join("store.redb"),
            PactId([1; 32]),
            [2; 16],
            T0_MS,
        )
        .unwrap(),
    )
}

fn event(store: &Mutex<Store>, alert_id: &str) -> NotifyEvent {
    store
        .with_store(|s| s.notify_events(1_000))
        .unwrap()
        .into_iter()
        .find(|e| e.alert_id == alert_id)
        .unwrap()
}

#[tokio::test]
async fn an_alert_arrives_once_by_mail_and_webhook_and_old_ones_never() {
    let smtp = SmtpSink::start().await;
    let webhook = WebhookSink::start(0).await;
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(&dir);
    let both = Contact {
        webhook: Some(webhook.url.clone()),
        ..email("bereitschaft")
    };
    let notifier = Notifier::new(settings(vec![both], Some(&smtp)));

    // The first run only records what already holds.
    let sent = notifier
        .run_once(&store, &[alert("old")], T0_MS)
        .await
        .unwrap();
    assert_eq!(sent, 0);
    assert_eq!(event(&store, "old").status, NotifyStatus::Baseline);

    let now = [alert("old"), alert("new")];
    let sent = notifier
        .run_once(&store, &now, T0_MS + MINUTE_MS)
        .await
        .unwrap();
    assert_eq!(sent, 2);
    for later in 2..5 {
        let sent = notifier
            .run_once(&store, &now, T0_MS + later * MINUTE_MS)
            .await
            .unwrap();
        assert_eq!(sent, 0, "minute {later}");
    }

    let mails = smtp.mails();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0].to, vec!["bereitschaft@kreis.test".to_owned()]);
    assert!(
        mails[0].data.contains("Neue Hilfeanfrage new"),
        "{}",
        mails[0].data
    );
    assert!(
        mails[0].data.contains("English: New request new"),
        "{}",
        mails[0].data
    );
    let seq = event(&store, "new").seq;
    assert!(
        mails[0]
            .data
            .contains(&format!("/api/notifications/{seq}/ack"))
    );
    let bodies = webhook.bodies();
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    assert_eq!(bodies[0]["alert"], "new");
    assert_eq!(bodies[0]["event"], seq);
    assert_eq!(bodies[0]["subject_de"], "Neue Hilfeanfrage new");
    assert_eq!(bodies[0]["contact"], "bereitschaft");
    assert!(
        smtp.logins.lock().unwrap().is_empty(),
        "no account, no AUTH"
    );
    let log = event(&store, "new").log;
    assert_eq!(log.len(), 2);
    assert!(log.iter().all(|line| line.ok), "{log:?}");
}

#[tokio::test]
async fn without_acknowledgement_the_next_contact_is_told_and_an_acknowledgement_stops_it() {
    let smtp = SmtpSink::start().await;
    let webhook = WebhookSink::start(0).await;
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(&dir);
    let notifier = Notifier::new(settings(
        vec![email("erste"), hook("zweite", &webhook)],
        Some(&smtp),
    ));
    notifier.run_once(&store, &[], T0_MS).await.unwrap();
    let now = [alert("ignored"), alert("acknowledged")];
    let t1 = T0_MS + MINUTE_MS;
    notifier.run_once(&store, &now, t1).await.unwrap();
    assert_eq!(smtp.mails().len(), 2);
    let acked = event(&store, "acknowledged").seq;
    store
        .with_store(|s| acknowledge(s, acked, "leitstelle", t1 + MINUTE_MS))
        .unwrap()
        .unwrap();

    notifier
        .run_once(&store, &now, t1 + 14 * MINUTE_MS)
        .await
        .unwrap();
    assert_eq!(webhook.calls(), 0, "too early to escalate");
    notifier
        .run_once(&store, &now, t1 + 15 * MINUTE_MS)
        .await
        .unwrap();
    let bodies = webhook.bodies();
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    assert_eq!(bodies[0]["alert"], "ignored");
    assert_eq!(bodies[0]["contact"], "zweite");
    assert_eq!(
        smtp.mails().len(),
        2,
        "the first contact is not mailed again"
    );

    // After the last contact's time: unanswered, nothing more is sent.
    notifier
        .run_once(&store, &now, t1 + 31 * MINUTE_MS)
        .await
        .unwrap();
    notifier
        .run_once(&store, &now, t1 + 60 * MINUTE_MS)
        .await
        .unwrap();
    assert_eq!(webhook.calls(), 1);
    assert_eq!(event(&store, "ignored").status, NotifyStatus::Unanswered);
    assert!(matches!(
        event(&store, "acknowledged").status,
        NotifyStatus::Acknowledged { ref by, .. } if by == "leitstelle"
    ));
}

#[tokio::test]
async fn a_reopened_store_sends_nothing_again() {
    let webhook = WebhookSink::start(0).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.redb");
    let contacts = vec![hook("erste", &webhook), hook("zweite", &webhook)];
    let now = [alert("a"), alert("b")];
    {
        let store = new_store(&dir);
        let notifier = Notifier::new(settings(contacts.clone(), None));
        notifier.run_once(&store, &[], T0_MS).await.unwrap();
        notifier
            .run_once(&store, &now, T0_MS + MINUTE_MS)
            .await
            .unwrap();
        assert_eq!(webhook.bodies().len(), 2);
    }
    let store = Mutex::new(Store::open(&path).unwrap());
    let notifier = Notifier::new(settings(contacts, None));
    for minute in 2..10 {
        let sent = notifier
            .run_once(&store, &now, T0_MS + minute * MINUTE_MS)
            .await
            .unwrap();
        assert_eq!(sent, 0, "minute {minute}");
    }
    assert_eq!(webhook.calls(), 2);
    // Escalation still counts from before the restart.
    notifier
        .run_once(&store, &now, T0_MS + 16 * MINUTE_MS)
        .await
        .unwrap();
    assert_eq!(webhook.calls(), 4);
    assert!(
        webhook.bodies()[2..]
            .iter()
            .all(|b| b["contact"] == "zweite")
    );
}

#[tokio::test]
async fn a_failing_webhook_is_retried_with_backoff_and_logged() {
    let webhook = WebhookSink::start(2).await;
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(&dir);
    let notifier = Notifier::new(settings(vec![hook("erste", &webhook)], None));
    notifier.run_once(&store, &[], T0_MS).await.unwrap();
    let now = [alert("a")];
    let t1 = T0_MS + MINUTE_MS;
    // (time, calls made by then): the first retry after 30 s, the second 60 s later.
    for (at, calls) in [
        (t1, 1),
        (t1 + RETRY_FIRST_MS - 1, 1),
        (t1 + RETRY_FIRST_MS, 2),
        (t1 + 3 * RETRY_FIRST_MS - 1, 2),
        (t1 + 3 * RETRY_FIRST_MS, 3),
        (t1 + 10 * RETRY_FIRST_MS, 3),
    ] {
        notifier.run_once(&store, &now, at).await.unwrap();
        assert_eq!(webhook.calls(), calls, "at +{} ms", at - t1);
    }
    assert_eq!(webhook.bodies().len(), 1);
    let log = event(&store, "a").log;
    let outcomes: Vec<bool> = log.iter().map(|line| line.ok).collect();
    assert_eq!(outcomes, [false, false, true], "{log:?}");
    assert!(log[0].detail.contains("500"), "{log:?}");
    assert_eq!(log[2].channel, "webhook");
}

#[tokio::test]
async fn a_round_sends_at_most_its_cap() {
    let webhook = WebhookSink::start(0).await;
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(&dir);
    let notifier = Notifier::new(settings(vec![hook("erste", &webhook)], None));
    notifier.run_once(&store, &[], T0_MS).await.unwrap();
    let many: Vec<NewAlert> = (0..SENDS_PER_RUN_MAX + 4)
        .map(|n| alert(&format!("r{n:02}")))
        .collect();
    let first = notifier.run_once(&store, &many, T0_MS + 1).await.unwrap();
    assert_eq!(first, SENDS_PER_RUN_MAX);
    let second = notifier.run_once(&store, &many, T0_MS + 2).await.unwrap();
    assert_eq!(second, 4);
    assert_eq!(webhook.bodies().len(), SENDS_PER_RUN_MAX + 4);
}

#[tokio::test]
async fn mail_logs_in_with_the_password_from_its_file() {
    let smtp = SmtpSink::start().await;
    let dir = tempfile::tempdir().unwrap();
    let password_file = dir.path().join("smtp-password");
    std::fs::write(&password_file, "geheim\n").unwrap();
    let config = NotifyConfig {
        contacts: vec![email("bereitschaft")],
        smtp_server: Some(smtp.address.to_string()),
        smtp_security: SmtpSecurity::None,
        smtp_from: Some("amtshilfe@kreis.test".to_owned()),
        smtp_user: Some("amtshilfe".to_owned()),
        smtp_password_file: Some(password_file),
        escalation_minutes: 15,
        unreachable_minutes: 60,
    };
    let settings = NotifySettings::from_config(&config, "Kreis Test").unwrap();
    assert!(
        !format!("{settings:?}").contains("geheim"),
        "the password stays out of logs"
    );
    let store = new_store(&dir);
    let notifier = Notifier::new(settings);
    notifier.run_once(&store, &[], T0_MS).await.unwrap();
    notifier
        .run_once(&store, &[alert("a")], T0_MS + 1)
        .await
        .unwrap();
    assert_eq!(smtp.mails().len(), 1);
    // "\0amtshilfe\0geheim" in base64: the password without its newline.
    assert_eq!(
        *smtp.logins.lock().unwrap(),
        ["AUTH PLAIN AGFtdHNoaWxmZQBnZWhlaW0=".to_owned()]
    );

    let missing = NotifyConfig {
        smtp_password_file: Some(dir.path().join("nowhere")),
        ..config
    };
    let error = NotifySettings::from_config(&missing, "Kreis Test").unwrap_err();
    assert!(error.to_string().contains("smtp_password_file"), "{error}");
}
