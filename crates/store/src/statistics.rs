//! The query planner's statistics after bulk changes.
//!
//! PostgreSQL plans from statistics that only `ANALYZE` refreshes: autovacuum does so some time
//! after a table changed by a tenth, and not at all where it is switched off. Until then, a table
//! an import just filled looks empty or tiny, and the planner picks plans that walk a whole
//! organisation's worklist items to find a thousand persons' (39 ms instead of 2 ms at a million
//! persons). So a bulk change refreshes the statistics itself, at autovacuum's own default
//! trigger, right after it commits. SQLite plans without statistics here (the queries fix their
//! join order), so there is nothing to do there.

use crate::{Db, StoreError};

/// A table whose planner statistics bulk imports and screenings change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    Person,
    SignalSet,
    Flag,
}

impl Table {
    pub fn name(self) -> &'static str {
        match self {
            Table::Person => "person",
            Table::SignalSet => "signal_set",
            Table::Flag => "flag",
        }
    }
}

/// Whether `changed` rows are many for a table of `rows` rows (a negative count: never counted).
/// The same trigger as PostgreSQL's autovacuum by default: 50 rows plus a tenth of the table.
pub fn is_bulk(changed: u64, rows: f64) -> bool {
    changed as f64 > 50.0 + 0.1 * rows.max(0.0)
}

/// Refreshes the statistics of each table whose `changed` rows (just committed) are many for
/// its size ([`is_bulk`]). Returns the tables refreshed. PostgreSQL only; `ANALYZE` reads a
/// sample of each table and blocks neither readers nor writers.
pub async fn refresh_after_bulk(
    db: &Db,
    changed: &[(Table, u64)],
) -> Result<Vec<Table>, StoreError> {
    let Db::Postgres(pool) = db else {
        return Ok(Vec::new());
    };
    let mut refreshed = Vec::new();
    for &(table, n) in changed {
        if n == 0 {
            continue;
        }
        // reltuples is the planner's own idea of the table's size: -1 until first counted.
        let (rows,): (f64,) =
            sqlx::query_as("select reltuples::float8 from pg_class where oid = $1::regclass")
                .bind(table.name())
                .fetch_one(pool)
                .await?;
        if is_bulk(n, rows) {
            sqlx::query(sqlx::AssertSqlSafe(format!("analyze {}", table.name())))
                .execute(pool)
                .await?;
            refreshed.push(table);
        }
    }
    Ok(refreshed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_trigger_is_autovacuums_default() {
        assert!(!is_bulk(50, -1.0));
        assert!(is_bulk(51, -1.0));
        assert!(!is_bulk(150, 1000.0));
        assert!(is_bulk(151, 1000.0));
        assert!(!is_bulk(100_050, 1_000_000.0));
        assert!(is_bulk(100_051, 1_000_000.0));
    }

    proptest! {
        #[test]
        fn more_changes_never_turn_the_trigger_off(changed in 0u64..10_000_000, more in 0u64..1_000_000, rows in -1.0f64..1e8) {
            if is_bulk(changed, rows) {
                prop_assert!(is_bulk(changed + more, rows));
            }
        }
    }
}
