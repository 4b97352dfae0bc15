//! Registry queries, remaining quantities, document replacement.

use super::*;

#[test]
fn registry_filters_offers() {
    let mut model = ReadModel::new();
    let mut reserved = equipment_offer("laptop", 3);
    reserved.status = OfferStatus::Reserved;
    offers(
        &mut model,
        HELPER,
        vec![
            ("o1", equipment_offer("laptop", 20)),
            ("o2", person_offer("forensics", Mode::Both)),
            ("o3", remote_offer()),
            ("o4", reserved),
        ],
    );
    offers(
        &mut model,
        OTHER,
        vec![
            ("o1", person_offer("lead", Mode::Onsite)),
            ("o2", team_offer()),
            ("o3", equipment_offer("lte_router", 2)),
        ],
    );
    let query = |filter: RegistryFilter| ids_of(&model.registry(&filter));
    assert_eq!(
        query(RegistryFilter::default()),
        ["2/o1", "2/o2", "2/o3", "3/o1", "3/o2", "3/o3"],
        "available only, by owner then id"
    );
    let any_status = RegistryFilter {
        status: None,
        ..Default::default()
    };
    assert_eq!(query(any_status).len(), 7);
    let persons = RegistryFilter {
        kind: Some(OfferKind::Person),
        ..Default::default()
    };
    assert_eq!(query(persons), ["2/o2", "3/o1"]);
    let leads = RegistryFilter {
        role: Some("lead".into()),
        ..Default::default()
    };
    assert_eq!(query(leads), ["3/o1", "3/o2"], "a team with a lead counts");
    let expert_ad = RegistryFilter {
        skill: Some(SkillLevel {
            skill: "active_directory".into(),
            level: 3,
        }),
        ..Default::default()
    };
    assert_eq!(
        query(expert_ad),
        ["2/o3"],
        "the person has AD at level 2 only"
    );
    let any_ad = RegistryFilter {
        skill: Some(SkillLevel {
            skill: "active_directory".into(),
            level: 1,
        }),
        ..Default::default()
    };
    assert_eq!(query(any_ad), ["2/o2", "2/o3", "3/o1"]);
    let remote = RegistryFilter {
        mode: Some(Mode::Remote),
        ..Default::default()
    };
    assert_eq!(
        query(remote),
        ["2/o2", "2/o3"],
        "a both-mode person serves remote"
    );
    let onsite_persons = RegistryFilter {
        mode: Some(Mode::Onsite),
        kind: Some(OfferKind::Person),
        ..Default::default()
    };
    assert_eq!(query(onsite_persons), ["2/o2", "3/o1"]);
    let routers = RegistryFilter {
        equipment_category: Some("lte_router".into()),
        ..Default::default()
    };
    assert_eq!(query(routers), ["3/o3"]);
    let many = RegistryFilter {
        min_remaining: 3,
        ..Default::default()
    };
    assert_eq!(query(many), ["2/o1"]);
    let of_other = RegistryFilter {
        owner: Some(member(OTHER)),
        ..Default::default()
    };
    assert_eq!(query(of_other).len(), 3);
    // Persons are available from day 1 to day 10 only.
    let late = RegistryFilter {
        window: Some(TimeWindow {
            start_ms: T0_MS + 20 * DAY_MS,
            end_ms: T0_MS + 21 * DAY_MS,
        }),
        ..Default::default()
    };
    assert_eq!(query(late), ["2/o1", "2/o3", "3/o2", "3/o3"]);
    let before_validity = RegistryFilter {
        window: Some(TimeWindow {
            start_ms: 0,
            end_ms: T0_MS,
        }),
        ..Default::default()
    };
    assert!(query(before_validity).is_empty());
}

#[test]
fn registry_shows_owner_profile() {
    let mut model = ReadModel::new();
    offers(
        &mut model,
        HELPER,
        vec![("o1", equipment_offer("laptop", 2))],
    );
    assert_eq!(
        model.registry(&RegistryFilter::default())[0].owner_name,
        None
    );
    profile_of(&mut model, HELPER, profile("Kreis Offenbach", "06438"));
    let entry = model.offer(&address(HELPER, "o1")).unwrap();
    assert_eq!(entry.owner_name, Some("Kreis Offenbach"));
    assert_eq!(entry.owner_ags, Some("06438"));
    assert_eq!(model.profiles().count(), 1);
}

#[test]
fn remaining_quantity_follows_pledges_and_acceptances() {
    let mut model = ReadModel::new();
    offers(
        &mut model,
        HELPER,
        vec![("o1", equipment_offer("laptop", 20))],
    );
    let o1 = address(HELPER, "o1");
    assert_eq!(model.remaining_quantity(&o1), Some(20));

    let requester = member(REQUESTER);
    let mut p1 = pledge(requester, "r1", "n1", Some("o1"), 5);
    let p2 = pledge(requester, "r1", "n1", Some("o1"), 3);
    pledges(
        &mut model,
        HELPER,
        vec![("p1", p1.clone()), ("p2", p2.clone())],
    );
    assert_eq!(
        model.remaining_quantity(&o1),
        Some(12),
        "request not here yet"
    );

    requests(
        &mut model,
        REQUESTER,
        vec![("r1", laptops_request())],
        vec![],
    );
    assert_eq!(model.remaining_quantity(&o1), Some(12));

    p1.status = PledgeStatus::Withdrawn;
    pledges(
        &mut model,
        HELPER,
        vec![("p1", p1.clone()), ("p2", p2.clone())],
    );
    assert_eq!(model.remaining_quantity(&o1), Some(17), "withdrawn frees");

    let mut a2 = acceptance(member(HELPER), "p2", "r1", "n1", 3);
    let mut closed = laptops_request();
    closed.status = RequestStatus::Closed;
    requests(
        &mut model,
        REQUESTER,
        vec![("r1", closed.clone())],
        vec![("a2", a2.clone())],
    );
    assert_eq!(
        model.remaining_quantity(&o1),
        Some(17),
        "an active mission order holds even after the request closed"
    );

    a2.status = AcceptanceStatus::Released;
    requests(
        &mut model,
        REQUESTER,
        vec![("r1", closed.clone())],
        vec![("a2", a2)],
    );
    assert_eq!(model.remaining_quantity(&o1), Some(20), "released frees");

    // An unaccepted pledge against a cancelled request frees its units.
    let mut cancelled = laptops_request();
    cancelled.status = RequestStatus::Cancelled;
    p1.status = PledgeStatus::Offered;
    pledges(&mut model, HELPER, vec![("p1", p1)]);
    requests(
        &mut model,
        REQUESTER,
        vec![("r1", laptops_request())],
        vec![],
    );
    assert_eq!(model.remaining_quantity(&o1), Some(15));
    requests(&mut model, REQUESTER, vec![("r1", cancelled)], vec![]);
    assert_eq!(model.remaining_quantity(&o1), Some(20));
}

#[test]
fn over_pledging_saturates_at_zero_and_filters() {
    let mut model = ReadModel::new();
    offers(
        &mut model,
        HELPER,
        vec![("o1", equipment_offer("laptop", 2))],
    );
    let p = pledge(member(REQUESTER), "r1", "n1", Some("o1"), 5);
    pledges(&mut model, HELPER, vec![("p1", p)]);
    let entry = model.offer(&address(HELPER, "o1")).unwrap();
    assert_eq!((entry.quantity, entry.held, entry.remaining), (2, 5, 0));
    let filter = RegistryFilter {
        min_remaining: 1,
        ..Default::default()
    };
    assert!(model.registry(&filter).is_empty());
}

#[test]
fn update_document_replaces_the_documents_records() {
    let mut model = ReadModel::new();
    offers(
        &mut model,
        HELPER,
        vec![
            ("o1", equipment_offer("laptop", 20)),
            ("o2", remote_offer()),
        ],
    );
    assert_eq!(model.registry(&RegistryFilter::default()).len(), 2);
    let mut out = equipment_offer("laptop", 20);
    out.status = OfferStatus::OutOfService;
    offers(&mut model, HELPER, vec![("o1", out)]);
    assert!(model.registry(&RegistryFilter::default()).is_empty());
    assert!(
        model.offer(&address(HELPER, "o2")).is_none(),
        "o2 was removed"
    );
    model.remove_document(doc(HELPER, Collection::Offers));
    assert_eq!(model, ReadModel::new());
}

#[test]
fn skipped_records_are_counted_per_document() {
    let mut model = ReadModel::new();
    let mut entries = records(vec![(
        RecordKey::offer(id("o1")),
        Record::Offer(equipment_offer("laptop", 2)),
    )]);
    entries.insert("offer:o2".into(), "{}".into());
    entries.insert("pledge:p1".into(), "{}".into());
    let offers_doc = doc(HELPER, Collection::Offers);
    model.update_document(offers_doc, &entries);
    assert_eq!(model.skipped_records(), 2);
    assert_eq!(model.skipped_in(offers_doc), 2);
    assert_eq!(model.registry(&RegistryFilter::default()).len(), 1);
    entries.remove("offer:o2");
    model.update_document(offers_doc, &entries);
    assert_eq!(model.skipped_records(), 1, "counts what is there now");
    model.remove_document(offers_doc);
    assert_eq!(model.skipped_records(), 0);
}

/// The indexed page (`registry_page`) against the scan it replaces, for
/// random registers (several owners, kinds, categories, quantities,
/// statuses, units held by pledges) and random filters and pages.
mod indexed_equals_scanned {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    const CATEGORIES: [&str; 3] = ["laptop", "lte_router", "printer"];
    const ROLES: [&str; 4] = ["forensics", "lead", "client_rollout", "none"];
    const SKILLS: [&str; 3] = ["active_directory", "forensics_disk", "none"];
    /// Names and AGS of the owners with a profile (owners 1 to 3; 4 and
    /// 5 have none), and regions that match them: part of a name in
    /// another case, an AGS prefix, nothing.
    const PROFILES: [(&str, &str); 3] = [
        ("Kreis Offenbach", "06438"),
        ("Stadt Offenbach", "06413"),
        ("Kreis Bergstraße", "06431"),
    ];
    const REGIONS: [&str; 5] = ["offenbach", "KREIS", "0643", "06", "x"];
    const STATUSES: [OfferStatus; 3] = [
        OfferStatus::Available,
        OfferStatus::Reserved,
        OfferStatus::OutOfService,
    ];

    /// An offer of any kind, with the fields the filters look at drawn:
    /// role, skill levels (a skill named twice: the first entry counts),
    /// mode, validity, quantity, status.
    fn one_offer() -> impl Strategy<Value = Offer> {
        (
            (0..5usize, 1..40u32, 0..3usize, 0..3usize),
            (
                0..4u8,
                proptest::bool::ANY,
                0..20i64,
                proptest::option::of(1..20i64),
            ),
        )
            .prop_map(
                |((kind, quantity, status, mode), (level, twice, from_day, days))| {
                    let mode = Mode::ALL[mode];
                    let mut offer = match kind {
                        0 => person_offer(ROLES[quantity as usize % 2], mode),
                        1 => remote_offer(),
                        2 => {
                            let mut team = team_offer();
                            if let OfferDetail::TeamPackage(t) = &mut team.detail {
                                t.mode = mode;
                            }
                            team
                        }
                        _ => equipment_offer(CATEGORIES[quantity as usize % 3], quantity),
                    };
                    let skills = match &mut offer.detail {
                        OfferDetail::Person(p) => Some(&mut p.skills),
                        OfferDetail::RemoteCapacity(r) => Some(&mut r.skills),
                        _ => None,
                    };
                    if let Some(skills) = skills {
                        skills[0].level = level;
                        if twice {
                            skills.push(SkillLevel {
                                skill: skills[0].skill.clone(),
                                level: 3 - level.min(3),
                            });
                        }
                    }
                    offer.valid_from_ms = T0_MS + from_day * DAY_MS;
                    offer.valid_until_ms = days.map(|d| offer.valid_from_ms + d * DAY_MS);
                    offer.status = STATUSES[status];
                    offer
                },
            )
    }

    /// One owner's offers and pledges (offer number, units).
    type OwnerRecords = (u8, Vec<Offer>, Vec<(usize, u32)>);

    fn register() -> impl Strategy<Value = Vec<OwnerRecords>> {
        proptest::collection::vec(
            (
                1..6u8,
                proptest::collection::vec(one_offer(), 0..20),
                proptest::collection::vec((0..20usize, 1..30u32), 0..4),
            ),
            0..6,
        )
    }

    /// A window of `days` days from `from_day` (before, in and after the
    /// offers' validities).
    fn window() -> impl Strategy<Value = TimeWindow> {
        (-5..45i64, 1..10i64).prop_map(|(from_day, days)| TimeWindow {
            start_ms: T0_MS + from_day * DAY_MS,
            end_ms: T0_MS + (from_day + days) * DAY_MS,
        })
    }

    /// A condition named in about one filter of four, so that most
    /// filters name two or three things and still let offers through.
    fn sometimes<T: std::fmt::Debug>(
        value: impl Strategy<Value = T>,
    ) -> impl Strategy<Value = Option<T>> {
        proptest::option::weighted(0.25, value)
    }

    fn filter() -> impl Strategy<Value = RegistryFilter> {
        (
            (
                sometimes(0..4usize),
                sometimes(0..4usize),
                proptest::sample::select(vec![0u32, 1, 5, 20, 39, 100]),
                sometimes(1..6u8),
                sometimes(0..3usize),
            ),
            (
                sometimes(0..4usize),
                sometimes((0..3usize, 0..5u8)),
                sometimes(0..3usize),
                sometimes(window()),
                sometimes(0..REGIONS.len()),
            ),
        )
            .prop_map(
                |(
                    (kind, category, min_remaining, owner, status),
                    (role, skill, mode, window, region),
                )| {
                    RegistryFilter {
                        kind: kind.map(|k| {
                            [
                                OfferKind::Person,
                                OfferKind::RemoteCapacity,
                                OfferKind::Equipment,
                                OfferKind::TeamPackage,
                            ][k]
                        }),
                        equipment_category: category
                            .map(|c| CATEGORIES.get(c).copied().unwrap_or("none").to_owned()),
                        min_remaining,
                        owner: owner.map(member),
                        status: status.map(|s| STATUSES[s]),
                        role: role.map(|r| ROLES[r].to_owned()),
                        skill: skill.map(|(s, level)| SkillLevel {
                            skill: SKILLS[s].to_owned(),
                            level,
                        }),
                        mode: mode.map(|m| Mode::ALL[m]),
                        window,
                        region: region.map(|r| REGIONS[r].to_owned()),
                    }
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        #[test]
        fn a_page_from_the_index_is_the_scanned_page(
            register in register(),
            filter in filter(),
            offset in prop_oneof![0..8usize, 0..120usize],
            limit in 1..8usize,
        ) {
            let mut model = ReadModel::new();
            for (n, (name, ags)) in PROFILES.iter().enumerate() {
                profile_of(&mut model, n as u8 + 1, profile(name, ags));
            }
            for (owner, offered, pledged) in &register {
                let named: Vec<(String, Offer)> = offered
                    .iter()
                    .enumerate()
                    .map(|(n, offer)| (format!("o{n}"), offer.clone()))
                    .collect();
                offers(&mut model, *owner, named.iter().map(|(i, o)| (i.as_str(), o.clone())).collect());
                let drawn: Vec<(String, Pledge)> = pledged
                    .iter()
                    .enumerate()
                    .map(|(n, (offer, quantity))| {
                        let offer = format!("o{offer}");
                        (format!("p{n}"), pledge(member(REQUESTER), "r1", "n1", Some(&offer), *quantity))
                    })
                    .collect();
                pledges(&mut model, *owner, drawn.iter().map(|(i, p)| (i.as_str(), p.clone())).collect());
            }
            // The kept capacity is the sum over the available offers.
            let mut summed: BTreeMap<CapacityKey, CapacityTotal> = BTreeMap::new();
            for entry in model.registry_iter(&RegistryFilter::default()) {
                let total = summed.entry(CapacityKey::of(entry.offer)).or_default();
                total.offers += 1;
                total.units += u64::from(entry.remaining);
            }
            prop_assert_eq!(model.available_capacity(), &summed);
            let mut scanned = model.registry_iter(&filter).skip(offset);
            let expected: Vec<_> = scanned.by_ref().take(limit).collect();
            let more = scanned.next().is_some();
            let page = model.registry_page(&filter, offset, limit);
            prop_assert_eq!(&page.entries, &expected);
            prop_assert_eq!(page.more, more);
        }
    }

    /// A deep page of `min_remaining` skips owners by their offers with
    /// enough units, less those their held units leave short.
    #[test]
    fn a_deep_page_of_a_quantity_counts_the_units_held() {
        let mut model = ReadModel::new();
        for owner in 1..=3 {
            let named: Vec<(String, Offer)> = (0..4)
                .map(|n| (format!("o{n}"), equipment_offer("laptop", 3)))
                .collect();
            offers(
                &mut model,
                owner,
                named.iter().map(|(i, o)| (i.as_str(), o.clone())).collect(),
            );
        }
        let requester = member(REQUESTER);
        pledges(
            &mut model,
            1,
            vec![
                ("p0", pledge(requester, "r1", "n1", Some("o0"), 2)),
                ("p1", pledge(requester, "r1", "n1", Some("o1"), 3)),
            ],
        );
        let two_left = RegistryFilter {
            min_remaining: 2,
            ..RegistryFilter::default()
        };
        let page = model.registry_page(&two_left, 4, 2);
        assert_eq!(
            ids_of(&page.entries),
            ["2/o2", "2/o3"],
            "1/o0 and 1/o1 are short"
        );
        assert!(page.more);
        let last = model.registry_page(&two_left, 9, 5);
        assert_eq!(ids_of(&last.entries), ["3/o3"]);
        assert!(!last.more);
    }

    #[test]
    fn a_deep_page_and_a_filter_no_offer_passes() {
        let mut model = ReadModel::new();
        for owner in 1..=5 {
            let named: Vec<(String, Offer)> = (0..10)
                .map(|n| (format!("o{n}"), equipment_offer("laptop", 3)))
                .collect();
            offers(
                &mut model,
                owner,
                named.iter().map(|(i, o)| (i.as_str(), o.clone())).collect(),
            );
        }
        let all = RegistryFilter::default();
        let last = model.registry_page(&all, 45, 10);
        assert_eq!(
            ids_of(&last.entries),
            ["5/o5", "5/o6", "5/o7", "5/o8", "5/o9"]
        );
        assert!(!last.more);
        let middle = model.registry_page(&all, 19, 2);
        assert_eq!(ids_of(&middle.entries), ["2/o9", "3/o0"]);
        assert!(middle.more);
        let too_many = RegistryFilter {
            min_remaining: 4,
            ..RegistryFilter::default()
        };
        assert!(model.registry_page(&too_many, 0, 10).entries.is_empty());
        assert!(model.registry_page(&all, 50, 10).entries.is_empty());
    }
}
