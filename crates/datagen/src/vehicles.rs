//! Vehicles: the model catalogue, VINs, plates, engine numbers, and the service life of a
//! car (insurance, mileage readings).

use chrono::{Datelike, Days, Months, NaiveDate};
use fours_domain::vehicles::vin::vin_check_digit;
use rand::Rng;

use crate::Rng as GenRng;
use crate::geo::City;
use crate::phones::push_zero_padded;
use crate::scramble::Permutation;
use crate::weighted::{Weighted, pick};

/// One orderable configuration of a model sold in China, with its manufacturer's suggested
/// retail price (指导价).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogueModel {
    /// Brand as dealers write it, including the joint venture (一汽-大众, 上汽大众).
    pub brand: &'static str,
    /// Model line (车系): 迈腾, 凯美瑞, 汉.
    pub series: &'static str,
    /// Powertrain / version: `330TSI DSG`, `EV 冠军版 506KM`.
    pub model: &'static str,
    /// Equipment level (配置): 豪华型, 旗舰型.
    pub trim: &'static str,
    pub msrp_fen: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Energy {
    Petrol,
    /// Plug-in hybrid or range extender: green plate with `F`.
    PlugIn,
    /// Battery electric: green plate with `D`.
    Electric,
}

/// What the generator needs beyond the public catalogue entry.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ModelSpec {
    pub(crate) model: CatalogueModel,
    /// World manufacturer identifier (VIN positions 1–3).
    wmi: &'static str,
    /// Vehicle descriptor (VIN positions 4–8).
    vds: &'static str,
    /// Prefix of the engine (or motor) number: the engine code.
    engine: &'static str,
    pub(crate) energy: Energy,
    /// Imported from Europe: VIN carries no check digit.
    pub(crate) european: bool,
    /// First calendar year it could be delivered.
    since: i32,
    /// Relative sales weight among the models on sale in a year. New-energy models only
    /// exist in the last few years, so their weights are high enough to make about a fifth
    /// of recent deliveries and a tenth of the ten-year total green-plated.
    weight: u32,
}

#[allow(clippy::too_many_arguments)] // a table row
const fn m(
    brand: &'static str,
    series: &'static str,
    model: &'static str,
    trim: &'static str,
    msrp_yuan: i64,
    wmi: &'static str,
    vds: &'static str,
    engine: &'static str,
    energy: Energy,
    since: i32,
    weight: u32,
) -> ModelSpec {
    ModelSpec {
        model: CatalogueModel {
            brand,
            series,
            model,
            trim,
            msrp_fen: msrp_yuan * 100,
        },
        wmi,
        vds,
        engine,
        energy,
        european: false,
        since,
        weight,
    }
}

const fn imported(spec: ModelSpec) -> ModelSpec {
    ModelSpec {
        european: true,
        ..spec
    }
}

use Energy::{Electric, Petrol, PlugIn};

#[rustfmt::skip]
const SPECS: [ModelSpec; 38] = [
    // 一汽-大众
    m("一汽-大众", "速腾", "300TSI DSG", "超越版", 149_900, "LFV", "2A28L", "DJS", Petrol, 2012, 60),
    m("一汽-大众", "迈腾", "330TSI DSG", "豪华型", 219_900, "LFV", "3A23C", "DKV", Petrol, 2012, 45),
    m("一汽-大众", "宝来", "1.5L 自动", "舒适智联版", 123_800, "LFV", "2A16F", "DMB", Petrol, 2012, 40),
    m("一汽-大众", "探岳", "330TSI 两驱", "豪华智联版", 219_900, "LFV", "3A2FS", "DKV", Petrol, 2018, 30),
    m("一汽-大众", "ID.4 CROZZ", "纯电 后驱", "PURE+", 199_900, "LFV", "3B2E0", "EBJ", Electric, 2021, 16),
    // 上汽大众
    m("上汽大众", "帕萨特", "330TSI DSG", "豪华版", 225_900, "LSV", "AU218", "DKV", Petrol, 2011, 40),
    m("上汽大众", "途观L", "330TSI 自动两驱", "智享版", 225_800, "LSV", "YC2CN", "DKV", Petrol, 2017, 40),
    m("上汽大众", "朗逸", "1.5L 自动", "舒适版", 120_900, "LSV", "AA2BZ", "DMB", Petrol, 2013, 60),
    // 一汽奥迪
    m("一汽奥迪", "A4L", "40 TFSI", "时尚动感型", 321_800, "LFV", "2A28W", "DTA", Petrol, 2013, 25),
    m("一汽奥迪", "A6L", "45 TFSI", "臻选动感型", 427_900, "LFV", "6A24G", "DKW", Petrol, 2012, 18),
    m("一汽奥迪", "Q5L", "40 TFSI", "豪华动感型", 399_800, "LFV", "2B2FY", "DKW", Petrol, 2018, 18),
    // 一汽红旗
    m("一汽红旗", "H5", "1.5T 自动", "智联旗畅版", 159_800, "LFP", "83AC5", "CA4GB15TD", Petrol, 2018, 12),
    // 丰田
    m("一汽丰田", "卡罗拉", "1.2T S-CVT", "精英版", 129_800, "LFM", "ARE1E", "9NR", Petrol, 2012, 30),
    m("一汽丰田", "RAV4荣放", "2.0L CVT 两驱", "风尚版", 175_800, "LFM", "A1RF1", "M20A", Petrol, 2013, 25),
    m("广汽丰田", "凯美瑞", "2.0G", "豪华版", 199_800, "LVG", "BV3FK", "M20C", Petrol, 2012, 40),
    m("广汽丰田", "汉兰达", "2.0T 两驱 7座", "精英版", 268_800, "LVG", "GD4FB", "8AR", Petrol, 2015, 15),
    m("广汽丰田", "雷凌", "185T CVT", "豪华版", 136_800, "LVG", "EBE1E", "8NR", Petrol, 2014, 22),
    // 日产 / 本田
    m("东风日产", "轩逸", "1.6L XL CVT", "悦享版", 114_900, "LGB", "H52E0", "HR16", Petrol, 2012, 60),
    m("东风日产", "天籁", "2.0L XL", "舒适版", 199_800, "LGB", "L12E2", "MR20", Petrol, 2013, 18),
    m("东风日产", "奇骏", "VC-Turbo 300 CVT 两驱", "豪华版", 217_900, "LGB", "J73E1", "KR15", Petrol, 2014, 15),
    m("广汽本田", "雅阁", "260TURBO", "精英版", 189_800, "LHG", "CV167", "L15BN", Petrol, 2013, 25),
    m("东风本田", "CR-V", "240TURBO 两驱", "锋尚5座版", 199_900, "LVH", "RW163", "L15BZ", Petrol, 2013, 20),
    // 比亚迪
    m("比亚迪", "汉", "EV 冠军版 506KM", "尊贵型", 209_800, "LGX", "C76C4", "TZ220XYL", Electric, 2020, 30),
    m("比亚迪", "汉", "DM-i 冠军版 121KM", "尊贵型", 189_800, "LGX", "C76C5", "BYD476ZQC", PlugIn, 2021, 22),
    m("比亚迪", "秦PLUS", "DM-i 冠军版 55KM", "领先型", 99_800, "LC0", "C76B4", "BYD472QA", PlugIn, 2021, 60),
    m("比亚迪", "宋PLUS", "DM-i 冠军版 110KM", "旗舰型", 169_800, "LC0", "CCF3B", "BYD472QA", PlugIn, 2021, 40),
    m("比亚迪", "元PLUS", "510KM", "旗舰型", 159_800, "LC0", "C4CH3", "TZ200XSQ", Electric, 2022, 26),
    // 特斯拉
    m("特斯拉中国", "Model Y", "后轮驱动版", "标准版", 263_900, "LRW", "YGCEK", "3D7", Electric, 2021, 30),
    // 吉利 / 长安 / 长城
    m("吉利汽车", "星越L", "2.0TD 自动两驱", "豪华型", 167_700, "L6T", "79T2E", "JLH4G20TDB", Petrol, 2021, 16),
    m("吉利汽车", "博越", "1.5T DCT", "智享型", 125_700, "L6T", "78F2D", "JLE4G15TD", Petrol, 2016, 14),
    m("吉利汽车", "帝豪", "1.5L CVT", "旗舰型", 89_900, "L6T", "75D2B", "JLC4G15B", Petrol, 2012, 22),
    m("长安汽车", "CS75 PLUS", "1.5T 自动", "尊贵型", 123_900, "LS5", "A3DE2", "JL473ZQ7", Petrol, 2019, 18),
    m("哈弗", "H6", "1.5T 自动两驱", "Pro", 113_900, "LGW", "EF6A5", "GW4B15", Petrol, 2012, 22),
    // 国产豪华
    m("北京奔驰", "C级", "C 260 L", "运动版", 345_300, "LE4", "HX8HB", "M254", Petrol, 2015, 12),
    m("华晨宝马", "3系", "325Li", "M运动套装", 349_900, "LBV", "5S310", "B48B20", Petrol, 2012, 12),
    // Imported from Europe: no check digit at VIN position 9.
    imported(m("奥迪(进口)", "Q7", "45 TFSI quattro", "S line运动型", 762_800, "WAU", "ZZZ4M", "DLZ", Petrol, 2014, 5)),
    imported(m("宝马(进口)", "X5", "xDrive40i", "尊享型 M运动套装", 803_900, "WBA", "CR610", "B58B30", Petrol, 2014, 6)),
    imported(m("奔驰(进口)", "S级", "S 400 L", "商务型", 960_800, "WDD", "22317", "M256", Petrol, 2014, 5)),
];

pub(crate) static MODEL_SPECS: [ModelSpec; SPECS.len()] = SPECS;

static CATALOGUE: [CatalogueModel; SPECS.len()] = {
    let mut out = [SPECS[0].model; SPECS.len()];
    let mut i = 0;
    while i < SPECS.len() {
        out[i] = SPECS[i].model;
        i += 1;
    }
    out
};

/// The models the generator sells, with their suggested retail prices.
pub fn catalogue() -> &'static [CatalogueModel] {
    &CATALOGUE
}

/// Characters allowed in a VIN, in the order used to spell plant codes.
const VIN_CHARS: &[u8; 33] = b"0123456789ABCDEFGHJKLMNPRSTUVWXYZ";
/// Model-year codes (VIN position 10), a 30-year cycle starting 1980 = `A`.
const YEAR_CODES: &[u8; 30] = b"ABCDEFGHJKLMNPRSTVWXY123456789";
/// Serial part of a VIN: plant code (position 11) × six-digit serial (12–17).
const SERIALS: u64 = 1_000_000;

/// Serial-number space 33 × 10^6, factored as 5500 × 6000 for the permutation.
const VIN_SPACE: (u64, u64) = (5_500, 6_000);

/// Plate serial characters: digits and letters other than I and O.
const PLATE_LETTERS: &[u8; 24] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";

const COLOURS: &[(&str, u32)] = &[
    ("珍珠白", 24),
    ("冰川白", 12),
    ("曜石黑", 20),
    ("星空灰", 10),
    ("月光银", 8),
    ("钛金灰", 6),
    ("星海蓝", 6),
    ("宝石红", 5),
    ("琥珀棕", 3),
    ("香槟金", 3),
    ("极光绿", 2),
];

/// Motor-insurance carriers by rough market share.
const INSURERS: &[(&str, u32)] = &[
    ("中国人民财产保险", 33),
    ("中国平安财产保险", 27),
    ("中国太平洋财产保险", 12),
    ("中华联合财产保险", 5),
    ("中国大地财产保险", 4),
    ("阳光财产保险", 4),
    ("中国人寿财产保险", 6),
    ("太平财产保险", 3),
    ("天安财产保险", 2),
    ("永安财产保险", 2),
    ("华安财产保险", 2),
];

/// Generated car, as it would be recorded by the dealer that sold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedVehicle {
    pub vin: String,
    pub plate: String,
    pub engine_no: String,
    pub brand: &'static str,
    pub series: &'static str,
    pub model: &'static str,
    pub trim: &'static str,
    pub colour: &'static str,
    pub production_date: NaiveDate,
    pub delivery_date: NaiveDate,
    pub purchase_price_fen: i64,
    pub insurer: &'static str,
    /// Last day of the current (or, if the customer insured elsewhere, the last known) policy.
    pub insurance_expiry: NaiveDate,
    /// Odometer readings `(date, km)`, strictly increasing in both, from delivery up to
    /// `today`.
    pub mileage: Vec<(NaiveDate, i32)>,
}

pub(crate) struct VehicleTables {
    models: Weighted,
    serials: Permutation,
}

impl VehicleTables {
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            models: Weighted::new(MODEL_SPECS.iter().map(|s| s.weight)),
            serials: Permutation::new(VIN_SPACE.0, VIN_SPACE.1, seed, 0x0076_696e),
        }
    }

    /// The `index`-th vehicle of the stream, registered in `city` and driven up to `today`.
    pub(crate) fn vehicle(
        &self,
        rng: &mut GenRng,
        index: u64,
        city: &City,
        today: NaiveDate,
    ) -> GeneratedVehicle {
        let delivery_date = today - Days::new(rng.random_range(1..=3652));
        let production_date = delivery_date - Days::new(rng.random_range(30..=92));
        let spec = self.model_for_year(rng, delivery_date.year());
        let model = spec.model;
        let vin = self.vin(rng, spec, index, production_date);
        let plate = plate(rng, city, spec.energy);
        let engine_no = engine_no(rng, spec);
        let colour = pick(rng, COLOURS);
        // Dealers discount from the suggested price; round to 100 yuan.
        let discount_permille = rng.random_range(20..=150);
        let price = model.msrp_fen * (1000 - discount_permille) / 1000;
        let purchase_price_fen = (price + 5_000) / 10_000 * 10_000;
        let insurer = pick(rng, INSURERS);
        let insurance_expiry = insurance_expiry(rng, delivery_date, today);
        let mileage = mileage(rng, delivery_date, today);
        GeneratedVehicle {
            vin,
            plate,
            engine_no,
            brand: model.brand,
            series: model.series,
            model: model.model,
            trim: model.trim,
            colour,
            production_date,
            delivery_date,
            purchase_price_fen,
            insurer,
            insurance_expiry,
            mileage,
        }
    }

    /// A model that was on sale in `year`, by sales weight.
    fn model_for_year(&self, rng: &mut GenRng, year: i32) -> &'static ModelSpec {
        for _ in 0..16 {
            let spec = &MODEL_SPECS[self.models.sample(rng)];
            if spec.since <= year {
                return spec;
            }
        }
        // Only reachable for dates before the catalogue: take the oldest model.
        MODEL_SPECS
            .iter()
            .min_by_key(|s| s.since)
            .expect("non-empty catalogue")
    }

    /// WMI + VDS + check + model year + plant + serial. Positions 11–17 come from a
    /// permutation of `index`, so VINs never repeat for the first 33 million vehicles.
    fn vin(&self, rng: &mut GenRng, spec: &ModelSpec, index: u64, produced: NaiveDate) -> String {
        let serial = self.serials.apply(index);
        let mut bytes = [b'0'; 17];
        bytes[..3].copy_from_slice(spec.wmi.as_bytes());
        bytes[3..8].copy_from_slice(spec.vds.as_bytes());
        // Cars built in the last quarter usually carry next year's model year.
        let model_year =
            produced.year() + i32::from(produced.month() >= 10 && rng.random_bool(0.5));
        bytes[9] = YEAR_CODES[(model_year - 1980).rem_euclid(30) as usize];
        bytes[10] = VIN_CHARS[(serial / SERIALS) as usize];
        let mut digits = serial % SERIALS;
        for slot in bytes[11..].iter_mut().rev() {
            *slot = b'0' + (digits % 10) as u8;
            digits /= 10;
        }
        let mut vin = String::from_utf8(bytes.to_vec()).expect("ascii");
        let check = vin_check_digit(&vin).expect("generated VIN uses VIN characters only");
        let ninth = if spec.european {
            european_filler(rng, spec, check)
        } else {
            check
        };
        vin.replace_range(8..9, ninth.encode_utf8(&mut [0; 4]));
        vin
    }
}

/// Position 9 of a European VIN: VW group writes `Z`, BMW and Mercedes a digit that is not a
/// check digit. Never equal to the real check digit, so validators warn as they should.
fn european_filler(rng: &mut GenRng, spec: &ModelSpec, check: char) -> char {
    if spec.wmi == "WAU" {
        return 'Z';
    }
    let mut digit = rng.random_range(0..10u32);
    if char::from_digit(digit, 10) == Some(check) {
        digit = (digit + 1) % 10;
    }
    char::from_digit(digit, 10).expect("digit")
}

/// A plate of `city`: province + letter + five serial characters, or for new-energy cars
/// the green eight-character plate with `D` (electric) or `F` (plug-in) first.
fn plate(rng: &mut GenRng, city: &City, energy: Energy) -> String {
    let letters = city.plate_letters.as_bytes();
    // Most plates carry the city's main letter.
    let letter = if letters.len() == 1 || rng.random_bool(0.6) {
        letters[0]
    } else {
        letters[rng.random_range(0..letters.len())]
    };
    let mut out = String::with_capacity(12);
    out.push_str(city.plate_province);
    out.push(char::from(letter));
    let random_letter = |rng: &mut GenRng| char::from(PLATE_LETTERS[rng.random_range(0..24)]);
    let random_digit = |rng: &mut GenRng| char::from(b'0' + rng.random_range(0..10u8));
    match energy {
        Electric | PlugIn => {
            out.push(if energy == Electric { 'D' } else { 'F' });
            // Second serial character is a letter or digit, the last four digits.
            let c = if rng.random_bool(0.5) {
                random_letter(rng)
            } else {
                random_digit(rng)
            };
            out.push(c);
            for _ in 0..4 {
                out.push(random_digit(rng));
            }
        }
        Petrol => {
            // Common layouts: 12345, A1234, 1A234, AB123, 12A3B style mixes (at most two
            // letters).
            let layout: &[bool] = match rng.random_range(0..10) {
                0 | 1 => &[false, false, false, false, false],
                2..=5 => &[true, false, false, false, false],
                6 => &[false, true, false, false, false],
                7 => &[true, true, false, false, false],
                8 => &[false, false, false, true, false],
                _ => &[false, false, true, false, true],
            };
            for &is_letter in layout {
                out.push(if is_letter {
                    random_letter(rng)
                } else {
                    random_digit(rng)
                });
            }
        }
    }
    out
}

/// Engine code followed by a seven-digit production number.
fn engine_no(rng: &mut GenRng, spec: &ModelSpec) -> String {
    let mut out = String::with_capacity(spec.engine.len() + 7);
    out.push_str(spec.engine);
    push_zero_padded(&mut out, rng.random_range(0..10_000_000), 7);
    out
}

/// Policies run a year from delivery and are renewed on the anniversary. Most customers
/// renew (expiry within the next year); some let the policy lapse or insure elsewhere, in
/// which case the last known expiry is in the past.
fn insurance_expiry(rng: &mut GenRng, delivered: NaiveDate, today: NaiveDate) -> NaiveDate {
    let mut years = 1;
    let anniversary = |years: u32| {
        delivered
            .checked_add_months(Months::new(12 * years))
            .expect("date in range")
    };
    while anniversary(years) <= today {
        years += 1;
    }
    let lapsed = years > 1 && rng.random_bool(0.15);
    if lapsed {
        years -= rng.random_range(1..years).min(3);
    }
    anniversary(years) - Days::new(1)
}

/// Odometer readings from delivery to today: a service visit every five to eleven months,
/// driving 10–25 thousand km a year with some variation between intervals.
fn mileage(rng: &mut GenRng, delivered: NaiveDate, today: NaiveDate) -> Vec<(NaiveDate, i32)> {
    let km_per_year = rng.random_range(10_000..=25_000) as f64;
    let mut readings = Vec::with_capacity(16);
    let mut date = delivered;
    let mut km = rng.random_range(3..=60);
    readings.push((date, km));
    loop {
        let gap = rng.random_range(150..=330);
        let next = date + Days::new(gap);
        if next > today {
            break;
        }
        let driven = km_per_year * gap as f64 / 365.0 * rng.random_range(0.8..1.2);
        km += (driven as i32).max(1);
        date = next;
        readings.push((date, km));
    }
    readings
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn catalogue_mirrors_specs() {
        assert_eq!(catalogue().len(), MODEL_SPECS.len());
        for (c, s) in catalogue().iter().zip(&MODEL_SPECS) {
            assert_eq!(c, &s.model);
            assert!(c.msrp_fen >= 5_000_000, "{} {}", c.series, c.msrp_fen);
        }
    }

    #[test]
    fn vin_parts_use_vin_characters_and_fit() {
        for s in &MODEL_SPECS {
            assert_eq!(s.wmi.len(), 3, "{}", s.model.series);
            assert_eq!(s.vds.len(), 5, "{}", s.model.series);
            let template = format!("{}{}0A0000000", s.wmi, s.vds);
            assert!(vin_check_digit(&template).is_some(), "{template}");
            assert_eq!(s.european, s.wmi.starts_with('W'));
        }
        assert!(
            VIN_CHARS
                .iter()
                .all(|&c| vin_check_digit(&format!("LFV2A21K0X3{}00000", c as char)).is_some())
        );
        assert_eq!(VIN_SPACE.0 * VIN_SPACE.1, VIN_CHARS.len() as u64 * SERIALS);
    }

    #[test]
    fn year_codes_match_the_standard() {
        let code = |y: i32| YEAR_CODES[(y - 1980).rem_euclid(30) as usize] as char;
        assert_eq!(code(2010), 'A');
        assert_eq!(code(2018), 'J');
        assert_eq!(code(2022), 'N');
        assert_eq!(code(2024), 'R');
        assert_eq!(code(2025), 'S');
        assert_eq!(code(2031), '1');
    }

    #[test]
    fn insurance_expiry_is_a_day_before_an_anniversary() {
        let mut rng = GenRng::seed_from_u64(5);
        let today = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
        for days in [1, 100, 364, 365, 366, 1000, 3652] {
            let delivered = today - Days::new(days);
            for _ in 0..20 {
                let expiry = insurance_expiry(&mut rng, delivered, today);
                let next = expiry + Days::new(1);
                assert_eq!(
                    (next.month(), next.day()),
                    (delivered.month(), delivered.day())
                );
                assert!(next > delivered);
                assert!(expiry <= today + Days::new(366));
                if days < 365 {
                    assert!(expiry >= today);
                }
            }
        }
    }

    #[test]
    fn mileage_increases() {
        let mut rng = GenRng::seed_from_u64(6);
        let today = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
        for _ in 0..200 {
            let delivered = today - Days::new(rng.random_range(1..=3652));
            let readings = mileage(&mut rng, delivered, today);
            assert_eq!(readings[0].0, delivered);
            assert!(
                readings
                    .windows(2)
                    .all(|w| w[1].0 > w[0].0 && w[1].1 > w[0].1)
            );
            assert!(readings.last().unwrap().0 <= today);
            let (last_date, last_km) = *readings.last().unwrap();
            let years = (last_date - delivered).num_days() as f64 / 365.0;
            if years > 1.0 {
                let rate = f64::from(last_km) / years;
                assert!((8_000.0..30_000.0).contains(&rate), "{rate}");
            }
        }
    }
}
