//! `mmha user …`: staff accounts from the command line.

use std::io::BufRead;

use anyhow::{Context, bail};
use clap::Subcommand;

use crate::audit;
use crate::auth::{Role, password, session, store};
use crate::config::Config;
use crate::db::Db;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a staff account; the password is read from standard input.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long, value_parser = ["admin", "editor", "moderator"])]
        role: String,
        #[arg(long, default_value = "")]
        name: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List staff accounts.
    List,
    /// Disable an account and end its sessions.
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Enable a disabled account.
    Enable {
        #[arg(long)]
        email: String,
    },
    /// Switch two-factor login off for an account whose phone and recovery codes are lost,
    /// and end its sessions; the person sets it up again after logging in.
    ResetTwoFactor {
        #[arg(long)]
        email: String,
    },
    /// Set a new password (read from standard input) and end the account's sessions.
    ResetPassword {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password_stdin: bool,
    },
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if !from_stdin {
        bail!(
            "give the password on standard input with --password-stdin (it is never taken as an argument, which would leave it in the shell history)"
        );
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

pub(super) async fn user(config: Config, cmd: UserCommand) -> anyhow::Result<()> {
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    match cmd {
        UserCommand::Add {
            email,
            role,
            name,
            password_stdin,
        } => {
            let role = Role::parse(&role).context("role must be admin, editor or moderator")?;
            if !crate::site::settings::looks_like_email(email.trim()) {
                bail!("{email:?} does not look like an email address");
            }
            let pw = read_password(password_stdin)?;
            if let Some(p) = password::problem(&pw, &email) {
                bail!("password not accepted: {}", p.text(crate::i18n::Lang::En));
            }
            let hash = password::hash(pw).await?;
            let mut tx = db.begin_write().await?;
            let id = match store::create_user(&mut tx, &email, &name, role, &hash).await {
                Ok(id) => id,
                Err(store::CreateUserError::Duplicate) => {
                    bail!("an account for {email} already exists")
                }
                Err(store::CreateUserError::Db(e)) => return Err(e.into()),
            };
            audit::record_cli(
                &mut tx,
                "create_user",
                "user",
                id,
                &format!("{} as {}", store::normalise_email(&email), role.as_str()),
            )
            .await?;
            tx.commit().await?;
            println!(
                "Added {} as {}.",
                store::normalise_email(&email),
                role.as_str()
            );
        }
        UserCommand::List => {
            for u in store::users(&db).await? {
                println!(
                    "{:<40} {:<10} {}",
                    u.email,
                    u.role,
                    if u.is_disabled() {
                        "disabled"
                    } else {
                        "active"
                    }
                );
            }
        }
        UserCommand::Disable { email } => {
            let u = store::user_by_email(&db, &email)
                .await?
                .with_context(|| format!("no account for {email}"))?;
            let mut tx = db.begin_write().await?;
            store::set_disabled(&mut tx, u.id, true).await?;
            session::store::end_all_sessions(&mut tx, u.id).await?;
            audit::record_cli(&mut tx, "disable_user", "user", u.id, &u.email).await?;
            tx.commit().await?;
            println!("Disabled {} and ended its sessions.", u.email);
        }
        UserCommand::ResetTwoFactor { email } => {
            let u = store::user_by_email(&db, &email)
                .await?
                .with_context(|| format!("no account for {email}"))?;
            let mut tx = db.begin_write().await?;
            crate::auth::totp::store::disable(&mut tx, u.id).await?;
            session::store::end_all_sessions(&mut tx, u.id).await?;
            audit::record_cli(&mut tx, "two_factor_reset", "user", u.id, &u.email).await?;
            tx.commit().await?;
            println!(
                "Two-factor login switched off for {} and its sessions ended.",
                u.email
            );
        }
        UserCommand::Enable { email } => {
            let u = store::user_by_email(&db, &email)
                .await?
                .with_context(|| format!("no account for {email}"))?;
            let mut tx = db.begin_write().await?;
            store::set_disabled(&mut tx, u.id, false).await?;
            audit::record_cli(&mut tx, "enable_user", "user", u.id, &u.email).await?;
            tx.commit().await?;
            println!("Enabled {}.", u.email);
        }
        UserCommand::ResetPassword {
            email,
            password_stdin,
        } => {
            let u = store::user_by_email(&db, &email)
                .await?
                .with_context(|| format!("no account for {email}"))?;
            let pw = read_password(password_stdin)?;
            if let Some(p) = password::problem(&pw, &u.email) {
                bail!("password not accepted: {}", p.text(crate::i18n::Lang::En));
            }
            let hash = password::hash(pw).await?;
            let mut tx = db.begin_write().await?;
            store::set_password(&mut tx, u.id, &hash).await?;
            session::store::end_all_sessions(&mut tx, u.id).await?;
            audit::record_cli(&mut tx, "reset_password", "user", u.id, &u.email).await?;
            tx.commit().await?;
            println!("New password set for {}; its sessions were ended.", u.email);
        }
    }
    Ok(())
}
