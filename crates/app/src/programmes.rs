//! The programmes directory every signed-in user may read: programmes, their participating
//! organisations and units. No person data.

use crate::{App, AppError};
use samverka_core::actor::Actor;
use samverka_store::org::{self, Organisation, Programme, Unit};

#[derive(Clone, Debug)]
pub struct ProgrammeOverview {
    pub programme: Programme,
    pub organisations: Vec<(Organisation, Vec<Unit>)>,
}

impl App {
    pub async fn programme_overview(
        &self,
        _actor: &Actor,
    ) -> Result<Vec<ProgrammeOverview>, AppError> {
        let mut tx = self.db.begin_read().await?;
        let programmes = org::list_programmes(&mut tx).await?;
        let organisations = org::list_organisations(&mut tx).await?;
        let mut out = Vec::with_capacity(programmes.len());
        for p in programmes {
            let mut orgs = Vec::new();
            for o in organisations
                .iter()
                .filter(|o| p.organisations.contains(&o.id))
            {
                let units = org::units_of(&mut tx, o.id).await?;
                orgs.push((o.clone(), units));
            }
            out.push(ProgrammeOverview {
                programme: p,
                organisations: orgs,
            });
        }
        Ok(out)
    }

    /// All organisations (names and sectors only), for anyone signed in.
    pub async fn organisation_directory(
        &self,
        _actor: &Actor,
    ) -> Result<Vec<Organisation>, AppError> {
        let mut tx = self.db.begin_read().await?;
        Ok(org::list_organisations(&mut tx).await?)
    }
}

impl App {
    /// The signed-in user's own memberships with names (their home page).
    pub async fn user_memberships(
        &self,
        actor: &Actor,
    ) -> Result<Vec<samverka_store::user::MembershipView>, AppError> {
        let mut tx = self.db.begin_read().await?;
        Ok(samverka_store::user::memberships(&mut tx, actor.user_id).await?)
    }
}
