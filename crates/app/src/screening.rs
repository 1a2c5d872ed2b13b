//! Screening: applying the rules to stored signals and keeping the worklist items (flags) in
//! step. Incremental inside every import (the signal sets a chunk changes, in the chunk's own
//! transaction), and in full with `samverka screen` (after a rules change, and daily, since
//! items appear as days pass).
//!
//! Flags are derived: screening writes only the difference between what the rules raise today
//! and what is stored, and never touches recorded first contacts or dismissals.

use crate::{App, AppError};
use chrono::NaiveDate;
use samverka_core::rules::{Hit, Rules};
use samverka_core::signal::SignalSet;
use samverka_core::{OrganisationId, PersonId};
use samverka_store::flag::{self, Flag, FlagKey, StoredSet};
use samverka_store::statistics::{self, Table};
use std::collections::HashMap;

/// What a screening did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScreenSummary {
    /// Persons and organisation signal sets read.
    pub persons: u64,
    pub sets: u64,
    /// Items raised for the first time, changed (e.g. a new due date), and no longer raised.
    pub raised: u64,
    pub changed: u64,
    pub dropped: u64,
}

impl std::ops::AddAssign for ScreenSummary {
    fn add_assign(&mut self, o: ScreenSummary) {
        self.persons += o.persons;
        self.sets += o.sets;
        self.raised += o.raised;
        self.changed += o.changed;
        self.dropped += o.dropped;
    }
}

/// Signal sets read per page in a full screening.
const FULL_PAGE: i64 = 50_000;

/// One organisation's signals about one person, as screening reads them.
#[derive(Clone, Copy)]
pub struct SetRef<'a> {
    pub person_id: PersonId,
    pub organisation_id: OrganisationId,
    pub birth_date: Option<NaiveDate>,
    pub set: &'a SignalSet,
}

impl<'a> From<&'a StoredSet> for SetRef<'a> {
    fn from(s: &'a StoredSet) -> SetRef<'a> {
        SetRef {
            person_id: s.person_id,
            organisation_id: s.organisation_id,
            birth_date: s.birth_date,
            set: &s.set,
        }
    }
}

/// The flags the rules raise from these sets today.
pub fn flags_for(rules: &Rules, sets: &[SetRef<'_>], today: NaiveDate) -> Vec<Flag> {
    let mut out = Vec::new();
    let mut hits: Vec<Hit> = Vec::new();
    for s in sets {
        hits.clear();
        rules.screen(s.set, s.birth_date, today, &mut hits);
        for h in &hits {
            let rule = &rules.rules[h.rule];
            out.push(Flag {
                key: FlagKey {
                    person_id: s.person_id,
                    organisation_id: s.organisation_id,
                    rule_id: rule.id.clone(),
                    key_on: h.key,
                },
                target_group: rule.target_group.clone(),
                priority: i64::from(rule.priority),
                due_on: h.due,
                unit_id: s.set.unit(h.unit),
                start_on: h.facts.start,
                other_on: h.facts.other,
                value: i64::from(h.facts.value),
                code: h.facts.code.as_str().to_owned(),
            });
        }
    }
    out
}

/// [`flags_for`] on both cores for a large page.
pub(crate) fn flags_parallel(rules: &Rules, sets: &[SetRef<'_>], today: NaiveDate) -> Vec<Flag> {
    if sets.len() < 4_096 {
        return flags_for(rules, sets, today);
    }
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(8));
    let per = sets.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = sets
            .chunks(per)
            .map(|part| scope.spawn(move || flags_for(rules, part, today)))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// The changes that turn `old` into `new`: (to insert or update, to delete), with counts.
pub(crate) fn diff(
    old: Vec<Flag>,
    new: Vec<Flag>,
    summary: &mut ScreenSummary,
) -> (Vec<Flag>, Vec<FlagKey>) {
    let mut old: HashMap<FlagKey, Flag> = old.into_iter().map(|f| (f.key.clone(), f)).collect();
    let mut upsert = Vec::new();
    for f in new {
        match old.remove(&f.key) {
            Some(o) if o == f => {}
            Some(_) => {
                summary.changed += 1;
                upsert.push(f);
            }
            None => {
                summary.raised += 1;
                upsert.push(f);
            }
        }
    }
    // One order for every writer, so concurrent screenings cannot deadlock on flag rows.
    upsert.sort_unstable_by(|a: &Flag, b: &Flag| a.key.cmp(&b.key));
    let mut delete: Vec<FlagKey> = old.into_keys().collect();
    delete.sort_unstable();
    summary.dropped += delete.len() as u64;
    (upsert, delete)
}

impl App {
    /// Screens everyone: every signal set against the rules, in one transaction (readers go on
    /// meanwhile; other writers wait for it).
    pub async fn screen_full(&self) -> Result<ScreenSummary, AppError> {
        self.screen_full_on(self.today()).await
    }

    pub async fn screen_full_on(&self, today: NaiveDate) -> Result<ScreenSummary, AppError> {
        let mut summary = ScreenSummary::default();
        let mut tx = self.db.begin().await?;
        samverka_store::signal::lock_signal_writes(&mut tx).await?;
        let rules = &self.config.rules;
        let mut new: Vec<Flag> = Vec::new();
        let mut last_person: Option<PersonId> = None;
        let sets = flag::for_each_set_page(&mut tx, FULL_PAGE, |page| {
            for s in &page {
                if last_person != Some(s.person_id) {
                    summary.persons += 1;
                    last_person = Some(s.person_id);
                }
            }
            let refs: Vec<SetRef<'_>> = page.iter().map(SetRef::from).collect();
            new.extend(flags_parallel(rules, &refs, today));
            Ok(())
        })
        .await?;
        summary.sets = sets;
        let old = flag::all_flags(&mut tx).await?;
        let (upsert, delete) = diff(old, new, &mut summary);
        flag::write_flags(&mut tx, &upsert, &delete, self.now()).await?;
        tx.commit().await?;
        // A rule change may have rewritten most items.
        self.refresh_statistics(&[(
            Table::Flag,
            summary.raised + summary.changed + summary.dropped,
        )])
        .await;
        Ok(summary)
    }

    /// Refreshes the planner's statistics after a committed bulk change
    /// ([`statistics::refresh_after_bulk`]). The change is done whatever happens here, so a
    /// failure is only logged: the next queries are then planned as they would have been anyway.
    pub(crate) async fn refresh_statistics(&self, changed: &[(Table, u64)]) {
        if let Err(e) = statistics::refresh_after_bulk(&self.db, changed).await {
            tracing::warn!(error = %e, "planner statistics not refreshed");
        }
    }
}
