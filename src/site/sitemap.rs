//! `/sitemap.xml`: every public page at both of its addresses, each entry naming its
//! other-language alternate (`xhtml:link rel="alternate" hreflang`), so search engines
//! show a Welsh speaker the Welsh page. `robots.txt` points to it.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::i18n::Lang;
use crate::web::AppError;

/// The pages every site has, whatever its content.
const FIXED: &[&str] = &[
    "/",
    "/help",
    "/support",
    "/map",
    "/news",
    "/resources",
    "/campaigns",
    "/events",
    "/impact",
    "/stories",
    "/subscribe",
    "/contact",
    "/bulletin",
    "/members",
    "/supporters",
    "/champions",
];

/// The pages in the sitemap: the fixed ones, every page the search index holds (news,
/// pages, resources, campaigns, stories…) and every current health area.
async fn pages(state: &AppState) -> Result<Vec<String>, AppError> {
    let mut pages: Vec<String> = FIXED.iter().map(|p| p.to_string()).collect();
    pages.extend(
        crate::cms::search::all_urls(&state.db)
            .await?
            .into_iter()
            .filter(|u| crate::i18n::has_welsh_address(u) && !u.contains(['?', '#'])),
    );
    pages.extend(
        state
            .atlas()
            .areas
            .iter()
            .map(|a| format!("/areas/{}", a.code)),
    );
    let mut seen = std::collections::HashSet::new();
    pages.retain(|p| seen.insert(p.clone()));
    Ok(pages)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `GET /sitemap.xml`.
pub(super) async fn sitemap(State(state): State<AppState>) -> Result<Response, AppError> {
    let origin = state.config.public_url.trim_end_matches('/').to_string();
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" \
         xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
    );
    for page in pages(&state).await? {
        let en = escape(&format!("{origin}{}", Lang::En.address(&page)));
        let cy = escape(&format!("{origin}{}", Lang::Cy.address(&page)));
        for loc in [&en, &cy] {
            xml.push_str(&format!(
                "<url><loc>{loc}</loc>\
                 <xhtml:link rel=\"alternate\" hreflang=\"en\" href=\"{en}\"/>\
                 <xhtml:link rel=\"alternate\" hreflang=\"cy\" href=\"{cy}\"/>\
                 <xhtml:link rel=\"alternate\" hreflang=\"x-default\" href=\"{en}\"/></url>\n"
            ));
        }
    }
    xml.push_str("</urlset>\n");
    Ok((
        [
            (header::CONTENT_TYPE, "application/xml; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        xml,
    )
        .into_response())
}
