//! Keyed bijections on `0..n`: turn a running counter into random-looking but never-repeating
//! numbers (mobile suffixes, VIN serials). Not cryptography, just a shuffle that needs no
//! memory, so a stream of ten million customers stays O(1) per item.

/// SplitMix64 finaliser: a cheap, well-mixed 64-bit hash.
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

const ROUNDS: usize = 6;

/// A Feistel network over the mixed-radix domain `0..a*b`: the state is a pair
/// `(l in 0..a, r in 0..b)`; each round replaces it with `(r, (l + F(r)) mod a)` and the two
/// radices swap, so after an even number of rounds it is back in `0..a × 0..b`. Every round is
/// invertible, hence so is the whole.
#[derive(Debug, Clone)]
pub(crate) struct Permutation {
    a: u64,
    b: u64,
    keys: [u64; ROUNDS],
}

impl Permutation {
    /// A permutation of `0..a*b`, chosen by `seed` and `domain` (so that two permutations
    /// built from the same seed for different purposes are unrelated).
    pub(crate) fn new(a: u64, b: u64, seed: u64, domain: u64) -> Self {
        assert!(a > 0 && b > 0, "empty domain");
        let base = mix64(seed ^ mix64(domain));
        let mut keys = [0; ROUNDS];
        for (i, key) in keys.iter_mut().enumerate() {
            *key = mix64(base.wrapping_add(i as u64));
        }
        Self { a, b, keys }
    }

    /// Size of the domain.
    pub(crate) fn len(&self) -> u64 {
        self.a * self.b
    }

    /// The image of `x`; `x` is reduced modulo [`len`](Self::len) first.
    pub(crate) fn apply(&self, x: u64) -> u64 {
        let x = x % self.len();
        let (mut l, mut r) = (x / self.b, x % self.b);
        let (mut ml, mut mr) = (self.a, self.b);
        for &key in &self.keys {
            let next = (l + mix64(r ^ key) % ml) % ml;
            l = r;
            r = next;
            std::mem::swap(&mut ml, &mut mr);
        }
        l * self.b + r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_bijective(a: u64, b: u64, seed: u64) {
        let p = Permutation::new(a, b, seed, 7);
        let mut seen = vec![false; (a * b) as usize];
        for x in 0..a * b {
            let y = p.apply(x);
            assert!(y < a * b, "{y} out of range for {a}x{b}");
            assert!(!seen[y as usize], "{a}x{b}: {y} hit twice");
            seen[y as usize] = true;
        }
    }

    #[test]
    fn small_domains_are_permuted() {
        for (a, b) in [
            (1, 1),
            (1, 7),
            (7, 1),
            (10, 10),
            (33, 100),
            (55, 60),
            (100, 100),
        ] {
            for seed in [0, 1, 0xDEAD_BEEF] {
                assert_bijective(a, b, seed);
            }
        }
    }

    /// The two domains the generator relies on, checked exhaustively (about 130 million
    /// evaluations): run by hand in release builds.
    #[test]
    #[ignore = "exhaustive over 10^8 and 3.3 x 10^7 elements; run in release"]
    fn production_domains_are_permuted() {
        for (a, b) in [(10_000, 10_000), (5_500, 6_000)] {
            let p = Permutation::new(a, b, 42, 1);
            let mut seen = vec![0u64; (a * b).div_ceil(64) as usize];
            for x in 0..a * b {
                let y = p.apply(x);
                let (word, bit) = ((y / 64) as usize, y % 64);
                assert_eq!(seen[word] >> bit & 1, 0, "{y} hit twice");
                seen[word] |= 1 << bit;
            }
        }
    }

    #[test]
    fn seed_and_domain_change_the_permutation() {
        let p = Permutation::new(10_000, 10_000, 1, 1);
        let q = Permutation::new(10_000, 10_000, 2, 1);
        let r = Permutation::new(10_000, 10_000, 1, 2);
        let differ = |s: &Permutation| (0..100).filter(|&x| p.apply(x) != s.apply(x)).count();
        assert!(differ(&q) > 90);
        assert!(differ(&r) > 90);
    }

    #[test]
    fn consecutive_inputs_look_scattered() {
        let p = Permutation::new(10_000, 10_000, 42, 0);
        let outputs: Vec<u64> = (0..1000).map(|x| p.apply(x)).collect();
        let increasing = outputs.windows(2).filter(|w| w[1] > w[0]).count();
        assert!((350..650).contains(&increasing), "{increasing}");
        let low = outputs.iter().filter(|&&y| y < 50_000_000).count();
        assert!((400..600).contains(&low), "{low}");
    }
}
