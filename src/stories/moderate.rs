//! Moderation at `/admin/stories`: the queue by status, one story with the moderator's
//! edit (redaction), and one route per action — save, publish within the writer's
//! consent, publish chosen quotes, remove the picture, take down, reject with a reason
//! (sent to the writer when they left an address).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

use super::Story;
use crate::AppState;
use crate::app::ctx::Ctx;
use crate::auth::{Staff, perm};
use crate::i18n::Lang;
use crate::mail::{Letter, Sender};
use crate::web::error::AppError;
use crate::web::{FieldErrors, Form, Msg, Query, private_page, see_other};

#[derive(Template)]
#[template(path = "admin/stories.html")]
struct QueuePage<'a> {
    c: &'a Ctx,
    stories: Vec<Story>,
    status: String,
}

impl QueuePage<'_> {
    fn when(&self, t: &i64) -> String {
        crate::uktime::uk_date_time(*t)
    }
}

#[derive(Deserialize, Default)]
pub(super) struct QueueQuery {
    status: Option<String>,
}

pub(super) async fn queue_page(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::Moderate>,
    Query(q): Query<QueueQuery>,
) -> Result<Response, AppError> {
    let status = q
        .status
        .filter(|s| ["pending", "published", "rejected", "withdrawn"].contains(&s.as_str()))
        .unwrap_or_default();
    let stories = super::store::queue(&state.db, &status).await?;
    private_page(&QueuePage {
        c: &c.with_staff(staff),
        stories,
        status,
    })
}

#[derive(Template)]
#[template(path = "admin/story.html")]
struct ModeratePage<'a> {
    c: &'a Ctx,
    s: Story,
    title: String,
    body: String,
    reason: String,
    /// Quotes to publish, one per line (stories given for quotes only).
    quotes: String,
    errors: FieldErrors,
    saved: bool,
}

impl ModeratePage<'_> {
    fn when(&self, t: &i64) -> String {
        crate::uktime::uk_date_time(*t)
    }
    fn status_label(&self) -> String {
        self.c.t(&format!("admin-story-status-{}", self.s.status))
    }
    fn scope_label(&self) -> String {
        self.c.t(&format!("story-scope-{}", self.s.scope))
    }
    fn byline(&self) -> String {
        super::byline(&self.s, self.c.lang)
    }
    fn can_publish(&self) -> bool {
        super::publishable(&self.s.scope) && self.s.status != "published"
    }
}

fn moderate_view<'a>(c: &'a Ctx, s: Story, saved: bool) -> ModeratePage<'a> {
    ModeratePage {
        c,
        title: s.public_title().to_string(),
        body: s.public_body().to_string(),
        quotes: s.quotes.clone(),
        s,
        reason: String::new(),
        errors: crate::web::FieldErrors::new(),
        saved,
    }
}

#[derive(Deserialize, Default)]
pub(super) struct SavedQuery {
    saved: Option<String>,
}

pub(super) async fn moderate_page(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::Moderate>,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let s = super::store::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if s.is_flagged() {
        crate::safeguard::store::first_look(&state.db, "story", id, &staff.email).await?;
    }
    let c = c.with_staff(staff);
    private_page(&moderate_view(&c, s, q.saved.is_some()))
}

/// A story a moderator may still act on (not withdrawn by its writer).
async fn open_story(state: &AppState, id: i64) -> Result<Story, AppError> {
    super::store::get(&state.db, id)
        .await?
        .filter(|s| s.status != "withdrawn")
        .ok_or(AppError::NotFound)
}

/// The moderator's edit of title and text, as typed.
#[derive(Deserialize, Default)]
pub(super) struct EditForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
}

impl EditForm {
    /// The cleaned title and text, or the form again with what is missing.
    fn check(self, c: &Ctx, s: &Story, publishing: bool) -> Result<(String, String), AppError> {
        let title = crate::web::input::one_line(&self.title, 400);
        let body = crate::web::input::paragraphs(&self.body, super::MAX_STORY + 2000);
        let mut errors = FieldErrors::new();
        if title.is_empty() {
            errors.add("title", Msg::new("story-error-title"));
        }
        if body.is_empty() {
            errors.add("body", Msg::new("story-error-body"));
        }
        if publishing && !super::publishable(&s.scope) {
            errors.add("scope", Msg::new("admin-story-scope-forbids"));
        }
        if !errors.is_empty() {
            let mut page = moderate_view(c, s.clone(), false);
            page.title = title;
            page.body = body;
            page.errors = errors;
            return Err(AppError::invalid(&page));
        }
        Ok((title, body))
    }
}

/// Stores the moderator's edit when it differs from what is stored.
async fn save_edit(
    tx: &mut crate::db::Tx,
    staff: &crate::auth::StaffUser,
    s: &Story,
    title: &str,
    body: &str,
) -> Result<(), AppError> {
    if title != s.public_title() || body != s.public_body() {
        super::store::save_edit(tx, s.id, title, body).await?;
        super::audit(tx, Some(staff), "story_edit", s).await?;
    }
    Ok(())
}

/// Back to the story with "Saved", after the site snapshot takes the change.
async fn done(state: &AppState, id: i64) -> Result<Response, AppError> {
    state.refresh().await?;
    Ok(see_other(&format!("/admin/stories/{id}?saved=1")))
}

/// `POST /admin/stories/{id}`: saves the moderator's edit (redaction) without publishing.
pub(super) async fn save_post(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::Moderate>,
    Path(id): Path<i64>,
    Form(f): Form<EditForm>,
) -> Result<Response, AppError> {
    let s = open_story(&state, id).await?;
    let c = c.with_staff(staff.clone());
    let (title, body) = f.check(&c, &s, false)?;
    let mut tx = state.db.begin_write().await?;
    save_edit(&mut tx, &staff, &s, &title, &body).await?;
    tx.commit().await?;
    done(&state, id).await
}

/// `POST /admin/stories/{id}/publish`: saves the edit first, so what is published is
/// what the moderator sees, then publishes within the writer's consent scope.
pub(super) async fn publish_post(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::Moderate>,
    Path(id): Path<i64>,
    Form(f): Form<EditForm>,
) -> Result<Response, AppError> {
    let s = open_story(&state, id).await?;
    let c = c.with_staff(staff.clone());
    let (title, body) = f.check(&c, &s, true)?;
    let mut tx = state.db.begin_write().await?;
    save_edit(&mut tx, &staff, &s, &title, &body).await?;
    let fresh = Story {
        edited_title: Some(title),
        edited_body: Some(body),
        ..s
    };
    if super::store::publish(&mut tx, state.db.backend, &fresh).await? {
        super::audit(&mut tx, Some(&staff), "story_publish", &fresh).await?;
    }
    tx.commit().await?;
    done(&state, id).await
}

#[derive(Deserialize, Default)]
pub(super) struct QuotesForm {
    #[serde(default)]
    quotes: String,
}

/// `POST /admin/stories/{id}/quotes`: publishes the chosen sentences of a story given
/// for quotes only; each must be the writer's own words.
pub(super) async fn quotes_post(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::Moderate>,
    Path(id): Path<i64>,
    Form(f): Form<QuotesForm>,
) -> Result<Response, AppError> {
    let s = open_story(&state, id).await?;
    let quotes = match super::check_quotes(&s, &f.quotes) {
        Ok(q) => q,
        Err(key) => {
            let c = c.with_staff(staff);
            let mut page = moderate_view(&c, s, false);
            page.quotes = f.quotes;
            page.errors.add("quotes", Msg::new(key));
            return Err(AppError::invalid(&page));
        }
    };
    let mut tx = state.db.begin_write().await?;
    if super::store::publish_quotes(&mut tx, &s, &quotes).await? {
        super::audit(&mut tx, Some(&staff), "story_publish_quotes", &s).await?;
    }
    tx.commit().await?;
    done(&state, id).await
}

/// `POST /admin/stories/{id}/image/remove`: takes the picture off the story and deletes
/// the file once nothing else uses it.
pub(super) async fn remove_image_post(
    State(state): State<AppState>,
    Staff(staff, _): Staff<perm::Moderate>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let s = open_story(&state, id).await?;
    let mut tx = state.db.begin_write().await?;
    super::store::remove_image(&mut tx, id).await?;
    super::audit(&mut tx, Some(&staff), "story_remove_image", &s).await?;
    tx.commit().await?;
    crate::uploads::delete_if_unused(&state, &s.image).await?;
    done(&state, id).await
}

/// `POST /admin/stories/{id}/unpublish`: takes a published story (and its quotes) off
/// the site; it can be published again.
pub(super) async fn unpublish_post(
    State(state): State<AppState>,
    Staff(staff, _): Staff<perm::Moderate>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let s = open_story(&state, id).await?;
    let mut tx = state.db.begin_write().await?;
    super::store::unpublish(&mut tx, state.db.backend, &s).await?;
    super::audit(&mut tx, Some(&staff), "story_unpublish", &s).await?;
    tx.commit().await?;
    done(&state, id).await
}

#[derive(Deserialize, Default)]
pub(super) struct RejectForm {
    #[serde(default)]
    reason: String,
}

/// `POST /admin/stories/{id}/reject`: declines the story with a reason, which the
/// writer is sent when they left an address.
pub(super) async fn reject_post(
    State(state): State<AppState>,
    c: Ctx,
    Staff(staff, _): Staff<perm::Moderate>,
    Path(id): Path<i64>,
    Form(f): Form<RejectForm>,
) -> Result<Response, AppError> {
    let s = open_story(&state, id).await?;
    let reason = f.reason.trim().to_string();
    let c = c.with_staff(staff.clone());
    if reason.is_empty() {
        let mut page = moderate_view(&c, s, false);
        page.errors
            .add("reason", Msg::new("admin-story-reason-needed"));
        return Err(AppError::invalid(&page));
    }
    let mut tx = state.db.begin_write().await?;
    super::store::reject(&mut tx, state.db.backend, &s, &reason).await?;
    super::audit(&mut tx, Some(&staff), "story_reject", &s).await?;
    if !s.email.is_empty() {
        let lang = Lang::from_code(&s.lang).unwrap_or_default();
        let site = c.site("name").to_string();
        let sender = Sender::new(&state.config, &site);
        let m = Letter::new(
            "story-rejected",
            lang,
            &s.email,
            &site,
            lang.t("story-rejected-subject"),
        )
        .paras(vec![lang.t("story-rejected-text"), reason])
        .outgoing();
        crate::mail::enqueue(&mut tx, &sender, &m).await?;
    }
    tx.commit().await?;
    done(&state, id).await
}
