//! Enterprise rosters (企业名录) in the shape of table 1.3-1 of the annual
//! park report, as `.xlsx` or `.csv` with Chinese headers.
//!
//! Reading: the header row is the first row with a 企业名称 cell; columns
//! are matched by header name, in any order. A row whose only cell is a
//! status (在建企业) starts a section of that status. A row with no number
//! and no name but an EIA approval is a continuation: one more approval of
//! the enterprise above (the source merges the other cells vertically, so an
//! empty 是否验收 there repeats the one above). Irregular cells (`/`, `\`,
//! `是` where a number belongs, an empty industry) are kept as found in the
//! enterprise's source flags and reported; they are never invented away.
//!
//! Importing is all or nothing: if any row has an error, nothing is
//! written and the report lists every problem; otherwise every row is
//! written in one transaction, with one outbox entry per enterprise that
//! changed. Rows match existing files by credit code, else by name (or a
//! known other spelling of it), so importing the same file twice changes
//! nothing the second time.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use crate::enterprise::*;
use crate::id::*;
use crate::ident::{self, Severity};
use crate::search::normalize;
use crate::store::{Store, StoreError};

/// A roster column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    No,
    Name,
    CreditCode,
    Industry,
    Eia,
    Acceptance,
    Emergency,
    Permit,
    Category,
    Status,
    ParkCode,
    LegalRepresentative,
    Address,
    EnvironmentContact,
    Phone,
}

impl Column {
    /// Export order; also the canonical header text.
    pub const ALL: [Column; 15] = [
        Column::No,
        Column::Name,
        Column::CreditCode,
        Column::Industry,
        Column::Eia,
        Column::Acceptance,
        Column::Emergency,
        Column::Permit,
        Column::Category,
        Column::Status,
        Column::ParkCode,
        Column::LegalRepresentative,
        Column::Address,
        Column::EnvironmentContact,
        Column::Phone,
    ];

    pub fn header(self) -> &'static str {
        match self {
            Column::No => "序号",
            Column::Name => "企业名称",
            Column::CreditCode => "统一社会信用代码",
            Column::Industry => "行业类别",
            Column::Eia => "是否有环评手续（批复文号）",
            Column::Acceptance => "是否验收",
            Column::Emergency => "应急预案备案情况",
            Column::Permit => "是否取得排污许可证",
            Column::Category => "管理类别（简化或重点）",
            Column::Status => "运行状态",
            Column::ParkCode => "园区代码",
            Column::LegalRepresentative => "法定代表人",
            Column::Address => "地址",
            Column::EnvironmentContact => "环保负责人",
            Column::Phone => "联系电话",
        }
    }

    fn aliases(self) -> &'static [&'static str] {
        match self {
            Column::No => &["编号"],
            Column::Name => &["单位名称", "企业全称"],
            Column::CreditCode => &["信用代码", "社会信用代码"],
            Column::Industry => &["行业", "所属行业", "行业类别（国民经济行业分类）"],
            Column::Eia => &["环评批复文号", "环评批复", "环评手续", "是否有环评手续"],
            Column::Acceptance => &["验收", "是否完成验收", "竣工环保验收"],
            Column::Emergency => &["应急预案备案编号", "应急预案备案", "应急预案"],
            Column::Permit => &["排污许可证编号", "排污许可证", "排污许可证号"],
            Column::Category => &["管理类别", "排污许可管理类别"],
            Column::Status => &["状态", "企业状态", "生产状态"],
            Column::ParkCode => &["开发区代码"],
            Column::LegalRepresentative => &["法人代表", "法人"],
            Column::Address => &["企业地址", "详细地址"],
            Column::EnvironmentContact => &["环保联系人", "联系人"],
            Column::Phone => &["电话", "联系方式", "手机"],
        }
    }

    fn from_header(h: &str) -> Option<Column> {
        let h = normalize(h);
        Column::ALL.into_iter().find(|c| normalize(c.header()) == h || c.aliases().iter().any(|a| normalize(a) == h))
    }
}

/// One problem found in a roster, for the per-row report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RowProblem {
    /// 1-based row number as the spreadsheet shows it.
    pub row: usize,
    /// The column header, if the problem belongs to one cell.
    pub column: Option<String>,
    pub value: String,
    pub severity: Severity,
    pub message: String,
}

/// An enterprise created or changed by an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RowChange {
    pub row: usize,
    pub id: EnterpriseId,
    pub name: String,
    /// Fields that changed (for an update).
    pub fields: Vec<String>,
}

/// What an import did, or would have done.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct ImportReport {
    /// Enterprise rows read (continuation rows not counted).
    pub enterprises_read: usize,
    pub created: Vec<RowChange>,
    pub updated: Vec<RowChange>,
    pub unchanged: usize,
    pub problems: Vec<RowProblem>,
    /// Whether anything was written. False when any row has an error.
    pub committed: bool,
}

impl ImportReport {
    pub fn errors(&self) -> impl Iterator<Item = &RowProblem> {
        self.problems.iter().filter(|p| p.severity == Severity::Error)
    }
}

/// Why a roster file could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum RosterError {
    #[error("无法读取文件 {path}：{reason}")]
    Unreadable { path: String, reason: String },
    #[error("不支持的文件类型“{0}”，请使用 .xlsx 或 .csv")]
    Unsupported(String),
    #[error("写入文件 {path} 失败")]
    Write {
        path: String,
        #[source]
        source: rust_xlsxwriter::XlsxError,
    },
    #[error("写入文件 {path} 失败")]
    WriteCsv {
        path: String,
        #[source]
        source: csv::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Reads the first sheet of an `.xlsx` (also `.xls`, `.ods`) or a `.csv`
/// (UTF-8, with or without BOM, or GB18030 as Excel writes it on Chinese
/// Windows) into rows of cell text.
pub fn read_grid(path: &Path) -> Result<Vec<Vec<String>>, RosterError> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let unreadable = |reason: String| RosterError::Unreadable { path: path.display().to_string(), reason };
    match ext.as_str() {
        "csv" => {
            let bytes = std::fs::read(path).map_err(|e| unreadable(e.to_string()))?;
            let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
            let text = match std::str::from_utf8(bytes) {
                Ok(t) => t.to_string(),
                Err(_) => {
                    let (t, _, bad) = encoding_rs::GB18030.decode(bytes);
                    if bad {
                        return Err(unreadable("文件既不是UTF-8也不是GBK编码".into()));
                    }
                    t.into_owned()
                }
            };
            let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
            let mut grid = Vec::new();
            for (i, rec) in rdr.records().enumerate() {
                let rec = rec.map_err(|e| unreadable(format!("第{}行：{e}", i + 1)))?;
                grid.push(rec.iter().map(|s| s.to_string()).collect());
            }
            Ok(grid)
        }
        "xlsx" | "xlsm" | "xls" | "ods" => {
            use calamine::{Data, Reader};
            let mut wb = calamine::open_workbook_auto(path).map_err(|e| unreadable(e.to_string()))?;
            let range = wb
                .worksheet_range_at(0)
                .ok_or_else(|| unreadable("工作簿中没有工作表".into()))?
                .map_err(|e| unreadable(e.to_string()))?;
            // Keep absolute row numbers: a sheet may start below row 1.
            let (start_row, start_col) = range.start().unwrap_or((0, 0));
            let mut grid: Vec<Vec<String>> = vec![Vec::new(); start_row as usize];
            for row in range.rows() {
                let mut cells = vec![String::new(); start_col as usize];
                cells.extend(row.iter().map(|c| match c {
                    Data::Empty => String::new(),
                    Data::String(s) => s.clone(),
                    Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
                        format!("{}", *f as i64)
                    }
                    Data::Float(f) => f.to_string(),
                    Data::Int(i) => i.to_string(),
                    Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
                    Data::DateTime(d) => {
                        d.as_datetime().map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_else(|| d.to_string())
                    }
                    Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
                    Data::Error(e) => format!("#{e:?}"),
                }));
                grid.push(cells);
            }
            Ok(grid)
        }
        other => Err(RosterError::Unsupported(other.to_string())),
    }
}

/// One enterprise as a roster describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct RosterRecord {
    pub row: usize,
    pub name: String,
    pub credit_code: Option<String>,
    pub industry: Option<String>,
    pub approvals: Vec<(String, Acceptance)>,
    pub emergency_filing: Option<String>,
    pub emergency_required: Option<bool>,
    pub permit_number: Option<String>,
    pub permit_held: Option<bool>,
    pub category: Option<ManagementCategory>,
    pub status: EnterpriseStatus,
    pub park_code: Option<String>,
    pub legal_representative: Option<String>,
    pub address: Option<String>,
    pub environment_contact: Option<String>,
    pub phone: Option<String>,
    pub flags: Vec<SourceFlag>,
    /// Columns the file has: only their fields are written.
    pub columns: BTreeSet<Column>,
}

/// A roster read into records, with every problem found.
#[derive(Debug, Clone, Default)]
pub struct ParsedRoster {
    pub records: Vec<RosterRecord>,
    pub problems: Vec<RowProblem>,
}

fn is_blank(s: &str) -> bool {
    s.trim().is_empty()
}

fn looks_like_approval(s: &str) -> bool {
    s.contains('号') || s.contains("备案") || s.contains("登记")
}

fn yes_no(s: &str) -> Option<bool> {
    match s.trim() {
        "是" | "有" | "已取得" | "已备案" | "已验收" | "√" => Some(true),
        "否" | "无" | "未取得" | "未备案" | "未验收" | "×" => Some(false),
        _ => None,
    }
}

/// Reads rows of cells (as [`read_grid`] returns) into roster records.
pub fn parse_grid(grid: &[Vec<String>]) -> ParsedRoster {
    let mut out = ParsedRoster::default();
    let Some(header_at) =
        grid.iter().take(20).position(|r| r.iter().any(|c| Column::from_header(c) == Some(Column::Name)))
    else {
        out.problems.push(RowProblem {
            row: 1,
            column: None,
            value: String::new(),
            severity: Severity::Error,
            message: "未找到表头：前20行中没有“企业名称”列".into(),
        });
        return out;
    };
    let header_row = header_at + 1;
    let mut columns: Vec<Option<Column>> = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, h) in grid[header_at].iter().enumerate() {
        if is_blank(h) {
            columns.push(None);
            continue;
        }
        match Column::from_header(h) {
            Some(c) if !seen.insert(c) => {
                out.problems.push(RowProblem {
                    row: header_row,
                    column: Some(h.clone()),
                    value: h.clone(),
                    severity: Severity::Error,
                    message: format!("第{}列表头“{h}”与前面的列重复", i + 1),
                });
                columns.push(None);
            }
            Some(c) => columns.push(Some(c)),
            None => {
                let known: Vec<&str> = Column::ALL.iter().map(|c| c.header()).collect();
                out.problems.push(RowProblem {
                    row: header_row,
                    column: Some(h.clone()),
                    value: h.clone(),
                    severity: Severity::Error,
                    message: format!("第{}列表头“{h}”无法识别；可用的列：{}", i + 1, known.join("、")),
                });
                columns.push(None);
            }
        }
    }
    let mut section_status = EnterpriseStatus::Operating;
    for (offset, cells) in grid[header_at + 1..].iter().enumerate() {
        let row = header_row + offset + 1;
        let cell = |c: Column| -> &str {
            columns.iter().position(|x| *x == Some(c)).and_then(|i| cells.get(i)).map(|s| s.trim()).unwrap_or("")
        };
        let filled: Vec<&str> = cells.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
        if filled.is_empty() {
            continue;
        }
        if filled.len() == 1 && cell(Column::No).is_empty() {
            if let Some(s) = EnterpriseStatus::parse(filled[0]) {
                section_status = s;
                continue;
            }
        }
        let mut problem = |column: Column, value: &str, severity: Severity, message: String| {
            out.problems.push(RowProblem {
                row,
                column: Some(column.header().to_string()),
                value: value.to_string(),
                severity,
                message,
            })
        };
        if cell(Column::No).is_empty() && cell(Column::Name).is_empty() {
            let Some(prev) = out.records.last_mut() else {
                problem(Column::Name, "", Severity::Error, format!("第{row}行没有企业名称，上方也没有可续接的企业"));
                continue;
            };
            let eia = cell(Column::Eia);
            let stray: Vec<&str> = Column::ALL
                .into_iter()
                .filter(|c| !matches!(c, Column::Eia | Column::Acceptance) && !cell(*c).is_empty())
                .map(|c| c.header())
                .collect();
            if eia.is_empty() || !stray.is_empty() {
                problem(
                    Column::Name,
                    "",
                    Severity::Error,
                    format!("第{row}行企业名称为空；续行只能填写“环评批复文号”和“是否验收”（续接第{}行）", prev.row),
                );
                continue;
            }
            let acceptance = match cell(Column::Acceptance) {
                "" => prev.approvals.first().map(|a| a.1).unwrap_or(Acceptance::Unknown),
                s => parse_acceptance(s).unwrap_or(Acceptance::Unknown),
            };
            prev.approvals.push((eia.to_string(), acceptance));
            continue;
        }
        let name = cell(Column::Name);
        if name.is_empty() {
            problem(Column::Name, "", Severity::Error, format!("第{row}行企业名称为空"));
            continue;
        }
        let present: BTreeSet<Column> = columns.iter().flatten().copied().collect();
        let mut rec = RosterRecord {
            row,
            name: name.to_string(),
            credit_code: None,
            industry: None,
            approvals: Vec::new(),
            emergency_filing: None,
            emergency_required: None,
            permit_number: None,
            permit_held: None,
            category: None,
            status: section_status,
            park_code: None,
            legal_representative: None,
            address: None,
            environment_contact: None,
            phone: None,
            flags: Vec::new(),
            columns: present.clone(),
        };
        let flag = |rec: &mut RosterRecord, c: Column, raw: &str, message: String| {
            rec.flags.push(SourceFlag { field: c.header().to_string(), raw: raw.to_string(), message });
        };
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        if present.contains(&Column::Industry) {
            match cell(Column::Industry) {
                "" => flag(&mut rec, Column::Industry, "", "行业类别空缺".into()),
                s @ ("/" | "\\" | "无" | "-") => {
                    flag(&mut rec, Column::Industry, s, format!("行业类别填写为“{s}”，原表未给出行业"))
                }
                s => rec.industry = Some(s.to_string()),
            }
        }
        let eia = cell(Column::Eia);
        let acceptance_cell = cell(Column::Acceptance);
        let acceptance = match acceptance_cell {
            "" => {
                if present.contains(&Column::Acceptance) {
                    flag(&mut rec, Column::Acceptance, "", "是否验收空缺".into());
                }
                Acceptance::Unknown
            }
            s => match parse_acceptance(s) {
                Some(a) => a,
                None => {
                    flag(&mut rec, Column::Acceptance, s, format!("是否验收填写为“{s}”，无法识别"));
                    Acceptance::Unknown
                }
            },
        };
        if present.contains(&Column::Eia) {
            match eia {
                "" => flag(&mut rec, Column::Eia, "", "环评批复文号空缺".into()),
                "否" | "无" => {}
                s if looks_like_approval(s) => rec.approvals.push((s.to_string(), acceptance)),
                s => flag(&mut rec, Column::Eia, s, format!("环评批复处填写为“{s}”，无批复文号")),
            }
            if rec.approvals.is_empty() && !acceptance_cell.is_empty() {
                flag(
                    &mut rec,
                    Column::Acceptance,
                    acceptance_cell,
                    format!("无环评批复文号，是否验收“{acceptance_cell}”无法对应到具体批复"),
                );
            }
        }
        if present.contains(&Column::Emergency) {
            match cell(Column::Emergency) {
                "" => flag(&mut rec, Column::Emergency, "", "应急预案备案情况空缺".into()),
                "否" | "未备案" => {}
                "无需" | "不需要" | "无需备案" | "无风险源" => rec.emergency_required = Some(false),
                s if s.chars().any(|c| c.is_ascii_digit()) => rec.emergency_filing = Some(ident::normalize_code(s)),
                s => {
                    if yes_no(s) == Some(true) {
                        rec.emergency_required = Some(true);
                    }
                    flag(&mut rec, Column::Emergency, s, format!("应急预案备案处填写为“{s}”，无备案编号"));
                }
            }
        }
        if present.contains(&Column::Permit) {
            match cell(Column::Permit) {
                "" => flag(&mut rec, Column::Permit, "", "是否取得排污许可证空缺".into()),
                s if s.chars().filter(|c| c.is_ascii_alphanumeric()).count() >= 10 => {
                    rec.permit_number = Some(ident::normalize_code(s));
                    rec.permit_held = Some(true);
                }
                s => match yes_no(s) {
                    Some(false) => rec.permit_held = Some(false),
                    Some(true) => {
                        rec.permit_held = Some(true);
                        flag(&mut rec, Column::Permit, s, format!("排污许可证处填写为“{s}”，无许可证编号"));
                    }
                    None => flag(&mut rec, Column::Permit, s, format!("排污许可证处填写为“{s}”，无法判断是否取得")),
                },
            }
        }
        if present.contains(&Column::Category) {
            match cell(Column::Category) {
                "" => flag(&mut rec, Column::Category, "", "管理类别空缺，无法确定巡查类别".into()),
                s => match ManagementCategory::parse(s) {
                    Some(c) => rec.category = Some(c),
                    None => problem(
                        Column::Category,
                        s,
                        Severity::Error,
                        format!("第{row}行管理类别“{s}”应为重点、简化或登记"),
                    ),
                },
            }
        }
        if let Some(s) = opt(cell(Column::Status)) {
            match EnterpriseStatus::parse(&s) {
                Some(st) => rec.status = st,
                None => problem(
                    Column::Status,
                    &s,
                    Severity::Error,
                    format!("第{row}行运行状态“{s}”应为正常投产、在建、试生产、停产或退园"),
                ),
            }
        }
        rec.credit_code = opt(cell(Column::CreditCode)).map(|s| ident::normalize_code(&s));
        if rec.credit_code.is_none() && rec.permit_number.is_none() {
            flag(&mut rec, Column::CreditCode, "", "无统一社会信用代码：表中未填写，也无排污许可证编号可推得".into());
        }
        rec.park_code = opt(cell(Column::ParkCode)).map(|s| ident::normalize_code(&s));
        rec.legal_representative = opt(cell(Column::LegalRepresentative));
        rec.address = opt(cell(Column::Address));
        rec.environment_contact = opt(cell(Column::EnvironmentContact));
        rec.phone = opt(cell(Column::Phone));
        out.records.push(rec);
    }
    out
}

fn parse_acceptance(s: &str) -> Option<Acceptance> {
    match s.trim() {
        "无需" | "无需验收" | "不需要" | "不需验收" => Some(Acceptance::NotRequired),
        s => yes_no(s).map(|b| if b { Acceptance::Done } else { Acceptance::NotDone }),
    }
}

/// Writes a roster record onto an enterprise file (a new one when `base`
/// is `None`), touching only the fields of the columns the roster has.
/// Child records that stay keep their ids and their other fields.
pub fn apply_record(
    rec: &RosterRecord,
    base: Option<&Enterprise>,
    park_id: ParkId,
    new_id: &mut dyn FnMut() -> Uuid,
) -> Enterprise {
    let mut e = base.cloned().unwrap_or_else(|| Enterprise::new(new_id().into(), park_id, rec.name.clone()));
    let has = |c: Column| rec.columns.contains(&c);
    e.name = rec.name.clone();
    e.park_id = park_id;
    if has(Column::Industry) {
        e.industry = rec.industry.clone();
    }
    if has(Column::Eia) {
        let old = std::mem::take(&mut e.eia_approvals);
        e.eia_approvals = rec
            .approvals
            .iter()
            .map(|(doc, acceptance)| {
                let kept = old.iter().find(|a| normalize(&a.doc_number) == normalize(doc));
                EiaApproval {
                    id: kept.map(|a| a.id).unwrap_or_else(&mut *new_id),
                    doc_number: doc.clone(),
                    authority: kept.and_then(|a| a.authority.clone()),
                    approved_on: kept.and_then(|a| a.approved_on.clone()),
                    project: kept.and_then(|a| a.project.clone()),
                    acceptance: *acceptance,
                    accepted_on: kept.and_then(|a| a.accepted_on.clone()),
                }
            })
            .collect();
    }
    if has(Column::Emergency) {
        if e.emergency_plan.filing_number != rec.emergency_filing {
            e.emergency_plan.filed_on = None;
        }
        e.emergency_plan.filing_number = rec.emergency_filing.clone();
        e.emergency_plan.required = if rec.emergency_filing.is_some() { Some(true) } else { rec.emergency_required };
    }
    if has(Column::Category) {
        e.management_category = rec.category;
    }
    if has(Column::Permit) {
        e.permit_held = rec.permit_held;
        let kind = if e.management_category == Some(ManagementCategory::Registration) {
            PermitKind::Registration
        } else {
            PermitKind::Permit
        };
        e.permits = match &rec.permit_number {
            Some(number) => {
                let kept = e.permits.iter().find(|p| &p.number == number);
                vec![DischargePermit {
                    id: kept.map(|p| p.id).unwrap_or_else(&mut *new_id),
                    kind,
                    number: number.clone(),
                    issued_on: kept.and_then(|p| p.issued_on.clone()),
                    expires_on: kept.and_then(|p| p.expires_on.clone()),
                }]
            }
            None => Vec::new(),
        };
    }
    if has(Column::CreditCode) || has(Column::Permit) {
        let from_permit = rec.permit_number.as_deref().and_then(ident::credit_code_of_permit);
        let code = rec.credit_code.clone().or(from_permit);
        if code.is_some() || has(Column::CreditCode) {
            e.credit_code = code;
        }
    }
    if has(Column::Status) || base.is_none() {
        e.status = rec.status;
    }
    if has(Column::LegalRepresentative) {
        e.legal_representative = rec.legal_representative.clone();
    }
    if has(Column::Address) {
        e.address = rec.address.clone();
    }
    if has(Column::EnvironmentContact) || has(Column::Phone) {
        let pos = e.contacts.iter().position(|c| c.role == CONTACT_ROLE_ENVIRONMENT);
        match (pos, &rec.environment_contact, &rec.phone) {
            (Some(i), None, None) => {
                e.contacts.remove(i);
            }
            (Some(i), name, phone) => {
                let c = &mut e.contacts[i];
                if has(Column::EnvironmentContact) {
                    c.name = name.clone().unwrap_or_default();
                }
                if has(Column::Phone) {
                    c.phone = phone.clone();
                }
            }
            (None, None, None) => {}
            (None, name, phone) => e.contacts.insert(
                0,
                Contact {
                    id: new_id(),
                    role: CONTACT_ROLE_ENVIRONMENT.into(),
                    name: name.clone().unwrap_or_default(),
                    phone: phone.clone(),
                    note: None,
                },
            ),
        }
    }
    // Flags of the columns this roster has are replaced by its own.
    // The missing-code flag is judged from the code and permit columns together.
    let mut headers: BTreeSet<&str> = rec.columns.iter().map(|c| c.header()).collect();
    headers.insert(Column::CreditCode.header());
    e.source_flags.retain(|f| !headers.contains(f.field.as_str()));
    e.source_flags.extend(rec.flags.iter().cloned());
    e
}

/// Maps a field problem of an enterprise to the roster column it came from.
fn column_of_field(field: &str, rec: &RosterRecord) -> Column {
    match field {
        "credit_code" if rec.credit_code.is_some() => Column::CreditCode,
        "credit_code" => Column::Permit,
        f if f.starts_with("permits") => Column::Permit,
        f if f.starts_with("emergency_plan") => Column::Emergency,
        "name" => Column::Name,
        _ => Column::Name,
    }
}

/// Options for [`import`].
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Park (id, code or name) for rows without a 园区代码 cell. May be
    /// omitted when the store holds exactly one park.
    pub park: Option<String>,
    /// Check and report only; write nothing.
    pub dry_run: bool,
}

/// Imports a roster file into the store: all of it, or nothing.
pub fn import(store: &mut Store, path: &Path, opts: &ImportOptions) -> Result<ImportReport, RosterError> {
    let grid = read_grid(path)?;
    import_grid(store, &grid, opts)
}

/// Imports parsed rows of cells; see [`import`].
pub fn import_grid(store: &mut Store, grid: &[Vec<String>], opts: &ImportOptions) -> Result<ImportReport, RosterError> {
    let parsed = parse_grid(grid);
    let mut report =
        ImportReport { enterprises_read: parsed.records.len(), problems: parsed.problems, ..Default::default() };
    let default_park = match &opts.park {
        Some(key) => match store.find_park(key)? {
            Some(p) => Some(p.id),
            None => {
                report.problems.push(RowProblem {
                    row: 0,
                    column: None,
                    value: key.clone(),
                    severity: Severity::Error,
                    message: format!("未找到园区“{key}”"),
                });
                None
            }
        },
        None => {
            let parks = store.parks()?;
            (parks.len() == 1).then(|| parks[0].id)
        }
    };
    let parks: HashMap<String, ParkId> = store.parks()?.into_iter().filter_map(|p| p.code.map(|c| (c, p.id))).collect();
    let (by_code, by_name) = existing_keys(store)?;
    let mut seen_codes: HashMap<String, usize> = HashMap::new();
    let mut seen_names: HashMap<String, usize> = HashMap::new();
    // Resolve each record to its park and its existing file, and check it.
    let mut plan: Vec<(&RosterRecord, ParkId, Option<EnterpriseId>)> = Vec::new();
    for rec in &parsed.records {
        let error = |report: &mut ImportReport, column: Column, value: &str, message: String| {
            report.problems.push(RowProblem {
                row: rec.row,
                column: Some(column.header().to_string()),
                value: value.to_string(),
                severity: Severity::Error,
                message,
            });
        };
        let park_id = match &rec.park_code {
            Some(code) => match parks.get(code) {
                Some(id) => Some(*id),
                None => {
                    error(
                        &mut report,
                        Column::ParkCode,
                        code,
                        format!("第{}行园区代码“{code}”在本机数据中不存在", rec.row),
                    );
                    None
                }
            },
            None => {
                if default_park.is_none() && opts.park.is_none() {
                    error(
                        &mut report,
                        Column::ParkCode,
                        "",
                        format!("第{}行未指定园区：本机有多个园区，请在表中填写“园区代码”或导入时指定园区", rec.row),
                    );
                }
                default_park
            }
        };
        for p in &rec.flags {
            report.problems.push(RowProblem {
                row: rec.row,
                column: Some(p.field.clone()),
                value: p.raw.clone(),
                severity: Severity::Warning,
                message: p.message.clone(),
            });
        }
        let code =
            rec.credit_code.clone().or_else(|| rec.permit_number.as_deref().and_then(ident::credit_code_of_permit));
        if let Some(c) = &code {
            if let Some(first) = seen_codes.insert(c.clone(), rec.row) {
                error(&mut report, Column::CreditCode, c, format!("第{}行统一社会信用代码与第{first}行重复", rec.row));
            }
        }
        let name_key = normalize(&rec.name);
        if let Some(first) = seen_names.insert(name_key.clone(), rec.row) {
            error(&mut report, Column::Name, &rec.name, format!("第{}行企业名称与第{first}行重复", rec.row));
        }
        let existing = code.as_ref().and_then(|c| by_code.get(c)).or_else(|| by_name.get(&name_key)).copied();
        // Without a park the row is in error already; it is still checked for the report.
        plan.push((rec, park_id.unwrap_or(ParkId::NIL), existing));
    }
    if report.errors().next().is_some() {
        // Check what can be checked so the report is complete, but write nothing.
        check_records(store, &plan, &mut report)?;
        return Ok(report);
    }
    let dry_run = opts.dry_run;
    let result = store.write(|w| {
        let mut out = ImportReport::default();
        for (rec, park_id, existing) in &plan {
            let base = match existing {
                Some(id) => w.enterprise(*id)?,
                None => None,
            };
            let e = apply_record(rec, base.as_ref(), *park_id, &mut || w.new_id());
            let problems = check_problems(rec, &e);
            let bad = problems.iter().any(|p| p.severity == Severity::Error);
            out.problems.extend(problems);
            if bad {
                continue;
            }
            match w.save_enterprise(&e) {
                Ok(saved) if saved.changed.is_empty() => out.unchanged += 1,
                Ok(saved) => {
                    let change = RowChange { row: rec.row, id: e.id, name: e.name.clone(), fields: saved.changed };
                    if base.is_some() {
                        out.updated.push(change)
                    } else {
                        out.created.push(change)
                    }
                }
                Err(StoreError::DuplicateCreditCode { code, holder }) => out.problems.push(RowProblem {
                    row: rec.row,
                    column: Some(Column::CreditCode.header().into()),
                    value: code.clone(),
                    severity: Severity::Error,
                    message: format!("第{}行统一社会信用代码 {code} 已属于本机的“{holder}”", rec.row),
                }),
                Err(e) => return Err(e.into()),
            }
        }
        if dry_run || out.errors().next().is_some() {
            return Err(Abort::Rollback(out));
        }
        Ok(out)
    });
    let (out, committed) = match result {
        Ok(out) => (out, true),
        Err(Abort::Rollback(out)) => (out, false),
        Err(Abort::Store(e)) => return Err(e.into()),
    };
    report.created = out.created;
    report.updated = out.updated;
    report.unchanged = out.unchanged;
    report.problems.extend(out.problems);
    report.committed = committed;
    Ok(report)
}

/// Ends the import's write transaction: a store failure, or a rollback
/// that carries the report out.
enum Abort {
    Store(StoreError),
    Rollback(ImportReport),
}

impl From<StoreError> for Abort {
    fn from(e: StoreError) -> Self {
        Abort::Store(e)
    }
}

/// Runs the identifier checks of every planned record without writing.
fn check_records(
    store: &mut Store,
    plan: &[(&RosterRecord, ParkId, Option<EnterpriseId>)],
    report: &mut ImportReport,
) -> Result<(), StoreError> {
    for (rec, park_id, existing) in plan {
        let base = match existing {
            Some(id) => store.enterprise(*id)?,
            None => None,
        };
        let e = apply_record(rec, base.as_ref(), *park_id, &mut Uuid::nil);
        report.problems.extend(check_problems(rec, &e));
    }
    report.problems.sort_by_key(|p| p.row);
    Ok(())
}

/// What [`Enterprise::check`] finds in the file a record makes, as report
/// rows pointing at the record's row and the column the value came from.
fn check_problems(rec: &RosterRecord, e: &Enterprise) -> Vec<RowProblem> {
    e.check()
        .into_iter()
        .map(|p| {
            let column = column_of_field(&p.field, rec);
            RowProblem {
                row: rec.row,
                column: Some(column.header().to_string()),
                value: cell_value(rec, column),
                severity: p.severity,
                message: format!("第{}行：{}", rec.row, p.message),
            }
        })
        .collect()
}

fn cell_value(rec: &RosterRecord, column: Column) -> String {
    match column {
        Column::CreditCode => rec.credit_code.clone(),
        Column::Permit => rec.permit_number.clone(),
        Column::Emergency => rec.emergency_filing.clone(),
        _ => Some(rec.name.clone()),
    }
    .unwrap_or_default()
}

/// Lookup from a key to the id of the enterprise file it names.
type KeyIndex = HashMap<String, EnterpriseId>;

/// Credit code → id and normalised name (and other spellings) → id.
fn existing_keys(store: &Store) -> Result<(KeyIndex, KeyIndex), StoreError> {
    let mut by_code = HashMap::new();
    let mut by_name = HashMap::new();
    for k in store.enterprise_keys()? {
        if let Some(code) = k.credit_code {
            by_code.insert(code, k.id);
        }
        by_name.entry(normalize(&k.name)).or_insert(k.id);
    }
    Ok((by_code, by_name))
}

/// The cell text a roster shows for each column of an enterprise. Where a
/// field is empty and the source had an irregular cell, the cell is given
/// back as found, so export and import round-trip.
fn cells_of(e: &Enterprise, park_code: Option<&str>, no: usize) -> Vec<Vec<String>> {
    let raw = |c: Column| e.source_flags.iter().find(|f| f.field == c.header()).map(|f| f.raw.clone());
    let first = e.eia_approvals.first();
    let mut row = Vec::new();
    for c in Column::ALL {
        let v = match c {
            Column::No => no.to_string(),
            Column::Name => e.name.clone(),
            Column::CreditCode => e.credit_code.clone().unwrap_or_default(),
            Column::Industry => e.industry.clone().or(raw(c)).unwrap_or_default(),
            Column::Eia => first.map(|a| a.doc_number.clone()).or(raw(c)).unwrap_or_else(|| "否".into()),
            Column::Acceptance => match first.map(|a| a.acceptance) {
                Some(Acceptance::Unknown) | None => raw(c).unwrap_or_default(),
                Some(a) => a.label().to_string(),
            },
            Column::Emergency => match (&e.emergency_plan.filing_number, e.emergency_plan.required) {
                (Some(n), _) => n.clone(),
                (None, Some(false)) => "无需".into(),
                (None, _) => raw(c).unwrap_or_else(|| "否".into()),
            },
            Column::Permit => match (e.permit_number(), e.permit_held) {
                (Some(n), _) => n.to_string(),
                (None, Some(false)) => "否".into(),
                (None, _) => raw(c).unwrap_or_default(),
            },
            Column::Category => e.management_category.map(|m| m.label().to_string()).or(raw(c)).unwrap_or_default(),
            Column::Status => e.status.label().to_string(),
            Column::ParkCode => park_code.unwrap_or_default().to_string(),
            Column::LegalRepresentative => e.legal_representative.clone().unwrap_or_default(),
            Column::Address => e.address.clone().unwrap_or_default(),
            Column::EnvironmentContact => e
                .contacts
                .iter()
                .find(|c| c.role == CONTACT_ROLE_ENVIRONMENT)
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            Column::Phone => e
                .contacts
                .iter()
                .find(|c| c.role == CONTACT_ROLE_ENVIRONMENT)
                .and_then(|c| c.phone.clone())
                .unwrap_or_default(),
        };
        row.push(v);
    }
    let mut rows = vec![row];
    for a in e.eia_approvals.iter().skip(1) {
        let mut cont = vec![String::new(); Column::ALL.len()];
        let at = |c: Column| Column::ALL.iter().position(|x| *x == c).expect("column listed");
        cont[at(Column::Eia)] = a.doc_number.clone();
        cont[at(Column::Acceptance)] = a.acceptance.label().to_string();
        rows.push(cont);
    }
    rows
}

/// The roster of a park (or of every park) as rows of cells, header first.
pub fn roster_grid(store: &Store, park: Option<ParkId>) -> Result<Vec<Vec<String>>, StoreError> {
    let mut grid = vec![Column::ALL.iter().map(|c| c.header().to_string()).collect::<Vec<_>>()];
    let mut codes = HashMap::new();
    for p in store.parks()? {
        codes.insert(p.id, p.code);
    }
    for (i, id) in store.enterprise_ids(park)?.into_iter().enumerate() {
        let e = store.enterprise(id)?.expect("listed enterprise exists");
        let code = codes.get(&e.park_id).cloned().flatten();
        grid.extend(cells_of(&e, code.as_deref(), i + 1));
    }
    Ok(grid)
}

/// Exports the roster to `.xlsx` or `.csv` (UTF-8 with BOM, which Excel
/// opens correctly), by the file's extension.
pub fn export(store: &Store, path: &Path, park: Option<ParkId>) -> Result<usize, RosterError> {
    let grid = roster_grid(store, park)?;
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let enterprises = grid.iter().skip(1).filter(|r| !r[1].is_empty()).count();
    match ext.as_str() {
        "xlsx" => {
            write_xlsx(path, &grid).map_err(|source| RosterError::Write { path: path.display().to_string(), source })?
        }
        "csv" => {
            let csv_err = |source| RosterError::WriteCsv { path: path.display().to_string(), source };
            let mut bytes = b"\xEF\xBB\xBF".to_vec();
            {
                let mut w = csv::Writer::from_writer(&mut bytes);
                for row in &grid {
                    w.write_record(row).map_err(csv_err)?;
                }
                w.flush().map_err(|e| csv_err(e.into()))?;
            }
            std::fs::write(path, bytes).map_err(|e| csv_err(e.into()))?;
        }
        other => return Err(RosterError::Unsupported(other.to_string())),
    }
    Ok(enterprises)
}

fn write_xlsx(path: &Path, grid: &[Vec<String>]) -> Result<(), rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.set_name("企业名录")?;
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    for (r, row) in grid.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if r == 0 {
                sheet.write_string_with_format(0, c as u16, v, &bold)?;
            } else if !v.is_empty() {
                // Codes are text: stored as strings so Excel keeps leading zeros and letters.
                sheet.write_string_with_format(r as u32, c as u16, v, &text)?;
            }
        }
    }
    for (c, width) in [(0u16, 6.0), (1, 36.0), (2, 22.0), (3, 26.0), (4, 30.0), (6, 20.0), (7, 26.0), (8, 12.0)] {
        sheet.set_column_width(c, width)?;
    }
    sheet.set_freeze_panes(1, 2)?;
    wb.save(path)
}
