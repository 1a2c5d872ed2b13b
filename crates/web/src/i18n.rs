//! Every text a user reads comes from the Fluent files in `locales/` (sv, da, en).

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{Loader, static_loader};
use std::borrow::Cow;
use std::collections::HashMap;
use unic_langid::{LanguageIdentifier, langid};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Our languages are all left-to-right; isolation marks would only get in the way.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// An interface language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    Sv,
    Da,
    En,
}

static SV: LanguageIdentifier = langid!("sv");
static DA: LanguageIdentifier = langid!("da");
static EN: LanguageIdentifier = langid!("en");

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Sv, Lang::Da, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Sv => "sv",
            Lang::Da => "da",
            Lang::En => "en",
        }
    }

    pub fn from_code(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().get(..2) {
            Some("sv") => Some(Lang::Sv),
            Some("da") => Some(Lang::Da),
            Some("en") => Some(Lang::En),
            _ => None,
        }
    }

    /// The first supported language in an `Accept-Language` header.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut langs: Vec<(f32, &str)> = header
            .split(',')
            .filter_map(|part| {
                let mut it = part.split(';');
                let tag = it.next()?.trim();
                let q = it
                    .find_map(|p| {
                        p.trim()
                            .strip_prefix("q=")
                            .and_then(|q| q.parse::<f32>().ok())
                    })
                    .unwrap_or(1.0);
                Some((q, tag))
            })
            .collect();
        langs.sort_by(|a, b| b.0.total_cmp(&a.0));
        langs.into_iter().find_map(|(_, tag)| Lang::from_code(tag))
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::Sv => &SV,
            Lang::Da => &DA,
            Lang::En => &EN,
        }
    }

    /// The text for `key`; a missing key shows as the key itself (and a test keeps that from shipping).
    pub fn t(self, key: &str) -> String {
        LOCALES
            .try_lookup(self.id(), key)
            .unwrap_or_else(|| key.to_owned())
    }

    /// The text for `key` with named arguments.
    pub fn ta(self, key: &str, args: &[(&str, String)]) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue<'_>> = args
            .iter()
            .map(|(k, v)| (Cow::Owned((*k).to_owned()), FluentValue::from(v.clone())))
            .collect();
        LOCALES
            .try_lookup_with_args(self.id(), key, &map)
            .unwrap_or_else(|| key.to_owned())
    }

    /// Whether `key` exists in this language's own file (not through the fallback).
    pub fn has(self, key: &str) -> bool {
        LOCALES
            .lookup_single_language::<&str>(self.id(), key, None)
            .is_ok()
    }
}
