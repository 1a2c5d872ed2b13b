//! The coordinator's worklist: items that rules raised from signals, for one programme, with
//! first contact and dismissal.
//!
//! Each item belongs to the organisation whose signals raised it. A coordinator sees their own
//! organisation's items, and another programme organisation's only where the person's valid
//! consent shares that organisation's information of that category with theirs (and no block
//! hides it): `Grant::sees_in_list` decides each row. Only persons in the programme's area and
//! target groups show. Every person shown is logged.

use crate::{App, AppError, FieldError};
use chrono::NaiveDate;
use samverka_core::actor::Actor;
use samverka_core::consent::Provenance;
use samverka_core::policy::{Action, Grant, Sight};
use samverka_core::rules::age_on;
use samverka_core::{OrganisationId, PersonId, ProgrammeId, UnitId};
use samverka_store::flag::{self, FlagKey, OutcomeKind, Status, WorklistQuery, WorklistRow};
use samverka_store::org::{self, Organisation, Programme, Unit};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Items per worklist page.
pub const PAGE_SIZE: i64 = 100;

/// The channels a first contact can be made through (locale keys `contact-channel-<code>`).
pub const CHANNELS: [&str; 6] = [
    "phone",
    "meeting",
    "video",
    "letter",
    "digital_message",
    "home_visit",
];

/// What the coordinator asked for.
#[derive(Clone, Debug, Default)]
pub struct WorklistFilter {
    pub programme: Option<ProgrammeId>,
    pub target_group: Option<String>,
    pub rule: Option<String>,
    pub unit: Option<UnitId>,
    pub status: Status,
    /// 0-based.
    pub page: u32,
    /// Items per page (default [`PAGE_SIZE`]).
    pub page_size: Option<i64>,
}

/// One row as shown.
#[derive(Clone, Debug)]
pub struct WorklistItem {
    pub row: WorklistRow,
    /// The name of the organisation whose signals raised the item.
    pub owner: String,
    pub age: Option<i32>,
    /// Days until due; negative when overdue.
    pub days_left: i64,
    /// Day N of the episode (first day is day 1), for items that count days from a start.
    pub day: i64,
}

impl WorklistItem {
    fn new(row: WorklistRow, owner: String, today: NaiveDate) -> WorklistItem {
        WorklistItem {
            owner,
            age: row.birth_date.map(|b| age_on(b, today)),
            days_left: (row.flag.due_on - today).num_days(),
            day: (today - row.flag.start_on).num_days() + 1,
            row,
        }
    }
}

/// The worklist page.
#[derive(Clone, Debug)]
pub struct WorklistPage {
    pub today: NaiveDate,
    /// Programmes the coordinator's organisation takes part in.
    pub programmes: Vec<Programme>,
    pub programme: Option<Programme>,
    /// Units of the coordinator's organisation, for the unit filter.
    pub units: Vec<Unit>,
    pub filter: WorklistFilter,
    pub items: Vec<WorklistItem>,
    pub has_more: bool,
}

impl App {
    /// The worklist of `filter.programme` (or the first programme the coordinator's organisation
    /// takes part in).
    pub async fn worklist(
        &self,
        actor: &Actor,
        filter: WorklistFilter,
    ) -> Result<WorklistPage, AppError> {
        let grant = self
            .authorize(actor, Action::Worklist, None, "worklist")
            .await?;
        let today = grant.today();
        let mut tx = self.db.begin_read().await?;
        let mut programmes: Vec<Programme> = org::list_programmes(&mut tx)
            .await?
            .into_iter()
            .filter(|p| p.active && p.organisations.contains(&grant.organisation()))
            .collect();
        programmes.sort_by(|a, b| a.name.cmp(&b.name));
        let programme = match filter.programme {
            Some(id) => Some(
                programmes
                    .iter()
                    .find(|p| p.id == id)
                    .cloned()
                    .ok_or(AppError::NotFound)?,
            ),
            None => programmes.first().cloned(),
        };
        let units: Vec<Unit> = org::units_of(&mut tx, grant.organisation())
            .await?
            .into_iter()
            .filter(|u| u.active)
            .collect();
        let Some(prog) = &programme else {
            return Ok(WorklistPage {
                today,
                programmes,
                programme,
                units,
                filter,
                items: Vec::new(),
                has_more: false,
            });
        };
        let organisations: HashMap<OrganisationId, Organisation> = org::list_organisations(&mut tx)
            .await?
            .into_iter()
            .map(|o| (o.id, o))
            .collect();
        let page_size = filter.page_size.unwrap_or(PAGE_SIZE).clamp(1, 1000);
        let query = WorklistQuery {
            other_organisations: prog
                .organisations
                .iter()
                .copied()
                .filter(|o| *o != grant.organisation())
                .collect(),
            target_groups: prog.target_groups.clone(),
            catchment: prog.catchment.clone(),
            target_group: filter.target_group.clone(),
            rule: filter.rule.clone(),
            unit: filter.unit,
            status: filter.status,
            limit: page_size + 1,
            offset: 0,
        };
        // Rows the policy hides are skipped, so read on until the page is full (and one more row
        // tells whether there is a next page). Usually the first read is all it takes.
        let mut items: Vec<WorklistItem> = Vec::new();
        let mut skip = i64::from(filter.page) * page_size;
        let batch = skip + page_size + 1;
        let mut offset = 0;
        let mut has_more = false;
        'pages: loop {
            let rows = flag::worklist(
                &mut tx,
                &grant,
                &WorklistQuery {
                    offset,
                    limit: batch,
                    ..query.clone()
                },
            )
            .await?;
            let fetched = rows.len() as i64;
            offset += fetched;
            let shown = self.visible(&mut tx, &grant, rows, &organisations).await?;
            for row in shown {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                if items.len() as i64 == page_size {
                    has_more = true;
                    break 'pages;
                }
                let owner = organisations
                    .get(&row.flag.key.organisation_id)
                    .map(|o| o.name.clone())
                    .unwrap_or_default();
                items.push(WorklistItem::new(row, owner, today));
            }
            if fetched < batch {
                break;
            }
        }
        drop(tx);
        let mut seen = HashSet::new();
        let entries: Vec<_> = items
            .iter()
            .filter(|i| seen.insert(i.row.flag.key.person_id))
            .map(|i| self.allowed(&grant, Some(i.row.flag.key.person_id), "worklist"))
            .collect();
        if !entries.is_empty() {
            self.log.write(entries).await?;
        }
        Ok(WorklistPage {
            today,
            programmes,
            programme,
            units,
            filter,
            items,
            has_more,
        })
    }

    /// The rows the policy lets the grant see (in their order).
    async fn visible(
        &self,
        tx: &mut samverka_store::Tx,
        grant: &Grant,
        rows: Vec<WorklistRow>,
        organisations: &HashMap<OrganisationId, Organisation>,
    ) -> Result<Vec<WorklistRow>, AppError> {
        // Facts are needed only where a consent or a block can change the answer.
        let needs: Vec<PersonId> = {
            let mut v: Vec<PersonId> = rows
                .iter()
                .filter(|r| r.has_blocks || r.flag.key.organisation_id != grant.organisation())
                .map(|r| r.flag.key.person_id)
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let consents = samverka_store::consent::consents_of_many(tx, &needs).await?;
        let blocks = samverka_store::consent::blocks_of_many(tx, &needs).await?;
        Ok(rows
            .into_iter()
            .filter(|r| {
                let p = r.flag.key.person_id;
                if !needs.contains(&p) {
                    return true;
                }
                let Some(owner) = organisations.get(&r.flag.key.organisation_id) else {
                    return false;
                };
                let item = provenance_of(&r.flag, owner);
                grant.sees_in_list(
                    consents.get(&p).map_or(&[], Vec::as_slice),
                    blocks.get(&p).map_or(&[], Vec::as_slice),
                    &item,
                ) == Sight::Shown
            })
            .collect())
    }

    /// Records a first contact (stops the item's clock) or dismisses an item.
    pub async fn record_outcome(
        &self,
        actor: &Actor,
        key: &FlagKey,
        input: &OutcomeInput,
    ) -> Result<(), AppError> {
        let what = match input {
            OutcomeInput::Contact { .. } => "first_contact",
            OutcomeInput::Dismissal { .. } => "dismissal",
        };
        let mut tx = self.db.begin().await?;
        let decided = self
            .check(&mut tx, actor, Action::Contact, Some(key.person_id), what)
            .await?;
        let grant = granted!(self, tx, decided);
        let Some(row) = flag::item(&mut tx, &grant, key).await? else {
            return Err(AppError::NotFound);
        };
        let (item, outcome) = (row.flag, row.outcome);
        let owner = org::get_organisation(&mut tx, key.organisation_id).await?;
        if grant.sees(&provenance_of(&item, &owner)) != Sight::Shown {
            drop(tx);
            return Err(self
                .refuse(self.refusal(&grant, Some(key.person_id), what, "not_shared"))
                .await);
        }
        if outcome.is_some() {
            return Err(AppError::invalid("outcome", "outcome-already-recorded"));
        }
        let kind = match input {
            OutcomeInput::Contact { on, channel } => {
                let mut problems = Vec::new();
                let on = match NaiveDate::parse_from_str(on.trim(), "%Y-%m-%d") {
                    Ok(d) if d > grant.today() => {
                        problems.push(FieldError::new("contacted_on", "date-in-future"));
                        None
                    }
                    Ok(d) if d < item.start_on => {
                        problems.push(FieldError::new("contacted_on", "contact-before-start"));
                        None
                    }
                    Ok(d) => Some(d),
                    Err(_) if on.trim().is_empty() => {
                        problems.push(FieldError::new("contacted_on", "field-required"));
                        None
                    }
                    Err(_) => {
                        problems.push(FieldError::new("contacted_on", "date-invalid"));
                        None
                    }
                };
                if !CHANNELS.contains(&channel.as_str()) {
                    problems.push(FieldError::new("channel", "contact-channel-unknown"));
                }
                match on {
                    Some(on) if problems.is_empty() => OutcomeKind::Contact {
                        on,
                        channel: channel.clone(),
                    },
                    _ => return Err(AppError::Invalid(problems)),
                }
            }
            OutcomeInput::Dismissal { reason } => {
                let reason = match samverka_core::validate::optional_text(reason, 1000) {
                    Ok(Some(r)) => r,
                    Ok(None) => return Err(AppError::invalid("reason", "field-required")),
                    Err(e) => return Err(AppError::invalid("reason", e.code())),
                };
                OutcomeKind::Dismissal { reason }
            }
        };
        flag::record_outcome(&mut tx, &grant, key, &kind)
            .await
            .map_err(|e| match e {
                samverka_store::StoreError::Conflict(_) => {
                    AppError::invalid("outcome", "outcome-already-recorded")
                }
                e => e.into(),
            })?;
        let entry = self.allowed(&grant, Some(key.person_id), what);
        self.commit_logged(tx, &[entry]).await
    }
}

impl App {
    /// One worklist item, for its page (the coordinator records first contact or dismisses
    /// there). Logged as a read of the person's worklist item.
    pub async fn worklist_item(
        &self,
        actor: &Actor,
        key: &FlagKey,
    ) -> Result<WorklistItem, AppError> {
        let what = "worklist_item";
        let mut tx = self.db.begin_read().await?;
        let decided = self
            .check(&mut tx, actor, Action::Contact, Some(key.person_id), what)
            .await?;
        let grant = granted!(self, tx, decided);
        let Some(row) = flag::item(&mut tx, &grant, key).await? else {
            return Err(AppError::NotFound);
        };
        let owner = org::get_organisation(&mut tx, key.organisation_id).await?;
        if grant.sees(&provenance_of(&row.flag, &owner)) != Sight::Shown {
            drop(tx);
            return Err(self
                .refuse(self.refusal(&grant, Some(key.person_id), what, "not_shared"))
                .await);
        }
        drop(tx);
        self.log
            .write(vec![self.allowed(&grant, Some(key.person_id), what)])
            .await?;
        Ok(WorklistItem::new(row, owner.name, grant.today()))
    }
}

/// A first contact or a dismissal as typed.
#[derive(Clone, Debug)]
pub enum OutcomeInput {
    Contact { on: String, channel: String },
    Dismissal { reason: String },
}

/// Where an item's information comes from, for the policy.
fn provenance_of(f: &flag::Flag, owner: &Organisation) -> Provenance {
    Provenance {
        organisation: owner.id,
        // An item without a unit cannot be hidden by a unit block; the nil id names no unit.
        unit: f.unit_id.unwrap_or(UnitId(Uuid::nil())),
        category: owner.sector.category(),
        recorded_on: f.start_on,
    }
}
