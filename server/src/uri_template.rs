//! Matching URIs against resource templates (RFC 6570, the two expression
//! kinds resource templates use: `{name}` and `{+name}`).
//!
//! Only matching is needed: the client expands templates, the server reads
//! the variables back out of the URI it receives.

use std::collections::HashMap;

/// A parsed template: literal text and variables, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UriTemplate {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    /// A variable; `reserved` (`{+name}`) may span `/`, a simple one may not.
    Variable {
        name: String,
        reserved: bool,
    },
}

impl UriTemplate {
    /// Parse a template. Text that is not a well-formed expression is literal.
    pub(crate) fn parse(template: &str) -> Self {
        let mut parts = Vec::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|c| open + c) else { break };
            if open > 0 {
                parts.push(Part::Literal(rest[..open].to_owned()));
            }
            let expression = &rest[open + 1..close];
            let (name, reserved) = match expression.strip_prefix('+') {
                Some(name) => (name, true),
                None => (expression, false),
            };
            parts.push(Part::Variable { name: name.to_owned(), reserved });
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.to_owned()));
        }
        Self { parts }
    }

    /// The variables' values if `uri` matches, else `None`. A simple variable
    /// matches one or more characters other than `/`; it ends where the next
    /// literal begins.
    pub(crate) fn matches(&self, uri: &str) -> Option<HashMap<String, String>> {
        let mut variables = HashMap::new();
        let mut rest = uri;
        let mut parts = self.parts.iter().peekable();
        while let Some(part) = parts.next() {
            match part {
                Part::Literal(literal) => rest = rest.strip_prefix(literal.as_str())?,
                Part::Variable { name, reserved } => {
                    let end = match parts.peek() {
                        Some(Part::Literal(next)) => rest.find(next.as_str())?,
                        // Two variables in a row are ambiguous; the first takes one segment.
                        Some(Part::Variable { .. }) => rest.find('/').unwrap_or(rest.len()),
                        None => rest.len(),
                    };
                    let value = &rest[..end];
                    if value.is_empty() || (!reserved && value.contains('/')) {
                        return None;
                    }
                    variables.insert(name.clone(), value.to_owned());
                    rest = &rest[end..];
                }
            }
        }
        rest.is_empty().then_some(variables)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_variable_matches_one_segment() {
        let template = UriTemplate::parse("test://template/{id}/data");
        let vars = template.matches("test://template/123/data").unwrap();
        assert_eq!(vars["id"], "123");
        assert!(template.matches("test://template/1/2/data").is_none());
        assert!(template.matches("test://template//data").is_none());
        assert!(template.matches("test://template/123/data/more").is_none());
        assert!(template.matches("other://template/123/data").is_none());
    }

    #[test]
    fn reserved_variable_spans_slashes() {
        let template = UriTemplate::parse("file:///{+path}");
        assert_eq!(template.matches("file:///a/b/c.txt").unwrap()["path"], "a/b/c.txt");
    }

    #[test]
    fn several_variables_each_take_their_part() {
        let template = UriTemplate::parse("db://{table}/{row}");
        let vars = template.matches("db://users/42").unwrap();
        assert_eq!((vars["table"].as_str(), vars["row"].as_str()), ("users", "42"));
    }

    #[test]
    fn template_without_variables_matches_itself_only() {
        let template = UriTemplate::parse("test://static");
        assert!(template.matches("test://static").unwrap().is_empty());
        assert!(template.matches("test://static2").is_none());
    }

    #[test]
    fn unclosed_brace_is_literal() {
        let template = UriTemplate::parse("test://{oops");
        assert!(template.matches("test://{oops").is_some());
    }
}
