//! Signals: events from source systems that may indicate risk (DOMAIN.md, "Signal"), the CSV
//! layout of each kind, the validation of one row, and the compact form in which a person's
//! signals from one organisation are kept.
//!
//! A signal is an append-only fact. It belongs to the organisation that supplied it (and, where
//! the file says so, one of its units); screening reads one organisation's signals at a time.

use crate::national_id::{NationalId, NationalIdError, Scheme};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The kinds of signal Samverka reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalKind {
    /// A sick-leave certificate: first day, optional last day, extent %, diagnosis.
    SickLeave,
    /// A month with income support (försörjningsstöd / kontanthjælp).
    IncomeSupport,
    /// A registration as unemployed: registered on, optional deregistered on.
    Unemployment,
    /// A hospital stay: admitted on, optional discharged on, planned or not.
    Admission,
    /// A visit to an emergency department.
    EmergencyVisit,
    /// School absence over one term, in per cent.
    SchoolAbsence,
    /// A screening or instrument result (PHQ-9, GAD-7, BarnSäkert …) with its score.
    Screening,
}

impl SignalKind {
    pub const ALL: [SignalKind; 7] = [
        SignalKind::SickLeave,
        SignalKind::IncomeSupport,
        SignalKind::Unemployment,
        SignalKind::Admission,
        SignalKind::EmergencyVisit,
        SignalKind::SchoolAbsence,
        SignalKind::Screening,
    ];

    /// Stable code for files, the database and locale keys (`signal-kind-<code>`).
    pub fn code(self) -> &'static str {
        match self {
            SignalKind::SickLeave => "sick_leave",
            SignalKind::IncomeSupport => "income_support",
            SignalKind::Unemployment => "unemployment",
            SignalKind::Admission => "admission",
            SignalKind::EmergencyVisit => "emergency_visit",
            SignalKind::SchoolAbsence => "school_absence",
            SignalKind::Screening => "screening",
        }
    }

    fn index(self) -> u8 {
        SignalKind::ALL
            .iter()
            .position(|k| *k == self)
            .map_or(0, |i| i as u8)
    }

    /// The documented CSV layout of this kind.
    pub fn layout(self) -> &'static Layout {
        &LAYOUTS[self.index() as usize]
    }
}

impl fmt::Display for SignalKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for SignalKind {
    type Err = crate::consent::UnknownCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SignalKind::ALL
            .into_iter()
            .find(|k| k.code() == s)
            .ok_or_else(|| crate::consent::UnknownCode(s.to_owned()))
    }
}

/// A short ASCII code (a diagnosis such as `F43`, an instrument such as `phq9`), up to 12 bytes,
/// kept inline so that a signal is a small `Copy` value.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code([u8; 12]);

impl Code {
    pub const MAX: usize = 12;

    /// Upper-cases nothing and trims nothing: the caller normalises. `None` if longer than 12
    /// bytes or not printable ASCII without spaces.
    pub fn new(s: &str) -> Option<Code> {
        if s.len() > Code::MAX || !s.bytes().all(|b| b.is_ascii_graphic()) {
            return None;
        }
        let mut c = [0u8; 12];
        c[..s.len()].copy_from_slice(s.as_bytes());
        Some(Code(c))
    }

    pub fn as_str(&self) -> &str {
        let n = self.0.iter().position(|b| *b == 0).unwrap_or(Code::MAX);
        // Only ASCII is ever stored (see `new` and `decode`).
        std::str::from_utf8(&self.0[..n]).unwrap_or("")
    }

    pub fn is_empty(&self) -> bool {
        self.0[0] == 0
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One signal, as screening reads it. What the fields mean depends on the kind:
///
/// | kind | `start` | `end` | `value` | `code` |
/// |---|---|---|---|---|
/// | sick_leave | first day | last day, if known | extent % (25/50/75/100) | diagnosis (ICD-10, e.g. `F43`) |
/// | income_support | first day of the month | – | amount, if given | – |
/// | unemployment | registered on | deregistered on | – | – |
/// | admission | admitted on | discharged on | 1 if planned, else 0 | – |
/// | emergency_visit | visit day | – | – | – |
/// | school_absence | first day of term | last day of term | absence in per cent | – |
/// | screening | day taken | – | score | instrument (`phq9`, `gad7`, `barnsakert` …) |
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Signal {
    pub start: NaiveDate,
    pub kind: SignalKind,
    pub end: Option<NaiveDate>,
    pub value: i32,
    pub code: Code,
    /// Index into the set's units plus one; 0 when the file named no unit.
    pub unit: u16,
    /// The import that first brought this signal (its number), for provenance.
    pub import: u32,
}

impl Signal {
    /// The fact itself, without where it came from: two rows with the same fact are one signal.
    fn fact(&self) -> (NaiveDate, SignalKind, Option<NaiveDate>, i32, Code, u16) {
        (
            self.start, self.kind, self.end, self.value, self.code, self.unit,
        )
    }
}

/// What is wrong with one field of one row (or the header). `code()` is a locale key.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum FieldProblem {
    #[error("is required")]
    Missing,
    #[error("`{0}` is not a date (YYYY-MM-DD)")]
    BadDate(String),
    #[error("`{0}` is not a month (YYYY-MM)")]
    BadMonth(String),
    #[error("`{0}` is not a whole number")]
    BadNumber(String),
    #[error("{value} is outside {min}–{max}")]
    OutOfRange { value: i64, min: i64, max: i64 },
    #[error("{0} is not one of 25, 50, 75, 100")]
    BadExtent(i64),
    #[error("`{0}` is not yes or no")]
    BadYesNo(String),
    #[error("`{0}` is not a code of at most 12 letters, digits, '.' or '-'")]
    BadCode(String),
    #[error("is before {0}")]
    EndBeforeStart(String),
    #[error("is after today")]
    InFuture,
    #[error("{0}")]
    NationalId(NationalIdError),
    #[error("must be at most {0} characters without control characters")]
    BadText(usize),
    #[error("`{0}` is not a postal code (3–10 digits)")]
    BadPostalCode(String),
    #[error("names no unit of the organisation: `{0}`")]
    UnknownUnit(String),
    #[error("is not UTF-8 text")]
    NotText,
}

impl FieldProblem {
    pub fn code(&self) -> &'static str {
        match self {
            FieldProblem::Missing => "import-missing",
            FieldProblem::BadDate(_) => "import-bad-date",
            FieldProblem::BadMonth(_) => "import-bad-month",
            FieldProblem::BadNumber(_) => "import-bad-number",
            FieldProblem::OutOfRange { .. } => "import-out-of-range",
            FieldProblem::BadExtent(_) => "import-bad-extent",
            FieldProblem::BadYesNo(_) => "import-bad-yes-no",
            FieldProblem::BadCode(_) => "import-bad-code",
            FieldProblem::EndBeforeStart(_) => "import-end-before-start",
            FieldProblem::InFuture => "import-in-future",
            FieldProblem::NationalId(e) => e.code(),
            FieldProblem::BadText(_) => "import-bad-text",
            FieldProblem::BadPostalCode(_) => "import-bad-postal-code",
            FieldProblem::UnknownUnit(_) => "import-unknown-unit",
            FieldProblem::NotText => "import-not-text",
        }
    }

    /// The named values the locale message for [`code`](Self::code) uses.
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            FieldProblem::BadDate(v)
            | FieldProblem::BadMonth(v)
            | FieldProblem::BadNumber(v)
            | FieldProblem::BadYesNo(v)
            | FieldProblem::BadCode(v)
            | FieldProblem::BadPostalCode(v)
            | FieldProblem::UnknownUnit(v) => vec![("value", v.clone())],
            FieldProblem::OutOfRange { value, min, max } => vec![
                ("value", value.to_string()),
                ("min", min.to_string()),
                ("max", max.to_string()),
            ],
            FieldProblem::BadExtent(v) => vec![("value", v.to_string())],
            FieldProblem::EndBeforeStart(f) => vec![("other", f.clone())],
            FieldProblem::BadText(max) => vec![("max", max.to_string())],
            FieldProblem::NationalId(e) => e.args(),
            FieldProblem::Missing | FieldProblem::InFuture | FieldProblem::NotText => Vec::new(),
        }
    }
}

/// A rejected row: the line in the file (1 is the header), the column, what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    pub line: u64,
    pub field: String,
    pub problem: FieldProblem,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, {}: {}", self.line, self.field, self.problem)
    }
}

/// A column of a layout.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    pub name: &'static str,
    pub required: bool,
    /// What the column holds, for the documentation and the upload page.
    pub format: &'static str,
}

const fn col(name: &'static str, required: bool, format: &'static str) -> Column {
    Column {
        name,
        required,
        format,
    }
}

/// The documented CSV layout of one kind: a header row naming these columns, in any order.
#[derive(Debug)]
pub struct Layout {
    pub kind: SignalKind,
    pub columns: &'static [Column],
    /// The column only this layout has, by which a header tells its kind.
    pub marker: &'static str,
}

const PERSON_COLUMNS: [Column; 3] = [
    col(
        "national_id",
        true,
        "personnummer, samordningsnummer or CPR",
    ),
    col("given_name", true, "text"),
    col("family_name", true, "text"),
];

macro_rules! layout {
    ($kind:ident, $marker:literal, [$($c:expr),* $(,)?]) => {
        Layout {
            kind: SignalKind::$kind,
            marker: $marker,
            columns: &[
                PERSON_COLUMNS[0], PERSON_COLUMNS[1], PERSON_COLUMNS[2],
                $($c,)*
                col("postal_code", false, "the person's postal code, for a programme's area"),
                col("unit", false, "name of a unit of the supplying organisation"),
            ],
        }
    };
}

static LAYOUTS: [Layout; 7] = [
    layout!(
        SickLeave,
        "first_day",
        [
            col("first_day", true, "YYYY-MM-DD"),
            col("last_day", false, "YYYY-MM-DD"),
            col("extent", true, "25, 50, 75 or 100"),
            col("diagnosis", false, "ICD-10 code or chapter, e.g. F43"),
        ]
    ),
    layout!(
        IncomeSupport,
        "month",
        [
            col("month", true, "YYYY-MM"),
            col("amount", false, "whole number"),
        ]
    ),
    layout!(
        Unemployment,
        "registered_on",
        [
            col("registered_on", true, "YYYY-MM-DD"),
            col("deregistered_on", false, "YYYY-MM-DD"),
        ]
    ),
    layout!(
        Admission,
        "admitted_on",
        [
            col("admitted_on", true, "YYYY-MM-DD"),
            col("discharged_on", false, "YYYY-MM-DD"),
            col("planned", true, "yes or no"),
        ]
    ),
    layout!(
        EmergencyVisit,
        "visited_on",
        [col("visited_on", true, "YYYY-MM-DD")]
    ),
    layout!(
        SchoolAbsence,
        "term_start",
        [
            col("term_start", true, "YYYY-MM-DD"),
            col("term_end", true, "YYYY-MM-DD"),
            col("absence_percent", true, "0–100"),
        ]
    ),
    layout!(
        Screening,
        "instrument",
        [
            col("taken_on", true, "YYYY-MM-DD"),
            col("instrument", true, "code, e.g. phq9, gad7, barnsakert"),
            col("score", true, "whole number 0–1000"),
        ]
    ),
];

/// What is wrong with a header row.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum HeaderError {
    #[error("the header names no known signal kind: it needs one of the columns {markers}")]
    UnknownKind { markers: String },
    #[error("the header fits more than one signal kind ({0}); give the kind explicitly")]
    Ambiguous(String),
    #[error("column `{column}` is not part of the {kind} layout (its columns: {expected})")]
    UnknownColumn {
        column: String,
        kind: SignalKind,
        expected: String,
    },
    #[error("column `{column}` appears twice")]
    Duplicate { column: String },
    #[error("the {kind} layout needs the column `{column}`")]
    MissingColumn { column: String, kind: SignalKind },
}

impl HeaderError {
    pub fn code(&self) -> &'static str {
        match self {
            HeaderError::UnknownKind { .. } => "import-header-unknown-kind",
            HeaderError::Ambiguous(_) => "import-header-ambiguous",
            HeaderError::UnknownColumn { .. } => "import-header-unknown-column",
            HeaderError::Duplicate { .. } => "import-header-duplicate",
            HeaderError::MissingColumn { .. } => "import-header-missing-column",
        }
    }

    /// The named values the locale message for [`code`](Self::code) uses.
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            HeaderError::UnknownKind { markers } => vec![("columns", markers.clone())],
            HeaderError::Ambiguous(kinds) => vec![("kinds", kinds.clone())],
            HeaderError::UnknownColumn {
                column, expected, ..
            } => vec![("column", column.clone()), ("columns", expected.clone())],
            HeaderError::Duplicate { column } => vec![("column", column.clone())],
            HeaderError::MissingColumn { column, .. } => vec![("column", column.clone())],
        }
    }
}

/// A header matched to a layout: for each layout column, its position in the file's rows.
#[derive(Clone, Debug)]
pub struct Header {
    pub kind: SignalKind,
    positions: Vec<Option<usize>>,
}

impl Header {
    /// Reads a header row. `kind`, when given (a flag), decides the layout; otherwise the
    /// header's marker column does. Column names are matched case-insensitively, trimmed.
    pub fn parse<'a>(
        names: impl IntoIterator<Item = &'a str>,
        kind: Option<SignalKind>,
    ) -> Result<Header, HeaderError> {
        let names: Vec<String> = names
            .into_iter()
            .map(|n| n.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
            .collect();
        let kind = match kind {
            Some(k) => k,
            None => {
                let found: Vec<SignalKind> = LAYOUTS
                    .iter()
                    .filter(|l| names.iter().any(|n| n == l.marker))
                    .map(|l| l.kind)
                    .collect();
                match found.as_slice() {
                    [k] => *k,
                    [] => {
                        return Err(HeaderError::UnknownKind {
                            markers: LAYOUTS
                                .iter()
                                .map(|l| l.marker)
                                .collect::<Vec<_>>()
                                .join(", "),
                        });
                    }
                    many => {
                        return Err(HeaderError::Ambiguous(
                            many.iter().map(|k| k.code()).collect::<Vec<_>>().join(", "),
                        ));
                    }
                }
            }
        };
        let layout = kind.layout();
        let mut positions = vec![None; layout.columns.len()];
        for (i, n) in names.iter().enumerate() {
            let Some(c) = layout.columns.iter().position(|c| c.name == n) else {
                return Err(HeaderError::UnknownColumn {
                    column: n.clone(),
                    kind,
                    expected: layout
                        .columns
                        .iter()
                        .map(|c| c.name)
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            };
            if positions[c].is_some() {
                return Err(HeaderError::Duplicate { column: n.clone() });
            }
            positions[c] = Some(i);
        }
        for (c, p) in layout.columns.iter().zip(&positions) {
            if c.required && p.is_none() {
                return Err(HeaderError::MissingColumn {
                    column: c.name.to_owned(),
                    kind,
                });
            }
        }
        Ok(Header { kind, positions })
    }

    fn get<'r>(&self, row: &'r [&'r str], column: usize) -> &'r str {
        self.positions[column]
            .and_then(|p| row.get(p))
            .map_or("", |s| s.trim())
    }
}

/// One valid row: who, and the signal (its unit still a name, resolved by the importer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub national_id: NationalId,
    pub given_name: String,
    pub family_name: String,
    /// Digits only (spaces dropped), when the file gives it.
    pub postal_code: Option<String>,
    pub unit: Option<String>,
    pub signal: Signal,
}

/// Longest name and unit text accepted from a file.
pub const NAME_MAX: usize = 100;

/// What a row needs besides its fields: the numbering scheme and today's date in the
/// deployment's time zone (no signal may lie in the future).
#[derive(Clone, Copy, Debug)]
pub struct RowContext {
    pub scheme: Scheme,
    pub today: NaiveDate,
}

impl Header {
    /// Validates one data row. `line` is the row's line in the file, for the error. Every field
    /// is checked; the first problem found is returned (in column order).
    pub fn row(&self, line: u64, row: &[&str], cx: RowContext) -> Result<Row, RowError> {
        let columns = self.kind.layout().columns;
        let err = |c: usize, problem: FieldProblem| RowError {
            line,
            field: columns[c].name.to_owned(),
            problem,
        };
        let national_id = match self.get(row, 0) {
            "" => return Err(err(0, FieldProblem::Missing)),
            v => NationalId::parse(v, cx.scheme, cx.today)
                .map_err(|e| err(0, FieldProblem::NationalId(e)))?,
        };
        let text = |c: usize, required: bool| -> Result<Option<String>, RowError> {
            match crate::validate::optional_line(self.get(row, c), NAME_MAX) {
                Ok(None) if required => Err(err(c, FieldProblem::Missing)),
                Ok(v) => Ok(v),
                Err(_) => Err(err(c, FieldProblem::BadText(NAME_MAX))),
            }
        };
        let given_name = text(1, true)?.unwrap_or_default();
        let family_name = text(2, true)?.unwrap_or_default();
        let unit = text(columns.len() - 1, false)?;
        let postal_code = match self.get(row, columns.len() - 2) {
            "" => None,
            v => {
                let digits: String = v.chars().filter(|c| *c != ' ').collect();
                if !(3..=10).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit())
                {
                    return Err(err(
                        columns.len() - 2,
                        FieldProblem::BadPostalCode(v.to_owned()),
                    ));
                }
                Some(digits)
            }
        };
        let date = |c: usize| -> Result<Option<NaiveDate>, RowError> {
            match self.get(row, c) {
                "" if columns[c].required => Err(err(c, FieldProblem::Missing)),
                "" => Ok(None),
                v => {
                    let d = parse_date(v)
                        .filter(|d| (1900..=9999).contains(&d.year()))
                        .ok_or_else(|| err(c, FieldProblem::BadDate(v.to_owned())))?;
                    if d > cx.today {
                        return Err(err(c, FieldProblem::InFuture));
                    }
                    Ok(Some(d))
                }
            }
        };
        let number = |c: usize, min: i64, max: i64| -> Result<Option<i64>, RowError> {
            match self.get(row, c) {
                "" if columns[c].required => Err(err(c, FieldProblem::Missing)),
                "" => Ok(None),
                v => {
                    let n: i64 = v
                        .parse()
                        .map_err(|_| err(c, FieldProblem::BadNumber(v.to_owned())))?;
                    if !(min..=max).contains(&n) {
                        return Err(err(c, FieldProblem::OutOfRange { value: n, min, max }));
                    }
                    Ok(Some(n))
                }
            }
        };
        let code = |c: usize| -> Result<Code, RowError> {
            match self.get(row, c) {
                "" if columns[c].required => Err(err(c, FieldProblem::Missing)),
                "" => Ok(Code::default()),
                v => v
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '.' || ch == '-')
                    .then(|| Code::new(&v.to_ascii_lowercase()))
                    .flatten()
                    .ok_or_else(|| err(c, FieldProblem::BadCode(v.to_owned()))),
            }
        };
        let end_after = |c: usize, start: NaiveDate, end: Option<NaiveDate>, other: usize| match end
        {
            Some(e) if e < start => Err(err(
                c,
                FieldProblem::EndBeforeStart(columns[other].name.to_owned()),
            )),
            _ => Ok(end),
        };
        // Fields are numbered as in the layout: 0–2 person, then the kind's, then unit.
        let mut signal = Signal {
            start: NaiveDate::MIN,
            kind: self.kind,
            end: None,
            value: 0,
            code: Code::default(),
            unit: 0,
            import: 0,
        };
        match self.kind {
            SignalKind::SickLeave => {
                let start = date(3)?.unwrap_or(NaiveDate::MIN);
                // A certificate may run into the future: its last day is not checked against today.
                let end = match self.get(row, 4) {
                    "" => None,
                    v => Some(
                        parse_date(v)
                            .filter(|d| (1900..=9999).contains(&d.year()))
                            .ok_or_else(|| err(4, FieldProblem::BadDate(v.to_owned())))?,
                    ),
                };
                signal.end = end_after(4, start, end, 3)?;
                let extent = number(5, 0, 100)?.unwrap_or(0);
                if ![25, 50, 75, 100].contains(&extent) {
                    return Err(err(5, FieldProblem::BadExtent(extent)));
                }
                signal.start = start;
                signal.value = extent as i32;
                signal.code = {
                    let c = code(6)?;
                    Code::new(&c.as_str().to_ascii_uppercase()).unwrap_or(c)
                };
            }
            SignalKind::IncomeSupport => {
                let v = self.get(row, 3);
                if v.is_empty() {
                    return Err(err(3, FieldProblem::Missing));
                }
                let start = parse_date(&format!("{v}-01"))
                    .filter(|d| (1900..=9999).contains(&d.year()) && v.len() == 7)
                    .ok_or_else(|| err(3, FieldProblem::BadMonth(v.to_owned())))?;
                if start > cx.today {
                    return Err(err(3, FieldProblem::InFuture));
                }
                signal.start = start;
                signal.value = number(4, 0, 10_000_000)?.unwrap_or(0) as i32;
            }
            SignalKind::Unemployment => {
                let start = date(3)?.unwrap_or(NaiveDate::MIN);
                signal.end = end_after(4, start, date(4)?, 3)?;
                signal.start = start;
            }
            SignalKind::Admission => {
                let start = date(3)?.unwrap_or(NaiveDate::MIN);
                signal.end = end_after(4, start, date(4)?, 3)?;
                signal.start = start;
                signal.value = match self.get(row, 5).to_ascii_lowercase().as_str() {
                    "yes" | "ja" | "true" | "1" => 1,
                    "no" | "nej" | "nei" | "false" | "0" => 0,
                    "" => return Err(err(5, FieldProblem::Missing)),
                    _ => return Err(err(5, FieldProblem::BadYesNo(self.get(row, 5).into()))),
                };
            }
            SignalKind::EmergencyVisit => {
                signal.start = date(3)?.unwrap_or(NaiveDate::MIN);
            }
            SignalKind::SchoolAbsence => {
                let start = date(3)?.unwrap_or(NaiveDate::MIN);
                // A term's last day may be ahead: the absence so far is reported mid-term.
                let v = self.get(row, 4);
                let end = parse_date(v)
                    .filter(|d| (1900..=9999).contains(&d.year()))
                    .ok_or_else(|| {
                        err(
                            4,
                            if v.is_empty() {
                                FieldProblem::Missing
                            } else {
                                FieldProblem::BadDate(v.to_owned())
                            },
                        )
                    })?;
                signal.end = end_after(4, start, Some(end), 3)?;
                signal.start = start;
                signal.value = number(5, 0, 100)?.unwrap_or(0) as i32;
            }
            SignalKind::Screening => {
                signal.start = date(3)?.unwrap_or(NaiveDate::MIN);
                signal.code = code(4)?;
                signal.value = number(5, 0, 1000)?.unwrap_or(0) as i32;
            }
        }
        Ok(Row {
            national_id,
            given_name,
            family_name,
            postal_code,
            unit,
            signal,
        })
    }
}

/// A person's signals from one organisation, sorted and without duplicate facts, with the units
/// they name. This is the form screening reads and the database keeps (one row per person and
/// organisation), so that screening a million persons reads a million rows, not ten million.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignalSet {
    pub units: Vec<crate::ids::UnitId>,
    pub signals: Vec<Signal>,
}

/// Why a stored signal set could not be read back.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("stored signals are damaged at byte {0}")]
pub struct DecodeError(pub usize);

/// The stored form's version: 2 is variable-length; 1 (fixed-width) is still read.
const FORMAT_VERSION: u8 = 2;
const FORMAT_VERSION_FIXED: u8 = 1;

impl SignalSet {
    /// The unit's index plus one, adding the unit if new.
    pub fn unit_ref(&mut self, unit: Option<crate::ids::UnitId>) -> u16 {
        let Some(u) = unit else { return 0 };
        match self.units.iter().position(|x| *x == u) {
            Some(i) => i as u16 + 1,
            None => {
                self.units.push(u);
                self.units.len() as u16
            }
        }
    }

    /// The unit a signal's (or a hit's) unit reference names.
    pub fn unit(&self, unit_ref: u16) -> Option<crate::ids::UnitId> {
        (unit_ref as usize)
            .checked_sub(1)
            .and_then(|i| self.units.get(i).copied())
    }

    /// Adds `s` unless the same fact is already here; true if it was added. Keeps the order.
    pub fn insert(&mut self, s: Signal) -> bool {
        let at = self.signals.partition_point(|x| x.fact() < s.fact());
        if self.signals.get(at).is_some_and(|x| x.fact() == s.fact()) {
            return false;
        }
        self.signals.insert(at, s);
        true
    }

    /// The signals of one kind, in order.
    pub fn of(&self, kind: SignalKind) -> impl Iterator<Item = &Signal> {
        self.signals.iter().filter(move |s| s.kind == kind)
    }

    /// The compact binary form (version 2): version, units, then each signal as a tag byte (kind
    /// and which optional fields follow) and variable-length integers: the start as the change
    /// from the previous signal's start (the set is sorted, so mostly one byte), the end as days
    /// after the start, the value, the code's length and bytes, the unit and the import. Dates are
    /// days since 1970-01-01. About a third of the fixed-width version 1, which `decode` still
    /// reads: a smaller set is fewer pages for an import to read and write.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(3 + self.units.len() * 16 + self.signals.len() * 12);
        out.push(FORMAT_VERSION);
        out.extend_from_slice(&(self.units.len() as u16).to_le_bytes());
        for u in &self.units {
            out.extend_from_slice(u.0.as_bytes());
        }
        let mut previous = 0i64;
        for s in &self.signals {
            let start = i64::from(day_number(s.start));
            let code = s.code.as_str().as_bytes();
            let mut tag = s.kind.index();
            for (bit, present) in [
                (TAG_END, s.end.is_some()),
                (TAG_VALUE, s.value != 0),
                (TAG_CODE, !code.is_empty()),
                (TAG_UNIT, s.unit != 0),
            ] {
                if present {
                    tag |= bit;
                }
            }
            out.push(tag);
            put_signed(&mut out, start - previous);
            previous = start;
            if let Some(end) = s.end {
                put_signed(&mut out, i64::from(day_number(end)) - start);
            }
            if s.value != 0 {
                put_signed(&mut out, i64::from(s.value));
            }
            if !code.is_empty() {
                out.push(code.len() as u8);
                out.extend_from_slice(code);
            }
            if s.unit != 0 {
                put_unsigned(&mut out, u64::from(s.unit));
            }
            put_unsigned(&mut out, u64::from(s.import));
        }
        out
    }

    pub fn decode(bytes: &[u8]) -> Result<SignalSet, DecodeError> {
        let mut r = Reader { bytes, at: 0 };
        let version = r.take(1)?[0];
        if version != FORMAT_VERSION && version != FORMAT_VERSION_FIXED {
            return Err(DecodeError(0));
        }
        let units = u16::from_le_bytes(r.array()?) as usize;
        let mut set = SignalSet {
            units: Vec::with_capacity(units.min(bytes.len() / 16)),
            signals: Vec::with_capacity((bytes.len().saturating_sub(3 + units * 16)) / 8),
        };
        for _ in 0..units {
            set.units
                .push(crate::ids::UnitId(uuid::Uuid::from_bytes(r.array()?)));
        }
        let mut previous = 0i64;
        while r.at < bytes.len() {
            let at = r.at;
            let signal = if version == FORMAT_VERSION {
                r.signal(&mut previous)
            } else {
                r.signal_fixed()
            }
            .ok_or(DecodeError(at))?;
            if signal.unit as usize > set.units.len() {
                return Err(DecodeError(at));
            }
            set.signals.push(signal);
        }
        Ok(set)
    }

    /// Version 1, fixed-width (what `decode` still reads), for the tests of reading it back.
    #[cfg(test)]
    fn encode_fixed(&self) -> Vec<u8> {
        let mut out = vec![FORMAT_VERSION_FIXED];
        out.extend_from_slice(&(self.units.len() as u16).to_le_bytes());
        for u in &self.units {
            out.extend_from_slice(u.0.as_bytes());
        }
        for s in &self.signals {
            out.push(s.kind.index());
            out.extend_from_slice(&day_number(s.start).to_le_bytes());
            out.extend_from_slice(&s.end.map_or(i32::MIN, day_number).to_le_bytes());
            out.extend_from_slice(&s.value.to_le_bytes());
            out.extend_from_slice(&s.code.0);
            out.extend_from_slice(&s.unit.to_le_bytes());
            out.extend_from_slice(&s.import.to_le_bytes());
        }
        out
    }
}

/// The tag byte of a version 2 signal: the kind's index in the low bits, then which optional
/// fields follow.
const TAG_KIND: u8 = 0x0f;
const TAG_END: u8 = 0x10;
const TAG_VALUE: u8 = 0x20;
const TAG_CODE: u8 = 0x40;
const TAG_UNIT: u8 = 0x80;

/// LEB128: seven bits a byte, low bits first.
fn put_unsigned(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Zigzag, so that small negative numbers are short too.
fn put_signed(out: &mut Vec<u8>, v: i64) {
    put_unsigned(out, ((v << 1) ^ (v >> 63)) as u64);
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], DecodeError> {
        let s = self
            .bytes
            .get(self.at..self.at + n)
            .ok_or(DecodeError(self.at))?;
        self.at += n;
        Ok(s)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn unsigned(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self.bytes.get(self.at)?;
            self.at += 1;
            v |= u64::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    fn signed(&mut self) -> Option<i64> {
        let v = self.unsigned()?;
        Some((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    fn day(&mut self, from: i64) -> Option<(i64, NaiveDate)> {
        let day = from.checked_add(self.signed()?)?;
        Some((day, from_day_number(i32::try_from(day).ok()?)?))
    }

    /// One version 2 signal; `previous` is the last signal's start, moved to this one's.
    fn signal(&mut self, previous: &mut i64) -> Option<Signal> {
        let tag = *self.bytes.get(self.at)?;
        self.at += 1;
        let kind = *SignalKind::ALL.get((tag & TAG_KIND) as usize)?;
        let (start_day, start) = self.day(*previous)?;
        *previous = start_day;
        let end = match tag & TAG_END {
            0 => None,
            _ => Some(self.day(start_day)?.1),
        };
        let value = match tag & TAG_VALUE {
            0 => 0,
            _ => i32::try_from(self.signed()?).ok()?,
        };
        let mut code = [0u8; 12];
        if tag & TAG_CODE != 0 {
            let n = *self.bytes.get(self.at)? as usize;
            let text = self.bytes.get(self.at + 1..self.at + 1 + n)?;
            if n == 0 || n > Code::MAX || !text.iter().all(u8::is_ascii_graphic) {
                return None;
            }
            code[..n].copy_from_slice(text);
            self.at += 1 + n;
        }
        let unit = match tag & TAG_UNIT {
            0 => 0,
            _ => u16::try_from(self.unsigned()?).ok().filter(|u| *u != 0)?,
        };
        let import = u32::try_from(self.unsigned()?).ok()?;
        Some(Signal {
            start,
            kind,
            end,
            value,
            code: Code(code),
            unit,
            import,
        })
    }

    /// One version 1 (fixed-width) signal.
    fn signal_fixed(&mut self) -> Option<Signal> {
        let kind = *SignalKind::ALL.get(self.take(1).ok()?[0] as usize)?;
        let start = from_day_number(i32::from_le_bytes(self.array().ok()?))?;
        let end = match i32::from_le_bytes(self.array().ok()?) {
            i32::MIN => None,
            d => Some(from_day_number(d)?),
        };
        let value = i32::from_le_bytes(self.array().ok()?);
        let code: [u8; 12] = self.array().ok()?;
        if !code.iter().all(|b| *b == 0 || b.is_ascii_graphic()) {
            return None;
        }
        let unit = u16::from_le_bytes(self.array().ok()?);
        let import = u32::from_le_bytes(self.array().ok()?);
        Some(Signal {
            start,
            kind,
            end,
            value,
            code: Code(code),
            unit,
            import,
        })
    }
}

/// A date as `%Y-%m-%d` reads it. The usual form (ten bytes, `2026-10-01`) is read directly: an
/// import reads millions of dates, and chrono's parser interprets its format string each time.
fn parse_date(v: &str) -> Option<NaiveDate> {
    let b = v.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10))
    {
        return NaiveDate::from_ymd_opt(y as i32, m, d);
    }
    NaiveDate::parse_from_str(v, "%Y-%m-%d").ok()
}

fn day_number(d: NaiveDate) -> i32 {
    d.num_days_from_ce() - EPOCH_CE
}

fn from_day_number(n: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(n.checked_add(EPOCH_CE)?)
}

/// `NaiveDate::from_ymd(1970, 1, 1).num_days_from_ce()`.
const EPOCH_CE: i32 = 719_163;

/// The column names of each layout, for documentation: kind code → header line.
pub fn header_line(kind: SignalKind) -> String {
    kind.layout()
        .columns
        .iter()
        .map(|c| c.name)
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UnitId;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn cx() -> RowContext {
        RowContext {
            scheme: Scheme::Swedish,
            today: d("2026-11-25"),
        }
    }

    fn parse(header: &str, row: &str) -> Result<Row, RowError> {
        let h = Header::parse(header.split(','), None).expect("header");
        let fields: Vec<&str> = row.split(',').collect();
        h.row(2, &fields, cx())
    }

    const SICK: &str =
        "national_id,given_name,family_name,first_day,last_day,extent,diagnosis,postal_code,unit";

    /// The example files in the repository are valid, every row of every kind.
    #[test]
    fn the_example_files_are_valid() {
        let files = [
            include_str!("../../../examples/signals/sick_leave.csv"),
            include_str!("../../../examples/signals/income_support.csv"),
            include_str!("../../../examples/signals/unemployment.csv"),
            include_str!("../../../examples/signals/admission.csv"),
            include_str!("../../../examples/signals/emergency_visit.csv"),
            include_str!("../../../examples/signals/school_absence.csv"),
            include_str!("../../../examples/signals/screening.csv"),
        ];
        let mut kinds = Vec::new();
        for text in files {
            let mut lines = text.lines();
            let h = Header::parse(lines.next().expect("header").split(','), None).expect("header");
            kinds.push(h.kind);
            for (i, line) in lines.enumerate() {
                let row: Vec<&str> = line.split(',').collect();
                h.row(i as u64 + 2, &row, cx()).expect("example row");
            }
        }
        assert_eq!(kinds, SignalKind::ALL.to_vec(), "one example per kind");
    }

    #[test]
    fn epoch_constant_is_1970() {
        assert_eq!(from_day_number(0), Some(d("1970-01-01")));
    }

    #[test]
    fn the_header_tells_the_kind() {
        for kind in SignalKind::ALL {
            let h = Header::parse(header_line(kind).split(','), None).expect("own header");
            assert_eq!(h.kind, kind);
        }
        let e = Header::parse("national_id,given_name".split(','), None).expect_err("must fail");
        assert_eq!(e.code(), "import-header-unknown-kind");
        let e = Header::parse(
            "national_id,given_name,family_name,first_day,month".split(','),
            None,
        )
        .expect_err("must fail");
        assert_eq!(e.code(), "import-header-ambiguous");
        let e = Header::parse(format!("{SICK},colour").split(','), None).expect_err("must fail");
        assert!(matches!(e, HeaderError::UnknownColumn { ref column, .. } if column == "colour"));
        let e = Header::parse(
            "national_id,given_name,family_name,first_day".split(','),
            None,
        )
        .expect_err("must fail");
        assert!(matches!(e, HeaderError::MissingColumn { ref column, .. } if column == "extent"));
        let e = Header::parse(format!("{SICK},extent").split(','), None).expect_err("must fail");
        assert_eq!(e.code(), "import-header-duplicate");
    }

    #[test]
    fn columns_may_come_in_any_order_and_case() {
        let h = Header::parse(
            " Extent ,first_day,\u{feff}NATIONAL_ID,family_name,given_name".split(','),
            None,
        )
        .expect("header");
        let r = h
            .row(
                2,
                &["50", "2026-10-01", "19121212-1212", "Tolvansson", "Tolvan"],
                cx(),
            )
            .expect("row");
        assert_eq!(r.signal.value, 50);
        assert_eq!(r.signal.start, d("2026-10-01"));
        assert_eq!(r.family_name, "Tolvansson");
    }

    #[test]
    fn a_sick_leave_row_reads_every_field() {
        let r = parse(
            SICK,
            "19121212-1212,Tolvan,Tolvansson,2026-10-01,2026-12-31,100,f43.2,582 22,VC Skäggetorp",
        )
        .expect("row");
        assert_eq!(r.signal.kind, SignalKind::SickLeave);
        assert_eq!(r.signal.end, Some(d("2026-12-31")));
        assert_eq!(r.signal.code.as_str(), "F43.2");
        assert_eq!(r.unit.as_deref(), Some("VC Skäggetorp"));
        assert_eq!(r.postal_code.as_deref(), Some("58222"));
    }

    #[test]
    fn each_bad_field_is_named() {
        let cases = [
            (
                ",Tolvan,Tolvansson,2026-10-01,,100,,",
                "national_id",
                "import-missing",
            ),
            (
                "19121212-1213,Tolvan,Tolvansson,2026-10-01,,100,,",
                "national_id",
                "national-id-checksum-mismatch",
            ),
            (
                "19121212-1212,,Tolvansson,2026-10-01,,100,,",
                "given_name",
                "import-missing",
            ),
            (
                "19121212-1212,Tolvan,Tolvansson,2026-13-01,,100,,",
                "first_day",
                "import-bad-date",
            ),
            (
                "19121212-1212,Tolvan,Tolvansson,2027-01-01,,100,,",
                "first_day",
                "import-in-future",
            ),
            (
                "19121212-1212,Tolvan,Tolvansson,2026-10-01,2026-09-30,100,,",
                "last_day",
                "import-end-before-start",
            ),
            (
                "19121212-1212,Tolvan,Tolvansson,2026-10-01,,60,,",
                "extent",
                "import-bad-extent",
            ),
            (
                "19121212-1212,Tolvan,Tolvansson,2026-10-01,,full,,",
                "extent",
                "import-bad-number",
            ),
            (
                "19121212-1212,Tolvan,Tolvansson,2026-10-01,,100,F 43,",
                "diagnosis",
                "import-bad-code",
            ),
        ];
        for (row, field, code) in cases {
            let e = parse(SICK, row).expect_err("must fail");
            assert_eq!((e.field.as_str(), e.problem.code()), (field, code), "{row}");
            assert_eq!(e.line, 2);
        }
    }

    #[test]
    fn other_kinds_validate_their_fields() {
        let inc = "national_id,given_name,family_name,month,amount";
        assert_eq!(
            parse(inc, "19121212-1212,A,B,2026-03,9000")
                .expect("row")
                .signal
                .start,
            d("2026-03-01")
        );
        assert_eq!(
            parse(inc, "19121212-1212,A,B,2026-3,1")
                .expect_err("must fail")
                .problem
                .code(),
            "import-bad-month"
        );
        let adm = "national_id,given_name,family_name,admitted_on,discharged_on,planned";
        assert_eq!(
            parse(adm, "19121212-1212,A,B,2026-03-01,2026-03-04,nej")
                .expect("row")
                .signal
                .value,
            0
        );
        assert_eq!(
            parse(adm, "19121212-1212,A,B,2026-03-01,,maybe")
                .expect_err("must fail")
                .field,
            "planned"
        );
        let sch = "national_id,given_name,family_name,term_start,term_end,absence_percent";
        assert_eq!(
            parse(sch, "19121212-1212,A,B,2026-08-17,2027-01-15,12")
                .expect("row")
                .signal
                .value,
            12
        );
        assert_eq!(
            parse(sch, "19121212-1212,A,B,2026-08-17,2027-01-15,120")
                .expect_err("must fail")
                .problem,
            FieldProblem::OutOfRange {
                value: 120,
                min: 0,
                max: 100
            }
        );
        let scr = "national_id,given_name,family_name,taken_on,instrument,score";
        let r = parse(scr, "19121212-1212,A,B,2026-11-01,PHQ9,14").expect("row");
        assert_eq!((r.signal.code.as_str(), r.signal.value), ("phq9", 14));
    }

    #[test]
    fn a_set_keeps_one_copy_of_each_fact() {
        let mut set = SignalSet::default();
        let u = set.unit_ref(Some(UnitId::new()));
        let s = Signal {
            start: d("2026-10-01"),
            kind: SignalKind::SickLeave,
            end: None,
            value: 100,
            code: Code::default(),
            unit: u,
            import: 1,
        };
        assert!(set.insert(s));
        assert!(
            !set.insert(Signal { import: 2, ..s }),
            "same fact from a later import"
        );
        assert!(set.insert(Signal { value: 50, ..s }));
        assert_eq!(set.signals.len(), 2);
        assert_eq!(SignalSet::decode(&set.encode()), Ok(set));
    }

    #[test]
    fn a_stored_signal_takes_a_few_bytes() {
        // The set's size is what an import reads and writes for each person (docs/benchmarks.md).
        let mut set = SignalSet::default();
        let u = set.unit_ref(Some(UnitId::new()));
        for (i, start) in ["2026-03-02", "2026-05-11", "2026-10-01"]
            .into_iter()
            .enumerate()
        {
            set.insert(Signal {
                start: d(start),
                kind: SignalKind::SickLeave,
                end: Some(d(start) + chrono::Days::new(45)),
                value: 100,
                code: Code::new("F43").expect("code"),
                unit: u,
                import: 40 + i as u32,
            });
        }
        let bytes = set.encode();
        assert!(bytes.len() <= 3 + 16 + 3 * 13, "{} bytes", bytes.len());
        // Units take the same 16 bytes each in both versions; the signals a third.
        assert!(set.encode_fixed().len() - 19 > 2 * (bytes.len() - 19));
        assert_eq!(SignalSet::decode(&bytes), Ok(set));
    }

    fn arb_signal(units: u16) -> impl Strategy<Value = Signal> {
        (
            0usize..7,
            -30_000i32..40_000,
            proptest::option::of(0i32..2000),
            any::<i32>(),
            "[a-z0-9.-]{0,12}",
            0..=units,
            any::<u32>(),
        )
            .prop_map(|(k, start, len, value, code, unit, import)| Signal {
                start: from_day_number(start).expect("day"),
                kind: SignalKind::ALL[k],
                end: len.map(|l| from_day_number(start + l).expect("day")),
                value,
                code: Code::new(&code).expect("code"),
                unit,
                import,
            })
    }

    proptest! {
        /// Whatever a set holds, its stored form reads back the same.
        #[test]
        fn encoding_round_trips(units in 0u16..4, signals in proptest::collection::vec(arb_signal(3), 0..40)) {
            let mut set = SignalSet { units: (0..units).map(|_| UnitId::new()).collect(), signals: Vec::new() };
            for s in signals {
                set.insert(Signal { unit: s.unit.min(units), ..s });
            }
            prop_assert_eq!(SignalSet::decode(&set.encode_fixed()), Ok(set.clone()));
            prop_assert_eq!(SignalSet::decode(&set.encode()), Ok(set));
        }

        /// The direct reading of a date agrees with chrono's on any text.
        #[test]
        fn dates_read_as_chrono_reads_them(v in "[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9 +-]{0,12}|.{0,12}") {
            prop_assert_eq!(parse_date(&v), NaiveDate::parse_from_str(&v, "%Y-%m-%d").ok());
        }

        /// Damaged bytes are an error, never a panic.
        #[test]
        fn decoding_garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = SignalSet::decode(&bytes);
        }

        /// Any text in any field gives a row or an error naming a column of the layout.
        #[test]
        fn any_row_is_a_row_or_a_named_error(fields in proptest::collection::vec(".{0,20}", 9)) {
            let h = Header::parse(SICK.split(','), None).expect("header");
            let row: Vec<&str> = fields.iter().map(String::as_str).collect();
            if let Err(e) = h.row(7, &row, cx()) {
                prop_assert_eq!(e.line, 7);
                prop_assert!(SignalKind::SickLeave.layout().columns.iter().any(|c| c.name == e.field));
            }
        }

        /// A valid date in the past always reads back as itself.
        #[test]
        fn past_dates_read_back(days in -20_000i32..20_000) {
            let day = from_day_number(days).expect("day");
            let row = format!("19121212-1212,A,B,{day},,50,,,");
            let r = parse(SICK, &row).expect("row");
            prop_assert_eq!(r.signal.start, day);
        }
    }
}
