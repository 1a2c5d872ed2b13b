//! Meetings of a case and their invitations (`core::meeting`). Reading needs a `Read` grant for
//! the case's person, scheduling, answering and writing minutes an `Update` grant.

use crate::db::Tx;
use crate::person::check;
use crate::{StoreError, parse_code, q};
use chrono::{DateTime, Utc};
use samverka_core::meeting::{InvitationState, InviteeKind};
use samverka_core::policy::{Action, Grant};
use samverka_core::{CaseId, InviteeId, MeetingId, OrganisationId, UserId};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meeting {
    pub id: MeetingId,
    pub case_id: CaseId,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub place: String,
    pub video_link: Option<String>,
    pub agenda: String,
    pub minutes: Option<String>,
    pub created_by: UserId,
    pub created_by_organisation: OrganisationId,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invitee {
    pub id: InviteeId,
    pub meeting_id: MeetingId,
    pub kind: InviteeKind,
    pub user_id: Option<UserId>,
    pub name: String,
    pub state: InvitationState,
    pub answered_at: Option<DateTime<Utc>>,
}

/// A meeting with its invitations.
#[derive(Clone, Debug)]
pub struct MeetingView {
    pub meeting: Meeting,
    pub invitees: Vec<Invitee>,
}

fn person_grant(grant: &Grant, action: Action) -> Result<(), StoreError> {
    let person = grant.person().ok_or(StoreError::GrantMismatch)?;
    check(grant, action, Some(person))
}

#[derive(sqlx::FromRow)]
struct MeetingRow {
    id: Uuid,
    case_id: Uuid,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    place: String,
    video_link: Option<String>,
    agenda: String,
    minutes: Option<String>,
    created_by: Uuid,
    created_by_organisation: Uuid,
    created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct InviteeRow {
    id: Uuid,
    meeting_id: Uuid,
    kind: String,
    user_id: Option<Uuid>,
    name: String,
    state: String,
    answered_at: Option<DateTime<Utc>>,
}

/// The case's meetings, earliest first, with invitations. Needs a `Read` or `Update` grant for
/// the case's person.
pub async fn of_case(
    tx: &mut Tx,
    grant: &Grant,
    case: CaseId,
) -> Result<Vec<MeetingView>, StoreError> {
    if person_grant(grant, Action::Read).is_err() {
        person_grant(grant, Action::Update)?;
    }
    let rows: Vec<MeetingRow> = tx
        .fetch_all(q!(
            "select m.id, m.case_id, m.starts_at, m.ends_at, m.place, m.video_link, m.agenda,
                    m.minutes, m.created_by, m.created_by_organisation, m.created_at
             from case_meeting m join person_case c on c.id = m.case_id
             where m.case_id = $1 and c.person_id = $2
             order by m.starts_at, m.id",
            case,
            grant.person()
        ))
        .await?;
    let invitees: Vec<InviteeRow> = tx
        .fetch_all(q!(
            "select i.id, i.meeting_id, i.kind, i.user_id, i.name, i.state, i.answered_at
             from meeting_invitee i join case_meeting m on m.id = i.meeting_id
             where m.case_id = $1
             order by i.kind, i.name",
            case
        ))
        .await?;
    rows.into_iter()
        .map(|r| {
            let id: MeetingId = r.id.into();
            Ok(MeetingView {
                invitees: invitees
                    .iter()
                    .filter(|i| i.meeting_id == r.id)
                    .map(|i| {
                        Ok(Invitee {
                            id: i.id.into(),
                            meeting_id: id,
                            kind: parse_code("invitee kind", &i.kind)?,
                            user_id: i.user_id.map(Into::into),
                            name: i.name.clone(),
                            state: parse_code("invitation state", &i.state)?,
                            answered_at: i.answered_at,
                        })
                    })
                    .collect::<Result<_, StoreError>>()?,
                meeting: Meeting {
                    id,
                    case_id: r.case_id.into(),
                    starts_at: r.starts_at,
                    ends_at: r.ends_at,
                    place: r.place,
                    video_link: r.video_link,
                    agenda: r.agenda,
                    minutes: r.minutes,
                    created_by: r.created_by.into(),
                    created_by_organisation: r.created_by_organisation.into(),
                    created_at: r.created_at,
                },
            })
        })
        .collect()
}

/// The case and person of a meeting. Ids only.
pub async fn case_of(
    tx: &mut Tx,
    id: MeetingId,
) -> Result<Option<(CaseId, samverka_core::PersonId)>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Found {
        case_id: Uuid,
        person_id: Uuid,
    }
    let row: Option<Found> = tx
        .fetch_optional(q!(
            "select m.case_id, c.person_id from case_meeting m
             join person_case c on c.id = m.case_id where m.id = $1",
            id
        ))
        .await?;
    Ok(row.map(|r| (r.case_id.into(), r.person_id.into())))
}

/// Schedules a meeting with its invitations. Needs an `Update` grant for the case's person.
pub async fn insert(tx: &mut Tx, grant: &Grant, m: &MeetingView) -> Result<(), StoreError> {
    person_grant(grant, Action::Update)?;
    let x = &m.meeting;
    if x.created_by != grant.user() || x.created_by_organisation != grant.organisation() {
        return Err(StoreError::GrantMismatch);
    }
    crate::case::same_person(grant, crate::case::person_of(tx, x.case_id).await?)?;
    tx.execute(q!(
        "insert into case_meeting (id, case_id, starts_at, ends_at, place, video_link, agenda,
                                   created_by, created_by_organisation, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        x.id,
        x.case_id,
        x.starts_at,
        x.ends_at,
        &x.place,
        x.video_link.clone(),
        &x.agenda,
        x.created_by,
        x.created_by_organisation,
        x.created_at
    ))
    .await?;
    for i in &m.invitees {
        tx.execute(q!(
            "insert into meeting_invitee (id, meeting_id, kind, user_id, name, state)
             values ($1, $2, $3, $4, $5, $6)",
            i.id,
            x.id,
            i.kind.code(),
            i.user_id,
            &i.name,
            i.state.code()
        ))
        .await?;
    }
    Ok(())
}

/// Records an answer to an invitation of `meeting`; false if there is no such invitation.
/// Needs an `Update` grant for the case's person; the caller checked who may answer.
pub async fn answer(
    tx: &mut Tx,
    grant: &Grant,
    meeting: MeetingId,
    invitee: InviteeId,
    state: InvitationState,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    person_grant(grant, Action::Update)?;
    crate::case::same_person(grant, case_of(tx, meeting).await?.map(|(_, p)| p))?;
    let n = tx
        .execute(q!(
            "update meeting_invitee set state = $1, answered_at = $2
             where id = $3 and meeting_id = $4",
            state.code(),
            at,
            invitee,
            meeting
        ))
        .await?;
    Ok(n == 1)
}

/// Writes the minutes of a meeting. Needs an `Update` grant for the case's person.
pub async fn set_minutes(
    tx: &mut Tx,
    grant: &Grant,
    meeting: MeetingId,
    minutes: &str,
) -> Result<bool, StoreError> {
    person_grant(grant, Action::Update)?;
    crate::case::same_person(grant, case_of(tx, meeting).await?.map(|(_, p)| p))?;
    let n = tx
        .execute(q!(
            "update case_meeting set minutes = $1 where id = $2",
            minutes,
            meeting
        ))
        .await?;
    Ok(n == 1)
}
