//! Whole-stream properties: determinism, validity against the domain rules, uniqueness and
//! realistic proportions.

use std::collections::{HashMap, HashSet};

use chrono::{Days, Months, NaiveDate};
use fours_domain::customers::mobile::normalize_mobile;
use fours_domain::customers::resident_id::validate_resident_id;
use fours_domain::vehicles::plate::validate_plate;
use fours_domain::vehicles::vin::validate_vin;

use super::*;
use crate::vehicles::{Energy, MODEL_SPECS};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 15).unwrap()
}

fn sample(seed: u64, n: usize) -> Vec<GeneratedCustomer> {
    customers(seed, today()).take(n).collect()
}

fn spec_of(v: &GeneratedVehicle) -> &'static vehicles::ModelSpec {
    MODEL_SPECS
        .iter()
        .find(|s| {
            s.model.brand == v.brand
                && s.model.series == v.series
                && s.model.model == v.model
                && s.model.trim == v.trim
        })
        .expect("vehicle from the catalogue")
}

#[test]
fn same_seed_gives_identical_stream() {
    assert_eq!(sample(7, 500), sample(7, 500));
    let mut g = Generator::new(7, today());
    let first: Vec<_> = (0..50).map(|_| g.customer()).collect();
    assert_eq!(first, sample(7, 50));
}

#[test]
fn different_seeds_give_different_streams() {
    let a = sample(1, 200);
    let b = sample(2, 200);
    let same_mobile = a
        .iter()
        .zip(&b)
        .filter(|(x, y)| x.mobile == y.mobile)
        .count();
    let same_name = a.iter().zip(&b).filter(|(x, y)| x.name == y.name).count();
    assert!(same_mobile < 5, "{same_mobile}");
    assert!(same_name < 40, "{same_name}");
}

#[test]
fn today_moves_the_dates() {
    let later = NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
    let a = sample(3, 20);
    let b: Vec<_> = customers(3, later).take(20).collect();
    assert_ne!(a, b);
    for c in &b {
        assert!(c.birthday < later - Months::new(12 * 20) + Days::new(1));
    }
}

#[test]
fn generated_values_pass_domain_validation() {
    for c in sample(11, 20_000) {
        assert_eq!(
            normalize_mobile(&c.mobile).as_deref(),
            Ok(c.mobile.as_str())
        );
        if let Some(id) = &c.id_number {
            let parsed = validate_resident_id(id).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(&parsed.number, id);
            assert_eq!(parsed.birth_date, c.birthday);
            assert_eq!(parsed.gender, c.gender);
        }
        for v in &c.vehicles {
            let spec = spec_of(v);
            let checked = validate_vin(&v.vin).unwrap_or_else(|e| panic!("{}: {e}", v.vin));
            assert_eq!(checked.vin, v.vin);
            if spec.european {
                assert_eq!(checked.warnings, vec!["vin_check_digit"], "{}", v.vin);
            } else {
                assert!(
                    checked.warnings.is_empty(),
                    "{} {:?}",
                    v.vin,
                    checked.warnings
                );
            }
            let plate = validate_plate(&v.plate).unwrap_or_else(|e| panic!("{}: {e}", v.plate));
            assert!(plate.warnings.is_empty(), "{}", v.plate);
            assert_eq!(plate.plate, v.plate);
        }
    }
}

#[test]
fn vins_use_brand_wmi_and_model_year() {
    for c in sample(12, 5_000) {
        for v in &c.vehicles {
            let spec = spec_of(v);
            let wmi = &v.vin[..3];
            let expected: &[&str] = match v.brand {
                "一汽-大众" | "一汽奥迪" => &["LFV"],
                "上汽大众" => &["LSV"],
                "一汽红旗" => &["LFP"],
                "一汽丰田" => &["LFM"],
                "广汽丰田" => &["LVG"],
                "东风日产" => &["LGB"],
                "比亚迪" => &["LC0", "LGX"],
                "吉利汽车" => &["L6T"],
                "奥迪(进口)" => &["WAU"],
                "宝马(进口)" => &["WBA"],
                "奔驰(进口)" => &["WDD"],
                _ => &[wmi],
            };
            assert!(expected.contains(&wmi), "{} {}", v.brand, v.vin);
            assert_eq!(spec.european, wmi.starts_with('W'));
            // Model year is the production year or the next one.
            let code = v.vin.as_bytes()[9];
            let year =
                |y: i32| b"ABCDEFGHJKLMNPRSTVWXY123456789"[(y - 1980).rem_euclid(30) as usize];
            let produced = chrono::Datelike::year(&v.production_date);
            assert!(
                code == year(produced) || code == year(produced + 1),
                "{}",
                v.vin
            );
        }
    }
}

#[test]
fn plates_match_the_customers_city_and_energy() {
    let mut green = 0;
    let mut total = 0;
    for c in sample(13, 10_000) {
        let city = CITIES
            .iter()
            .find(|x| x.city == c.city)
            .expect("known city");
        assert_eq!(city.province, c.province);
        for v in &c.vehicles {
            total += 1;
            let mut chars = v.plate.chars();
            assert_eq!(
                chars.next().map(String::from).as_deref(),
                Some(city.plate_province)
            );
            let letter = chars.next().expect("letter");
            assert!(
                city.plate_letters.contains(letter),
                "{} in {}",
                v.plate,
                c.city
            );
            let serial: Vec<char> = chars.collect();
            match spec_of(v).energy {
                Energy::Electric => assert_eq!(serial.first(), Some(&'D'), "{}", v.plate),
                Energy::PlugIn => assert_eq!(serial.first(), Some(&'F'), "{}", v.plate),
                Energy::Petrol => assert_eq!(serial.len(), 5, "{}", v.plate),
            }
            if serial.len() == 6 {
                green += 1;
            } else {
                let letters = serial.iter().filter(|c| c.is_ascii_uppercase()).count();
                assert!(letters <= 2, "{}", v.plate);
            }
        }
    }
    let share = f64::from(green) / f64::from(total);
    assert!((0.06..0.15).contains(&share), "new-energy share {share}");
}

#[test]
fn addresses_and_postcodes_fit_the_city() {
    for c in sample(14, 5_000) {
        let city = CITIES
            .iter()
            .find(|x| x.city == c.city)
            .expect("known city");
        let district = city
            .districts
            .iter()
            .find(|d| c.address.starts_with(d.name))
            .unwrap_or_else(|| panic!("{} not in {}", c.address, c.city));
        assert_eq!(c.postcode, district.postcode);
        assert!(
            city.roads
                .iter()
                .any(|r| c.address[district.name.len()..].starts_with(r))
        );
        if let Some(compound) = &c.compound {
            assert!(c.address.contains(compound.as_str()), "{}", c.address);
        }
        if let Some(id) = &c.id_number {
            assert!(
                CITIES
                    .iter()
                    .flat_map(|x| x.districts)
                    .any(|d| id.starts_with(d.code))
            );
        }
    }
}

#[test]
fn dates_are_consistent() {
    let ten_years_ago = today() - Months::new(120);
    for c in sample(15, 10_000) {
        let age = people::age_on(c.birthday, today());
        assert!((20..70).contains(&age), "{}", c.birthday);
        for v in &c.vehicles {
            assert!(v.delivery_date < today() && v.delivery_date >= ten_years_ago);
            let lead = (v.delivery_date - v.production_date).num_days();
            assert!((28..=93).contains(&lead), "{lead}");
            assert!(v.insurance_expiry > v.delivery_date);
            assert_eq!(v.mileage.first().map(|m| m.0), Some(v.delivery_date));
            assert!(
                v.mileage
                    .windows(2)
                    .all(|w| w[0].0 < w[1].0 && w[0].1 < w[1].1)
            );
            assert!(v.mileage.iter().all(|m| m.0 <= today()));
            let model = catalogue()
                .iter()
                .find(|m| m.series == v.series && m.model == v.model && m.trim == v.trim)
                .expect("catalogue model");
            assert!(v.purchase_price_fen <= model.msrp_fen);
            assert!(v.purchase_price_fen >= model.msrp_fen * 8 / 10);
            assert_eq!(v.purchase_price_fen % 10_000, 0);
        }
        assert!(
            c.vehicles
                .windows(2)
                .all(|w| w[0].delivery_date <= w[1].delivery_date)
        );
    }
}

#[test]
fn proportions_are_realistic() {
    let customers = sample(16, 20_000);
    let n = customers.len() as f64;
    let share = |f: &dyn Fn(&GeneratedCustomer) -> bool| {
        customers.iter().filter(|c| f(c)).count() as f64 / n
    };
    let within = |x: f64, lo: f64, hi: f64, what: &str| {
        assert!((lo..hi).contains(&x), "{what}: {x}");
    };
    within(share(&|c| c.vehicles.is_empty()), 0.22, 0.28, "prospects");
    within(share(&|c| c.vehicles.len() == 1), 0.57, 0.63, "one car");
    within(share(&|c| c.vehicles.len() == 2), 0.13, 0.17, "two cars");
    within(share(&|c| c.id_number.is_some()), 0.67, 0.73, "resident ID");
    within(share(&|c| !c.family.is_empty()), 0.47, 0.53, "family");
    within(share(&|c| c.gender == Gender::Male), 0.6, 0.7, "men");
    within(share(&|c| c.wechat.is_some()), 0.7, 0.8, "wechat");
    let vehicles: Vec<&GeneratedVehicle> = customers.iter().flat_map(|c| &c.vehicles).collect();
    let european = vehicles.iter().filter(|v| spec_of(v).european).count() as f64;
    within(
        european / vehicles.len() as f64,
        0.01,
        0.035,
        "imported European",
    );
    for c in &customers {
        assert!(["walk_in", "phone", "online", "event", "referral"].contains(&c.source));
        assert!(["friend", "ad", "web", "event", "other"].contains(&c.info_source));
        assert!(["phone", "wechat", "sms"].contains(&c.preferred_channel));
        assert!(c.preferred_channel != "wechat" || c.wechat.is_some());
        assert_eq!(c.mobile.len(), 11);
        let hobbies: HashSet<_> = c.hobbies.iter().collect();
        assert_eq!(hobbies.len(), c.hobbies.len());
    }
}

#[test]
fn surname_frequencies_are_realistic() {
    let mut counts: HashMap<&'static str, usize> = HashMap::new();
    let n = 50_000;
    for c in sample(17, n) {
        let surname = names::SURNAMES
            .iter()
            .filter(|s| c.name.starts_with(s.0))
            .max_by_key(|s| s.0.len())
            .expect("known surname");
        *counts.entry(surname.0).or_default() += 1;
    }
    let mut ranked: Vec<_> = counts.iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(a.1));
    let top3: HashSet<&str> = ranked[..3].iter().map(|e| *e.0).collect();
    assert_eq!(top3, HashSet::from(["王", "李", "张"]));
    let wang = counts["王"] as f64 / n as f64;
    assert!((0.06..0.085).contains(&wang), "王 {wang}");
    assert!(counts.len() > 100, "{} surnames seen", counts.len());
    assert!(
        counts.keys().any(|s| s.chars().count() == 2),
        "no compound surname"
    );
}

#[test]
fn mobiles_and_vins_are_unique_over_200k_customers() {
    let mut mobiles = HashSet::with_capacity(200_000);
    let mut vins = HashSet::with_capacity(200_000);
    for c in customers(18, today()).take(200_000) {
        assert!(
            mobiles.insert(c.mobile.clone()),
            "mobile {} repeated",
            c.mobile
        );
        for v in c.vehicles {
            assert!(vins.insert(v.vin.clone()), "VIN {} repeated", v.vin);
        }
    }
    assert!(vins.len() > 150_000);
}

/// Not a timed test: run with `cargo test -p fours-datagen --release -- --ignored --nocapture`
/// to see how long a million customers take (a few seconds in release builds).
#[test]
#[ignore = "slow in debug builds; a throughput check to run by hand in release"]
fn million_customers_stream() {
    let started = std::time::Instant::now();
    let (mut vehicles, mut green, mut european) = (0usize, 0usize, 0usize);
    for c in customers(19, today()).take(1_000_000) {
        vehicles += c.vehicles.len();
        green += c
            .vehicles
            .iter()
            .filter(|v| v.plate.chars().count() == 8)
            .count();
        european += c.vehicles.iter().filter(|v| v.vin.starts_with('W')).count();
    }
    eprintln!(
        "1,000,000 customers, {vehicles} vehicles ({green} green plates, {european} European) in {:?}",
        started.elapsed()
    );
}
