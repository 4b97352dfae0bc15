//! Erklärung zur Barrierefreiheit: the accessibility statement public
//! bodies publish (BITV 2.0 § 7). It says what is checked and how, what is
//! known not to be met, and whom to tell about a barrier. It is shown
//! without a login (a barrier may be what keeps someone from logging in),
//! so it never shows pact data: no members, offers or requests.

use maud::{DOCTYPE, html};

use crate::i18n::{Lang, Text};

/// The statement page; `contact` is the configured contact (empty: the
/// operator has not named one, and the page says so).
pub fn accessibility_statement(lang: Lang, contact: &str) -> String {
    let t = |key: Text| key.get(lang);
    let other = lang.other();
    let de = lang == Lang::De;
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (t(Text::StatementTitle)) " – amtshilfe" }
                link rel="stylesheet" href=(crate::assets::LOGIN_CSS_PATH);
            }
            body {
                main {
                    h1 { (t(Text::StatementTitle)) }
                    p { (t(Text::StatementScope)) }
                    h2 { (t(Text::StatementStateHeading)) }
                    p { (t(Text::StatementState)) }
                    h3 { (t(Text::StatementCheckedHeading)) }
                    ul {
                        @if de {
                            li { "Jede Seite des Browsertests (Anmeldung, Lagebild, Ressourcen mit jeder Angebotsart, Bearbeiten, Register, Hilfe anfordern, Anfrage mit Zusagen und Einsatzauftrag, Netzwerk, Verwaltung, diese Erklärung) wird bei jedem Testlauf automatisch mit axe-core gegen die Regeln der WCAG 2.1, Stufen A und AA, geprüft; jeder Verstoß lässt den Test scheitern." }
                            li { "Die Abläufe Anmelden, Anbieten, Hilfe anfordern, Zusagen, Annehmen und Abmelden werden allein mit der Tastatur getestet; jedes Element zeigt einen sichtbaren Fokus; ein Link „Zum Inhalt springen“ führt an der Navigation vorbei." }
                            li { "Bei 360 Pixel Breite und bei 200 % Vergrößerung muss keine Seite seitlich gescrollt werden." }
                            li { "Live-Aktualisierungen werden höflich angesagt (aria-live) und verschieben den Fokus nie." }
                            li { "Datumsangaben werden unabhängig von der Spracheinstellung des Browsers als TT.MM.JJJJ eingegeben und angezeigt, Uhrzeiten im 24-Stunden-Format." }
                        } @else {
                            li { "Every page of the browser test (login, situation, resources with every kind of offer, edit page, register, ask for help, request with pledges and mission order, network, administration, this statement) is checked automatically with axe-core against the WCAG 2.1 level A and AA rules on every test run; any violation fails the test." }
                            li { "Logging in, offering, asking for help, pledging, accepting and logging out are tested with the keyboard alone; every element shows a visible focus; a “Skip to content” link bypasses the navigation." }
                            li { "At 360 pixels wide and at 200 % zoom no page scrolls sideways." }
                            li { "Live updates are announced politely (aria-live) and never move the focus." }
                            li { "Dates are entered and shown as DD.MM.YYYY (ISO YYYY-MM-DD is accepted too) and times on the 24-hour clock, whatever the browser's language." }
                        }
                    }
                    h3 { (t(Text::StatementLimitsHeading)) }
                    ul {
                        @if de {
                            li { "Automatische Prüfungen finden nur einen Teil der möglichen Barrieren. Eine vollständige Prüfung nach BITV 2.0 durch Fachleute und Tests mit Screenreadern stehen aus." }
                            li { "Es gibt keine Inhalte in Leichter Sprache und keine Erläuterungen in Deutscher Gebärdensprache." }
                        } @else {
                            li { "Automated checks find only part of the possible barriers. A full BITV 2.0 audit by experts and tests with screen readers are still to be done." }
                            li { "There is no content in Easy Language and no explanation in German Sign Language." }
                        }
                    }
                    h2 { (t(Text::StatementPreparedHeading)) }
                    p { (t(Text::StatementPrepared)) }
                    h2 { (t(Text::StatementFeedbackHeading)) }
                    p { (t(Text::StatementFeedback)) }
                    @if contact.is_empty() {
                        p data-testid="statement-contact" { strong { (t(Text::StatementNoContact)) } }
                    } @else {
                        p data-testid="statement-contact" { (contact) }
                    }
                    h2 { (t(Text::StatementEnforcementHeading)) }
                    p { (t(Text::StatementEnforcement)) }
                    p { a href="/" { (t(Text::StatementBack)) } }
                    p { a href={ "/barrierefreiheit?lang=" (other.code()) } lang=(other.code()) { (Text::LanguageName.get(other)) } }
                }
            }
        }
    }
    .into_string()
}
