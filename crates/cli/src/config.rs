//! The configuration file (TOML) and its environment overrides, checked at start-up.
//! Every setting is documented in `config/samverka.example.toml`.

use chrono_tz::Tz;
use samverka_app::AppConfig;
use samverka_core::national_id::Scheme;
use samverka_web::i18n::Lang;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::Path;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    #[serde(default)]
    pub server: ServerSection,
    #[serde(default)]
    pub database: DatabaseSection,
    #[serde(default)]
    pub deployment: DeploymentSection,
    #[serde(default)]
    pub sessions: SessionsSection,
    #[serde(default)]
    pub login: LoginSection,
    #[serde(default)]
    pub log: LogSection,
    #[serde(default)]
    pub access: AccessSection,
    #[serde(default)]
    pub screening: ScreeningSection,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScreeningSection {
    /// Path of the rules file; relative paths are read from the working directory.
    pub rules: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessSection {
    pub emergency_access_hours: Option<i64>,
    pub protected_identity_roles: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSection {
    pub listen: Option<String>,
    pub secure_cookies: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSection {
    pub url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeploymentSection {
    pub time_zone: Option<String>,
    pub default_id_scheme: Option<String>,
    pub default_language: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionsSection {
    pub idle_minutes: Option<i64>,
    pub absolute_hours: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginSection {
    pub max_failures_per_user: Option<i64>,
    pub max_failures_per_ip: Option<i64>,
    pub window_minutes: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSection {
    pub format: Option<String>,
}

/// The checked settings the program runs with.
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    pub secure_cookies: bool,
    /// `None`: the SQLite file in the data directory.
    pub database_url: Option<String>,
    pub default_lang: Lang,
    pub json_logs: bool,
    pub app: AppConfig,
}

/// A configuration problem, naming the setting.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// Reads `file` (if given) and the environment; `env` is passed in so tests need not touch the process.
pub fn load(
    file: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Settings, ConfigError> {
    let fc: FileConfig = match file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                ConfigError(format!("cannot read config file {}: {e}", path.display()))
            })?;
            toml::from_str(&text)
                .map_err(|e| ConfigError(format!("config file {}: {e}", path.display())))?
        }
        None => FileConfig::default(),
    };
    let pick = |var: &str, from_file: Option<String>| {
        env(var).filter(|v| !v.trim().is_empty()).or(from_file)
    };

    let listen_s =
        pick("SAMVERKA_LISTEN", fc.server.listen).unwrap_or_else(|| "127.0.0.1:8080".into());
    let listen = listen_s.parse().map_err(|_| {
        ConfigError(format!(
            "[server] listen / SAMVERKA_LISTEN: `{listen_s}` is not an address like 127.0.0.1:8080"
        ))
    })?;

    let secure_cookies = match env("SAMVERKA_SECURE_COOKIES") {
        Some(v) => parse_bool("SAMVERKA_SECURE_COOKIES", &v)?,
        None => fc.server.secure_cookies.unwrap_or(true),
    };

    let database_url = pick("DATABASE_URL", fc.database.url);
    if let Some(u) = &database_url
        && !(u.starts_with("sqlite:")
            || u.starts_with("postgres://")
            || u.starts_with("postgresql://"))
    {
        return Err(ConfigError(
            "[database] url / DATABASE_URL: must start with sqlite: or postgres://".into(),
        ));
    }

    let tz_s = pick("SAMVERKA_TIME_ZONE", fc.deployment.time_zone)
        .unwrap_or_else(|| "Europe/Stockholm".into());
    let time_zone: Tz = tz_s
        .parse()
        .map_err(|_| ConfigError(format!("[deployment] time_zone / SAMVERKA_TIME_ZONE: unknown time zone `{tz_s}` (e.g. Europe/Stockholm)")))?;

    let scheme_s = pick("SAMVERKA_ID_SCHEME", fc.deployment.default_id_scheme)
        .unwrap_or_else(|| "swedish".into());
    let default_id_scheme = match scheme_s.as_str() {
        "swedish" => Scheme::Swedish,
        "danish" => Scheme::Danish,
        other => {
            return Err(ConfigError(format!(
                "[deployment] default_id_scheme / SAMVERKA_ID_SCHEME: `{other}` is not one of swedish, danish"
            )));
        }
    };

    let lang_s = pick("SAMVERKA_DEFAULT_LANGUAGE", fc.deployment.default_language)
        .unwrap_or_else(|| "sv".into());
    let default_lang = match lang_s.as_str() {
        "sv" | "da" | "en" => Lang::from_code(&lang_s).unwrap_or(Lang::Sv),
        other => {
            return Err(ConfigError(format!(
                "[deployment] default_language / SAMVERKA_DEFAULT_LANGUAGE: `{other}` is not one of sv, da, en"
            )));
        }
    };

    let num = |var: &str,
               name: &str,
               file: Option<i64>,
               default: i64,
               min: i64,
               max: i64|
     -> Result<i64, ConfigError> {
        let v = match env(var) {
            Some(s) => s
                .trim()
                .parse::<i64>()
                .map_err(|_| ConfigError(format!("{name} / {var}: `{s}` is not a whole number")))?,
            None => file.unwrap_or(default),
        };
        if v < min || v > max {
            return Err(ConfigError(format!(
                "{name} / {var}: {v} is outside {min}..={max}"
            )));
        }
        Ok(v)
    };

    let d = AppConfig::default();
    let app = AppConfig {
        time_zone,
        default_id_scheme,
        session_idle_minutes: num(
            "SAMVERKA_SESSION_IDLE_MINUTES",
            "[sessions] idle_minutes",
            fc.sessions.idle_minutes,
            d.session_idle_minutes,
            1,
            24 * 60,
        )?,
        session_absolute_hours: num(
            "SAMVERKA_SESSION_ABSOLUTE_HOURS",
            "[sessions] absolute_hours",
            fc.sessions.absolute_hours,
            d.session_absolute_hours,
            1,
            24 * 7,
        )?,
        login_max_failures_per_user: num(
            "SAMVERKA_LOGIN_MAX_FAILURES_PER_USER",
            "[login] max_failures_per_user",
            fc.login.max_failures_per_user,
            d.login_max_failures_per_user,
            1,
            1000,
        )?,
        login_max_failures_per_ip: num(
            "SAMVERKA_LOGIN_MAX_FAILURES_PER_IP",
            "[login] max_failures_per_ip",
            fc.login.max_failures_per_ip,
            d.login_max_failures_per_ip,
            1,
            100_000,
        )?,
        login_window_minutes: num(
            "SAMVERKA_LOGIN_WINDOW_MINUTES",
            "[login] window_minutes",
            fc.login.window_minutes,
            d.login_window_minutes,
            1,
            24 * 60,
        )?,
        ..AppConfig::default()
    };

    let roles_text = env("SAMVERKA_PROTECTED_IDENTITY_ROLES").map(|v| {
        v.split(',')
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty())
            .collect::<Vec<_>>()
    });
    let protected_identity_roles = match roles_text.or(fc.access.protected_identity_roles) {
        None => d.protected_identity_roles.clone(),
        Some(names) => names
            .iter()
            .map(|n| n.parse::<samverka_core::actor::Role>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| {
                ConfigError(format!(
                    "[access] protected_identity_roles / SAMVERKA_PROTECTED_IDENTITY_ROLES: {e} (one of administrator, coordinator, professional, programme_lead, auditor)"
                ))
            })?,
    };
    let app = AppConfig {
        emergency_access_hours: num(
            "SAMVERKA_EMERGENCY_ACCESS_HOURS",
            "[access] emergency_access_hours",
            fc.access.emergency_access_hours,
            d.emergency_access_hours,
            1,
            72,
        )?,
        protected_identity_roles,
        ..app
    };

    // An invalid rules file stops start-up, naming the rule and the field.
    let rules = match pick("SAMVERKA_RULES", fc.screening.rules) {
        None => d.rules.clone(),
        Some(path) => {
            let text = std::fs::read_to_string(&path).map_err(|e| {
                ConfigError(format!(
                    "[screening] rules / SAMVERKA_RULES: cannot read {path}: {e}"
                ))
            })?;
            std::sync::Arc::new(
                samverka_core::rules::Rules::parse(&text)
                    .map_err(|e| ConfigError(format!("[screening] rules ({path}): {e}")))?,
            )
        }
    };
    let app = AppConfig { rules, ..app };

    let format = pick("SAMVERKA_LOG_FORMAT", fc.log.format).unwrap_or_else(|| "text".into());
    let json_logs = match format.as_str() {
        "text" => false,
        "json" => true,
        other => {
            return Err(ConfigError(format!(
                "[log] format / SAMVERKA_LOG_FORMAT: `{other}` is not one of text, json"
            )));
        }
    };

    Ok(Settings {
        listen,
        secure_cookies,
        database_url,
        default_lang,
        json_logs,
        app,
    })
}

fn parse_bool(var: &str, v: &str) -> Result<bool, ConfigError> {
    match v.trim() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        other => Err(ConfigError(format!(
            "{var}: `{other}` is not true or false"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn file(text: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().expect("temp file");
        f.write_all(text.as_bytes()).expect("write");
        f
    }

    #[test]
    fn defaults_without_file() {
        let s = load(None, &no_env).expect("defaults are valid");
        assert_eq!(s.listen.to_string(), "127.0.0.1:8080");
        assert!(s.secure_cookies);
        assert_eq!(s.app.time_zone, chrono_tz::Europe::Stockholm);
    }

    #[test]
    fn the_example_config_is_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/samverka.example.toml");
        let s = load(Some(&path), &no_env).expect("example config loads");
        assert_eq!(s.app.time_zone, chrono_tz::Europe::Stockholm);
    }

    #[test]
    fn environment_overrides_the_file() {
        let f = file("[deployment]\ntime_zone = \"Europe/Stockholm\"\n");
        let env = |k: &str| (k == "SAMVERKA_TIME_ZONE").then(|| "Europe/Copenhagen".to_owned());
        let s = load(Some(f.path()), &env).expect("valid");
        assert_eq!(s.app.time_zone, chrono_tz::Europe::Copenhagen);
    }

    #[test]
    fn bad_values_name_the_setting() {
        let f = file("[deployment]\ntime_zone = \"Europe/Stockhol\"\n");
        let e = load(Some(f.path()), &no_env).expect_err("bad zone");
        assert!(
            e.0.contains("time_zone") && e.0.contains("Europe/Stockhol"),
            "{e}"
        );

        let f = file("[sessions]\nidle_minutes = 0\n");
        let e = load(Some(f.path()), &no_env).expect_err("out of range");
        assert!(e.0.contains("idle_minutes"), "{e}");

        let f = file("[server]\nlisten = \"nowhere\"\n");
        let e = load(Some(f.path()), &no_env).expect_err("bad address");
        assert!(e.0.contains("listen"), "{e}");

        let f = file("[access]\nemergency_access_hours = 0\n");
        let e = load(Some(f.path()), &no_env).expect_err("out of range");
        assert!(e.0.contains("emergency_access_hours"), "{e}");

        let f = file("[access]\nprotected_identity_roles = [\"coordinator\", \"nurse\"]\n");
        let e = load(Some(f.path()), &no_env).expect_err("unknown role");
        assert!(
            e.0.contains("protected_identity_roles") && e.0.contains("nurse"),
            "{e}"
        );
    }

    /// An invalid rules file stops start-up with a message naming the rule and the field; a
    /// valid one replaces the shipped defaults.
    #[test]
    fn the_rules_file_is_checked_at_start_up() {
        let defaults = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/rules.toml"),
        )
        .expect("default rules");
        let broken = file(&defaults.replacen("lead_days = 35", "lead_days = 36", 1));
        let text = format!("[screening]\nrules = \"{}\"\n", broken.path().display());
        let f = file(&text);
        let e = load(Some(f.path()), &no_env).expect_err("invalid rules");
        assert!(
            e.0.contains("sick_leave_day_35") && e.0.contains("lead_days"),
            "{e}"
        );

        let changed = file(
            &defaults.replacen("days = 35\n", "days = 40\n", 1).replacen(
                "lead_days = 35",
                "lead_days = 40",
                1,
            ),
        );
        let path = changed.path().display().to_string();
        let env = |k: &str| (k == "SAMVERKA_RULES").then(|| path.clone());
        let s = load(None, &env).expect("valid rules from the environment");
        let rule = s.app.rules.rule("sick_leave_day_35").expect("rule");
        assert_eq!(
            rule.condition,
            samverka_core::rules::Condition::Duration {
                milestone: samverka_core::rules::Span::Days(40),
                lead_days: 40,
                gap_days: 5,
                min_extent: 0,
                diagnosis: Vec::new(),
            }
        );

        let missing = "[screening]\nrules = \"/nonexistent/rules.toml\"\n";
        let f = file(missing);
        let e = load(Some(f.path()), &no_env).expect_err("missing file");
        assert!(e.0.contains("[screening] rules"), "{e}");
    }

    #[test]
    fn access_settings_are_read_from_file_and_environment() {
        let f = file(
            "[access]\nemergency_access_hours = 4\nprotected_identity_roles = [\"coordinator\", \"auditor\"]\n",
        );
        let s = load(Some(f.path()), &no_env).expect("valid");
        assert_eq!(s.app.emergency_access_hours, 4);
        assert_eq!(
            s.app.protected_identity_roles,
            vec![
                samverka_core::actor::Role::Coordinator,
                samverka_core::actor::Role::Auditor
            ]
        );
        let env =
            |k: &str| (k == "SAMVERKA_PROTECTED_IDENTITY_ROLES").then(|| "professional".to_owned());
        let s = load(Some(f.path()), &env).expect("valid");
        assert_eq!(
            s.app.protected_identity_roles,
            vec![samverka_core::actor::Role::Professional]
        );
    }

    #[test]
    fn unknown_keys_and_syntax_errors_are_reported_with_their_place() {
        let f = file("[server]\nlisten_on = \"127.0.0.1:1\"\n");
        let e = load(Some(f.path()), &no_env).expect_err("unknown key");
        assert!(e.0.contains("listen_on"), "{e}");
        let f = file("[server\n");
        let e = load(Some(f.path()), &no_env).expect_err("syntax");
        assert!(e.0.contains("line 1"), "{e}");
    }

    #[test]
    fn a_missing_file_is_named() {
        let e = load(Some(Path::new("/nonexistent/samverka.toml")), &no_env).expect_err("missing");
        assert!(e.0.contains("/nonexistent/samverka.toml"), "{e}");
    }
}
