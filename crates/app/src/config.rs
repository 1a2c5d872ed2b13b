//! Settings the use cases need. Loaded and checked by the CLI, documented in config/samverka.example.toml.

use chrono_tz::Tz;
use samverka_core::actor::Role;
use samverka_core::national_id::Scheme;
use samverka_core::rules::Rules;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct AppConfig {
    /// The deployment's time zone: calendar-day rules count days here.
    pub time_zone: Tz,
    /// How national identity numbers typed without saying so are read.
    pub default_id_scheme: Scheme,
    /// A session ends after this long without a request.
    pub session_idle_minutes: i64,
    /// A session ends this long after sign-in, whatever happens.
    pub session_absolute_hours: i64,
    /// Failed sign-ins for one username within the window before it is throttled.
    pub login_max_failures_per_user: i64,
    /// Failed sign-ins from one address within the window before it is throttled.
    pub login_max_failures_per_ip: i64,
    pub login_window_minutes: i64,
    /// How long an emergency access lasts.
    pub emergency_access_hours: i64,
    /// Roles that may see that a person has protected identity at all.
    pub protected_identity_roles: Vec<Role>,
    /// The screening rules (checked when loaded).
    pub rules: Arc<Rules>,
    /// Valid rows an import stores per transaction (each chunk commits whole, with its counts).
    pub import_chunk_rows: usize,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            time_zone: chrono_tz::Europe::Stockholm,
            default_id_scheme: Scheme::Swedish,
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            login_max_failures_per_user: 5,
            login_max_failures_per_ip: 50,
            login_window_minutes: 15,
            emergency_access_hours: 2,
            protected_identity_roles: vec![Role::Coordinator],
            rules: Arc::new(Rules::default_rules()),
            import_chunk_rows: 50_000,
        }
    }
}
