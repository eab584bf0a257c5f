//! Memory end to end: a long run of ordinary calls must not make the server
//! grow. A leak of even a few bytes per request shows after a hundred
//! thousand of them, where a unit test would never see it.

use std::collections::VecDeque;
use std::time::Instant;

use mcpwire_tests::{McpProcess, MemoryStatus, memory_status, request};
use serde_json::{Value, json};

const TOTAL_CALLS: usize = 100_000;
/// Calls before the baseline is taken: allocator pools, buffers and the
/// request tables reach their working size during these.
const WARM_UP_CALLS: usize = 10_000;
/// Requests in flight at most. Enough to keep both processes busy, well under
/// the server's concurrency limit (1024), and small enough that neither pipe
/// fills while the other side waits.
const WINDOW: usize = 64;
/// How much the resident set may grow after the warm-up: allocator noise, not
/// a per-request cost (100,000 leaked requests would be far more).
const MARGIN_KIB: u64 = 4 * 1024;

/// Run `count` echo calls, at most `WINDOW` in flight: the window is topped
/// up whenever half of it has been answered, so the server always has work
/// queued while the test checks answers. Every call must be answered with
/// its own text.
fn echo_calls(server: &mut McpProcess, count: usize) {
    let mut sent = 0;
    let mut in_flight: VecDeque<(Value, String)> = VecDeque::with_capacity(WINDOW);
    loop {
        if in_flight.len() <= WINDOW / 2 && sent < count {
            let top_up = (WINDOW - in_flight.len()).min(count - sent);
            let calls: Vec<(Value, String)> =
                (0..top_up).map(|i| (server.next_id(), format!("call {}", sent + i))).collect();
            let requests: Vec<Value> = calls
                .iter()
                .map(|(id, text)| {
                    request(id.clone(), "tools/call", json!({"name": "echo", "arguments": {"text": text}}))
                })
                .collect();
            server.send_many(&requests);
            in_flight.extend(calls);
            sent += top_up;
        }
        let Some((id, expected)) = in_flight.pop_front() else { break };
        let response = server.recv_response(&id);
        let text = response["result"]["content"][0]["text"].as_str();
        if text != Some(expected.as_str()) || response["result"]["isError"] == true {
            panic!("call {id} was not answered with {expected:?}: {response}");
        }
    }
}

fn measure(server: &McpProcess) -> MemoryStatus {
    memory_status(server.pid()).unwrap_or_else(|e| panic!("cannot read the server's memory: {e}"))
}

#[test]
fn a_hundred_thousand_echo_calls_do_not_grow_the_server() {
    let mut server = McpProcess::initialized(json!({}));
    let started = Instant::now();
    echo_calls(&mut server, WARM_UP_CALLS);
    let warm = measure(&server);
    echo_calls(&mut server, TOTAL_CALLS - WARM_UP_CALLS);
    let end = measure(&server);
    let elapsed = started.elapsed();
    eprintln!(
        "mcpwire memory over {TOTAL_CALLS} echo calls in {elapsed:.1?}: after {WARM_UP_CALLS} calls VmRSS {} KiB \
         (VmHWM {} KiB); at the end VmRSS {} KiB (VmHWM {} KiB)",
        warm.rss_kib, warm.peak_kib, end.rss_kib, end.peak_kib
    );
    assert!(
        end.rss_kib <= warm.rss_kib + MARGIN_KIB,
        "the server grew from {} KiB to {} KiB over {} calls",
        warm.rss_kib,
        end.rss_kib,
        TOTAL_CALLS - WARM_UP_CALLS
    );
    server.assert_serving();
}
