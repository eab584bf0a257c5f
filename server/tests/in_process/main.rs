//! In-process tests of the server: one per behaviour, over the in-memory
//! transport, so each runs the real processor and transport in milliseconds.
//! One test binary with modules links once instead of once per file.
//!
//! Every test runs twice, on a current-thread and on a multi-threaded
//! runtime: the library runs on whichever its user chose, and the two
//! schedule tasks differently (a handler may run beside the processor, or
//! only when the processor steps aside).

/// Registers async test functions to run on both kinds of Tokio runtime: for
/// each name, a module of that name with a `current_thread` and a
/// `multi_thread` test. A test function left out of the list is dead code,
/// which the lints refuse, so none is forgotten.
macro_rules! in_both_runtimes {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "current_thread")]
            async fn current_thread() {
                super::$name().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn multi_thread() {
                super::$name().await;
            }
        }
    )*};
}

mod context;
mod handlers;
mod http;
mod lifecycle;
mod robustness;
mod stateless;
mod support;
mod tasks;
