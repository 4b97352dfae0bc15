//! `GET /api/exports/{file}`: the registry, the request board and the
//! mission orders as CSV for German spreadsheets and as JSON.

use super::*;

#[tokio::test]
async fn the_registry_downloads_as_csv_with_bom_german_headers_and_the_offer() {
    let mut node = TestNode::new();
    let offer = node
        .created("/api/offers", laptops(20), StatusCode::CREATED)
        .await;
    let (status, content_type, bytes) = node
        .raw(Method::GET, "/api/exports/registry.csv", None, "")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "text/csv; charset=utf-8");
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.starts_with('\u{feff}'), "UTF-8 with BOM");
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').split("\r\n").collect();
    assert!(lines[0].starts_with("Mitglied;Mitglieds-ID;Angebots-ID;Art;Titel;Status;Anzahl"));
    let row: Vec<&str> = lines[1].split(';').collect();
    // No profile yet: the name in the membership log.
    assert_eq!(row[0], "Kreis Bergstraße");
    assert_eq!(row[1], node.me().to_string());
    assert_eq!(row[2], offer.as_str());
    assert_eq!(
        &row[3..7],
        ["equipment", "Notebooks, sauber", "available", "20"]
    );
    assert_eq!(row[12], "'+49 6252 15-0", "a leading + is defused");
    assert_eq!(lines[2], "", "one offer, then the final CRLF");
}

#[tokio::test]
async fn board_and_missions_export_as_json_and_unknown_files_are_404() {
    let node = TestNode::new();
    let (status, board) = node.get("/api/exports/board.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(board, json!([]));
    let (status, _, bytes) = node
        .raw(Method::GET, "/api/exports/missions.csv", None, "")
        .await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.starts_with("\u{feff}Auftrags-ID;Anfragendes Mitglied;Helfendes Mitglied"));
    let (status, answer) = node.get("/api/exports/accounts.csv").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(answer["error"]["code"], "export_not_found");
}
