//! The header checks every Streamable HTTP request passes before its body is
//! read: `Host` and `Origin` against an allow-list (DNS rebinding), and what
//! the client accepts.
//!
//! An allow-list entry `*` turns its check off: for an operator whose proxy
//! in front already checks names, never a default.

/// The host part of a `Host` header or an authority: `[::1]:8080` gives
/// `[::1]`, `localhost:3000` gives `localhost`.
fn host_of(authority: &str) -> &str {
    let authority = authority.trim();
    if authority.starts_with('[') {
        return authority.find(']').map_or(authority, |end| &authority[..=end]);
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    }
}

/// Whether a `Host` header names an allowed host, with any port.
pub(crate) fn host_allowed(host: &str, allowed: &[String]) -> bool {
    let host = host_of(host);
    allowed.iter().any(|a| a == "*" || a.eq_ignore_ascii_case(host))
}

/// Whether an `Origin` header is allowed: one of `origins` exactly (scheme,
/// host and port; case aside), or an `http` or `https` origin on one of
/// `hosts`, with any port. An opaque origin (`null`) or any other scheme is
/// refused unless `origins` has `*`.
pub(crate) fn origin_allowed(origin: &str, hosts: &[String], origins: &[String]) -> bool {
    let origin = origin.trim();
    if origins.iter().any(|allowed| allowed == "*" || allowed.trim_end_matches('/').eq_ignore_ascii_case(origin)) {
        return true;
    }
    let Some((scheme, rest)) = origin.split_once("://") else { return false };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return false;
    }
    let authority = rest.split('/').next().unwrap_or_default();
    host_allowed(authority, hosts)
}

/// Whether `host` (a `Host` allow-list entry) names only this machine.
pub(crate) fn is_loopback_name(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Whether an `Accept` header admits `mime` (`type/subtype`), counting
/// `*/*` and `type/*`. A missing header accepts nothing: MCP requires it.
pub(crate) fn accepts(accept: Option<&str>, mime: &str) -> bool {
    let Some(accept) = accept else { return false };
    // Bytes, not chars: every byte that matters here is ASCII, and a POST's
    // two checks took about 1,900 instructions splitting by `char`, 950 so
    // (callgrind, echo-http).
    let mime = mime.as_bytes();
    let kind = mime.split(|&b| b == b'/').next().unwrap_or(mime);
    fn media_range(item: &[u8]) -> &[u8] {
        item.split(|&b| b == b';').next().unwrap_or(item).trim_ascii()
    }
    accept.as_bytes().split(|&b| b == b',').map(media_range).any(|item| {
        item.eq_ignore_ascii_case(mime)
            || item == b"*/*"
            || item.strip_suffix(b"/*").is_some_and(|prefix| prefix.eq_ignore_ascii_case(kind))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local() -> Vec<String> {
        ["localhost", "127.0.0.1", "[::1]"].map(String::from).to_vec()
    }

    #[test]
    fn loopback_hosts_are_allowed_with_any_port() {
        for host in ["localhost", "localhost:3000", "127.0.0.1:8080", "[::1]:9", "[::1]", "LOCALHOST:1"] {
            assert!(host_allowed(host, &local()), "{host}");
        }
    }

    #[test]
    fn other_hosts_are_refused() {
        for host in ["evil.example.com", "evil.example.com:80", "127.0.0.2", "localhost.evil.com", "[::2]:1", ""] {
            assert!(!host_allowed(host, &local()), "{host}");
        }
    }

    #[test]
    fn origins_must_be_http_on_an_allowed_host() {
        assert!(origin_allowed("http://localhost:3000", &local(), &[]));
        assert!(origin_allowed("https://127.0.0.1", &local(), &[]));
        assert!(origin_allowed("http://[::1]:8080", &local(), &[]));
        for origin in ["http://evil.example.com", "null", "file://localhost", "localhost", "http://localhost.evil.com"]
        {
            assert!(!origin_allowed(origin, &local(), &[]), "{origin}");
        }
    }

    #[test]
    fn listed_origins_match_exactly_and_a_star_allows_any() {
        let origins = ["https://app.example.com".to_owned(), "http://tool.example.com:8080/".to_owned()];
        assert!(origin_allowed("https://app.example.com", &local(), &origins));
        assert!(origin_allowed("HTTPS://APP.example.com", &local(), &origins));
        assert!(origin_allowed("http://tool.example.com:8080", &local(), &origins));
        for origin in ["http://app.example.com", "https://app.example.com:8443", "https://evil.example.com", "null"] {
            assert!(!origin_allowed(origin, &local(), &origins), "{origin}");
        }
        assert!(origin_allowed("null", &local(), &["*".to_owned()]));
    }

    #[test]
    fn a_star_allows_any_host() {
        assert!(host_allowed("mcp.example.com:443", &["*".to_owned()]));
    }

    #[test]
    fn loopback_names_are_told_from_others() {
        for name in ["localhost", "LocalHost", "127.0.0.1", "127.0.0.2", "[::1]", "::1"] {
            assert!(is_loopback_name(name), "{name}");
        }
        for name in ["mcp.example.com", "0.0.0.0", "10.0.0.1", "[::]", "*"] {
            assert!(!is_loopback_name(name), "{name}");
        }
    }

    #[test]
    fn accept_understands_lists_parameters_and_wildcards() {
        let both = Some("application/json, text/event-stream");
        assert!(accepts(both, "application/json") && accepts(both, "text/event-stream"));
        assert!(accepts(Some("text/event-stream;q=0.9"), "text/event-stream"));
        assert!(accepts(Some("*/*"), "application/json"));
        assert!(accepts(Some("text/*"), "text/event-stream"));
        assert!(!accepts(Some("application/json"), "text/event-stream"));
        assert!(!accepts(None, "application/json"));
    }
}
