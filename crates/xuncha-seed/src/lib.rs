//! Extracts the sample parks from the public source documents.
//!
//! The Qidong high-tech zone comes from its 2024 annual report (002): the
//! park's identity, quotas and actuals from the text, its enterprises from
//! table 1.3-1 (read through the same roster reader that imports clerks'
//! files, so irregular cells are flagged the same way), and their solid and
//! hazardous waste from table 10. The nine Yiyang parks come from 001
//! 附件1-1. Names in table 10 are matched to table 1.3-1 even where spelled
//! differently, and every such match is reported.
//!
//! Ids are derived from the records' keys, so re-running the extractor on
//! the same sources gives byte-identical output.

use std::collections::BTreeSet;

use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use xuncha_core::enterprise::{Enterprise, SolidWasteYear, WasteAmounts};
use xuncha_core::park::{AnnualActual, Park, ParkApproval, ParkLevel, ParkWastewaterFacility, PollutantQuota};
use xuncha_core::roster::{self, RowProblem};
use xuncha_core::sample::{SampleData, SamplePark};

/// Why the sources could not be read as expected.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("source text not found: {0}")]
    Missing(String),
    #[error("table {table}, row {row}: {message}")]
    Table { table: &'static str, row: usize, message: String },
    #[error("roster rows of table 1.3-1 have errors: {0:?}")]
    Roster(Vec<RowProblem>),
}

/// How a table-10 name was matched to an enterprise of table 1.3-1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NameMatch {
    pub table10_name: String,
    pub enterprise: String,
    pub reason: String,
}

/// What the extractor found, for its report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Extraction {
    pub data: SampleData,
    pub name_matches: Vec<NameMatch>,
    pub flagged: Vec<(String, String, String)>,
    pub without_credit_code: Vec<String>,
}

/// A fixed UUIDv7 for a sample record: `order` milliseconds after the
/// start of 2025 as its time, so records sort in source order, and a hash of
/// the record's key as its random part.
pub fn sample_id<I: From<Uuid>>(key: &str, order: u32) -> I {
    let digest = Sha256::digest(format!("xuncha-sample:{key}").as_bytes());
    let mut random = [0u8; 10];
    random.copy_from_slice(&digest[..10]);
    let at = chrono::DateTime::parse_from_rfc3339("2025-01-01T00:00:00Z").expect("valid date").to_utc()
        + chrono::Duration::milliseconds(i64::from(order));
    I::from(xuncha_core::env::uuid_v7(at, &random))
}

/// Splits a seed table into rows of cells: rows are separated by blank
/// lines and each cell is a tab-indented line.
fn table_rows<'a>(lines: &[&'a str]) -> Vec<Vec<&'a str>> {
    let mut rows = Vec::new();
    let mut row: Vec<&str> = Vec::new();
    for line in lines {
        if let Some(cell) = line.strip_prefix('\t') {
            row.push(cell.trim());
        } else if line.trim().is_empty() {
            if row.is_empty() {
                if !rows.is_empty() {
                    break;
                }
                continue;
            }
            rows.push(std::mem::take(&mut row));
        } else {
            break;
        }
    }
    if !row.is_empty() {
        rows.push(row);
    }
    rows
}

fn lines_after<'a>(text: &'a str, marker: &str) -> Result<Vec<&'a str>, ExtractError> {
    let at = text.find(marker).ok_or_else(|| ExtractError::Missing(marker.to_string()))?;
    let rest = &text[at..];
    let rest = &rest[rest.find('\n').map(|i| i + 1).unwrap_or(rest.len())..];
    Ok(rest.lines().collect())
}

fn require<'a>(text: &'a str, phrase: &str) -> Result<&'a str, ExtractError> {
    text.find(phrase).map(|i| &text[i..i + phrase.len()]).ok_or_else(|| ExtractError::Missing(phrase.to_string()))
}

/// The text between `before` and the next occurrence of `after`.
fn between<'a>(text: &'a str, before: &str, after: &str) -> Result<&'a str, ExtractError> {
    let start = text.find(before).ok_or_else(|| ExtractError::Missing(before.to_string()))? + before.len();
    let len = text[start..].find(after).ok_or_else(|| ExtractError::Missing(after.to_string()))?;
    Ok(text[start..start + len].trim())
}

fn qidong_park(text: &str) -> Result<Park, ExtractError> {
    let mut park = Park::new(sample_id("park:S437012", 0), require(text, "湖南祁东高新技术产业开发区")?);
    park.code = Some(between(text, "园区代码为：", "，")?.to_string());
    park.level = Some(match between(text, "园区级别为", "工业园区")? {
        "国家级" => ParkLevel::National,
        "省级" => ParkLevel::Provincial,
        other => return Err(ExtractError::Missing(format!("park level {other}"))),
    });
    park.city = Some(require(text, "衡阳市")?.to_string());
    park.county = Some(require(text, "祁东县")?.to_string());
    // 祁东县's region code, as the emergency filing numbers of its enterprises carry it.
    require(text, "430426-")?;
    park.region_code = Some("430426".into());
    park.address = Some(format!("衡阳市祁东县{}", between(text, "位于衡阳市祁东县", "，")?));
    park.area_km2 = Some(between(text, "规划面积为", "km2")?.to_string());
    park.leading_industries = Some(between(text, "主导产业为", "等")?.to_string());
    park.approvals = vec![
        ParkApproval {
            id: sample_id("park:S437012:approval:湘环评函[2014]89号", 0),
            kind: "planning_eia".into(),
            doc_number: require(text, "湘环评函[2014]89号")?.to_string(),
            authority: Some(require(text, "湖南省环境保护厅")?.to_string()),
            approved_on: Some("2014-08".into()),
            title: Some(require(text, "《祁东经济开发区环境影响报告书》")?.to_string()),
        },
        ParkApproval {
            id: sample_id("park:S437012:approval:湘环评函[2022]90号", 0),
            kind: "tracking_evaluation".into(),
            doc_number: require(text, "湘环评函[2022]90号")?.to_string(),
            authority: Some(require(text, "湖南省生态环境厅")?.to_string()),
            approved_on: Some("2022".into()),
            title: Some(require(text, "《祁东经济开发区环境影响跟踪评价报告书》")?.to_string()),
        },
    ];
    let quotas = between(text, "园区主要污染物总量控制指标：", "。")?;
    let actuals = between(text, "2024年实际排放总量情况（污染物总量：", "）")?;
    for (short, chinese) in [("COD", "化学需氧量"), ("NH3-N", "氨氮"), ("SO2", "二氧化硫"), ("NOx", "氮氧化物")]
    {
        let number = |s: &str| -> Result<String, ExtractError> {
            let from =
                s.find(chinese).ok_or_else(|| ExtractError::Missing(format!("{chinese} in {s}")))? + chinese.len();
            let n: String = s[from..].trim_start().chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
            if n.is_empty() {
                return Err(ExtractError::Missing(format!("amount of {chinese}")));
            }
            Ok(n)
        };
        park.pollutants.push(PollutantQuota {
            id: sample_id(&format!("park:S437012:pollutant:{short}"), 0),
            pollutant: short.into(),
            quota_tpa: Some(number(quotas)?),
            actuals: vec![AnnualActual { year: 2024, amount_tpa: number(actuals)? }],
        });
    }
    require(text, "园区污水处理厂(归阳镇污水处理厂)")?;
    park.wastewater_facility = Some(ParkWastewaterFacility {
        name: Some("归阳镇污水处理厂".into()),
        mode: Some("relied_on".into()),
        discharge_standard: Some(
            require(text, "《城镇污水处理厂污染物排放标准》(GB18918-2002)中的一级B标准")?.to_string(),
        ),
        ..Default::default()
    });
    park.emergency_plan_filing = None;
    require(text, "《祁东县归阳工业园突发环境事件应急预案》")?;
    Ok(park)
}

/// Table 1.3-1 as rows of cells, each padded to the header's width.
fn table_131(text: &str) -> Result<Vec<Vec<String>>, ExtractError> {
    let lines = lines_after(text, "1.3-1 园区企业环保执行情况汇总表")?;
    let rows = table_rows(&lines);
    let width = rows.first().map(Vec::len).unwrap_or(0);
    Ok(rows
        .into_iter()
        .map(|r| {
            let mut r: Vec<String> = r.into_iter().map(str::to_string).collect();
            r.resize(width, String::new());
            r
        })
        .collect())
}

struct WasteRow {
    row: usize,
    name: String,
    general: WasteAmounts,
    hazardous: WasteAmounts,
    on_transfer_list: Option<bool>,
}

fn table_10(text: &str) -> Result<(Vec<WasteRow>, Vec<String>), ExtractError> {
    let lines = lines_after(text, "表10   企业固体废物处置清单")?;
    let mut out = Vec::new();
    let mut total = Vec::new();
    for (i, r) in table_rows(&lines).into_iter().enumerate() {
        if r.first() == Some(&"合计") {
            total = r[1..].iter().map(|s| s.to_string()).collect();
            continue;
        }
        if r.first().is_none_or(|c| c.parse::<u32>().is_err()) {
            continue;
        }
        if r.len() != 11 {
            return Err(ExtractError::Table {
                table: "10",
                row: i + 1,
                message: format!("expected 11 cells, found {}", r.len()),
            });
        }
        let amount = |j: usize| -> Result<Option<String>, ExtractError> {
            let s = r[j];
            if xuncha_core::enterprise::is_decimal(s) {
                Ok(Some(s.to_string()))
            } else {
                Err(ExtractError::Table { table: "10", row: i + 1, message: format!("not an amount: {s}") })
            }
        };
        out.push(WasteRow {
            row: i + 1,
            name: r[1].to_string(),
            general: WasteAmounts {
                produced: amount(2)?,
                self_utilised: amount(3)?,
                self_disposed: amount(4)?,
                entrusted: amount(5)?,
            },
            hazardous: WasteAmounts {
                produced: amount(6)?,
                self_utilised: amount(7)?,
                self_disposed: amount(8)?,
                entrusted: amount(9)?,
            },
            on_transfer_list: match r[10] {
                "√" => Some(true),
                "×" => Some(false),
                _ => None,
            },
        });
    }
    Ok((out, total))
}

const REGION_PREFIXES: [&str; 6] = ["湖南省", "衡阳市", "祁东县", "湖南", "衡阳", "祁东"];

/// The name without its region prefix: the trade name (字号) comes first.
fn trade_part(name: &str) -> &str {
    let mut s = name;
    while let Some(p) = REGION_PREFIXES.iter().find(|p| s.starts_with(**p)) {
        s = &s[p.len()..];
    }
    s
}

/// Finds the enterprise a table-10 name means, among those not yet
/// matched: the same name; a name one character off; or a unique
/// enterprise with the same trade name (the first two characters after the
/// region prefix).
fn match_name(name: &str, candidates: &[(usize, &str)]) -> Option<(usize, Option<String>)> {
    if let Some((i, _)) = candidates.iter().find(|(_, c)| *c == name) {
        return Some((*i, None));
    }
    let chars: Vec<char> = name.chars().collect();
    let one_off: Vec<&(usize, &str)> = candidates
        .iter()
        .filter(|(_, c)| {
            let cc: Vec<char> = c.chars().collect();
            cc.len() == chars.len() && cc.iter().zip(&chars).filter(|(a, b)| a != b).count() == 1
        })
        .collect();
    if let [(i, c)] = one_off.as_slice() {
        let (a, b) = c.chars().zip(name.chars()).find(|(a, b)| a != b).expect("one character differs");
        return Some((*i, Some(format!("一字之差：表10写作“{b}”，表1.3-1写作“{a}”"))));
    }
    let trade: String = trade_part(name).chars().take(2).collect();
    let same_trade: Vec<&(usize, &str)> =
        candidates.iter().filter(|(_, c)| trade.chars().count() == 2 && trade_part(c).starts_with(&trade)).collect();
    if let [(i, _)] = same_trade.as_slice() {
        return Some((*i, Some(format!("去掉地名后前两字“{trade}”相同且唯一，其余部分写法不同"))));
    }
    None
}

fn yiyang_parks(text: &str) -> Result<Vec<Park>, ExtractError> {
    let lines = lines_after(text, "益阳市省级及以上工业园区（集聚区）清单")?;
    let mut parks = Vec::new();
    for row in table_rows(&lines).into_iter().skip(1) {
        let [no, county, name, code, _note] = row.as_slice() else {
            return Err(ExtractError::Table { table: "附件1-1", row: parks.len() + 1, message: format!("{row:?}") });
        };
        if no.parse::<u32>().is_err() {
            return Err(ExtractError::Table {
                table: "附件1-1",
                row: parks.len() + 1,
                message: format!("no number: {no}"),
            });
        }
        let mut p = Park::new(sample_id(&format!("park:yiyang:{name}"), parks.len() as u32 + 1), *name);
        p.code = Some(code.to_string());
        p.level = Some(match code.chars().next() {
            Some('G') => ParkLevel::National,
            Some('S') => ParkLevel::Provincial,
            _ => ParkLevel::Cluster,
        });
        p.city = Some("益阳市".into());
        p.county = Some(county.to_string());
        // GB/T 2260 codes of Yiyang's counties; 高新区 and 大通湖区 are
        // management zones without a code of their own.
        p.region_code = match *county {
            "资阳区" => Some("430902"),
            "赫山区" => Some("430903"),
            "南县" => Some("430921"),
            "桃江县" => Some("430922"),
            "安化县" => Some("430923"),
            "沅江市" => Some("430981"),
            _ => None,
        }
        .map(str::to_string);
        parks.push(p);
    }
    Ok(parks)
}

/// Runs the whole extraction on the texts of 002 and 001.
pub fn extract(report_002: &str, parks_001: &str) -> Result<Extraction, ExtractError> {
    let park = qidong_park(report_002)?;
    let grid = table_131(report_002)?;
    let parsed = roster::parse_grid(&grid);
    let errors: Vec<RowProblem> =
        parsed.problems.iter().filter(|p| p.severity == xuncha_core::ident::Severity::Error).cloned().collect();
    if !errors.is_empty() {
        return Err(ExtractError::Roster(errors));
    }
    let mut ex = Extraction::default();
    let mut enterprises: Vec<Enterprise> = parsed
        .records
        .iter()
        .enumerate()
        .map(|(order, rec)| {
            let key = format!("enterprise:S437012:{}", rec.name);
            let mut n = 0;
            let mut new_id = || {
                n += 1;
                sample_id(&format!("{key}:{n}"), 0)
            };
            let mut e = roster::apply_record(rec, None, park.id, &mut new_id);
            e.id = sample_id(&key, order as u32);
            e
        })
        .collect();
    let (waste, _total) = table_10(report_002)?;
    let mut unmatched: BTreeSet<usize> = (0..enterprises.len()).collect();
    for w in waste {
        let candidates: Vec<(usize, &str)> = unmatched.iter().map(|i| (*i, enterprises[*i].name.as_str())).collect();
        let Some((i, reason)) = match_name(&w.name, &candidates) else {
            return Err(ExtractError::Table {
                table: "10",
                row: w.row,
                message: format!("no enterprise named like {}", w.name),
            });
        };
        unmatched.remove(&i);
        let e = &mut enterprises[i];
        if let Some(reason) = reason {
            ex.name_matches.push(NameMatch { table10_name: w.name.clone(), enterprise: e.name.clone(), reason });
            e.aliases.push(w.name.clone());
        }
        e.solid_waste.push(SolidWasteYear {
            id: sample_id(&format!("enterprise:S437012:{}:waste:2024", e.name), 0),
            year: 2024,
            general: w.general,
            hazardous: w.hazardous,
            on_transfer_list: w.on_transfer_list,
        });
    }
    for e in &enterprises {
        for f in &e.source_flags {
            ex.flagged.push((e.name.clone(), f.field.clone(), f.message.clone()));
        }
        if e.credit_code.is_none() {
            ex.without_credit_code.push(e.name.clone());
        }
    }
    let mut parks = vec![SamplePark { park, enterprises }];
    for p in yiyang_parks(parks_001)? {
        parks.push(SamplePark { park: p, enterprises: Vec::new() });
    }
    ex.data = SampleData {
        source: "湖南祁东高新技术产业开发区2024年度环境管理报告（表1.3-1、表10）；益阳市工业园区污水处理设施整治专项行动工作方案附件1-1".into(),
        parks,
    };
    Ok(ex)
}

/// The extraction report, in Markdown, committed beside the data.
pub fn report_markdown(ex: &Extraction) -> String {
    let mut s = String::new();
    s.push_str("# Sample data extraction report\n\n");
    s.push_str("Generated by `cargo run -p xuncha-seed`; do not edit by hand.\n\n");
    for sp in &ex.data.parks {
        s.push_str(&format!(
            "- {} ({}): {} enterprises\n",
            sp.park.name,
            sp.park.code.as_deref().unwrap_or(""),
            sp.enterprises.len()
        ));
    }
    s.push_str("\n## Names matched across tables\n\nTable 10 spells these enterprises differently from table 1.3-1; the other spelling is kept as an alias.\n\n| table 10 | table 1.3-1 | why |\n| --- | --- | --- |\n");
    for m in &ex.name_matches {
        s.push_str(&format!("| {} | {} | {} |\n", m.table10_name, m.enterprise, m.reason));
    }
    s.push_str("\n## Enterprises without a credit code\n\nTable 1.3-1 has no credit-code column; codes come from the permit numbers. These have none and are not given one.\n\n");
    for n in &ex.without_credit_code {
        s.push_str(&format!("- {n}\n"));
    }
    s.push_str("\n## Counts: text against table\n\nThe report's text says 1 key, 10 simplified and 39 registration enterprises; table 1.3-1 lists 1 key, 11 simplified and 38 registration. The data follows the table, row by row.\n");
    s.push_str("\n## Irregular cells kept as found\n\n| enterprise | column | note |\n| --- | --- | --- |\n");
    for (name, field, message) in &ex.flagged {
        s.push_str(&format!("| {name} | {field} | {message} |\n"));
    }
    s
}

/// The seed files this extractor reads, relative to the seeds folder.
pub const REPORT_002: &str = "002_a773edee53e2979e.txt";
pub const PARKS_001: &str = "001_19bd22d4f64fa25b.txt";

/// Reads the seeds folder and returns the sample JSON and the report text,
/// exactly as they are committed under `assets/sample/`.
pub fn extract_files(seeds: &std::path::Path) -> Result<(String, String), Box<dyn std::error::Error>> {
    let r002 = std::fs::read_to_string(seeds.join(REPORT_002))?;
    let r001 = std::fs::read_to_string(seeds.join(PARKS_001))?;
    let ex = extract(&r002, &r001)?;
    let mut json = serde_json::to_string_pretty(&ex.data)?;
    json.push('\n');
    Ok((json, report_markdown(&ex)))
}
