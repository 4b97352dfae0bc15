//! The Netzwerk page's bundle upload: admins only, CSRF as every form,
//! the same ingress as `POST /api/bundle`, and hostile files (truncated,
//! of another pact, tampered, oversized) refused with their reason and
//! nothing applied.

use amtshilfe_protocol::bundle::Bundle;
use amtshilfe_protocol::membership::{EntryBody, EntryKind, Proposal, SignedEntry};

use super::client::Answer;
use super::*;
use crate::http::UPLOAD_BYTES_MAX;

const UPLOAD: &str = "/netzwerk/buendel";
const BOUNDARY: &str = "----amtshilfe-test-boundary";

/// A multipart form as a browser sends it: the CSRF field (if any) first,
/// then the file.
fn form(csrf: Option<&str>, file: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    if let Some(csrf) = csrf {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"bundle\"; \
             filename=\"pakt.bundle\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

impl TestNode {
    async fn upload(&self, session: &str, body: Vec<u8>) -> Answer {
        self.send(
            Request::post(UPLOAD)
                .header(header::COOKIE, session)
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={BOUNDARY}"),
                ),
            Body::from(body),
        )
        .await
    }

    /// Member B's offer as a bundle B exported; node A has not seen it.
    fn other_bundle(&mut self) -> Bundle {
        self.other_envelope(RecordKey::offer(id("o-usb")), laptops(4));
        self.other.replica.export_bundle(None, Vec::new()).unwrap()
    }
}

#[tokio::test]
async fn an_admin_uploads_a_bundle_and_sees_what_was_taken_and_refused() {
    let mut node = TestNode::new();
    node.add_account("chefin", Role::Admin, true);
    let (admin, csrf) = node.login_page("chefin").await;
    let page = node.page(&admin, "/netzwerk").await;
    assert!(
        page.contains("enctype=\"multipart/form-data\"") && page.contains(UPLOAD),
        "admins get the upload form"
    );

    let mut bundle = node.other_bundle();
    // A well-signed proposal by a key that is no member: ingress refuses
    // it on its merits, the rest of the bundle applies.
    let stranger = KeyPair::from_seed([99; 32]);
    let body = EntryBody {
        pact: Some(bundle.pact),
        parents: node.core.lock().replica().membership().heads(),
        issued_at_ms: T0_MS,
        kind: EntryKind::Propose(Proposal::Add {
            key: stranger.public(),
            name: "Niemand".into(),
        }),
    };
    bundle.entries.push(SignedEntry::sign(body, &[&stranger]));
    let answer = node
        .upload(&admin, form(Some(&csrf), &bundle.to_bytes().unwrap()))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(answer.body.contains("Bündel eingelesen"), "{}", answer.body);
    assert!(
        answer.body.contains("Neue Änderungen: 1"),
        "{}",
        answer.body
    );
    assert!(
        answer.body.contains("unknown_author"),
        "the refused entry is listed with its reason: {}",
        answer.body
    );
    let offers = node.get("/api/registry").await.1;
    assert!(
        offers.to_string().contains("o-usb"),
        "the bundle's offer is in the registry: {offers}"
    );
}

#[tokio::test]
async fn truncated_foreign_and_tampered_bundles_are_refused_whole_and_change_nothing() {
    let mut node = TestNode::new();
    node.add_account("chefin", Role::Admin, true);
    let (admin, csrf) = node.login_page("chefin").await;
    let bundle = node.other_bundle();
    let bytes = bundle.to_bytes().unwrap();
    let before = node.digest();

    let truncated = node
        .upload(&admin, form(Some(&csrf), &bytes[..bytes.len() - 7]))
        .await;
    assert_eq!(truncated.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        truncated.body.contains("nichts übernommen"),
        "{}",
        truncated.body
    );
    assert!(truncated.body.contains("bundle_"), "{}", truncated.body);

    let key = KeyPair::from_seed([41; 32]);
    let other_pact = Replica::new(MembershipLog::charter(
        "Anderer Pakt",
        &[(&key, "Kreis X")],
        T0_MS,
    ))
    .unwrap()
    .export_bundle(None, Vec::new())
    .unwrap();
    let foreign = node
        .upload(&admin, form(Some(&csrf), &other_pact.to_bytes().unwrap()))
        .await;
    assert_eq!(foreign.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(foreign.body.contains("wrong_pact"), "{}", foreign.body);

    let mut tampered = bundle.clone();
    let last = tampered.envelopes.len() - 1;
    let mut envelope_bytes = tampered.envelopes[last].to_bytes();
    let n = envelope_bytes.len();
    envelope_bytes[n - 1] ^= 1;
    match Envelope::from_bytes(&envelope_bytes) {
        Ok(envelope) => {
            tampered.envelopes[last] = envelope;
            let answer = node
                .upload(&admin, form(Some(&csrf), &tampered.to_bytes().unwrap()))
                .await;
            assert_eq!(
                answer.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{}",
                answer.body
            );
            assert!(
                answer.body.contains("bundle_items_refused"),
                "{}",
                answer.body
            );
        }
        Err(_) => panic!("flipping the signature's last bit keeps the envelope decodable"),
    }

    // Larger than a JSON body: the CSRF field is still found (it comes
    // first) and the file reaches the bundle's own checks.
    let large = vec![7u8; 4 * crate::http::API_BODY_BYTES_MAX];
    let garbage = node.upload(&admin, form(Some(&csrf), &large)).await;
    assert_eq!(
        garbage.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        garbage.body
    );
    assert!(garbage.body.contains("bundle"), "{}", garbage.body);

    let empty = node.upload(&admin, form(Some(&csrf), b"")).await;
    assert_eq!(
        empty.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        empty.body
    );
    assert_eq!(node.digest(), before, "nothing of a refused bundle applies");
}

#[tokio::test]
async fn uploads_need_an_admin_the_csrf_field_and_a_body_under_the_cap() {
    let mut node = TestNode::new();
    let bytes = node.other_bundle().to_bytes().unwrap();
    let before = node.digest();
    node.add_account("leser", Role::Viewer, true);
    let (viewer, viewer_csrf) = node.login_page("leser").await;
    let page = node.page(&viewer, "/netzwerk").await;
    assert!(!page.contains(UPLOAD), "readers get no upload form");
    let denied = node.upload(&viewer, form(Some(&viewer_csrf), &bytes)).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN, "{}", denied.body);

    node.add_account("chefin", Role::Admin, true);
    let (admin, csrf) = node.login_page("chefin").await;
    let forged = node.upload(&admin, form(None, &bytes)).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    assert!(
        forged.body.contains("did not come from this site"),
        "{}",
        forged.body
    );
    let wrong = node.upload(&admin, form(Some("falsch"), &bytes)).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN, "{}", wrong.body);

    // Declared larger than a bundle can be: refused before it is read.
    let oversized = node
        .send(
            Request::post(UPLOAD)
                .header(header::COOKIE, &admin)
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={BOUNDARY}"),
                )
                .header(header::CONTENT_LENGTH, (UPLOAD_BYTES_MAX + 1).to_string()),
            Body::from(form(Some(&csrf), &bytes)),
        )
        .await;
    assert_eq!(
        oversized.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        oversized.body
    );
    // A reader's multipart body is capped like a JSON body, whatever path.
    let big = vec![0u8; crate::http::API_BODY_BYTES_MAX + 1];
    let capped = node.upload(&viewer, form(Some(&viewer_csrf), &big)).await;
    assert_eq!(
        capped.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        capped.body
    );

    let not_a_form = node
        .send(
            Request::post(UPLOAD)
                .header(header::COOKIE, &admin)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded"),
            Body::from(format!("csrf={csrf}&bundle=x")),
        )
        .await;
    assert_eq!(
        not_a_form.status,
        StatusCode::BAD_REQUEST,
        "{}",
        not_a_form.body
    );
    assert_eq!(node.digest(), before, "nothing applied");
}
