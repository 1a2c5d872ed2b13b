//! Sign-in, second factor, sign-out and the user's own account page.

use crate::AppState;
use crate::context::{
    ClientIp, Ctx, FormData, SignedIn, cookie, csrf_cookie_name, read_cookie, session_cookie_name,
};
use crate::error::{WebError, render};
use crate::forms::Errors;
use crate::pages::safe_next;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use samverka_app::AppError;
use samverka_app::auth::SignIn;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    ctx: Ctx,
    username: String,
    next: String,
    /// Locale key of the message shown above the form.
    message: Option<&'static str>,
}

pub async fn login_page(ctx: Ctx, Query(q): Query<NextQuery>) -> Response {
    if ctx.signed_in() {
        return Redirect::to(&safe_next(&q.next)).into_response();
    }
    render(&LoginPage {
        ctx,
        username: String::new(),
        next: safe_next(&q.next),
        message: None,
    })
}

fn with_cookies(mut resp: Response, cookies: &[String]) -> Response {
    for c in cookies {
        if let Ok(v) = c.parse() {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp
}

/// After sign-in the CSRF token changes too, so one seen before sign-in is worthless after it.
fn session_cookies(state: &AppState, token: &str) -> Result<Vec<String>, WebError> {
    let secure = state.config.secure_cookies;
    let csrf = samverka_app::auth::new_token().map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(vec![
        cookie(session_cookie_name(secure), token, secure, None),
        cookie(csrf_cookie_name(secure), &csrf, secure, None),
    ])
}

pub async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientIp(ip): ClientIp,
    form: FormData,
) -> Result<Response, WebError> {
    let next = safe_next(form.get("next"));
    let username = form.get("username").trim().to_owned();
    let outcome = state
        .app
        .sign_in(&username, form.get("password"), &ip)
        .await?;
    let again = |ctx: Ctx, status: StatusCode, message: &'static str| {
        (
            status,
            render(&LoginPage {
                ctx,
                username: username.clone(),
                next: next.clone(),
                message: Some(message),
            }),
        )
            .into_response()
    };
    Ok(match outcome {
        SignIn::Success { token } => with_cookies(
            Redirect::to(&next).into_response(),
            &session_cookies(&state, &token)?,
        ),
        SignIn::NeedSecondFactor { token } => {
            let secure = state.config.secure_cookies;
            let q = serde_urlencoded::to_string([("next", next.as_str())]).unwrap_or_default();
            with_cookies(
                Redirect::to(&format!("/login/totp?{q}")).into_response(),
                &[cookie(session_cookie_name(secure), &token, secure, None)],
            )
        }
        SignIn::Invalid => again(ctx, StatusCode::UNAUTHORIZED, "login-failed"),
        SignIn::Throttled => again(ctx, StatusCode::TOO_MANY_REQUESTS, "login-throttled"),
    })
}

#[derive(Template)]
#[template(path = "login_totp.html")]
struct TotpPage {
    ctx: Ctx,
    next: String,
    message: Option<&'static str>,
}

pub async fn totp_page(ctx: Ctx, Query(q): Query<NextQuery>) -> Response {
    render(&TotpPage {
        ctx,
        next: safe_next(&q.next),
        message: None,
    })
}

pub async fn totp_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    form: FormData,
) -> Result<Response, WebError> {
    let next = safe_next(form.get("next"));
    let Some(pending) = read_cookie(&headers, session_cookie_name(state.config.secure_cookies))
    else {
        return Ok(Redirect::to("/login").into_response());
    };
    Ok(
        match state
            .app
            .sign_in_second_factor(pending, form.get("code"), &ip)
            .await?
        {
            SignIn::Success { token } => with_cookies(
                Redirect::to(&next).into_response(),
                &session_cookies(&state, &token)?,
            ),
            SignIn::Throttled => (
                StatusCode::TOO_MANY_REQUESTS,
                render(&TotpPage {
                    ctx,
                    next,
                    message: Some("login-throttled"),
                }),
            )
                .into_response(),
            _ => (
                StatusCode::UNAUTHORIZED,
                render(&TotpPage {
                    ctx,
                    next,
                    message: Some("totp-code-wrong"),
                }),
            )
                .into_response(),
        },
    )
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let secure = state.config.secure_cookies;
    if let Some(token) = read_cookie(&headers, session_cookie_name(secure)) {
        state.app.sign_out(token).await?;
    }
    Ok(with_cookies(
        Redirect::to("/login").into_response(),
        &[cookie(session_cookie_name(secure), "", secure, Some(0))],
    ))
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    ctx: Ctx,
    totp_enabled: bool,
    errors: Errors,
    saved: bool,
}

async fn account_page(
    state: &AppState,
    ctx: Ctx,
    user: samverka_core::UserId,
    errors: Errors,
    saved: bool,
) -> Result<Response, WebError> {
    let u = state.app.user(user).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((
        status,
        render(&AccountPage {
            ctx,
            totp_enabled: u.totp_secret.is_some(),
            errors,
            saved,
        }),
    )
        .into_response())
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

pub async fn account(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    Query(q): Query<SavedQuery>,
) -> Result<Response, WebError> {
    account_page(
        &state,
        ctx,
        auth.actor.user_id,
        Errors::default(),
        q.saved.is_some(),
    )
    .await
}

pub async fn change_password(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    form: FormData,
) -> Result<Response, WebError> {
    if form.get("new_password") != form.get("confirm_password") {
        let errors = Errors::new(
            &ctx,
            &[samverka_app::FieldError::new(
                "confirm_password",
                "password-mismatch",
            )],
        );
        return account_page(&state, ctx, auth.actor.user_id, errors, false).await;
    }
    match state
        .app
        .change_password(
            &auth.actor,
            form.get("current_password"),
            form.get("new_password"),
            &auth.token_hash,
        )
        .await
    {
        Ok(()) => Ok(Redirect::to("/account?saved=1").into_response()),
        Err(AppError::Invalid(v)) => {
            let errors = Errors::new(&ctx, &v);
            account_page(&state, ctx, auth.actor.user_id, errors, false).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "account_totp.html")]
struct TotpSetupPage {
    ctx: Ctx,
    secret: String,
    qr: String,
    errors: Errors,
}

fn qr_data_uri(url: &str) -> String {
    match qrcode::QrCode::new(url.as_bytes()) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(220, 220)
                .build();
            format!(
                "data:image/svg+xml;base64,{}",
                base64::engine::general_purpose::STANDARD.encode(svg)
            )
        }
        Err(_) => String::new(),
    }
}

pub async fn totp_setup(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
) -> Result<Response, WebError> {
    let e = state.app.begin_totp(&auth.actor)?;
    Ok(render(&TotpSetupPage {
        ctx,
        qr: qr_data_uri(&e.url),
        secret: e.secret,
        errors: Errors::default(),
    }))
}

pub async fn totp_confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    form: FormData,
) -> Result<Response, WebError> {
    let secret = form.get("secret").to_owned();
    match state
        .app
        .confirm_totp(&auth.actor, &secret, form.get("code"))
        .await
    {
        Ok(()) => Ok(Redirect::to("/account?saved=1").into_response()),
        Err(AppError::Invalid(v)) => {
            let errors = Errors::new(&ctx, &v);
            let url = format!(
                "otpauth://totp/Samverka:{}?secret={}&issuer=Samverka",
                auth.actor.username, secret
            );
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                render(&TotpSetupPage {
                    ctx,
                    qr: qr_data_uri(&url),
                    secret,
                    errors,
                }),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn totp_disable(
    State(state): State<AppState>,
    ctx: Ctx,
    SignedIn(auth): SignedIn,
    form: FormData,
) -> Result<Response, WebError> {
    match state
        .app
        .disable_totp(&auth.actor, form.get("password"))
        .await
    {
        Ok(()) => Ok(Redirect::to("/account?saved=1").into_response()),
        Err(AppError::Invalid(v)) => {
            let errors = Errors::new(&ctx, &v);
            account_page(&state, ctx, auth.actor.user_id, errors, false).await
        }
        Err(e) => Err(e.into()),
    }
}
