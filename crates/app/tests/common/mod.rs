//! Shared by the app test binaries.

use samverka_app::{App, AppConfig};
use samverka_store::testing::TestDb;

/// Runs `f` with an app on a fresh SQLite database, and on PostgreSQL too when
/// `SAMVERKA_TEST_POSTGRES` is set.
pub async fn each_db<F, Fut>(f: F)
where
    F: Fn(App) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for t in TestDb::all().await.expect("test databases") {
        f(App::new(t.db.clone(), AppConfig::default())).await;
        t.cleanup().await;
    }
}
