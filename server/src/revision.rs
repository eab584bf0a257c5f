//! Keeping what a session receives within what its revision defines.
//!
//! A handler builds results with today's types; a client that negotiated an
//! older revision must still receive only shapes its revision has. Content
//! blocks an older revision lacks become a text block that says what was
//! there (a link keeps its URI; audio says it was left out), so the message
//! stays valid and nothing disappears silently. An elicitation that asks for
//! a field kind the revision lacks is refused before it is sent.

use mcpwire_protocol::ProtocolVersion;
use mcpwire_protocol::types::{ContentBlock, ElicitRequestParams, PrimitiveSchemaDefinition};

use crate::Error;

/// Replace the content blocks `version` does not define with text.
pub(crate) fn shape_content(version: ProtocolVersion, content: &mut [ContentBlock]) {
    for block in content {
        let replacement = match block {
            ContentBlock::Audio(audio) if !version.supports_audio() => format!(
                "[audio content ({}, {} bytes of base64) left out: protocol version {version} has no audio]",
                audio.mime_type,
                audio.data.len()
            ),
            ContentBlock::ResourceLink(link) if !version.supports_resource_links() => {
                format!("[resource link: {} <{}>]", link.name, link.uri)
            }
            _ => continue,
        };
        *block = ContentBlock::text(replacement);
    }
}

/// Refuse an elicitation whose fields `version` cannot express: titled and
/// multi-select enums arrived in 2025-11-25 (SEP-1330).
pub(crate) fn check_elicitation(version: ProtocolVersion, params: &ElicitRequestParams) -> Result<(), Error> {
    let ElicitRequestParams::Form(form) = params else { return Ok(()) };
    if version >= ProtocolVersion::V2025_11_25 {
        return Ok(());
    }
    let newer = form.requested_schema.properties.iter().find(|(_, kind)| {
        matches!(
            kind,
            PrimitiveSchemaDefinition::TitledSingleSelect(_)
                | PrimitiveSchemaDefinition::TitledMultiSelect(_)
                | PrimitiveSchemaDefinition::UntitledMultiSelect(_)
        )
    });
    match newer {
        Some(_) => Err(Error::NotInVersion("titled or multi-select enum fields in elicitation", version)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use mcpwire_protocol::types::{AudioContent, Resource};

    use super::*;

    fn audio() -> ContentBlock {
        ContentBlock::Audio(AudioContent { data: "AAAA".into(), mime_type: "audio/wav".into(), ..Default::default() })
    }

    #[test]
    fn audio_becomes_a_note_before_2025_03_26_and_stays_after() {
        let mut content = [audio(), ContentBlock::text("kept")];
        shape_content(ProtocolVersion::V2024_11_05, &mut content);
        assert!(
            matches!(&content[0], ContentBlock::Text(t) if t.text.contains("audio/wav") && t.text.contains("2024-11-05"))
        );
        assert!(matches!(&content[1], ContentBlock::Text(t) if t.text == "kept"));
        let mut content = [audio()];
        shape_content(ProtocolVersion::V2025_03_26, &mut content);
        assert!(matches!(content[0], ContentBlock::Audio(_)));
    }

    #[test]
    fn resource_links_become_text_with_their_uri_before_2025_06_18() {
        let mut content = [ContentBlock::ResourceLink(Resource::new("file:///a.txt", "a"))];
        shape_content(ProtocolVersion::V2025_03_26, &mut content);
        assert!(matches!(&content[0], ContentBlock::Text(t) if t.text == "[resource link: a <file:///a.txt>]"));
    }

    #[test]
    fn multi_select_elicitation_is_refused_before_2025_11_25() {
        let params: ElicitRequestParams = serde_json::from_value(serde_json::json!({
            "message": "pick",
            "requestedSchema": {"type": "object", "properties": {
                "many": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}}
            }}
        }))
        .unwrap();
        assert!(check_elicitation(ProtocolVersion::V2025_06_18, &params).is_err());
        assert!(check_elicitation(ProtocolVersion::V2025_11_25, &params).is_ok());
    }
}
