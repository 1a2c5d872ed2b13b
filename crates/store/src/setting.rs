//! Small key/value settings of the deployment (e.g. whether the data directory holds demo data).

use crate::db::Tx;
use crate::{StoreError, q};

#[derive(sqlx::FromRow)]
struct SettingRow {
    value: String,
}

pub async fn get(tx: &mut Tx, key: &str) -> Result<Option<String>, StoreError> {
    Ok(tx
        .fetch_optional::<SettingRow>(q!("select value from setting where key = $1", key))
        .await?
        .map(|r| r.value))
}

pub async fn set(tx: &mut Tx, key: &str, value: &str) -> Result<(), StoreError> {
    tx.execute(q!(
        "insert into setting (key, value) values ($1, $2)
         on conflict (key) do update set value = excluded.value",
        key,
        value
    ))
    .await?;
    Ok(())
}
