//! Where callers' randomness comes from. The core itself draws none (it is
//! passed ids through `EditCtx`); the store and the office make actor ids,
//! document ids, element ids, member and device ids, enrollment codes and
//! tokens from an [`Entropy`]. In production that is the operating
//! system's; the simulation passes a [`SeededEntropy`], so that one seed
//! decides every byte the whole system writes and a failing seed replays.

use crate::generate::Rng;

/// A source of random bytes.
pub trait Entropy: Send {
    fn fill(&mut self, buf: &mut [u8]);
}

/// A seeded source, for simulations and reproducible tests. Never for
/// secrets: anyone who knows the seed knows every byte.
pub struct SeededEntropy(Rng);

impl SeededEntropy {
    pub fn new(seed: u64) -> SeededEntropy {
        SeededEntropy(Rng::new(seed))
    }
}

impl Entropy for SeededEntropy {
    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let x = self.0.next_u64().to_le_bytes();
            chunk.copy_from_slice(&x[..chunk.len()]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_decides_every_byte() {
        let (mut a, mut b, mut c) = (
            SeededEntropy::new(7),
            SeededEntropy::new(7),
            SeededEntropy::new(8),
        );
        let (mut x, mut y, mut z) = ([0u8; 13], [0u8; 13], [0u8; 13]);
        a.fill(&mut x);
        b.fill(&mut y);
        c.fill(&mut z);
        assert_eq!(x, y);
        assert_ne!(x, z);
        // Consecutive draws differ: the stream moves on.
        a.fill(&mut y);
        assert_ne!(x, y);
    }
}
