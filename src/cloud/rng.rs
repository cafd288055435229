//! A small seedable, thread-safe random source (xorshift64) for retry jitter and failure
//! injection: reproducible with a seed, no dependency needed.

use std::sync::Mutex;

#[derive(Debug)]
pub struct Rng(Mutex<u64>);

impl Rng {
    /// A generator from `seed` (0 is replaced by 1, which xorshift needs).
    pub fn new(seed: u64) -> Self {
        Rng(Mutex::new(seed.max(1)))
    }

    pub fn next_u64(&self) -> u64 {
        let mut x = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        *x
    }

    /// A number in `[0, n)` (0 when `n` is 0).
    pub fn below(&self, n: usize) -> usize {
        usize::try_from(self.next_u64() % n.max(1) as u64).unwrap_or(0)
    }

    /// True `percent` times in a hundred.
    pub fn chance(&self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    /// One of `items`, `None` when there are none.
    pub fn pick<'a, T>(&self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| &items[self.below(items.len())])
    }

    /// A number in `[0, 1)`.
    pub fn next_f64(&self) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let r = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_numbers_and_floats_in_range() {
        let (a, b) = (Rng::new(42), Rng::new(42));
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
            let f = a.next_f64();
            assert!((0.0..1.0).contains(&f));
            b.next_f64();
        }
    }
}
