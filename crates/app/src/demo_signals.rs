//! The demo's signals: synthetic signal files (`core::synthetic_signals`, as `samverka generate`
//! writes them) for the demo persons, imported through the ordinary import path by the
//! organisation that would supply each kind in each town, so the worklists fill as they would
//! in a deployment.

use crate::{App, AppError};
use samverka_core::OrganisationId;
use samverka_core::actor::Actor;
use samverka_core::signal::SignalKind;
use samverka_core::synthetic::SyntheticPerson;
use samverka_core::synthetic_signals::{Options, write_signals};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// Set once the demo's signals are imported.
pub const DEMO_SIGNALS_SETTING: &str = "demo_signals";

/// The town whose organisations serve `city` (Odense's districts are Odense's).
fn town(city: &str) -> &str {
    if city.starts_with("Odense") {
        "Odense"
    } else {
        city
    }
}

/// Which demo organisation supplies `kind` for persons of `city` (None: nobody there does).
pub fn supplier(city: &str, kind: SignalKind) -> Option<&'static str> {
    use SignalKind::*;
    Some(match (town(city), kind) {
        ("Linköping", SickLeave | Screening) => "ro-primarvard",
        ("Linköping", IncomeSupport) => "lkpg-social",
        ("Linköping", Admission | EmergencyVisit) => "ro-us",
        ("Linköping", SchoolAbsence) => "lkpg-elevhalsa",
        ("Halmstad", SickLeave | Screening) => "rh-andersberg",
        ("Halmstad", IncomeSupport) => "halmstad-social",
        ("Härnösand", SickLeave | Screening) => "rvn-primarvard",
        ("Härnösand", IncomeSupport) => "hsand-social",
        ("Härnösand", Admission | EmergencyVisit) => "rvn-lanssjukhuset",
        ("Härnösand", SchoolAbsence) => "hsand-elevhalsa",
        ("Linköping" | "Halmstad" | "Härnösand", Unemployment) => "arbetsformedlingen",
        ("Odense", SickLeave | Screening) => "lh-vollsmose",
        ("Odense", IncomeSupport) => "odense-bsf",
        ("Odense", Unemployment) => "odense-jobcenter",
        ("Odense", Admission | EmergencyVisit) => "ouh",
        _ => return None,
    })
}

/// Collects one kind's file in memory.
struct Sink {
    kind: SignalKind,
    files: Rc<RefCell<HashMap<SignalKind, Vec<u8>>>>,
}

impl std::io::Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.files
            .borrow_mut()
            .entry(self.kind)
            .or_default()
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl App {
    /// Generates and imports the demo persons' signals as `admin` (who administers every
    /// supplying organisation in the demo). Idempotent: the import path stores a signal once.
    pub(crate) async fn import_demo_signals(
        &self,
        admin: &Actor,
        persons: &[SyntheticPerson],
        org_ids: &HashMap<&str, OrganisationId>,
        seed: u64,
    ) -> Result<u64, AppError> {
        let mut by_org: HashMap<(&'static str, SignalKind), Vec<u8>> = HashMap::new();
        let mut by_city: HashMap<&str, Vec<SyntheticPerson>> = HashMap::new();
        for p in persons {
            by_city.entry(town(&p.city)).or_default().push(p.clone());
        }
        let opts = Options::new(seed, self.today());
        for (city, people) in &by_city {
            let files: Rc<RefCell<HashMap<SignalKind, Vec<u8>>>> = Rc::default();
            write_signals(people, &opts, |kind| {
                Ok(Sink {
                    kind,
                    files: files.clone(),
                })
            })
            .map_err(|e| AppError::Internal(format!("demo signals: {e}")))?;
            let files = std::mem::take(&mut *files.borrow_mut());
            for (kind, bytes) in files {
                let Some(org) = supplier(city, kind) else {
                    continue;
                };
                // Several towns may share a supplier: their rows go in one file, one header.
                let file = by_org.entry((org, kind)).or_default();
                if file.is_empty() {
                    file.extend_from_slice(&bytes);
                } else if let Some(nl) = bytes.iter().position(|b| *b == b'\n') {
                    file.extend_from_slice(&bytes[nl + 1..]);
                }
            }
        }
        let mut keys: Vec<(&'static str, SignalKind)> = by_org.keys().copied().collect();
        keys.sort();
        let mut added = 0;
        for key in keys {
            let (org_key, kind) = key;
            let Some(org) = org_ids.get(org_key).copied() else {
                continue;
            };
            let bytes = by_org.remove(&key).unwrap_or_default();
            let name = format!("demo-{org_key}-{}.csv", kind.code());
            let open = self
                .open_import(
                    admin,
                    Some(org),
                    &name,
                    Some(kind),
                    Some(bytes.len() as i64),
                    std::io::Cursor::new(bytes),
                )
                .await?;
            let outcome = self.run_import(open).await?;
            added += outcome.import.counts.added as u64;
        }
        Ok(added)
    }
}
