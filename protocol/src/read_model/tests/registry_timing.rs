//! Registry pages on a register of the scale benchmark's shape
//! (`tests/src/bench/scale.rs`: 50,000 equipment offers, quantity 1 to 20,
//! three categories), without HTTP or the lock: every case's indexed page
//! must be the scanned page (the property test covers small registers;
//! this one the deep offsets and sizes of the benchmark). It also prints
//! the time per page, to see which part of a query costs what; figures
//! mean something only in release:
//! `AMTSHILFE_REGISTRY_ROUNDS=200 cargo test --release -p amtshilfe-protocol registry_timing -- --nocapture`.
//! The pass/fail figures are the `scale` benchmark's rows.

use std::time::Instant;

use super::*;

const OWNERS: u8 = 250;
const PER_OWNER: usize = 200;
const PAGE: usize = 50;
const CATEGORIES: [&str; 3] = ["laptop", "desktop", "thin_client"];

fn register() -> ReadModel {
    let mut model = ReadModel::new();
    for owner in 1..=OWNERS {
        profile_of(
            &mut model,
            owner,
            profile(&format!("Kreis {owner}"), "06431"),
        );
        let named: Vec<(String, Offer)> = (0..PER_OWNER)
            .map(|n| {
                let quantity = 1 + (n % 20) as u32;
                (
                    format!("o-{n:06}"),
                    equipment_offer(CATEGORIES[n % 3], quantity),
                )
            })
            .collect();
        offers(
            &mut model,
            owner,
            named.iter().map(|(i, o)| (i.as_str(), o.clone())).collect(),
        );
    }
    model
}

#[test]
fn indexed_pages_equal_the_scan_at_the_benchmarks_scale() {
    // Rounds of timing per case: one (the check) unless asked for more.
    let rounds: usize = std::env::var("AMTSHILFE_REGISTRY_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1)
        .max(1);
    let model = register();
    let records = usize::from(OWNERS) * PER_OWNER;
    let laptops = model
        .registry_iter(&RegistryFilter {
            equipment_category: Some(CATEGORIES[0].into()),
            ..Default::default()
        })
        .count();
    let category = |c: &str| RegistryFilter {
        equipment_category: Some(c.into()),
        ..Default::default()
    };
    let cases: Vec<(&str, RegistryFilter, usize)> = vec![
        (
            "category=laptop&min_remaining=20",
            RegistryFilter {
                min_remaining: 20,
                ..category(CATEGORIES[0])
            },
            0,
        ),
        ("last page", RegistryFilter::default(), records - PAGE),
        (
            "min_remaining=1e9",
            RegistryFilter {
                min_remaining: 1_000_000_000,
                ..Default::default()
            },
            0,
        ),
        (
            "category=laptop, last page",
            category(CATEGORIES[0]),
            laptops - PAGE,
        ),
        (
            "role=lead",
            RegistryFilter {
                role: Some("lead".into()),
                ..Default::default()
            },
            0,
        ),
        (
            "skill=active_directory>=2",
            RegistryFilter {
                skill: Some(SkillLevel {
                    skill: "active_directory".into(),
                    level: 2,
                }),
                ..Default::default()
            },
            0,
        ),
        (
            "mode=remote",
            RegistryFilter {
                mode: Some(Mode::Remote),
                ..Default::default()
            },
            0,
        ),
        (
            "window before every validity",
            RegistryFilter {
                window: Some(TimeWindow {
                    start_ms: 0,
                    end_ms: 1_000,
                }),
                ..Default::default()
            },
            0,
        ),
        (
            "category=laptop&min_remaining=20, offset 500",
            RegistryFilter {
                min_remaining: 20,
                ..category(CATEGORIES[0])
            },
            500,
        ),
        (
            "category=laptop&min_remaining=20, last page",
            RegistryFilter {
                min_remaining: 20,
                ..category(CATEGORIES[0])
            },
            model
                .registry_iter(&RegistryFilter {
                    min_remaining: 20,
                    ..category(CATEGORIES[0])
                })
                .count()
                - PAGE,
        ),
        (
            "min_remaining=5, last page",
            RegistryFilter {
                min_remaining: 5,
                ..Default::default()
            },
            records * 16 / 20 - PAGE,
        ),
        (
            "region=Kreis 1 (one owner of 250 named so)",
            RegistryFilter {
                region: Some("kreis 1".into()),
                ..Default::default()
            },
            0,
        ),
    ];
    for (name, filter, offset) in cases {
        let mut scanned = model.registry_iter(&filter).skip(offset);
        let expected: Vec<_> = scanned.by_ref().take(PAGE).collect();
        let more = scanned.next().is_some();
        let mut times = Vec::with_capacity(rounds);
        for _ in 0..rounds {
            let started = Instant::now();
            let page = model.registry_page(&filter, offset, PAGE);
            times.push(started.elapsed().as_secs_f64() * 1e6);
            assert_eq!(page.entries, expected, "{name}");
            assert_eq!(page.more, more, "{name}");
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{name:50} {:3} offers  median {:8.1} µs  max {:8.1} µs",
            expected.len(),
            times[rounds / 2],
            times[rounds - 1]
        );
    }
}
