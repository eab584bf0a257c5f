//! The MCP headers of a stateless POST (2026-07-28), read as sent.
//!
//! The transport only collects them: checking them against the body is the
//! owner's job, because only it knows the methods and which tool arguments
//! a tool mirrors into `Mcp-Param-*` headers (`x-mcp-header`).

use std::borrow::Cow;

use hyper::header::{HeaderMap, HeaderName, HeaderValue};

// Names, not strings: a lookup by `&str` parses and validates the name first.
const PROTOCOL_VERSION: HeaderName = HeaderName::from_static("mcp-protocol-version");
const METHOD: HeaderName = HeaderName::from_static("mcp-method");
const NAME: HeaderName = HeaderName::from_static("mcp-name");
const PARAM_PREFIX: &str = "mcp-param-";

/// The MCP headers of a stateless POST, as sent: names matched
/// case-insensitively, values trimmed of surrounding spaces and tabs (OWS),
/// not otherwise decoded. The owner checks them against the body, including
/// the `=?base64?...?=` values of `Mcp-Param-*`, because only it knows which
/// tool arguments are mirrored.
///
/// A header sent more than once is one value, its lines joined with `", "`
/// as HTTP combines field lines; such a value matches no single body value.
/// Bytes that are not UTF-8 become U+FFFD, so such a value matches nothing
/// either, rather than looking absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct McpHeaders {
    /// `MCP-Protocol-Version`: must equal `_meta`'s protocol version.
    pub protocol_version: Option<String>,
    /// `Mcp-Method`: must equal the body's `method`.
    pub method: Option<String>,
    /// `Mcp-Name`: must equal `params.name` (`tools/call`, `prompts/get`),
    /// `params.uri` (`resources/read`) or `params.taskId` (`tasks/get`,
    /// `tasks/update`, `tasks/cancel`).
    pub name: Option<String>,
    /// Each `Mcp-Param-<X>` header as (`X` lower-cased, value), in the order
    /// they came. `X` names the argument through the tool's `x-mcp-header`,
    /// which matches case-insensitively.
    pub params: Vec<(String, String)>,
}

impl McpHeaders {
    /// Collect the MCP headers of a request. Header names arrive lower-cased
    /// from the HTTP parser, which is what makes matching case-insensitive.
    pub(crate) fn from_headers(headers: &HeaderMap) -> Self {
        let mut params: Vec<(String, String)> = Vec::new();
        for name in headers.keys() {
            let Some(x) = name.as_str().strip_prefix(PARAM_PREFIX) else { continue };
            // `keys()` yields each name once; all its lines are read together.
            params.push((x.to_owned(), joined(headers, name).unwrap_or_default()));
        }
        Self {
            protocol_version: joined(headers, &PROTOCOL_VERSION),
            method: joined(headers, &METHOD),
            name: joined(headers, &NAME),
            params,
        }
    }
}

/// Every line of header `name`, trimmed and joined with `", "`; `None` when absent.
fn joined(headers: &HeaderMap, name: &HeaderName) -> Option<String> {
    let mut values = headers.get_all(name).iter().map(trimmed);
    let first = values.next()?;
    Some(values.fold(first.into_owned(), |mut all, value| {
        all.push_str(", ");
        all.push_str(&value);
        all
    }))
}

/// A value without its surrounding optional whitespace (spaces and tabs).
fn trimmed(value: &HeaderValue) -> Cow<'_, str> {
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    let bytes = value.as_bytes();
    let start = bytes.iter().position(|b| !is_ows(b)).unwrap_or(bytes.len());
    let end = bytes.iter().rposition(|b| !is_ows(b)).map_or(start, |last| last + 1);
    String::from_utf8_lossy(&bytes[start..end])
}

#[cfg(test)]
mod tests {
    use hyper::header::HeaderName;

    use super::*;

    fn headers(lines: &[(&str, &[u8])]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in lines {
            let name = HeaderName::from_bytes(name.as_bytes()).unwrap();
            map.append(name, HeaderValue::from_bytes(value).unwrap());
        }
        map
    }

    #[test]
    fn names_match_in_any_case_and_values_lose_surrounding_whitespace_only() {
        let map = headers(&[
            ("MCP-PROTOCOL-VERSION", b"2026-07-28"),
            ("mcp-method", b"  tools/call\t"),
            ("Mcp-Name", b"\t my tool  "),
            ("Content-Type", b"application/json"),
        ]);
        let mcp = McpHeaders::from_headers(&map);
        assert_eq!(mcp.protocol_version.as_deref(), Some("2026-07-28"));
        assert_eq!(mcp.method.as_deref(), Some("tools/call"), "values keep their case and inner spaces");
        assert_eq!(mcp.name.as_deref(), Some("my tool"));
        assert!(mcp.params.is_empty());
    }

    #[test]
    fn missing_headers_are_none_and_empty_ones_are_empty() {
        assert_eq!(McpHeaders::from_headers(&HeaderMap::new()), McpHeaders::default());
        let mcp = McpHeaders::from_headers(&headers(&[("Mcp-Name", b"   ")]));
        assert_eq!(mcp.name.as_deref(), Some(""), "present but blank is not absent");
        assert_eq!(mcp.method, None);
    }

    #[test]
    fn every_mcp_param_header_is_collected_with_its_suffix_lower_cased() {
        let map = headers(&[
            ("Mcp-Param-Region", b" us-west1 "),
            ("MCP-PARAM-Greeting", b"=?base64?SGVsbG8=?="),
            ("Mcp-Parameter", b"not a param header"),
            ("X-Mcp-Param-Other", b"nor this"),
        ]);
        let mcp = McpHeaders::from_headers(&map);
        assert_eq!(
            mcp.params,
            [("region".to_owned(), "us-west1".to_owned()), ("greeting".to_owned(), "=?base64?SGVsbG8=?=".to_owned())],
            "encoded values are passed on undecoded"
        );
    }

    #[test]
    fn repeated_lines_join_and_bytes_that_are_not_utf8_never_vanish() {
        let map = headers(&[("Mcp-Method", b"tools/list"), ("mcp-method", b" prompts/list"), ("Mcp-Name", b"caf\xe9")]);
        let mcp = McpHeaders::from_headers(&map);
        assert_eq!(mcp.method.as_deref(), Some("tools/list, prompts/list"));
        assert_eq!(mcp.name.as_deref(), Some("caf\u{fffd}"));
    }
}
