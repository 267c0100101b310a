//! Staff accounts: roles and the one permission table, passwords, server-side sessions,
//! login throttling and the extractor that guards every `/admin` route.
//!
//! Visitors never log in and get no session; only staff do.

pub mod password;
pub mod routes;
pub mod session;
pub mod store;
pub mod totp;
pub mod two_factor;

use axum::extract::{FromRef, FromRequestParts, OriginalUri};
use axum::http::request::Parts;

use crate::AppState;
use crate::app::ctx::cookie;
use crate::web::AppError;

/// Name of the staff session cookie.
pub const SESSION_COOKIE: &str = "mmha_session";

/// A staff role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Admin,
    Editor,
    Moderator,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "editor" => Some(Role::Editor),
            "moderator" => Some(Role::Moderator),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Moderator => "moderator",
        }
    }

    pub const ALL: [Role; 3] = [Role::Admin, Role::Editor, Role::Moderator];
}

/// Something a staff member may be allowed to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// Create and change pages, news, resources and impact figures (drafts included).
    EditContent,
    /// Make content public or take it down.
    PublishContent,
    /// Edit helplines and mark them verified.
    ManageHelplines,
    /// Moderate visitor submissions (stories, activities) — used by later capabilities.
    Moderate,
    /// Change the site identity.
    ManageSettings,
    /// Add, disable and change staff accounts.
    ManageUsers,
    /// Read the audit log and metrics.
    ViewAudit,
    /// Review membership applications and keep the members' directory.
    ManageMembers,
}

/// The one permission table. Admins can do everything; editors run the content;
/// moderators handle visitor submissions and cannot edit pages.
pub fn allows(role: Role, perm: Permission) -> bool {
    use Permission::*;
    match role {
        Role::Admin => true,
        Role::Editor => matches!(
            perm,
            EditContent | PublishContent | ManageHelplines | ManageMembers
        ),
        Role::Moderator => matches!(perm, Moderate),
    }
}

/// What the logged-in member of staff may do, one field per [`Permission`], for templates
/// that hide links the user cannot follow (`c.can.publish`). Built from [`allows`], so the
/// table stays the one source, and a misspelt permission does not compile.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Can {
    pub edit: bool,
    pub publish: bool,
    pub helplines: bool,
    pub moderate: bool,
    pub settings: bool,
    pub users: bool,
    pub audit: bool,
    pub members: bool,
}

impl Can {
    pub fn of(role: Role) -> Can {
        use Permission::*;
        Can {
            edit: allows(role, EditContent),
            publish: allows(role, PublishContent),
            helplines: allows(role, ManageHelplines),
            moderate: allows(role, Moderate),
            settings: allows(role, ManageSettings),
            users: allows(role, ManageUsers),
            audit: allows(role, ViewAudit),
            members: allows(role, ManageMembers),
        }
    }
}

/// The logged-in member of staff.
#[derive(Clone, Debug)]
pub struct StaffUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// Hash of the session id, so this session can be ended.
    pub session_hash: String,
    /// The account has two-factor login switched on.
    pub two_factor: bool,
}

impl StaffUser {
    /// `Ok` when the role allows `perm`, else a 403.
    pub fn require(&self, perm: Permission) -> Result<(), AppError> {
        if allows(self.role, perm) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The role allows `perm`: for pages that show more to those who may act on it.
    pub fn may(&self, perm: Permission) -> bool {
        allows(self.role, perm)
    }

    /// Name to show: the display name, or the email.
    pub fn display(&self) -> &str {
        if self.name.is_empty() {
            &self.email
        } else {
            &self.name
        }
    }
}

impl<S> FromRequestParts<S> for StaffUser
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let here = parts
            .extensions
            .get::<OriginalUri>()
            .map(|u| u.0.to_string())
            .unwrap_or_else(|| parts.uri.to_string());
        // A POST cannot be replayed after login, so send the user back to the page instead.
        let next = if parts.method == axum::http::Method::GET {
            here
        } else {
            "/admin".to_string()
        };
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(AppError::LoginRequired(next));
        };
        match session::store::staff_by_session(&state.db, token).await? {
            // Where two-factor login is required for admins, an admin without it can only
            // set it up (or log out) until they have.
            Some(user)
                if state.config.require_admin_two_factor
                    && user.role == Role::Admin
                    && !user.two_factor
                    && !(parts.uri.path() == "/admin/account/two-factor"
                        || parts.uri.path() == "/admin/logout") =>
            {
                Err(AppError::Redirect("/admin/account/two-factor".into()))
            }
            Some(user) => Ok(user),
            // A cookie that no longer matches a live session: it expired, or the user
            // logged out elsewhere. The login form says so.
            None => Err(AppError::SessionEnded(next)),
        }
    }
}

/// A [`Permission`] as a type, so a handler can name what it needs in its signature.
pub trait Needs {
    const PERMISSION: Permission;
}

/// One type per [`Permission`], for [`Staff`]: `Staff<perm::EditContent>`.
pub mod perm {
    macro_rules! permissions {
        ($($name:ident),*) => {$(
            #[doc = concat!("Needs [`Permission::", stringify!($name), "`](super::Permission::", stringify!($name), ").")]
            pub struct $name;
            impl super::Needs for $name {
                const PERMISSION: super::Permission = super::Permission::$name;
            }
        )*};
    }
    permissions!(
        EditContent,
        PublishContent,
        ManageHelplines,
        Moderate,
        ManageSettings,
        ManageUsers,
        ViewAudit,
        ManageMembers
    );
}

/// The logged-in member of staff whose role allows `P`: the one guard of a staff route.
/// A visitor is sent to log in and a member of staff without the permission gets a 403
/// before the handler runs (and before its form is read). Handlers take it as
/// `Staff(staff, _): Staff<perm::EditContent>`; those that show more to some roles take
/// [`StaffUser`] and ask [`StaffUser::may`].
pub struct Staff<P>(pub StaffUser, pub std::marker::PhantomData<P>);

impl<S, P> FromRequestParts<S> for Staff<P>
where
    S: Send + Sync,
    AppState: FromRef<S>,
    P: Needs,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let user = StaffUser::from_request_parts(parts, state).await?;
        user.require(P::PERMISSION)?;
        Ok(Staff(user, std::marker::PhantomData))
    }
}

/// `Option<StaffUser>`: the staff member if logged in, `None` for a visitor (no redirect).
impl<S> axum::extract::OptionalFromRequestParts<S> for StaffUser
where
    S: Send + Sync,
    AppState: axum::extract::FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        match <StaffUser as axum::extract::FromRequestParts<S>>::from_request_parts(parts, state)
            .await
        {
            Ok(u) => Ok(Some(u)),
            Err(AppError::LoginRequired(_) | AppError::SessionEnded(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_table() {
        use Permission::*;
        let all = [
            EditContent,
            PublishContent,
            ManageHelplines,
            Moderate,
            ManageSettings,
            ManageUsers,
            ViewAudit,
            ManageMembers,
        ];
        assert!(all.iter().all(|p| allows(Role::Admin, *p)));
        assert!(allows(Role::Editor, EditContent));
        assert!(allows(Role::Editor, PublishContent));
        assert!(!allows(Role::Editor, ManageUsers));
        assert!(!allows(Role::Editor, ManageSettings));
        assert!(!allows(Role::Moderator, EditContent));
        assert!(!allows(Role::Moderator, PublishContent));
        assert!(allows(Role::Moderator, Moderate));
        assert!(allows(Role::Editor, ManageMembers));
        assert!(!allows(Role::Moderator, ManageMembers));
    }
}
