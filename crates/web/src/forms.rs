//! Field errors of a form, translated, for templates.

use crate::context::Ctx;
use samverka_app::FieldError;

/// One translated problem with one field.
#[derive(Clone, Debug)]
pub struct FieldMessage {
    /// The field's name, which is also its element id.
    pub field: String,
    /// The message shown beside the field.
    pub message: String,
    /// The message in the summary at the top of the form: "Label: message", so that it makes
    /// sense out of context (a screen reader's list of links, for one).
    pub summary: String,
}

/// Translated messages per field, in the order found.
#[derive(Clone, Debug, Default)]
pub struct Errors(pub Vec<FieldMessage>);

/// The label of each form field that can be in error: one table, so that every form's error
/// summary names the field the same way as its label does.
fn label_key(field: &str) -> Option<&'static str> {
    Some(match field {
        "name" => "col-name",
        "sector" => "col-sector",
        "country" => "col-country",
        "active" => "col-status",
        "starts_on" => "programme-starts-on",
        "ends_on" => "programme-ends-on",
        "organisations" => "programme-organisations",
        "username" => "login-username",
        "display_name" => "user-display-name",
        "email" => "user-email",
        "password" => "login-password",
        "unit" => "col-unit",
        "role" => "col-role",
        "id_scheme" => "person-id-scheme",
        "national_id" => "person-national-id",
        "given_name" => "person-given-name",
        "family_name" => "person-family-name",
        "sex" => "person-sex",
        "street" => "person-street",
        "postal_code" => "person-postal-code",
        "city" => "person-city",
        "phone" => "person-phone",
        "preferred_language" => "person-language",
        "current_password" => "account-current-password",
        "new_password" => "account-new-password",
        "confirm_password" => "account-confirm-password",
        "code" => "totp-code",
        "q" => "persons-search-label",
        "file" => "import-file",
        "kind" => "import-kind",
        "contacted_on" => "worklist-contacted-on",
        "channel" => "worklist-channel",
        "outcome" => "worklist-outcome",
        "target_groups" => "programme-target-groups",
        "catchment" => "programme-catchment",
        "purpose" => "consent-purpose",
        "sharing" => "consent-sharing",
        "receiving" => "consent-receiving",
        "categories" => "consent-categories",
        "form" => "consent-form",
        "guardian" => "consent-guardian",
        "valid_from" => "consent-valid-from",
        "valid_to" => "consent-valid-to",
        "category" => "col-category",
        "body" => "notes-body",
        "scope" => "block-scope",
        "organisation" => "col-organisation",
        "from" => "block-from",
        "to" => "block-to",
        "requested_by" => "block-requested-by",
        "confirm" => "block-lift-confirm",
        "reason" => "emergency-reason",
        "comment" => "emergency-review-comment",
        "person" => "audit-person",
        "user" => "audit-user",
        "action" => "col-action",
        "member" => "teams-member",
        "programme" => "case-programme",
        "target_group" => "case-target-group",
        "coordinator" => "case-coordinator",
        "status" => "case-new-status",
        "goals" => "plan-goals",
        "needs" => "plan-needs",
        "others" => "plan-others",
        "responsible_organisation" => "plan-responsible-organisation",
        "next_follow_up" => "plan-next-follow-up",
        "interventions" => "plan-interventions",
        "what" => "task-what",
        "due_on" => "task-due",
        "starts_at" => "meeting-starts-at",
        "minutes_long" => "meeting-minutes-long",
        "place" => "meeting-place",
        "video_link" => "meeting-video-link",
        "agenda" => "meeting-agenda",
        "members" => "meeting-invite",
        "minutes" => "meeting-minutes",
        "decisions" => "meeting-decisions",
        "visibility" => "case-note-visibility",
        "cases_scope" => "cases-scope",
        _ => return None,
    })
}

impl Errors {
    pub fn new(ctx: &Ctx, errors: &[FieldError]) -> Errors {
        Errors(
            errors
                .iter()
                .map(|e| {
                    let message = ctx.ta(e.code, &e.args);
                    let summary = match label_key(e.field) {
                        Some(label) => format!("{}: {message}", ctx.t(label)),
                        None => message.clone(),
                    };
                    FieldMessage {
                        field: e.field.to_owned(),
                        message,
                        summary,
                    }
                })
                .collect(),
        )
    }

    pub fn of(&self, field: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|e| e.field == field)
            .map(|e| e.message.clone())
            .collect()
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|e| e.field == field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// All messages for a field in one line (one element, one id).
    pub fn joined(&self, field: &str) -> String {
        self.of(field).join(" ")
    }

    /// The same errors with `field` named `to`: for a form repeated once per row, whose input
    /// carries the row in its id (`reason-{task}`), so the summary links to that input.
    pub fn renamed(mut self, field: &str, to: &str) -> Errors {
        for e in &mut self.0 {
            if e.field == field {
                e.field = to.to_owned();
            }
        }
        self
    }

    /// Whether the input `field` of row `row` (id `{field}-{row}`) has errors.
    pub fn has_at(&self, field: &str, row: impl std::fmt::Display) -> bool {
        self.has(&format!("{field}-{row}"))
    }

    pub fn joined_at(&self, field: &str, row: impl std::fmt::Display) -> String {
        self.joined(&format!("{field}-{row}"))
    }

    /// The messages of the input or group `field` of row `row`, one by one.
    pub fn of_at(&self, field: &str, row: impl std::fmt::Display) -> Vec<String> {
        self.of(&format!("{field}-{row}"))
    }
}
