//! Request ids for the requests we send: minted here and nowhere else.

use std::sync::atomic::{AtomicI64, Ordering};

use mcpwire_protocol::RequestId;

/// Mints integer request ids, unique for the life of one connection.
///
/// One minter per connection, owned by its `OutgoingMessageSender`; the sender is
/// shared as an `Arc` rather than cloned precisely so that there is one counter.
#[derive(Debug)]
pub(crate) struct IdMinter {
    next: AtomicI64,
}

impl Default for IdMinter {
    fn default() -> Self {
        // Start at 1: some clients treat id 0 as "no id" in their logs.
        Self { next: AtomicI64::new(1) }
    }
}

impl IdMinter {
    /// The next id. Relaxed ordering is enough: uniqueness comes from the atomic
    /// increment itself, and no other memory is published through it.
    pub(crate) fn mint(&self) -> RequestId {
        RequestId::Number(self.next.fetch_add(1, Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::sync::Arc;

    use super::*;

    #[test]
    fn ids_start_at_one_and_increase() {
        let minter = IdMinter::default();
        assert_eq!(minter.mint(), RequestId::Number(1));
        assert_eq!(minter.mint(), RequestId::Number(2));
    }

    #[test]
    fn ids_are_unique_across_threads() {
        let minter = Arc::new(IdMinter::default());
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let minter = Arc::clone(&minter);
                std::thread::spawn(move || (0..10_000).map(|_| minter.mint()).collect::<Vec<_>>())
            })
            .collect();
        let ids: HashSet<_> = threads.into_iter().flat_map(|t| t.join().unwrap()).collect();
        assert_eq!(ids.len(), 40_000);
    }
}
