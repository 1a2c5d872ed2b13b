//! The web layer: HTML pages, sign-in, sessions, CSRF and security headers. Thin: parse the
//! request, call a use case in `samverka_app`, render a typed template.

mod admin;
mod audit;
mod auth;
mod cases;
mod context;
mod error;
mod forms;
pub mod i18n;
mod meetings;
mod pages;
mod persons;
mod plans;
mod records;
mod signals;

use axum::Router;
use axum::routing::{get, post};
use samverka_app::App;
use std::net::SocketAddr;
use std::sync::Arc;

pub use context::Ctx;
pub use error::WebError;

/// Settings of the web layer.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// Mark cookies `Secure` (and use the `__Host-` prefix). Off only in demo mode.
    pub secure_cookies: bool,
    /// The data are synthetic demo data; every page says so.
    pub demo: bool,
    /// Default interface language when the browser states none we have.
    pub default_lang: i18n::Lang,
}

/// Shared state of every request.
#[derive(Clone, Debug)]
pub struct AppState {
    pub app: Arc<App>,
    pub config: Arc<WebConfig>,
}

/// The whole router; tests call this without a socket.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::home))
        .route("/healthz", get(pages::healthz))
        .route("/readyz", get(pages::readyz))
        .route("/static/app.css", get(pages::stylesheet))
        .route("/lang", post(pages::set_language))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/login/totp", get(auth::totp_page).post(auth::totp_submit))
        .route("/logout", post(auth::logout))
        .route("/account", get(auth::account))
        .route("/account/password", post(auth::change_password))
        .route(
            "/account/totp",
            get(auth::totp_setup).post(auth::totp_confirm),
        )
        .route("/account/totp/disable", post(auth::totp_disable))
        .route("/programmes", get(pages::programmes))
        .route("/persons", get(persons::search).post(persons::create))
        .route("/persons/new", get(persons::new_form))
        .merge(records::routes())
        .merge(cases::routes())
        .merge(plans::routes())
        .merge(meetings::routes())
        .merge(audit::routes())
        .merge(admin::routes())
        .merge(signals::routes())
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            context::middleware,
        ))
        .layer(axum::middleware::from_fn(context::security_headers))
        .layer(axum::middleware::from_fn(log_request))
        .with_state(state)
}

/// One log line per request: method, the route's pattern (`/persons/{id}`, never the id or the
/// query string, which may hold a name or an identity number), status and duration.
async fn log_request(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let started = std::time::Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "(unmatched)".to_owned());
    let resp = next.run(req).await;
    tracing::info!(
        %method,
        route,
        status = resp.status().as_u16(),
        ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    resp
}

/// Serves until the process is stopped, removing expired sessions every few minutes.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let app = state.app.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(300));
        loop {
            tick.tick().await;
            if let Err(e) = app.housekeeping().await {
                tracing::warn!(error = %e, "housekeeping failed");
            }
        }
    });
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
