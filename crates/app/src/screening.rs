//! Screening: applying the rules to stored signals and keeping the worklist items (flags) in
//! step. Incremental after every import (only persons in the screening queue), and in full with
//! `samverka screen --full` (after a rules change, and daily, since items appear as days pass).
//!
//! Flags are derived: screening writes only the difference between what the rules raise today
//! and what is stored, and never touches recorded first contacts or dismissals.

use crate::{App, AppError};
use chrono::NaiveDate;
use samverka_core::PersonId;
use samverka_core::rules::{Hit, Rules};
use samverka_store::flag::{self, Flag, FlagKey, StoredSet};
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

/// Persons screened per transaction when working through the queue.
const PENDING_BATCH: i64 = 5_000;
/// Signal sets read per page in a full screening.
const FULL_PAGE: i64 = 50_000;

/// The flags the rules raise from these sets today.
pub fn flags_for(rules: &Rules, sets: &[StoredSet], today: NaiveDate) -> Vec<Flag> {
    let mut out = Vec::new();
    let mut hits: Vec<Hit> = Vec::new();
    for s in sets {
        hits.clear();
        rules.screen(&s.set, s.birth_date, today, &mut hits);
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
fn flags_parallel(rules: &Rules, sets: &[StoredSet], today: NaiveDate) -> Vec<Flag> {
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
fn diff(old: Vec<Flag>, new: Vec<Flag>, summary: &mut ScreenSummary) -> (Vec<Flag>, Vec<FlagKey>) {
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
    /// Screens the persons waiting in the queue (those an import touched), batch by batch.
    pub async fn screen_pending(&self) -> Result<ScreenSummary, AppError> {
        self.screen_pending_on(self.today()).await
    }

    pub async fn screen_pending_on(&self, today: NaiveDate) -> Result<ScreenSummary, AppError> {
        let mut summary = ScreenSummary::default();
        loop {
            let mut tx = self.db.begin().await?;
            samverka_store::signal::lock_signal_writes(&mut tx).await?;
            let persons = flag::pending(&mut tx, PENDING_BATCH).await?;
            if persons.is_empty() {
                break;
            }
            self.screen_in(&mut tx, &persons, today, &mut summary)
                .await?;
            flag::clear_pending(&mut tx, &persons).await?;
            tx.commit().await?;
        }
        Ok(summary)
    }

    /// Screens these persons now (in one transaction).
    pub async fn screen_persons(
        &self,
        persons: &[PersonId],
        today: NaiveDate,
    ) -> Result<ScreenSummary, AppError> {
        let mut summary = ScreenSummary::default();
        let mut tx = self.db.begin().await?;
        self.screen_in(&mut tx, persons, today, &mut summary)
            .await?;
        flag::clear_pending(&mut tx, persons).await?;
        tx.commit().await?;
        Ok(summary)
    }

    async fn screen_in(
        &self,
        tx: &mut samverka_store::Tx,
        persons: &[PersonId],
        today: NaiveDate,
        summary: &mut ScreenSummary,
    ) -> Result<(), AppError> {
        let sets = flag::sets_of_persons(tx, persons).await?;
        summary.persons += persons.len() as u64;
        summary.sets += sets.len() as u64;
        let new = flags_for(&self.config.rules, &sets, today);
        let old = flag::flags_of_persons(tx, persons).await?;
        let (upsert, delete) = diff(old, new, summary);
        flag::write_flags(tx, &upsert, &delete, self.now()).await?;
        Ok(())
    }

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
            new.extend(flags_parallel(rules, &page, today));
            Ok(())
        })
        .await?;
        summary.sets = sets;
        let old = flag::all_flags(&mut tx).await?;
        let (upsert, delete) = diff(old, new, &mut summary);
        flag::write_flags(&mut tx, &upsert, &delete, self.now()).await?;
        flag::clear_all_pending(&mut tx).await?;
        tx.commit().await?;
        Ok(summary)
    }
}
