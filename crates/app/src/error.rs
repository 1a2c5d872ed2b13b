//! The app layer's error: what went wrong in terms a page or an API can show.

use samverka_store::StoreError;

/// One problem with one input field: the web layer names the field and translates the code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    /// Locale key, e.g. "field-required" or "national-id-wrong-length".
    pub code: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl FieldError {
    pub fn new(field: &'static str, code: &'static str) -> Self {
        FieldError {
            field,
            code,
            args: Vec::new(),
        }
    }
    pub fn with_args(
        field: &'static str,
        code: &'static str,
        args: Vec<(&'static str, String)>,
    ) -> Self {
        FieldError { field, code, args }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The actor's role does not allow this (403).
    #[error("forbidden")]
    Forbidden,
    /// Nothing there, or nothing the actor may know of (404).
    #[error("not found")]
    NotFound,
    /// Input that does not pass validation (422), with every problem found.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// Something failed inside (500); the detail goes to the log only.
    #[error("store: {0}")]
    Store(StoreError),
    #[error("internal: {0}")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            // A grant that does not fit is a bug in the caller, never a user's fault; refuse.
            StoreError::GrantMismatch => AppError::Forbidden,
            other => AppError::Store(other),
        }
    }
}

impl AppError {
    pub fn invalid(field: &'static str, code: &'static str) -> AppError {
        AppError::Invalid(vec![FieldError::new(field, code)])
    }
}

/// Collects field errors while validating a form, then fails with all of them at once.
#[derive(Default, Debug)]
pub struct Problems(pub Vec<FieldError>);

impl Problems {
    /// Keeps the value or records the error under `field`.
    pub fn take<T>(
        &mut self,
        field: &'static str,
        r: Result<T, samverka_core::validate::TextError>,
    ) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.0
                    .push(FieldError::with_args(field, e.code(), e.args()));
                None
            }
        }
    }
    /// Required text of at most `max` characters (newlines allowed): the trimmed text, or None
    /// with the problem (blank, too long, a control character) recorded under `field`.
    pub fn required_text(
        &mut self,
        field: &'static str,
        input: &str,
        max: usize,
    ) -> Option<String> {
        match self.take(field, samverka_core::validate::optional_text(input, max)) {
            Some(Some(t)) => Some(t),
            Some(None) => {
                self.push(FieldError::new(field, "field-required"));
                None
            }
            None => None,
        }
    }

    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }
    pub fn finish(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(self.0))
        }
    }
}
