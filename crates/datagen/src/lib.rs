//! Deterministic, realistic data for a Chinese dealer group: customers with contact details,
//! resident IDs, addresses, families and the cars they bought; ([`sales`]) a showroom's
//! history of prospects for the sales reports; and ([`parts`]) a parts catalogue with years of
//! stock movements for the parts reports.
//!
//! Everything comes from one seeded ChaCha8 stream, so a seed and a "today" always produce
//! the same customers, on every platform. Generation is streaming — [`customers`] is an
//! infinite iterator holding O(1) state — so the demo server can take 200 customers and the
//! benchmark generator ten million.
//!
//! Mobiles and VINs never repeat within a stream: their random-looking digits are a keyed
//! permutation of a running counter (mobile: the customer's index, unique for the first
//! 100 million customers; VIN: the vehicle's index, unique for the first 33 million
//! vehicles). Other values (plates, e-mails, WeChat IDs, resident IDs) are merely random and
//! can collide in large streams, as they sometimes do in real data entered by hand.
//!
//! ```
//! use chrono::NaiveDate;
//! let today = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
//! let demo: Vec<_> = fours_datagen::customers(42, today).take(200).collect();
//! assert_eq!(demo.len(), 200);
//! ```

mod geo;
mod names;
pub mod parts;
mod people;
mod phones;
pub mod sales;
mod scramble;
mod vehicles;
mod weighted;

use std::sync::LazyLock;

use chrono::NaiveDate;
use rand::{Rng as _, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub use fours_domain::customers::Gender;
pub use people::GeneratedFamilyMember;
pub use vehicles::{CatalogueModel, GeneratedVehicle, catalogue};

use geo::{CITIES, GeoTables};
use names::NameTables;
use phones::Mobiles;
use vehicles::VehicleTables;
use weighted::pick;

/// The random number generator behind every value: portable and reproducible.
pub(crate) type Rng = ChaCha8Rng;

/// A customer as the dealership's CRM would hold them after a few visits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedCustomer {
    pub name: String,
    pub gender: Gender,
    /// 11 digits, no country code; unique within a stream.
    pub mobile: String,
    pub birthday: NaiveDate,
    /// Valid 18-character resident ID matching `birthday` and `gender`; about 70% have one.
    pub id_number: Option<String>,
    pub wechat: Option<String>,
    pub email: Option<String>,
    /// Full name of the province-level division (`广东省`, `北京市`).
    pub province: &'static str,
    /// Full name of the city (`深圳市`; municipalities repeat the province).
    pub city: &'static str,
    /// District, road, number and flat: `南山区科技园路88号阳光花园3栋2单元1502室`.
    pub address: String,
    /// Six-digit postcode of the district.
    pub postcode: String,
    /// Residential compound (小区), also contained in `address`.
    pub compound: Option<String>,
    pub occupation: Option<&'static str>,
    pub hobbies: Vec<&'static str>,
    /// How they first came: `walk_in`, `phone`, `online`, `event` or `referral`.
    pub source: &'static str,
    /// How they heard of us: `friend`, `ad`, `web`, `event` or `other`.
    pub info_source: &'static str,
    /// `phone`, `wechat` or `sms`; never `wechat` without a WeChat ID.
    pub preferred_channel: &'static str,
    pub marketing_consent: bool,
    /// About half the customers mention relatives.
    pub family: Vec<GeneratedFamilyMember>,
    /// Cars bought from the group, oldest delivery first: none for about 25% (prospects),
    /// one for 60%, two for 15%.
    pub vehicles: Vec<GeneratedVehicle>,
}

/// Seed-independent lookup tables, built once per process.
struct Tables {
    names: NameTables,
    geo: GeoTables,
}

static TABLES: LazyLock<Tables> = LazyLock::new(|| Tables {
    names: NameTables::new(),
    geo: GeoTables::new(),
});

/// A stream of customers. Also an infinite [`Iterator`].
pub struct Generator {
    rng: Rng,
    today: NaiveDate,
    tables: &'static Tables,
    mobiles: Mobiles,
    vehicles: VehicleTables,
    /// Customers generated so far: the key of the next mobile.
    customers: u64,
    /// Vehicles generated so far: the key of the next VIN.
    vehicle_count: u64,
}

impl Generator {
    /// A generator whose customers are as of `today`: birthdays, deliveries, insurance and
    /// mileage are all relative to it.
    pub fn new(seed: u64, today: NaiveDate) -> Self {
        Self {
            rng: Rng::seed_from_u64(seed),
            today,
            tables: &TABLES,
            mobiles: Mobiles::new(seed),
            vehicles: VehicleTables::new(seed),
            customers: 0,
            vehicle_count: 0,
        }
    }

    /// The next customer.
    pub fn customer(&mut self) -> GeneratedCustomer {
        let index = self.customers;
        self.customers += 1;
        let today = self.today;
        let tables = self.tables;
        let rng = &mut self.rng;

        let gender = if rng.random_ratio(13, 20) {
            Gender::Male
        } else {
            Gender::Female
        };
        let name = tables.names.name(rng, gender);
        let birthday = people::customer_birthday(rng, today);
        let age = people::age_on(birthday, today);
        let mobile = self.mobiles.mobile(rng, index);

        let city = &CITIES[tables.geo.city(rng)];
        let district = &city.districts[rng.random_range(0..city.districts.len())];
        let id_number = rng.random_ratio(7, 10).then(|| {
            // Most hold an ID registered where they live; migrants one from elsewhere.
            let area = if rng.random_ratio(4, 5) {
                district.code
            } else {
                let home = &CITIES[rng.random_range(0..CITIES.len())];
                home.districts[rng.random_range(0..home.districts.len())].code
            };
            people::resident_id(rng, area, birthday, gender)
        });

        let pinyin = name.pinyin();
        let initials = name.initials();
        let wechat = rng
            .random_ratio(3, 4)
            .then(|| people::wechat(rng, &pinyin, &initials, &mobile, birthday));
        let email = rng
            .random_ratio(7, 20)
            .then(|| people::email(rng, &pinyin, &initials, birthday));

        let compound = rng.random_ratio(17, 20).then(|| geo::compound(rng));
        let address = geo::street_address(rng, city, district, compound.as_deref());
        let occupation = people::occupation(rng, age);
        let hobbies = people::hobbies(rng);

        let source = pick(
            rng,
            &[
                ("walk_in", 40),
                ("phone", 15),
                ("online", 25),
                ("event", 8),
                ("referral", 12),
            ],
        );
        let info_source = info_source(rng, source);
        let mut preferred_channel = pick(rng, &[("wechat", 60), ("phone", 30), ("sms", 10)]);
        if wechat.is_none() && preferred_channel == "wechat" {
            preferred_channel = "phone";
        }
        let marketing_consent = rng.random_ratio(13, 20);

        let family = if rng.random_bool(0.5) {
            people::family(rng, &tables.names, name.surname, gender, birthday, today)
        } else {
            Vec::new()
        };

        let count = pick(rng, &[(0u32, 25), (1, 60), (2, 15)]);
        let mut vehicles = Vec::with_capacity(count as usize);
        for _ in 0..count {
            let key = self.vehicle_count;
            self.vehicle_count += 1;
            vehicles.push(self.vehicles.vehicle(&mut self.rng, key, city, today));
        }
        vehicles.sort_by_key(|v| v.delivery_date);

        GeneratedCustomer {
            name: name.text,
            gender,
            mobile,
            birthday,
            id_number,
            wechat,
            email,
            province: city.province,
            city: city.city,
            address,
            postcode: district.postcode.to_owned(),
            compound,
            occupation,
            hobbies,
            source,
            info_source,
            preferred_channel,
            marketing_consent,
            family,
            vehicles,
        }
    }
}

impl Iterator for Generator {
    type Item = GeneratedCustomer;

    fn next(&mut self) -> Option<GeneratedCustomer> {
        Some(self.customer())
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (usize::MAX, None)
    }
}

/// Infinite stream of customers for `seed` as of `today`; take as many as needed.
pub fn customers(seed: u64, today: NaiveDate) -> impl Iterator<Item = GeneratedCustomer> {
    Generator::new(seed, today)
}

/// How someone who came through `source` says they heard of the dealership.
fn info_source(rng: &mut Rng, source: &str) -> &'static str {
    let table: &[(&'static str, u32)] = match source {
        "walk_in" => &[("ad", 35), ("friend", 25), ("web", 20), ("other", 20)],
        "phone" => &[("ad", 40), ("web", 35), ("friend", 15), ("other", 10)],
        "online" => &[("web", 80), ("ad", 20)],
        "event" => &[("event", 85), ("ad", 10), ("friend", 5)],
        _ => &[("friend", 95), ("other", 5)],
    };
    pick(rng, table)
}

#[cfg(test)]
mod tests;
