//! Notes: what a professional recorded about a person. Each belongs to its author's unit and
//! organisation and has a category, which is what consents and blocks speak of.

use crate::db::Tx;
use crate::person::check;
use crate::{StoreError, parse_code, q};
use chrono::{DateTime, NaiveDate, Utc};
use samverka_core::consent::{Category, Provenance};
use samverka_core::policy::{Action, Grant, Sight};
use samverka_core::{NoteId, OrganisationId, PersonId, UnitId, UserId};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub id: NoteId,
    pub person_id: PersonId,
    pub organisation_id: OrganisationId,
    pub unit_id: UnitId,
    pub author_id: UserId,
    pub category: Category,
    pub body: String,
    /// The day (deployment calendar) the information is from; blocks with a date range use it.
    pub recorded_on: NaiveDate,
    pub created_at: DateTime<Utc>,
}

impl Note {
    pub fn provenance(&self) -> Provenance {
        Provenance {
            organisation: self.organisation_id,
            unit: self.unit_id,
            category: self.category,
            recorded_on: self.recorded_on,
        }
    }
}

/// A note as a reader sees it, with who wrote it where.
#[derive(Clone, Debug)]
pub struct NoteView {
    pub note: Note,
    pub author_name: String,
    pub unit_name: String,
    pub organisation_name: String,
}

/// What a reader gets of a person's notes: those the grant shows, and whether any were hidden
/// by a block (the reader may know that, not what).
#[derive(Clone, Debug, Default)]
pub struct NotesSeen {
    pub shown: Vec<NoteView>,
    pub blocked: bool,
}

#[derive(sqlx::FromRow)]
struct NoteRow {
    id: Uuid,
    person_id: Uuid,
    organisation_id: Uuid,
    unit_id: Uuid,
    author_id: Uuid,
    category: String,
    body: String,
    recorded_on: NaiveDate,
    created_at: DateTime<Utc>,
    author_name: String,
    unit_name: String,
    organisation_name: String,
}

/// Records a note from the grant's unit and organisation. Needs a `Create` grant for the person.
pub async fn insert(tx: &mut Tx, grant: &Grant, n: &Note) -> Result<(), StoreError> {
    check(grant, Action::Create, Some(n.person_id))?;
    if n.organisation_id != grant.organisation() || n.unit_id != grant.unit() {
        return Err(StoreError::GrantMismatch);
    }
    tx.execute(q!(
        "insert into note (id, person_id, organisation_id, unit_id, author_id, category, body,
                           recorded_on, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        n.id,
        n.person_id,
        n.organisation_id,
        n.unit_id,
        n.author_id,
        n.category.code(),
        &n.body,
        n.recorded_on,
        n.created_at
    ))
    .await?;
    Ok(())
}

/// The person's notes that `grant` lets its holder see, newest first. Needs a `Read` grant.
pub async fn seen(tx: &mut Tx, grant: &Grant, person: PersonId) -> Result<NotesSeen, StoreError> {
    check(grant, Action::Read, Some(person))?;
    let rows: Vec<NoteRow> = tx
        .fetch_all(q!(
            "select n.id, n.person_id, n.organisation_id, n.unit_id, n.author_id, n.category, n.body,
                    n.recorded_on, n.created_at, u.display_name as author_name,
                    un.name as unit_name, o.name as organisation_name
             from note n
             join app_user u on u.id = n.author_id
             join unit un on un.id = n.unit_id
             join organisation o on o.id = n.organisation_id
             where n.person_id = $1 order by n.created_at desc, n.id desc",
            person
        ))
        .await?;
    let mut out = NotesSeen::default();
    for r in rows {
        let note = Note {
            id: r.id.into(),
            person_id: r.person_id.into(),
            organisation_id: r.organisation_id.into(),
            unit_id: r.unit_id.into(),
            author_id: r.author_id.into(),
            category: parse_code("category", &r.category)?,
            body: r.body,
            recorded_on: r.recorded_on,
            created_at: r.created_at,
        };
        match grant.sees(&note.provenance()) {
            Sight::Shown => out.shown.push(NoteView {
                note,
                author_name: r.author_name,
                unit_name: r.unit_name,
                organisation_name: r.organisation_name,
            }),
            Sight::Blocked => out.blocked = true,
            // Not even a count: that another organisation recorded something is itself secret.
            Sight::NotShared => {}
        }
    }
    Ok(out)
}
