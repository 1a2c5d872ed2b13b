//! Small validators for free-text fields shared by every form and import.

use serde::{Deserialize, Serialize};

/// What is wrong with a text field. The web layer names the field and translates the code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum TextError {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most {max} characters")]
    TooLong { max: usize },
    #[error("contains a control character")]
    ControlCharacter,
}

impl TextError {
    pub fn code(&self) -> &'static str {
        match self {
            TextError::Empty => "field-required",
            TextError::TooLong { .. } => "field-too-long",
            TextError::ControlCharacter => "field-control-character",
        }
    }
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            TextError::TooLong { max } => vec![("max", max.to_string())],
            _ => Vec::new(),
        }
    }
}

/// A required single-line text: trimmed, non-empty, at most `max` characters, no control characters.
pub fn required_line(input: &str, max: usize) -> Result<String, TextError> {
    let t = input.trim();
    if t.is_empty() {
        return Err(TextError::Empty);
    }
    optional_line(t, max).map(|o| o.unwrap_or_default())
}

/// An optional single-line text: `None` when blank.
pub fn optional_line(input: &str, max: usize) -> Result<Option<String>, TextError> {
    let t = input.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if t.chars().count() > max {
        return Err(TextError::TooLong { max });
    }
    if t.chars().any(char::is_control) {
        return Err(TextError::ControlCharacter);
    }
    Ok(Some(t.to_owned()))
}

/// Optional multi-line text: newlines and tabs allowed, other control characters not.
pub fn optional_text(input: &str, max: usize) -> Result<Option<String>, TextError> {
    let t = input.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if t.chars().count() > max {
        return Err(TextError::TooLong { max });
    }
    if t.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(TextError::ControlCharacter);
    }
    Ok(Some(t.to_owned()))
}

/// The key a name is searched by: lower case, whitespace collapsed.
pub fn search_key(input: &str) -> String {
    input
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn required_line_rules() {
        assert_eq!(
            required_line("  Vårdcentralen  ", 10),
            Err(TextError::TooLong { max: 10 })
        );
        assert_eq!(required_line("  Ryd  ", 10), Ok("Ryd".to_owned()));
        assert_eq!(required_line("   ", 10), Err(TextError::Empty));
        assert_eq!(
            required_line("a\u{7}b", 10),
            Err(TextError::ControlCharacter)
        );
    }

    proptest! {
        #[test]
        fn accepted_lines_are_trimmed_and_bounded(s in "\\PC{0,40}") {
            if let Ok(v) = required_line(&s, 30) {
                prop_assert_eq!(v.trim(), v.as_str());
                prop_assert!(!v.is_empty() && v.chars().count() <= 30);
            }
        }

        #[test]
        fn search_key_is_idempotent(s in "\\PC{0,40}") {
            prop_assert_eq!(search_key(&search_key(&s)), search_key(&s));
        }
    }
}
