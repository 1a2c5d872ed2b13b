//! The case's coordinated individual plan: versions, saving a new one (refused when someone
//! saved first), agreement by each participating organisation and the person, comparison of two
//! versions. Who may read it is who may read the case's details: on the team, and the case's
//! organisation's information shared with them (their own, or under consent).

use crate::admin::parse_date;
use crate::error::Problems;
use crate::{App, AppError, FieldError};
use chrono::NaiveDate;
use samverka_core::actor::{Actor, Role};
use samverka_core::plan::{Intervention, InterventionStatus, Party, PlanContent};
use samverka_core::policy::{Action, Grant};
use samverka_core::{CaseId, OrganisationId, PersonId, PlanId};
use samverka_store::case::{self, CaseView};
use samverka_store::org::{self, Organisation};
use samverka_store::plan::{self, PlanVersion, VersionView};
use samverka_store::{StoreError, Tx, person};

/// Empty intervention rows the form offers below the plan's own.
pub const BLANK_ROWS: usize = 3;

/// The plan of a case, every version.
#[derive(Clone, Debug)]
pub struct PlanPage {
    pub case_id: CaseId,
    pub person_id: PersonId,
    pub person_name: String,
    pub case: CaseView,
    pub versions: Vec<VersionView>,
    /// The programme's organisations: who may take on an intervention or the responsibility.
    pub organisations: Vec<Organisation>,
    /// The reader's organisation, for whose agreement they may record.
    pub reader_organisation: OrganisationId,
    /// The reader may save a new version (on the team, working with persons, case open).
    pub may_edit: bool,
    /// The reader may record the person's agreement (a coordinator of the case's organisation).
    pub may_record_person: bool,
}

/// One intervention row as typed.
#[derive(Clone, Debug, Default)]
pub struct InterventionInput {
    pub what: String,
    pub organisation: String,
    pub responsible: String,
    pub starts_on: String,
    pub ends_on: String,
    pub status: String,
}

impl InterventionInput {
    /// A row left empty (the status alone does not count: it has a default).
    pub fn is_blank(&self) -> bool {
        [
            &self.what,
            &self.organisation,
            &self.responsible,
            &self.starts_on,
            &self.ends_on,
        ]
        .iter()
        .all(|s| s.trim().is_empty())
    }
}

/// The plan form as typed. `based_on` is the version the form was filled in from (0: none yet).
#[derive(Clone, Debug, Default)]
pub struct PlanInput {
    pub based_on: String,
    pub goals: String,
    pub needs: String,
    pub others: String,
    pub responsible_organisation: String,
    pub next_follow_up: String,
    pub interventions: Vec<InterventionInput>,
}

fn row_error(p: &mut Problems, code: &'static str, row: usize) {
    p.push(FieldError::with_args(
        "interventions",
        code,
        vec![("row", row.to_string())],
    ));
}

fn row_date(p: &mut Problems, s: &str, row: usize) -> Option<NaiveDate> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) if (1900..=9999).contains(&chrono::Datelike::year(&d)) => Some(d),
        _ => {
            row_error(p, "plan-intervention-date-invalid", row);
            None
        }
    }
}

/// Checks the form against the programme's organisations; the content to save.
fn read_plan(
    p: &mut Problems,
    input: &PlanInput,
    organisations: &[Organisation],
) -> Option<PlanContent> {
    let org = |s: &str| -> Option<OrganisationId> {
        s.trim()
            .parse()
            .ok()
            .filter(|id| organisations.iter().any(|o| o.id == *id))
    };
    let goals = p
        .required_text("goals", &input.goals, 4000)
        .unwrap_or_default();
    let needs = p
        .take(
            "needs",
            samverka_core::validate::optional_text(&input.needs, 4000),
        )
        .flatten()
        .unwrap_or_default();
    let others = p
        .take(
            "others",
            samverka_core::validate::optional_text(&input.others, 4000),
        )
        .flatten()
        .unwrap_or_default();
    let responsible_organisation = match input.responsible_organisation.trim() {
        "" => None,
        s => {
            let o = org(s);
            if o.is_none() {
                p.push(FieldError::new(
                    "responsible_organisation",
                    "plan-organisation-unknown",
                ));
            }
            o
        }
    };
    let next_follow_up = parse_date(p, "next_follow_up", &input.next_follow_up, false);
    let mut interventions = Vec::new();
    for (i, r) in input.interventions.iter().enumerate() {
        let row = i + 1;
        if r.is_blank() {
            continue;
        }
        let what = r.what.trim();
        if what.is_empty() {
            row_error(p, "plan-intervention-what-required", row);
        } else if what.chars().count() > 500 {
            row_error(p, "plan-intervention-too-long", row);
        }
        let responsible = r.responsible.trim();
        if responsible.chars().count() > 200 {
            row_error(p, "plan-intervention-responsible-too-long", row);
        }
        let organisation = org(&r.organisation);
        if organisation.is_none() {
            row_error(p, "plan-intervention-organisation-required", row);
        }
        let starts_on = row_date(p, &r.starts_on, row);
        let ends_on = row_date(p, &r.ends_on, row);
        if let (Some(s), Some(e)) = (starts_on, ends_on)
            && e < s
        {
            row_error(p, "plan-intervention-ends-before-start", row);
        }
        let status = match r.status.trim() {
            "" => Some(InterventionStatus::Planned),
            s => s.parse().ok(),
        };
        if status.is_none() {
            row_error(p, "plan-intervention-status-unknown", row);
        }
        if let (Some(organisation), Some(status), false) = (organisation, status, what.is_empty()) {
            interventions.push(Intervention {
                what: what.to_owned(),
                organisation,
                responsible: responsible.to_owned(),
                starts_on,
                ends_on,
                status,
            });
        }
    }
    Some(PlanContent {
        goals,
        needs,
        interventions,
        others,
        responsible_organisation,
        next_follow_up,
    })
}

/// A case an action was allowed on ([`App::case_access`]).
pub(crate) struct CaseAccess {
    pub grant: Grant,
    pub view: CaseView,
    /// The person's team places (ended ones too), as the decision read them: under the person's
    /// lock for a change, so they hold until it commits.
    pub team: Vec<samverka_core::consent::TeamMember>,
}

impl App {
    /// The case's person and the case, for an action on the case (its plan, tasks, meetings,
    /// notes): refused (and logged) unless the reader may see the case's details.
    pub(crate) async fn case_access(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        id: CaseId,
        action: Action,
        what: &str,
    ) -> Result<Result<CaseAccess, crate::access::Denied>, AppError> {
        let person_id = case::person_of(tx, id).await?.ok_or(AppError::NotFound)?;
        let (grant, facts) = match self
            .check_with_facts(tx, actor, action, Some(person_id), what)
            .await?
        {
            Ok(g) => g,
            Err(d) => return Ok(Err(d)),
        };
        let view = case::get(tx, &grant, id).await?;
        if !grant.knows_of(view.case.organisation_id) {
            return Ok(Err(self.refusal(
                &grant,
                Some(person_id),
                what,
                "not_shared",
            )));
        }
        Ok(Ok(CaseAccess {
            grant,
            view,
            team: facts.map(|f| f.team).unwrap_or_default(),
        }))
    }

    /// The plan page: every version with its agreements.
    pub async fn plan_page(&self, actor: &Actor, id: CaseId) -> Result<PlanPage, AppError> {
        let mut tx = self.db.begin_read().await?;
        let CaseAccess { grant, view, .. } = granted!(
            self,
            tx,
            self.case_access(&mut tx, actor, id, Action::Read, "plan")
                .await?
        );
        let person_id = view.case.person_id;
        let versions = plan::versions(&mut tx, &grant, id).await?;
        let person_name = person::display_name(&mut tx, &grant, person_id).await?;
        let programme = org::get_programme(&mut tx, view.case.programme_id).await?;
        let organisations = org::list_organisations(&mut tx)
            .await?
            .into_iter()
            .filter(|o| programme.organisations.contains(&o.id))
            .collect();
        drop(tx);
        self.log
            .write(vec![self.allowed(&grant, Some(person_id), "plan")])
            .await?;
        let open = view.case.status.is_open();
        let may_record_person = open
            && view.case.organisation_id == grant.organisation()
            && actor.coordinates_in(view.case.organisation_id);
        Ok(PlanPage {
            case_id: id,
            person_id,
            person_name,
            reader_organisation: grant.organisation(),
            may_edit: open,
            may_record_person,
            case: view,
            versions,
            organisations,
        })
    }

    /// Saves the form as the plan's next version. Refused, changing nothing, when another
    /// version was saved since the form was filled in.
    pub async fn save_plan(
        &self,
        actor: &Actor,
        id: CaseId,
        input: &PlanInput,
    ) -> Result<i64, AppError> {
        let mut tx = self.db.begin().await?;
        let CaseAccess { grant, view, .. } = granted!(
            self,
            tx,
            self.case_access(&mut tx, actor, id, Action::Update, "plan_version")
                .await?
        );
        if !view.case.status.is_open() {
            return Err(AppError::invalid("goals", "case-closed-already"));
        }
        let programme = org::get_programme(&mut tx, view.case.programme_id).await?;
        let organisations: Vec<Organisation> = org::list_organisations(&mut tx)
            .await?
            .into_iter()
            .filter(|o| programme.organisations.contains(&o.id))
            .collect();
        let mut p = Problems::default();
        let content = read_plan(&mut p, input, &organisations);
        p.finish()?;
        let content = content.ok_or_else(|| AppError::Internal("plan lost".into()))?;
        let latest = plan::versions(&mut tx, &grant, id)
            .await?
            .last()
            .map_or(0, |v| v.plan.version);
        if input.based_on.trim().parse::<i64>().ok() != Some(latest) {
            return Err(AppError::invalid("based_on", "plan-changed-meanwhile"));
        }
        let version = PlanVersion {
            id: PlanId::new(),
            case_id: id,
            version: latest + 1,
            content,
            created_at: self.now(),
            created_by: grant.user(),
            created_by_organisation: grant.organisation(),
        };
        plan::insert_version(&mut tx, &grant, &version)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => AppError::invalid("based_on", "plan-changed-meanwhile"),
                e => e.into(),
            })?;
        self.commit_logged(
            tx,
            &[self.allowed(&grant, Some(view.case.person_id), "plan_version")],
        )
        .await?;
        Ok(version.version)
    }

    /// Records an agreement to a version: the reader's own organisation's, or (a coordinator of
    /// the case's organisation) the person's.
    pub async fn agree_to_plan(
        &self,
        actor: &Actor,
        id: CaseId,
        version: i64,
        party: &str,
    ) -> Result<(), AppError> {
        let mut tx = self.db.begin().await?;
        let CaseAccess { grant, view, .. } = granted!(
            self,
            tx,
            self.case_access(&mut tx, actor, id, Action::Update, "plan_agreement")
                .await?
        );
        let person_id = view.case.person_id;
        let versions = plan::versions(&mut tx, &grant, id).await?;
        let Some(v) = versions.iter().find(|v| v.plan.version == version) else {
            return Err(AppError::NotFound);
        };
        let party: Party = party
            .parse()
            .map_err(|_| AppError::invalid("party", "plan-party-unknown"))?;
        let allowed = match party {
            Party::Person => {
                view.case.organisation_id == grant.organisation()
                    && grant.role() == Role::Coordinator
            }
            Party::Organisation(o) => o == grant.organisation(),
        };
        if !allowed {
            drop(tx);
            return Err(self
                .refuse(self.refusal(&grant, Some(person_id), "plan_agreement", "not_party"))
                .await);
        }
        if !v
            .plan
            .content
            .parties(view.case.organisation_id)
            .contains(&party)
        {
            return Err(AppError::invalid("party", "plan-party-not-participating"));
        }
        if !plan::agree(&mut tx, &grant, v.plan.id, party, self.now()).await? {
            return Err(AppError::invalid("party", "plan-already-agreed"));
        }
        self.commit_logged(
            tx,
            &[self.allowed(&grant, Some(person_id), "plan_agreement")],
        )
        .await
    }
}
