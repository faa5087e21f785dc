//! The park's data: the store itself, rosters, search, enterprise files and
//! the patrol plan.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use xuncha_core::api::{ApiError, ErrorCode};
use xuncha_core::enterprise::{EnterpriseStatus, ManagementCategory, Tier, TierOverride};
use xuncha_core::roster::{self, ImportOptions};
use xuncha_core::search::Query;
use xuncha_core::{sample, Env, Store};

use super::{day_or_today, enterprise_of, park_of};
use crate::{show, Ctx};

/// The filters of `xuncha search`.
#[derive(Args)]
pub struct SearchFilter {
    #[arg(long)]
    park: Option<String>,
    /// A、B 或 C
    #[arg(long)]
    tier: Option<String>,
    /// 重点、简化或登记
    #[arg(long)]
    category: Option<String>,
    /// 正常投产、在建、试生产、停产或退园
    #[arg(long)]
    status: Option<String>,
    /// 行业类别，如 食品制造业
    #[arg(long)]
    industry: Option<String>,
    #[arg(long)]
    limit: Option<usize>,
}

#[derive(Subcommand)]
pub enum EnterpriseCommand {
    /// 显示一家企业的完整档案（ID、统一社会信用代码或企业全称）
    Show { key: String },
    /// 为档案清单第N项（1至33）附加扫描件，并标记为已归档
    Attach { key: String, item: u8, file: PathBuf },
    /// 调整巡查类别（A、B、C），须填写理由；--default 恢复按管理类别确定
    Tier {
        key: String,
        tier: Option<String>,
        #[arg(long)]
        reason: Option<String>,
        #[arg(long, conflicts_with_all = ["tier", "reason"])]
        default: bool,
    },
}

#[derive(Subcommand)]
pub enum PatrolCommand {
    /// 各企业下次巡查日期：逾期、从未巡查、即将到期（30天内）；巡查频次完成率和全面排查次数
    Due {
        /// 只看该园区（代码、名称或ID）
        #[arg(long)]
        park: Option<String>,
        /// 按该日期计算（YYYY-MM-DD），默认今天（北京时间）
        #[arg(long, value_name = "DATE")]
        today: Option<String>,
    },
}

pub fn init(ctx: &Ctx, sample: bool) -> Result<(), ApiError> {
    let path = ctx.db()?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| ApiError::new(ErrorCode::File, format!("无法创建文件夹 {}：{e}", dir.display())))?;
    }
    let mut store = Store::open(path, Env::system())?;
    let loaded = if sample { Some(sample::load_sample(&mut store)?) } else { None };
    ctx.say(&serde_json::json!({ "db": path, "sample": loaded }), |_| {
        println!("数据库已就绪：{}", path.display());
        if let Some(loaded) = &loaded {
            println!(
                "示例数据：{}个园区、{}家企业（本次写入{}条记录）",
                loaded.parks, loaded.enterprises, loaded.changes
            );
        }
    })
}

pub fn summary(ctx: &Ctx) -> Result<(), ApiError> {
    let summary = show::summary(&ctx.open()?)?;
    ctx.say(&summary, |s| show::print_summary(s))
}

pub fn import(ctx: &Ctx, file: &Path, park: Option<String>, dry_run: bool) -> Result<(), ApiError> {
    let mut store = ctx.open()?;
    let report = roster::import(&mut store, file, &ImportOptions { park, dry_run })?;
    ctx.say(&report, |r| show::print_import_report(r, dry_run))?;
    match report.errors().count() {
        0 => Ok(()),
        n => Err(ApiError::new(ErrorCode::Invalid, format!("名录有{n}处错误，未导入任何数据；请修改后重新导入"))),
    }
}

pub fn export(ctx: &Ctx, file: Option<PathBuf>, park: Option<String>) -> Result<(), ApiError> {
    let store = ctx.open()?;
    let file = file.ok_or_else(|| ApiError::new(ErrorCode::Invalid, "请给出导出的文件名（.xlsx 或 .csv）"))?;
    let n = roster::export(&store, &file, park_of(&store, park)?)?;
    ctx.say(&serde_json::json!({ "file": file, "enterprises": n }), |_| {
        println!("已导出{n}家企业到 {}", file.display())
    })
}

/// A value that must be one of a field's values (`what` names the field,
/// `choices` lists its values).
fn parsed<T>(
    value: Option<String>,
    parse: fn(&str) -> Option<T>,
    what: &str,
    choices: &str,
) -> Result<Option<T>, ApiError> {
    value
        .map(|v| parse(&v).ok_or_else(|| ApiError::new(ErrorCode::Invalid, format!("{what}“{v}”应为{choices}"))))
        .transpose()
}

pub fn search(ctx: &Ctx, text: String, f: SearchFilter) -> Result<(), ApiError> {
    let mut store = ctx.open()?;
    let q = Query {
        text,
        park: f.park,
        tier: parsed(f.tier, Tier::parse, "巡查类别", "A、B或C")?,
        category: parsed(f.category, ManagementCategory::parse, "管理类别", "重点、简化或登记")?,
        status: parsed(f.status, EnterpriseStatus::parse, "运行状态", "正常投产、在建、试生产、停产或退园")?,
        industry: f.industry,
        limit: f.limit,
    };
    let hits = store.search(&q)?;
    ctx.say(&hits, |h| show::print_hits(h))
}

pub fn enterprise(ctx: &Ctx, command: EnterpriseCommand) -> Result<(), ApiError> {
    let mut store = ctx.open()?;
    match command {
        EnterpriseCommand::Show { key } => {
            let e = enterprise_of(&store, &key)?;
            let park = store.park(e.park_id)?;
            let shown = serde_json::json!({ "enterprise": e, "tier": e.tier(), "problems": e.check() });
            ctx.say(&shown, |_| show::print_enterprise(&e, park.as_ref()))
        }
        EnterpriseCommand::Attach { key, item, file } => {
            let e = enterprise_of(&store, &key)?;
            let (a, added) = store.attach_archive_file(e.id, item, &file)?;
            ctx.say(&serde_json::json!({ "attachment": a, "added": added }), |_| {
                if added {
                    println!(
                        "已附加“{}”（{}字节，SHA-256 {}）到{}档案第{item}项",
                        a.file_name, a.size, a.sha256, e.name
                    );
                } else {
                    println!("{}档案第{item}项已有相同内容的附件“{}”，未重复添加", e.name, a.file_name);
                }
            })
        }
        EnterpriseCommand::Tier { key, tier, reason, default } => {
            let mut e = enterprise_of(&store, &key)?;
            e.tier_override = if default {
                None
            } else {
                let invalid = |m: &str| ApiError::new(ErrorCode::Invalid, m);
                let t = tier.ok_or_else(|| invalid("请给出巡查类别A、B或C，或用 --default 恢复默认"))?;
                let tier = parsed(Some(t), Tier::parse, "巡查类别", "A、B或C")?.expect("a value was given");
                let reason = reason.ok_or_else(|| invalid("调整巡查类别必须用 --reason 填写理由"))?;
                Some(TierOverride { tier, reason })
            };
            store.save_enterprise(&e)?;
            let now = store.enterprise(e.id)?.expect("just saved");
            ctx.say(&serde_json::json!({ "enterprise": now.id, "tier": now.tier() }), |_| {
                println!("{}：巡查类别为{}", now.name, now.tier().map(|t| t.label()).unwrap_or("未定"))
            })
        }
    }
}

pub fn patrol(ctx: &Ctx, command: PatrolCommand) -> Result<(), ApiError> {
    let PatrolCommand::Due { park, today } = command;
    let store = ctx.open()?;
    let today = day_or_today(today)?;
    let parks = match park_of(&store, park)? {
        Some(p) => vec![p],
        None => store.parks()?.into_iter().map(|p| p.id).collect(),
    };
    let plans = parks.into_iter().map(|p| store.patrol_plan(p, today)).collect::<Result<Vec<_>, _>>()?;
    ctx.say(&plans, |plans| plans.iter().for_each(show::print_patrol_plan))
}
