//! People: ages, resident IDs, online handles, occupations, hobbies and family.

use chrono::{Datelike, Days, Months, NaiveDate};
use fours_domain::customers::Gender;
use fours_domain::customers::resident_id::resident_id_check_char;
use rand::Rng;

use crate::Rng as GenRng;
use crate::names::{NameTables, given_name};
use crate::phones::push_zero_padded;
use crate::weighted::pick;

/// A relative the customer told the dealership about (for birthday greetings, a second
/// driver, the child who will inherit the car).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFamilyMember {
    pub name: String,
    /// `spouse`, `child` or `parent`.
    pub relation: &'static str,
    pub birthday: NaiveDate,
}

/// Age bands of car buyers (lower bound, weight); each band spans five years.
const AGE_BANDS: &[(u32, u32)] = &[
    (20, 6),
    (25, 14),
    (30, 18),
    (35, 17),
    (40, 14),
    (45, 11),
    (50, 8),
    (55, 6),
    (60, 4),
    (65, 2),
];

/// `today` minus `years`, clamped like a birthday on 29 February.
pub(crate) fn years_before(date: NaiveDate, years: u32) -> NaiveDate {
    date.checked_sub_months(Months::new(12 * years))
        .expect("date in range")
}

fn years_after(date: NaiveDate, years: u32) -> NaiveDate {
    date.checked_add_months(Months::new(12 * years))
        .expect("date in range")
}

/// A day uniformly in `[from, to]`.
fn day_between(rng: &mut impl Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(0) as u64;
    from + Days::new(rng.random_range(0..=span))
}

/// Birthday of someone aged `min_age..max_age` on `today` (completed years).
pub(crate) fn birthday_aged(
    rng: &mut impl Rng,
    today: NaiveDate,
    min_age: u32,
    max_age: u32,
) -> NaiveDate {
    // Aged at most max_age - 1: born after today minus max_age years.
    let earliest = years_before(today, max_age) + Days::new(1);
    let latest = years_before(today, min_age);
    day_between(rng, earliest, latest)
}

/// Birthday of an adult customer, 20–69 years old, weighted towards the ages that buy cars.
pub(crate) fn customer_birthday(rng: &mut impl Rng, today: NaiveDate) -> NaiveDate {
    let low = pick(rng, AGE_BANDS);
    birthday_aged(rng, today, low, low + 5)
}

/// Completed years between `birthday` and `today`.
pub(crate) fn age_on(birthday: NaiveDate, today: NaiveDate) -> u32 {
    today.years_since(birthday).unwrap_or(0)
}

/// An 18-character resident ID: registration area, birth date, a sequence number whose last
/// digit is odd for men and even for women, and the GB 11643 check character.
pub(crate) fn resident_id(
    rng: &mut impl Rng,
    area: &str,
    birthday: NaiveDate,
    gender: Gender,
) -> String {
    let mut out = String::with_capacity(18);
    out.push_str(area);
    push_zero_padded(&mut out, birthday.year() as u64, 4);
    push_zero_padded(&mut out, u64::from(birthday.month()), 2);
    push_zero_padded(&mut out, u64::from(birthday.day()), 2);
    push_zero_padded(&mut out, rng.random_range(0..100), 2);
    let parity = match gender {
        Gender::Male => 1,
        Gender::Female => 0,
    };
    out.push(char::from(b'0' + 2 * rng.random_range(0..5u8) + parity));
    let check = resident_id_check_char(&out).expect("17 digits");
    out.push(check);
    out
}

const OCCUPATIONS: &[(&str, u32)] = &[
    ("企业职员", 20),
    ("企业管理者", 8),
    ("私营业主", 10),
    ("个体工商户", 8),
    ("公务员", 6),
    ("事业单位", 6),
    ("教师", 5),
    ("医生", 3),
    ("护士", 2),
    ("工程师", 6),
    ("IT从业者", 5),
    ("销售", 5),
    ("金融从业者", 3),
    ("律师", 1),
    ("会计", 2),
    ("设计师", 2),
    ("自由职业", 3),
    ("司机", 2),
    ("军人", 1),
    ("警察", 1),
    ("退休", 4),
];

const HOBBIES: &[&str] = &[
    "自驾游",
    "钓鱼",
    "摄影",
    "高尔夫",
    "篮球",
    "足球",
    "羽毛球",
    "乒乓球",
    "跑步",
    "健身",
    "游泳",
    "登山",
    "骑行",
    "读书",
    "音乐",
    "书法",
    "茶艺",
    "美食",
    "旅游",
    "露营",
    "瑜伽",
    "网球",
    "棋牌",
    "电影",
];

/// Occupation, or `None` for the fifth of customers who did not say. Retirement only from 55.
pub(crate) fn occupation(rng: &mut impl Rng, age: u32) -> Option<&'static str> {
    if rng.random_ratio(1, 5) {
        return None;
    }
    loop {
        let job = pick(rng, OCCUPATIONS);
        if job != "退休" || age >= 55 {
            return Some(job);
        }
    }
}

/// Zero to three distinct hobbies.
pub(crate) fn hobbies(rng: &mut impl Rng) -> Vec<&'static str> {
    let count = pick(rng, &[(0usize, 35), (1, 30), (2, 25), (3, 10)]);
    let mut out: Vec<&'static str> = Vec::with_capacity(count);
    while out.len() < count {
        let hobby = HOBBIES[rng.random_range(0..HOBBIES.len())];
        if !out.contains(&hobby) {
            out.push(hobby);
        }
    }
    out
}

/// Lower-case letters and digits, as in WeChat's generated `wxid_` IDs.
const WXID_CHARS: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// A WeChat ID (微信号): many people use their mobile, others a pinyin handle, the rest
/// never changed the generated `wxid_…`.
pub(crate) fn wechat(
    rng: &mut impl Rng,
    pinyin: &str,
    initials: &str,
    mobile: &str,
    birthday: NaiveDate,
) -> String {
    match rng.random_range(0..20) {
        0..=7 => mobile.to_owned(),
        8..=12 => format!("{pinyin}{}", two_digits(birthday.year())),
        13..=15 => format!("{initials}{:02}{:02}", birthday.month(), birthday.day()),
        _ => {
            let mut id = String::from("wxid_");
            for _ in 0..14 {
                id.push(char::from(
                    WXID_CHARS[rng.random_range(0..WXID_CHARS.len())],
                ));
            }
            id
        }
    }
}

fn two_digits(year: i32) -> String {
    format!("{:02}", year.rem_euclid(100))
}

const MAIL_DOMAINS: &[(&str, u32)] = &[
    ("163.com", 30),
    ("126.com", 15),
    ("sina.com", 8),
    ("foxmail.com", 8),
    ("139.com", 6),
    ("hotmail.com", 4),
    ("outlook.com", 4),
    ("gmail.com", 3),
    ("sohu.com", 3),
];

/// An e-mail address: QQ mail with the QQ number for about half, otherwise a pinyin handle
/// at a domestic provider.
pub(crate) fn email(
    rng: &mut impl Rng,
    pinyin: &str,
    initials: &str,
    birthday: NaiveDate,
) -> String {
    if rng.random_bool(0.5) {
        let digits = rng.random_range(6..=10);
        let mut qq = String::with_capacity(20);
        qq.push(char::from(b'1' + rng.random_range(0..9u8)));
        for _ in 1..digits {
            qq.push(char::from(b'0' + rng.random_range(0..10u8)));
        }
        qq.push_str("@qq.com");
        return qq;
    }
    let domain = pick(rng, MAIL_DOMAINS);
    match rng.random_range(0..4) {
        0 => format!("{pinyin}{}@{domain}", birthday.year()),
        1 => format!("{pinyin}{}@{domain}", rng.random_range(1..1000)),
        2 => format!("{initials}{}@{domain}", two_digits(birthday.year())),
        _ => format!("{pinyin}@{domain}"),
    }
}

/// Family members of a customer of the given surname, gender and birthday: usually a spouse,
/// children born when the customer was 23–38, sometimes a parent. Never empty.
pub(crate) fn family(
    rng: &mut GenRng,
    names: &NameTables,
    surname: usize,
    gender: Gender,
    birthday: NaiveDate,
    today: NaiveDate,
) -> Vec<GeneratedFamilyMember> {
    let age = age_on(birthday, today);
    let mut out = Vec::with_capacity(3);
    // The surname children inherit: the father's.
    let mut child_surname = surname;
    if age >= 23 && rng.random_ratio(4, 5) {
        let spouse_gender = match gender {
            Gender::Male => Gender::Female,
            Gender::Female => Gender::Male,
        };
        // Husbands are on average two or three years older: a man's wife was born later.
        let offset: i32 = match gender {
            Gender::Male => rng.random_range(-1..=6),
            Gender::Female => rng.random_range(-6..=1),
        };
        let spouse_birthday = shift_years(birthday, offset) + Days::new(rng.random_range(0..365));
        let spouse_birthday = spouse_birthday.min(years_before(today, 20));
        let spouse = names.name(rng, spouse_gender);
        if spouse_gender == Gender::Male {
            child_surname = spouse.surname;
        }
        out.push(GeneratedFamilyMember {
            name: spouse.text,
            relation: "spouse",
            birthday: spouse_birthday,
        });
    }
    let children = if age >= 25 {
        pick(rng, &[(0u32, 25), (1, 50), (2, 25)])
    } else {
        0
    };
    for _ in 0..children {
        let earliest = years_after(birthday, 23);
        let latest = years_after(birthday, 38).min(today);
        if earliest > latest {
            break;
        }
        let child_gender = if rng.random_bool(0.52) {
            Gender::Male
        } else {
            Gender::Female
        };
        let child = given_name(rng, child_surname, child_gender);
        out.push(GeneratedFamilyMember {
            name: child.text,
            relation: "child",
            birthday: day_between(rng, earliest, latest),
        });
    }
    if (age <= 55 && rng.random_ratio(1, 5)) || out.is_empty() {
        // A parent, 22–35 years older and at most 95.
        let earliest = (years_before(birthday, 35)).max(years_before(today, 95) + Days::new(1));
        let latest = years_before(birthday, 22);
        if earliest <= latest {
            let father = rng.random_bool(0.5);
            let parent = if father {
                given_name(rng, surname, Gender::Male)
            } else {
                names.name(rng, Gender::Female)
            };
            out.push(GeneratedFamilyMember {
                name: parent.text,
                relation: "parent",
                birthday: day_between(rng, earliest, latest),
            });
        }
    }
    if out.is_empty() {
        // Too old for a living parent and no spouse drawn: a grown-up child.
        let child = given_name(rng, child_surname, Gender::Female);
        out.push(GeneratedFamilyMember {
            name: child.text,
            relation: "child",
            birthday: day_between(rng, years_after(birthday, 23), years_after(birthday, 38))
                .min(today),
        });
    }
    out
}

/// `date` moved `years` later (negative: earlier).
fn shift_years(date: NaiveDate, years: i32) -> NaiveDate {
    if years >= 0 {
        years_after(date, years.unsigned_abs())
    } else {
        years_before(date, years.unsigned_abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fours_domain::customers::resident_id::validate_resident_id;
    use rand::SeedableRng;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 3, 1).unwrap()
    }

    #[test]
    fn birthdays_are_of_adults_under_seventy() {
        let mut rng = GenRng::seed_from_u64(1);
        for _ in 0..5000 {
            let b = customer_birthday(&mut rng, today());
            let age = age_on(b, today());
            assert!((20..70).contains(&age), "{b} {age}");
        }
    }

    #[test]
    fn age_band_edges_are_exact() {
        let mut rng = GenRng::seed_from_u64(2);
        let leap = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        for _ in 0..2000 {
            let b = birthday_aged(&mut rng, leap, 20, 21);
            assert_eq!(age_on(b, leap), 20, "{b}");
        }
    }

    #[test]
    fn resident_ids_encode_birthday_and_gender() {
        let mut rng = GenRng::seed_from_u64(3);
        for i in 0..1000 {
            let gender = if i % 3 == 0 {
                Gender::Female
            } else {
                Gender::Male
            };
            let b = customer_birthday(&mut rng, today());
            let id = resident_id(&mut rng, "360102", b, gender);
            let parsed = validate_resident_id(&id).expect(&id);
            assert_eq!(parsed.birth_date, b);
            assert_eq!(parsed.gender, gender);
        }
    }

    #[test]
    fn handles_look_like_handles() {
        let mut rng = GenRng::seed_from_u64(4);
        let b = NaiveDate::from_ymd_opt(1988, 7, 5).unwrap();
        for _ in 0..500 {
            let w = wechat(&mut rng, "zhangwei", "zw", "13812345678", b);
            assert!(
                w == "13812345678"
                    || w == "zhangwei88"
                    || w == "zw0705"
                    || (w.starts_with("wxid_") && w.len() == 19),
                "{w}"
            );
            let e = email(&mut rng, "zhangwei", "zw", b);
            let (user, domain) = e.split_once('@').expect("@");
            assert!(!user.is_empty() && domain.contains('.'), "{e}");
            assert!(e.is_ascii());
        }
    }

    #[test]
    fn family_is_plausible() {
        let names = NameTables::new();
        let mut rng = GenRng::seed_from_u64(5);
        for _ in 0..3000 {
            let gender = if rng.random_bool(0.5) {
                Gender::Male
            } else {
                Gender::Female
            };
            let birthday = customer_birthday(&mut rng, today());
            let surname = names.surname(&mut rng);
            let family = family(&mut rng, &names, surname, gender, birthday, today());
            assert!(!family.is_empty());
            assert!(family.iter().filter(|m| m.relation == "spouse").count() <= 1);
            for member in &family {
                assert!(member.birthday <= today(), "{member:?}");
                match member.relation {
                    "spouse" => assert!(age_on(member.birthday, today()) >= 20),
                    "child" => assert!(member.birthday > birthday),
                    "parent" => {
                        assert!(member.birthday < birthday);
                        assert!(age_on(member.birthday, today()) < 95);
                    }
                    other => panic!("{other}"),
                }
            }
        }
    }
}
