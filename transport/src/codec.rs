//! Newline-delimited JSON framing, the stdio transport's wire format.
//!
//! One message per line; `\r\n` is tolerated and blank lines are skipped. The
//! codec only finds line boundaries: whether a line is JSON, and valid UTF-8, is
//! the JSON-RPC decoder's question, so a bad line becomes an error answer and
//! reading goes on. A line longer than the limit is reported once and then
//! skipped as it streams past, never buffered whole.

use bytes::{Buf, Bytes, BytesMut};
use tokio_util::codec::Decoder;

/// The default limit on one incoming message: large enough for an image in a
/// tool argument, small enough that a peer cannot make us buffer without end.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 8 * 1024 * 1024;

/// What the codec yields for each line.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame {
    /// One line's bytes, without the line ending.
    Line(Bytes),
    /// A line longer than the limit began here; its bytes are being skipped.
    TooLarge {
        /// The limit it exceeded.
        limit: usize,
    },
}

/// Splits a byte stream into lines of at most `max_bytes` bytes.
#[derive(Debug)]
pub struct JsonLinesCodec {
    max_bytes: usize,
    /// How far into the buffer we already looked for `\n`, so a long line
    /// arriving in many reads is scanned once, not once per read.
    scanned: usize,
    /// True while skipping the rest of an oversized line.
    discarding: bool,
}

impl Default for JsonLinesCodec {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_MESSAGE_BYTES)
    }
}

impl JsonLinesCodec {
    /// A codec that refuses lines longer than `max_bytes`.
    pub fn new(max_bytes: usize) -> Self {
        Self { max_bytes, scanned: 0, discarding: false }
    }
}

impl Decoder for JsonLinesCodec {
    type Item = Frame;
    type Error = std::io::Error;

    fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Frame>, Self::Error> {
        loop {
            let Some(offset) = memchr::memchr(b'\n', &buf[self.scanned..]) else {
                if self.discarding {
                    buf.clear();
                    self.scanned = 0;
                    return Ok(None);
                }
                // Over the limit only once it cannot fit even if its last byte
                // is the `\r` of a `\r\n`: otherwise a line of exactly the
                // limit would be refused or not depending on where a read ended.
                let over = buf.len() > self.max_bytes.saturating_add(1)
                    || (buf.len() > self.max_bytes && buf.last() != Some(&b'\r'));
                if over {
                    // Report once, then drop what we hold and skip to the next newline.
                    self.discarding = true;
                    buf.clear();
                    self.scanned = 0;
                    return Ok(Some(Frame::TooLarge { limit: self.max_bytes }));
                }
                self.scanned = buf.len();
                return Ok(None);
            };
            let end = self.scanned + offset;
            self.scanned = 0;
            if self.discarding {
                buf.advance(end + 1);
                self.discarding = false;
                continue;
            }
            let mut line = buf.split_to(end + 1);
            line.truncate(end);
            if line.last() == Some(&b'\r') {
                line.truncate(end - 1);
            }
            if line.len() > self.max_bytes {
                return Ok(Some(Frame::TooLarge { limit: self.max_bytes }));
            }
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Ok(Some(Frame::Line(line.freeze())));
        }
    }

    fn decode_eof(&mut self, buf: &mut BytesMut) -> Result<Option<Frame>, Self::Error> {
        if let Some(frame) = self.decode(buf)? {
            return Ok(Some(frame));
        }
        // A last line without its newline still counts: some peers end that way.
        if self.discarding || buf.iter().all(u8::is_ascii_whitespace) {
            buf.clear();
            return Ok(None);
        }
        buf.extend_from_slice(b"\n");
        self.decode(buf)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn frames(codec: &mut JsonLinesCodec, chunks: &[&[u8]]) -> Vec<Frame> {
        let mut buf = BytesMut::new();
        let mut out = Vec::new();
        for chunk in chunks {
            buf.extend_from_slice(chunk);
            while let Some(frame) = codec.decode(&mut buf).unwrap() {
                out.push(frame);
            }
        }
        while let Some(frame) = codec.decode_eof(&mut buf).unwrap() {
            out.push(frame);
        }
        out
    }

    fn line(text: &str) -> Frame {
        Frame::Line(Bytes::copy_from_slice(text.as_bytes()))
    }

    #[test]
    fn splits_lines_and_strips_crlf() {
        let mut codec = JsonLinesCodec::default();
        assert_eq!(frames(&mut codec, &[b"{\"a\":1}\r\n{\"b\":2}\n"]), [line("{\"a\":1}"), line("{\"b\":2}")]);
    }

    #[test]
    fn skips_blank_lines() {
        let mut codec = JsonLinesCodec::default();
        assert_eq!(frames(&mut codec, &[b"\n\r\n  \n{}\n\n"]), [line("{}")]);
    }

    #[test]
    fn reassembles_a_line_split_across_reads() {
        let mut codec = JsonLinesCodec::default();
        assert_eq!(frames(&mut codec, &[b"{\"te", b"xt\":", b"\"hi\"}\n"]), [line("{\"text\":\"hi\"}")]);
    }

    #[test]
    fn last_line_without_newline_is_kept() {
        let mut codec = JsonLinesCodec::default();
        assert_eq!(frames(&mut codec, &[b"{}\n[1]"]), [line("{}"), line("[1]")]);
    }

    #[test]
    fn oversized_line_is_reported_once_and_skipped() {
        let mut codec = JsonLinesCodec::new(8);
        let got = frames(&mut codec, &[b"{\"a\":\"0123456789", b"0123456789", b"\"}\n{}\n"]);
        assert_eq!(got, [Frame::TooLarge { limit: 8 }, line("{}")]);
    }

    #[test]
    fn oversized_line_is_not_buffered_whole() {
        let mut codec = JsonLinesCodec::new(16);
        let mut buf = BytesMut::new();
        buf.extend_from_slice(&[b'x'; 17]);
        assert_eq!(codec.decode(&mut buf).unwrap(), Some(Frame::TooLarge { limit: 16 }));
        for _ in 0..100 {
            buf.extend_from_slice(&[b'x'; 1000]);
            assert_eq!(codec.decode(&mut buf).unwrap(), None);
            assert!(buf.is_empty(), "skipped bytes are dropped as they arrive");
        }
        buf.extend_from_slice(b"x\n{}\n");
        assert_eq!(codec.decode(&mut buf).unwrap(), Some(line("{}")));
    }

    #[test]
    fn a_line_at_the_limit_ending_in_crlf_is_kept_wherever_a_read_ends() {
        // Found by the `json_lines` fuzz target: a read that ended between
        // the `\r` and the `\n` made the line look one byte too long.
        for chunks in [&[&b"1234\r\n"[..]][..], &[b"1234\r", b"\n"], &[b"12", b"34\r", b"\n{}\n"]] {
            let got = frames(&mut JsonLinesCodec::new(4), chunks);
            assert_eq!(got.first(), Some(&line("1234")), "{chunks:?}");
        }
        let got = frames(&mut JsonLinesCodec::new(4), &[b"12345", b"\n{}\n"]);
        assert_eq!(got, [Frame::TooLarge { limit: 4 }, line("{}")], "one byte over is still refused");
    }

    #[test]
    fn oversized_line_arriving_whole_is_reported() {
        let mut codec = JsonLinesCodec::new(4);
        assert_eq!(frames(&mut codec, &[b"123456\n{}\n"]), [Frame::TooLarge { limit: 4 }, line("{}")]);
    }

    #[test]
    fn invalid_utf8_is_passed_on_as_a_line_not_an_end_of_input() {
        let mut codec = JsonLinesCodec::default();
        let got = frames(&mut codec, &[b"{\"a\":\"\xff\"}\n{}\n"]);
        assert_eq!(got.len(), 2);
        assert_eq!(got[1], line("{}"));
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_in_arbitrary_chunks_never_panic(
            data in proptest::collection::vec(any::<u8>(), 0..4096),
            cuts in proptest::collection::vec(0usize..4096, 0..16),
            limit in 1usize..64,
        ) {
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (data.len() + 1)).collect();
            cuts.push(0);
            cuts.push(data.len());
            cuts.sort_unstable();
            let chunks: Vec<&[u8]> = cuts.windows(2).map(|w| &data[w[0]..w[1]]).collect();
            let mut codec = JsonLinesCodec::new(limit);
            for frame in frames(&mut codec, &chunks) {
                if let Frame::Line(bytes) = frame {
                    prop_assert!(bytes.len() <= limit);
                    prop_assert!(!bytes.contains(&b'\n'));
                }
            }
        }

        #[test]
        fn chunking_does_not_change_the_lines(
            lines in proptest::collection::vec("[a-z{}\":,0-9]{1,20}", 0..20),
            chunk in 1usize..32,
        ) {
            let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
            let chunks: Vec<&[u8]> = text.as_bytes().chunks(chunk).collect();
            let got = frames(&mut JsonLinesCodec::default(), &chunks);
            let want: Vec<Frame> = lines.iter().map(|l| line(l)).collect();
            prop_assert_eq!(got, want);
        }
    }
}
