//! Screening rules: data (a TOML file per deployment, the default in `config/rules.toml`), read
//! and checked here, and the pure function that applies them to one person's signals from one
//! organisation (DOMAIN.md, "Rules and deadlines").
//!
//! Every rule reads the signals of one organisation only: a rule never combines organisations,
//! because each signal belongs to the organisation that supplied it (DOMAIN.md, "Early
//! identification respects the same walls"). Days are calendar days; no clock time is involved,
//! so a daylight-saving change cannot move a deadline.

use crate::signal::{Code, Signal, SignalKind, SignalSet};
use chrono::{Datelike, Days, Months, NaiveDate};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;

/// The default rules, as shipped in `config/rules.toml`.
pub const DEFAULT_RULES: &str = include_str!("../../../config/rules.toml");

/// A text in each language the product speaks.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Texts {
    pub sv: String,
    pub da: String,
    pub en: String,
}

impl Texts {
    /// The text in `lang` ("sv", "da", "en"); English for any other.
    pub fn get(&self, lang: &str) -> &str {
        match lang {
            "sv" => &self.sv,
            "da" => &self.da,
            _ => &self.en,
        }
    }
}

/// A length of time: a number of days or of calendar months.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Span {
    Days(u32),
    Months(u32),
}

impl Span {
    pub fn after(self, d: NaiveDate) -> NaiveDate {
        match self {
            Span::Days(n) => d.checked_add_days(Days::new(n.into())),
            Span::Months(n) => d.checked_add_months(Months::new(n)),
        }
        .unwrap_or(NaiveDate::MAX)
    }
    pub fn before(self, d: NaiveDate) -> NaiveDate {
        match self {
            Span::Days(n) => d.checked_sub_days(Days::new(n.into())),
            Span::Months(n) => d.checked_sub_months(Months::new(n)),
        }
        .unwrap_or(NaiveDate::MIN)
    }
}

/// What must hold for a rule to raise a worklist item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    /// An episode (signals of a kind with a period, joined where at most `gap_days` lie between
    /// them) that reaches `milestone` after its first day. The item shows from `lead_days` before
    /// the milestone, if the episode still lasts then; it is due at the milestone plus the rule's
    /// deadline. Sick leave: only certificates of at least `min_extent` % and, if given, with a
    /// diagnosis starting with one of `diagnosis`.
    Duration {
        milestone: Span,
        lead_days: u32,
        gap_days: u32,
        min_extent: i32,
        diagnosis: Vec<String>,
    },
    /// At least `at_least` signals within `window` (ending today). Admissions: only unplanned
    /// ones if `unplanned_only`. Due `deadline_days` after the day it became true.
    Count {
        at_least: u32,
        window: Span,
        unplanned_only: bool,
    },
    /// An admission within `within_days` of the discharge before it, in the last `recent_days`.
    Readmission {
        within_days: u32,
        recent_days: u32,
        unplanned_only: bool,
    },
    /// A score (screening: of `instrument`; school absence: the per cent) of at least
    /// `at_least`, taken (term ended, or ongoing) in the last `recent_days`.
    Score {
        at_least: i32,
        instrument: Option<Code>,
        recent_days: u32,
    },
}

impl Condition {
    pub fn code(&self) -> &'static str {
        match self {
            Condition::Duration { .. } => "duration",
            Condition::Count { .. } => "count",
            Condition::Readmission { .. } => "readmission",
            Condition::Score { .. } => "score",
        }
    }

    /// The placeholders an explanation of this condition may use.
    pub fn placeholders(&self) -> &'static [&'static str] {
        match self {
            Condition::Duration { .. } => &["start", "day", "extent", "diagnosis", "milestone"],
            Condition::Count { .. } => &["count", "since", "latest"],
            Condition::Readmission { .. } => &["admitted", "discharged", "days_between"],
            Condition::Score { .. } => &["score", "instrument", "taken"],
        }
    }
}

/// One rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub id: String,
    pub target_group: String,
    /// 1 (most urgent) to 5.
    pub priority: u8,
    pub signal: SignalKind,
    pub condition: Condition,
    pub min_age: Option<u32>,
    pub max_age: Option<u32>,
    /// Days from the moment the rule speaks of (a milestone, the day it became true) to the due date.
    pub deadline_days: u32,
    /// An item whose due date lies more than this many days in the past is no longer raised.
    pub expires_days: u32,
    /// A short name for lists and filters; the id where the file gives none.
    pub name: Option<Texts>,
    pub explanation: Texts,
}

impl Rule {
    /// The rule's name in `lang`, or its id.
    pub fn name_in(&self, lang: &str) -> &str {
        self.name.as_ref().map_or(self.id.as_str(), |n| n.get(lang))
    }
}

/// A target group (målgrupp), named in each language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetGroup {
    pub id: String,
    pub names: Texts,
}

/// A deployment's rules, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rules {
    pub target_groups: Vec<TargetGroup>,
    pub rules: Vec<Rule>,
}

/// What is wrong with a rules file: where (rule and field, or the TOML line) and what.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RulesError {
    #[error("rules file: {0}")]
    Syntax(String),
    #[error("rule `{rule}`, field `{field}`: {problem}")]
    Field {
        rule: String,
        field: String,
        problem: String,
    },
    #[error("target group `{group}`: {problem}")]
    TargetGroup { group: String, problem: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    #[serde(default)]
    target_groups: BTreeMap<String, Texts>,
    #[serde(default, rename = "rule")]
    rules: Vec<RawRule>,
}

#[derive(Deserialize)]
struct RawRule {
    /// Fields no rule has, reported with the rule's id (see `check_rule`).
    #[serde(flatten)]
    unknown: BTreeMap<String, toml::Value>,
    id: String,
    target_group: String,
    priority: u8,
    signal: String,
    condition: String,
    days: Option<u32>,
    months: Option<u32>,
    lead_days: Option<u32>,
    gap_days: Option<u32>,
    min_extent: Option<i32>,
    diagnosis: Option<Vec<String>>,
    at_least: Option<i32>,
    within_days: Option<u32>,
    within_months: Option<u32>,
    recent_days: Option<u32>,
    unplanned_only: Option<bool>,
    instrument: Option<String>,
    min_age: Option<u32>,
    max_age: Option<u32>,
    deadline_days: Option<u32>,
    expires_days: Option<u32>,
    name: Option<Texts>,
    explanation: Texts,
}

/// Default for how long an unhandled item stays after its due date.
pub const DEFAULT_EXPIRES_DAYS: u32 = 90;

impl Rules {
    /// Reads and checks a rules file. The error names the rule and the field, or the line.
    pub fn parse(text: &str) -> Result<Rules, RulesError> {
        let raw: RawRules = toml::from_str(text).map_err(|e| RulesError::Syntax(e.to_string()))?;
        let mut target_groups = Vec::new();
        for (id, names) in raw.target_groups {
            if !is_identifier(&id) {
                return Err(RulesError::TargetGroup {
                    group: id,
                    problem: "an id is lower-case letters, digits and '_'".into(),
                });
            }
            for (lang, t) in [("sv", &names.sv), ("da", &names.da), ("en", &names.en)] {
                if t.trim().is_empty() {
                    return Err(RulesError::TargetGroup {
                        group: id.clone(),
                        problem: format!("the name in `{lang}` is empty"),
                    });
                }
            }
            target_groups.push(TargetGroup { id, names });
        }
        let mut rules: Vec<Rule> = Vec::new();
        for (i, r) in raw.rules.into_iter().enumerate() {
            let rule = check_rule(r, i, &target_groups)?;
            if rules.iter().any(|x| x.id == rule.id) {
                return Err(RulesError::Field {
                    rule: rule.id,
                    field: "id".into(),
                    problem: "another rule has the same id".into(),
                });
            }
            rules.push(rule);
        }
        Ok(Rules {
            target_groups,
            rules,
        })
    }

    /// The shipped default rules.
    pub fn default_rules() -> Rules {
        // The default file is part of the build and checked by a test.
        Rules::parse(DEFAULT_RULES).unwrap_or(Rules {
            target_groups: Vec::new(),
            rules: Vec::new(),
        })
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    pub fn target_group(&self, id: &str) -> Option<&TargetGroup> {
        self.target_groups.iter().find(|g| g.id == id)
    }
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn check_rule(r: RawRule, index: usize, groups: &[TargetGroup]) -> Result<Rule, RulesError> {
    let name = if r.id.is_empty() {
        format!("#{}", index + 1)
    } else {
        r.id.clone()
    };
    let fail = |field: &str, problem: String| RulesError::Field {
        rule: name.clone(),
        field: field.to_owned(),
        problem,
    };
    if let Some(f) = r.unknown.keys().next() {
        return Err(fail(f, "is not a field of a rule".into()));
    }
    if !is_identifier(&r.id) {
        return Err(fail(
            "id",
            "must be lower-case letters, digits and '_' (at most 64)".into(),
        ));
    }
    if !groups.iter().any(|g| g.id == r.target_group) {
        return Err(fail(
            "target_group",
            format!(
                "`{}` is not a target group of this file (known: {})",
                r.target_group,
                groups
                    .iter()
                    .map(|g| g.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    if !(1..=5).contains(&r.priority) {
        return Err(fail("priority", format!("{} is not 1–5", r.priority)));
    }
    let signal: SignalKind = r.signal.parse().map_err(|_| {
        fail(
            "signal",
            format!(
                "`{}` is not a signal kind ({})",
                r.signal,
                SignalKind::ALL
                    .iter()
                    .map(|k| k.code())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    })?;
    // Which optional fields each condition takes; any other given field is an error, so that a
    // misplaced setting is never silently ignored.
    let given: Vec<(&str, bool)> = vec![
        ("days", r.days.is_some()),
        ("months", r.months.is_some()),
        ("lead_days", r.lead_days.is_some()),
        ("gap_days", r.gap_days.is_some()),
        ("min_extent", r.min_extent.is_some()),
        ("diagnosis", r.diagnosis.is_some()),
        ("at_least", r.at_least.is_some()),
        ("within_days", r.within_days.is_some()),
        ("within_months", r.within_months.is_some()),
        ("recent_days", r.recent_days.is_some()),
        ("unplanned_only", r.unplanned_only.is_some()),
        ("instrument", r.instrument.is_some()),
    ];
    let allowed: &[&str] = match r.condition.as_str() {
        "duration" => &[
            "days",
            "months",
            "lead_days",
            "gap_days",
            "min_extent",
            "diagnosis",
        ],
        "count" => &["at_least", "within_days", "within_months", "unplanned_only"],
        "readmission" => &["within_days", "recent_days", "unplanned_only"],
        "score" => &["at_least", "instrument", "recent_days"],
        other => {
            return Err(fail(
                "condition",
                format!("`{other}` is not one of duration, count, readmission, score"),
            ));
        }
    };
    if let Some((f, _)) = given.iter().find(|(f, g)| *g && !allowed.contains(f)) {
        return Err(fail(
            f,
            format!("does not apply to a `{}` condition", r.condition),
        ));
    }
    let span =
        |days: Option<u32>, months: Option<u32>, dname: &str, mname: &str| match (days, months) {
            (Some(d), None) => Ok(Span::Days(d)),
            (None, Some(m)) if m > 0 => Ok(Span::Months(m)),
            (None, Some(_)) => Err(fail(mname, "must be at least 1".into())),
            (Some(_), Some(_)) => Err(fail(
                mname,
                format!("give `{dname}` or `{mname}`, not both"),
            )),
            (None, None) => Err(fail(dname, format!("`{dname}` or `{mname}` is required"))),
        };
    let kinds_ok = |ok: &[SignalKind]| {
        if ok.contains(&signal) {
            Ok(())
        } else {
            Err(fail(
                "signal",
                format!(
                    "a `{}` condition reads {}, not {}",
                    r.condition,
                    ok.iter().map(|k| k.code()).collect::<Vec<_>>().join(" or "),
                    signal
                ),
            ))
        }
    };
    let condition = match r.condition.as_str() {
        "duration" => {
            kinds_ok(&[
                SignalKind::SickLeave,
                SignalKind::Unemployment,
                SignalKind::Admission,
            ])?;
            let milestone = span(r.days, r.months, "days", "months")?;
            if (r.min_extent.is_some() || r.diagnosis.is_some()) && signal != SignalKind::SickLeave
            {
                let f = if r.min_extent.is_some() {
                    "min_extent"
                } else {
                    "diagnosis"
                };
                return Err(fail(f, "applies to sick leave only".into()));
            }
            let min_extent = r.min_extent.unwrap_or(0);
            if !(0..=100).contains(&min_extent) {
                return Err(fail("min_extent", format!("{min_extent} is not 0–100")));
            }
            let diagnosis = r.diagnosis.unwrap_or_default();
            if let Some(d) = diagnosis
                .iter()
                .find(|d| Code::new(d).is_none() || d.is_empty())
            {
                return Err(fail(
                    "diagnosis",
                    format!("`{d}` is not a code of 1–12 letters and digits"),
                ));
            }
            let lead_days = r.lead_days.unwrap_or(0);
            if let Span::Days(d) = milestone
                && lead_days > d
            {
                return Err(fail(
                    "lead_days",
                    format!("{lead_days} is more than the milestone's {d} days"),
                ));
            }
            Condition::Duration {
                milestone,
                lead_days,
                gap_days: r.gap_days.unwrap_or(0),
                min_extent,
                diagnosis: diagnosis.iter().map(|d| d.to_ascii_uppercase()).collect(),
            }
        }
        "count" => {
            kinds_ok(&[
                SignalKind::IncomeSupport,
                SignalKind::Admission,
                SignalKind::EmergencyVisit,
                SignalKind::Unemployment,
                SignalKind::SickLeave,
            ])?;
            let at_least = r
                .at_least
                .ok_or_else(|| fail("at_least", "is required".into()))?;
            if at_least < 1 {
                return Err(fail("at_least", "must be at least 1".into()));
            }
            if r.unplanned_only.is_some() && signal != SignalKind::Admission {
                return Err(fail("unplanned_only", "applies to admissions only".into()));
            }
            Condition::Count {
                at_least: at_least as u32,
                window: span(
                    r.within_days,
                    r.within_months,
                    "within_days",
                    "within_months",
                )?,
                unplanned_only: r.unplanned_only.unwrap_or(false),
            }
        }
        "readmission" => {
            kinds_ok(&[SignalKind::Admission])?;
            Condition::Readmission {
                within_days: r
                    .within_days
                    .ok_or_else(|| fail("within_days", "is required".into()))?,
                recent_days: r
                    .recent_days
                    .ok_or_else(|| fail("recent_days", "is required".into()))?,
                unplanned_only: r.unplanned_only.unwrap_or(false),
            }
        }
        _ => {
            kinds_ok(&[SignalKind::Screening, SignalKind::SchoolAbsence])?;
            let instrument = match (&r.instrument, signal) {
                (Some(i), SignalKind::Screening) => Some(
                    Code::new(&i.to_ascii_lowercase())
                        .filter(|c| !c.is_empty())
                        .ok_or_else(|| fail("instrument", format!("`{i}` is not a code")))?,
                ),
                (None, SignalKind::Screening) => {
                    return Err(fail("instrument", "is required for screening".into()));
                }
                (Some(_), _) => {
                    return Err(fail("instrument", "applies to screening only".into()));
                }
                (None, _) => None,
            };
            Condition::Score {
                at_least: r
                    .at_least
                    .ok_or_else(|| fail("at_least", "is required".into()))?,
                instrument,
                recent_days: r
                    .recent_days
                    .ok_or_else(|| fail("recent_days", "is required".into()))?,
            }
        }
    };
    if let (Some(a), Some(b)) = (r.min_age, r.max_age)
        && a > b
    {
        return Err(fail("max_age", format!("{b} is below min_age {a}")));
    }
    for (lang, t) in [
        ("explanation.sv", &r.explanation.sv),
        ("explanation.da", &r.explanation.da),
        ("explanation.en", &r.explanation.en),
    ] {
        if t.trim().is_empty() {
            return Err(fail(lang, "is empty".into()));
        }
        for p in placeholders(t) {
            if !condition.placeholders().contains(&p) {
                return Err(fail(
                    lang,
                    format!(
                        "`{{{p}}}` is not known for a `{}` condition (known: {})",
                        condition.code(),
                        condition
                            .placeholders()
                            .iter()
                            .map(|p| format!("{{{p}}}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
    }
    Ok(Rule {
        id: r.id,
        target_group: r.target_group,
        priority: r.priority,
        signal,
        condition,
        min_age: r.min_age,
        max_age: r.max_age,
        deadline_days: r.deadline_days.unwrap_or(0),
        expires_days: r.expires_days.unwrap_or(DEFAULT_EXPIRES_DAYS),
        name: r.name,
        explanation: r.explanation,
    })
}

/// The `{name}` placeholders of a text.
pub fn placeholders(text: &str) -> impl Iterator<Item = &str> {
    // The same scan as `fill`, so the file check sees the names `fill` will ask for.
    let mut rest = text;
    std::iter::from_fn(move || {
        let i = rest.find('{')?;
        let (name, after) = rest[i + 1..].split_once('}')?;
        rest = after;
        Some(name)
    })
}

/// Replaces each `{name}` in `text` by `value(name)`.
pub fn fill(text: &str, mut value: impl FnMut(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        match rest[i + 1..].split_once('}') {
            Some((name, after)) => {
                out.push_str(&value(name));
                rest = after;
            }
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// What a rule found, for one person and one organisation: the item's identity (rule and key
/// day, so that a re-screening finds the same item), its due date and the facts that explain it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Hit {
    /// Index of the rule in [`Rules::rules`].
    pub rule: usize,
    /// The day that identifies the item among the rule's items for this person (an episode's
    /// first day, the day a count was reached, a readmission, a result).
    pub key: NaiveDate,
    pub due: NaiveDate,
    /// The unit of the latest signal behind it (index plus one into the set's units; 0: none).
    pub unit: u16,
    pub facts: HitFacts,
}

/// The facts an explanation is written from (see [`Condition::placeholders`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HitFacts {
    /// Duration: first day. Count: the first signal counted. Readmission: the admission.
    /// Score: the day taken.
    pub start: NaiveDate,
    /// Duration: the last known day, if any. Count: the latest signal. Readmission: the
    /// discharge before it.
    pub other: Option<NaiveDate>,
    /// Extent %, count, days between, or score.
    pub value: i32,
    /// Diagnosis or instrument.
    pub code: Code,
}

impl fmt::Display for Hit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rule {} key {} due {}", self.rule, self.key, self.due)
    }
}

/// Age in whole years on `day`.
pub fn age_on(birth: NaiveDate, day: NaiveDate) -> i32 {
    let mut age = day.year() - birth.year();
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

impl Rules {
    /// Every item the rules raise today from one organisation's signals about one person.
    pub fn screen(
        &self,
        set: &SignalSet,
        birth: Option<NaiveDate>,
        today: NaiveDate,
        out: &mut Vec<Hit>,
    ) {
        for (i, rule) in self.rules.iter().enumerate() {
            rule.screen(i, set, birth, today, out);
        }
    }
}

impl Rule {
    fn age_fits(&self, birth: Option<NaiveDate>, on: NaiveDate) -> bool {
        if self.min_age.is_none() && self.max_age.is_none() {
            return true;
        }
        let Some(birth) = birth else { return false };
        let age = age_on(birth, on);
        self.min_age.is_none_or(|a| age >= a as i32) && self.max_age.is_none_or(|a| age <= a as i32)
    }

    fn push(&self, cx: &mut Cx<'_>, key: NaiveDate, moment: NaiveDate, unit: u16, facts: HitFacts) {
        let due = Span::Days(self.deadline_days).after(moment);
        if Span::Days(self.expires_days).after(due) < cx.today || !self.age_fits(cx.birth, key) {
            return;
        }
        let hit = Hit {
            rule: cx.index,
            key,
            due,
            unit,
            facts,
        };
        // One item per rule and key day: a later signal of the same day speaks for it.
        match cx.out.last_mut() {
            Some(last) if last.rule == cx.index && last.key == key => *last = hit,
            _ => cx.out.push(hit),
        }
    }

    fn screen(
        &self,
        index: usize,
        set: &SignalSet,
        birth: Option<NaiveDate>,
        today: NaiveDate,
        out: &mut Vec<Hit>,
    ) {
        let cx = &mut Cx {
            index,
            birth,
            today,
            out,
        };
        // Signals of the future (a certificate's start ahead) are not facts yet.
        let signals = || set.of(self.signal).filter(move |s| s.start <= today);
        match &self.condition {
            Condition::Duration {
                milestone,
                lead_days,
                gap_days,
                min_extent,
                diagnosis,
            } => {
                let fits = |s: &&Signal| {
                    s.value >= *min_extent
                        && (diagnosis.is_empty()
                            || diagnosis
                                .iter()
                                .any(|d| s.code.as_str().starts_with(d.as_str())))
                };
                let relevant = |s: &&Signal| self.signal != SignalKind::SickLeave || fits(s);
                let mut episode: Option<Episode> = None;
                for s in signals().filter(relevant) {
                    match &mut episode {
                        Some(e) if e.joins(s, *gap_days) => e.extend(s),
                        _ => {
                            if let Some(e) = episode.take() {
                                self.duration_hit(cx, &e, *milestone, *lead_days);
                            }
                            episode = Some(Episode::new(s));
                        }
                    }
                }
                if let Some(e) = episode {
                    self.duration_hit(cx, &e, *milestone, *lead_days);
                }
            }
            Condition::Count {
                at_least,
                window,
                unplanned_only,
            } => {
                let mut days: Vec<&Signal> = signals()
                    .filter(|s| !*unplanned_only || s.value == 0)
                    .collect();
                // One day (a month of income support) counts once, however many report it.
                days.dedup_by_key(|s| s.start);
                let n = *at_least as usize;
                if days.len() < n {
                    return;
                }
                // The condition holds from the n-th signal within a window until the window
                // has moved past the first of them; the item is keyed by the day the current
                // run of truth began, so screening again finds the same item.
                // n signals whose first is `first` hold on day `t` while `first` is within the
                // window ending at `t`: one test, so month ends cannot disagree with it.
                let within = |first: NaiveDate, t: NaiveDate| window.before(t) < first;
                let mut run_start: Option<usize> = None;
                let mut last_first = NaiveDate::MIN;
                for j in (n - 1)..days.len() {
                    let first = days[j + 1 - n].start;
                    if !within(first, days[j].start) {
                        continue; // the n signals ending here span more than the window
                    }
                    if run_start.is_none()
                        || !within(last_first, Span::Days(1).before(days[j].start))
                    {
                        run_start = Some(j);
                    }
                    last_first = first;
                }
                let Some(j) = run_start else { return };
                if !within(last_first, today) {
                    return;
                }
                let latest = days[days.len() - 1];
                let counted = days
                    .iter()
                    .filter(|s| s.start > window.before(today))
                    .count();
                self.push(
                    cx,
                    days[j].start,
                    days[j].start,
                    latest.unit,
                    HitFacts {
                        start: days[j + 1 - n].start,
                        other: Some(latest.start),
                        value: counted as i32,
                        code: Code::default(),
                    },
                );
            }
            Condition::Readmission {
                within_days,
                recent_days,
                unplanned_only,
            } => {
                let mut discharged: Option<NaiveDate> = None;
                for s in signals() {
                    if let Some(prev) = discharged
                        && s.start >= prev
                        && (s.start - prev).num_days() <= i64::from(*within_days)
                        && (!*unplanned_only || s.value == 0)
                        && Span::Days(*recent_days).before(today) < s.start
                    {
                        self.push(
                            cx,
                            s.start,
                            s.start,
                            s.unit,
                            HitFacts {
                                start: s.start,
                                other: Some(prev),
                                value: (s.start - prev).num_days() as i32,
                                code: Code::default(),
                            },
                        );
                    }
                    if let Some(end) = s.end {
                        discharged = Some(discharged.map_or(end, |d| d.max(end)));
                    }
                }
            }
            Condition::Score {
                at_least,
                instrument,
                recent_days,
            } => {
                let since = Span::Days(*recent_days).before(today);
                for s in signals() {
                    let when = s.end.map_or(s.start, |e| e.min(today));
                    if s.value >= *at_least
                        && instrument.is_none_or(|i| s.code == i)
                        && when > since
                    {
                        self.push(
                            cx,
                            s.start,
                            s.end.unwrap_or(s.start),
                            s.unit,
                            HitFacts {
                                start: s.start,
                                other: s.end,
                                value: s.value,
                                code: s.code,
                            },
                        );
                    }
                }
            }
        }
    }

    fn duration_hit(&self, cx: &mut Cx<'_>, e: &Episode, milestone: Span, lead_days: u32) {
        let today = cx.today;
        let reached = milestone.after(e.start);
        let shows_from = Span::Days(lead_days).before(reached);
        // The episode must still last on the day the item would show; an ended episode that
        // never got that far raises nothing.
        if today < shows_from || e.end.is_some_and(|end| end < shows_from) {
            return;
        }
        self.push(
            cx,
            e.start,
            reached,
            e.unit,
            HitFacts {
                start: e.start,
                other: e.end,
                value: e.extent,
                code: e.code,
            },
        );
    }
}

/// What one rule's screening of one set needs besides the rule.
struct Cx<'a> {
    index: usize,
    birth: Option<NaiveDate>,
    today: NaiveDate,
    out: &'a mut Vec<Hit>,
}

/// Consecutive signals of one kind: a sick leave, a registration, a stay.
struct Episode {
    start: NaiveDate,
    /// The last day known; `None` while a signal without an end is part of it.
    end: Option<NaiveDate>,
    extent: i32,
    code: Code,
    unit: u16,
}

impl Episode {
    fn new(s: &Signal) -> Episode {
        Episode {
            start: s.start,
            end: s.end,
            extent: s.value,
            code: s.code,
            unit: s.unit,
        }
    }
    fn joins(&self, s: &Signal, gap_days: u32) -> bool {
        match self.end {
            None => true,
            Some(end) => Span::Days(gap_days + 1).after(end) >= s.start,
        }
    }
    /// The latest certificate speaks for the episode now: its extent, diagnosis and unit.
    fn extend(&mut self, s: &Signal) {
        self.end = match (self.end, s.end) {
            (Some(a), Some(b)) => Some(a.max(b)),
            _ => None,
        };
        self.extent = s.value;
        if !s.code.is_empty() {
            self.code = s.code;
        }
        self.unit = s.unit;
    }
}

#[cfg(test)]
mod tests;
