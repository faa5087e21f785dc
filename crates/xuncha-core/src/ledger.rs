//! Ledgers (台账): the tables supervisors and clerks live in, made from
//! the records, never kept by hand.
//!
//! Each ledger is one [`Ledger`]: a title, column heads and rows of text.
//! The screen, the printed page and the `.xlsx` workbook all render this
//! one table, so the three never disagree.

use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::id::*;
use crate::notice::chinese_date;
use crate::rectification::CaseState;
use crate::store::rectification::CaseFilter;
use crate::{Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LedgerKind {
    /// 整改台账 (001 拉条挂账): problem, measure, owner, deadline, progress.
    Rectification,
    /// 逾期未整改清单.
    Overdue,
    /// 违法线索移交台账.
    Transfer,
    /// 巡查台账: each enterprise's cadence and the steward's compliance.
    Patrol,
    /// 入驻企业环保手续情况 (002 表1.3-1).
    Compliance,
    /// 企业固体废物处置清单 (002 表10).
    Waste,
}

impl LedgerKind {
    pub const ALL: [LedgerKind; 6] = [
        LedgerKind::Rectification,
        LedgerKind::Overdue,
        LedgerKind::Transfer,
        LedgerKind::Patrol,
        LedgerKind::Compliance,
        LedgerKind::Waste,
    ];

    pub fn title(self) -> &'static str {
        match self {
            LedgerKind::Rectification => "生态环境问题整改台账",
            LedgerKind::Overdue => "逾期未整改问题清单",
            LedgerKind::Transfer => "违法线索移交台账",
            LedgerKind::Patrol => "环保管家巡查台账",
            LedgerKind::Compliance => "入驻企业环保手续情况",
            LedgerKind::Waste => "企业固体废物处置清单",
        }
    }

    /// The name used on the command line and in file names.
    pub fn key(self) -> &'static str {
        match self {
            LedgerKind::Rectification => "rectification",
            LedgerKind::Overdue => "overdue",
            LedgerKind::Transfer => "transfer",
            LedgerKind::Patrol => "patrol",
            LedgerKind::Compliance => "compliance",
            LedgerKind::Waste => "waste",
        }
    }

    pub fn parse(s: &str) -> Option<LedgerKind> {
        LedgerKind::ALL.into_iter().find(|k| k.key() == s)
    }
}

/// One ledger, ready to show, print or export.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Ledger {
    pub kind: LedgerKind,
    pub title: String,
    /// Whose and as of when: `湖南祁东高新技术产业开发区　截至2026年11月22日`.
    pub subtitle: String,
    pub heads: Vec<String>,
    /// Heads over several columns, above theirs (表10's 一般工业固体废物（t/a）).
    pub groups: Vec<HeadGroup>,
    /// Relative column widths, for the page and the workbook.
    pub widths: Vec<f32>,
    pub rows: Vec<Vec<String>>,
    /// Lines under the table: totals, rates.
    pub notes: Vec<String>,
}

/// A head over the columns `first .. first + count`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct HeadGroup {
    pub title: String,
    pub first: usize,
    pub count: usize,
}

impl Ledger {
    /// The group column `c` sits under, if any.
    pub fn group_of(&self, c: usize) -> Option<&HeadGroup> {
        self.groups.iter().find(|g| (g.first..g.first + g.count).contains(&c))
    }
}

fn heads(names: &[(&str, f32)]) -> (Vec<String>, Vec<f32>) {
    (names.iter().map(|(n, _)| n.to_string()).collect(), names.iter().map(|(_, w)| *w).collect())
}

/// The enterprise's person responsible for environmental matters, as the
/// ledger names an owner: `王某（13800000000）`.
fn owner(e: Option<&crate::Enterprise>) -> String {
    let Some(e) = e else { return String::new() };
    let c = e.contacts.iter().find(|c| c.role == crate::enterprise::CONTACT_ROLE_ENVIRONMENT).or(e.contacts.first());
    match c {
        Some(c) => match &c.phone {
            Some(p) => format!("{}（{p}）", c.name),
            None => c.name.clone(),
        },
        None => e.legal_representative.clone().unwrap_or_default(),
    }
}

/// Builds a ledger of `park` (every park with `None`) as of `today`.
pub fn ledger(store: &Store, kind: LedgerKind, park: Option<ParkId>, today: NaiveDate) -> Result<Ledger, StoreError> {
    let park_name = match park {
        Some(p) => store.park(p)?.map(|p| p.name).unwrap_or_default(),
        None => "全部园区".to_string(),
    };
    let subtitle = format!("{park_name}　截至{}", chinese_date(&today.format("%Y-%m-%d").to_string()));
    let mut notes = Vec::new();
    let mut groups = Vec::new();
    let (heads, widths, rows) = match kind {
        LedgerKind::Rectification | LedgerKind::Overdue => {
            let overdue_only = kind == LedgerKind::Overdue;
            let (h, w) = heads(&[
                ("序号", 0.5),
                ("企业名称", 2.2),
                ("存在问题", 3.0),
                ("整改措施", 3.0),
                ("责任人", 1.4),
                ("整改期限", 1.2),
                ("整改进展", 1.3),
                ("通知书文号", 1.6),
                ("逾期天数", 0.8),
            ]);
            let cases = store.cases(&CaseFilter { park_id: park, ..Default::default() })?;
            let mut rows = Vec::new();
            let (mut open, mut overdue, mut closed) = (0, 0, 0);
            let mut listed: Vec<_> = cases.iter().filter(|c| !overdue_only || c.is_overdue(today)).collect();
            if overdue_only {
                listed.sort_by_key(|c| std::cmp::Reverse(c.days_overdue(today)));
            }
            for c in &cases {
                match c.state {
                    CaseState::Closed => closed += 1,
                    s if s.is_open() => open += 1,
                    _ => {}
                }
                if c.is_overdue(today) {
                    overdue += 1;
                }
            }
            for c in listed {
                let e = store.enterprise(c.enterprise_id)?;
                let name = e.as_ref().map(|e| e.name.clone()).unwrap_or_default();
                for f in &c.findings {
                    let late = match NaiveDate::parse_from_str(&f.due, "%Y-%m-%d") {
                        Ok(due) if c.state.awaits_enterprise() && today > due => (today - due).num_days().to_string(),
                        _ => String::new(),
                    };
                    rows.push(vec![
                        (rows.len() + 1).to_string(),
                        name.clone(),
                        f.found.clone(),
                        f.suggestion.clone(),
                        c.responsible.clone().unwrap_or_else(|| owner(e.as_ref())),
                        chinese_date(&f.due),
                        c.state.label().to_string(),
                        c.number.clone().unwrap_or_default(),
                        late,
                    ]);
                }
            }
            notes.push(format!(
                "整改案件共 {} 件：未销号 {open} 件（其中逾期 {overdue} 件），已销号 {closed} 件。",
                cases.len()
            ));
            (h, w, rows)
        }
        LedgerKind::Transfer => {
            let (h, w) = heads(&[
                ("序号", 0.5),
                ("移送日期", 1.2),
                ("文号", 1.5),
                ("涉嫌违法单位或个人", 2.0),
                ("违法线索", 3.0),
                ("接收单位", 2.0),
                ("送达", 1.4),
                ("是否立案", 0.8),
                ("处理结果", 2.2),
                ("结案日期", 1.2),
                ("园区跟进", 2.0),
                ("状态", 1.2),
            ]);
            let mut rows = Vec::new();
            for f in store.transfer_files(None)? {
                let t = &f.transfer;
                if park.is_some_and(|p| p != t.park_id) {
                    continue;
                }
                use crate::clue_transfer::TransferNews as N;
                let delivered = match &f.delivered {
                    Some(N::Delivered { to, on, .. }) => format!("{} {to}", chinese_date(on)),
                    _ => String::new(),
                };
                let (filed, result, closed) = match &f.feedback {
                    Some(N::Feedback { filed, result, closed_on, case_number }) => (
                        if *filed { "是" } else { "否" }.to_string(),
                        match case_number {
                            Some(n) => format!("{result}（{n}）"),
                            None => result.clone(),
                        },
                        closed_on.as_deref().map(chinese_date).unwrap_or_default(),
                    ),
                    _ => Default::default(),
                };
                let follow = match &f.follow_up {
                    Some(N::FollowUp { on, note, .. }) => format!("{} {note}", chinese_date(on)),
                    _ => String::new(),
                };
                rows.push(vec![
                    (rows.len() + 1).to_string(),
                    chinese_date(&t.transferred_on),
                    t.number.as_ref().map(ToString::to_string).unwrap_or_default(),
                    t.subject.clone().unwrap_or_else(|| "暂不清楚".into()),
                    t.description.clone(),
                    t.office.receiver.clone(),
                    delivered,
                    filed,
                    result,
                    closed,
                    follow,
                    f.standing().to_string(),
                ]);
            }
            notes.push(format!("移交违法线索共 {} 件。", rows.len()));
            (h, w, rows)
        }
        LedgerKind::Patrol => {
            let (h, w) = heads(&[
                ("序号", 0.5),
                ("企业名称", 2.6),
                ("巡查类别", 0.9),
                ("巡查频次", 1.0),
                ("上次巡查", 1.2),
                ("下次应巡", 1.2),
                ("状态", 1.2),
            ]);
            let parks = match park {
                Some(p) => vec![p],
                None => store.parks()?.into_iter().map(|p| p.id).collect(),
            };
            let mut rows = Vec::new();
            for p in parks {
                let plan = store.patrol_plan(p, today)?;
                for d in &plan.enterprises {
                    let (tier, every) = match d.tier {
                        Some(t) => (t.label().to_string(), format!("每{}个月", crate::patrol::interval_months(t))),
                        None => ("未分类".into(), String::new()),
                    };
                    rows.push(vec![
                        (rows.len() + 1).to_string(),
                        d.name.clone(),
                        tier,
                        every,
                        d.last_patrol.as_deref().map(chinese_date).unwrap_or_else(|| "从未巡查".into()),
                        d.due_on.as_deref().map(chinese_date).unwrap_or_default(),
                        d.status.label().to_string(),
                    ]);
                }
                notes.push(format!(
                    "{}：{}年巡查频次完成 {}/{} 个周期（{:.0}%），逾期 {} 家，全面排查 {}/{} 次。",
                    plan.park_name,
                    plan.year,
                    plan.periods_done,
                    plan.periods_required,
                    plan.compliance * 100.0,
                    plan.overdue,
                    plan.screenings,
                    plan.screenings_required
                ));
            }
            (h, w, rows)
        }
        LedgerKind::Compliance => {
            let grid = crate::roster::roster_grid(store, park)?;
            let wanted = [
                ("序号", 0.5),
                ("企业名称", 2.6),
                ("行业类别", 1.6),
                ("是否有环评手续（批复文号）", 2.2),
                ("是否验收", 1.0),
                ("应急预案备案情况", 1.6),
                ("是否取得排污许可证", 2.0),
                ("管理类别（简化或重点）", 1.2),
            ];
            let index: Vec<usize> =
                wanted.iter().map(|(h, _)| grid[0].iter().position(|g| g == h).expect("roster column")).collect();
            let rows: Vec<Vec<String>> =
                grid[1..].iter().map(|r| index.iter().map(|&i| r[i].clone()).collect()).collect();
            let enterprises = rows.iter().filter(|r| !r[1].is_empty()).count();
            notes.push(format!("入驻企业共 {enterprises} 家。"));
            let (h, w) = heads(&wanted);
            (h, w, rows)
        }
        LedgerKind::Waste => {
            // 表10's heads, grouped as the source groups them; the year
            // is added because the file keeps several.
            let (h, w) = heads(&[
                ("序号", 0.5),
                ("企业名称", 2.6),
                ("年度", 0.7),
                ("产生量（吨）", 1.1),
                ("自行综合利用", 1.1),
                ("自行处置", 1.1),
                ("委托处理（外售）", 1.1),
                ("产生量（吨）", 1.1),
                ("自行综合利用", 1.1),
                ("自行处置", 1.1),
                ("委托处理", 1.1),
                ("涉危废转移清单企业", 1.0),
            ]);
            groups = vec![
                HeadGroup { title: "一般工业固体废物（t/a）".into(), first: 3, count: 4 },
                HeadGroup { title: "危险废物（t/a）".into(), first: 7, count: 4 },
            ];
            let mut rows = Vec::new();
            for id in store.enterprise_ids(park)? {
                let Some(e) = store.enterprise(id)? else { continue };
                for y in &e.solid_waste {
                    let a = |v: &Option<String>| v.clone().unwrap_or_default();
                    rows.push(vec![
                        (rows.len() + 1).to_string(),
                        e.name.clone(),
                        y.year.to_string(),
                        a(&y.general.produced),
                        a(&y.general.self_utilised),
                        a(&y.general.self_disposed),
                        a(&y.general.entrusted),
                        a(&y.hazardous.produced),
                        a(&y.hazardous.self_utilised),
                        a(&y.hazardous.self_disposed),
                        a(&y.hazardous.entrusted),
                        match y.on_transfer_list {
                            Some(true) => "是",
                            Some(false) => "否",
                            None => "/",
                        }
                        .to_string(),
                    ]);
                }
            }
            (h, w, rows)
        }
    };
    Ok(Ledger { kind, title: kind.title().to_string(), subtitle, heads, groups, widths, rows, notes })
}

/// Writes the ledger as an `.xlsx` workbook a clerk can edit: the title
/// and subtitle above, the heads in bold and frozen, every cell as text
/// (numbers of the sources keep their form), the notes below.
pub fn write_xlsx(l: &Ledger, path: &Path) -> Result<(), rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.set_name(l.title.chars().take(31).collect::<String>())?;
    let last = l.heads.len().saturating_sub(1) as u16;
    let title = Format::new().set_bold().set_font_size(16).set_align(FormatAlign::Center);
    sheet.merge_range(0, 0, 0, last, &l.title, &title)?;
    sheet.merge_range(1, 0, 1, last, &l.subtitle, &Format::new().set_align(FormatAlign::Center))?;
    let head = Format::new().set_bold().set_text_wrap().set_border(FormatBorder::Thin).set_align(FormatAlign::Center);
    let cell = Format::new().set_num_format("@").set_text_wrap().set_border(FormatBorder::Thin);
    // A grouped ledger has two rows of heads: a group's title over its
    // columns, and every other head over both rows.
    let head_rows: u32 = if l.groups.is_empty() { 1 } else { 2 };
    for (c, h) in l.heads.iter().enumerate() {
        let col = c as u16;
        match l.group_of(c) {
            Some(_) => sheet.write_string_with_format(3, col, h, &head).map(|_| ())?,
            None if head_rows == 2 => sheet.merge_range(2, col, 3, col, h, &head).map(|_| ())?,
            None => sheet.write_string_with_format(2, col, h, &head).map(|_| ())?,
        }
    }
    for g in &l.groups {
        let (first, last) = (g.first as u16, (g.first + g.count - 1) as u16);
        sheet.merge_range(2, first, 2, last, &g.title, &head)?;
    }
    let top = 2 + head_rows;
    for (r, row) in l.rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string_with_format(top + r as u32, c as u16, v, &cell)?;
        }
    }
    let below = top + l.rows.len() as u32 + 1;
    for (n, note) in l.notes.iter().enumerate() {
        sheet.write_string(below + n as u32, 0, note)?;
    }
    let widths: Vec<f64> = l.widths.iter().map(|w| f64::from(*w) * 9.0).collect();
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, *w)?;
    }
    // Spreadsheet programs do not grow a row for wrapped text written by a
    // program: each row is made as tall as its longest cell needs.
    sheet.set_row_height(0, 24)?;
    let grouped = l.heads.iter().enumerate().filter(|(c, _)| l.group_of(*c).is_some());
    let head_lines = grouped.map(|(c, h)| wrapped_lines(h, widths[c])).max().unwrap_or(1);
    let own = l.heads.iter().enumerate().filter(|(c, _)| l.group_of(*c).is_none());
    let own_lines = own.map(|(c, h)| wrapped_lines(h, widths[c])).max().unwrap_or(1);
    if head_rows == 2 {
        sheet.set_row_height(3, ROW_LINE * head_lines as f64 + 4.0)?;
        sheet.set_row_height(2, ROW_LINE * own_lines.saturating_sub(head_lines).max(1) as f64 + 4.0)?;
    } else {
        sheet.set_row_height(2, ROW_LINE * own_lines.max(head_lines) as f64 + 4.0)?;
    }
    for (r, row) in l.rows.iter().enumerate() {
        let lines = row.iter().zip(&widths).map(|(v, w)| wrapped_lines(v, *w)).max().unwrap_or(1);
        sheet.set_row_height(top + r as u32, ROW_LINE * lines as f64 + 4.0)?;
    }
    sheet.set_freeze_panes(top, 0)?;
    // Printed as the paper ledger: A4 landscape, every column on the page's
    // width, the heads repeated on each page, centred.
    sheet.set_paper_size(9);
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(2, top - 1)?;
    sheet.set_print_center_horizontally(true);
    sheet.set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3);
    wb.save(path)
}

/// Height in points of one line of wrapped text in a workbook cell.
const ROW_LINE: f64 = 15.0;

/// How many lines `text` takes in a cell `width` characters wide (a
/// Chinese character is two characters wide).
fn wrapped_lines(text: &str, width: f64) -> usize {
    let room = (width - 1.0).max(2.0);
    text.split('\n')
        .map(|line| {
            let units: f64 = line.chars().map(|c| if c.is_ascii() { 1.0 } else { 2.0 }).sum();
            ((units / room).ceil() as usize).max(1)
        })
        .sum()
}
