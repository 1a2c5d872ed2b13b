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

use crate::known_persons::KnownPersons;
use crate::screening::{ScreenSummary, SetRef, diff, flags_for, flags_parallel};
use chrono::{DateTime, NaiveDate, Utc};
use samverka_core::policy::Grant;
use samverka_core::rules::Rules;
use samverka_core::signal::{Row, RowError, SignalSet};
use samverka_core::{OrganisationId, PersonId, UnitId};
use samverka_store::StoreError;
use samverka_store::Tx;
use samverka_store::flag::{self, Flag, FlagKey};
use samverka_store::signal::{self as store, ImportCounts, KnownPerson, NewPerson, SetRow};
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

/// [`Stored`] as read, with the signal sets still in their stored form: decoding them
/// ([`StoredRaw::decode`]) is left to the merge's thread, so that the database does not wait for
/// it before the next statement.
#[derive(Debug)]
pub(crate) struct StoredRaw {
    stored: Stored,
    sets: Vec<(PersonId, Vec<u8>)>,
}

impl StoredRaw {
    /// The signal write version of the snapshot.
    pub(crate) fn version(&self) -> i64 {
        self.stored.version
    }

    pub(crate) fn decode(self) -> Result<Stored, StoreError> {
        let mut stored = self.stored;
        stored.sets = self
            .sets
            .into_iter()
            .map(|(p, data)| {
                SignalSet::decode(&data)
                    .map(|s| (p, s))
                    .map_err(|e| StoreError::Corrupt(e.to_string()))
            })
            .collect::<Result<_, _>>()?;
        Ok(stored)
    }
}

/// A chunk's numbers, split into the persons kept from committed chunks and the numbers to look up
/// ([`KnownPersons::split`]). An import makes it on the parser's thread, beside the database's
/// work; a person registered after that is simply looked up.
#[derive(Debug, Default)]
pub(crate) struct Numbers {
    kept: HashMap<String, KnownPerson>,
    missing: Vec<String>,
}

impl Numbers {
    pub(crate) fn split(rows: &[(Row, Option<UnitId>)], kept: &KnownPersons) -> Numbers {
        let mut numbers: Vec<&str> = rows.iter().map(|(r, _)| r.national_id.as_str()).collect();
        numbers.sort_unstable();
        numbers.dedup();
        let (kept, missing) = kept.split(&numbers);
        Numbers {
            kept,
            missing: missing.into_iter().map(str::to_owned).collect(),
        }
    }
}

/// Reads what the chunk's rows meet: the persons (those of `numbers` not kept), their signal sets
/// and items, and the version.
pub(crate) async fn read_stored(
    tx: &mut Tx,
    grant: &Grant,
    rows: &[(Row, Option<UnitId>)],
    numbers: Numbers,
) -> Result<StoredRaw, StoreError> {
    let version = store::signal_write_version(tx).await?;
    if rows.is_empty() {
        return Ok(StoredRaw {
            stored: Stored {
                version,
                ..Stored::default()
            },
            sets: Vec::new(),
        });
    }
    // Only the numbers no committed chunk met are looked up.
    let Numbers {
        kept: mut known,
        missing,
    } = numbers;
    let missing: Vec<&str> = missing.iter().map(String::as_str).collect();
    known.extend(store::persons_by_number(tx, grant, &missing).await?);
    let ids: Vec<PersonId> = {
        let mut ids: Vec<PersonId> = known.values().map(|k| k.id).collect();
        ids.sort_unstable();
        ids
    };
    let sets = store::signal_set_data(tx, grant, &ids).await?;
    let started = std::time::Instant::now();
    let flags = flag::flags_of_persons(tx, grant.organisation(), &ids).await?;
    Ok(StoredRaw {
        stored: Stored {
            known,
            sets: HashMap::new(),
            flags,
            version,
            reading_items: started.elapsed(),
        },
        sets,
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
    pub known: HashMap<String, KnownPerson>,
    new_persons: Vec<NewPerson>,
    postal: Vec<(PersonId, String)>,
    /// The signal sets the rows changed, with the person's birth date.
    changed: HashMap<PersonId, (Option<NaiveDate>, SignalSet)>,
    /// The same sets in their stored form, in the order of the persons' ids (encoded while
    /// merging, so not in the database's turn).
    rows: Vec<SetRow>,
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
    // Registered in the order of their numbers, the new persons' entries go into the national-id
    // index page after page instead of all over it.
    new_persons.sort_unstable_by(|a, b| a.national_id.cmp(&b.national_id));
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
    let rows = order
        .iter()
        .map(|p| {
            let (birth_date, set) = &changed[p];
            SetRow::new(*p, *birth_date, set)
        })
        .collect();
    Merged {
        rows,
        known,
        new_persons,
        postal,
        changed,
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
    store::put_signal_sets(tx, grant, &m.rows, now).await?;
    let started = std::time::Instant::now();
    flag::write_flags(tx, &m.upsert, &m.delete, now).await?;
    let writing_items = started.elapsed();
    store::insert_errors(tx, grant, import, errors).await?;
    store::add_counts(tx, grant, import, m.counts, bytes_read).await?;
    Ok(Some(writing_items))
}

#[cfg(test)]
mod tests {
    //! The pipeline's overlay, without a database: a simulated store is read and written in the
    //! order an import uses (chunk k + 1 read before chunk k is written) and must end as it does
    //! when every chunk is read after the one before was written.

    use super::*;
    use proptest::prelude::*;
    use samverka_core::national_id::{NationalId, Scheme, luhn_check_digit};
    use samverka_core::rules::Rules;
    use samverka_core::signal::{Code, Signal, SignalKind};
    use std::collections::BTreeSet;

    /// What the database holds, as maps.
    #[derive(Default)]
    struct SimDb {
        known: HashMap<String, KnownPerson>,
        sets: HashMap<PersonId, SignalSet>,
        flags: HashMap<FlagKey, Flag>,
    }

    impl SimDb {
        fn read(&self, rows: &[(Row, Option<UnitId>)]) -> Stored {
            let known: HashMap<String, KnownPerson> = rows
                .iter()
                .filter_map(|(r, _)| {
                    let n = r.national_id.as_str();
                    self.known.get(n).map(|k| (n.to_owned(), k.clone()))
                })
                .collect();
            let ids: BTreeSet<PersonId> = known.values().map(|k| k.id).collect();
            Stored {
                sets: ids
                    .iter()
                    .filter_map(|p| self.sets.get(p).map(|s| (*p, s.clone())))
                    .collect(),
                flags: self
                    .flags
                    .values()
                    .filter(|f| ids.contains(&f.key.person_id))
                    .cloned()
                    .collect(),
                known,
                version: 0,
                reading_items: std::time::Duration::ZERO,
            }
        }

        fn write(&mut self, m: &Merged) {
            for p in &m.new_persons {
                self.known.insert(
                    p.national_id.clone(),
                    KnownPerson {
                        id: p.id,
                        birth_date: p.birth_date,
                        postal_code: p.postal_code.clone(),
                    },
                );
            }
            for (id, code) in &m.postal {
                for k in self.known.values_mut() {
                    if k.id == *id && k.postal_code.is_none() {
                        k.postal_code = Some(code.clone());
                    }
                }
            }
            // What the write stores is the sets in their stored form, and they must be the
            // changed sets the overlay hands on.
            let mut written = HashMap::new();
            for r in &m.rows {
                let set = SignalSet::decode(&r.data).expect("a set in its stored form");
                assert_eq!(r.signals, set.signals.len() as i64);
                written.insert(r.person_id, (r.birth_date, set));
            }
            assert_eq!(written, m.changed);
            for (p, (_, set)) in written {
                self.sets.insert(p, set);
            }
            for f in &m.upsert {
                self.flags.insert(f.key.clone(), f.clone());
            }
            for k in &m.delete {
                self.flags.remove(k);
            }
        }

        /// The store by national id, ids left out (each run registers its own).
        fn by_number(&self) -> BTreeSet<String> {
            let number: HashMap<PersonId, &str> =
                self.known.iter().map(|(n, k)| (k.id, n.as_str())).collect();
            let mut out = BTreeSet::new();
            for (n, k) in &self.known {
                out.insert(format!("person {n} {:?}", k.postal_code));
            }
            for (p, s) in &self.sets {
                out.insert(format!("set {} {:?}", number[p], s.signals));
            }
            for f in self.flags.values() {
                let mut f = f.clone();
                let n = number[&f.key.person_id];
                f.key.person_id = PersonId(uuid::Uuid::nil());
                out.insert(format!("flag {n} {f:?}"));
            }
            out
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).expect("date")
    }

    fn row(
        person: u8,
        kind: u8,
        days_ago: i64,
        weeks: Option<i64>,
        value: u8,
    ) -> (Row, Option<UnitId>) {
        let first = format!("19{}0{}15{:03}", 60 + person, 1 + person % 9, 100 + person);
        let number = format!(
            "{}-{}{}",
            &first[..8],
            &first[8..],
            luhn_check_digit(&first[2..])
        );
        let national_id = NationalId::parse(&number, Scheme::Swedish, today()).expect("number");
        let kind = [
            SignalKind::SickLeave,
            SignalKind::IncomeSupport,
            SignalKind::Unemployment,
        ][usize::from(kind % 3)];
        let start = today() - chrono::Duration::days(days_ago);
        let signal = Signal {
            start,
            kind,
            end: weeks.map(|w| start + chrono::Duration::weeks(w)),
            value: [25, 50, 100][usize::from(value % 3)],
            code: Code::new(["F32", "F43", "M54"][usize::from(value % 3)]).expect("code"),
            unit: 0,
            import: 0,
        };
        let r = Row {
            national_id,
            given_name: "Test".into(),
            family_name: format!("Person{person}"),
            // A later row may give a postal code the first did not.
            postal_code: value.is_multiple_of(2).then(|| format!("582{person:02}")),
            unit: None,
            signal,
        };
        (r, None)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn pipelined_chunks_end_where_one_step_after_the_other_does(
            rows in prop::collection::vec(
                (0u8..6, 0u8..3, 0i64..500, prop::option::of(1i64..60), 0u8..6),
                1..80,
            ),
            chunk in 1usize..9,
        ) {
            let rows: Vec<(Row, Option<UnitId>)> = rows
                .into_iter()
                .map(|(p, k, d, w, v)| row(p, k, d, w, v))
                .collect();
            let chunks: Vec<&[(Row, Option<UnitId>)]> = rows.chunks(chunk).collect();
            let rules = Rules::default_rules();
            let cx = MergeContext {
                organisation: OrganisationId(uuid::Uuid::nil()),
                seq: 1,
                today: today(),
            };

            // One step after the other.
            let mut alone = SimDb::default();
            let mut counts_alone = (0, 0, 0);
            for c in &chunks {
                let m = merge(c, alone.read(c), None, &rules, &cx, ImportCounts::default(), Mode::Alone);
                counts_alone.0 += m.counts.added;
                counts_alone.1 += m.counts.known;
                counts_alone.2 += m.counts.persons_added;
                alone.write(&m);
            }

            // Pipelined: chunk k + 1 read before chunk k is written, merged with k's overlay;
            // chunk k + 2 read after chunk k is written.
            let mut piped = SimDb::default();
            let mut counts_piped = (0, 0, 0);
            let mut reads: Vec<Option<Stored>> = chunks.iter().map(|_| None).collect();
            reads[0] = Some(piped.read(chunks[0]));
            let mut current = merge(
                chunks[0],
                reads[0].take().expect("read"),
                None,
                &rules,
                &cx,
                ImportCounts::default(),
                Mode::Pipelined,
            );
            if chunks.len() > 1 {
                reads[1] = Some(piped.read(chunks[1]));
            }
            for k in 0..chunks.len() {
                piped.write(&current);
                counts_piped.0 += current.counts.added;
                counts_piped.1 += current.counts.known;
                counts_piped.2 += current.counts.persons_added;
                if k + 2 < chunks.len() {
                    reads[k + 2] = Some(piped.read(chunks[k + 2]));
                }
                if k + 1 < chunks.len() {
                    current = merge(
                        chunks[k + 1],
                        reads[k + 1].take().expect("read ahead"),
                        Some(&current),
                        &rules,
                        &cx,
                        ImportCounts::default(),
                        Mode::Pipelined,
                    );
                }
            }

            prop_assert_eq!(counts_piped, counts_alone);
            prop_assert_eq!(piped.by_number(), alone.by_number());
        }
    }
}
