//! SQL for helplines.

use super::*;
use crate::db::{Db, Tx};

/// The columns every query reads, in [`Helpline`]'s order.
const COLUMNS: &str = "id, organisation, service, purpose, phone, call_note, text_number, \
     text_body, textphone, email, web, hours, nation, tier, number_verified, notes, source_url, \
     verified_on, verified_by, sort_order, organisation_cy, service_cy, purpose_cy, call_note_cy, \
     hours_cy, welsh_service";

/// All helplines in display order.
pub async fn helplines(db: &Db) -> sqlx::Result<Vec<Helpline>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM helplines ORDER BY sort_order, id"
    )))
    .fetch_all(&db.pool)
    .await
}

/// How many helplines there are (hidden ones included), for the staff dashboard.
pub async fn count(db: &Db) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM helplines")
        .fetch_one(&db.pool)
        .await
}

pub async fn helpline_by_id(db: &Db, id: i64) -> sqlx::Result<Option<Helpline>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM helplines WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

/// Saves a helpline (insert when `id` is None). Returns its id.
pub async fn save_helpline(tx: &mut Tx, id: Option<i64>, f: &HelplineForm) -> sqlx::Result<i64> {
    let order: i64 = f.sort_order.trim().parse().unwrap_or(0);
    let sql = match id {
        Some(_) => {
            "UPDATE helplines SET organisation=$1, service=$2, purpose=$3, phone=$4, \
             text_number=$5, web=$6, hours=$7, nation=$8, tier=$9, number_verified=$10, \
             notes=$11, source_url=$12, sort_order=$13, call_note=$14, text_body=$15, \
             textphone=$16, email=$17, organisation_cy=$18, service_cy=$19, purpose_cy=$20, \
             call_note_cy=$21, hours_cy=$22, welsh_service=$23 WHERE id=$24 RETURNING id"
        }
        None => {
            "INSERT INTO helplines (organisation, service, purpose, phone, text_number, web, \
             hours, nation, tier, number_verified, notes, source_url, sort_order, call_note, \
             text_body, textphone, email, organisation_cy, service_cy, purpose_cy, call_note_cy, \
             hours_cy, welsh_service) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,\
             $22,$23) RETURNING id"
        }
    };
    let mut q = sqlx::query_scalar(sql)
        .bind(f.organisation.trim())
        .bind(f.service.trim())
        .bind(f.purpose.trim())
        .bind(f.phone.trim())
        .bind(f.text_number.trim())
        .bind(f.web.trim())
        .bind(f.hours.trim())
        .bind(f.nation.trim())
        .bind(&f.tier)
        .bind(&f.number_verified)
        .bind(f.notes.trim())
        .bind(f.source_url.trim())
        .bind(order)
        .bind(f.call_note.trim())
        .bind(f.text_body.trim())
        .bind(f.textphone.trim())
        .bind(f.email.trim())
        .bind(f.organisation_cy.trim())
        .bind(f.service_cy.trim())
        .bind(f.purpose_cy.trim())
        .bind(f.call_note_cy.trim())
        .bind(f.hours_cy.trim())
        .bind(f.welsh_service.trim());
    if let Some(id) = id {
        q = q.bind(id);
    }
    q.fetch_one(&mut **tx).await
}

/// Records that a member of staff checked the number today.
pub async fn mark_verified(tx: &mut Tx, id: i64, by: &str, on: &str) -> sqlx::Result<bool> {
    let n = sqlx::query(
        "UPDATE helplines SET number_verified = CASE WHEN number_verified = 'n/a' THEN 'n/a' \
         ELSE 'yes' END, verified_on = $1, verified_by = $2 WHERE id = $3",
    )
    .bind(on)
    .bind(by)
    .bind(id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Deletes a helpline.
pub async fn delete_helpline(tx: &mut Tx, id: i64) -> sqlx::Result<bool> {
    let n = sqlx::query("DELETE FROM helplines WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(n == 1)
}
