//! Geometry for the map, with no web or database types: reading GeoJSON boundaries,
//! point-in-area lookup, and turning boundaries into small SVG paths.
//!
//! Coordinates are WGS84 (longitude, latitude). The map uses a plain equirectangular
//! projection scaled by cos(54.5°), which keeps the UK's shape honest at this size without a
//! projection library.

use serde::Deserialize;

/// A ring of (longitude, latitude) points; the first equals the last.
pub type Ring = Vec<(f64, f64)>;
/// A polygon: an outer ring, then holes.
pub type Polygon = Vec<Ring>;

/// One area's boundary.
#[derive(Clone, Debug, Default)]
pub struct Shape {
    pub polygons: Vec<Polygon>,
    /// (min lon, min lat, max lon, max lat)
    pub bbox: (f64, f64, f64, f64),
    /// For each polygon, its rings' edges by latitude band.
    index: Vec<Vec<RingIndex>>,
    /// Bounding box of each polygon's outer ring: most of an island-rich area's polygons
    /// are skipped without looking at their edges.
    polygon_boxes: Vec<(f64, f64, f64, f64)>,
}

/// Edges of a ring grouped into horizontal bands, so a point-in-ring test looks only at
/// the edges that cross the point's latitude band instead of all of them. Turns a lookup
/// in a 30,000-point coastline from tens of microseconds into well under one.
#[derive(Clone, Debug, Default)]
struct RingIndex {
    y0: f64,
    band_height: f64,
    /// Start index `i` of each edge (i, i+1) that overlaps the band.
    bands: Vec<Vec<u32>>,
}

impl RingIndex {
    fn build(ring: &[(f64, f64)]) -> RingIndex {
        let (mut y0, mut y1) = (f64::MAX, f64::MIN);
        for &(_, y) in ring {
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
        let count = (ring.len() / 4).clamp(1, 4096);
        let band_height = ((y1 - y0) / count as f64).max(f64::EPSILON);
        let band_of = |y: f64| (((y - y0) / band_height) as usize).min(count - 1);
        let mut bands = vec![Vec::new(); count];
        for i in 0..ring.len().saturating_sub(1) {
            let (a, b) = (ring[i].1, ring[i + 1].1);
            for band in &mut bands[band_of(a.min(b))..=band_of(a.max(b))] {
                band.push(i as u32);
            }
        }
        RingIndex {
            y0,
            band_height,
            bands,
        }
    }

    /// Even-odd test using only the edges of the point's band.
    fn contains(&self, ring: &[(f64, f64)], x: f64, y: f64) -> bool {
        let Some(band) = self
            .bands
            .get(((y - self.y0) / self.band_height).max(0.0) as usize)
        else {
            return false;
        };
        let mut inside = false;
        for &i in band {
            let (xi, yi) = ring[i as usize];
            let (xj, yj) = ring[i as usize + 1];
            if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
                inside = !inside;
            }
        }
        inside
    }
}

/// A feature read from a boundary file.
#[derive(Clone, Debug)]
pub struct Feature {
    pub code: String,
    pub name: String,
    pub nation: String,
    /// The geometry object as it came, for storage.
    pub geometry_json: String,
    pub shape: Shape,
}

#[derive(Deserialize)]
struct Collection {
    #[serde(rename = "type")]
    kind: String,
    features: Vec<RawFeature>,
}

#[derive(Deserialize)]
struct RawFeature {
    properties: Option<serde_json::Map<String, serde_json::Value>>,
    geometry: Option<serde_json::Value>,
}

/// A problem in a boundary file, with the feature number (1-based) and the field.
#[derive(Debug, Clone, PartialEq)]
pub struct GeoProblem {
    pub feature: usize,
    pub field: &'static str,
    pub message: String,
}

/// Reads a GeoJSON FeatureCollection whose features carry `code`, `name` and `nation`.
/// Every problem is reported; nothing is returned unless the whole file is good.
pub fn read_features(json: &str) -> Result<Vec<Feature>, Vec<GeoProblem>> {
    let problem = |feature, field, message: &str| GeoProblem {
        feature,
        field,
        message: message.to_string(),
    };
    let col: Collection = match serde_json::from_str(json) {
        Ok(c) => c,
        Err(e) => return Err(vec![problem(0, "file", &format!("not valid GeoJSON: {e}"))]),
    };
    if col.kind != "FeatureCollection" {
        return Err(vec![problem(
            0,
            "type",
            "the file must be a FeatureCollection",
        )]);
    }
    let mut out = Vec::new();
    // The feature number of each feature read, for problems found across features.
    let mut numbers = Vec::new();
    let mut problems = Vec::new();
    for (i, f) in col.features.into_iter().enumerate() {
        let n = i + 1;
        let props = f.properties.unwrap_or_default();
        let text = |k: &str| {
            props
                .get(k)
                .and_then(|v| v.as_str())
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let (code, name, nation) = (text("code"), text("name"), text("nation"));
        if code.is_empty() || code.len() > 20 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
            problems.push(problem(n, "code", "needs a code of letters and digits"));
        }
        if name.is_empty() {
            problems.push(problem(n, "name", "needs a name"));
        }
        if !crate::site::settings::NATIONS.contains(&nation.as_str()) {
            problems.push(problem(
                n,
                "nation",
                "must be england, wales, scotland or northern-ireland",
            ));
        }
        let Some(geometry) = f.geometry else {
            problems.push(problem(n, "geometry", "has no geometry"));
            continue;
        };
        match shape_from_geometry(&geometry) {
            Ok(shape) => {
                out.push(Feature {
                    code,
                    name,
                    nation,
                    geometry_json: stored_geometry(&geometry, &shape),
                    shape,
                });
                numbers.push(n);
            }
            Err(msg) => problems.push(problem(n, "geometry", &msg)),
        }
    }
    let mut seen = std::collections::HashSet::new();
    for (f, n) in out.iter().zip(numbers) {
        if !seen.insert(f.code.clone()) {
            problems.push(problem(n, "code", &format!("{} appears twice", f.code)));
        }
    }
    if out.is_empty() && problems.is_empty() {
        problems.push(problem(0, "features", "the file has no features"));
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// The geometry as stored: the same type, with each point as the two numbers read (an
/// altitude or other extra value a file may carry is left out, so what is stored always
/// reads back with [`shape_from_json`]).
fn stored_geometry(g: &serde_json::Value, shape: &Shape) -> String {
    let value = if g.get("type").and_then(|t| t.as_str()) == Some("Polygon") {
        serde_json::json!({"type": "Polygon", "coordinates": shape.polygons[0]})
    } else {
        serde_json::json!({"type": "MultiPolygon", "coordinates": shape.polygons})
    };
    value.to_string()
}

/// A stored geometry, read straight into coordinates (no intermediate JSON tree: the four
/// nations' boundaries are 3 MB of JSON, and a `Value` tree of them costs tens of MB).
#[derive(Deserialize)]
#[serde(tag = "type")]
enum TypedGeometry {
    Polygon {
        coordinates: Vec<Vec<(f64, f64)>>,
    },
    MultiPolygon {
        coordinates: Vec<Vec<Vec<(f64, f64)>>>,
    },
}

/// Parses stored geometry JSON (already validated when it was imported).
pub fn shape_from_json(json: &str) -> Result<Shape, String> {
    let polygons = match serde_json::from_str::<TypedGeometry>(json).map_err(|e| e.to_string())? {
        TypedGeometry::Polygon { coordinates } => vec![coordinates],
        TypedGeometry::MultiPolygon { coordinates } => coordinates,
    };
    if polygons.is_empty()
        || polygons
            .iter()
            .any(|p| p.is_empty() || p.iter().any(|r| r.len() < 4))
    {
        return Err("has an empty polygon or a ring with fewer than 4 points".into());
    }
    Ok(Shape::new(polygons))
}

/// Parses a GeoJSON Polygon or MultiPolygon geometry object.
pub fn shape_from_geometry(g: &serde_json::Value) -> Result<Shape, String> {
    let kind = g.get("type").and_then(|t| t.as_str()).unwrap_or("");
    let coords = g.get("coordinates").ok_or("has no coordinates")?;
    let polygons: Vec<Polygon> = match kind {
        "Polygon" => vec![polygon(coords)?],
        "MultiPolygon" => coords
            .as_array()
            .ok_or("coordinates must be a list")?
            .iter()
            .map(polygon)
            .collect::<Result<_, _>>()?,
        other => return Err(format!("must be a Polygon or MultiPolygon, not {other:?}")),
    };
    if polygons.is_empty() {
        return Err("is empty".into());
    }
    Ok(Shape::new(polygons))
}

impl Shape {
    /// Builds the bounding boxes and lookup index for checked polygons.
    fn new(polygons: Vec<Polygon>) -> Shape {
        let mut bbox = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for &(x, y) in polygons.iter().flatten().flatten() {
            bbox = (bbox.0.min(x), bbox.1.min(y), bbox.2.max(x), bbox.3.max(y));
        }
        let index = polygons
            .iter()
            .map(|p| p.iter().map(|r| RingIndex::build(r)).collect())
            .collect();
        let polygon_boxes = polygons
            .iter()
            .map(|p| {
                p[0].iter()
                    .fold((f64::MAX, f64::MAX, f64::MIN, f64::MIN), |b, &(x, y)| {
                        (b.0.min(x), b.1.min(y), b.2.max(x), b.3.max(y))
                    })
            })
            .collect();
        Shape {
            polygons,
            bbox,
            index,
            polygon_boxes,
        }
    }
}

fn polygon(v: &serde_json::Value) -> Result<Polygon, String> {
    let rings = v.as_array().ok_or("a polygon must be a list of rings")?;
    if rings.is_empty() {
        return Err("has a polygon with no rings".into());
    }
    rings
        .iter()
        .map(|r| {
            let pts = r.as_array().ok_or("a ring must be a list of points")?;
            let ring: Ring = pts
                .iter()
                .map(|p| {
                    let a = p
                        .as_array()
                        .filter(|a| a.len() >= 2)
                        .ok_or("a point needs two numbers")?;
                    let (x, y) = (a[0].as_f64(), a[1].as_f64());
                    match (x, y) {
                        (Some(x), Some(y))
                            if (-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y) =>
                        {
                            Ok((x, y))
                        }
                        _ => Err("has a point outside longitude/latitude range"),
                    }
                })
                .collect::<Result<_, _>>()?;
            if ring.len() < 4 {
                return Err("has a ring with fewer than 4 points".to_string());
            }
            if ring.first() != ring.last() {
                return Err("has a ring that is not closed".to_string());
            }
            Ok(ring)
        })
        .collect()
}

impl Shape {
    /// True when the point lies inside (even-odd rule: holes are outside).
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        let (x0, y0, x1, y1) = self.bbox;
        if lon < x0 || lon > x1 || lat < y0 || lat > y1 {
            return false;
        }
        self.polygons
            .iter()
            .zip(&self.index)
            .zip(&self.polygon_boxes)
            .filter(|(_, b)| lon >= b.0 && lon <= b.2 && lat >= b.1 && lat <= b.3)
            .any(|((p, idx), _)| {
                p.iter()
                    .zip(idx)
                    .filter(|(r, i)| i.contains(r, lon, lat))
                    .count()
                    % 2
                    == 1
            })
    }
}

/// Great-circle distance in kilometres.
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lon1, lat1) = (a.0.to_radians(), a.1.to_radians());
    let (lon2, lat2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

/// The projection from longitude/latitude to SVG user units.
#[derive(Clone, Copy, Debug)]
pub struct Projection {
    pub min_lon: f64,
    pub max_lat: f64,
    pub scale: f64,
    pub width: f64,
    pub height: f64,
}

/// cos(54.5°): the UK's middle latitude.
const LAT_FACTOR: f64 = 0.580_703_582_8;

impl Projection {
    /// A projection that fits `bbox` into `width` units, keeping the aspect ratio.
    pub fn fit(bbox: (f64, f64, f64, f64), width: f64) -> Projection {
        let (x0, y0, x1, y1) = bbox;
        let scale = width / ((x1 - x0) * LAT_FACTOR);
        Projection {
            min_lon: x0,
            max_lat: y1,
            scale,
            width,
            height: ((y1 - y0) * scale).ceil(),
        }
    }

    /// A projection that fits `bbox` inside `width` × `height` units, centred.
    pub fn fit_within(bbox: (f64, f64, f64, f64), width: f64, height: f64) -> Projection {
        let (x0, y0, x1, y1) = bbox;
        let (w, h) = ((x1 - x0) * LAT_FACTOR, y1 - y0);
        let scale = (width / w).min(height / h);
        // Centre the shorter side by moving the origin.
        let pad_x = (width / scale - w) / 2.0 / LAT_FACTOR;
        let pad_y = (height / scale - h) / 2.0;
        Projection {
            min_lon: x0 - pad_x,
            max_lat: y1 + pad_y,
            scale,
            width,
            height,
        }
    }

    pub fn project(&self, (lon, lat): (f64, f64)) -> (f64, f64) {
        (
            (lon - self.min_lon) * LAT_FACTOR * self.scale,
            (self.max_lat - lat) * self.scale,
        )
    }
}

/// Moves a path written by [`svg_path`] (absolute `M x y`, then relative moves) by
/// (`dx`, `dy`), rounded to whole units like the path.
pub fn translate_path(d: &str, dx: f64, dy: f64) -> String {
    let (dx, dy) = (dx.round() as i64, dy.round() as i64);
    let mut out = String::with_capacity(d.len() + 16);
    let mut rest = d;
    while let Some(i) = rest.find('M') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let end = after.find(['l', 'z', 'M']).unwrap_or(after.len());
        let mut nums = after[..end].split_whitespace().map(|n| n.parse::<i64>());
        match (nums.next(), nums.next()) {
            (Some(Ok(x)), Some(Ok(y))) => out.push_str(&format!("M{} {}", x + dx, y + dy)),
            _ => out.push_str(&rest[i..i + 1 + end]),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Douglas–Peucker simplification of a projected ring, keeping the ends.
fn simplify(points: &[(f64, f64)], tolerance: f64) -> Vec<(f64, f64)> {
    if points.len() < 3 {
        return points.to_vec();
    }
    let mut keep = vec![false; points.len()];
    keep[0] = true;
    keep[points.len() - 1] = true;
    let mut stack = vec![(0usize, points.len() - 1)];
    while let Some((a, b)) = stack.pop() {
        let (ax, ay) = points[a];
        let (bx, by) = points[b];
        let (dx, dy) = (bx - ax, by - ay);
        let len = (dx * dx + dy * dy).sqrt();
        let mut far = (0.0, 0);
        for (i, &(px, py)) in points.iter().enumerate().take(b).skip(a + 1) {
            let d = if len == 0.0 {
                ((px - ax).powi(2) + (py - ay).powi(2)).sqrt()
            } else {
                ((dy * px - dx * py + bx * ay - by * ax) / len).abs()
            };
            if d > far.0 {
                far = (d, i);
            }
        }
        if far.0 > tolerance {
            keep[far.1] = true;
            stack.push((a, far.1));
            stack.push((far.1, b));
        }
    }
    points
        .iter()
        .zip(keep)
        .filter_map(|(p, k)| k.then_some(*p))
        .collect()
}

fn ring_area(points: &[(f64, f64)]) -> f64 {
    let mut a = 0.0;
    for w in points.windows(2) {
        a += w[0].0 * w[1].1 - w[1].0 * w[0].1;
    }
    (a / 2.0).abs()
}

/// An SVG path (`d` attribute) for a shape: projected, simplified to `tolerance` units,
/// rounded to whole units and written with relative moves, so the whole UK fits in a few
/// tens of kilobytes. Rings smaller than `min_area` square units are dropped, except that
/// an area always keeps its largest ring.
pub fn svg_path(shape: &Shape, p: &Projection, tolerance: f64, min_area: f64) -> String {
    let mut rings: Vec<Vec<(i64, i64)>> = Vec::new();
    let mut largest: Option<(f64, Vec<(i64, i64)>)> = None;
    for ring in shape.polygons.iter().flatten() {
        let projected: Vec<(f64, f64)> = ring.iter().map(|&pt| p.project(pt)).collect();
        let simple = simplify(&projected, tolerance);
        let mut ints: Vec<(i64, i64)> = simple
            .iter()
            .map(|&(x, y)| (x.round() as i64, y.round() as i64))
            .collect();
        ints.dedup();
        let area = ring_area(&projected);
        if largest.as_ref().is_none_or(|(a, _)| area > *a) {
            largest = Some((area, ints.clone()));
        }
        if ints.len() >= 4 && area >= min_area {
            rings.push(ints);
        }
    }
    if rings.is_empty()
        && let Some((_, ring)) = largest
    {
        rings.push(ring);
    }
    let mut d = String::new();
    for ring in rings {
        let mut prev = ring[0];
        d.push_str(&format!("M{} {}", prev.0, prev.1));
        let mut first = true;
        for &pt in &ring[1..ring.len() - 1] {
            let (dx, dy) = (pt.0 - prev.0, pt.1 - prev.1);
            if dx == 0 && dy == 0 {
                continue;
            }
            if first {
                d.push('l');
                first = false;
            } else if dx >= 0 {
                d.push(' ');
            }
            d.push_str(&format!("{dx}"));
            if dy >= 0 {
                d.push(' ');
            }
            d.push_str(&format!("{dy}"));
            prev = pt;
        }
        d.push('z');
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQUARE: &str = r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"code":"X1","name":"Square","nation":"wales"},
         "geometry":{"type":"Polygon","coordinates":[[[-4,52],[-3,52],[-3,53],[-4,53],[-4,52]],
                                                     [[-3.6,52.4],[-3.4,52.4],[-3.4,52.6],[-3.6,52.6],[-3.6,52.4]]]}}]}"#;

    #[test]
    fn reads_and_looks_up() {
        let f = read_features(SQUARE).unwrap();
        assert_eq!(f.len(), 1);
        let s = &f[0].shape;
        assert!(s.contains(-3.8, 52.2));
        assert!(!s.contains(-3.5, 52.5), "inside the hole");
        assert!(!s.contains(-2.0, 52.5));
        assert_eq!(s.bbox, (-4.0, 52.0, -3.0, 53.0));
    }

    #[test]
    fn reports_every_problem() {
        let bad = r#"{"type":"FeatureCollection","features":[
            {"properties":{"code":"","name":"","nation":"france"},"geometry":{"type":"Point","coordinates":[0,0]}},
            {"properties":{"code":"A","name":"A","nation":"wales"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}},
            {"properties":{"code":"B","name":"B","nation":"wales"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}}]}"#;
        let p = read_features(bad).unwrap_err();
        let fields: Vec<_> = p.iter().map(|p| (p.feature, p.field)).collect();
        assert_eq!(
            fields,
            [
                (1, "code"),
                (1, "name"),
                (1, "nation"),
                (1, "geometry"),
                (2, "geometry"),
                (3, "geometry")
            ]
        );
        assert!(read_features("not json").is_err());
        assert!(read_features(r#"{"type":"Feature","features":[]}"#).is_err());
    }

    /// A code used twice is reported at the feature that repeats it, counted in the file,
    /// even when a feature before it could not be read.
    /// Points with an altitude (as many GIS tools write them) are read as two numbers, and
    /// the stored geometry reads back to the same shape.
    #[test]
    fn stored_geometry_reads_back_whatever_the_file_carried() {
        let file = r#"{"type":"FeatureCollection","features":[
            {"properties":{"code":"A","name":"A","nation":"wales"},
             "geometry":{"type":"Polygon","coordinates":[[[0,0,5],[1,0,5],[1,1,5],[0,1,5],[0,0,5]]]}}]}"#;
        let f = read_features(file).unwrap();
        let again = shape_from_json(&f[0].geometry_json).expect("stored geometry reads");
        assert_eq!(again.polygons, f[0].shape.polygons);
        assert!(
            f[0].geometry_json
                .starts_with(r#"{"coordinates":[[[0.0,0.0],"#),
            "{}",
            f[0].geometry_json
        );
    }

    #[test]
    fn a_repeated_code_names_its_own_feature() {
        let sq = r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}"#;
        let file = format!(
            r#"{{"type":"FeatureCollection","features":[
            {{"properties":{{"code":"A","name":"A","nation":"wales"}}}},
            {{"properties":{{"code":"B","name":"B","nation":"wales"}},"geometry":{sq}}},
            {{"properties":{{"code":"B","name":"B again","nation":"wales"}},"geometry":{sq}}}]}}"#
        );
        let p = read_features(&file).unwrap_err();
        let fields: Vec<_> = p.iter().map(|p| (p.feature, p.field)).collect();
        assert_eq!(fields, [(1, "geometry"), (3, "code")]);
    }

    #[test]
    fn svg_paths_are_small_and_closed() {
        let f = read_features(SQUARE).unwrap();
        let p = Projection::fit(f[0].shape.bbox, 100.0);
        let d = svg_path(&f[0].shape, &p, 0.5, 1.0);
        // The outer square (100 × 172 units: latitude degrees are longer) then the hole,
        // each as a start point and relative moves.
        assert_eq!(d, "M0 172l100 0 0-172-100 0zM40 103l20 0 0-34-20 0z");
        // Rings below the minimum area are dropped, but an area keeps its largest ring.
        let d = svg_path(&f[0].shape, &p, 0.5, 1_000_000.0);
        assert_eq!(d, "M0 172l100 0 0-172-100 0z");
    }

    #[test]
    fn simplify_drops_collinear_points() {
        let line = [(0.0, 0.0), (1.0, 0.01), (2.0, 0.0), (3.0, 5.0)];
        assert_eq!(simplify(&line, 0.1), [(0.0, 0.0), (2.0, 0.0), (3.0, 5.0)]);
    }

    /// The banded index gives exactly the plain ray-casting answer, on real coastlines.
    #[test]
    fn indexed_lookup_matches_plain_ray_casting() {
        fn plain(shape: &Shape, x: f64, y: f64) -> bool {
            shape.polygons.iter().any(|p| {
                p.iter()
                    .filter(|ring| {
                        let mut inside = false;
                        let mut j = ring.len() - 1;
                        for i in 0..ring.len() {
                            let ((xi, yi), (xj, yj)) = (ring[i], ring[j]);
                            if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
                                inside = !inside;
                            }
                            j = i;
                        }
                        inside
                    })
                    .count()
                    % 2
                    == 1
            })
        }
        let features =
            read_features(include_str!("../../seed/geo/wales-lhb-2022.geojson")).unwrap();
        // A fixed pseudo-random walk over Wales's bounding box.
        let mut seed = 12345u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut inside = 0;
        for _ in 0..5000 {
            let (x, y) = (-5.4 + next() * 2.8, 51.3 + next() * 2.2);
            for f in &features {
                let want = plain(&f.shape, x, y);
                assert_eq!(f.shape.contains(x, y), want, "{} at {x},{y}", f.code);
                inside += usize::from(want);
            }
        }
        assert!(inside > 1000, "the sample must hit land often: {inside}");
    }

    #[test]
    fn paths_move_and_fit_within_a_box() {
        assert_eq!(
            translate_path("M10 20l5 0 0 5z M1 2l3 4z", 100.0, 7.0),
            "M110 27l5 0 0 5z M101 9l3 4z"
        );
        // A wide box fitted in a square is centred top to bottom.
        let p = Projection::fit_within((0.0, 50.0, 2.0, 51.0), 100.0, 100.0);
        let (x0, y0) = p.project((0.0, 51.0));
        let (x1, y1) = p.project((2.0, 50.0));
        assert!(
            (x0 - 0.0).abs() < 1e-6 && (x1 - 100.0).abs() < 1e-6,
            "{x0} {x1}"
        );
        assert!(
            y0 > 0.0 && y1 < 100.0 && ((y0 + y1) / 2.0 - 50.0).abs() < 1e-6,
            "{y0} {y1}"
        );
    }

    #[test]
    fn distances() {
        // Cardiff to London, about 212 km.
        let d = distance_km((-3.179, 51.481), (-0.128, 51.507));
        assert!((d - 212.0).abs() < 3.0, "{d}");
    }
}
