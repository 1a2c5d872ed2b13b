//! Every text a user reads comes from the locale files, in every language: these tests fail when a
//! key is used that a language lacks, or when the languages drift apart.

use samverka_core::actor::Role;
use samverka_core::org::Sector;
use samverka_web::i18n::Lang;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The message ids of one Fluent file, and the variables each message uses.
fn messages(lang: &str) -> Vec<(String, BTreeSet<String>)> {
    let path = crate_dir().join("locales").join(lang).join("main.ftl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out: Vec<(String, BTreeSet<String>)> = Vec::new();
    for line in text.lines() {
        let starts_message = line.chars().next().is_some_and(|c| c.is_ascii_lowercase());
        if starts_message {
            let (id, value) = line
                .split_once('=')
                .unwrap_or_else(|| panic!("{lang}: not a message: {line}"));
            out.push((id.trim().to_owned(), variables(value)));
        } else if line.starts_with(' ') {
            // A continuation line belongs to the message above.
            if let Some(last) = out.last_mut() {
                last.1.extend(variables(line));
            }
        }
    }
    out
}

fn variables(s: &str) -> BTreeSet<String> {
    s.split("{ $")
        .skip(1)
        .filter_map(|rest| {
            rest.split_once(' ')
                .map(|(v, _)| v.trim_end_matches('}').to_owned())
        })
        .collect()
}

#[test]
fn every_language_has_the_same_messages_with_the_same_variables() {
    let en = messages("en");
    assert!(en.len() > 100, "the English file looks truncated");
    let ids: BTreeSet<&String> = en.iter().map(|(k, _)| k).collect();
    assert_eq!(ids.len(), en.len(), "a message id is defined twice in en");
    for lang in ["sv", "da"] {
        let other = messages(lang);
        assert_eq!(
            other.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            en.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            "{lang} must have exactly the messages of en, in the same order"
        );
        for ((id, vars_en), (_, vars)) in en.iter().zip(&other) {
            assert_eq!(
                vars, vars_en,
                "{lang}: message {id} uses other variables than en"
            );
        }
    }
}

/// Every quoted word with a dash found right after one of `markers` in `text`.
fn keys_after(text: &str, markers: &[&str]) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for marker in markers {
        for (i, _) in text.match_indices(marker) {
            let rest = &text[i + marker.len()..];
            // Only the call's own arguments: up to the closing parenthesis or brace.
            let end = rest.find([')', '}']).unwrap_or(rest.len());
            for (n, lit) in rest[..end].split('"').enumerate() {
                let is_literal = n % 2 == 1;
                if is_literal
                    && lit.contains('-')
                    && lit.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'
                    })
                {
                    keys.insert(lit.to_owned());
                }
            }
        }
    }
    keys
}

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            files(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

#[test]
fn every_key_the_code_and_templates_use_exists_in_every_language() {
    let mut used = BTreeSet::new();
    let mut templates = Vec::new();
    files(&crate_dir().join("templates"), "html", &mut templates);
    for t in &templates {
        let text = std::fs::read_to_string(t).expect("template");
        // Labels and hints of the field macro are keys; its autocomplete tokens are HTML's own.
        let html_tokens = [
            "current-password",
            "new-password",
            "one-time-code",
            "given-name",
            "family-name",
            "postal-code",
            "street-address",
            "address-line1",
            "address-level2",
        ];
        used.extend(
            keys_after(&text, &["t(", "ta(", "field(ctx, errors,"])
                .into_iter()
                .filter(|k| !html_tokens.contains(&k.as_str())),
        );
    }
    let crates = crate_dir().join("..");
    let mut sources = Vec::new();
    for c in ["core", "app", "web", "cli"] {
        files(&crates.join(c).join("src"), "rs", &mut sources);
    }
    for s in &sources {
        let text = std::fs::read_to_string(s).expect("source");
        used.extend(keys_after(
            &text,
            &[
                ".t(",
                ".ta(",
                "FieldError::new(",
                "FieldError::with_args(",
                "AppError::invalid(",
                "BadRequest(",
                "Some(\"",
                "title: ",
                "message: ",
            ],
        ));
        // Error codes of the validators and the field-label table: `X => "key"`.
        if s.ends_with("national_id.rs") || s.ends_with("validate.rs") || s.ends_with("forms.rs") {
            used.extend(
                text.match_indices("=> \"")
                    .filter_map(|(i, _)| text[i + 4..].split('"').next())
                    .filter(|k| k.contains('-'))
                    .map(str::to_owned),
            );
        }
    }
    for s in Sector::ALL {
        used.insert(format!("sector-{}", s.code()));
    }
    for r in Role::ALL {
        used.insert(format!("role-{}", r.code()));
    }
    for k in ["sex-female", "sex-male", "country-se", "country-dk"] {
        used.insert(k.to_owned());
    }
    for kind in ["personnummer", "samordningsnummer", "cpr", "reserve"] {
        used.insert(format!("id-kind-{kind}"));
    }
    for scheme in ["swedish", "danish", "reserve"] {
        used.insert(format!("id-scheme-{scheme}"));
    }
    assert!(used.len() > 80, "the scan found too few keys: {used:?}");
    for lang in Lang::ALL {
        let defined: BTreeSet<String> = messages(lang.code()).into_iter().map(|(k, _)| k).collect();
        let missing: Vec<&String> = used.iter().filter(|k| !defined.contains(*k)).collect();
        assert!(
            missing.is_empty(),
            "{}: missing messages {missing:?}",
            lang.code()
        );
        // And the compiled-in bundle really serves them (a message without variables suffices).
        assert!(lang.has("language-name"));
        assert_ne!(lang.t("login-title"), "login-title");
    }
}
