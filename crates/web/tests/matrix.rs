//! The generated authorization matrix, over real HTTP, on SQLite (and PostgreSQL when
//! `SAMVERKA_TEST_POSTGRES` is set): every role × every person-data route × consent state
//! (none, valid, expired, withdrawn, another organisation's, another category, blocked) × on the
//! team or not × protected identity or not × emergency access or not. Each request is checked
//! twice: the answer (allowed or refused, and what it shows), and the access-log entry it left.

mod common;

use chrono::Duration;
use common::*;
use reqwest::StatusCode;
use samverka_core::actor::{Actor, Membership, Role};
use samverka_core::consent::{
    Block, BlockScope, Category, Consent, ConsentForm, EmergencyAccess, TeamMember,
};
use samverka_core::national_id::NationalId;
use samverka_core::org::Sector;
use samverka_core::policy::{self, AccessRequest, Action, Decision, Grant};
use samverka_core::{
    BlockId, ConsentId, EmergencyAccessId, NoteId, OrganisationId, PersonId, TeamMemberId, UnitId,
    UserId,
};
use samverka_store::log_search::{self, LogFilter};
use samverka_store::note::{self, Note};
use samverka_store::org::{self, Organisation, Unit};
use samverka_store::person::{self, Person};
use samverka_store::{Tx, consent};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ConsentCase {
    None,
    Valid,
    Expired,
    Withdrawn,
    OtherOrganisation,
    OtherCategory,
    Blocked,
}

const CONSENT_CASES: [ConsentCase; 7] = [
    ConsentCase::None,
    ConsentCase::Valid,
    ConsentCase::Expired,
    ConsentCase::Withdrawn,
    ConsentCase::OtherOrganisation,
    ConsentCase::OtherCategory,
    ConsentCase::Blocked,
];

#[derive(Clone, Copy, Debug)]
struct Scenario {
    consent: ConsentCase,
    team: bool,
    protected: bool,
    emergency: bool,
}

struct Subject {
    s: Scenario,
    id: PersonId,
    number: String,
    family_name: String,
    /// Another organisation's block (the "blocked" case).
    block: Option<BlockId>,
    /// Per reader: a consent of their own to withdraw, which changes nothing else.
    spare: std::collections::HashMap<UserId, ConsentId>,
}

/// A form POST of the matrix: path under the person, log `what`, fields.
type Write<'a> = (&'a str, &'a str, Vec<(&'a str, String)>);

/// What one request should have left in the log.
#[derive(Debug)]
struct Expect {
    action: &'static str,
    what: &'static str,
    person: Option<PersonId>,
    outcome: String,
}

fn actor(user: UserId, unit: UnitId, org: OrganisationId, role: Role) -> Actor {
    Actor {
        user_id: user,
        username: "x".into(),
        display_name: "x".into(),
        memberships: vec![Membership {
            unit_id: unit,
            organisation_id: org,
            role,
        }],
    }
}

fn grant(
    app: &samverka_app::App,
    a: &Actor,
    action: Action,
    person: Option<PersonId>,
    team: bool,
) -> Grant {
    let facts = person.map(|p| samverka_core::policy::PersonFacts {
        team: if team {
            vec![TeamMember {
                id: TeamMemberId::new(),
                person_id: p,
                user_id: Some(a.user_id),
                unit_id: a.memberships[0].unit_id,
                organisation_id: a.memberships[0].organisation_id,
                starts_on: app.today(),
                ended_at: None,
                added_by: None,
                created_at: app.now(),
            }]
        } else {
            Vec::new()
        },
        ..Default::default()
    });
    let f = policy::Facts {
        now: app.now(),
        today: app.today(),
        protected_identity_roles: &[],
        person: facts.as_ref(),
    };
    match policy::decide(a, &AccessRequest { action, person }, &f) {
        Decision::Allow(g) => g,
        Decision::Deny(r) => panic!("setup denied: {r:?}"),
    }
}

/// A valid Swedish personnummer for 1970-01-01 + n days.
fn number(n: usize) -> String {
    let birth =
        chrono::NaiveDate::from_ymd_opt(1960, 1, 1).expect("date") + Duration::days(n as i64 * 13);
    let first9 = format!("{}{:03}", birth.format("%y%m%d"), 100 + n % 800);
    let check = samverka_core::national_id::luhn_check_digit(&first9);
    format!("{}{first9}{check}", birth.format("%C"))
}

struct World {
    readers: Vec<(Role, String, UserId)>,
    subjects: Vec<Subject>,
    org_a: OrganisationId,
}

async fn insert_team(
    tx: &mut Tx,
    admin: &Actor,
    app: &samverka_app::App,
    p: PersonId,
    user: UserId,
    unit: UnitId,
    org: OrganisationId,
) {
    let g = grant(app, admin, Action::TeamAdmin, Some(p), false);
    consent::insert_team_member(
        tx,
        &g,
        &TeamMember {
            id: TeamMemberId::new(),
            person_id: p,
            user_id: Some(user),
            unit_id: unit,
            organisation_id: org,
            starts_on: app.today() - Duration::days(1),
            ended_at: None,
            added_by: None,
            created_at: app.now(),
        },
    )
    .await
    .expect("team");
}

async fn build(t: &TestApp) -> World {
    let app = &t.app;
    let now = app.now();
    let today = app.today();
    // Organisation A (the readers' own, t.unit) and B (social services, t.other_unit) exist;
    // C is a third organisation.
    let mut tx = app.db.begin().await.expect("tx");
    let a_unit = org::get_unit(&mut tx, t.unit).await.expect("unit");
    let b_unit = org::get_unit(&mut tx, t.other_unit).await.expect("unit");
    let c = Organisation {
        id: OrganisationId::new(),
        name: "Försäkringskassan Test".into(),
        sector: Sector::SocialInsurance,
        country: "SE".into(),
        active: true,
        created_at: now,
    };
    org::insert_organisation(&mut tx, &c).await.expect("org");
    org::insert_unit(
        &mut tx,
        &Unit {
            id: UnitId::new(),
            organisation_id: c.id,
            name: "FK".into(),
            active: true,
            created_at: now,
        },
    )
    .await
    .expect("unit");
    tx.commit().await.expect("commit");
    let (org_a, org_b) = (a_unit.organisation_id, b_unit.organisation_id);

    let mut readers = Vec::new();
    for role in Role::ALL {
        let name = format!("reader-{}", role.code());
        let id = t.user(&name, role).await;
        readers.push((role, name, id));
    }
    let author_a = t.user("author-a", Role::Professional).await;
    let author_b = t
        .user_in("author-b", Role::Professional, t.other_unit)
        .await;
    let admin_id = t.user("team-admin", Role::Administrator).await;
    let a_author = actor(author_a, t.unit, org_a, Role::Professional);
    let b_author = actor(author_b, t.other_unit, org_b, Role::Professional);
    let admin = actor(admin_id, t.unit, org_a, Role::Administrator);

    let mut subjects = Vec::new();
    let mut n = 0;
    let mut tx = app.db.begin().await.expect("tx");
    for consent_case in CONSENT_CASES {
        for team in [false, true] {
            for protected in [false, true] {
                for emergency in [false, true] {
                    n += 1;
                    let s = Scenario {
                        consent: consent_case,
                        team,
                        protected,
                        emergency,
                    };
                    let nid = NationalId::parse(
                        &number(n),
                        samverka_core::national_id::Scheme::Swedish,
                        today,
                    )
                    .expect("valid number");
                    let family_name = format!("Matrix{n:03}");
                    let p = Person {
                        id: PersonId::new(),
                        birth_date: nid.birth_date(),
                        national_id: nid,
                        given_name: "Testa".into(),
                        family_name: family_name.clone(),
                        sex: None,
                        street: Some("Gatan 1".into()),
                        postal_code: Some("58183".into()),
                        city: Some("Matrixstad".into()),
                        phone: None,
                        protected_identity: protected,
                        preferred_language: None,
                        interpreter_needed: false,
                        synthetic: false,
                        created_at: now,
                        created_by: None,
                    };
                    let create = grant(app, &a_author, Action::Create, None, false);
                    person::insert(&mut tx, &create, &p).await.expect("person");
                    // Both authors are on the team and write a note each.
                    insert_team(&mut tx, &admin, app, p.id, author_a, t.unit, org_a).await;
                    insert_team(&mut tx, &admin, app, p.id, author_b, t.other_unit, org_b).await;
                    for (who, cat, body) in [
                        (&a_author, Category::Health, "OWN-ORG-NOTE"),
                        (&b_author, Category::Social, "OTHER-ORG-NOTE"),
                    ] {
                        let g = grant(app, who, Action::Create, Some(p.id), true);
                        note::insert(
                            &mut tx,
                            &g,
                            &Note {
                                id: NoteId::new(),
                                person_id: p.id,
                                organisation_id: g.organisation(),
                                unit_id: g.unit(),
                                author_id: g.user(),
                                category: cat,
                                body: body.into(),
                                recorded_on: today,
                                created_at: now,
                            },
                        )
                        .await
                        .expect("note");
                    }
                    let bg = grant(app, &b_author, Action::Create, Some(p.id), true);
                    if consent_case != ConsentCase::None {
                        let (receiving, categories) = match consent_case {
                            ConsentCase::OtherOrganisation => (vec![c.id], vec![Category::Social]),
                            ConsentCase::OtherCategory => (vec![org_a], vec![Category::Health]),
                            _ => (vec![org_a], vec![Category::Social]),
                        };
                        let k = Consent {
                            id: ConsentId::new(),
                            person_id: p.id,
                            purpose: "matrix".into(),
                            sharing: vec![org_b],
                            receiving,
                            categories,
                            form: ConsentForm::Written,
                            guardian: None,
                            valid_from: today - Duration::days(100),
                            valid_to: (consent_case == ConsentCase::Expired)
                                .then(|| today - Duration::days(1)),
                            recorded_by: author_b,
                            recorded_by_organisation: org_b,
                            recorded_at: now - Duration::days(100),
                            withdrawn_at: (consent_case == ConsentCase::Withdrawn)
                                .then(|| now - Duration::hours(1)),
                            withdrawn_by: (consent_case == ConsentCase::Withdrawn)
                                .then_some(author_b),
                        };
                        consent::insert_consent(&mut tx, &bg, &k)
                            .await
                            .expect("consent");
                    }
                    let mut block = None;
                    if consent_case == ConsentCase::Blocked {
                        let bid = BlockId::new();
                        block = Some(bid);
                        consent::insert_block(
                            &mut tx,
                            &bg,
                            &Block {
                                id: bid,
                                person_id: p.id,
                                scope: BlockScope::Organisation(org_b),
                                from: None,
                                to: None,
                                recorded_by: author_b,
                                recorded_by_organisation: org_b,
                                recorded_at: now,
                                lifted_at: None,
                                lifted_by: None,
                            },
                        )
                        .await
                        .expect("block");
                    }
                    let mut spare = std::collections::HashMap::new();
                    for (_, _, reader) in &readers {
                        let k = Consent {
                            id: ConsentId::new(),
                            person_id: p.id,
                            purpose: "spare".into(),
                            sharing: vec![org_a],
                            receiving: vec![c.id],
                            categories: vec![Category::School],
                            form: ConsentForm::Digital,
                            guardian: None,
                            valid_from: today,
                            valid_to: None,
                            recorded_by: author_b,
                            recorded_by_organisation: org_b,
                            recorded_at: now,
                            withdrawn_at: None,
                            withdrawn_by: None,
                        };
                        consent::insert_consent(&mut tx, &bg, &k)
                            .await
                            .expect("consent");
                        spare.insert(*reader, k.id);
                        if team {
                            insert_team(&mut tx, &admin, app, p.id, *reader, t.unit, org_a).await;
                        }
                        if emergency {
                            // Written directly: the facts must exist for every role, also those
                            // that could never start one, so the policy is seen to ignore them.
                            let eg =
                                grant(app, &a_author, Action::EmergencyAccess, Some(p.id), false);
                            consent::insert_emergency(
                                &mut tx,
                                &eg,
                                &EmergencyAccess {
                                    id: EmergencyAccessId::new(),
                                    person_id: p.id,
                                    user_id: *reader,
                                    organisation_id: org_a,
                                    unit_id: t.unit,
                                    reason: "matrix emergency".into(),
                                    started_at: now - Duration::minutes(5),
                                    expires_at: now + Duration::hours(2),
                                    reviewed_at: None,
                                    reviewed_by: None,
                                    review_comment: None,
                                },
                            )
                            .await
                            .expect("emergency");
                        }
                    }
                    subjects.push(Subject {
                        s,
                        id: p.id,
                        number: p.national_id.as_str().to_owned(),
                        family_name,
                        block,
                        spare,
                    });
                }
            }
        }
    }
    tx.commit().await.expect("commit");
    World {
        readers,
        subjects,
        org_a,
    }
}

/// The log entries `user` left since `since`, via an auditor's grant.
async fn entries_since(
    t: &TestApp,
    user: UserId,
    since: chrono::DateTime<chrono::Utc>,
) -> Vec<(String, String, Option<PersonId>, String)> {
    let auditor = actor(
        UserId::new(),
        UnitId::new(),
        OrganisationId::new(),
        Role::Auditor,
    );
    let g = grant(&t.app, &auditor, Action::AuditSearch, None, false);
    t.app.log.flush().await.expect("flush");
    let mut tx = t.app.db.begin_read().await.expect("tx");
    let lines = log_search::search(
        &mut tx,
        &g,
        &LogFilter {
            user: Some(user),
            from: Some(since),
            ..LogFilter::default()
        },
        1000,
    )
    .await
    .expect("log");
    lines
        .into_iter()
        .map(|l| (l.action, l.what, l.person_id, l.outcome))
        .collect()
}

fn assert_logged(got: &[(String, String, Option<PersonId>, String)], e: &Expect, ctx: &str) {
    let found = got.iter().any(|(a, w, p, o)| {
        a == e.action
            && (w == e.what || w.starts_with(&format!("{}:", e.what)))
            && *p == e.person
            && *o == e.outcome
    });
    assert!(found, "{ctx}: expected log entry {e:?}, got {got:?}");
}

#[tokio::test]
async fn authorization_matrix() {
    let dbs = samverka_store::testing::TestDb::all()
        .await
        .expect("test databases");
    for db in dbs {
        let t = TestApp::start(db).await;
        let w = build(&t).await;
        let mut checked = 0usize;
        for (role, username, user_id) in &w.readers {
            let c = t.signed_in(username).await;
            let person_role = matches!(role, Role::Coordinator | Role::Professional);
            let csrf = c.get("/account").await.csrf();
            // The pages that list persons across the board: the review queue and the teams.
            for (path, action, what, allowed) in [
                (
                    "/audit/emergency",
                    "review",
                    "emergency_queue",
                    *role == Role::Auditor,
                ),
                (
                    "/admin/teams",
                    "team_admin",
                    "team_places",
                    *role == Role::Administrator,
                ),
            ] {
                let since = t.app.now();
                let r = c.get(path).await;
                let got = entries_since(&t, *user_id, since).await;
                let expect = Expect {
                    action,
                    what,
                    person: None,
                    outcome: if allowed {
                        "allowed".into()
                    } else {
                        "denied:role_not_permitted".into()
                    },
                };
                let want = if allowed {
                    StatusCode::OK
                } else {
                    StatusCode::FORBIDDEN
                };
                assert_eq!(r.status, want, "{role:?} {path}");
                assert_logged(&got, &expect, &format!("{role:?} {path}"));
            }
            for subj in &w.subjects {
                let s = subj.s;
                let ctx = format!("{role:?} {s:?} on {:?}", t.app.db.backend());
                let id = subj.id;
                let role_denied = || "denied:role_not_permitted".to_owned();
                let person_outcome = |allowed: bool, emergency_basis: bool| {
                    if !person_role {
                        role_denied()
                    } else if !allowed {
                        "denied:not_on_team".to_owned()
                    } else if emergency_basis {
                        "allowed:emergency".to_owned()
                    } else {
                        "allowed".to_owned()
                    }
                };
                let may_read = person_role && (s.team || s.emergency);
                let may_write = person_role && s.team;

                // 1. Read the record.
                let since = t.app.now();
                let r = c.get(&format!("/persons/{id}")).await;
                let got = entries_since(&t, *user_id, since).await;
                if may_read {
                    assert_eq!(r.status, StatusCode::OK, "{ctx}: read");
                    assert!(
                        r.body.contains("OWN-ORG-NOTE"),
                        "{ctx}: own organisation's note"
                    );
                    let shared = if s.team {
                        s.consent == ConsentCase::Valid
                    } else {
                        true // emergency access shows everything, blocked too
                    };
                    assert_eq!(
                        r.body.contains("OTHER-ORG-NOTE"),
                        shared,
                        "{ctx}: other organisation's note"
                    );
                    assert_eq!(
                        r.body
                            .contains("Some information about this person is blocked"),
                        s.consent == ConsentCase::Blocked && s.team,
                        "{ctx}: blocked notice"
                    );
                    assert_eq!(
                        r.body.contains("Protected identity"),
                        s.protected && *role == Role::Coordinator,
                        "{ctx}: protected flag"
                    );
                    assert_eq!(
                        !r.body.contains("Matrixstad"),
                        s.protected,
                        "{ctx}: address"
                    );
                    // That the other organisation works with the person is itself secret
                    // unless a valid consent lets it share with the reader's organisation.
                    let knows_of_b = !s.team
                        || matches!(
                            s.consent,
                            ConsentCase::Valid | ConsentCase::OtherCategory | ConsentCase::Blocked
                        );
                    let team = r.select_text("#team + ul li");
                    assert_eq!(
                        team.iter().any(|t| t.contains("Socialkontoret Test")),
                        knows_of_b,
                        "{ctx}: the other organisation's place on the team: {team:?}"
                    );
                } else {
                    assert_eq!(r.status, StatusCode::FORBIDDEN, "{ctx}: read");
                    assert!(
                        !r.body.contains("Testa"),
                        "{ctx}: nothing leaks in a refusal"
                    );
                }
                assert_logged(
                    &got,
                    &Expect {
                        action: "read",
                        what: "person_record",
                        person: Some(id),
                        outcome: person_outcome(may_read, !s.team),
                    },
                    &ctx,
                );

                // 2. Search by name: the person is found only when the user may see them.
                let since = t.app.now();
                let r = c.get(&format!("/persons?q={}", subj.family_name)).await;
                let got = entries_since(&t, *user_id, since).await;
                if person_role {
                    assert_eq!(r.status, StatusCode::OK, "{ctx}: search");
                    assert_eq!(
                        r.body.contains(&format!("/persons/{id}\"")),
                        may_read,
                        "{ctx}: search result"
                    );
                    if may_read {
                        assert_logged(
                            &got,
                            &Expect {
                                action: "search",
                                what: "person_search_result",
                                person: Some(id),
                                outcome: "allowed".into(),
                            },
                            &ctx,
                        );
                    } else {
                        assert!(
                            got.iter().all(|e| e.2.is_none()),
                            "{ctx}: no person logged for a search that showed none: {got:?}"
                        );
                        assert_logged(
                            &got,
                            &Expect {
                                action: "search",
                                what: "person_search",
                                person: None,
                                outcome: "allowed".into(),
                            },
                            &ctx,
                        );
                    }
                } else {
                    assert_eq!(r.status, StatusCode::FORBIDDEN, "{ctx}: search");
                    assert_logged(
                        &got,
                        &Expect {
                            action: "search",
                            what: "person_search",
                            person: None,
                            outcome: role_denied(),
                        },
                        &ctx,
                    );
                }

                // 3. Look up by exact number: identity only, for anyone working with persons.
                let since = t.app.now();
                let r = c.get(&format!("/persons?q={}", subj.number)).await;
                let got = entries_since(&t, *user_id, since).await;
                let may_lookup = person_role || *role == Role::Administrator;
                if may_lookup {
                    assert_eq!(r.status, StatusCode::OK, "{ctx}: lookup");
                    assert!(
                        r.body.contains(&subj.family_name),
                        "{ctx}: lookup shows identity"
                    );
                    assert!(
                        !r.body.contains("Matrixstad") && !r.body.contains("OTHER-ORG-NOTE"),
                        "{ctx}: identity only"
                    );
                    assert_logged(
                        &got,
                        &Expect {
                            action: "lookup",
                            what: "identity_lookup",
                            person: Some(id),
                            outcome: "allowed".into(),
                        },
                        &ctx,
                    );
                } else {
                    assert_eq!(r.status, StatusCode::FORBIDDEN, "{ctx}: lookup");
                    assert_logged(
                        &got,
                        &Expect {
                            action: "lookup",
                            what: "identity_lookup",
                            person: None,
                            outcome: role_denied(),
                        },
                        &ctx,
                    );
                }

                // 4-6. Record a note, a consent, a block: team members only.
                let writes: [Write; 3] = [
                    (
                        "notes",
                        "note",
                        vec![
                            ("category", "health".into()),
                            ("body", "matrix note".into()),
                        ],
                    ),
                    (
                        "consents",
                        "consent",
                        vec![
                            ("purpose", "matrix".into()),
                            ("sharing", w.org_a.to_string()),
                            ("receiving", w.org_a.to_string()),
                            ("categories", "school".into()),
                            ("form", "verbal".into()),
                        ],
                    ),
                    (
                        "blocks",
                        "block",
                        vec![
                            ("requested_by", "person".into()),
                            ("scope", "category".into()),
                            ("category", "school".into()),
                        ],
                    ),
                ];
                for (path, what, fields) in writes {
                    let since = t.app.now();
                    let mut form: Vec<(&str, &str)> =
                        fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    form.push(("csrf", &csrf));
                    let r = c.post_raw(&format!("/persons/{id}/{path}"), &form).await;
                    let got = entries_since(&t, *user_id, since).await;
                    if may_write {
                        assert_eq!(r.status, StatusCode::SEE_OTHER, "{ctx}: {what}: {}", r.body);
                    } else {
                        assert_eq!(r.status, StatusCode::FORBIDDEN, "{ctx}: {what}");
                    }
                    assert_logged(
                        &got,
                        &Expect {
                            action: "create",
                            what,
                            person: Some(id),
                            outcome: person_outcome(may_write, false),
                        },
                        &ctx,
                    );
                }

                // 7. Withdraw a consent: team members only.
                let cid = subj.spare[user_id];
                let since = t.app.now();
                let r = c
                    .post_raw(
                        &format!("/persons/{id}/consents/{cid}/withdraw"),
                        &[("csrf", &csrf)],
                    )
                    .await;
                let got = entries_since(&t, *user_id, since).await;
                if may_write {
                    assert_eq!(r.status, StatusCode::SEE_OTHER, "{ctx}: withdraw");
                } else {
                    assert_eq!(r.status, StatusCode::FORBIDDEN, "{ctx}: withdraw");
                }
                assert_logged(
                    &got,
                    &Expect {
                        action: "update",
                        what: "consent_withdrawal",
                        person: Some(id),
                        outcome: person_outcome(may_write, false),
                    },
                    &ctx,
                );

                // Lift another organisation's block: refused for those off the team; for team
                // members the block is not theirs to lift (only its organisation may), so 404.
                if let Some(bid) = subj.block {
                    let since = t.app.now();
                    let r = c
                        .post_raw(
                            &format!("/persons/{id}/blocks/{bid}/lift"),
                            &[("confirm", "yes"), ("csrf", &csrf)],
                        )
                        .await;
                    let got = entries_since(&t, *user_id, since).await;
                    if may_write {
                        assert_eq!(r.status, StatusCode::NOT_FOUND, "{ctx}: lift");
                        assert!(
                            got.iter().all(|e| e.0 != "update"),
                            "{ctx}: nothing lifted, nothing logged"
                        );
                    } else {
                        assert_eq!(r.status, StatusCode::FORBIDDEN, "{ctx}: lift");
                        assert_logged(
                            &got,
                            &Expect {
                                action: "update",
                                what: "block_lift",
                                person: Some(id),
                                outcome: person_outcome(false, false),
                            },
                            &ctx,
                        );
                    }
                }

                // 8. Start an emergency access: any professional, with a reason.
                let since = t.app.now();
                let r = c
                    .post_raw(
                        &format!("/persons/{id}/emergency"),
                        &[("reason", "matrix: unconscious at the ER"), ("csrf", &csrf)],
                    )
                    .await;
                let got = entries_since(&t, *user_id, since).await;
                if person_role {
                    assert_eq!(r.status, StatusCode::SEE_OTHER, "{ctx}: emergency");
                    assert_logged(
                        &got,
                        &Expect {
                            action: "emergency_access",
                            what: "emergency_access",
                            person: Some(id),
                            outcome: "allowed:emergency".into(),
                        },
                        &ctx,
                    );
                } else {
                    assert_eq!(r.status, StatusCode::FORBIDDEN, "{ctx}: emergency");
                    assert_logged(
                        &got,
                        &Expect {
                            action: "emergency_access",
                            what: "emergency_access",
                            person: Some(id),
                            outcome: role_denied(),
                        },
                        &ctx,
                    );
                }

                // 9-12. The access log about the person, as a page and as CSV, and their access
                // history, as a page and as CSV: auditors only.
                for (path, action, what) in [
                    ("/audit?person=", "audit_search", "access_log_search"),
                    ("/audit/log.csv?person=", "export", "access_log_csv"),
                    ("/audit/history?person=", "export", "access_history"),
                    ("/audit/history.csv?person=", "export", "access_history_csv"),
                ] {
                    let since = t.app.now();
                    let r = c.get(&format!("{path}{}", subj.number)).await;
                    let got = entries_since(&t, *user_id, since).await;
                    if *role == Role::Auditor {
                        assert_eq!(r.status, StatusCode::OK, "{ctx}: {what}");
                        assert_logged(
                            &got,
                            &Expect {
                                action,
                                what,
                                person: Some(id),
                                outcome: "allowed".into(),
                            },
                            &ctx,
                        );
                    } else {
                        assert_eq!(r.status, StatusCode::FORBIDDEN, "{ctx}: {what}");
                        assert_logged(
                            &got,
                            &Expect {
                                action,
                                what,
                                person: None,
                                outcome: role_denied(),
                            },
                            &ctx,
                        );
                    }
                }
                checked += 1;
            }
        }
        assert_eq!(checked, Role::ALL.len() * 56);
        t.finish().await;
    }
}
