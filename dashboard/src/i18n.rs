//! Every text of the interface, German and English, by key, in this one
//! file. Catalogue labels (roles, equipment, …) come from the protocol's
//! catalogues, which carry both languages themselves.

use amtshilfe_protocol::catalogue::{CatalogueName, catalogues};

/// Interface language. German is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Deutsch.
    #[default]
    De,
    /// English.
    En,
}

impl Lang {
    /// `de` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::De => "de",
            Lang::En => "en",
        }
    }

    /// The language for a code; anything unknown is German.
    pub fn from_code(code: &str) -> Lang {
        if code == "en" { Lang::En } else { Lang::De }
    }

    /// The language to switch to.
    pub fn other(self) -> Lang {
        match self {
            Lang::De => Lang::En,
            Lang::En => Lang::De,
        }
    }
}

/// The label of catalogue entry `id`, or the id itself if unknown.
pub fn label(lang: Lang, name: CatalogueName, id: &str) -> String {
    catalogues().entry(name, id).map_or_else(
        || id.to_owned(),
        |entry| match lang {
            Lang::De => entry.de.clone(),
            Lang::En => entry.en.clone(),
        },
    )
}

/// A role of an operator account, in words.
pub fn role_label(lang: Lang, role: &str) -> &'static str {
    let (de, en) = match role {
        "admin" => ("Administration", "Administrator"),
        "it_lead" => ("IT-Leitung", "IT lead"),
        "requester" => ("Anfordernde Stelle", "Requester"),
        "security_officer" => ("Informationssicherheitsbeauftragte/r", "Security officer"),
        _ => ("Nur lesen", "Viewer"),
    };
    if lang == Lang::De { de } else { en }
}

macro_rules! texts {
    ($($key:ident => $de:literal, $en:literal;)*) => {
        /// A text of the interface.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Text { $(#[allow(missing_docs)] $key,)* }

        impl Text {
            /// Every text, for completeness checks.
            pub const ALL: &'static [Text] = &[$(Text::$key,)*];

            /// The text in `lang`.
            pub fn get(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Text::$key, Lang::De) => $de, (Text::$key, Lang::En) => $en,)*
                }
            }
        }
    };
}

texts! {
    Accept => "Annehmen", "Accept";
    AcceptanceNotSaved => "Die Annahme wurde nicht gespeichert.", "The acceptance was not saved.";
    Accepted => "Angenommen", "Accepted";
    AcceptedAt => "angenommen am", "accepted on";
    AccountActive => "aktiv", "active";
    AccountDisabled => "gesperrt", "disabled";
    AccountName => "Benutzername", "Account name";
    AccountsOwnRole => "Rolle des Kontos", "the account's role";
    Accounts => "Konten dieses Knotens", "Accounts of this node";
    Action => "Aktion", "Action";
    Actions => "Aktionen", "Actions";
    Addresses => "Adressen", "Addresses";
    ApiTokens => "API-Token", "API tokens";
    AuditLog => "Protokoll", "Audit log";
    AvailableCapacity => "Verfügbare Kapazität nach Art", "Available capacity by kind";
    AvailableFrom => "Verfügbar ab", "Available from";
    AvailableUntil => "Verfügbar bis", "Available until";
    AwaitingPledge => "Zusage noch nicht eingetroffen", "Pledge not yet received";
    Cancel => "Abbrechen", "Cancel";
    CasesPerWeek => "Fälle pro Woche", "Cases per week";
    Category => "Gerätekategorie", "Equipment category";
    CategoryIfEquipment => "Kategorie (bei Ausstattung)", "Category (equipment)";
    Certificates => "Zertifikate (durch Komma getrennt)", "Certificates (comma-separated)";
    ChangeRefused => "Die Änderung wurde nicht gespeichert.", "The change was not saved.";
    ChangeRole => "Rolle ändern", "Change role";
    Channels => "Kanäle", "Channels";
    DateHint => "TT.MM.JJJJ", "DD.MM.YYYY";
    CheckField => "Bitte prüfen Sie das Feld", "Please check the field";
    ChooseKind => "Art des Angebots", "Kind of offer";
    Clearance => "Sicherheitsüberprüfung", "Security clearance";
    Composition => "Zusammensetzung des Teams", "Team composition";
    ConnectedNow => "jetzt verbunden", "connected now";
    Contact => "Kontakt", "Contact";
    ContactEmail => "Funktionspostfach", "Functional mailbox";
    ContactPhone => "Telefon (Bereitschaft)", "Phone (on call)";
    ContactRole => "Bereitschaftsrolle", "On-call role";
    CostEstimate => "Kostenschätzung (EUR)", "Cost estimate (EUR)";
    Count => "Anzahl", "Count";
    CoverageHours => "Servicezeiten", "Coverage hours";
    CreateAccount => "Konto anlegen", "Create account";
    Created => "Angelegt", "Created";
    Detail => "Einzelheiten", "Detail";
    Disable => "Sperren", "Disable";
    DurationDays => "Einsatzdauer (Tage)", "Duration (days)";
    EarlierResults => "Vorherige Treffer", "Earlier results";
    ExportBoard => "Anfragen mit allen Bedarfen", "Requests with every need";
    Exports => "Herunterladen (Tabellen)", "Download (tables)";
    ExportsNote => "CSV mit Semikolon, UTF-8, für Tabellenprogramme; JSON für Skripte.", "CSV with semicolons, UTF-8, for spreadsheets; JSON for scripts.";
    Edit => "Bearbeiten", "Edit";
    Expires => "Gültig bis", "Valid until";
    EditOffer => "Angebot bearbeiten", "Edit offer";
    EmploymentBasis => "Personalüberlassung", "Employment basis";
    Enable => "Entsperren", "Enable";
    Free => "Frei", "Free";
    FromOffer => "Aus Angebot", "From offer";
    General => "Allgemein", "General";
    Helper => "Helfende Stelle", "Helper";
    HoursPerWeek => "Stunden pro Woche", "Hours per week";
    ImageState => "Image-Zustand", "Image state";
    SharePosture => "Sicherheitslage mit Helfenden teilen", "Share the security posture with helpers";
    SharePostureHint => "Nur Mitglieder mit einer Zusage zu dieser Anfrage sehen es, verschlüsselt für sie; nur Kennzeichen aus der eigenen Selbstauskunft, keine Antworten.", "Only members that pledged on this request see it, sealed to them; only flags from the self-assessment, no answers.";
    ShareNothing => "Nichts teilen", "Share nothing";
    ShareEligibility => "Anspruch auf den Incident-Response-Service", "Eligibility for the incident response service";
    ShareEligibilityAndFlags => "Anspruch und offene Warnzeichen", "Eligibility and red flags raised";
    SharePostureSave => "Freigabe speichern", "Save the choice";
    RequesterPosture => "Sicherheitslage der anfragenden Stelle", "The requester's security posture";
    RequesterPostureHint => "Von der anfragenden Stelle für Mitglieder mit Zusage freigegeben (nur Kennzeichen, keine Antworten), Stand", "Shared by the requester with members that pledged (flags only, no answers), as of";
    IrsEligible => "Anspruch auf den Incident-Response-Service des Landes", "Eligible for the state's incident response service";
    RedFlagsRaised => "Offene Warnzeichen", "Red flags raised";
    NoRedFlags => "Keine offenen Warnzeichen.", "No red flags raised.";
    CleanImage => "Sauberes Image (Bestätigung)", "Clean image (attestation)";
    CleanImageHint => "Wer die Geräte mit welchem Image neu aufgesetzt hat. Die Helfenden vergleichen den SHA-256-Wert mit dem Image, dem sie vertrauen, bevor sie ein Gerät anschließen. Alle Felder leer: keine Bestätigung.", "Who reimaged the devices with which image. Helpers compare the SHA-256 value with the image they trust before connecting a device. All fields empty: no attestation.";
    CleanImageBy => "Neu aufgesetzt von", "Imaged by";
    ImagedBy => "Aufgesetzt von (Name, Stelle)", "Imaged by (name, unit)";
    ImagedOn => "Aufgesetzt am", "Imaged on";
    ImageName => "Image-Name", "Image name";
    ImageSha256 => "SHA-256 des Images", "SHA-256 of the image";
    NoCleanImage => "ohne Image-Bestätigung", "no image attestation";
    Kind => "Art", "Kind";
    Label => "Bezeichnung", "Label";
    LanguageName => "Deutsch", "English";
    Languages => "Sprachen (Kürzel, z. B. de, en)", "Languages (codes, e.g. de, en)";
    LastSeen => "Zuletzt gesehen", "Last seen";
    LastSync => "Letzter Abgleich", "Last sync";
    Limitations => "Einschränkungen", "Limitations";
    Location => "Standort", "Location";
    Login => "Anmelden", "Log in";
    LoginIntro => "Bitte melden Sie sich mit Ihrem Konto dieses Knotens an.", "Please log in with your account on this node.";
    Logout => "Abmelden", "Log out";
    MaxDeploymentDays => "Höchste Einsatzdauer (Tage)", "Longest deployment (days)";
    MaxShiftHours => "Längste Schicht (Stunden)", "Longest shift (hours)";
    MayNotRequest => "Ihre Rolle darf keine Hilfe anfordern.", "Your role may not request help.";
    Member => "Mitglied", "Member";
    Members => "Mitglieder und Erreichbarkeit", "Members and reachability";
    Mission => "Auftrag des Teams", "Team mission";
    MissionOrder => "Einsatzauftrag", "Mission order";
    MissionOrders => "Einsatzaufträge", "Mission orders";
    MobilisationHours => "Vorlauf bis einsatzbereit (Stunden)", "Mobilisation (hours)";
    Mode => "Einsatzart", "Mode";
    MoreResults => "Weitere Treffer", "More results";
    NavAnfordern => "Hilfe anfordern", "Request help";
    NavLagebild => "Lagebild", "Situation";
    NavNetzwerk => "Netzwerk", "Network";
    NavRegister => "Register", "Registry";
    NavRessourcen => "Ressourcen", "Resources";
    NavVerwaltung => "Verwaltung", "Administration";
    Navigation => "Hauptnavigation", "Main navigation";
    Need => "Bedarf", "Need";
    NeededFrom => "Benötigt ab", "Needed from";
    NeededUntil => "Benötigt bis", "Needed until";
    Needs => "Bedarfe", "Needs";
    NeedsJumpHost => "Braucht einen sauberen Sprungserver", "Needs a clean jump host";
    NewAccount => "Neues Konto", "New account";
    NewOffer => "Neues Angebot", "New offer";
    Never => "unbegrenzt", "never";
    Newer => "Neuere", "Newer";
    No => "nein", "no";
    Notes => "Hinweise", "Notes";
    NothingHere => "Keine Einträge.", "No entries.";
    NotifyAckHint => "Meldungen an die Bereitschaft laut [notify] der Konfiguration. Bestätigen Sie eine Meldung mit POST /api/notifications/<Nr.>/ack (jedes angemeldete Konto); ohne Bestätigung wird nach der Eskalationszeit der nächste Kontakt benachrichtigt.", "Messages to the on-call contacts of [notify] in the configuration. Acknowledge one with POST /api/notifications/<no.>/ack (any signed-in account); without it, the next contact is told after the escalation time.";
    NotifyAcknowledged => "bestätigt von", "acknowledged by";
    NotifyBaseline => "vor Inbetriebnahme, nicht gesendet", "before the first start, not sent";
    NotifyLastDelivery => "Letzte Zustellung", "Last delivery";
    NotifyLog => "Benachrichtigungen an die Bereitschaft", "On-call notifications";
    NotifyNumber => "Nr.", "No.";
    NotifyOpen => "offen, wartet auf Bestätigung", "open, awaiting acknowledgement";
    NotifyState => "Stand", "State";
    NotifySubject => "Betreff", "Subject";
    NotifyUnanswered => "von niemandem bestätigt", "acknowledged by nobody";
    OfferNotSaved => "Das Angebot wurde nicht gespeichert.", "The offer was not saved.";
    Older => "Ältere", "Older";
    OnCall => "24/7-Rufbereitschaft", "On call 24/7";
    OpenForm => "Formular öffnen", "Open form";
    OpenRequests => "Offene Anfragen", "Open requests";
    OwnCommunications => "Eigene Kommunikation (LTE/Satellit)", "Own communications (LTE/satellite)";
    OwnOffers => "Eigene Angebote", "Own offers";
    OwnPeerId => "Peer-ID dieses Knotens", "This node's peer id";
    Page => "Seite", "Page";
    Password => "Passwort", "Password";
    PasswordOptional => "Passwort (mindestens 12 Zeichen; leer lassen, um eines zu erzeugen)", "Password (at least 12 characters; leave empty to generate one)";
    PasswordShownOnce => "Konto angelegt. Das erzeugte Passwort wird nur jetzt angezeigt –", "Account created. The generated password is shown only now –";
    Peers => "Gegenstellen", "Peers";
    Pending => "Wartend", "Pending";
    Pledge => "Zusagen", "Pledge";
    PledgeHeading => "Zusage abgeben", "Make a pledge";
    PledgeNotSaved => "Die Zusage wurde nicht gespeichert.", "The pledge was not saved.";
    PledgeStanding => "steht", "standing";
    PledgeWithdrawn => "zurückgezogen", "withdrawn";
    PledgeAccepted => "angenommen", "accepted";
    PledgeFinished => "abgeschlossen", "finished";
    PledgeDeclined => "abgelehnt", "declined";
    PledgeLapsed => "verfallen (nicht binnen 48 Stunden angenommen)", "lapsed (not accepted within 48 hours)";
    Pledged => "Zugesagt", "Pledged";
    Pledges => "Zusagen", "Pledges";
    Priority => "Priorität", "Priority";
    Quantity => "Menge", "Quantity";
    Reachable => "Erreichbar", "Reachable";
    Reason => "Grund", "Reason";
    Region => "Region (Name oder AGS-Anfang)", "Region (name or AGS prefix)";
    RejectedInputs => "Abgewiesene Eingänge nach Grund", "Refused inputs by reason";
    Forks => "Gabelungen", "Forks";
    ForksExplained => "Ein Gerät hat zwei verschiedene Änderungen mit derselben Nummer signiert. Beide bleiben als Beweis erhalten; ab dieser Nummer werden seine Änderungen auf jedem Knoten zurückgehalten. Das Gerät schreibt unter einer neuen Inkarnation weiter.", "A device signed two different changes with one number. Both are kept as evidence; from that number on its changes are held on every node. The device goes on writing under a new incarnation.";
    ForkDocument => "Dokument", "Document";
    ForkActor => "Akteur", "Actor";
    ForkHeldFrom => "Zurückgehalten ab Nr.", "Held from no.";
    ForkEvidence => "Beweis (Inhalts-Hashes)", "Evidence (content hashes)";
    ReleaseApproved => "Freistellung durch den Dienstherrn genehmigt", "Release approved by the employer";
    Request => "Anfrage", "Request";
    RequestNotOpen => "Diese Anfrage ist nicht mehr offen.", "This request is no longer open.";
    RequestNotSent => "Die Anfrage wurde nicht gesendet.", "The request was not sent.";
    Requested => "Angefordert", "Requested";
    Requester => "Anfordernd", "Requester";
    RequiredNote => "Felder mit * müssen ausgefüllt werden.", "Fields marked * are required.";
    RequiredSupport => "Benötigte Unterstützung vor Ort", "Support needed on site";
    ResponseMinutes => "Reaktionszeit (Minuten)", "Response time (minutes)";
    Results => "Treffer", "Results";
    Revoke => "Widerrufen", "Revoke";
    Role => "Rolle", "Role";
    RoleIfPerson => "Rolle (bei Person)", "Role (person)";
    SaveOffer => "Angebot speichern", "Save offer";
    Search => "Suchen", "Search";
    SelfSufficiencyHours => "Autark für (Stunden)", "Self-sufficient for (hours)";
    SendRequest => "Anfrage senden", "Send request";
    Service => "Dienstleistung (z. B. Melde- und Passwesen)", "Service (e.g. civil registration)";
    SetupHours => "Rüstzeit (Stunden)", "Setup (hours)";
    Situation => "Lage", "Situation";
    Skill => "Fähigkeit", "Skill";
    SkillLevel => "Stufe", "Level";
    Skills => "Fähigkeiten", "Skills";
    SkipToContent => "Zum Inhalt springen", "Skip to content";
    State => "Zustand", "State";
    Status => "Status", "Status";
    StatusAssigned => "im Einsatz", "assigned";
    StatusAvailable => "verfügbar", "available";
    StatusOutOfService => "zurückgezogen", "withdrawn";
    StatusReserved => "zurückgehalten", "reserved";
    StatementBack => "Zum Lagebild (oder zur Anmeldung)", "To the situation (or to the login)";
    StatementCheckedHeading => "Was geprüft wird", "What is checked";
    StatementEnforcement => "Wenn Sie auf Ihre Rückmeldung innerhalb von sechs Wochen keine zufriedenstellende Antwort erhalten, können Sie sich an die Durchsetzungs- oder Schlichtungsstelle für digitale Barrierefreiheit Ihres Landes wenden.", "If you receive no satisfactory answer to your report within six weeks, you can turn to the enforcement or conciliation body for digital accessibility of your federal state.";
    StatementEnforcementHeading => "Durchsetzungsverfahren", "Enforcement procedure";
    StatementFeedback => "Wenn Ihnen Barrieren auffallen oder Sie Informationen in einer anderen Form brauchen, wenden Sie sich bitte an:", "If you come across a barrier or need information in another form, please contact:";
    StatementFeedbackHeading => "Barrieren melden: Kontakt", "Report a barrier: contact";
    StatementLimitsHeading => "Was noch nicht erfüllt oder nicht geprüft ist", "What is not yet met or not checked";
    StatementNoContact => "Der Betreiber dieses Knotens hat noch keinen Kontakt eingetragen (Einstellung accessibility_contact in der Konfiguration).", "The operator of this node has not named a contact yet (setting accessibility_contact in the configuration).";
    StatementPrepared => "Diese Erklärung beruht auf einer Selbstbewertung: den automatischen Prüfungen und Tastaturtests, die bei jedem Testlauf der Software laufen.", "This statement is based on a self-assessment: the automated checks and keyboard tests that run with every test run of the software.";
    StatementPreparedHeading => "Erstellung dieser Erklärung", "How this statement was prepared";
    StatementScope => "Diese Erklärung gilt für die Weboberfläche dieses amtshilfe-Knotens. Öffentliche Stellen müssen ihre Oberflächen nach der Barrierefreie-Informationstechnik-Verordnung (BITV 2.0) barrierefrei gestalten; sie verweist auf die WCAG 2.1, Stufe AA.", "This statement applies to the web interface of this amtshilfe node. Public bodies in Germany must make their interfaces accessible under the BITV 2.0 regulation, which refers to WCAG 2.1 level AA.";
    StatementState => "Diese Oberfläche ist mit den Anforderungen der BITV 2.0 teilweise vereinbar: die automatisch prüfbaren Regeln der WCAG 2.1 (A und AA) sind auf allen geprüften Seiten erfüllt; die unten genannten Punkte sind noch offen.", "This interface is partially compliant with the BITV 2.0: the automatically checkable rules of WCAG 2.1 (A and AA) are met on every checked page; the points below are still open.";
    StatementStateHeading => "Stand der Vereinbarkeit", "Compliance status";
    StatementTitle => "Erklärung zur Barrierefreiheit", "Accessibility statement";
    StillOpen => "Noch offen", "Still open";
    Suggestions => "Passende Angebote", "Matching offers";
    ThisNode => "dieser Knoten", "this node";
    Title => "Titel", "Title";
    Tools => "Werkzeuge (durch Komma getrennt)", "Tools (comma-separated)";
    Transport => "Transport", "Transport";
    TravelRadius => "Reiseradius (km)", "Travel radius (km)";
    Updated => "Aktualisiert um", "Updated at";
    ValidFrom => "Gültig ab", "Valid from";
    ValidUntil => "Gültig bis", "Valid until";
    Week => "Woche", "week";
    What => "Was", "What";
    When => "Zeitpunkt", "When";
    WipedOnReturn => "Wird bei Rückgabe gelöscht", "Wiped on return";
    Withdraw => "Zurückziehen", "Withdraw";
    Yes => "ja", "yes";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_has_both_languages() {
        for text in Text::ALL {
            assert!(
                !text.get(Lang::De).is_empty() && !text.get(Lang::En).is_empty(),
                "{text:?}"
            );
        }
        assert_eq!(Lang::from_code("en"), Lang::En);
        assert_eq!(Lang::from_code("xx"), Lang::De);
        assert_eq!(
            label(Lang::De, CatalogueName::EquipmentCategory, "laptop"),
            "Notebook"
        );
        assert_eq!(
            label(Lang::En, CatalogueName::EquipmentCategory, "laptop"),
            "Laptop"
        );
    }
}
