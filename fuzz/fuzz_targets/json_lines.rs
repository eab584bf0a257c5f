//! Fuzz target: `JsonLinesCodec`, the stdio framing, fed any bytes in any
//! chunks with any size limit, and each line it yields decoded as the reader
//! would.
//!
//! Beyond "never panics", it checks that framing does not depend on how the
//! bytes arrive: the frames from chunked input are the frames from the same
//! bytes in one piece; and, while no line is over the limit, those are the
//! non-blank lines of the input, `\r\n` tolerated.

#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use mcpwire_transport::{Frame, JsonLinesCodec};
use tokio_util::codec::Decoder;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the limit, the second the chunk size; the rest is input.
    let [limit, chunk, input @ ..] = data else { return };
    let limit = usize::from(*limit) + 1;
    let chunk = usize::from(*chunk) + 1;
    let whole = frames(input, input.len().max(1), limit);
    let chunked = frames(input, chunk, limit);
    assert_eq!(chunked, whole, "chunks of {chunk} bytes framed differently from the whole input (limit {limit})");
    for frame in &chunked {
        if let Frame::Line(line) = frame {
            assert!(line.len() <= limit, "a line over the limit");
            assert!(!line.contains(&b'\n'), "a line with a newline in it");
            assert!(!line.iter().all(u8::is_ascii_whitespace), "a blank line");
            let _ = mcpwire_protocol::decode(line);
        }
    }
    if !chunked.iter().any(|f| matches!(f, Frame::TooLarge { .. })) {
        assert_eq!(chunked, model(input), "the lines are not the input's non-blank lines");
    }
});

/// Every frame of `input`, read `chunk` bytes at a time, then at end of input.
fn frames(input: &[u8], chunk: usize, limit: usize) -> Vec<Frame> {
    let mut codec = JsonLinesCodec::new(limit);
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for piece in input.chunks(chunk) {
        buf.extend_from_slice(piece);
        while let Some(frame) = codec.decode(&mut buf).expect("framing never fails") {
            out.push(frame);
        }
    }
    while let Some(frame) = codec.decode_eof(&mut buf).expect("framing never fails") {
        out.push(frame);
    }
    out
}

/// What the lines of `input` are, by definition: split at `\n`, one trailing
/// `\r` dropped, blank ones skipped.
fn model(input: &[u8]) -> Vec<Frame> {
    input
        .split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .filter(|line| !line.iter().all(u8::is_ascii_whitespace))
        .map(|line| Frame::Line(bytes::Bytes::copy_from_slice(line)))
        .collect()
}
