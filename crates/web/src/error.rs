//! The web layer's error and how each becomes a page. Internal detail goes to the log only.

use crate::context::{Ctx, error_marker};
use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use samverka_app::AppError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// No session: go to the sign-in page, then come back (303).
    #[error("not signed in")]
    NotSignedIn(String),
    /// The user's role may not use this page (403).
    #[error("forbidden")]
    Forbidden,
    /// No such page or record (404).
    #[error("not found")]
    NotFound,
    /// The form's CSRF token is missing or wrong (403).
    #[error("csrf token mismatch")]
    Csrf,
    /// The request itself is malformed (400); the key names the message.
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    /// Something failed inside (500).
    #[error("internal: {0}")]
    Internal(String),
}

/// An id (or other value) from a path or query: one that does not parse names nothing there, so
/// the answer is a page not found.
pub(crate) fn parse_id<T: std::str::FromStr>(s: &str) -> Result<T, WebError> {
    s.parse().map_err(|_| WebError::NotFound)
}

impl From<AppError> for WebError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Forbidden => WebError::Forbidden,
            AppError::NotFound => WebError::NotFound,
            // Handlers re-render their forms on Invalid; reaching here means a malformed request.
            AppError::Invalid(_) => WebError::BadRequest("error-invalid-request"),
            AppError::Store(e) => WebError::Internal(e.to_string()),
            AppError::Internal(e) => WebError::Internal(e),
        }
    }
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::NotSignedIn(_) => StatusCode::SEE_OTHER,
            WebError::Forbidden | WebError::Csrf => StatusCode::FORBIDDEN,
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Which error page to show; the context middleware renders it in the user's language.
#[derive(Clone, Debug)]
pub struct ErrorPage {
    pub title: &'static str,
    pub message: &'static str,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate<'a> {
    ctx: &'a Ctx,
    title: String,
    message: String,
}

impl ErrorPage {
    pub fn render(&self, ctx: &Ctx, status: StatusCode) -> Response {
        let page = ErrorTemplate {
            ctx,
            title: ctx.t(self.title),
            message: ctx.t(self.message),
        };
        (status, render(&page)).into_response()
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = self.status();
        let page = match &self {
            WebError::NotSignedIn(here) => {
                let next =
                    serde_urlencoded::to_string([("next", here.as_str())]).unwrap_or_default();
                return Redirect::to(&format!("/login?{next}")).into_response();
            }
            WebError::Forbidden => ErrorPage {
                title: "error-forbidden-title",
                message: "error-forbidden",
            },
            WebError::NotFound => ErrorPage {
                title: "error-not-found-title",
                message: "error-not-found",
            },
            WebError::Csrf => ErrorPage {
                title: "error-forbidden-title",
                message: "error-csrf",
            },
            WebError::BadRequest(key) => ErrorPage {
                title: "error-bad-request-title",
                message: key,
            },
            WebError::Internal(detail) => {
                tracing::error!(error = %detail, "internal error");
                ErrorPage {
                    title: "error-internal-title",
                    message: "error-internal",
                }
            }
        };
        error_marker(status, page)
    }
}

/// Renders a template; a template error is logged and becomes a plain 500.
pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            Html(html),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// Renders a page with a form: 422 when the form came back with errors, else 200.
pub fn render_form<T: Template>(t: &T, has_errors: bool) -> Response {
    let status = if has_errors {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (status, render(t)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_mapping_is_pinned() {
        assert_eq!(
            WebError::NotSignedIn("/".into()).status(),
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            WebError::from(AppError::Forbidden).status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            WebError::from(AppError::NotFound).status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(WebError::Csrf.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            WebError::from(AppError::invalid("x", "y")).status(),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            WebError::from(AppError::Internal("boom".into())).status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
