use super::*;

const FAILED: Option<Outcome> = Some(Outcome::Failed {
    account_exists: true,
});

fn fail(limiter: &mut Limiter, account: &str, address: &str, now_ms: i64) {
    limiter.start(account, address, now_ms).unwrap();
    limiter.end(account, address, now_ms, FAILED);
}

#[test]
fn delays_double_up_to_the_cap() {
    assert_eq!(delay_ms(0, 3), 0);
    assert_eq!(delay_ms(2, 3), 0);
    assert_eq!(delay_ms(3, 3), LOGIN_DELAY_FIRST_MS);
    assert_eq!(delay_ms(4, 3), 2 * LOGIN_DELAY_FIRST_MS);
    assert_eq!(delay_ms(1_000, 3), LOGIN_DELAY_MAX_MS);
}

#[test]
fn failures_slow_the_pair_down_and_no_one_else() {
    let mut limiter = Limiter::default();
    for _ in 0..PAIR_FREE_FAILURES {
        fail(&mut limiter, "admin", "10.0.0.66", 0);
    }
    assert_eq!(
        limiter.start("admin", "10.0.0.66", 10),
        Err(LOGIN_DELAY_FIRST_MS - 10)
    );
    // The operator at another address, and another account at the
    // stranger's address, are not slowed.
    limiter.start("admin", "127.0.0.1", 10).unwrap();
    limiter.end("admin", "127.0.0.1", 10, Some(Outcome::Success));
    limiter.start("anna", "10.0.0.66", 10).unwrap();
    limiter.end("anna", "10.0.0.66", 10, None);
    // After the delay one more try; its failure doubles the delay.
    fail(&mut limiter, "admin", "10.0.0.66", LOGIN_DELAY_FIRST_MS);
    assert_eq!(
        limiter.start("admin", "10.0.0.66", LOGIN_DELAY_FIRST_MS + 1),
        Err(2 * LOGIN_DELAY_FIRST_MS - 1)
    );
    // A success clears the pair.
    let later = 3 * LOGIN_DELAY_FIRST_MS;
    limiter.start("admin", "10.0.0.66", later).unwrap();
    limiter.end("admin", "10.0.0.66", later, Some(Outcome::Success));
    limiter.start("admin", "10.0.0.66", later).unwrap();
}

#[test]
fn abandoned_attempts_leave_nothing_behind() {
    let limiter = Arc::new(Mutex::new(Limiter::default()));
    for _ in 0..10 {
        let attempt = Attempt::start(limiter.clone(), "admin", "10.0.0.66", 0).unwrap();
        drop(attempt);
    }
    assert!(lock(&limiter).is_empty());
    let attempt = Attempt::start(limiter.clone(), "admin", "10.0.0.66", 0).unwrap();
    // A second one of the same pair waits while the first runs ...
    assert_eq!(
        Attempt::start(limiter.clone(), "admin", "10.0.0.66", 0).map(drop),
        Err(IN_FLIGHT_RETRY_MS)
    );
    attempt.finish(Outcome::Success, 0);
    // ... and not after it ended.
    assert!(Attempt::start(limiter.clone(), "admin", "10.0.0.66", 0).is_ok());
}

#[test]
fn one_address_trying_many_accounts_slows_down() {
    let mut limiter = Limiter::default();
    for n in 0..ADDRESS_FREE_FAILURES {
        fail(&mut limiter, &format!("a{n}"), "10.0.0.66", 0);
    }
    assert_eq!(
        limiter.start("fresh", "10.0.0.66", 0),
        Err(LOGIN_DELAY_FIRST_MS)
    );
    assert!(limiter.start("fresh", "10.0.0.1", 0).is_ok());
}

#[test]
fn many_addresses_slow_down_strangers_but_not_known_operators() {
    let mut limiter = Limiter::default();
    limiter.start("admin", "192.0.2.1", 0).unwrap();
    limiter.end("admin", "192.0.2.1", 0, Some(Outcome::Success));
    for n in 0..ACCOUNT_FREE_FAILURES {
        fail(
            &mut limiter,
            "admin",
            &format!("10.0.{}.{}", n / 256, n % 256),
            1,
        );
    }
    // A fresh stranger waits, and one stranger's attempt per delay passes.
    assert_eq!(
        limiter.start("admin", "10.9.9.9", 2),
        Err(LOGIN_DELAY_FIRST_MS - 1)
    );
    let due = 1 + LOGIN_DELAY_FIRST_MS;
    limiter.start("admin", "10.9.9.9", due).unwrap();
    assert!(limiter.start("admin", "10.9.9.8", due).is_err());
    // The operator's known address is never slowed by them.
    assert!(limiter.start("admin", "192.0.2.1", 2).is_ok());
    // Made-up account names get no account-wide counter.
    for n in 0..ACCOUNT_FREE_FAILURES + 5 {
        let address = format!("10.1.{}.{}", n / 256, n % 256);
        limiter.start("niemand", &address, 1).unwrap();
        limiter.end(
            "niemand",
            &address,
            1,
            Some(Outcome::Failed {
                account_exists: false,
            }),
        );
    }
    assert!(limiter.start("niemand", "10.9.9.9", 2).is_ok());
}

#[test]
fn fresh_addresses_cannot_evict_a_slowed_pair_cheaply() {
    let mut limiter = Limiter::default();
    for _ in 0..PAIR_FREE_FAILURES {
        fail(&mut limiter, "admin", "10.0.0.66", 0);
    }
    // Other keys, all newer than the slowed pair, fill the map.
    for n in 0..LOGIN_LIMIT_KEYS_MAX + 5 {
        let address = format!("ip{n}");
        limiter.start("x", &address, 1).unwrap();
        let made_up = Some(Outcome::Failed {
            account_exists: false,
        });
        limiter.end("x", &address, 1, made_up);
    }
    assert!(limiter.pairs.by_key.len() <= LOGIN_LIMIT_KEYS_MAX);
    assert!(limiter.addresses.by_key.len() <= LOGIN_LIMIT_KEYS_MAX);
    assert!(limiter.len() <= 2 * LOGIN_LIMIT_KEYS_MAX + 2);
    // The fresh keys evicted each other, not the slowed pair.
    assert!(limiter.start("admin", "10.0.0.66", 2).is_err());
}

#[test]
fn failures_are_forgotten_after_a_quiet_day() {
    let mut limiter = Limiter::default();
    for _ in 0..PAIR_FREE_FAILURES + 10 {
        limiter.end("admin", "10.0.0.66", 0, FAILED);
    }
    assert!(
        limiter
            .start("admin", "10.0.0.66", LOGIN_DELAY_MAX_MS - 1)
            .is_err()
    );
    assert!(limiter.start("admin", "10.0.0.66", LOGIN_FORGET_MS).is_ok());
}
