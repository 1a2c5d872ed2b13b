//! Worklist items (flags) derived from signals by screening, what coordinators did with them
//! (first contact, dismissal), and the worklist query.
//!
//! Flags are derived data: screening rewrites them from the signal sets and the rules. Outcomes
//! are facts kept under the flag's identity (person, organisation, rule, key day) in a table of
//! their own, so no screening ever loses them.

use crate::person::check;
use crate::{StoreError, Tx, q};
use chrono::{DateTime, NaiveDate, Utc};
use samverka_core::national_id::NationalIdKind;
use samverka_core::policy::{Action, Grant};
use samverka_core::signal::SignalSet;
use samverka_core::{OrganisationId, PersonId, UnitId, UserId};
use serde_json::Value as J;
use uuid::Uuid;

/// What identifies a worklist item across screenings.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FlagKey {
    pub person_id: PersonId,
    pub organisation_id: OrganisationId,
    pub rule_id: String,
    pub key_on: NaiveDate,
}

/// A worklist item as screening derives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flag {
    pub key: FlagKey,
    pub target_group: String,
    pub priority: i64,
    pub due_on: NaiveDate,
    pub unit_id: Option<UnitId>,
    pub start_on: NaiveDate,
    pub other_on: Option<NaiveDate>,
    pub value: i64,
    pub code: String,
}

#[derive(sqlx::FromRow)]
struct FlagRow {
    person_id: Uuid,
    organisation_id: Uuid,
    rule_id: String,
    key_on: NaiveDate,
    target_group: String,
    priority: i64,
    due_on: NaiveDate,
    unit_id: Option<Uuid>,
    start_on: NaiveDate,
    other_on: Option<NaiveDate>,
    value: i64,
    code: String,
}

const FLAG_COLUMNS: &str = "f.person_id, f.organisation_id, f.rule_id, f.key_on, f.target_group, f.priority, f.due_on, f.unit_id, f.start_on, f.other_on, f.value, f.code";

impl From<FlagRow> for Flag {
    fn from(r: FlagRow) -> Flag {
        Flag {
            key: FlagKey {
                person_id: r.person_id.into(),
                organisation_id: r.organisation_id.into(),
                rule_id: r.rule_id,
                key_on: r.key_on,
            },
            target_group: r.target_group,
            priority: r.priority,
            due_on: r.due_on,
            unit_id: r.unit_id.map(Into::into),
            start_on: r.start_on,
            other_on: r.other_on,
            value: r.value,
            code: r.code,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Screening. These functions serve the screening job, which derives flags from signal sets and
// hands nothing to a user; what users see of flags goes through `worklist` and its grant.

/// One stored signal set as screening reads it.
pub struct StoredSet {
    pub person_id: PersonId,
    pub organisation_id: OrganisationId,
    pub birth_date: Option<NaiveDate>,
    pub set: SignalSet,
}

#[derive(sqlx::FromRow)]
struct StoredRow {
    person_id: Uuid,
    organisation_id: Uuid,
    birth_date: Option<NaiveDate>,
    data: Vec<u8>,
}

impl TryFrom<StoredRow> for StoredSet {
    type Error = StoreError;
    fn try_from(r: StoredRow) -> Result<StoredSet, StoreError> {
        Ok(StoredSet {
            person_id: r.person_id.into(),
            organisation_id: r.organisation_id.into(),
            birth_date: r.birth_date,
            set: SignalSet::decode(&r.data).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        })
    }
}

/// Every signal set, in pages of `page` rows ordered by person, handed to `each` page by page
/// (so the caller can work on one page while the next is read).
pub async fn for_each_set_page<F>(tx: &mut Tx, page: i64, mut each: F) -> Result<u64, StoreError>
where
    F: FnMut(Vec<StoredSet>) -> Result<(), StoreError>,
{
    let mut after: Option<(Uuid, Uuid)> = None;
    let mut n = 0u64;
    loop {
        let (p, o) = after.unwrap_or((Uuid::nil(), Uuid::nil()));
        let rows: Vec<StoredRow> = tx
            .fetch_all(q!(
                // A row value, not "a > x or (a = x and b > y)": both databases then start the
                // page in the primary key instead of scanning it from the start on every page.
                "select person_id, organisation_id, birth_date, data from signal_set
                 where (person_id, organisation_id) > ($1, $2)
                 order by person_id, organisation_id limit $3",
                p,
                o,
                page
            ))
            .await?;
        let Some(last) = rows.last() else { break };
        after = Some((last.person_id, last.organisation_id));
        n += rows.len() as u64;
        let full = rows.len() as i64 == page;
        each(
            rows.into_iter()
                .map(TryInto::try_into)
                .collect::<Result<_, _>>()?,
        )?;
        if !full {
            break;
        }
    }
    Ok(n)
}

/// One organisation's flags about these persons.
pub async fn flags_of_persons(
    tx: &mut Tx,
    organisation: OrganisationId,
    persons: &[PersonId],
) -> Result<Vec<Flag>, StoreError> {
    if persons.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<FlagRow> = match tx {
        Tx::Sqlite(c) => {
            let sql = format!(
                // CROSS JOIN fixes the order: without statistics SQLite takes the
                // organisation's index for cheap and walks every item of the organisation,
                // reading the whole id list for each (quadratic at a million items).
                "select {FLAG_COLUMNS} from json_each($1) j cross join flag f
                 on f.person_id = unhex(j.value) and f.organisation_id = $2"
            );
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(crate::signal::hex_ids(persons))
                .bind(organisation.0)
                .fetch_all(&mut **c)
                .await?
        }
        Tx::Postgres(c) => {
            let sql = format!(
                "select {FLAG_COLUMNS} from flag f where f.person_id = any($1)
                 and f.organisation_id = $2"
            );
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(persons.iter().map(|p| p.0).collect::<Vec<_>>())
                .bind(organisation.0)
                .fetch_all(&mut **c)
                .await?
        }
    };
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Every flag (for a full screening's comparison).
pub async fn all_flags(tx: &mut Tx) -> Result<Vec<Flag>, StoreError> {
    let rows: Vec<FlagRow> = tx
        .fetch_all(crate::Query {
            sql: format!("select {FLAG_COLUMNS} from flag f").into(),
            args: Vec::new(),
        })
        .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Writes screening's changes: new and changed flags, and flags no rule raises any more.
pub async fn write_flags(
    tx: &mut Tx,
    upsert: &[Flag],
    delete: &[FlagKey],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let now = crate::db::to_micros(now);
    for chunk in upsert.chunks(20_000) {
        match tx {
            Tx::Sqlite(c) => {
                let rows: Vec<J> = chunk
                    .iter()
                    .map(|f| {
                        J::Array(vec![
                            f.key.person_id.0.simple().to_string().into(),
                            f.key.organisation_id.0.simple().to_string().into(),
                            f.key.rule_id.clone().into(),
                            f.key.key_on.to_string().into(),
                            f.target_group.clone().into(),
                            f.priority.into(),
                            f.due_on.to_string().into(),
                            f.unit_id.map(|u| u.0.simple().to_string()).into(),
                            f.start_on.to_string().into(),
                            f.other_on.map(|d| d.to_string()).into(),
                            f.value.into(),
                            f.code.clone().into(),
                        ])
                    })
                    .collect();
                sqlx::query(
                    "insert into flag (person_id, organisation_id, rule_id, key_on, target_group,
                                       priority, due_on, unit_id, start_on, other_on, value, code,
                                       raised_at)
                     select unhex(value ->> 0), unhex(value ->> 1), value ->> 2, value ->> 3,
                            value ->> 4, value ->> 5, value ->> 6, unhex(value ->> 7),
                            value ->> 8, value ->> 9, value ->> 10, value ->> 11, $2
                     from json_each($1) where true
                     on conflict (person_id, organisation_id, rule_id, key_on) do update
                     set target_group = excluded.target_group, priority = excluded.priority,
                         due_on = excluded.due_on, unit_id = excluded.unit_id,
                         start_on = excluded.start_on, other_on = excluded.other_on,
                         value = excluded.value, code = excluded.code",
                )
                .bind(J::Array(rows).to_string())
                .bind(now)
                .execute(&mut **c)
                .await?;
            }
            Tx::Postgres(c) => {
                sqlx::query(
                    "insert into flag (person_id, organisation_id, rule_id, key_on, target_group,
                                       priority, due_on, unit_id, start_on, other_on, value, code,
                                       raised_at)
                     select u.*, $13 from unnest($1::uuid[], $2::uuid[], $3::text[], $4::date[],
                            $5::text[], $6::bigint[], $7::date[], $8::uuid[], $9::date[],
                            $10::date[], $11::bigint[], $12::text[]) u
                     on conflict (person_id, organisation_id, rule_id, key_on) do update
                     set target_group = excluded.target_group, priority = excluded.priority,
                         due_on = excluded.due_on, unit_id = excluded.unit_id,
                         start_on = excluded.start_on, other_on = excluded.other_on,
                         value = excluded.value, code = excluded.code",
                )
                .bind(chunk.iter().map(|f| f.key.person_id.0).collect::<Vec<_>>())
                .bind(
                    chunk
                        .iter()
                        .map(|f| f.key.organisation_id.0)
                        .collect::<Vec<_>>(),
                )
                .bind(
                    chunk
                        .iter()
                        .map(|f| f.key.rule_id.clone())
                        .collect::<Vec<_>>(),
                )
                .bind(chunk.iter().map(|f| f.key.key_on).collect::<Vec<_>>())
                .bind(
                    chunk
                        .iter()
                        .map(|f| f.target_group.clone())
                        .collect::<Vec<_>>(),
                )
                .bind(chunk.iter().map(|f| f.priority).collect::<Vec<_>>())
                .bind(chunk.iter().map(|f| f.due_on).collect::<Vec<_>>())
                .bind(
                    chunk
                        .iter()
                        .map(|f| f.unit_id.map(|u| u.0))
                        .collect::<Vec<_>>(),
                )
                .bind(chunk.iter().map(|f| f.start_on).collect::<Vec<_>>())
                .bind(chunk.iter().map(|f| f.other_on).collect::<Vec<_>>())
                .bind(chunk.iter().map(|f| f.value).collect::<Vec<_>>())
                .bind(chunk.iter().map(|f| f.code.clone()).collect::<Vec<_>>())
                .bind(now)
                .execute(&mut **c)
                .await?;
            }
        }
    }
    for chunk in delete.chunks(20_000) {
        match tx {
            Tx::Sqlite(c) => {
                let rows: Vec<J> = chunk
                    .iter()
                    .map(|k| {
                        J::Array(vec![
                            k.person_id.0.simple().to_string().into(),
                            k.organisation_id.0.simple().to_string().into(),
                            k.rule_id.clone().into(),
                            k.key_on.to_string().into(),
                        ])
                    })
                    .collect();
                sqlx::query(
                    "delete from flag where (person_id, organisation_id, rule_id, key_on) in
                     (select unhex(value ->> 0), unhex(value ->> 1), value ->> 2, value ->> 3
                      from json_each($1))",
                )
                .bind(J::Array(rows).to_string())
                .execute(&mut **c)
                .await?;
            }
            Tx::Postgres(c) => {
                sqlx::query(
                    "delete from flag where (person_id, organisation_id, rule_id, key_on) in
                     (select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::date[]))",
                )
                .bind(chunk.iter().map(|k| k.person_id.0).collect::<Vec<_>>())
                .bind(
                    chunk
                        .iter()
                        .map(|k| k.organisation_id.0)
                        .collect::<Vec<_>>(),
                )
                .bind(chunk.iter().map(|k| k.rule_id.clone()).collect::<Vec<_>>())
                .bind(chunk.iter().map(|k| k.key_on).collect::<Vec<_>>())
                .execute(&mut **c)
                .await?;
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// What coordinators did.

/// First contact with the person about an item, or its dismissal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutcomeKind {
    /// The person was reached: this stops the item's clock.
    Contact {
        on: NaiveDate,
        /// phone, meeting, letter, digital, home_visit
        channel: String,
    },
    Dismissal {
        reason: String,
    },
}

/// What was done with an item, by whom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub kind: OutcomeKind,
    pub recorded_by: UserId,
    pub recorded_by_name: String,
    pub recorded_unit: UnitId,
    pub recorded_at: DateTime<Utc>,
}

/// Records a first contact or dismissal for an item the grant's organisation may see. Needs a
/// `Contact` grant for the person. Refuses a second outcome for the same item.
pub async fn record_outcome(
    tx: &mut Tx,
    grant: &Grant,
    key: &FlagKey,
    kind: &OutcomeKind,
) -> Result<(), StoreError> {
    check(grant, Action::Contact, Some(key.person_id))?;
    let (k, on, channel, reason) = match kind {
        OutcomeKind::Contact { on, channel } => ("contact", Some(*on), Some(channel.clone()), None),
        OutcomeKind::Dismissal { reason } => ("dismissal", None, None, Some(reason.clone())),
    };
    tx.execute(q!(
        "insert into flag_outcome (person_id, organisation_id, rule_id, key_on, kind, contacted_on,
                                   channel, reason, recorded_by, recorded_unit, recorded_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        key.person_id,
        key.organisation_id,
        &key.rule_id,
        key.key_on,
        k,
        on,
        channel,
        reason,
        grant.user(),
        grant.unit(),
        grant.now()
    ))
    .await?;
    Ok(())
}

/// One item by its identity, with the person's identity and the outcome, for a `Contact` grant
/// on the person.
pub async fn item(
    tx: &mut Tx,
    grant: &Grant,
    key: &FlagKey,
) -> Result<Option<WorklistRow>, StoreError> {
    check(grant, Action::Contact, Some(key.person_id))?;
    let row: Option<WorklistDbRow> = tx
        .fetch_optional(crate::Query {
            sql: format!(
                "{WORKLIST_SELECT} where f.person_id = $1 and f.organisation_id = $2
                 and f.rule_id = $3 and f.key_on = $4"
            )
            .into(),
            args: vec![
                key.person_id.into(),
                key.organisation_id.into(),
                (&key.rule_id).into(),
                key.key_on.into(),
            ],
        })
        .await?;
    row.map(TryInto::try_into).transpose()
}

#[derive(sqlx::FromRow)]
struct OutcomeRow {
    kind: String,
    contacted_on: Option<NaiveDate>,
    channel: Option<String>,
    reason: Option<String>,
    recorded_by: Uuid,
    recorded_by_name: String,
    recorded_unit: Uuid,
    recorded_at: DateTime<Utc>,
}

impl TryFrom<OutcomeRow> for Outcome {
    type Error = StoreError;
    fn try_from(r: OutcomeRow) -> Result<Outcome, StoreError> {
        let kind = match (r.kind.as_str(), r.contacted_on, r.channel, r.reason) {
            ("contact", Some(on), Some(channel), _) => OutcomeKind::Contact { on, channel },
            ("dismissal", _, _, Some(reason)) => OutcomeKind::Dismissal { reason },
            (k, ..) => return Err(StoreError::Corrupt(format!("flag outcome `{k}`"))),
        };
        Ok(Outcome {
            kind,
            recorded_by: r.recorded_by.into(),
            recorded_by_name: r.recorded_by_name,
            recorded_unit: r.recorded_unit.into(),
            recorded_at: r.recorded_at,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// The worklist.

/// Which items a worklist shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Status {
    /// Neither contacted nor dismissed.
    #[default]
    Open,
    Contacted,
    Dismissed,
    All,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Contacted => "contacted",
            Status::Dismissed => "dismissed",
            Status::All => "all",
        }
    }
}

impl std::str::FromStr for Status {
    type Err = samverka_core::consent::UnknownCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "open" => Ok(Status::Open),
            "contacted" => Ok(Status::Contacted),
            "dismissed" => Ok(Status::Dismissed),
            "all" => Ok(Status::All),
            _ => Err(samverka_core::consent::UnknownCode(s.to_owned())),
        }
    }
}

/// The worklist query: a programme's scope, and the coordinator's filters.
#[derive(Clone, Debug, Default)]
pub struct WorklistQuery {
    /// The programme's organisations other than the reader's own: their items show only where a
    /// consent lets them (checked by the caller with the policy; this query only narrows down).
    pub other_organisations: Vec<OrganisationId>,
    /// The programme's target groups (empty: none, so nothing shows).
    pub target_groups: Vec<String>,
    /// Postal-code prefixes of the programme's area; empty: everyone.
    pub catchment: Vec<String>,
    pub target_group: Option<String>,
    pub rule: Option<String>,
    pub unit: Option<UnitId>,
    pub status: Status,
    pub limit: i64,
    pub offset: i64,
}

impl WorklistRow {
    /// The identity number as people write it (with its separator).
    pub fn national_id_display(&self) -> String {
        samverka_core::national_id::NationalId::from_normalized(
            self.national_id_kind,
            self.national_id.clone(),
        )
        .display()
    }
}

/// A worklist row: the item, the person's identity, and the outcome if any.
#[derive(Clone, Debug)]
pub struct WorklistRow {
    pub flag: Flag,
    pub national_id: String,
    pub national_id_kind: NationalIdKind,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: Option<NaiveDate>,
    pub outcome: Option<Outcome>,
    /// The name of the unit the item's signals came from, if the file named one.
    pub unit_name: Option<String>,
    /// Whether the person has any block recorded (lifted or not): only then must the caller
    /// load blocks to decide an item of its own organisation.
    pub has_blocks: bool,
}

#[derive(sqlx::FromRow)]
struct WorklistDbRow {
    #[sqlx(flatten)]
    flag: FlagRow,
    national_id: String,
    national_id_kind: String,
    given_name: String,
    family_name: String,
    birth_date: Option<NaiveDate>,
    unit_name: Option<String>,
    has_blocks: bool,
    kind: Option<String>,
    contacted_on: Option<NaiveDate>,
    channel: Option<String>,
    reason: Option<String>,
    recorded_by: Option<Uuid>,
    recorded_by_name: Option<String>,
    recorded_unit: Option<Uuid>,
    recorded_at: Option<DateTime<Utc>>,
}

/// Candidate rows of a coordinator's worklist, sorted by due date, then priority, then person:
/// the grant organisation's own items, and other programme organisations' items about persons
/// who have some consent naming the grant's organisation as receiver. The caller decides each
/// row with the policy (`Grant::sees_in_list`) before anything is shown. Needs a `Worklist`
/// grant.
pub async fn worklist(
    tx: &mut Tx,
    grant: &Grant,
    query: &WorklistQuery,
) -> Result<Vec<WorklistRow>, StoreError> {
    check(grant, Action::Worklist, None)?;
    if query.target_groups.is_empty() {
        return Ok(Vec::new());
    }
    // Two branches, each read in the worklist's order and cut at offset + limit: the reader's
    // own items walk the index on (organisation, target group, due date, priority) once per
    // target group and stop early; other organisations' items start from the consents that name
    // the reader's organisation, which are few. Merged here in the same order.
    let wanted = query.offset + query.limit;
    // The own branch reads one target group at a time, so that the walk never passes over items
    // of groups the programme does not work with (migration 0015).
    let mut own_groups: Vec<&String> = match &query.target_group {
        Some(g) => query.target_groups.iter().filter(|t| *t == g).collect(),
        None => query.target_groups.iter().collect(),
    };
    // A group named twice would be read twice, and its items shown twice.
    own_groups.sort_unstable();
    own_groups.dedup();
    // PostgreSQL cannot know how few of an organisation's items pass the person and outcome
    // filters, and estimates that a handful do: it would then read them all and sort them. The
    // index gives the order, so the own branch is planned without a sort: it walks the index
    // and stops at the page (PostgreSQL at 200,000 persons: 130 ms a page with the sort).
    if let Tx::Postgres(c) = tx {
        sqlx::query("set local enable_sort = off")
            .execute(&mut **c)
            .await?;
    }
    let own = own_items(tx, grant, query, &own_groups, wanted).await;
    // (After an error the transaction is over anyway, and the error is the one to report.)
    if let (Ok(_), Tx::Postgres(c)) = (&own, &mut *tx) {
        sqlx::query("set local enable_sort = on")
            .execute(&mut **c)
            .await?;
    }
    let mut rows = own?;
    if !query.other_organisations.is_empty() {
        let mut args = Vec::new();
        let sql = branch(grant, query, Branch::Others, &mut args);
        let limit = push_arg(wanted.into(), &mut args);
        let sql = format!(
            "{sql} order by f.due_on, f.priority, f.person_id, f.organisation_id, f.rule_id, f.key_on limit {limit}"
        );
        rows.extend(fetch_rows(tx, sql, args).await?);
        rows.sort_by(|a, b| order_key(a).cmp(&order_key(b)));
    }
    Ok(rows
        .into_iter()
        .skip(usize::try_from(query.offset).unwrap_or(0))
        .take(usize::try_from(query.limit).unwrap_or(0))
        .collect())
}

/// The reader's own items of `groups`, the first `limit` in the worklist's order. For one
/// organisation and one target group the order is the index flag_worklist_idx's, so each group's
/// walk reads items in order and stops at the limit instead of sorting every item.
async fn own_items(
    tx: &mut Tx,
    grant: &Grant,
    query: &WorklistQuery,
    groups: &[&String],
    limit: i64,
) -> Result<Vec<WorklistRow>, StoreError> {
    if groups.is_empty() {
        return Ok(Vec::new());
    }
    match tx {
        // One statement: SQLite merges the groups' ordered walks (a `UNION ALL` with an `ORDER
        // BY` is a merge of its arms, each in its index's order) and stops at the limit, so it
        // reads about `limit` items in all, not `limit` per group (with seven groups at a
        // million persons, 22.6 ms a page read group by group).
        Tx::Sqlite(_) => {
            let mut args = Vec::new();
            let arms: Vec<String> = groups
                .iter()
                .map(|g| branch(grant, query, Branch::Own(g), &mut args))
                .collect();
            let limit = push_arg(limit.into(), &mut args);
            // By position, as a compound statement's order must be: due_on, priority,
            // person_id, rule_id, key_on (the organisation is the reader's in every arm).
            let sql = format!(
                "{} order by 7, 6, 1, 3, 4 limit {limit}",
                arms.join(" union all ")
            );
            fetch_rows(tx, sql, args).await
        }
        // PostgreSQL plans such a union with a sort of every item. So each group's walk reads
        // only the items' keys, in index order and cut at the limit (an index-only scan), the
        // keys are merged and cut, and only then are the page's items read whole (one statement;
        // at 200,000 persons with seven groups 24 ms a page read whole group by group).
        Tx::Postgres(_) => {
            let mut args = Vec::new();
            let limit = push_arg(limit.into(), &mut args);
            let own = push_arg(grant.organisation().into(), &mut args);
            let arms: Vec<String> = groups
                .iter()
                .map(|g| {
                    let arm = branch_with(KEY_SELECT, grant, query, Branch::Own(g), &mut args);
                    format!(
                        "({arm} order by f.due_on, f.priority, f.person_id, f.rule_id, f.key_on limit {limit})"
                    )
                })
                .collect();
            let sql = format!(
                "with wanted as (select * from ({}) a order by 4, 5, 1, 2, 3 limit {limit})
                 {WORKLIST_SELECT}
                 join wanted w on w.person_id = f.person_id and w.rule_id = f.rule_id and w.key_on = f.key_on
                 where f.organisation_id = {own}",
                arms.join(" union all ")
            );
            let mut rows = fetch_rows(tx, sql, args).await?;
            rows.sort_by(|a, b| order_key(a).cmp(&order_key(b)));
            Ok(rows)
        }
    }
}

/// The keys and order of items, with what the worklist's filters read (person, outcome).
const KEY_SELECT: &str = "select f.person_id, f.rule_id, f.key_on, f.due_on, f.priority
     from flag f join person p on p.id = f.person_id
     left join flag_outcome o on o.person_id = f.person_id and o.organisation_id = f.organisation_id
          and o.rule_id = f.rule_id and o.key_on = f.key_on";

fn push_arg(v: crate::Value, args: &mut Vec<crate::Value>) -> String {
    args.push(v);
    format!("${}", args.len())
}

async fn fetch_rows(
    tx: &mut Tx,
    sql: String,
    args: Vec<crate::Value>,
) -> Result<Vec<WorklistRow>, StoreError> {
    let rows: Vec<WorklistDbRow> = tx
        .fetch_all(crate::Query {
            sql: sql.into(),
            args,
        })
        .await?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// The worklist's order: due date, priority, then the item's identity (a total order, so
/// pages never repeat or skip an item).
fn order_key(r: &WorklistRow) -> (NaiveDate, i64, &PersonId, &OrganisationId, &str, NaiveDate) {
    let f = &r.flag;
    (
        f.due_on,
        f.priority,
        &f.key.person_id,
        &f.key.organisation_id,
        f.key.rule_id.as_str(),
        f.key.key_on,
    )
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Branch<'a> {
    /// The reader's own items of one target group.
    Own(&'a str),
    /// Other programme organisations' items of the programme's target groups.
    Others,
}

/// One branch's statement without its order: the worklist's columns and the filters, with the
/// values appended to `args`.
fn branch(
    grant: &Grant,
    query: &WorklistQuery,
    which: Branch<'_>,
    args: &mut Vec<crate::Value>,
) -> String {
    branch_with(WORKLIST_SELECT, grant, query, which, args)
}

/// A branch's filters after `select` (which joins `flag f`, `person p` and `flag_outcome o`).
fn branch_with(
    select: &str,
    grant: &Grant,
    query: &WorklistQuery,
    which: Branch<'_>,
    args: &mut Vec<crate::Value>,
) -> String {
    let arg = push_arg;
    let own = arg(grant.organisation().into(), args);
    let mut filters = Vec::new();
    match which {
        Branch::Own(group) => {
            filters.push(format!("f.organisation_id = {own}"));
            let g = arg(group.into(), args);
            filters.push(format!("f.target_group = {g}"));
        }
        Branch::Others => {
            let others: Vec<String> = query
                .other_organisations
                .iter()
                .map(|o| arg((*o).into(), args))
                .collect();
            filters.push(format!("f.organisation_id in ({})", others.join(", ")));
            // A candidate only if a consent names the reader's organisation as receiver; the
            // policy decides the rest.
            filters.push(format!(
                "f.person_id in (select c.person_id from consent c
                    join consent_organisation co on co.consent_id = c.id
                    where co.direction = 'receive' and co.organisation_id = {own}
                    and c.withdrawn_at is null)"
            ));
        }
    }
    if which == Branch::Others {
        let groups: Vec<String> = query
            .target_groups
            .iter()
            .map(|g| arg(g.into(), args))
            .collect();
        filters.push(format!("f.target_group in ({})", groups.join(", ")));
    }
    if !query.catchment.is_empty() {
        let likes: Vec<String> = query
            .catchment
            .iter()
            .map(|p| {
                let a = arg(format!("{p}%").into(), args);
                format!("p.postal_code like {a}")
            })
            .collect();
        filters.push(format!("({})", likes.join(" or ")));
    }
    if let Some(g) = &query.target_group {
        let a = arg(g.into(), args);
        filters.push(format!("f.target_group = {a}"));
    }
    if let Some(r) = &query.rule {
        let a = arg(r.into(), args);
        filters.push(format!("f.rule_id = {a}"));
    }
    if let Some(u) = query.unit {
        let a = arg(u.into(), args);
        filters.push(format!("f.unit_id = {a}"));
    }
    match query.status {
        Status::Open => filters.push("o.kind is null".into()),
        Status::Contacted => filters.push("o.kind = 'contact'".into()),
        Status::Dismissed => filters.push("o.kind = 'dismissal'".into()),
        Status::All => {}
    }
    format!("{select}\n         where {}", filters.join(" and "))
}

/// The worklist's columns: the item, the person's identity, whether blocks exist, the outcome.
const WORKLIST_SELECT: &str = "select f.person_id, f.organisation_id, f.rule_id, f.key_on, f.target_group, f.priority, f.due_on, f.unit_id, f.start_on, f.other_on, f.value, f.code,
        p.national_id, p.national_id_kind, p.given_name, p.family_name, p.birth_date,
        un.name as unit_name,
        exists (select 1 from person_block b where b.person_id = f.person_id) as has_blocks,
        o.kind, o.contacted_on, o.channel, o.reason, o.recorded_by, u.display_name as recorded_by_name, o.recorded_unit, o.recorded_at
     from flag f join person p on p.id = f.person_id
     left join unit un on un.id = f.unit_id
     left join flag_outcome o on o.person_id = f.person_id and o.organisation_id = f.organisation_id
          and o.rule_id = f.rule_id and o.key_on = f.key_on
     left join app_user u on u.id = o.recorded_by";

impl TryFrom<WorklistDbRow> for WorklistRow {
    type Error = StoreError;
    fn try_from(r: WorklistDbRow) -> Result<WorklistRow, StoreError> {
        let outcome = match (r.kind, r.recorded_by, r.recorded_unit, r.recorded_at) {
            (Some(kind), Some(by), Some(unit), Some(at)) => Some(Outcome::try_from(OutcomeRow {
                kind,
                contacted_on: r.contacted_on,
                channel: r.channel,
                reason: r.reason,
                recorded_by: by,
                recorded_by_name: r.recorded_by_name.unwrap_or_default(),
                recorded_unit: unit,
                recorded_at: at,
            })?),
            _ => None,
        };
        Ok(WorklistRow {
            flag: r.flag.into(),
            national_id: r.national_id,
            national_id_kind: crate::person::parse_kind(&r.national_id_kind)?,
            given_name: r.given_name,
            family_name: r.family_name,
            birth_date: r.birth_date,
            outcome,
            unit_name: r.unit_name,
            has_blocks: r.has_blocks,
        })
    }
}
