//! SQL for subscriber imports, staff suppression and bounce counts.

use super::*;
use crate::db::{self, Db, Tx};

/// What an import would do with each row, given the list as it is now.
pub async fn plan(db: &Db, rows: &[ImportRow]) -> sqlx::Result<(Vec<Outcome>, Summary)> {
    let existing: HashMap<String, String> =
        sqlx::query_as::<_, (String, String)>("SELECT email, status FROM subscribers")
            .fetch_all(&db.pool)
            .await?
            .into_iter()
            .collect();
    let suppressed: HashSet<String> =
        sqlx::query_scalar::<_, String>("SELECT email_hash FROM mail_suppressions")
            .fetch_all(&db.pool)
            .await?
            .into_iter()
            .collect();
    let mut seen = HashSet::new();
    let mut summary = Summary::default();
    let outcomes = rows
        .iter()
        .map(|r| {
            let o = if !seen.insert(r.email.as_str()) {
                Outcome::Duplicate
            } else if suppressed.contains(&email_hash(&r.email)) {
                Outcome::Suppressed
            } else {
                match existing.get(&r.email).map(String::as_str) {
                    None => Outcome::Add,
                    Some("pending") => Outcome::Confirm,
                    Some("confirmed") => Outcome::Already,
                    Some(_) => Outcome::Suppressed,
                }
            };
            summary.count(o);
            o
        })
        .collect();
    Ok((outcomes, summary))
}

/// Writes the planned rows in the caller's transaction: new subscribers confirmed with
/// `source` recorded on them and in an `import` consent event each; pending ones confirmed.
pub async fn apply(
    tx: &mut Tx,
    rows: &[ImportRow],
    outcomes: &[Outcome],
    source: &str,
) -> sqlx::Result<()> {
    let now = db::now();
    let adds: Vec<&ImportRow> = rows
        .iter()
        .zip(outcomes)
        .filter(|(_, o)| **o == Outcome::Add)
        .map(|(r, _)| r)
        .collect();
    for chunk in adds.chunks(BATCH) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let b = i * 8;
                format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, 'confirmed', ${}, ${}, ${}, ${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    chunk.len() * 8 + 1,
                    b + 7,
                    b + 8,
                    b + 8
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO subscribers (email, name, nation, audience, lang, topics, status, \
             source, manage_token, created_at, confirmed_at) VALUES {}",
            values.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for r in chunk {
            q = q
                .bind(&r.email)
                .bind(&r.name)
                .bind(&r.nation)
                .bind(&r.audience)
                .bind(&r.lang)
                .bind(&r.topics)
                .bind(crate::token::PrivateLink::new().into_string())
                .bind(r.consented_at.unwrap_or(now));
        }
        q.bind(source).execute(&mut **tx).await?;
        // One consent event per new subscriber, found by address.
        let n = chunk.len();
        let sql = format!(
            "INSERT INTO subscriber_consents (subscriber_id, at, action, source, wording_version, lang) \
             SELECT id, ${}, 'import', ${}, 'import', lang FROM subscribers WHERE email IN ({})",
            n + 1,
            n + 2,
            db::marks(1, n)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for r in chunk {
            q = q.bind(&r.email);
        }
        q.bind(now).bind(source).execute(&mut **tx).await?;
    }
    for (r, _) in rows
        .iter()
        .zip(outcomes)
        .filter(|(_, o)| **o == Outcome::Confirm)
    {
        let id: Option<i64> = sqlx::query_scalar(
            "UPDATE subscribers SET status = 'confirmed', confirmed_at = $1 \
             WHERE email = $2 AND status = 'pending' RETURNING id",
        )
        .bind(now)
        .bind(&r.email)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(id) = id {
            sqlx::query(
                "INSERT INTO subscriber_consents (subscriber_id, at, action, source, wording_version, lang) \
                 VALUES ($1, $2, 'import', $3, 'import', $4)",
            )
            .bind(id)
            .bind(now)
            .bind(source)
            .bind(&r.lang)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// Puts addresses on the suppression list at staff request (`reason` "staff"): anyone
/// subscribed is unsubscribed at once, with a consent event saying so. Returns how many
/// addresses were newly suppressed.
pub async fn suppress(tx: &mut Tx, emails: &[String], reason: &str) -> sqlx::Result<usize> {
    let mut added = 0;
    for email in emails {
        let held: Option<String> =
            sqlx::query_scalar("SELECT reason FROM mail_suppressions WHERE email_hash = $1")
                .bind(email_hash(email))
                .fetch_optional(&mut **tx)
                .await?;
        added += usize::from(held.is_none());
        // The staff entry first, so it is the reason shown (unsubscribing adds its own
        // entry only when there is none).
        sqlx::query(
            "INSERT INTO mail_suppressions (email_hash, reason, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (email_hash) DO NOTHING",
        )
        .bind(email_hash(email))
        .bind(reason)
        .bind(db::now())
        .execute(&mut **tx)
        .await?;
        if let Some(s) = list::store::by_email(tx, email).await?
            && (s.status == "confirmed" || s.status == "pending")
        {
            list::store::unsubscribe(tx, &s, reason).await?;
        }
    }
    Ok(added)
}

/// Records bounces, each report once. An address with `threshold` hard bounces is marked
/// undeliverable and suppressed, so no newsletter or import mails it again (signing up and
/// confirming again clears it).
pub async fn apply_bounces(
    tx: &mut Tx,
    bounces: &[Bounce],
    threshold: i64,
) -> sqlx::Result<BounceReport> {
    let mut report = BounceReport::default();
    for b in bounces {
        let new = sqlx::query(
            "INSERT INTO mail_bounces (report_key, email_hash, hard, status, at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (report_key) DO NOTHING",
        )
        .bind(&b.key)
        .bind(email_hash(&b.email))
        .bind(i64::from(b.hard))
        .bind(&b.status)
        .bind(db::now())
        .execute(&mut **tx)
        .await?
        .rows_affected()
            == 1;
        if !new {
            report.repeated += 1;
            continue;
        }
        if !b.hard {
            report.soft += 1;
            continue;
        }
        report.hard += 1;
        let row: Option<(i64, i64, String)> = sqlx::query_as(
            "UPDATE subscribers SET bounces = bounces + 1 WHERE email = $1 \
             RETURNING id, bounces, status",
        )
        .bind(&b.email)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some((id, n, status)) = row
            && n >= threshold
            && (status == "confirmed" || status == "pending")
        {
            sqlx::query("UPDATE subscribers SET status = 'undeliverable' WHERE id = $1")
                .bind(id)
                .execute(&mut **tx)
                .await?;
            sqlx::query(
                "INSERT INTO mail_suppressions (email_hash, reason, created_at) \
                 VALUES ($1, 'bounced', $2) ON CONFLICT (email_hash) DO NOTHING",
            )
            .bind(email_hash(&b.email))
            .bind(db::now())
            .execute(&mut **tx)
            .await?;
            report.undeliverable += 1;
        }
    }
    Ok(report)
}
