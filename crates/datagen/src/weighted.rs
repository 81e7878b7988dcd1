//! Weighted choice over static tables: cumulative weights, binary search.

use rand::Rng;

#[derive(Debug, Clone)]
pub(crate) struct Weighted {
    cumulative: Vec<u32>,
}

impl Weighted {
    /// Panics if there are no weights or they are all zero: tables are static data.
    pub(crate) fn new(weights: impl IntoIterator<Item = u32>) -> Self {
        let mut total = 0u32;
        let cumulative: Vec<u32> = weights
            .into_iter()
            .map(|w| {
                total = total.checked_add(w).expect("weights overflow");
                total
            })
            .collect();
        assert!(total > 0, "no weight");
        Self { cumulative }
    }

    /// An index, drawn with probability proportional to its weight.
    pub(crate) fn sample(&self, rng: &mut impl Rng) -> usize {
        let total = *self.cumulative.last().expect("non-empty");
        let x = rng.random_range(0..total);
        self.cumulative.partition_point(|&c| c <= x)
    }
}

/// Picks from a small inline `(value, weight)` table by linear scan; for tables too small or
/// too rarely used to be worth a [`Weighted`].
pub(crate) fn pick<T: Copy>(rng: &mut impl Rng, table: &[(T, u32)]) -> T {
    let total: u32 = table.iter().map(|e| e.1).sum();
    let mut x = rng.random_range(0..total);
    for &(value, weight) in table {
        if x < weight {
            return value;
        }
        x -= weight;
    }
    unreachable!("x < total")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn zero_weights_are_never_drawn_and_shares_follow_weights() {
        let w = Weighted::new([0, 3, 0, 1]);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut counts = [0; 4];
        for _ in 0..40_000 {
            counts[w.sample(&mut rng)] += 1;
        }
        assert_eq!(counts[0], 0);
        assert_eq!(counts[2], 0);
        assert!((28_000..32_000).contains(&counts[1]), "{counts:?}");
    }

    #[test]
    fn pick_follows_weights() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let table = [("a", 1), ("b", 0), ("c", 1)];
        let mut a = 0;
        for _ in 0..10_000 {
            let v = pick(&mut rng, &table);
            assert_ne!(v, "b");
            a += usize::from(v == "a");
        }
        assert!((4_500..5_500).contains(&a), "{a}");
    }
}
