//! Helpers for the tables probed in place (`TermCounts`, `ArticleTable`,
//! the prior): where a key's probe starts, and asking the CPU for a slot
//! before it is read. A general-purpose map gives no way to do the second,
//! and at a window of a million articles most lookups are cache misses.

/// The slot where `key`'s probe starts in a table of `slots` slots (a
/// power of two). Keys are hashes already; mixing again keeps hand-made
/// keys (tests) from piling up, and the index comes from the top bits.
pub(crate) fn home_slot(key: u64, slots: usize) -> usize {
    let bits = slots.trailing_zeros();
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize
}

/// Bring the cache line holding `item` closer; a no-op off x86_64.
pub(crate) fn prefetch_read<T>(item: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let at: *const T = item;
        // SAFETY: a prefetch never faults, and SSE is part of x86_64.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(at.cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = item;
}
