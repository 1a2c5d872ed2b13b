//! One chunk of an import, in three steps: read what the database holds about the chunk's persons
//! ([`read_stored`]), merge the rows into it and screen the changed signal sets ([`merge`], no
//! database), and write the result in one transaction ([`write_merged`]).
//!
//! An import pipelines the steps: while one chunk is written, the next one is merged on another
//! thread, from a read made before the write and brought up to date with the written chunk's
//! result (the overlay). So the database and the rules work side by side instead of in turn.
//! That holds only if nothing else wrote signal rows in between: every such writer raises the
//! signal write version ([`store::lock_signal_writes`]), and the importer compares it with the
//! version its own writes left. When another writer came in between, the import stores that chunk
//! and the rest of the file one step after the other (read, merge and write in one transaction).

use crate::screening::{ScreenSummary, SetRef, diff, flags_for, flags_parallel};
use chrono::{DateTime, NaiveDate, Utc};
use samverka_core::policy::Grant;
use samverka_core::rules::Rules;
use samverka_core::signal::{Row, RowError, SignalSet};
use samverka_core::{OrganisationId, PersonId, UnitId};
use samverka_store::StoreError;
use samverka_store::Tx;
use samverka_store::flag::{self, Flag, FlagKey};
use samverka_store::signal::{self as store, ImportCounts, KnownPerson, NewPerson};
use std::collections::HashMap;
use uuid::Uuid;

/// What the database holds about a chunk's persons, read in one snapshot.
#[derive(Debug, Default)]
pub(crate) struct Stored {
    /// The persons with the chunk's numbers that are registered, by number.
    known: HashMap<String, KnownPerson>,
    /// Their signal sets (of the importing organisation).
    sets: HashMap<PersonId, SignalSet>,
    /// Their items (of the importing organisation).
    flags: Vec<Flag>,
    /// The signal write version of the snapshot.
    pub version: i64,
    /// Time spent reading the items (part of screening).
    reading_items: std::time::Duration,
}

/// Reads what the chunk's rows meet: the persons, their signal sets and items, and the version.
pub(crate) async fn read_stored(
    tx: &mut Tx,
    grant: &Grant,
    rows: &[(Row, Option<UnitId>)],
) -> Result<Stored, StoreError> {
    let version = store::signal_write_version(tx).await?;
    if rows.is_empty() {
        return Ok(Stored {
            version,
            ..Stored::default()
        });
    }
    let numbers: Vec<&str> = {
        let mut n: Vec<&str> = rows.iter().map(|(r, _)| r.national_id.as_str()).collect();
        n.sort_unstable();
        n.dedup();
        n
    };
    let known = store::persons_by_number(tx, grant, &numbers).await?;
    let ids: Vec<PersonId> = {
        let mut ids: Vec<PersonId> = known.values().map(|k| k.id).collect();
        ids.sort_unstable();
        ids
    };
    let sets = store::signal_sets(tx, grant, &ids).await?;
    let started = std::time::Instant::now();
    let flags = flag::flags_of_persons(tx, grant.organisation(), &ids).await?;
    Ok(Stored {
        known,
        sets,
        flags,
        version,
        reading_items: started.elapsed(),
    })
}

/// What merging does not read from the rows or the database.
#[derive(Clone, Debug)]
pub(crate) struct MergeContext {
    pub organisation: OrganisationId,
    /// The import's number, kept with each signal it brings.
    pub seq: u32,
    pub today: NaiveDate,
}

/// A chunk merged: what to write, and (for the next chunk's overlay) what the database will hold
/// about the chunk's persons once it is written.
#[derive(Debug, Default)]
pub(crate) struct Merged {
    /// Every number of the chunk, with its person as written (new persons and filled postal
    /// codes included).
    known: HashMap<String, KnownPerson>,
    new_persons: Vec<NewPerson>,
    postal: Vec<(PersonId, String)>,
    /// The signal sets the rows changed, with the person's birth date; `order` sorts them.
    changed: HashMap<PersonId, (Option<NaiveDate>, SignalSet)>,
    order: Vec<PersonId>,
    /// Each changed person's items after screening (kept only for an overlay).
    flags: HashMap<PersonId, Vec<Flag>>,
    upsert: Vec<Flag>,
    delete: Vec<FlagKey>,
    pub counts: ImportCounts,
    pub summary: ScreenSummary,
    /// Time spent screening so far: reading the stored items, the rules, the comparison.
    pub screening: std::time::Duration,
}

/// How to merge: with the rules on every core (when nothing else runs), or on one core beside
/// the database's work, keeping each person's items for the next chunk's overlay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    Alone,
    Pipelined,
}

/// Merges a chunk's rows into what is stored about its persons, brought up to date with the
/// previous chunk's result when `overlay` is given (the read was made before it was written),
/// and screens every changed signal set. No database work.
pub(crate) fn merge(
    rows: &[(Row, Option<UnitId>)],
    stored: Stored,
    overlay: Option<&Merged>,
    rules: &Rules,
    cx: &MergeContext,
    mut counts: ImportCounts,
    mode: Mode,
) -> Merged {
    let Stored {
        mut known,
        mut sets,
        flags: mut old,
        reading_items,
        ..
    } = stored;
    if let Some(o) = overlay {
        for (row, _) in rows {
            let n = row.national_id.as_str();
            if let Some(k) = o.known.get(n)
                && known.get(n) != Some(k)
            {
                known.insert(n.to_owned(), k.clone());
            }
        }
        old.retain(|f| !o.changed.contains_key(&f.key.person_id));
        for k in known.values() {
            if let Some((_, set)) = o.changed.get(&k.id) {
                sets.insert(k.id, set.clone());
                if let Some(f) = o.flags.get(&k.id) {
                    old.extend(f.iter().cloned());
                }
            }
        }
    }
    let mut new_persons: Vec<NewPerson> = Vec::new();
    let mut postal: Vec<(PersonId, String)> = Vec::new();
    let mut births: HashMap<PersonId, Option<NaiveDate>> = HashMap::new();
    for (row, unit) in rows {
        let n = row.national_id.as_str();
        let person = match known.get_mut(n) {
            Some(k) => {
                if let (None, Some(code)) = (&k.postal_code, &row.postal_code) {
                    k.postal_code = Some(code.clone());
                    postal.push((k.id, code.clone()));
                }
                (k.id, k.birth_date)
            }
            None => {
                let p = NewPerson {
                    id: PersonId::new(),
                    national_id: n.to_owned(),
                    kind: row.national_id.kind(),
                    given_name: row.given_name.clone(),
                    family_name: row.family_name.clone(),
                    birth_date: row.national_id.birth_date(),
                    postal_code: row.postal_code.clone(),
                };
                known.insert(
                    p.national_id.clone(),
                    KnownPerson {
                        id: p.id,
                        birth_date: p.birth_date,
                        postal_code: p.postal_code.clone(),
                    },
                );
                let person = (p.id, p.birth_date);
                new_persons.push(p);
                person
            }
        };
        let set = sets.entry(person.0).or_default();
        let mut signal = row.signal;
        signal.unit = set.unit_ref(*unit);
        signal.import = cx.seq;
        if set.insert(signal) {
            counts.added += 1;
            births.insert(person.0, person.1);
        } else {
            counts.known += 1;
        }
    }
    counts.persons_added = new_persons.len() as i64;
    let mut order: Vec<PersonId> = births.keys().copied().collect();
    order.sort_unstable();
    let changed: HashMap<PersonId, (Option<NaiveDate>, SignalSet)> = order
        .iter()
        .map(|p| (*p, (births[p], sets.remove(p).unwrap_or_default())))
        .collect();

    let started = std::time::Instant::now();
    let refs: Vec<SetRef<'_>> = order
        .iter()
        .map(|p| {
            let (birth_date, set) = &changed[p];
            SetRef {
                person_id: *p,
                organisation_id: cx.organisation,
                birth_date: *birth_date,
                set,
            }
        })
        .collect();
    let new = match mode {
        Mode::Alone => flags_parallel(rules, &refs, cx.today),
        Mode::Pipelined => flags_for(rules, &refs, cx.today),
    };
    drop(refs);
    let mut flags: HashMap<PersonId, Vec<Flag>> = HashMap::new();
    if mode == Mode::Pipelined {
        for p in &order {
            flags.insert(*p, Vec::new());
        }
        for f in &new {
            flags.entry(f.key.person_id).or_default().push(f.clone());
        }
    }
    // Only the changed persons' items are screened again; the others stay as they are.
    old.retain(|f| changed.contains_key(&f.key.person_id));
    let mut summary = ScreenSummary {
        persons: order.len() as u64,
        sets: order.len() as u64,
        ..ScreenSummary::default()
    };
    let (upsert, delete) = diff(old, new, &mut summary);
    let screening = reading_items + started.elapsed();
    Merged {
        known,
        new_persons,
        postal,
        changed,
        order,
        flags,
        upsert,
        delete,
        counts,
        summary,
        screening,
    }
}

/// Writes a merged chunk, its report lines and its counts, in the caller's transaction. Returns
/// the time spent writing items (part of screening), or None, having written nothing the caller
/// should keep, when one of the new persons' numbers was registered by someone else since the
/// read (the caller rolls back and reads again).
pub(crate) async fn write_merged(
    tx: &mut Tx,
    grant: &Grant,
    import: Uuid,
    m: &Merged,
    errors: &[RowError],
    bytes_read: i64,
    now: DateTime<Utc>,
) -> Result<Option<std::time::Duration>, StoreError> {
    let inserted = store::insert_persons(tx, grant, &m.new_persons, now).await?;
    if inserted != m.new_persons.len() as u64 {
        return Ok(None);
    }
    store::fill_postal_codes(tx, grant, &m.postal).await?;
    let put: Vec<(PersonId, Option<NaiveDate>, &SignalSet)> = m
        .order
        .iter()
        .filter_map(|p| m.changed.get(p).map(|(b, s)| (*p, *b, s)))
        .collect();
    store::put_signal_sets(tx, grant, &put, now).await?;
    let started = std::time::Instant::now();
    flag::write_flags(tx, &m.upsert, &m.delete, now).await?;
    let writing_items = started.elapsed();
    store::insert_errors(tx, grant, import, errors).await?;
    store::add_counts(tx, grant, import, m.counts, bytes_read).await?;
    Ok(Some(writing_items))
}
