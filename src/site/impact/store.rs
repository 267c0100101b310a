//! Every query about impact figures.

use super::{Figure, FigureForm};
use crate::db::{self, Db, Tx};

pub async fn figures(db: &Db) -> sqlx::Result<Vec<Figure>> {
    sqlx::query_as(
        "SELECT id, section, label, value, detail, nation, sort_order, is_demo, updated_at \
         FROM impact_figures ORDER BY sort_order, id",
    )
    .fetch_all(&db.pool)
    .await
}

pub async fn figure_by_id(db: &Db, id: i64) -> sqlx::Result<Option<Figure>> {
    sqlx::query_as(
        "SELECT id, section, label, value, detail, nation, sort_order, is_demo, updated_at \
         FROM impact_figures WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

/// Saves a figure and bumps the content version.
pub async fn save_figure(tx: &mut Tx, id: Option<i64>, f: &FigureForm) -> sqlx::Result<i64> {
    let order: i64 = f.sort_order.trim().parse().unwrap_or(0);
    let sql = match id {
        Some(_) => {
            "UPDATE impact_figures SET section=$1, label=$2, value=$3, detail=$4, nation=$5, \
             sort_order=$6, is_demo=$7, updated_at=$8 WHERE id=$9 RETURNING id"
        }
        None => {
            "INSERT INTO impact_figures (section, label, value, detail, nation, sort_order, \
             is_demo, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id"
        }
    };
    let mut q = sqlx::query_scalar(sql)
        .bind(&f.section)
        .bind(f.label.trim())
        .bind(f.value.trim())
        .bind(f.detail.trim())
        .bind(&f.nation)
        .bind(order)
        .bind(i64::from(f.is_demo.is_some()))
        .bind(db::now());
    if let Some(id) = id {
        q = q.bind(id);
    }
    let id = q.fetch_one(&mut **tx).await?;
    db::bump_content_version(tx).await?;
    Ok(id)
}

/// Deletes a figure; the caller bumps the content version.
pub async fn delete_figure(tx: &mut Tx, id: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM impact_figures WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
