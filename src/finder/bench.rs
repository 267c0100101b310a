//! `mmha bench postcodes`: index load time, memory and lookup speed, printed as figures.

use std::time::Instant;

use super::index::PostcodeIndex;
use super::postcode;
use crate::db::Db;

/// Resident memory of this process in bytes (Linux; 0 elsewhere).
pub fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

fn mb(b: u64) -> f64 {
    b as f64 / 1_048_576.0
}

/// A small deterministic generator, so runs are comparable.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 11
    }
}

/// Looks up `n` postcodes sampled from the index, as typed (lower case, no space), and
/// prints median and p99.
fn time_lookups(label: &str, idx: &PostcodeIndex, n: usize) {
    let mut rng = Lcg(7);
    let inputs: Vec<String> = (0..n)
        .map(|_| {
            let code = idx.code_at((rng.next_u64() % idx.len() as u64) as usize);
            code.display().to_ascii_lowercase().replace(' ', "")
        })
        .collect();
    let mut times = Vec::with_capacity(n);
    let mut found = 0usize;
    for s in &inputs {
        let start = Instant::now();
        let hit = postcode::parse(s).ok().map(|r| idx.resolve(&r));
        times.push(start.elapsed().as_nanos() as u64);
        found += usize::from(matches!(
            std::hint::black_box(hit),
            Some(super::index::Resolved::Postcode { .. })
        ));
    }
    times.sort_unstable();
    let pct = |p: f64| times[((times.len() - 1) as f64 * p) as usize] as f64 / 1000.0;
    println!(
        "{label}: {n} lookups of postcodes in the index, typed in lower case without a space ({found} found), median {:.2} µs, p99 {:.2} µs, max {:.2} µs",
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );
}

/// The ONSPD header (November 2024 layout).
pub const ONSPD_HEADER: &str = "pcd,pcd2,pcds,dointr,doterm,oscty,ced,oslaua,osward,parish,usertype,oseast1m,osnrth1m,osgrdind,oshlthau,nhser,ctry,rgn,streg,pcon,eer,teclec,ttwa,pct,itl,statsward,oa01,casward,npark,lsoa01,msoa01,ur01ind,oac01,oa11,lsoa11,msoa11,wz11,sicbl,bua24,ru11ind,oac11,lat,long,lep1,lep2,pfa,imd,calncv,icb,oa21,lsoa21,msoa21";

/// A generated file in ONSPD format: `rows` postcodes spread over the shipped index's
/// districts, with positions near each district's middle, the ICB (England) or health board
/// (Wales, Scotland) in the columns ONSPD uses, none for Northern Ireland, and 3 % terminated.
/// Produced as it is read, so sizing a 2.7-million-row import needs no gigabyte on disk.
pub struct SyntheticOnspd {
    rows: Vec<(String, f64, f64, String)>,
    per_district: usize,
    next: usize,
    total: usize,
    buf: Vec<u8>,
    at: usize,
    rng: Lcg,
}

impl SyntheticOnspd {
    pub fn new(idx: &PostcodeIndex, total: usize) -> SyntheticOnspd {
        let rows: Vec<(String, f64, f64, String)> = idx
            .districts()
            .map(|(o, hit)| (o.display(), hit.lat, hit.lon, hit.area_code.to_string()))
            .collect();
        let per_district = total.div_ceil(rows.len()).min(4000);
        let mut buf = ONSPD_HEADER.as_bytes().to_vec();
        buf.push(b'\n');
        SyntheticOnspd {
            rows,
            per_district,
            next: 0,
            total,
            buf,
            at: 0,
            rng: Lcg(11),
        }
    }

    fn fill(&mut self) {
        self.buf.clear();
        self.at = 0;
        // Inward codes: digit + two letters not in CIKMOV (4,000 per district).
        const L: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
        while self.buf.len() < 64 * 1024 && self.next < self.total {
            let d = self.next / self.per_district;
            let k = self.next % self.per_district;
            self.next += 1;
            let Some((out, lat, lon, area)) = self.rows.get(d % self.rows.len()) else {
                return;
            };
            let inward = format!(
                "{}{}{}",
                (k / 400) % 10,
                L[(k / 20) % 20] as char,
                L[k % 20] as char
            );
            let pcds = format!("{out} {inward}");
            let j = |r: &mut Lcg| (r.next_u64() % 2000) as f64 / 100_000.0 - 0.01;
            let (la, lo) = (lat + j(&mut self.rng), lon + j(&mut self.rng));
            let term = if self.rng.next_u64() % 100 < 3 {
                "202301"
            } else {
                ""
            };
            let (icb, hlthau, ctry) = match &area[..1] {
                "E" => (area.as_str(), "E18000009", "E92000001"),
                "W" => ("W99999999", area.as_str(), "W92000004"),
                "S" => ("S99999999", area.as_str(), "S92000003"),
                _ => ("N99999999", "ZC0000001", "N92000002"),
            };
            let line = format!(
                "\"{out:<4}{inward}\",\"{out:<4} {inward}\",\"{pcds}\",\"198001\",\"{term}\",\"E99999999\",\"E99999999\",\"E06000001\",\"E05008942\",\"E43000191\",\"0\",\"0445225\",\"0532141\",\"1\",\"{hlthau}\",\"E40000012\",\"{ctry}\",\"E12000001\",\"0\",\"E14001305\",\"E15000001\",\"E24000005\",\"E30000215\",\"E16000077\",\"E06000001\",\"00EBMK\",\"E00060274\",\"00EBMK\",\"E99999999\",\"E01011954\",\"E02002483\",\"5\",\"7B4\",\"E00060274\",\"E01011954\",\"E02002483\",\"E33000251\",\"E38000075\",\"E63000000\",\"C1\",\"7B4\",{la:.6},{lo:.6},\"E37000034\",\"\",\"E23000013\",\"4145\",\"E56000002\",\"{icb}\",\"E00060274\",\"E01011954\",\"E02002483\"\n"
            );
            self.buf.extend_from_slice(line.as_bytes());
        }
    }
}

impl std::io::Read for SyntheticOnspd {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.buf.len() {
            self.fill();
        }
        let n = out.len().min(self.buf.len() - self.at);
        out[..n].copy_from_slice(&self.buf[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

pub async fn run(db: &Db, lookups: usize, synthetic: Option<usize>) -> anyhow::Result<()> {
    let before = rss_bytes();
    let start = Instant::now();
    let idx = PostcodeIndex::builtin();
    let took = start.elapsed();
    let after = rss_bytes();
    println!(
        "shipped index: {} postcodes in {} districts, loaded in {:.2} s, {:.1} MB on the heap (resident memory +{:.1} MB)",
        idx.len(),
        idx.district_count(),
        took.as_secs_f64(),
        mb(idx.heap_bytes() as u64),
        mb(after.saturating_sub(before)),
    );
    time_lookups("shipped index", &idx, lookups);
    if let Some(rows) = synthetic {
        let atlas = crate::atlas::Atlas::load(db).await?;
        let source = SyntheticOnspd::new(&idx, rows);
        let before = rss_bytes();
        let start = Instant::now();
        let (big, summary) = tokio::task::spawn_blocking(move || {
            super::import::read(source, &atlas, "synthetic ONSPD", &mut |_| {})
        })
        .await??;
        let took = start.elapsed();
        println!(
            "synthetic ONSPD import: {} rows read ({} terminated skipped), {} postcodes indexed in {:.1} s, {:.1} MB on the heap (resident memory +{:.1} MB after the import)",
            summary.rows,
            summary.terminated,
            big.len(),
            took.as_secs_f64(),
            mb(big.heap_bytes() as u64),
            mb(rss_bytes().saturating_sub(before)),
        );
        let start = Instant::now();
        let bytes = big.to_bytes();
        let stored = start.elapsed();
        let start = Instant::now();
        let back = PostcodeIndex::from_bytes(&bytes)?;
        println!(
            "  stored form {:.1} MB (written in {:.1} s); loading it at start takes {:.2} s",
            mb(bytes.len() as u64),
            stored.as_secs_f64(),
            start.elapsed().as_secs_f64()
        );
        time_lookups("synthetic index (imported postcodes)", &back, lookups);
    }
    Ok(())
}
