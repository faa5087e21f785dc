//! Human-readable output of the CLI, in Chinese.

use xuncha_core::enterprise::{Enterprise, FacilityKind, ENTERPRISE_ARCHIVE_ITEMS};
use xuncha_core::overview::{self, ParkOverview};
use xuncha_core::park::Park;
use xuncha_core::roster::ImportReport;
use xuncha_core::search::Hit;
use xuncha_core::{Store, StoreError};

use xuncha_core::ident::Severity;

pub fn summary(store: &Store) -> Result<Vec<ParkOverview>, StoreError> {
    overview::overview(store)
}

fn counts(map: &std::collections::BTreeMap<String, usize>) -> String {
    map.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join("，")
}

pub fn print_summary(parks: &[ParkOverview]) {
    for p in parks {
        println!("{}（{}）：企业{}家", p.name, p.code.as_deref().unwrap_or("无代码"), p.enterprises);
        if p.enterprises > 0 {
            println!("  运行状态：{}", counts(&p.by_status));
            println!("  管理类别：{}", counts(&p.by_category));
            println!("  巡查类别：{}", counts(&p.by_tier));
            println!("  无统一社会信用代码：{}家；需核对档案：{}家", p.without_credit_code, p.needing_review);
        }
        for q in &p.quotas {
            println!(
                "  {}：{}年排放{} t/a，总量指标{} t/a{}",
                q.pollutant,
                q.year.map(|y| y.to_string()).unwrap_or_else(|| "—".into()),
                q.actual_tpa.as_deref().unwrap_or("—"),
                q.quota_tpa.as_deref().unwrap_or("—"),
                q.percent.map(|p| format!("（已用{p}%）")).unwrap_or_default()
            );
        }
    }
}

pub fn print_hits(hits: &[Hit]) {
    for h in hits {
        println!(
            "{}\t{}\t{}\t{}类\t{}",
            h.name,
            h.credit_code.as_deref().unwrap_or("（无代码）"),
            h.park,
            h.tier.map(|t| t.letter()).unwrap_or("未定"),
            h.industry.as_deref().unwrap_or("（行业未填）")
        );
    }
    println!("共{}家", hits.len());
}

fn or_dash(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("—")
}

fn yes_no(b: Option<bool>) -> &'static str {
    match b {
        Some(true) => "是",
        Some(false) => "否",
        None => "未知",
    }
}

pub fn print_enterprise(e: &Enterprise, park: Option<&Park>) {
    println!("{}", e.name);
    println!("  所属园区：{}", park.map(|p| p.name.as_str()).unwrap_or("—"));
    println!("  统一社会信用代码：{}", or_dash(&e.credit_code));
    println!("  行业类别：{}", or_dash(&e.industry));
    println!("  运行状态：{}", e.status.label());
    println!("  管理类别：{}", e.management_category.map(|c| c.label()).unwrap_or("—"));
    match (&e.tier_override, e.tier()) {
        (Some(o), _) => println!("  巡查类别：{}（调整理由：{}）", o.tier.label(), o.reason),
        (None, Some(t)) => println!("  巡查类别：{}", t.label()),
        (None, None) => println!("  巡查类别：未定（管理类别未填写）"),
    }
    if e.legal_representative.is_some() || e.address.is_some() {
        println!("  法定代表人：{}；地址：{}", or_dash(&e.legal_representative), or_dash(&e.address));
    }
    println!("  环评批复（{}项）：", e.eia_approvals.len());
    for a in &e.eia_approvals {
        println!(
            "    {}  验收：{}",
            a.doc_number,
            if a.acceptance.label().is_empty() { "未知" } else { a.acceptance.label() }
        );
    }
    println!(
        "  应急预案备案：{}（是否需要：{}）",
        or_dash(&e.emergency_plan.filing_number),
        yes_no(e.emergency_plan.required)
    );
    match e.permits.first() {
        Some(p) => println!("  排污许可证/登记回执：{}", p.number),
        None => println!("  排污许可证：{}", yes_no(e.permit_held)),
    }
    for f in &e.facilities {
        let kind = match f.kind {
            FacilityKind::Wastewater => "废水",
            FacilityKind::WasteGas => "废气",
        };
        println!("  {kind}设施：{}（{}）", f.name, or_dash(&f.process));
    }
    for w in &e.solid_waste {
        println!(
            "  {}年 一般工业固废产生{} t，危险废物产生{} t，涉危废转移清单：{}",
            w.year,
            or_dash(&w.general.produced),
            or_dash(&w.hazardous.produced),
            match w.on_transfer_list {
                Some(true) => "是",
                Some(false) => "否",
                None => "/",
            }
        );
    }
    let on_file = e.archive.iter().filter(|a| a.on_file).count();
    println!("  档案清单：{}/{}项已归档", on_file, ENTERPRISE_ARCHIVE_ITEMS.len());
    for c in &e.contacts {
        println!("  {}：{} {}", c.role, c.name, c.phone.as_deref().unwrap_or(""));
    }
    if !e.aliases.is_empty() {
        println!("  其他写法：{}", e.aliases.join("、"));
    }
    for f in &e.source_flags {
        println!("  ⚠ {}：{}", f.field, f.message);
    }
    for p in e.check() {
        println!("  ⚠ {}", p.message);
    }
}

pub fn print_import_report(r: &ImportReport, dry_run: bool) {
    println!(
        "读取企业{}家：新增{}家，更新{}家，无变化{}家",
        r.enterprises_read,
        r.created.len(),
        r.updated.len(),
        r.unchanged
    );
    for c in &r.updated {
        println!("  第{}行 {} 更新：{}", c.row, c.name, c.fields.join("、"));
    }
    if !r.problems.is_empty() {
        println!("行\t列\t内容\t级别\t说明");
        for p in &r.problems {
            println!(
                "{}\t{}\t{}\t{}\t{}",
                p.row,
                p.column.as_deref().unwrap_or(""),
                p.value,
                severity_label(p.severity),
                p.message
            );
        }
    }
    if r.committed {
        println!("已导入。");
    } else if dry_run {
        println!("仅检查，未写入。");
    }
}

fn chinese_date(iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map_or_else(|_| iso.to_string(), xuncha_core::brief::chinese_date)
}

pub fn print_patrol_plan(p: &xuncha_core::store::patrol::PatrolPlan) {
    use xuncha_core::patrol::DueStatus;
    println!(
        "{}（截至{}）：逾期{}家，从未巡查{}家，30天内到期{}家",
        p.park_name,
        chinese_date(&p.today),
        p.overdue,
        p.never,
        p.due_soon
    );
    println!(
        "  {}年巡查频次完成率：{:.0}%（应巡{}次，已巡{}次）；园区全面排查：{}次（每年至少{}次）",
        p.year,
        p.compliance * 100.0,
        p.periods_required,
        p.periods_done,
        p.screenings,
        p.screenings_required
    );
    for e in &p.enterprises {
        let tier = e.tier.map_or("未定类", |t| t.letter());
        let last =
            e.last_patrol.as_deref().map_or_else(|| "从未巡查".to_string(), |d| format!("上次{}", chinese_date(d)));
        let state = match (e.status, e.days) {
            (DueStatus::Overdue, Some(days)) => format!("逾期{}天", -days),
            (DueStatus::Never, _) => "应尽快巡查".to_string(),
            (DueStatus::DueSoon, Some(days)) => format!("{days}天后到期"),
            (DueStatus::NoTier, _) => "未定巡查类别，请在档案中设置".to_string(),
            _ => String::new(),
        };
        let due = match e.status {
            DueStatus::Never => String::new(),
            _ => e.due_on.as_deref().map(|d| format!("应于{}前", chinese_date(d))).unwrap_or_default(),
        };
        println!("  {}\t{tier}类\t{last}\t{due}\t{state}", e.name);
    }
}

/// Severity in Chinese for reports.
fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Error => "错误",
        Severity::Warning => "提示",
    }
}
