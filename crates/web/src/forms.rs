//! Field errors of a form, translated, for templates.

use crate::context::Ctx;
use samverka_app::FieldError;

/// Translated messages per field, in the order found.
#[derive(Clone, Debug, Default)]
pub struct Errors(pub Vec<(String, String)>);

impl Errors {
    pub fn new(ctx: &Ctx, errors: &[FieldError]) -> Errors {
        Errors(
            errors
                .iter()
                .map(|e| (e.field.to_owned(), ctx.ta(e.code, &e.args)))
                .collect(),
        )
    }

    pub fn of(&self, field: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
            .collect()
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|(f, _)| f == field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// All messages for a field in one line (one element, one id).
    pub fn joined(&self, field: &str) -> String {
        self.of(field).join(" ")
    }
}
