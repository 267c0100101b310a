//! What a search finds, as both the page ([`super::routes`]) and the API ([`super::api`])
//! show it: the search itself ([`answer`]), the helplines by tier, and what the finder
//! keeps in memory per content version ([`FinderCache`]): each area's facts and services
//! ([`AreaInfo`]), page skeletons, and the mother and baby units with their list items cut
//! around the distance.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Deserialize;

use super::{Outcome, Problem, places};
use crate::AppState;
use crate::atlas::services::{self, MbuPosition, ServiceRow};
use crate::atlas::store::{self, Level, Score};
use crate::i18n::Lang;
use crate::site::Helpline;
use crate::site::helplines::Urgency;
use crate::web::escape as escape_html;
use crate::web::splice::Skeleton;

/// What the finder keeps in memory besides the index: per-area facts and page skeletons,
/// the mother and baby units, and the pending usage counts. Cleared when content changes.
#[derive(Default)]
pub struct FinderCache {
    inner: Mutex<CacheInner>,
    pub counter: super::stats::Counter,
}

#[derive(Default)]
pub(super) struct CacheInner {
    version: i64,
    areas: HashMap<String, Arc<AreaInfo>>,
    /// Per language, area and whether the search was a position (its summary differs).
    pub(super) skeletons: HashMap<(Lang, String, bool), Arc<Skeleton>>,
    mbus: Option<Arc<Mbus>>,
}

impl FinderCache {
    pub(super) fn with<T>(&self, version: i64, f: impl FnOnce(&mut CacheInner) -> T) -> T {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if inner.version != version {
            *inner = CacheInner {
                version,
                ..CacheInner::default()
            };
        }
        f(&mut inner)
    }
}

/// An area's facts for the finder.
pub struct AreaInfo {
    pub code: String,
    pub name: String,
    pub nation: String,
    pub latest: Option<Score>,
    pub levels: Vec<Level>,
    /// Services serving the area other than mother and baby units (those are listed by
    /// distance).
    pub services: Vec<ServiceRow>,
}

impl AreaInfo {
    pub(super) fn level_label(&self, welsh: bool) -> String {
        self.latest
            .as_ref()
            .map(|s| crate::atlas::routes::level_label(&self.levels, s.level, welsh))
            .unwrap_or_default()
    }
}

/// An area's facts, from the cache or the database. `None` when the database cannot say
/// (the page then shows help and the area name from memory).
async fn area_info(state: &AppState, version: i64, code: &str) -> Option<Arc<AreaInfo>> {
    if let Some(a) = state.finder.with(version, |c| c.areas.get(code).cloned()) {
        return Some(a);
    }
    let load = async {
        let atlas = state.atlas();
        let area = atlas.area(code)?;
        let latest = store::scores_of(&state.db, code)
            .await
            .ok()?
            .into_iter()
            .next();
        let levels = store::levels(&state.db).await.ok()?;
        let services = services::store::services_for_area(&state.db, code)
            .await
            .ok()?
            .into_iter()
            .filter(|s| !s.is_mbu() && s.status != "closed")
            .collect();
        Some(Arc::new(AreaInfo {
            code: area.code.clone(),
            name: area.name.clone(),
            nation: area.nation.clone(),
            latest,
            levels,
            services,
        }))
    };
    let info = load.await?;
    state.finder.with(version, |c| {
        c.areas.insert(code.to_string(), info.clone());
    });
    Some(info)
}

/// The mother and baby units, and their list items in each language cut around the
/// distance, so that a request only joins strings (Fluent formatting per request cost a
/// tenth of the page's throughput).
pub struct Mbus {
    pub list: Vec<MbuPosition>,
    /// Each unit's nation, from the health area its position is in ("" when outside).
    pub nations: Vec<String>,
    html: [NearHtml; 2],
}

/// A piece of the distance message: words, or where a number goes.
enum Piece {
    Text(String),
    Miles,
    Km,
}

pub(super) struct NearHtml {
    /// Per unit, the list item's HTML before and after its distance.
    units: Vec<(String, String)>,
    /// The distance message, cut around its two numbers (in the language's order).
    distance: Vec<Piece>,
}

impl NearHtml {
    fn new(lang: Lang, list: &[MbuPosition], nations: &[String]) -> NearHtml {
        let units = list
            .iter()
            .zip(nations)
            .map(|(m, nation)| {
                let mut before = format!(
                    "<li><a href=\"{}/services/{}\">{}</a>",
                    lang.base(),
                    escape_html(&m.id),
                    escape_html(&m.name)
                );
                if !m.city.is_empty() {
                    before.push_str(", ");
                    before.push_str(&escape_html(&m.city));
                }
                if !nation.is_empty() {
                    before.push_str(", ");
                    before.push_str(&escape_html(&lang.t(&format!("nation-{nation}"))));
                }
                before.push_str(": ");
                let mut after = String::new();
                if m.status != "active" {
                    after = format!(" <span class=\"status\">{}</span>", escape_html(&m.status));
                }
                after.push_str("</li>\n");
                (before, after)
            })
            .collect();
        let text = escape_html(&lang.t_args(
            "finder-distance",
            &[("km", "\u{1}".into()), ("miles", "\u{2}".into())],
        ));
        let mut distance = Vec::new();
        let mut words = String::new();
        for ch in text.chars() {
            let number = match ch {
                '\u{1}' => Piece::Km,
                '\u{2}' => Piece::Miles,
                _ => {
                    words.push(ch);
                    continue;
                }
            };
            if !words.is_empty() {
                distance.push(Piece::Text(std::mem::take(&mut words)));
            }
            distance.push(number);
        }
        if !words.is_empty() {
            distance.push(Piece::Text(words));
        }
        NearHtml { units, distance }
    }

    pub(super) fn render(&self, near: &[Near]) -> String {
        use std::fmt::Write;
        let mut out = String::from("<ul class=\"service-list units\">\n");
        for n in near {
            let (before, after) = &self.units[n.index];
            out.push_str(before);
            for piece in &self.distance {
                let _ = match piece {
                    Piece::Text(t) => write!(out, "{t}"),
                    Piece::Miles => write!(out, "{}", n.miles),
                    Piece::Km => write!(out, "{}", n.km),
                };
            }
            out.push_str(after);
        }
        out.push_str("</ul>");
        out
    }
}

impl Mbus {
    fn new(list: Vec<MbuPosition>, nations: Vec<String>) -> Mbus {
        let html = [
            NearHtml::new(Lang::En, &list, &nations),
            NearHtml::new(Lang::Cy, &list, &nations),
        ];
        Mbus {
            list,
            nations,
            html,
        }
    }

    /// Whether a nation has a unit (open or closed for a while), worked out from the
    /// units' positions: the list holds no unit that has closed for good.
    pub fn has_unit(&self, nation: &str) -> bool {
        self.nations.iter().any(|n| n == nation)
    }

    pub(super) fn html(&self, lang: Lang) -> &NearHtml {
        &self.html[usize::from(lang == Lang::Cy)]
    }
}

pub(super) async fn mbus(state: &AppState, version: i64) -> Option<Arc<Mbus>> {
    if let Some(m) = state.finder.with(version, |c| c.mbus.clone()) {
        return Some(m);
    }
    let list = services::store::mbu_positions(&state.db).await.ok()?;
    let atlas = state.atlas();
    let nations = list
        .iter()
        .map(|m| {
            atlas
                .area_at(m.longitude, m.latitude)
                .map(|a| a.nation.clone())
                .unwrap_or_default()
        })
        .collect();
    let mbus = Arc::new(Mbus::new(list, nations));
    state.finder.with(version, |c| c.mbus = Some(mbus.clone()));
    Some(mbus)
}

/// A mother and baby unit with its distance from the searched place.
pub struct Near<'a> {
    /// Its place in [`Mbus::list`].
    pub index: usize,
    pub mbu: &'a MbuPosition,
    pub km: i64,
    pub miles: i64,
}

pub(super) fn nearest(all: &[MbuPosition], lat: f64, lon: f64, n: usize) -> Vec<Near<'_>> {
    services::nearest_mbus(all, lat, lon, n)
        .into_iter()
        .map(|(index, d)| Near {
            index,
            mbu: &all[index],
            km: d.round() as i64,
            miles: (d / 1.609_344).round() as i64,
        })
        .collect()
}

/// Helplines for a nation (all of them when the nation is unknown), by tier: the nation's
/// own lines before UK-wide ones, as staff ordered them within that.
pub struct Tiers<'a> {
    pub emergency: Vec<&'a Helpline>,
    pub urgent: Vec<&'a Helpline>,
    pub support: Vec<&'a Helpline>,
}

pub fn tiers<'a>(lines: &'a [Helpline], nation: Option<&str>) -> Tiers<'a> {
    let pick = |u: Urgency| {
        let mut v: Vec<&Helpline> = lines
            .iter()
            .filter(|h| h.urgency() == u && h.reachable() && nation.is_none_or(|n| h.serves(n)))
            .collect();
        v.sort_by_key(|h| (h.uk_wide(), h.tier != "urgent", h.sort_order));
        v
    };
    Tiers {
        emergency: pick(Urgency::Emergency),
        urgent: pick(Urgency::Urgent),
        support: pick(Urgency::NonUrgent),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct SupportParams {
    #[serde(default)]
    postcode: Option<String>,
    #[serde(default)]
    place: Option<String>,
    #[serde(default)]
    lat: Option<String>,
    #[serde(default)]
    lon: Option<String>,
    /// `cy` for Welsh messages in the JSON API.
    #[serde(default)]
    pub(super) lang: Option<String>,
}

/// A search as both the page and the API answer it: what was typed (kept for the form),
/// the outcome, and for a place found, its area's code, facts (`None` while the database
/// cannot say) and nation. Counted once, for the finder's daily figures.
pub(super) struct Answer {
    pub input: String,
    pub outcome: Outcome,
    /// "" unless a place was found.
    pub area_code: String,
    pub info: Option<Arc<AreaInfo>>,
    pub nation: Option<String>,
}

/// Searches, counts the search and reads the area found. `None` when nothing was asked.
pub(super) async fn answer(state: &AppState, version: i64, p: &SupportParams) -> Option<Answer> {
    let (input, outcome) = search(state, p)?;
    let area_code = outcome_area(&outcome).unwrap_or("").to_string();
    state.finder.counter.count(&area_code);
    let info = if area_code.is_empty() {
        None
    } else {
        area_info(state, version, &area_code).await
    };
    let nation = info
        .as_ref()
        .map(|i| i.nation.clone())
        .or_else(|| state.atlas().area(&area_code).map(|a| a.nation.clone()));
    Some(Answer {
        input,
        outcome,
        area_code,
        info,
        nation,
    })
}

/// Runs a search. `None` when nothing was asked.
fn search(state: &AppState, p: &SupportParams) -> Option<(String, Outcome)> {
    let atlas = state.atlas();
    let idx = state.postcodes();
    if let (Some(lat), Some(lon)) = (&p.lat, &p.lon) {
        let (lat, lon) = (lat.trim().parse(), lon.trim().parse());
        let outcome = match (lat, lon) {
            (Ok(lat), Ok(lon)) => super::search_position(&idx, &atlas, lat, lon),
            _ => Outcome::Problem(Problem::PositionOutside),
        };
        return Some((String::new(), outcome));
    }
    if let Some(id) = &p.place {
        let outcome = match id.trim().parse().ok().and_then(places::by_id) {
            Some(place) => super::place_outcome(&idx, &atlas, place),
            None => Outcome::Problem(Problem::NoPlace),
        };
        return Some((String::new(), outcome));
    }
    let input = p.postcode.as_deref()?;
    // Keep what was typed for the form, but not without limit.
    let input: String = input.chars().take(100).collect();
    let outcome = super::search_text(&idx, &atlas, &input);
    Some((input, outcome))
}

fn outcome_area(o: &Outcome) -> Option<&str> {
    match o {
        Outcome::Found(l) => Some(&l.area_code),
        _ => None,
    }
}

/// The attribution the postcode and boundary data ask for.
pub const ATTRIBUTION: &str = "Contains public sector information licensed under the Open Government Licence v3.0. \
Boundaries: Office for National Statistics; Scottish Government; Department of Health (Northern Ireland). \
Contains OS data © Crown copyright and database right 2025. Contains Royal Mail data © Royal Mail copyright and database right 2025. \
Contains National Statistics data © Crown copyright and database right 2025. Northern Ireland postcodes: Office for National Statistics \
(ONS Postcode Directory, November 2023), NISRA, and Food Standards Agency food hygiene rating data. \
Place names: GeoNames (geonames.org), CC BY 4.0.";

#[cfg(test)]
mod tests {
    use super::*;

    fn line(org: &str, nation: &str, tier: &str, order: i64) -> Helpline {
        Helpline {
            id: order,
            organisation: org.into(),
            service: String::new(),
            purpose: String::new(),
            phone: "111".into(),
            call_note: String::new(),
            text_number: String::new(),
            text_body: String::new(),
            textphone: String::new(),
            email: String::new(),
            web: String::new(),
            hours: String::new(),
            nation: nation.into(),
            tier: tier.into(),
            number_verified: "yes".into(),
            notes: String::new(),
            source_url: String::new(),
            verified_on: String::new(),
            verified_by: String::new(),
            sort_order: order,
            ..Helpline::default()
        }
    }

    #[test]
    fn the_nations_own_urgent_line_comes_first() {
        let lines = vec![
            line("999", "UK", "emergency", 1),
            line("Samaritans", "UK and Ireland", "crisis", 2),
            line("NHS 111 (England)", "England", "urgent", 3),
            line("NHS 111 Wales", "Wales", "urgent", 4),
            line("Lifeline", "Northern Ireland", "crisis", 5),
            line("Mind", "England and Wales", "information", 6),
        ];
        let names = |t: &[&Helpline]| t.iter().map(|h| h.organisation.clone()).collect::<Vec<_>>();
        let w = tiers(&lines, Some("wales"));
        assert_eq!(names(&w.emergency), ["999"]);
        assert_eq!(names(&w.urgent), ["NHS 111 Wales", "Samaritans"]);
        assert_eq!(names(&w.support), ["Mind"]);
        let ni = tiers(&lines, Some("northern-ireland"));
        assert_eq!(names(&ni.urgent), ["Lifeline", "Samaritans"]);
        assert!(ni.support.is_empty());
        let all = tiers(&lines, None);
        assert_eq!(all.urgent.len(), 4);
    }

    #[test]
    fn nearest_units_by_distance() {
        let m = |name: &str, lat: f64, lon: f64| MbuPosition {
            id: name.into(),
            name: name.into(),
            city: String::new(),
            status: "active".into(),
            latitude: lat,
            longitude: lon,
        };
        let all = vec![
            m("Glasgow", 55.86, -4.25),
            m("Cardiff", 51.48, -3.18),
            m("Leeds", 53.8, -1.55),
        ];
        let n = nearest(&all, 51.6, -3.0, 2);
        assert_eq!(n[0].mbu.name, "Cardiff");
        assert_eq!(n[1].mbu.name, "Leeds");
        assert!(n[0].km > 10 && n[0].km < 25, "{}", n[0].km);
        assert!(n[0].miles < n[0].km);
    }

    #[test]
    fn nearest_units_render_escaped_with_distances_in_both_languages() {
        let list = vec![
            MbuPosition {
                id: "u1".into(),
                name: "Ward <A> & B".into(),
                city: "Cardiff".into(),
                status: "temporarily closed".into(),
                latitude: 51.48,
                longitude: -3.18,
            },
            MbuPosition {
                id: "u2".into(),
                name: "Leeds unit".into(),
                city: String::new(),
                status: "active".into(),
                latitude: 53.8,
                longitude: -1.55,
            },
        ];
        let m = Mbus::new(list, vec!["wales".into(), "england".into()]);
        let near = nearest(&m.list, 51.6, -3.0, 3);
        let en = m.html(Lang::En).render(&near);
        let first = format!(
            "<li><a href=\"/services/u1\">Ward &lt;A&gt; &amp; B</a>, Cardiff, Wales: about {} miles ({} km) \
             <span class=\"status\">temporarily closed</span></li>",
            near[0].miles, near[0].km
        );
        assert!(en.contains(&first), "{en}");
        assert!(
            en.contains("<a href=\"/services/u2\">Leeds unit</a>, England: about "),
            "{en}"
        );
        assert!(en.find("u1").unwrap() < en.find("u2").unwrap());
        let cy = m.html(Lang::Cy).render(&near);
        assert!(
            cy.contains(&format!(
                "Cymru: tua {} milltir ({} km)",
                near[0].miles, near[0].km
            )),
            "{cy}"
        );
    }
}
