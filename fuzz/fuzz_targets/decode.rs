//! Fuzz target: the JSON-RPC decoder, `decode` and `Message::from_slice`, on
//! any bytes a peer could send as one line or one HTTP body.
//!
//! Beyond "never panics", it checks what the transport relies on: the two
//! entry points agree on single messages; a message that decodes re-encodes
//! to one that decodes to the same kind, id and method; every error becomes
//! an error object that serialises (the -32700/-32600 answer); a batch is
//! never empty.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mcpwire_protocol::{Decoded, Message, decode};

fuzz_target!(|data: &[u8]| {
    let single = Message::from_slice(data);
    match decode(data) {
        Ok(Decoded::Single(message)) => {
            let agreed = single.expect("`decode` took a single message that `Message::from_slice` refused");
            assert_eq!(shape(&agreed), shape(&message), "the two entry points read it differently");
            round_trip(&message);
        }
        Ok(Decoded::Batch(items)) => {
            assert!(!items.is_empty(), "an empty batch decoded");
            assert!(single.is_err(), "`Message::from_slice` took a batch");
            for item in items {
                match item {
                    Ok(message) => round_trip(&message),
                    Err(error) => answerable(&error),
                }
            }
        }
        Err(error) => {
            answerable(&error);
            if let Ok(message) = single {
                panic!("`Message::from_slice` took what `decode` refused ({error}): {message:?}");
            }
        }
    }
});

/// What must survive a round trip: the kind, the id, and the method.
fn shape(message: &Message) -> (u8, String, String) {
    let (kind, method) = match message {
        Message::Request(r) => (0, r.method.to_string()),
        Message::Notification(n) => (1, n.method.to_string()),
        Message::Response(_) => (2, String::new()),
        Message::Error(_) => (3, String::new()),
    };
    (kind, format!("{:?}", message.id()), method)
}

fn round_trip(message: &Message) {
    let bytes = serde_json::to_vec(message).expect("a decoded message serialises");
    let again = Message::from_slice(&bytes).unwrap_or_else(|e| {
        panic!("{message:?} re-encodes to {:?}, which does not decode: {e}", String::from_utf8_lossy(&bytes))
    });
    assert_eq!(shape(message), shape(&again), "changed in a round trip: {}", String::from_utf8_lossy(&bytes));
}

/// The error answer the peer would get serialises, with the id if one was read.
fn answerable(error: &mcpwire_protocol::Error) {
    let object = error.to_error_object();
    serde_json::to_vec(&object).expect("an error object serialises");
    let _ = error.request_id();
}
