//! Boundary files: read or refused, never a panic. A refused file names, for every problem,
//! a feature that is in the file (or the file itself) and a field. Every feature read
//! answers point-in-area questions, and the geometry stored for it (read again at every
//! start) gives the same shape; written back out, the file reads back the same.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mmha::atlas::geo::{read_features, shape_from_json};

fuzz_target!(|input: &str| {
    match read_features(input) {
        Ok(features) => {
            assert!(!features.is_empty());
            let mut out = Vec::new();
            for f in &features {
                let _ = f.shape.contains(-3.18, 51.48);
                let stored = shape_from_json(&f.geometry_json).expect("stored geometry reads");
                assert_eq!(stored.polygons, f.shape.polygons);
                out.push(format!(
                    r#"{{"type":"Feature","properties":{{"code":{},"name":{},"nation":{}}},"geometry":{}}}"#,
                    serde_json::Value::from(f.code.as_str()),
                    serde_json::Value::from(f.name.as_str()),
                    serde_json::Value::from(f.nation.as_str()),
                    f.geometry_json
                ));
            }
            let file = format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, out.join(","));
            let again = read_features(&file).expect("written back, read back");
            assert_eq!(again.len(), features.len());
            for (a, b) in features.iter().zip(&again) {
                assert_eq!((&a.code, &a.name, &a.nation), (&b.code, &b.name, &b.nation));
                assert_eq!(a.geometry_json, b.geometry_json);
            }
        }
        Err(problems) => {
            assert!(!problems.is_empty());
            // At most one feature per '{' in the file.
            let most = input.matches('{').count();
            for p in &problems {
                assert!(!p.field.is_empty());
                assert!(p.feature <= most, "feature {} of at most {most}", p.feature);
            }
        }
    }
});
