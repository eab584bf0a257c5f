//! Authorization as MCP defines it for a server over HTTP: the server is an
//! OAuth 2.1 resource server. It takes a bearer token on every request, has
//! the owner's [`TokenValidator`] check it, and tells a client without a good
//! one where to get one: a 401 whose `WWW-Authenticate` challenge names the
//! protected resource metadata (RFC 9728), a document served at
//! `/.well-known/oauth-protected-resource` plus the endpoint's path, which
//! names the authorization servers that issue tokens for this resource.
//!
//! What is checked, in order, before anything else of the request is read:
//!
//! - no `Authorization: Bearer` header: 401, `Bearer resource_metadata="..."`
//!   (with the required scopes in `scope`, so the client asks for them);
//! - two `Authorization` headers: 400, `error="invalid_request"`;
//! - the validator rejects the token: 401, `error="invalid_token"`; or it
//!   could not decide (its authorization server is down): 503, with no
//!   challenge, so the client does not throw a good token away;
//! - the token lacks a scope in [`AuthConfig::required_scopes`], or the
//!   validator says it lacks one for this request: 403,
//!   `error="insufficient_scope", scope="..."`.
//!
//! A request that passes carries the validator's [`Principal`] in its
//! extensions, where a handler finds it through its request context, and no
//! longer carries its `Authorization` header: MCP forbids passing a client's
//! token on, and a handler that never sees it cannot.
//!
//! The transport checks the token's form, never its content: a validator
//! must check the signature or ask the issuer (introspection), the expiry,
//! and that the token was issued for this server (its audience is
//! [`AuthConfig::resource`], RFC 8707). Tokens are never passed on.

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use serde::Serialize;

use super::ResponseBody;
use super::service::{Body, Refusal, refuse_http};
use crate::Error;

/// The well-known path prefix of protected resource metadata (RFC 9728 §3).
pub const METADATA_PREFIX: &str = "/.well-known/oauth-protected-resource";

/// What [`TokenValidator::validate`] returns: the token's principal, or why
/// the request may not go on.
pub type ValidationFuture<'a> = Pin<Box<dyn Future<Output = Result<Principal, TokenRejection>> + Send + 'a>>;

/// Checks bearer tokens: the owner's side of authorization.
///
/// A closure `Fn(String) -> impl Future<Output = Result<Principal,
/// TokenRejection>>` is a validator; implement the trait for a type of your
/// own when the decision needs the request too (its `Mcp-Method` and
/// `Mcp-Name` headers say which method and tool a 2026-07-28 request calls).
///
/// ```
/// use mcpwire_transport::http::{Principal, TokenRejection, TokenValidator};
///
/// fn validator() -> impl TokenValidator {
///     |token: String| async move {
///         // A real validator checks a signature or asks the issuer.
///         match token.as_str() {
///             "letmein" => Ok(Principal { subject: "ada".into(), scopes: vec!["mcp".into()], ..Principal::default() }),
///             _ => Err(TokenRejection::InvalidToken("unknown token".into())),
///         }
///     }
/// }
/// ```
pub trait TokenValidator: Send + Sync + 'static {
    /// Validate `token` (the bearer token, without the scheme), sent with
    /// the request whose head is `request`: check its signature or ask its
    /// issuer, its expiry, and that it was issued for this server.
    fn validate<'a>(&'a self, token: &'a str, request: &'a http::request::Parts) -> ValidationFuture<'a>;
}

impl<F, Fut> TokenValidator for F
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Principal, TokenRejection>> + Send + 'static,
{
    fn validate<'a>(&'a self, token: &'a str, _request: &'a http::request::Parts) -> ValidationFuture<'a> {
        Box::pin(self(token.to_owned()))
    }
}

/// Who a valid token speaks for, as its validator says. The transport puts
/// it in the request's extensions (`parts.extensions.get::<Principal>()`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Principal {
    /// Who the token was issued to (a JWT's `sub`).
    pub subject: String,
    /// The scopes the token grants, checked against
    /// [`AuthConfig::required_scopes`].
    pub scopes: Vec<String>,
    /// Anything else the validator wants handlers to see (the token's
    /// claims, say). `Null` by default.
    pub claims: serde_json::Value,
}

impl Principal {
    /// Whether the token grants `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|granted| granted == scope)
    }
}

/// Why a validator turned a request away; each becomes its own HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenRejection {
    /// The token is expired, revoked, malformed, forged, or issued for
    /// another resource: 401 with `error="invalid_token"` and this
    /// description, so the client gets a new token.
    InvalidToken(String),
    /// The token is good but does not grant what this request needs: 403
    /// with `error="insufficient_scope"` and these scopes, so the client may
    /// ask for them (step-up authorization).
    InsufficientScope(Vec<String>),
    /// The validator could not decide (the issuer did not answer, say): 503,
    /// without a challenge, because the token may well be good.
    Unavailable(String),
}

/// Authorization of a Streamable HTTP endpoint ([`HttpConfig::auth`](super::HttpConfig::auth)):
/// what the protected resource metadata says, and who checks tokens.
///
/// Build it with [`new`](Self::new), then name scopes with struct update
/// syntax:
///
/// ```
/// use mcpwire_transport::http::{AuthConfig, Principal, TokenRejection};
///
/// # fn main() -> Result<(), mcpwire_transport::Error> {
/// let validator = |_token: String| async { Err::<Principal, _>(TokenRejection::InvalidToken("no".into())) };
/// let auth = AuthConfig {
///     required_scopes: vec!["mcp:tools".into()],
///     ..AuthConfig::new("https://mcp.example.com/mcp", ["https://auth.example.com"], validator)?
/// };
/// assert_eq!(auth.metadata_url(), "https://mcp.example.com/.well-known/oauth-protected-resource/mcp");
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct AuthConfig {
    /// This server's canonical URI, as clients call it
    /// (`https://mcp.example.com/mcp`): the metadata's `resource`, the
    /// audience its tokens must name (RFC 8707), and what the metadata's own
    /// URL is made from.
    pub resource: http::Uri,
    /// The metadata's `authorization_servers`: the issuers of tokens for
    /// this resource, at least one.
    pub authorization_servers: Vec<String>,
    /// The metadata's `scopes_supported`; omitted when empty.
    pub scopes_supported: Vec<String>,
    /// Scopes every request needs: a token without all of them gets 403.
    /// Also named in the 401 challenge, so a client asks for them first.
    pub required_scopes: Vec<String>,
    /// The metadata's `resource_name`, a name to show people.
    pub resource_name: Option<String>,
    /// Checks each request's bearer token.
    pub validator: Arc<dyn TokenValidator>,
}

impl fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthConfig")
            .field("resource", &self.resource)
            .field("authorization_servers", &self.authorization_servers)
            .field("scopes_supported", &self.scopes_supported)
            .field("required_scopes", &self.required_scopes)
            .field("resource_name", &self.resource_name)
            .finish_non_exhaustive()
    }
}

impl AuthConfig {
    /// Authorization for the server at `resource`, whose tokens come from
    /// `authorization_servers` and are checked by `validator`; no scopes.
    ///
    /// # Errors
    /// [`Error::InvalidResource`] when `resource` is not an absolute `http`
    /// or `https` URI (RFC 9728 identifies a resource by one, and the
    /// metadata's URL is made from it).
    pub fn new(
        resource: &str,
        authorization_servers: impl IntoIterator<Item = impl Into<String>>,
        validator: impl TokenValidator,
    ) -> Result<Self, Error> {
        let invalid = || Error::InvalidResource(resource.to_owned());
        let uri: http::Uri = resource.parse().map_err(|_| invalid())?;
        let web = uri.scheme_str().is_some_and(|s| s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https"));
        if !web || uri.authority().is_none() || resource.contains('#') {
            return Err(invalid());
        }
        Ok(Self {
            resource: uri,
            authorization_servers: authorization_servers.into_iter().map(Into::into).collect(),
            scopes_supported: Vec::new(),
            required_scopes: Vec::new(),
            resource_name: None,
            validator: Arc::new(validator),
        })
    }

    /// Where the metadata is served on this server: the well-known prefix
    /// followed by the resource's path, if it has one (RFC 9728 §3.1):
    /// `/.well-known/oauth-protected-resource/mcp` for `https://host/mcp`.
    pub fn metadata_path(&self) -> String {
        let path = self.resource.path().trim_end_matches('/');
        format!("{METADATA_PREFIX}{path}")
    }

    /// The metadata's URL, as the 401 challenge's `resource_metadata` names it.
    pub fn metadata_url(&self) -> String {
        let scheme = self.resource.scheme_str().unwrap_or("https");
        let authority = self.resource.authority().map_or("", |a| a.as_str());
        format!("{scheme}://{authority}{}", self.metadata_path())
    }

    /// The protected resource metadata document (RFC 9728 §2), as JSON.
    pub fn metadata(&self) -> serde_json::Value {
        #[derive(Serialize)]
        struct Document<'a> {
            resource: String,
            authorization_servers: &'a [String],
            #[serde(skip_serializing_if = "<[String]>::is_empty")]
            scopes_supported: &'a [String],
            bearer_methods_supported: [&'static str; 1],
            #[serde(skip_serializing_if = "Option::is_none")]
            resource_name: Option<&'a str>,
        }
        let document = Document {
            resource: self.resource.to_string(),
            authorization_servers: &self.authorization_servers,
            scopes_supported: &self.scopes_supported,
            // Tokens only in the Authorization header, never in a query.
            bearer_methods_supported: ["header"],
            resource_name: self.resource_name.as_deref(),
        };
        serde_json::to_value(document).expect("the metadata serialises")
    }

    /// A service answering `GET` with the metadata document, for an
    /// embedder to mount at [`metadata_path`](Self::metadata_path) (and at
    /// [`METADATA_PREFIX`] for clients that look only there).
    pub fn metadata_service(&self) -> MetadataService {
        let document = serde_json::to_vec(&self.metadata()).expect("the metadata serialises");
        MetadataService { document: Bytes::from(document) }
    }

    /// Whether `path` is where this server's metadata is served: the
    /// endpoint's own well-known path, or the bare prefix.
    pub(crate) fn serves_metadata_at(&self, path: &str) -> bool {
        path == METADATA_PREFIX || path == self.metadata_path()
    }

    /// Check the request's bearer token; a request that passes is given
    /// back with its principal in its extensions.
    pub(crate) async fn authorize<B>(&self, request: Request<B>) -> Result<Request<B>, Refusal> {
        let mut lines = request.headers().get_all(header::AUTHORIZATION).iter();
        let (first, second) = (lines.next(), lines.next());
        if second.is_some() {
            return Err(self.challenge(
                StatusCode::BAD_REQUEST,
                &Challenge::Error { error: "invalid_request", description: "more than one Authorization header" },
            ));
        }
        let Some(token) = first.and_then(bearer_token) else {
            return Err(self.challenge(StatusCode::UNAUTHORIZED, &Challenge::Missing));
        };
        let token = token.to_owned();
        let (mut parts, body) = request.into_parts();
        let principal = match self.validator.validate(&token, &parts).await {
            Ok(principal) => principal,
            Err(TokenRejection::InvalidToken(description)) => {
                return Err(self.challenge(
                    StatusCode::UNAUTHORIZED,
                    &Challenge::Error { error: "invalid_token", description: &description },
                ));
            }
            Err(TokenRejection::InsufficientScope(scopes)) => return Err(self.insufficient(&scopes)),
            Err(TokenRejection::Unavailable(reason)) => {
                tracing::warn!(%reason, "could not validate a bearer token");
                return Err(refuse_http(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Service Unavailable: the token could not be checked",
                ));
            }
        };
        if !self.required_scopes.iter().all(|scope| principal.has_scope(scope)) {
            return Err(self.insufficient(&self.required_scopes));
        }
        parts.extensions.insert(principal);
        // The check consumed the token: handlers get the principal, and a
        // handler that forwards headers cannot pass the token on.
        parts.headers.remove(header::AUTHORIZATION);
        Ok(Request::from_parts(parts, body))
    }

    fn insufficient(&self, scopes: &[String]) -> Refusal {
        self.challenge(StatusCode::FORBIDDEN, &Challenge::Scope { scopes })
    }

    /// A refusal with its `WWW-Authenticate` challenge (RFC 6750 §3).
    fn challenge(&self, status: StatusCode, challenge: &Challenge<'_>) -> Refusal {
        let mut fields: Vec<(&str, String)> = Vec::new();
        let message = match challenge {
            Challenge::Missing => {
                if !self.required_scopes.is_empty() {
                    fields.push(("scope", scope_list(&self.required_scopes)));
                }
                "Unauthorized: a bearer token is required".to_owned()
            }
            Challenge::Error { error, description } => {
                fields.push(("error", (*error).to_owned()));
                fields.push(("error_description", quotable(description)));
                format!("{}: {description}", status.canonical_reason().unwrap_or("Refused"))
            }
            Challenge::Scope { scopes } => {
                fields.push(("error", "insufficient_scope".to_owned()));
                fields.push(("scope", scope_list(scopes)));
                format!("Forbidden: this needs the scopes {}", scope_list(scopes))
            }
        };
        fields.push(("resource_metadata", self.metadata_url()));
        let value = fields.iter().map(|(name, value)| format!("{name}=\"{value}\"")).collect::<Vec<_>>().join(", ");
        let mut response = refuse_http(status, message);
        let value = HeaderValue::from_str(&format!("Bearer {value}")).expect("only visible ASCII is quoted");
        response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
        response
    }
}

/// What a challenge says besides where the metadata is.
enum Challenge<'a> {
    /// No token: only where to get one, and which scopes to ask for.
    Missing,
    /// A bad request or a bad token.
    Error { error: &'static str, description: &'a str },
    /// A good token without these scopes.
    Scope { scopes: &'a [String] },
}

/// The token of an `Authorization: Bearer <token>` header: the scheme is
/// case-insensitive, and a token is one or more `b64token` characters. Any
/// other scheme counts as no token (RFC 6750 §3.1).
fn bearer_token(value: &HeaderValue) -> Option<&str> {
    let value = value.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim_start();
    let b64token = |c: char| c.is_ascii_alphanumeric() || "-._~+/=".contains(c);
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && token.chars().all(b64token)).then_some(token)
}

/// Scopes as a challenge's `scope`: space-separated, each kept to the
/// characters a scope may have (RFC 6749 §3.3).
fn scope_list(scopes: &[String]) -> String {
    let allowed = |c: &char| matches!(c, '\x21' | '\x23'..='\x5b' | '\x5d'..='\x7e');
    scopes.iter().map(|scope| scope.chars().filter(allowed).collect::<String>()).collect::<Vec<_>>().join(" ")
}

/// Text for an `error_description`, which may hold only visible ASCII and
/// spaces, without `"` or `\` (RFC 6750 §3).
fn quotable(text: &str) -> String {
    text.chars().map(|c| if matches!(c, ' ' | '!' | '#'..='[' | ']'..='~') { c } else { '?' }).collect()
}

/// Serves the protected resource metadata document: `GET` (or `HEAD`) gets
/// it as JSON, any other method 405. Readable from any web origin, as a
/// public document. Get one from [`AuthConfig::metadata_service`].
#[derive(Debug, Clone)]
pub struct MetadataService {
    document: Bytes,
}

impl MetadataService {
    /// The answer to a request with `method`.
    pub(crate) fn answer(&self, method: &Method) -> Response<Body> {
        let builder = Response::builder().header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*");
        let response = match *method {
            Method::GET | Method::HEAD => builder
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::CACHE_CONTROL, "max-age=3600")
                .body(Full::new(self.document.clone()).boxed_unsync()),
            _ => builder
                .status(StatusCode::METHOD_NOT_ALLOWED)
                .header(header::ALLOW, "GET, HEAD")
                .body(Full::new(Bytes::new()).boxed_unsync()),
        };
        response.expect("a valid response")
    }
}

impl<B> tower_service::Service<Request<B>> for MetadataService {
    type Response = Response<ResponseBody>;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        std::future::ready(Ok(self.answer(request.method()).map(ResponseBody::new)))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    async fn validator(token: String) -> Result<Principal, TokenRejection> {
        match token.as_str() {
            "good" => Ok(Principal { subject: "ada".into(), scopes: vec!["mcp".into()], ..Principal::default() }),
            "narrow" => Ok(Principal { subject: "bob".into(), ..Principal::default() }),
            "step-up" => Err(TokenRejection::InsufficientScope(vec!["admin".into()])),
            "down" => Err(TokenRejection::Unavailable("the issuer timed out".into())),
            _ => Err(TokenRejection::InvalidToken("expired \"yesterday\"\n".into())),
        }
    }

    /// A request with these `Authorization` header lines.
    fn with_authorization(values: &[&str]) -> Request<()> {
        let mut request = Request::new(());
        for value in values {
            request.headers_mut().append(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        }
        request
    }

    fn config() -> AuthConfig {
        AuthConfig {
            required_scopes: vec!["mcp".into()],
            scopes_supported: vec!["mcp".into(), "admin".into()],
            ..AuthConfig::new("https://mcp.example.com/mcp", ["https://auth.example.com"], validator).unwrap()
        }
    }

    fn challenge(refusal: &Refusal) -> &str {
        refusal.headers()[header::WWW_AUTHENTICATE].to_str().unwrap()
    }

    #[test]
    fn only_absolute_web_uris_name_a_resource() {
        for bad in ["/mcp", "mcp.example.com/mcp", "ftp://mcp.example.com/", "https://mcp.example.com/mcp#x", ""] {
            assert!(matches!(AuthConfig::new(bad, ["a"], validator), Err(Error::InvalidResource(_))), "{bad}");
        }
        assert!(AuthConfig::new("http://127.0.0.1:8080/mcp", ["a"], validator).is_ok());
    }

    #[test]
    fn the_metadata_url_inserts_the_well_known_prefix_before_the_path() {
        let at = |resource: &str| AuthConfig::new(resource, ["a"], validator).unwrap();
        assert_eq!(at("https://h.example/mcp").metadata_path(), "/.well-known/oauth-protected-resource/mcp");
        assert_eq!(at("https://h.example/a/b/").metadata_path(), "/.well-known/oauth-protected-resource/a/b");
        assert_eq!(at("https://h.example/").metadata_path(), METADATA_PREFIX);
        assert_eq!(at("https://h.example").metadata_url(), "https://h.example/.well-known/oauth-protected-resource");
        assert_eq!(
            at("http://127.0.0.1:9/mcp").metadata_url(),
            "http://127.0.0.1:9/.well-known/oauth-protected-resource/mcp"
        );
        let config = at("https://h.example/mcp");
        assert!(config.serves_metadata_at("/.well-known/oauth-protected-resource/mcp"));
        assert!(config.serves_metadata_at(METADATA_PREFIX));
        assert!(!config.serves_metadata_at("/.well-known/oauth-protected-resource/other"));
    }

    #[test]
    fn the_metadata_names_the_resource_its_issuers_and_header_tokens() {
        let config = AuthConfig { resource_name: Some("Notes".into()), ..config() };
        assert_eq!(
            config.metadata(),
            json!({
                "resource": "https://mcp.example.com/mcp",
                "authorization_servers": ["https://auth.example.com"],
                "scopes_supported": ["mcp", "admin"],
                "bearer_methods_supported": ["header"],
                "resource_name": "Notes",
            })
        );
        let bare = AuthConfig::new("https://h.example/mcp", ["https://a.example"], validator).unwrap();
        assert_eq!(bare.metadata().as_object().unwrap().len(), 3, "empty members are left out: {}", bare.metadata());
    }

    #[test]
    fn bearer_tokens_are_read_case_insensitively_and_other_schemes_are_none() {
        let token = |value: &str| bearer_token(&HeaderValue::from_str(value).unwrap()).map(str::to_owned);
        assert_eq!(token("Bearer abc.DEF-_~+/="), Some("abc.DEF-_~+/=".into()));
        assert_eq!(token("bearer  abc "), Some("abc".into()));
        assert_eq!(token("Basic YWxhZGRpbjpvcGVuc2VzYW1l"), None);
        assert_eq!(token("Bearer"), None);
        assert_eq!(token("Bearer a b"), None, "a token has no spaces");
    }

    #[tokio::test]
    async fn a_request_without_a_token_is_told_where_the_metadata_is() {
        for request in [with_authorization(&[]), with_authorization(&["Basic YWxhZGRpbg=="])] {
            let refusal = config().authorize(request).await.unwrap_err();
            assert_eq!(refusal.status(), StatusCode::UNAUTHORIZED);
            assert_eq!(
                challenge(&refusal),
                r#"Bearer scope="mcp", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp""#
            );
        }
    }

    #[tokio::test]
    async fn a_rejected_token_is_invalid_token_with_a_quotable_description() {
        let refusal = config().authorize(with_authorization(&["Bearer forged"])).await.unwrap_err();
        assert_eq!(refusal.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            challenge(&refusal),
            r#"Bearer error="invalid_token", error_description="expired ?yesterday??", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp""#
        );
    }

    #[tokio::test]
    async fn a_token_without_a_required_scope_is_forbidden_naming_the_scope() {
        let refusal = config().authorize(with_authorization(&["Bearer narrow"])).await.unwrap_err();
        assert_eq!(refusal.status(), StatusCode::FORBIDDEN);
        assert!(
            challenge(&refusal).starts_with(r#"Bearer error="insufficient_scope", scope="mcp", resource_metadata=""#)
        );
        let refusal = config().authorize(with_authorization(&["Bearer step-up"])).await.unwrap_err();
        assert_eq!(refusal.status(), StatusCode::FORBIDDEN);
        assert!(
            challenge(&refusal).contains(r#"scope="admin""#),
            "the validator's own scopes: {}",
            challenge(&refusal)
        );
    }

    #[tokio::test]
    async fn a_validator_that_cannot_decide_is_503_without_a_challenge() {
        let refusal = config().authorize(with_authorization(&["Bearer down"])).await.unwrap_err();
        assert_eq!(refusal.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(!refusal.headers().contains_key(header::WWW_AUTHENTICATE));
    }

    #[tokio::test]
    async fn two_authorization_headers_are_a_bad_request() {
        let refusal = config().authorize(with_authorization(&["Bearer good", "Bearer good"])).await.unwrap_err();
        assert_eq!(refusal.status(), StatusCode::BAD_REQUEST);
        assert!(challenge(&refusal).starts_with(r#"Bearer error="invalid_request""#));
    }

    #[tokio::test]
    async fn a_good_token_puts_its_principal_in_the_request_and_keeps_the_rest() {
        let mut request = with_authorization(&["Bearer good"]);
        request.headers_mut().insert("x-kept", HeaderValue::from_static("yes"));
        *request.uri_mut() = "/mcp?x=1".parse().unwrap();
        let request = config().authorize(request).await.unwrap();
        assert_eq!(request.extensions().get::<Principal>().map(|p| p.subject.as_str()), Some("ada"));
        assert_eq!(request.headers()["x-kept"], "yes");
        assert!(!request.headers().contains_key(header::AUTHORIZATION), "the token stops at the check");
        assert_eq!(request.uri(), "/mcp?x=1");
    }

    #[tokio::test]
    async fn the_metadata_service_answers_get_and_refuses_the_rest() {
        let service = config().metadata_service();
        let response = service.answer(&Method::GET);
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(serde_json::from_slice::<serde_json::Value>(&body).unwrap(), config().metadata());
        assert_eq!(service.answer(&Method::POST).status(), StatusCode::METHOD_NOT_ALLOWED);
    }
}
