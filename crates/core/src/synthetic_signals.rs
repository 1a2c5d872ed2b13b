//! Synthetic signal files for demos, tests and benchmarks (`samverka generate`).
//!
//! [`write_signals`] writes one CSV file per [`SignalKind`] for a list of [`SyntheticPerson`]s,
//! in the documented layouts ([`signal::header_line`]), so that the files go through the same
//! import as a real extract. Every row is accepted by [`signal::Header::row`] on `today`.
//!
//! # How a history is made
//!
//! Each person's history of each kind is a process simulated from the day the person becomes
//! eligible (birth, the 18th birthday …) up to `today`, and the file holds what falls in the
//! window `today - years ..= today` (by the row's first date). Simulating the whole life rather
//! than the window means a long sick leave or registration can already be running when the window
//! opens, a longer window is the same history seen further back, and a later `today` continues the
//! same story. Waiting times between episodes are exponential (a Poisson process whose rate
//! depends on age, sex and the person's *frailty*); a new episode of a kind with a period starts
//! only after the previous one has ended.
//!
//! Frailty is one number per person shared by every kind, so that the same people gather sick
//! leave, income support, unemployment, emergency visits and high scores, as real caseloads do:
//! 60 % of persons ×0.5, 23 % ×1, 11 % ×2, 4.5 % ×4, 1.5 % ×8 (mean 1.05, which the rates below
//! are divided by). Admissions use a damped frailty (halfway between the person's and the mean),
//! since age and illness drive them more than social circumstances. Two links between kinds are explicit: three in four unplanned
//! admissions come with an emergency visit on the day, and half of the sick leaves with a
//! depression, anxiety or stress diagnosis come with a PHQ-9 (and mostly a GAD-7) in their first
//! ten days.
//!
//! # The figures
//!
//! Rounded from public statistics of the kind named, or, where marked, assumed; all per year.
//!
//! - **sick_leave** (adults 18–67): a new sick leave with a certificate for 14 % of adults
//!   (women ×1.2, men ×0.8: women hold about 60–65 % of Försäkringskassan's sick-leave cases;
//!   18–29 ×0.8, 50–67 ×1.15), which leaves 10–13 % of adults with one in a given year. Length:
//!   3–7 days 15 %, 8–14 days 40 %, 15–30 days 20 %, 31–90 days 13 %, 91–180 days 7 %, 181–365 days
//!   3.5 %, 1–2 years 1.2 %, 2–3 years 0.3 % (so 5 % pass day 180 and 1.5 % day 365, as the share of
//!   Swedish sick-leave cases reaching those milestones). A sick leave of up to 14 days is one
//!   certificate; a longer one is a chain: 1–4 weeks first, then 2–8 weeks each, no stub shorter
//!   than a week, and before one in five of the follow-on certificates a gap of 1–5 days (the
//!   rules' `gap_days = 5` joins them). Extent: 100 % 70 %, 50 % 17 %, 25 % 7 %, 75 % 6 %; each
//!   following certificate keeps it (70 %), steps down (22 %, the graded return to work) or up
//!   (8 %). Diagnoses depend on the length: infections and back pain in short ones; adjustment and
//!   stress reactions (F43), depression (F32/F33), anxiety (F41), back and joint disorders, fractures
//!   and cancer in long ones. F43 is about 11 % of short and 22–28 % of longer sick leaves, in line
//!   with stress-related diagnoses being the largest group of Swedish sick-leave cases longer than
//!   14 days; Sweden's exhaustion syndrome F43.8A is written F43.8 in Denmark. Of the sick leaves
//!   still running today, one in eight has a last certificate without a last day.
//! - **income_support** (adults 18–66): runs of months start for 1.6 % of adults a year, of 1–3
//!   months (30 %), 4–9 (25 %), 10–24 (28 %) or 25–72 (17 %), one month in 16 of a run skipped;
//!   so about 4 % of adults receive it in a year and a third of those 10 months or more, as in
//!   Socialstyrelsen's statistics on ekonomiskt bistånd. Amount: the household's level, 3,000–12,000 a month, ±15 %
//!   from month to month, within 3,000–15,000.
//! - **unemployment** (18–64): 7 % of adults register a year (Arbetsförmedlingen's yearly inflow;
//!   18–24 ×1.5, 55–64 ×0.8); stays of 2–8 weeks (25 %), 2–6 months (25 %), 6–12 months (20 %), 1–2
//!   years (20 %) or 2–4 years (10 %), mean about 10 months, so that about a third of those registered
//!   at any time have been so for a year (in Sweden recently 40–50 %). A registration running today has no
//!   deregistration day.
//! - **admission** (any age): 30 a year per 1000 children, 40 at 18–44, 70 at 45–64, 220 at 65–79,
//!   450 at 80+ (Swedish somatic in-patient care: about 130 per 1000 overall, most stays of
//!   persons over 65; here 55–60 % of the stays); planned 35 % under 65 and 22 % from 65 (acute stays are about 70 %); 1 day
//!   (20 %), 2–3 (30 %), 4–7 (30 %) or 8–14 (20 %); after an unplanned stay a readmission within 30
//!   days for 18 % of those 65+ and 9 % of the younger. Someone still in hospital today has no
//!   discharge day.
//! - **emergency_visit** (any age): 200 per 1000 children, 170 at 18–64, 200 at 65–79, 350 at 80+,
//!   plus the visits of unplanned admissions: in all about 230 per 1000 (Sweden's emergency
//!   departments: about 2.5 million visits for 10.5 million people), frail persons a few a year.
//! - **school_absence** (6–18 at the term's start): one row per term, the absence so far for the
//!   current term. Terms: Sweden autumn Monday of ISO week 34 to Friday of week 51, spring Monday of
//!   week 2 to Friday of week 24; Denmark autumn Monday of week 33 to Friday of week 51, spring the
//!   first weekday from 3 January to Friday of week 26. Each child has an absence level that
//!   persists from term to term: low 0–8 % (about 80 %), elevated 5–15 %, high 10–30 %, very high
//!   25–60 % (about 2 %), moving up a level in 4 % of terms (6 % from 13) and down in 12 %;
//!   so about a fifth of terms reach 10 % (Swedish surveys put pupils with problematic absence at
//!   15–20 %; the levels are assumed).
//! - **screening** (adults): a PHQ-9 and/or GAD-7 occasion for 3.5 % of adults a year (both 50 %,
//!   PHQ-9 only 35 %, GAD-7 only 15 %; assumed), severity bands 0–4 / 5–9 / 10–14 / 15–19 / 20+ of
//!   25 / 30 / 22 / 15 / 8 % (they are taken when depression is suspected: 45 % score ≥ 10), half
//!   of those ≥ 10 followed up after 4–8 weeks; plus those linked to sick leave (above), mostly
//!   ≥ 10. BarnSäkert (children, Sweden only: it is a Swedish child-health model, seed 004) at
//!   five child-health visits (1 and 8 months, 18 months, 3 and 5 years; assumed), 85 % uptake, 0
//!   flags for about 85 % (frail families more often flagged), else 1 (65 %), 2 (23 %) or 3 (12 %).
//!
//! At intensity 1 this gives about 2.0 signals per person over 2 years and 3.0 over 3 (see the
//! volume test). [`Options::intensity`] multiplies the rates of episodes and events (not the school
//! terms nor the child-health visits, which follow the calendar) for benchmarks that need more
//! rows per person than reality gives; it is not meant for demos. Intensity 4 gives about 9.3
//! signals per person over 3 years (sick leave grows less than fourfold: a sick leave cannot start
//! during another).
//!
//! # Determinism
//!
//! Same inputs, byte-identical files, on every machine and with every build: as in
//! [`crate::synthetic`], only raw words of [`ChaCha8Rng`] are drawn (whose stream `rand_chacha`
//! keeps stable) and all sampling is integer arithmetic, including the exponential waiting times
//! (a fixed-point logarithm), so neither `rand`'s algorithms nor a platform's `ln` can change a row.
//! Each person and kind has its own stream, keyed by the seed and the person's national identity
//! number, so a person's signals do not depend on who else is in the list.

use crate::national_id::NationalIdKind;
use crate::signal::{self, SignalKind};
use crate::synthetic::{Country, Sex, SyntheticPerson};
use chrono::{Datelike, Months, NaiveDate, Weekday};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;
use std::io::{self, Write};
use std::ops::Range;

/// What to generate.
#[derive(Clone, Debug)]
pub struct Options {
    pub seed: u64,
    /// The current date in the deployment's time zone: no signal starts after it.
    pub today: NaiveDate,
    /// Length of the history in years, ending today (default 2).
    pub years: u32,
    /// Unit names for the `unit` column, per kind; a person mostly keeps one unit per kind (their
    /// health centre, school …). No names (or no entry) leaves the column blank.
    pub units: HashMap<SignalKind, Vec<String>>,
    /// For benchmarks only: multiplies the rates of episodes and events (default 1; 0 counts as 1).
    /// Realistic rates give about 3 signals per person over 3 years; 4 gives about 9.3.
    pub intensity: u32,
}

impl Options {
    /// Two years of history at realistic rates, without units.
    pub fn new(seed: u64, today: NaiveDate) -> Options {
        Options {
            seed,
            today,
            years: 2,
            units: HashMap::new(),
            intensity: 1,
        }
    }
}

/// One file written: its kind and how many data rows (without the header).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Written {
    pub kind: SignalKind,
    pub rows: u64,
}

/// Writes one CSV file per signal kind (header = [`signal::header_line`], rows in the layout's
/// column order, `\n` line ends, RFC 4180 quoting where a name contains a comma or a quote) for
/// `persons`, asking `writer_for` for each kind's writer in the order of [`SignalKind::ALL`] and
/// finishing (and flushing) one file before asking for the next.
///
/// Output is produced in 64 KiB chunks, so an unbuffered writer (a `File`) costs no more than a
/// buffered one. Persons are read from their national identity number: CPR numbers as Danish
/// residents, all others as Swedish. Persons born after `today` get no signals.
///
/// Errors: the writer's, or `InvalidInput` for a unit name the import would refuse (blank, longer
/// than [`signal::NAME_MAX`] characters, a control character) or a history reaching before year 1.
pub fn write_signals<W: Write>(
    persons: &[SyntheticPerson],
    opts: &Options,
    mut writer_for: impl FnMut(SignalKind) -> io::Result<W>,
) -> io::Result<Vec<Written>> {
    let terms = Terms::new(opts.today);
    let cx = Ctx::new(opts, &terms)?;
    let subjects: Vec<Option<Subject>> = persons
        .iter()
        .map(|p| Subject::new(p, opts.seed, cx.today))
        .collect();
    let mut written = Vec::with_capacity(SignalKind::ALL.len());
    let mut buf = Vec::with_capacity(CHUNK + 512);
    let (mut recs, mut scratch, mut episodes) = (Vec::new(), Vec::new(), Vec::new());
    let mut person_buf = Vec::new();
    for kind in SignalKind::ALL {
        let plan = column_plan(kind)?;
        let units = unit_fields(opts, kind)?;
        let mut w = writer_for(kind)?;
        buf.clear();
        buf.extend_from_slice(signal::header_line(kind).as_bytes());
        buf.push(b'\n');
        let mut rows = 0u64;
        for (p, s) in persons.iter().zip(&subjects) {
            let Some(s) = s else { continue };
            recs.clear();
            generate(
                kind,
                &cx,
                s,
                units.len(),
                &mut recs,
                &mut scratch,
                &mut episodes,
            );
            if recs.is_empty() {
                continue;
            }
            person_buf.clear();
            let person = person_fields(&mut person_buf, p);
            for r in &recs {
                write_row(&mut buf, &plan, &person_buf, &person, &units, r);
                rows += 1;
                if buf.len() >= CHUNK {
                    w.write_all(&buf)?;
                    buf.clear();
                }
            }
        }
        w.write_all(&buf)?;
        w.flush()?;
        written.push(Written { kind, rows });
    }
    Ok(written)
}

/// Bytes gathered before a write: large enough that the writer's cost per call vanishes.
const CHUNK: usize = 64 * 1024;

// ---------------------------------------------------------------------------------------------
// Context and persons
// ---------------------------------------------------------------------------------------------

/// A day as days since 1 January of year 1 (chrono's `num_days_from_ce`): plain integer
/// arithmetic for the simulation, a date only when written.
type Day = i32;

fn day(d: NaiveDate) -> Day {
    d.num_days_from_ce()
}

fn date(d: Day) -> NaiveDate {
    // Days come from dates between a birth and `today` plus at most a few years.
    NaiveDate::from_num_days_from_ce_opt(d).unwrap_or(NaiveDate::MAX)
}

#[derive(Clone, Copy)]
struct Ctx<'a> {
    today: Day,
    /// The first day of the window: rows starting earlier are not written.
    from: Day,
    intensity: u32,
    terms: &'a Terms,
}

impl<'a> Ctx<'a> {
    fn new(opts: &Options, terms: &'a Terms) -> io::Result<Ctx<'a>> {
        let from = opts
            .today
            .checked_sub_months(Months::new(opts.years.saturating_mul(12)))
            .filter(|d| d.year() >= 1)
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "the history reaches too far back",
                )
            })?;
        Ok(Ctx {
            today: day(opts.today),
            from: day(from),
            intensity: opts.intensity.max(1),
            terms,
        })
    }

    /// The same context with the whole life in the window, to re-derive a linked kind's events.
    fn whole_life(self) -> Ctx<'a> {
        Ctx {
            from: Day::MIN,
            ..self
        }
    }
}

/// A person as the generator needs them.
struct Subject {
    /// The ChaCha key: the seed and the national identity number.
    key: [u8; 32],
    birth: NaiveDate,
    birth_day: Day,
    sex: Sex,
    country: Country,
    /// Per cent; [`FRAILTY_MEAN`] on average.
    frailty: u32,
}

impl Subject {
    fn new(p: &SyntheticPerson, seed: u64, today: Day) -> Option<Subject> {
        let birth_day = day(p.birth_date);
        if birth_day > today {
            return None;
        }
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&seed.to_le_bytes());
        // Up to 24 bytes of the number verbatim (every Swedish and Danish number), longer ones
        // folded in: the key never mixes two persons.
        for (i, b) in p.national_id.bytes().enumerate() {
            key[8 + i % 24] ^= b.rotate_left((i / 24) as u32);
        }
        let mut s = Subject {
            key,
            birth: p.birth_date,
            birth_day,
            sex: p.sex,
            country: match p.kind {
                NationalIdKind::Cpr => Country::Denmark,
                _ => Country::Sweden,
            },
            frailty: 0,
        };
        s.frailty = *s.dice(STREAM_PERSON).weighted(&FRAILTY);
        Some(s)
    }

    fn dice(&self, stream: u64) -> Dice {
        let mut rng = ChaCha8Rng::from_seed(self.key);
        rng.set_stream(stream);
        Dice(rng)
    }

    /// The day the person turns `years` old, as chrono's `years_since` counts: someone born on
    /// 29 February has their birthday on 1 March in other years.
    fn day_aged(&self, years: u32) -> Day {
        let year = self.birth.year() + years as i32;
        NaiveDate::from_ymd_opt(year, self.birth.month(), self.birth.day())
            .or_else(|| NaiveDate::from_ymd_opt(year, 3, 1))
            .map_or(Day::MAX, day)
    }

    /// A table of (age from, value) as (day from, value), so that a value by age is a comparison
    /// of days rather than a calendar computation per event.
    fn by_age<const N: usize>(&self, table: &[(u32, u32); N]) -> [(Day, u32); N] {
        table.map(|(age, v)| (self.day_aged(age), v))
    }
}

/// Stream numbers: the person's own traits, then one per kind. Fixed numbers rather than an
/// index into `SignalKind::ALL`, so that adding a kind cannot change existing output.
const STREAM_PERSON: u64 = 0;

fn stream(kind: SignalKind) -> u64 {
    match kind {
        SignalKind::SickLeave => 1,
        SignalKind::IncomeSupport => 2,
        SignalKind::Unemployment => 3,
        SignalKind::Admission => 4,
        SignalKind::EmergencyVisit => 5,
        SignalKind::SchoolAbsence => 6,
        SignalKind::Screening => 7,
    }
}

/// Frailty in per cent, per mille of persons (see the module comment).
const FRAILTY: [(u32, u32); 5] = [(50, 600), (100, 230), (200, 110), (400, 45), (800, 15)];
/// The mean of [`FRAILTY`], which rates are divided by so that they stay population means.
const FRAILTY_MEAN: u32 = 105;

// ---------------------------------------------------------------------------------------------
// Sampling
// ---------------------------------------------------------------------------------------------

/// Uniform and exponential sampling over the raw ChaCha stream (see the module comment).
struct Dice(ChaCha8Rng);

impl Dice {
    fn u32(&mut self) -> u32 {
        self.0.next_u32()
    }

    /// Uniform in `0..n`, without modulo bias (Lemire's multiply-and-reject); 0 when `n` is 0.
    fn below(&mut self, n: u32) -> u32 {
        if n == 0 {
            return 0;
        }
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = u64::from(self.u32()) * u64::from(n);
            if (m as u32) >= threshold {
                return (m >> 32) as u32;
            }
        }
    }

    /// Uniform in `lo..=hi` (`lo <= hi`).
    fn between(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `p` in a thousand.
    fn per_mille(&mut self, p: u32) -> bool {
        self.below(1000) < p
    }

    /// One element, with probability proportional to its weight (the tables are constants).
    fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total = items.iter().map(|&(_, w)| w).sum();
        let mut r = self.below(total);
        for (item, w) in items {
            if r < *w {
                return item;
            }
            r -= w;
        }
        &items[items.len() - 1].0
    }

    /// A length drawn from a table of inclusive ranges and weights, uniform within its range.
    fn span(&mut self, table: &[((u32, u32), u32)]) -> u32 {
        let &(lo, hi) = self.weighted(table);
        self.between(lo, hi)
    }

    /// An index below `n` from exactly one draw, whatever `n` is (0 when `n` is 0), so that
    /// giving unit names or not does not shift the rest of the stream. Its bias of `n / 2^32` is
    /// irrelevant for choosing a unit.
    fn index(&mut self, n: usize) -> u16 {
        ((u64::from(self.u32()) * n as u64) >> 32) as u16
    }

    /// The unit of one episode: the person's `home` unit in 85 % of episodes, else any. Always
    /// two draws. Returns the unit's index plus one, 0 for none.
    fn unit(&mut self, home: u16, n: usize) -> u16 {
        let other = self.index(n);
        let stay = self.per_mille(850);
        match n {
            0 => 0,
            _ if stay => home + 1,
            _ => other + 1,
        }
    }

    /// Whole days of an exponential waiting time with the given mean: `floor(-ln(U) * mean)`
    /// for `U` uniform in (0, 1], computed as `-log2(U) * ln 2 * mean` in fixed point.
    fn exp_days(&mut self, mean: u32) -> Day {
        let x = u64::from(self.u32()) + 1; // U = x / 2^32
        let neg_log2 = (32 << 16) - log2_q16(x);
        ((neg_log2 * u64::from(mean) * LN2_Q16) >> 32) as Day
    }
}

/// ln 2 with 16 fractional bits.
const LN2_Q16: u64 = 45_426;

/// log2 of `x` (1 ..= 2^32) with 16 fractional bits: the integer part from the leading zeros,
/// the fraction interpolated in [`LOG2_TABLE`] (error below 0.2 of the last bit). Integer steps
/// only, so every platform gets the same waiting times.
fn log2_q16(x: u64) -> u64 {
    let n = 63 - u64::from(x.leading_zeros());
    // The mantissa x / 2^n in [1, 2), with 31 fractional bits.
    let m = if n <= 31 {
        x << (31 - n)
    } else {
        x >> (n - 31)
    };
    let i = ((m >> 23) - 256) as usize;
    let rest = m & ((1 << 23) - 1);
    let (lo, hi) = (LOG2_TABLE[i], LOG2_TABLE[i + 1]);
    let frac = lo + (((hi - lo) * rest) >> 23);
    (n << 16) | (frac >> 16)
}

/// log2(1 + i/256) with 32 fractional bits, for i in 0..=256.
const LOG2_TABLE: [u64; 257] = {
    let mut table = [0u64; 257];
    let mut i = 0;
    while i <= 256 {
        table[i] = log2_q32_exact(256 + i as u128, 8);
        i += 1;
    }
    table
};

/// The fraction of log2(`x` / 2^`shift`) for `x` / 2^`shift` in [1, 2], with 32 fractional
/// bits, by the bit-by-bit squaring method (exact integer steps, run at compile time).
const fn log2_q32_exact(x: u128, shift: u32) -> u64 {
    if x == 2 << shift {
        return 1 << 32;
    }
    // The mantissa with 62 fractional bits; its square fits in 128 bits.
    let mut m = x << (62 - shift);
    let mut frac = 0u64;
    let mut bit = 32;
    while bit > 0 {
        bit -= 1;
        m = (m * m) >> 62;
        if m >= 2 << 62 {
            m >>= 1;
            frac |= 1 << bit;
        }
    }
    frac
}

/// The longest mean wait: a rate of zero, in effect never.
const NEVER: u32 = 1 << 24;

/// The mean days between events for `per_1000` events a year per 1000 persons, scaled by the
/// person's frailty (relative to the mean), a factor in per cent and the intensity.
fn mean_wait(per_1000: u32, frailty: u32, factor_pct: u32, intensity: u32) -> u32 {
    let den =
        u64::from(per_1000) * u64::from(frailty) * u64::from(factor_pct) * u64::from(intensity);
    if den == 0 {
        return NEVER;
    }
    (365_000 * u64::from(FRAILTY_MEAN) * 100 / den).clamp(1, u64::from(NEVER)) as u32
}

// ---------------------------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------------------------

/// One row's values; what they mean depends on the kind, as in [`signal::Signal`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Rec {
    start: Day,
    end: Option<Day>,
    value: i32,
    code: &'static str,
    /// The unit's index plus one; 0 for none.
    unit: u16,
}

impl Rec {
    fn new(start: Day, end: Option<Day>, value: i32, code: &'static str, unit: u16) -> Rec {
        Rec {
            start,
            end,
            value,
            code,
            unit,
        }
    }
}

/// A sick leave as a whole, for the screenings that go with it.
#[derive(Clone, Copy, Debug)]
struct Episode {
    start: Day,
    diagnosis: &'static str,
}

fn generate(
    kind: SignalKind,
    cx: &Ctx,
    s: &Subject,
    units: usize,
    out: &mut Vec<Rec>,
    scratch: &mut Vec<Rec>,
    episodes: &mut Vec<Episode>,
) {
    match kind {
        SignalKind::SickLeave => sick_leave(cx, s, units, out, episodes),
        SignalKind::IncomeSupport => income_support(cx, s, units, out),
        SignalKind::Unemployment => unemployment(cx, s, units, out),
        SignalKind::Admission => admissions(cx, s, units, out),
        SignalKind::EmergencyVisit => emergency_visits(cx, s, units, out, scratch),
        SignalKind::SchoolAbsence => school_absence(cx, s, units, out),
        SignalKind::Screening => screening(cx, s, units, out, scratch, episodes),
    }
}

// --- sick leave ------------------------------------------------------------------------------

const SICK_PER_1000: u32 = 140;
/// Per cent of the rate, by age from.
const SICK_AGE_FACTOR: [(u32, u32); 3] = [(18, 80), (30, 100), (50, 115)];

/// Length of a sick leave in days (see the module comment).
const SICK_DAYS: [((u32, u32), u32); 8] = [
    ((3, 7), 150),
    ((8, 14), 400),
    ((15, 30), 200),
    ((31, 90), 130),
    ((91, 180), 70),
    ((181, 365), 35),
    ((366, 730), 12),
    ((731, 1095), 3),
];

const EXTENTS: [i32; 4] = [100, 75, 50, 25];
/// The first certificate's extent, as an index into [`EXTENTS`].
const FIRST_EXTENT: [(usize, u32); 4] = [(0, 700), (1, 60), (2, 170), (3, 70)];

/// Diagnoses of sick leaves up to 14 days: infections, back pain, sprains, acute stress.
const DIAGNOSES_SHORT: &[(&str, u32)] = &[
    ("J06.9", 240),
    ("J11.1", 90),
    ("J20.9", 60),
    ("U07.1", 40),
    ("A09", 70),
    ("M54.5", 120),
    ("M25.5", 40),
    ("S93.4", 50),
    ("S62.6", 30),
    ("N39.0", 30),
    ("K35.8", 20),
    ("R51", 30),
    ("F43.2", 60),
    ("F43.0", 50),
    ("F41.9", 20),
    ("", 50),
];

/// Diagnoses of sick leaves of 15–90 days.
const DIAGNOSES_MEDIUM: &[(&str, u32)] = &[
    ("M54.5", 120),
    ("M54.4", 50),
    ("F43.2", 120),
    ("F43.8A", 100),
    ("F32.1", 90),
    ("F41.1", 50),
    ("F41.2", 40),
    ("S82.0", 30),
    ("S52.5", 40),
    ("S42.2", 30),
    ("M75.1", 60),
    ("M17.1", 40),
    ("M16.1", 30),
    ("C50.9", 20),
    ("I21.9", 20),
    ("J18.9", 40),
    ("O26.8", 50),
    ("G43.9", 20),
    ("K80.2", 30),
    ("", 20),
];

/// Diagnoses of sick leaves longer than 90 days: mostly mental and musculoskeletal.
const DIAGNOSES_LONG: &[(&str, u32)] = &[
    ("F43.8A", 180),
    ("F43.2", 100),
    ("F32.1", 120),
    ("F33.1", 70),
    ("F41.1", 50),
    ("F41.2", 30),
    ("F48.0", 20),
    ("F90.0", 20),
    ("F60.3", 10),
    ("F10.2", 10),
    ("M54.5", 60),
    ("M79.7", 40),
    ("M51.1", 30),
    ("M17.1", 30),
    ("M16.1", 20),
    ("M05.9", 20),
    ("S82.0", 20),
    ("C50.9", 50),
    ("C18.9", 20),
    ("G35", 20),
    ("G93.3", 20),
    ("I63.9", 30),
    ("U09.9", 30),
];

/// Share of the certificates running today that have no last day, per mille.
const OPEN_CERTIFICATE: u32 = 125;

/// The diagnosis as the person's country writes it: F43.8A is a Swedish extension of ICD-10.
fn national_code(country: Country, code: &'static str) -> &'static str {
    match (country, code) {
        (Country::Denmark, "F43.8A") => "F43.8",
        _ => code,
    }
}

fn sick_leave(
    cx: &Ctx,
    s: &Subject,
    units: usize,
    out: &mut Vec<Rec>,
    episodes: &mut Vec<Episode>,
) {
    let mut dice = s.dice(stream(SignalKind::SickLeave));
    let home = dice.index(units);
    let last_start = (s.day_aged(68) - 1).min(cx.today);
    let mut t = s.day_aged(18);
    let sex = if s.sex == Sex::Female { 120 } else { 80 };
    let age_factor = s.by_age(&SICK_AGE_FACTOR);
    loop {
        t += dice.exp_days(mean_wait(
            SICK_PER_1000,
            s.frailty,
            sex * at(&age_factor, t) / 100,
            cx.intensity,
        ));
        if t > last_start {
            return;
        }
        let length = dice.span(&SICK_DAYS) as Day;
        let table = match length {
            ..=14 => DIAGNOSES_SHORT,
            15..=90 => DIAGNOSES_MEDIUM,
            _ => DIAGNOSES_LONG,
        };
        let &code = dice.weighted(table);
        let diagnosis = national_code(s.country, code);
        let unit = dice.unit(home, units);
        let mut extent = *dice.weighted(&FIRST_EXTENT);
        let open = dice.per_mille(OPEN_CERTIFICATE);
        episodes.push(Episode {
            start: t,
            diagnosis,
        });
        // The certificates: `end` is the sick leave's last day, moved on by each gap.
        let (mut first, mut end) = (t, t + length - 1);
        let mut follow_on = false;
        loop {
            let remaining = end - first + 1;
            let wanted = match (length <= 14, follow_on) {
                (true, _) => remaining,
                (false, false) => dice.between(7, 28) as Day,
                (false, true) => dice.between(14, 56) as Day,
            };
            // No stub of less than a week at the end: the last certificate covers it.
            let days = if wanted + 7 > remaining {
                remaining
            } else {
                wanted
            };
            let last = first + days - 1;
            if first > cx.today {
                return;
            }
            if first >= cx.from {
                let running = last > cx.today;
                out.push(Rec::new(
                    first,
                    (!(running && open)).then_some(last),
                    EXTENTS[extent],
                    diagnosis,
                    unit,
                ));
            }
            if last >= end {
                break;
            }
            let gap = if dice.per_mille(200) {
                dice.between(1, 5) as Day
            } else {
                0
            };
            end += gap;
            first = last + 1 + gap;
            extent = match dice.below(100) {
                ..70 => extent,
                70..92 => (extent + 1).min(EXTENTS.len() - 1),
                _ => extent.saturating_sub(1),
            };
            follow_on = true;
        }
        t = end + 1;
    }
}

// --- income support --------------------------------------------------------------------------

const INCOME_SUPPORT_PER_1000: u32 = 16;

/// Consecutive months of a run of income support.
const RUN_MONTHS: [((u32, u32), u32); 4] = [
    ((1, 3), 300),
    ((4, 9), 250),
    ((10, 24), 280),
    ((25, 72), 170),
];

fn first_of_month(year: i32, month: u32) -> Day {
    NaiveDate::from_ymd_opt(year, month, 1).map_or(Day::MAX, day)
}

fn income_support(cx: &Ctx, s: &Subject, units: usize, out: &mut Vec<Rec>) {
    let mut dice = s.dice(stream(SignalKind::IncomeSupport));
    let home = dice.index(units);
    let last_start = (s.day_aged(67) - 1).min(cx.today);
    let mut t = s.day_aged(18);
    loop {
        t += dice.exp_days(mean_wait(
            INCOME_SUPPORT_PER_1000,
            s.frailty,
            100,
            cx.intensity,
        ));
        if t > last_start {
            return;
        }
        let months = dice.span(&RUN_MONTHS);
        let unit = dice.unit(home, units);
        let level = dice.between(300, 1200) as i32 * 10;
        let start = date(t);
        let (mut year, mut month) = (start.year(), start.month());
        for i in 0..months {
            let skipped = dice.per_mille(62) && i > 0;
            let change = dice.between(0, 300) as i32 - 150;
            let first = first_of_month(year, month);
            if first > cx.today {
                return;
            }
            if first >= cx.from && !skipped {
                // Whole tens, as a payment is; 150 per mille either way around the level.
                let amount = (level * (1000 + change) / 10_000 * 10).clamp(3_000, 15_000);
                out.push(Rec::new(first, None, amount, "", unit));
            }
            (year, month) = if month == 12 {
                (year + 1, 1)
            } else {
                (year, month + 1)
            };
        }
        t = first_of_month(year, month);
    }
}

// --- unemployment ----------------------------------------------------------------------------

const UNEMPLOYMENT_PER_1000: u32 = 70;
/// Per cent of the rate, by age from.
const UNEMPLOYMENT_AGE_FACTOR: [(u32, u32); 3] = [(18, 150), (25, 100), (55, 80)];

/// Days from registration to deregistration.
const UNEMPLOYMENT_DAYS: [((u32, u32), u32); 5] = [
    ((14, 56), 250),
    ((57, 180), 250),
    ((181, 365), 200),
    ((366, 730), 200),
    ((731, 1460), 100),
];

fn unemployment(cx: &Ctx, s: &Subject, units: usize, out: &mut Vec<Rec>) {
    let mut dice = s.dice(stream(SignalKind::Unemployment));
    let home = dice.index(units);
    let last_start = (s.day_aged(65) - 1).min(cx.today);
    let mut t = s.day_aged(18);
    let age_factor = s.by_age(&UNEMPLOYMENT_AGE_FACTOR);
    loop {
        t += dice.exp_days(mean_wait(
            UNEMPLOYMENT_PER_1000,
            s.frailty,
            at(&age_factor, t),
            cx.intensity,
        ));
        if t > last_start {
            return;
        }
        let end = t + dice.span(&UNEMPLOYMENT_DAYS) as Day;
        let unit = dice.unit(home, units);
        if t >= cx.from {
            out.push(Rec::new(t, (end <= cx.today).then_some(end), 0, "", unit));
        }
        t = end + 1;
    }
}

// --- admissions ------------------------------------------------------------------------------

/// Admissions a year per 1000 persons, by age from.
const ADMISSION_PER_1000: [(u32, u32); 5] = [(0, 30), (18, 40), (45, 70), (65, 220), (80, 450)];

/// Length of stay in days.
const STAY_DAYS: [((u32, u32), u32); 4] =
    [((1, 1), 200), ((2, 3), 300), ((4, 7), 300), ((8, 14), 200)];

/// The value of a [`Subject::by_age`] table on day `t`.
fn at(table: &[(Day, u32)], t: Day) -> u32 {
    table
        .iter()
        .take_while(|(from, _)| *from <= t)
        .last()
        .map_or(0, |&(_, v)| v)
}

/// Admissions; `value` 1 if planned.
fn admissions(cx: &Ctx, s: &Subject, units: usize, out: &mut Vec<Rec>) {
    let mut dice = s.dice(stream(SignalKind::Admission));
    let home = dice.index(units);
    // Social frailty matters less for admissions than age and illness.
    let frailty = (FRAILTY_MEAN + s.frailty) / 2;
    let rates = s.by_age(&ADMISSION_PER_1000);
    let old_from = s.day_aged(65);
    let mut t = s.birth_day;
    loop {
        let rate = at(&rates, t);
        // Normalised against the damped mean, (105 + 105) / 2.
        t += dice.exp_days(mean_wait(rate, frailty, 100, cx.intensity));
        let mut readmission = false;
        loop {
            if t > cx.today {
                return;
            }
            let old = t >= old_from;
            let planned = dice.per_mille(if old { 220 } else { 350 }) && !readmission;
            let discharged = t + dice.span(&STAY_DAYS) as Day;
            let unit = dice.unit(home, units);
            let back = dice.per_mille(if old { 180 } else { 90 });
            let after = dice.between(1, 30) as Day;
            if t >= cx.from {
                out.push(Rec::new(
                    t,
                    (discharged <= cx.today).then_some(discharged),
                    i32::from(planned),
                    "",
                    unit,
                ));
            }
            if back && !planned {
                t = discharged + after;
                readmission = true;
            } else {
                t = discharged;
                break;
            }
        }
    }
}

// --- emergency visits ------------------------------------------------------------------------

/// Emergency visits a year per 1000 persons, by age from, besides those of unplanned admissions.
const EMERGENCY_PER_1000: [(u32, u32); 4] = [(0, 200), (18, 170), (65, 200), (80, 350)];

/// Share of unplanned admissions that come through the emergency department, per mille.
const ADMITTED_THROUGH_EMERGENCY: u32 = 750;

fn emergency_visits(
    cx: &Ctx,
    s: &Subject,
    units: usize,
    out: &mut Vec<Rec>,
    scratch: &mut Vec<Rec>,
) {
    let mut dice = s.dice(stream(SignalKind::EmergencyVisit));
    let home = dice.index(units);
    let rates = s.by_age(&EMERGENCY_PER_1000);
    let mut t = s.birth_day;
    loop {
        let rate = at(&rates, t);
        t += dice.exp_days(mean_wait(rate, s.frailty, 100, cx.intensity));
        if t > cx.today {
            break;
        }
        let unit = dice.unit(home, units);
        if t >= cx.from {
            out.push(Rec::new(t, None, 0, "", unit));
        }
        t += 1;
    }
    // The whole life's admissions, so that which of them are linked does not depend on the window.
    scratch.clear();
    admissions(&cx.whole_life(), s, 0, scratch);
    for a in scratch.iter() {
        let through = dice.per_mille(ADMITTED_THROUGH_EMERGENCY);
        let unit = dice.unit(home, units);
        if a.value == 0 && through && a.start >= cx.from {
            out.push(Rec::new(a.start, None, 0, "", unit));
        }
    }
    out.sort_by_key(|r| r.start);
    out.dedup_by_key(|r| r.start);
}

// --- school absence --------------------------------------------------------------------------

/// Absence levels: the per-cent range of a term's absence.
const ABSENCE: [(u32, u32); 4] = [(0, 8), (5, 15), (10, 30), (25, 60)];

/// The terms starting in `year`, in order: spring, then autumn.
fn terms(country: Country, year: i32) -> [(Day, Day); 2] {
    let iso = |week, weekday| NaiveDate::from_isoywd_opt(year, week, weekday).map_or(Day::MAX, day);
    match country {
        Country::Sweden => [
            (iso(2, Weekday::Mon), iso(24, Weekday::Fri)),
            (iso(34, Weekday::Mon), iso(51, Weekday::Fri)),
        ],
        Country::Denmark => {
            // The first weekday from 3 January.
            let jan3 = NaiveDate::from_ymd_opt(year, 1, 3).map_or(Day::MAX, day);
            let spring = match date(jan3).weekday() {
                Weekday::Sat => jan3 + 2,
                Weekday::Sun => jan3 + 1,
                _ => jan3,
            };
            [
                (spring, iso(26, Weekday::Fri)),
                (iso(33, Weekday::Mon), iso(51, Weekday::Fri)),
            ]
        }
    }
}

/// The terms of the years children in the files can have had, worked out once.
struct Terms {
    first_year: i32,
    sweden: Vec<[(Day, Day); 2]>,
    denmark: Vec<[(Day, Day); 2]>,
}

impl Terms {
    fn new(today: NaiveDate) -> Terms {
        let first_year = today.year() - 20;
        let years = first_year..=today.year();
        Terms {
            first_year,
            sweden: years.clone().map(|y| terms(Country::Sweden, y)).collect(),
            denmark: years.map(|y| terms(Country::Denmark, y)).collect(),
        }
    }

    fn get(&self, country: Country, year: i32) -> [(Day, Day); 2] {
        let table = match country {
            Country::Sweden => &self.sweden,
            Country::Denmark => &self.denmark,
        };
        usize::try_from(year - self.first_year)
            .ok()
            .and_then(|i| table.get(i).copied())
            .unwrap_or_else(|| terms(country, year))
    }
}

fn school_absence(cx: &Ctx, s: &Subject, units: usize, out: &mut Vec<Rec>) {
    let mut dice = s.dice(stream(SignalKind::SchoolAbsence));
    let home = dice.index(units);
    // The starting level: frail children start higher.
    let r = u64::from(dice.below(1000)) * u64::from(FRAILTY_MEAN) / u64::from(s.frailty);
    let mut level = match r {
        ..20 => 3,
        20..80 => 2,
        80..200 => 1,
        _ => 0,
    };
    let (six, thirteen, nineteen) = (s.day_aged(6), s.day_aged(13), s.day_aged(19));
    let last_year = (s.birth.year() + 19).min(date(cx.today).year());
    for year in s.birth.year() + 6..=last_year {
        for (start, end) in cx.terms.get(s.country, year) {
            if start > cx.today || nineteen < cx.from {
                return;
            }
            if start < six || start >= nineteen {
                continue;
            }
            let up = dice.per_mille(if start >= thirteen { 60 } else { 40 });
            let down = dice.per_mille(120);
            level = match (up, down) {
                (true, _) => (level + 1).min(ABSENCE.len() - 1),
                (false, true) => level.saturating_sub(1),
                _ => level,
            };
            let (lo, hi) = ABSENCE[level];
            // Low absence is triangular around 4 %: most children miss a few days.
            let percent = if level == 0 {
                dice.between(lo, hi / 2) + dice.between(lo, hi / 2)
            } else {
                dice.between(lo, hi)
            };
            let unit = dice.unit(home, units);
            if start >= cx.from {
                out.push(Rec::new(start, Some(end), percent as i32, "", unit));
            }
        }
    }
}

// --- screening -------------------------------------------------------------------------------

const SCREENING_PER_1000: u32 = 35;

/// Severity bands: PHQ-9 range and GAD-7 range of each.
const BANDS: [((u32, u32), (u32, u32)); 5] = [
    ((0, 4), (0, 4)),
    ((5, 9), (5, 9)),
    ((10, 14), (10, 14)),
    ((15, 19), (15, 21)),
    ((20, 27), (15, 21)),
];
/// Band weights when depression is suspected in primary care.
const BAND_WEIGHTS: [(usize, u32); 5] = [(0, 250), (1, 300), (2, 220), (3, 150), (4, 80)];
/// Band weights at the start of a sick leave for depression, anxiety or stress.
const SICK_LEAVE_BAND_WEIGHTS: [(usize, u32); 5] =
    [(0, 50), (1, 200), (2, 350), (3, 270), (4, 130)];

/// Child-health visits with a BarnSäkert form, as age in days (1 and 8 months, 18 months, 3 and
/// 5 years).
const BARNSAKERT_VISITS: [Day; 5] = [30, 243, 548, 1096, 1826];
/// Flags when any, per mille.
const BARNSAKERT_FLAGS: [(i32, u32); 3] = [(1, 650), (2, 230), (3, 120)];

/// Which instruments one occasion uses: PHQ-9, GAD-7.
const INSTRUMENTS: [((bool, bool), u32); 3] = [
    ((true, true), 500),
    ((true, false), 350),
    ((false, true), 150),
];

fn is_mental(diagnosis: &str) -> bool {
    ["F32", "F33", "F41", "F43"]
        .iter()
        .any(|p| diagnosis.starts_with(p))
}

/// One occasion's scores, pushed if inside the window.
#[expect(clippy::too_many_arguments, reason = "one occasion's facts")]
fn occasion(
    dice: &mut Dice,
    cx: &Ctx,
    out: &mut Vec<Rec>,
    on: Day,
    band: usize,
    (phq, gad): (bool, bool),
    unit: u16,
    record: bool,
) {
    let ((plo, phi), _) = BANDS[band];
    let phq_score = dice.between(plo, phi);
    // Anxiety runs with depression, a band either way.
    let gad_band = match dice.below(4) {
        0 => band.saturating_sub(1),
        1 => (band + 1).min(BANDS.len() - 1),
        _ => band,
    };
    let (_, (glo, ghi)) = BANDS[gad_band];
    let gad_score = dice.between(glo, ghi);
    if record && (cx.from..=cx.today).contains(&on) {
        if phq {
            out.push(Rec::new(on, None, phq_score as i32, "phq9", unit));
        }
        if gad {
            out.push(Rec::new(on, None, gad_score as i32, "gad7", unit));
        }
    }
}

fn screening(
    cx: &Ctx,
    s: &Subject,
    units: usize,
    out: &mut Vec<Rec>,
    scratch: &mut Vec<Rec>,
    episodes: &mut Vec<Episode>,
) {
    let mut dice = s.dice(stream(SignalKind::Screening));
    let home = dice.index(units);
    if s.country == Country::Sweden {
        let flagged = (180 * s.frailty / FRAILTY_MEAN).min(900);
        for age in BARNSAKERT_VISITS {
            let on = s.birth_day + age + dice.between(0, 21) as Day;
            let taken = dice.per_mille(850);
            let any = dice.per_mille(flagged);
            let flags = *dice.weighted(&BARNSAKERT_FLAGS);
            let unit = dice.unit(home, units);
            if taken && (cx.from..=cx.today).contains(&on) {
                out.push(Rec::new(
                    on,
                    None,
                    if any { flags } else { 0 },
                    "barnsakert",
                    unit,
                ));
            }
        }
    }
    let mut t = s.day_aged(18);
    loop {
        t += dice.exp_days(mean_wait(SCREENING_PER_1000, s.frailty, 100, cx.intensity));
        if t > cx.today {
            break;
        }
        let instruments = *dice.weighted(&INSTRUMENTS);
        let band = *dice.weighted(&BAND_WEIGHTS);
        let unit = dice.unit(home, units);
        occasion(&mut dice, cx, out, t, band, instruments, unit, true);
        // Half of the high scores are followed up, mostly a band better.
        let follow_up = dice.per_mille(500) && band >= 2;
        let after = dice.between(28, 56) as Day;
        let next_band = match dice.below(10) {
            0..6 => band.saturating_sub(1),
            6..9 => band,
            _ => (band + 1).min(BANDS.len() - 1),
        };
        occasion(
            &mut dice,
            cx,
            out,
            t + after,
            next_band,
            instruments,
            unit,
            follow_up,
        );
        t += 1;
    }
    // Sick leaves for depression, anxiety or stress.
    scratch.clear();
    episodes.clear();
    sick_leave(&cx.whole_life(), s, 0, scratch, episodes);
    for e in episodes.iter() {
        let taken = dice.per_mille(500) && is_mental(e.diagnosis);
        let on = e.start + dice.between(0, 10) as Day;
        let gad = dice.per_mille(600);
        let band = *dice.weighted(&SICK_LEAVE_BAND_WEIGHTS);
        let unit = dice.unit(home, units);
        occasion(&mut dice, cx, out, on, band, (true, gad), unit, taken);
    }
    out.sort_by_key(|r| (r.start, r.code));
    out.dedup_by_key(|r| (r.start, r.code));
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

/// Where a layout column's value comes from.
#[derive(Clone, Copy, Debug)]
enum Field {
    NationalId,
    GivenName,
    FamilyName,
    PostalCode,
    Start,
    Month,
    End,
    Value,
    YesNo,
    Code,
    Unit,
    Blank,
}

/// The fields of `kind`'s layout, in its column order. An optional column this generator knows
/// nothing of is left blank; a required one is an error.
fn column_plan(kind: SignalKind) -> io::Result<Vec<Field>> {
    kind.layout()
        .columns
        .iter()
        .map(|c| {
            Ok(match c.name {
                "national_id" => Field::NationalId,
                "given_name" => Field::GivenName,
                "family_name" => Field::FamilyName,
                "postal_code" => Field::PostalCode,
                "first_day" | "registered_on" | "admitted_on" | "visited_on" | "term_start"
                | "taken_on" => Field::Start,
                "month" => Field::Month,
                "last_day" | "deregistered_on" | "discharged_on" | "term_end" => Field::End,
                "extent" | "amount" | "absence_percent" | "score" => Field::Value,
                "planned" => Field::YesNo,
                "diagnosis" | "instrument" => Field::Code,
                "unit" => Field::Unit,
                _ if !c.required => Field::Blank,
                other => {
                    return Err(io::Error::other(format!(
                        "no synthetic values for column `{other}` of {kind}"
                    )));
                }
            })
        })
        .collect()
}

/// The kind's unit names as CSV fields, checked as the import checks them.
fn unit_fields(opts: &Options, kind: SignalKind) -> io::Result<Vec<Vec<u8>>> {
    let names = opts.units.get(&kind).map_or(&[][..], Vec::as_slice);
    names
        .iter()
        .map(|n| {
            let ok = crate::validate::optional_line(n, signal::NAME_MAX).is_ok_and(|v| v.is_some())
                && u16::try_from(names.len()).is_ok_and(|l| l < u16::MAX);
            if !ok {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("unit name {n:?} for {kind} would not be accepted by the import"),
                ));
            }
            let mut field = Vec::with_capacity(n.len() + 2);
            push_field(&mut field, n.trim().as_bytes());
            Ok(field)
        })
        .collect()
}

/// The person's fields, as CSV fields in `buf`: national id, given name, family name, postal code.
fn person_fields(buf: &mut Vec<u8>, p: &SyntheticPerson) -> [Range<usize>; 4] {
    let mut field = |s: &str| {
        let start = buf.len();
        push_field(buf, s.as_bytes());
        start..buf.len()
    };
    [
        field(&p.national_id),
        field(&p.given_name),
        field(&p.family_name),
        field(&p.postal_code),
    ]
}

/// A field, quoted if it holds a comma, quote or line break (RFC 4180). Synthetic names hold
/// none, but unit names do ("Akutkliniken, Universitetssjukhuset i Linköping").
fn push_field(buf: &mut Vec<u8>, s: &[u8]) {
    if !s.iter().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        buf.extend_from_slice(s);
        return;
    }
    buf.push(b'"');
    for &b in s {
        if b == b'"' {
            buf.push(b'"');
        }
        buf.push(b);
    }
    buf.push(b'"');
}

fn write_row(
    buf: &mut Vec<u8>,
    plan: &[Field],
    person_buf: &[u8],
    person: &[Range<usize>; 4],
    units: &[Vec<u8>],
    r: &Rec,
) {
    for (i, f) in plan.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        match f {
            Field::NationalId => buf.extend_from_slice(&person_buf[person[0].clone()]),
            Field::GivenName => buf.extend_from_slice(&person_buf[person[1].clone()]),
            Field::FamilyName => buf.extend_from_slice(&person_buf[person[2].clone()]),
            Field::PostalCode => buf.extend_from_slice(&person_buf[person[3].clone()]),
            Field::Blank => {}
            Field::Start => push_date(buf, r.start, true),
            Field::Month => push_date(buf, r.start, false),
            Field::End => {
                if let Some(end) = r.end {
                    push_date(buf, end, true);
                }
            }
            Field::Value => push_number(buf, r.value),
            Field::YesNo => buf.extend_from_slice(if r.value == 1 { b"yes" } else { b"no" }),
            Field::Code => buf.extend_from_slice(r.code.as_bytes()),
            Field::Unit => {
                if let Some(u) = (r.unit as usize).checked_sub(1).and_then(|i| units.get(i)) {
                    buf.extend_from_slice(u);
                }
            }
        }
    }
    buf.push(b'\n');
}

/// `YYYY-MM-DD`, or `YYYY-MM` without the day, without the formatting machinery.
fn push_date(buf: &mut Vec<u8>, d: Day, with_day: bool) {
    let d = date(d);
    let y = d.year().clamp(0, 9999) as u32;
    let digit = |n: u32| b'0' + (n % 10) as u8;
    buf.extend_from_slice(&[
        digit(y / 1000),
        digit(y / 100),
        digit(y / 10),
        digit(y),
        b'-',
        digit(d.month() / 10),
        digit(d.month()),
    ]);
    if with_day {
        buf.extend_from_slice(&[b'-', digit(d.day() / 10), digit(d.day())]);
    }
}

fn push_number(buf: &mut Vec<u8>, n: i32) {
    if n < 0 {
        buf.push(b'-');
    }
    let mut n = n.unsigned_abs();
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signal::{Header, Row, RowContext};
    use crate::synthetic::persons;
    use std::cell::RefCell;
    use std::collections::{BTreeMap, HashSet};
    use std::rc::Rc;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).expect("valid date")
    }

    type Files = Rc<RefCell<BTreeMap<SignalKind, Vec<u8>>>>;

    /// A writer into a shared map, so that the test can read the files afterwards.
    struct Sink(Files, SignalKind);

    impl Write for Sink {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0
                .borrow_mut()
                .entry(self.1)
                .or_default()
                .extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn generate_files(
        people: &[SyntheticPerson],
        opts: &Options,
    ) -> (BTreeMap<SignalKind, Vec<u8>>, Vec<Written>) {
        let files: Files = Rc::default();
        let written =
            write_signals(people, opts, |kind| Ok(Sink(files.clone(), kind))).expect("generated");
        let files = files.borrow().clone();
        (files, written)
    }

    /// Both countries' persons in one list.
    fn population(seed: u64, per_country: usize) -> Vec<SyntheticPerson> {
        let mut all = persons(seed, per_country, Country::Sweden, today());
        all.extend(persons(seed, per_country, Country::Denmark, today()));
        all
    }

    /// Splits one CSV line (RFC 4180, no line breaks inside fields).
    fn split(line: &str) -> Vec<String> {
        let mut fields = vec![String::new()];
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    chars.next();
                    fields.last_mut().expect("a field").push('"');
                }
                ('"', _) => quoted = !quoted,
                (',', false) => fields.push(String::new()),
                (c, _) => fields.last_mut().expect("a field").push(c),
            }
        }
        fields
    }

    /// Every row of every file through the real import validation; panics on the first rejection.
    fn parse_all(
        people: &[SyntheticPerson],
        files: &BTreeMap<SignalKind, Vec<u8>>,
    ) -> BTreeMap<SignalKind, Vec<Row>> {
        let schemes: HashMap<&str, Country> = people
            .iter()
            .map(|p| {
                let c = if p.kind == NationalIdKind::Cpr {
                    Country::Denmark
                } else {
                    Country::Sweden
                };
                (p.national_id.as_str(), c)
            })
            .collect();
        let mut out = BTreeMap::new();
        for (kind, bytes) in files {
            let text = std::str::from_utf8(bytes).expect("UTF-8");
            let mut lines = text.lines();
            let header_text = lines.next().expect("a header");
            assert_eq!(header_text, signal::header_line(*kind));
            let header = Header::parse(header_text.split(','), None).expect("own header");
            assert_eq!(header.kind, *kind);
            let rows: &mut Vec<Row> = out.entry(*kind).or_default();
            for (i, line) in lines.enumerate() {
                let fields = split(line);
                let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
                let country = schemes[refs[0]];
                let cx = RowContext {
                    scheme: country.scheme(),
                    today: today(),
                };
                let row = header
                    .row(i as u64 + 2, &refs, cx)
                    .unwrap_or_else(|e| panic!("{kind}: {line}: {e}"));
                rows.push(row);
            }
        }
        out
    }

    fn age(p_birth: NaiveDate, on: NaiveDate) -> u32 {
        on.years_since(p_birth).unwrap_or(0)
    }

    fn units() -> HashMap<SignalKind, Vec<String>> {
        SignalKind::ALL
            .into_iter()
            .map(|k| {
                (
                    k,
                    vec![
                        format!("Enhet {k}"),
                        "Akutkliniken, Universitetssjukhuset i Linköping".to_owned(),
                        "Mottagningen \"Norr\"".to_owned(),
                    ],
                )
            })
            .collect()
    }

    #[test]
    fn fixed_point_logarithm_and_waiting_times() {
        assert_eq!(log2_q16(1), 0);
        assert_eq!(log2_q16(1 << 32), 32 << 16);
        assert_eq!(log2_q16(1 << 20), 20 << 16);
        for x in [3u64, 10, 1000, 123_456_789, (1 << 32) - 1] {
            let exact = (x as f64).log2() * 65536.0;
            assert!((log2_q16(x) as f64 - exact).abs() < 4.0, "{x}");
        }
        let mut dice = Dice(ChaCha8Rng::seed_from_u64(1));
        let n = 200_000;
        let sum: i64 = (0..n).map(|_| i64::from(dice.exp_days(1000))).sum();
        // floor() takes half a day off the mean of 1000.
        let mean = sum as f64 / n as f64;
        assert!((985.0..1015.0).contains(&mean), "mean {mean}");
        let over = (0..n).filter(|_| dice.exp_days(1000) >= 2000).count() as f64 / n as f64;
        assert!((0.125..0.146).contains(&over), "P(X > 2 means) = {over}");
    }

    #[test]
    fn every_row_passes_the_import_and_looks_like_a_population() {
        let people = population(42, 3_000);
        let mut opts = Options::new(42, today());
        opts.units = units();
        let (files, written) = generate_files(&people, &opts);
        let rows = parse_all(&people, &files);
        assert_eq!(written.len(), SignalKind::ALL.len());
        for w in &written {
            assert_eq!(
                w.rows as usize,
                rows.get(&w.kind).map_or(0, Vec::len),
                "{}",
                w.kind
            );
            assert!(w.rows > 0, "no {} rows", w.kind);
        }

        let t = today();
        let from = t.checked_sub_months(Months::new(24)).expect("date");
        let year_ago = t.checked_sub_months(Months::new(12)).expect("date");
        let birth: HashMap<&str, NaiveDate> = people
            .iter()
            .map(|p| (p.national_id.as_str(), p.birth_date))
            .collect();
        let danish: HashSet<&str> = people
            .iter()
            .filter(|p| p.kind == NationalIdKind::Cpr)
            .map(|p| p.national_id.as_str())
            .collect();
        let born = |r: &Row| birth[r.national_id.as_str()];
        let unit_names: HashSet<&str> = opts.units[&SignalKind::SickLeave]
            .iter()
            .map(String::as_str)
            .collect();

        // Dates: inside the window; only a certificate's last day and a term's end may be ahead.
        let mut with_unit = 0;
        for (kind, rs) in &rows {
            for r in rs {
                let s = &r.signal;
                assert!(s.start >= from && s.start <= t, "{kind} starts {}", s.start);
                if let Some(end) = s.end {
                    assert!(end >= s.start);
                    if !matches!(kind, SignalKind::SickLeave | SignalKind::SchoolAbsence) {
                        assert!(end <= t, "{kind} ends {end}");
                    }
                }
                assert!(s.start >= born(r));
                if let Some(u) = &r.unit {
                    assert!(
                        unit_names.contains(u.as_str()) || u.starts_with("Enhet "),
                        "{u}"
                    );
                    with_unit += 1;
                }
            }
        }
        assert!(with_unit > 0);

        let adults = people
            .iter()
            .filter(|p| (18..=67).contains(&age(p.birth_date, year_ago)))
            .count();

        // Sick leave.
        let sick = &rows[&SignalKind::SickLeave];
        let sick_last_year: HashSet<&str> = sick
            .iter()
            .filter(|r| r.signal.start > year_ago)
            .map(|r| r.national_id.as_str())
            .collect();
        let share = sick_last_year.len() as f64 / adults as f64;
        println!("adults with a sick leave starting in the last year: {share:.3}");
        assert!((0.08..0.16).contains(&share), "sick-listed adults {share}");
        for r in sick {
            // A sick leave starts by 67 and may run on (Swedish sickness benefit: up to 70).
            assert!((18..=70).contains(&age(born(r), r.signal.start)));
            assert!([25, 50, 75, 100].contains(&r.signal.value));
        }
        let full = sick.iter().filter(|r| r.signal.value == 100).count();
        assert!(full * 2 > sick.len(), "mostly full-time");
        let f43 = sick
            .iter()
            .filter(|r| r.signal.code.as_str().starts_with("F43"))
            .count() as f64
            / sick.len() as f64;
        println!("F43 share of certificates: {f43:.3}");
        assert!((0.12..0.35).contains(&f43), "F43 share {f43}");
        assert!(
            sick.iter().any(|r| r.signal.code.as_str() == "F43.8A"),
            "Swedish exhaustion syndrome"
        );
        assert!(
            !sick
                .iter()
                .any(|r| r.signal.code.as_str() == "F43.8A"
                    && danish.contains(r.national_id.as_str()))
        );
        // Episodes as the rules join them: gaps of at most 5 days.
        let mut episodes: Vec<i64> = Vec::new();
        let mut gaps = 0;
        let mut by_person: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
        for r in sick {
            by_person.entry(r.national_id.as_str()).or_default().push(r);
        }
        for certs in by_person.values() {
            let mut current: Option<(NaiveDate, NaiveDate)> = None;
            for r in certs {
                let end = r.signal.end.unwrap_or(t);
                current = match current {
                    Some((start, last)) if (r.signal.start - last).num_days() <= 6 => {
                        if (r.signal.start - last).num_days() > 1 {
                            gaps += 1;
                        }
                        assert!(r.signal.start > last, "certificates overlap");
                        Some((start, end))
                    }
                    other => {
                        if let Some((s, e)) = other {
                            episodes.push((e - s).num_days() + 1);
                        }
                        Some((r.signal.start, end))
                    }
                };
            }
            if let Some((s, e)) = current {
                episodes.push((e - s).num_days() + 1);
            }
        }
        let count = |min: i64| episodes.iter().filter(|d| **d > min).count();
        println!(
            "{} sick leaves, > 14 days {}, > 30 {}, > 90 {}, > 180 {}, > 365 {}; {} certificates, {gaps} gaps",
            episodes.len(),
            count(14),
            count(30),
            count(90),
            count(180),
            count(365),
            sick.len()
        );
        assert!(count(14) * 2 < episodes.len(), "most are short");
        assert!(count(30) > count(90) && count(90) > count(180) && count(180) > count(365));
        assert!(count(365) > 0, "some beyond a year");
        assert!(gaps > 0, "some certificates with a gap");
        let running = sick.iter().filter(|r| r.signal.end.is_none_or(|e| e > t));
        assert!(
            running.clone().any(|r| r.signal.end.is_none()),
            "an open certificate"
        );
        assert!(
            running.clone().any(|r| r.signal.end.is_some()),
            "a certificate past today"
        );

        // Income support: a small share of adults, some long-term.
        let support = &rows[&SignalKind::IncomeSupport];
        let mut months: BTreeMap<&str, usize> = BTreeMap::new();
        for r in support {
            assert!(
                (3_000..=15_000).contains(&r.signal.value),
                "{}",
                r.signal.value
            );
            assert!(age(born(r), r.signal.start) >= 18);
            if r.signal.start > year_ago {
                *months.entry(r.national_id.as_str()).or_default() += 1;
            }
        }
        let share = months.len() as f64 / adults as f64;
        println!("adults with income support in the last year: {share:.3}");
        assert!((0.02..0.09).contains(&share), "income support {share}");
        let long = months.values().filter(|m| **m >= 10).count() as f64 / months.len() as f64;
        println!("of them, 10+ months: {long:.3}");
        assert!((0.15..0.6).contains(&long), "long-term share {long}");

        // Unemployment: from weeks to years, some still registered.
        let unemployment = &rows[&SignalKind::Unemployment];
        assert!(unemployment.iter().any(|r| r.signal.end.is_none()));
        assert!(
            unemployment
                .iter()
                .filter_map(|r| r.signal.end.map(|e| (e - r.signal.start).num_days()))
                .any(|d| d < 30)
        );
        assert!(
            unemployment
                .iter()
                .any(|r| r.signal.end.is_none() && (t - r.signal.start).num_days() > 365)
        );

        // Admissions: mostly the old, mostly unplanned, some readmitted.
        let admissions = &rows[&SignalKind::Admission];
        let old = admissions
            .iter()
            .filter(|r| age(born(r), r.signal.start) >= 65)
            .count();
        println!(
            "admissions: {} ({old} of 65+), {} planned",
            admissions.len(),
            admissions.iter().filter(|r| r.signal.value == 1).count()
        );
        assert!(
            old * 2 > admissions.len(),
            "{old} of {} 65+",
            admissions.len()
        );
        let unplanned = admissions.iter().filter(|r| r.signal.value == 0).count();
        assert!(unplanned * 10 > admissions.len() * 6, "unplanned majority");
        let mut readmitted = 0;
        for w in admissions.windows(2) {
            if w[0].national_id == w[1].national_id
                && let Some(out) = w[0].signal.end
            {
                let days = (w[1].signal.start - out).num_days();
                assert!(days >= 0, "stays overlap");
                assert!((1..=14).contains(&(out - w[0].signal.start).num_days()));
                readmitted += usize::from(days <= 30);
            }
        }
        println!("readmissions within 30 days: {readmitted}");
        assert!(readmitted > 0);
        assert!(
            admissions.iter().any(|r| r.signal.end.is_none()),
            "someone in hospital"
        );

        // Emergency visits: about a quarter per person and year.
        let visits = rows[&SignalKind::EmergencyVisit].len() as f64 / people.len() as f64 / 2.0;
        println!("emergency visits per person and year: {visits:.3}");
        assert!((0.15..0.45).contains(&visits), "emergency visits {visits}");

        // School absence: children 6–18, mostly low, a tail of 10 % and more.
        let school = &rows[&SignalKind::SchoolAbsence];
        let mut high = 0;
        for r in school {
            assert!((6..=18).contains(&age(born(r), r.signal.start)));
            assert!((0..=60).contains(&r.signal.value));
            high += usize::from(r.signal.value >= 10);
        }
        let high = high as f64 / school.len() as f64;
        println!("terms with absence ≥ 10 %: {high:.3}");
        assert!((0.06..0.25).contains(&high), "absence ≥ 10 %: {high}");
        assert!(
            school.iter().any(|r| r.signal.end.is_some_and(|e| e > t)),
            "current term"
        );
        assert!(
            school
                .iter()
                .all(|r| r.signal.start.weekday() == Weekday::Mon
                    || danish.contains(r.national_id.as_str()))
        );

        // Screening: adults' scores with a share ≥ 10; BarnSäkert for small Swedish children.
        let screening = &rows[&SignalKind::Screening];
        let mut phq = (0, 0);
        let mut barnsakert = (0, 0);
        for r in screening {
            let a = age(born(r), r.signal.start);
            match r.signal.code.as_str() {
                "phq9" | "gad7" => {
                    let max = if r.signal.code.as_str() == "phq9" {
                        27
                    } else {
                        21
                    };
                    assert!((0..=max).contains(&r.signal.value));
                    assert!(a >= 18);
                    if r.signal.code.as_str() == "phq9" {
                        phq.0 += 1;
                        phq.1 += usize::from(r.signal.value >= 10);
                    }
                }
                "barnsakert" => {
                    assert!((0..=3).contains(&r.signal.value));
                    assert!(a <= 6 && !danish.contains(r.national_id.as_str()));
                    barnsakert.0 += 1;
                    barnsakert.1 += usize::from(r.signal.value > 0);
                }
                other => panic!("instrument {other}"),
            }
        }
        let share = phq.1 as f64 / phq.0 as f64;
        println!("PHQ-9 ≥ 10: {share:.3} of {}", phq.0);
        assert!((0.35..0.75).contains(&share), "PHQ-9 ≥ 10: {share}");
        let share = barnsakert.1 as f64 / barnsakert.0 as f64;
        println!("BarnSäkert with flags: {share:.3} of {}", barnsakert.0);
        assert!((0.1..0.35).contains(&share), "BarnSäkert flags: {share}");
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let people = population(7, 500);
        let mut opts = Options::new(7, today());
        opts.units = units();
        let (a, _) = generate_files(&people, &opts);
        let (b, _) = generate_files(&people, &opts);
        assert_eq!(a, b);
        opts.seed = 8;
        let (c, _) = generate_files(&people, &opts);
        for kind in SignalKind::ALL {
            assert_ne!(a[&kind], c[&kind], "{kind}");
        }
    }

    #[test]
    fn output_is_pinned_across_machines_and_versions() {
        // Guards against a silent change of the stream or the arithmetic: update only on purpose.
        let people = population(2026, 40);
        let mut opts = Options::new(2026, today());
        opts.units = units();
        let (files, _) = generate_files(&people, &opts);
        let digest: Vec<(SignalKind, usize, u64)> = files
            .iter()
            .map(|(k, b)| {
                // FNV-1a: small, stable, enough to notice a change.
                let h = b.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, x| {
                    (h ^ u64::from(*x)).wrapping_mul(0x0100_0000_01b3)
                });
                (*k, b.len(), h)
            })
            .collect();
        assert_eq!(digest, PINNED);
    }

    /// Each file's length and FNV-1a hash.
    const PINNED: [(SignalKind, usize, u64); 7] = [
        (SignalKind::SickLeave, 4743, 15910516402839104545),
        (SignalKind::IncomeSupport, 65, 7847599647333618383),
        (SignalKind::Unemployment, 614, 8182290137157619304),
        (SignalKind::Admission, 783, 10088079315407308334),
        (SignalKind::EmergencyVisit, 2430, 17984642735996808125),
        (SignalKind::SchoolAbsence, 2092, 8709173686212993937),
        (SignalKind::Screening, 1215, 5447109046690594172),
    ];

    #[test]
    fn a_longer_history_is_the_same_history_seen_further_back() {
        let people = population(3, 800);
        let two = Options::new(3, today());
        let three = Options {
            years: 3,
            ..two.clone()
        };
        let (short, _) = generate_files(&people, &two);
        let (long, _) = generate_files(&people, &three);
        let from = today().checked_sub_months(Months::new(24)).expect("date");
        let short = parse_all(&people, &short);
        let long = parse_all(&people, &long);
        for kind in SignalKind::ALL {
            let cut: Vec<&Row> = long[&kind]
                .iter()
                .filter(|r| r.signal.start >= from)
                .collect();
            let short: Vec<&Row> = short[&kind].iter().collect();
            assert_eq!(cut, short, "{kind}");
            assert!(long[&kind].len() >= short.len());
        }
    }

    #[test]
    fn a_person_does_not_depend_on_the_others() {
        let people = population(5, 300);
        let opts = Options::new(5, today());
        let (all, _) = generate_files(&people, &opts);
        let (one, _) = generate_files(&people[17..18], &opts);
        for kind in SignalKind::ALL {
            let id = &people[17].national_id;
            let mine = |b: &[u8]| -> Vec<String> {
                std::str::from_utf8(b)
                    .expect("UTF-8")
                    .lines()
                    .filter(|l| l.starts_with(id.as_str()))
                    .map(str::to_owned)
                    .collect()
            };
            assert_eq!(mine(&all[&kind]), mine(&one[&kind]), "{kind}");
        }
    }

    #[test]
    fn unit_names_the_import_would_refuse_are_refused() {
        let people = population(1, 10);
        for bad in [
            "",
            "  ",
            "Mottagning\tNorr",
            &"x".repeat(signal::NAME_MAX + 1),
        ] {
            let mut opts = Options::new(1, today());
            opts.units
                .insert(SignalKind::Admission, vec![bad.to_owned()]);
            let e = write_signals(&people, &opts, |_| Ok(io::sink())).expect_err("refused");
            assert_eq!(e.kind(), io::ErrorKind::InvalidInput, "{bad:?}");
        }
    }

    #[test]
    fn volume_per_person() {
        let people = population(11, 2_500);
        let mut report = Vec::new();
        for (years, intensity) in [(2, 1), (3, 1), (3, 4)] {
            let opts = Options {
                years,
                intensity,
                ..Options::new(11, today())
            };
            let written = write_signals(&people, &opts, |_| Ok(io::sink())).expect("written");
            let total: u64 = written.iter().map(|w| w.rows).sum();
            let per_person = total as f64 / people.len() as f64;
            report.push(format!(
                "years {years}, intensity {intensity}: {per_person:.2} ({written:?})"
            ));
            let expected = match (years, intensity) {
                (2, 1) => 1.6..2.6,
                (3, 1) => 2.4..3.6,
                _ => 8.0..12.0,
            };
            assert!(expected.contains(&per_person), "{report:#?}");
        }
        println!("signals per person: {report:#?}");
    }

    /// `cargo test --release -p samverka-core volume_timing -- --ignored --nocapture`
    #[test]
    #[ignore = "timing, for benchmarks"]
    fn volume_timing() {
        let people = population(1, 500_000);
        for intensity in [1, 4] {
            let opts = Options {
                years: 3,
                intensity,
                ..Options::new(1, today())
            };
            let started = std::time::Instant::now();
            let written = write_signals(&people, &opts, |_| Ok(io::sink())).expect("written");
            let total: u64 = written.iter().map(|w| w.rows).sum();
            println!(
                "intensity {intensity}: {} persons, {total} rows ({:.2} per person) in {:?}",
                people.len(),
                total as f64 / people.len() as f64,
                started.elapsed()
            );
        }
    }
}
