//! Mainland mobile numbers: a real carrier prefix plus eight digits that come from a keyed
//! permutation of the customer's index, so no number repeats within the first 100 million
//! customers of a stream while the digits still look random.

use rand::Rng;

use crate::scramble::Permutation;
use crate::weighted::Weighted;

/// Number-segment prefixes with rough shares of subscribers (China Mobile, China Unicom,
/// China Telecom, broadcasting/new segments).
const PREFIXES: &[(&str, u32)] = &[
    // China Mobile
    ("134", 40),
    ("135", 55),
    ("136", 55),
    ("137", 50),
    ("138", 60),
    ("139", 65),
    ("147", 5),
    ("150", 35),
    ("151", 35),
    ("152", 30),
    ("157", 20),
    ("158", 35),
    ("159", 35),
    ("172", 5),
    ("178", 15),
    ("182", 30),
    ("183", 25),
    ("184", 5),
    ("187", 35),
    ("188", 35),
    ("195", 5),
    ("198", 15),
    // China Unicom
    ("130", 30),
    ("131", 30),
    ("132", 28),
    ("145", 3),
    ("155", 25),
    ("156", 28),
    ("166", 12),
    ("175", 10),
    ("176", 15),
    ("185", 28),
    ("186", 35),
    ("196", 3),
    // China Telecom
    ("133", 28),
    ("149", 3),
    ("153", 25),
    ("173", 10),
    ("177", 18),
    ("180", 22),
    ("181", 22),
    ("189", 30),
    ("191", 6),
    ("193", 4),
    ("199", 15),
    // China Broadnet
    ("192", 2),
];

/// Ten thousand squared: the eight-digit subscriber part.
const HALF: u64 = 10_000;

pub(crate) struct Mobiles {
    prefixes: Weighted,
    suffixes: Permutation,
}

impl Mobiles {
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            prefixes: Weighted::new(PREFIXES.iter().map(|p| p.1)),
            suffixes: Permutation::new(HALF, HALF, seed, 0x6d6f_6269_6c65),
        }
    }

    /// The mobile of the `index`-th customer. Unique for `index < 10^8` whatever prefix is
    /// drawn, because the last eight digits alone are.
    pub(crate) fn mobile(&self, rng: &mut impl Rng, index: u64) -> String {
        let prefix = PREFIXES[self.prefixes.sample(rng)].0;
        let suffix = self.suffixes.apply(index);
        let mut out = String::with_capacity(11);
        out.push_str(prefix);
        push_zero_padded(&mut out, suffix, 8);
        out
    }
}

/// Appends `value` as exactly `width` decimal digits (`value < 10^width`).
pub(crate) fn push_zero_padded(out: &mut String, value: u64, width: usize) {
    let mut buf = [b'0'; 20];
    let mut v = value;
    for slot in buf[..width].iter_mut().rev() {
        *slot = b'0' + (v % 10) as u8;
        v /= 10;
    }
    debug_assert_eq!(v, 0, "{value} wider than {width}");
    out.push_str(std::str::from_utf8(&buf[..width]).expect("ascii digits"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_valid_segments() {
        for (p, _) in PREFIXES {
            assert_eq!(p.len(), 3);
            assert!(p.starts_with('1'));
            assert!((b'3'..=b'9').contains(&p.as_bytes()[1]));
        }
    }

    #[test]
    fn zero_padding() {
        let mut s = String::new();
        push_zero_padded(&mut s, 42, 8);
        assert_eq!(s, "00000042");
        push_zero_padded(&mut s, 7, 1);
        assert_eq!(s, "000000427");
    }
}
