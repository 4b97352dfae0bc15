use super::*;

fn origin() -> &'static Path {
    Path::new("test.toml")
}

#[test]
fn the_example_parses_to_the_defaults() {
    let parsed = Config::parse(&Config::example(), origin()).unwrap();
    assert_eq!(
        parsed,
        Config::with_defaults("/var/lib/amtshilfe", "Kreis Beispiel")
    );
}

#[test]
fn the_example_names_every_field() {
    let config = Config::with_defaults("/d", "m");
    let table: toml::Table = toml::from_str(&toml::to_string(&config).unwrap()).unwrap();
    let example = Config::example();
    for key in table.keys() {
        assert!(
            example.contains(&format!("\n{key} = ")),
            "the example lacks `{key}`"
        );
    }
}

#[test]
fn only_required_fields_give_the_defaults() {
    let text = "data_dir = \"/srv/a\"\nmember_name = \"Stadt A\"\n";
    assert_eq!(
        Config::parse(text, origin()).unwrap(),
        Config::with_defaults("/srv/a", "Stadt A")
    );
}

#[test]
fn an_unknown_field_names_file_line_and_field() {
    let text = "data_dir = \"/srv/a\"\nmember_name = \"Stadt A\"\nsync_intervall = 10\n";
    let error = Config::parse(text, origin()).unwrap_err().to_string();
    assert!(error.contains("test.toml"), "{error}");
    assert!(error.contains("line 3"), "{error}");
    assert!(error.contains("sync_intervall"), "{error}");
}

#[test]
fn a_wrong_type_names_the_line() {
    let text = "data_dir = \"/srv/a\"\nmember_name = \"Stadt A\"\nmdns = \"yes\"\n";
    let error = Config::parse(text, origin()).unwrap_err().to_string();
    assert!(error.contains("line 3"), "{error}");
}

#[test]
fn a_missing_required_field_is_named() {
    let error = Config::parse("data_dir = \"/srv/a\"\n", origin())
        .unwrap_err()
        .to_string();
    assert!(error.contains("member_name"), "{error}");
}

#[test]
fn values_out_of_range_name_the_field() {
    let base = "data_dir = \"/srv/a\"\nmember_name = \"Stadt A\"\n";
    for (extra, field) in [
        ("sync_interval_secs = 1", "sync_interval_secs"),
        ("listen_addresses = []", "listen_addresses"),
        (
            "bootstrap_addresses = [\"example.org:4100\"]",
            "bootstrap_addresses",
        ),
        ("log_filter = \" \"", "log_filter"),
    ] {
        let error = Config::parse(&format!("{base}{extra}\n"), origin()).unwrap_err();
        assert!(
            matches!(&error, ConfigError::Invalid { field: f, .. } if *f == field),
            "{extra}: {error}"
        );
        assert!(error.to_string().contains(field));
    }
    let blank_name = "data_dir = \"/srv/a\"\nmember_name = \"  \"\n";
    assert!(matches!(
        Config::parse(blank_name, origin()),
        Err(ConfigError::Invalid {
            field: "member_name",
            ..
        })
    ));
}

#[test]
fn load_resolves_a_relative_data_dir_and_names_a_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("amtshilfe.toml");
    std::fs::write(&path, "data_dir = \"data\"\nmember_name = \"Stadt A\"\n").unwrap();
    let config = Config::load(&path).unwrap();
    assert_eq!(config.data_dir, dir.path().join("data"));

    let missing = dir.path().join("missing.toml");
    let error = Config::load(&missing).unwrap_err();
    assert!(matches!(error, ConfigError::Read { .. }));
    assert!(error.to_string().contains("missing.toml"));
}

#[test]
fn an_oversized_file_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.toml");
    std::fs::write(&path, vec![b'#'; CONFIG_FILE_BYTES_MAX as usize + 1]).unwrap();
    assert!(matches!(
        Config::load(&path),
        Err(ConfigError::TooLarge { .. })
    ));
}

/// The `[notify]` example in the file's comments, uncommented.
fn notify_example() -> String {
    let example = Config::example();
    let start = example.find("#   [notify]").unwrap();
    let section: String = example[start..]
        .lines()
        .map(|line| line.trim_start_matches("#   "))
        .collect::<Vec<_>>()
        .join("\n");
    format!("data_dir = \"/srv/a\"\nmember_name = \"Stadt A\"\n{section}\n")
}

#[test]
fn the_notify_example_parses() {
    let config = Config::parse(&notify_example(), origin()).unwrap();
    let notify = config.notify.unwrap();
    assert_eq!(notify.contacts.len(), 2);
    assert_eq!(notify.smtp_security, SmtpSecurity::Starttls);
    assert_eq!(notify.escalation_minutes, 15);
    assert_eq!(notify.contacts[1].webhook, None);
}

#[test]
fn bad_notify_values_name_the_field() {
    let good = notify_example();
    for (from, to, field) in [
        (
            "escalation_minutes = 15",
            "escalation_minutes = 0",
            "notify.escalation_minutes",
        ),
        (
            "unreachable_minutes = 60",
            "unreachable_minutes = 1",
            "notify.unreachable_minutes",
        ),
        (":587\"", "\"", "notify.smtp_server"),
        (
            "webhook = \"https://",
            "webhook = \"ftp://",
            "notify.contacts.webhook",
        ),
        (
            "email = \"krisenstab@",
            "email = \"krisenstab-at-",
            "notify.contacts.email",
        ),
        (
            "smtp_from = \"amtshilfe@kreis-beispiel.example\"",
            "",
            "notify.smtp_server",
        ),
        (
            "smtp_password_file = \"/etc",
            "smtp_password_file = \"etc",
            "notify.smtp_password_file",
        ),
        ("smtp_user = \"amtshilfe\"", "", "notify.smtp_password_file"),
    ] {
        assert!(good.contains(from), "{from}");
        let text = good.replacen(from, to, 1);
        let error = Config::parse(&text, origin()).unwrap_err();
        assert!(
            matches!(&error, ConfigError::Invalid { field: f, .. } if *f == field),
            "{to}: {error}"
        );
    }
}
