//! `xuncha bench`: search latency and roster import time on a generated
//! store. Results go to BENCHMARKS.md by hand, with the machine and date.

use std::time::{Duration, Instant};

use rand::{rngs::StdRng, Rng, SeedableRng};
use serde::Serialize;
use xuncha_core::roster::{self, ImportOptions};
use xuncha_core::search::Query;
use xuncha_core::{synth, Env, Store};

/// Failures of the benchmark: it is a developer's tool, so any cause will do.
type Failure = Box<dyn std::error::Error>;

#[derive(Serialize)]
pub struct Latency {
    pub class: String,
    pub queries: usize,
    pub p50_us: u128,
    pub p95_us: u128,
    pub max_us: u128,
    pub mean_hits: f64,
}

#[derive(Serialize)]
pub struct Results {
    pub enterprises: usize,
    pub parks: usize,
    pub import_xlsx_ms: u128,
    pub import_csv_ms: u128,
    pub reimport_unchanged_ms: u128,
    pub index_build_ms: u128,
    pub search: Vec<Latency>,
}

fn latency(class: &str, store: &mut Store, queries: &[String]) -> Result<Latency, Failure> {
    let mut times: Vec<Duration> = Vec::with_capacity(queries.len());
    let mut hits = 0usize;
    for q in queries {
        let query = Query { text: q.clone(), limit: Some(50), ..Default::default() };
        let t = Instant::now();
        let found = store.search(&query)?;
        times.push(t.elapsed());
        hits += found.len();
    }
    times.sort();
    let at = |p: f64| times[((times.len() as f64 * p).ceil() as usize).saturating_sub(1).min(times.len() - 1)];
    Ok(Latency {
        class: class.into(),
        queries: queries.len(),
        p50_us: at(0.50).as_micros(),
        p95_us: at(0.95).as_micros(),
        max_us: times.last().map(|d| d.as_micros()).unwrap_or(0),
        mean_hits: hits as f64 / queries.len() as f64,
    })
}

pub fn run(enterprises: usize, parks: usize, queries: usize) -> Result<Results, Failure> {
    let dir = tempfile::tempdir()?;
    let seed = 20261122;
    let mut store = Store::open(dir.path().join("bench.db"), Env::fixed(chrono::Utc::now(), seed))?;
    let codes = synth::create_parks(&mut store, parks)?;
    let grid = synth::roster_grid(enterprises, &codes, seed);

    // The same roster as a clerk's files: write both, import the .xlsx.
    let xlsx = dir.path().join("roster.xlsx");
    let csv = dir.path().join("roster.csv");
    write_grid(&grid, &xlsx, &csv)?;
    let t = Instant::now();
    let report = roster::import(&mut store, &xlsx, &ImportOptions::default())?;
    let import_xlsx = t.elapsed();
    if !report.committed || report.created.len() != enterprises {
        return Err(format!("基准数据导入失败：{:?}", report.errors().next()).into());
    }
    let t = Instant::now();
    let again = roster::import(&mut store, &xlsx, &ImportOptions::default())?;
    let reimport = t.elapsed();
    if again.unchanged != enterprises {
        return Err("重复导入应无变化".into());
    }
    let mut fresh = Store::open(dir.path().join("bench-csv.db"), Env::fixed(chrono::Utc::now(), seed))?;
    synth::create_parks(&mut fresh, parks)?;
    let t = Instant::now();
    roster::import(&mut fresh, &csv, &ImportOptions::default())?;
    let import_csv = t.elapsed();
    drop(fresh);

    synth::add_facilities(&mut store)?;
    let t = Instant::now();
    store.search(&Query { text: "预热".into(), ..Default::default() })?;
    let index_build = t.elapsed();

    let mut rng = StdRng::seed_from_u64(seed);
    let names: Vec<String> = grid.iter().skip(1).filter(|r| !r[1].is_empty()).map(|r| r[1].clone()).collect();
    let fragment = |rng: &mut StdRng, len: usize| -> String {
        loop {
            let name: Vec<char> = names[rng.gen_range(0..names.len())].chars().collect();
            // Fragments of the Chinese part of names, not the numeric suffix.
            let han: Vec<char> = name.iter().copied().filter(|c| !c.is_ascii_digit()).collect();
            if han.len() > len {
                let start = rng.gen_range(0..han.len() - len);
                return han[start..start + len].iter().collect();
            }
        }
    };
    let two: Vec<String> = (0..queries).map(|_| fragment(&mut rng, 2)).collect();
    let four: Vec<String> = (0..queries).map(|_| fragment(&mut rng, 4)).collect();
    let codes: Vec<String> = (0..queries)
        .map(|_| {
            let row = &grid[rng.gen_range(1..grid.len())];
            let permit = if row[6].is_empty() { grid[1][6].clone() } else { row[6].clone() };
            if rng.gen_bool(0.5) {
                permit[..18].to_string()
            } else {
                permit
            }
        })
        .collect();
    let search = vec![
        latency("两字中文（如“食品”）", &mut store, &two)?,
        latency("四字中文（如“新材料科”）", &mut store, &four)?,
        latency("完整代码（信用代码、许可证编号）", &mut store, &codes)?,
    ];
    Ok(Results {
        enterprises,
        parks,
        import_xlsx_ms: import_xlsx.as_millis(),
        import_csv_ms: import_csv.as_millis(),
        reimport_unchanged_ms: reimport.as_millis(),
        index_build_ms: index_build.as_millis(),
        search,
    })
}

fn write_grid(grid: &[Vec<String>], xlsx: &std::path::Path, csv: &std::path::Path) -> Result<(), Failure> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    for (r, row) in grid.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                sheet.write_string(r as u32, c as u16, v)?;
            }
        }
    }
    wb.save(xlsx)?;
    let mut w = csv::Writer::from_path(csv)?;
    for row in grid {
        w.write_record(row)?;
    }
    w.flush()?;
    Ok(())
}

pub fn print(r: &Results) {
    println!("{}家企业，{}个园区", r.enterprises, r.parks);
    println!(
        "导入 .xlsx 名录：{} ms；导入 .csv 名录：{} ms；重复导入（无变化）：{} ms",
        r.import_xlsx_ms, r.import_csv_ms, r.reimport_unchanged_ms
    );
    println!("搜索索引重建：{} ms", r.index_build_ms);
    println!("查询类别\t次数\tp50(µs)\tp95(µs)\t最大(µs)\t平均命中");
    for l in &r.search {
        println!("{}\t{}\t{}\t{}\t{}\t{:.1}", l.class, l.queries, l.p50_us, l.p95_us, l.max_us, l.mean_hits);
    }
}
