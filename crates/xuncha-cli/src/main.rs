//! `xuncha`: the command line for clerks' batch work and for tests.
//!
//! Every command works on one local store (`--db PATH`). Human output is
//! Chinese; `--json` prints machine-readable output. Errors go to stderr
//! with a non-zero exit status.

mod bench;
mod show;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use uuid::Uuid;
use xuncha_core::enterprise::{EnterpriseStatus, ManagementCategory, Tier};
use xuncha_core::ident::Severity;
use xuncha_core::roster::{self, ImportOptions};
use xuncha_core::search::Query;
use xuncha_core::{sample, Env, Store};

#[derive(Parser)]
#[command(name = "xuncha", version, about = "巡查：园区企业环境档案与现场检查（命令行）")]
struct Cli {
    /// 本地数据库文件
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 登录同步服务器（密码从标准输入或环境变量 XUNCHA_PASSWORD 读取）
    Login {
        /// 服务器地址，如 https://sync.example.gov.cn
        #[arg(long)]
        server: String,
        #[arg(long)]
        user: String,
    },
    /// 与同步服务器同步一次：推送本机修改，拉取所分配园区的更新
    Sync {
        #[arg(long)]
        json: bool,
    },
    /// 同步状态：待发送、待裁决、被拒绝的修改，上次同步时间
    Status {
        #[arg(long)]
        json: bool,
    },
    /// 本机的文书编号余量（联网同步时从服务器领取编号段）
    Numbers {
        #[arg(long)]
        json: bool,
    },
    /// 本机保存的参考资料（检查表模板等）及其版本
    Reference {
        #[arg(long)]
        json: bool,
    },
    /// 列出所分配园区的同步冲突（两边的值，是否待主管裁决）
    Conflicts {
        /// 只看这个园区（默认：本机所有园区）
        #[arg(long)]
        park: Option<Uuid>,
        /// 连已裁决的一起列出
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// 主管裁决一条冲突：--take laptop 采用笔记本上的值，--take server 保留服务器上的值
    Resolve {
        conflict: Uuid,
        #[arg(long, value_parser = ["laptop", "server"])]
        take: String,
    },
    /// 创建（或升级）本地数据库；--sample 载入示例园区
    Init {
        #[arg(long)]
        sample: bool,
    },
    /// 园区概况：企业数量、管理类别、巡查类别、总量指标使用情况
    Summary {
        #[arg(long)]
        json: bool,
    },
    /// 导入企业名录（.xlsx 或 .csv）：全部导入或全部不导入
    Import {
        file: PathBuf,
        /// 表中无“园区代码”列时导入到的园区（代码、名称或ID）
        #[arg(long)]
        park: Option<String>,
        /// 只检查并报告，不写入
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
    /// 导出企业名录（.xlsx 或 .csv）
    #[command(args_conflicts_with_subcommands = true)]
    Export {
        #[command(subcommand)]
        ledger: Option<ExportCommand>,
        /// 名录文件（.xlsx 或 .csv）
        file: Option<PathBuf>,
        /// 只导出该园区（代码、名称或ID）
        #[arg(long)]
        park: Option<String>,
    },
    /// 搜索企业：名称片段、信用代码、许可证编号、环评批复文号、应急预案备案编号
    Search {
        /// 查询内容；为空时按筛选条件列出
        #[arg(default_value = "")]
        query: String,
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
        #[arg(long)]
        json: bool,
    },
    /// 企业档案
    Enterprise {
        #[command(subcommand)]
        command: EnterpriseCommand,
    },
    /// 巡查计划
    Patrol {
        #[command(subcommand)]
        command: PatrolCommand,
    },
    /// 整改通知书：下发（自动取本机号段中的下一个文号）、作废、列表
    Notice {
        #[command(subcommand)]
        command: NoticeCommand,
    },
    /// 违法线索移交：依据已签名的检查记录移交、列表
    Transfer {
        #[command(subcommand)]
        command: TransferCommand,
    },
    /// 打印文书（PDF）：整改通知书、违法线索移交书、现场检查记录、设施明白卡
    Print {
        #[command(subcommand)]
        command: PrintCommand,
        /// 本单位的仿宋_GB2312 字体文件（缺字时用随附字体补齐）
        #[arg(long, global = true, value_name = "FONT")]
        fang_font: Option<PathBuf>,
        /// 本单位的方正小标宋字体文件
        #[arg(long, global = true, value_name = "FONT")]
        title_font: Option<PathBuf>,
    },
    /// 待同步的变更记录
    Outbox {
        #[arg(long)]
        json: bool,
    },
    /// 性能测试：生成10,000家企业的数据库并测量搜索与导入耗时
    Bench {
        #[arg(long, default_value_t = 10_000)]
        enterprises: usize,
        #[arg(long, default_value_t = 50)]
        parks: usize,
        /// 每类查询的次数
        #[arg(long, default_value_t = 300)]
        queries: usize,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum PatrolCommand {
    /// 各企业下次巡查日期：逾期、从未巡查、即将到期（30天内）；巡查频次完成率和全面排查次数
    Due {
        /// 只看该园区（代码、名称或ID）
        #[arg(long)]
        park: Option<String>,
        /// 按该日期计算（YYYY-MM-DD），默认今天（北京时间）
        #[arg(long, value_name = "DATE")]
        today: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum NoticeCommand {
    /// 依据已签名的检查记录下发整改通知书
    Issue {
        /// 检查记录ID
        inspection: Uuid,
        /// 本单位的通知书设置（JSON：落款单位、检查方、报送单位、邮箱、联系人、电话、红头、相关法律责任）
        #[arg(long, value_name = "OFFICE.json")]
        office: PathBuf,
        /// 整改方案提交期限（YYYY-MM-DD）
        #[arg(long, value_name = "DATE")]
        plan_due: String,
        /// 依据的法律法规及政策
        #[arg(long, default_value = "《中华人民共和国环境保护法》等法律法规及政策")]
        laws: String,
        /// 列入通知书的问题ID（可多次）；默认列入全部一般和严重问题
        #[arg(long = "finding", value_name = "ID")]
        findings: Vec<Uuid>,
        /// 文号系列
        #[arg(long, default_value = "notice")]
        series: String,
        /// 审核人（案件尚未审核时必填）
        #[arg(long, default_value = "")]
        reviewed_by: String,
        /// 已立案的整改案件ID；不填则随通知书立案
        #[arg(long = "case", value_name = "CASE_ID")]
        case_id: Option<Uuid>,
        #[arg(long)]
        json: bool,
    },
    /// 作废一份通知书的文号（须写明原因），该文号不再使用
    Void {
        id: Uuid,
        #[arg(long)]
        reason: String,
    },
    /// 本机的整改通知书及作废的文号
    List {
        #[arg(long)]
        json: bool,
    },
}

// Parsed once per run: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum TransferCommand {
    /// 依据已签名的检查记录移交违法线索；未给出的内容按检查记录填写（严重问题、企业名称、随附材料）
    Create {
        /// 检查记录ID
        inspection: Uuid,
        /// 本单位的移交设置（JSON：市名、接收单位、正文称谓、落款单位、移交人、电话）
        #[arg(long, value_name = "OFFICE.json")]
        office: PathBuf,
        /// 移交的问题ID（可多次）；默认为全部严重问题
        #[arg(long = "finding", value_name = "ID")]
        findings: Vec<Uuid>,
        /// 涉嫌违法的单位或个人；默认为被检查企业
        #[arg(long, conflicts_with = "subject_unknown")]
        subject: Option<String>,
        /// 涉嫌违法的单位或个人暂不清楚
        #[arg(long)]
        subject_unknown: bool,
        /// 违法行为线索简要描述；默认为所选问题的描述
        #[arg(long)]
        description: Option<String>,
        /// 随附材料（可多次）；默认为检查记录、照片和已下发的通知书
        #[arg(long = "material", value_name = "NAME")]
        materials: Vec<String>,
        #[arg(long, default_value = "")]
        receiver_name: String,
        #[arg(long, default_value = "")]
        receiver_phone: String,
        /// 文号系列（本单位为移交书编号时）
        #[arg(long)]
        series: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// 本机的违法线索移交书
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum ExportCommand {
    /// 台账：rectification（整改）、overdue（逾期）、transfer（移交）、patrol（巡查）、compliance（表1.3-1）、waste（表10）；.xlsx 为可编辑的工作簿，.pdf 为打印版
    Ledger {
        kind: String,
        file: PathBuf,
        /// 只导出该园区（代码、名称或ID）
        #[arg(long)]
        park: Option<String>,
        /// 按该日期计算（YYYY-MM-DD），默认今天（北京时间）
        #[arg(long, value_name = "DATE")]
        today: Option<String>,
    },
}

#[derive(Subcommand)]
enum PrintCommand {
    /// 生态环境问题整改通知书（通知书ID），含现场照片页
    Notice {
        id: Uuid,
        #[arg(long, value_name = "FILE.pdf")]
        out: PathBuf,
    },
    /// 违法线索移交书（移交书ID），一式三联
    Transfer {
        id: Uuid,
        #[arg(long, value_name = "FILE.pdf")]
        out: PathBuf,
    },
    /// 现场检查记录（检查记录ID）
    Record {
        id: Uuid,
        #[arg(long, value_name = "FILE.pdf")]
        out: PathBuf,
    },
    /// 企业全部废水、废气设施的明白卡，每个设施一个PDF（企业ID、统一社会信用代码或全称）
    Cards {
        enterprise: String,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum EnterpriseCommand {
    /// 显示一家企业的完整档案（ID、统一社会信用代码或企业全称）
    Show {
        key: String,
        #[arg(long)]
        json: bool,
    },
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

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    std::fs::write(path, bytes).map_err(|e| Failure(format!("无法写入 {}：{e}", path.display())))
}

/// A failure to report on stderr.
struct Failure(String);

impl<E: std::error::Error> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(xuncha_core::api::describe(&e))
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(Failure(msg)) => {
            eprintln!("错误：{msg}");
            ExitCode::FAILURE
        }
    }
}

fn open_existing(db: Option<&Path>) -> Result<Store, Failure> {
    let db = db.ok_or_else(|| Failure("请用 --db PATH 指定数据库文件".into()))?;
    if !db.exists() {
        return Err(Failure(format!("数据库文件 {} 不存在，请先运行 xuncha --db {} init", db.display(), db.display())));
    }
    Ok(Store::open(db, Env::system())?)
}

fn print_json<T: serde::Serialize>(v: &T) -> Result<(), Failure> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

fn run(cli: Cli) -> Result<ExitCode, Failure> {
    let db = cli.db.as_deref();
    match cli.command {
        Command::Login { server, user } => {
            let store = open_existing(db)?;
            let password = match std::env::var("XUNCHA_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    let mut text = String::new();
                    std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)?;
                    text.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            let device_name = std::env::var("HOSTNAME").unwrap_or_else(|_| "xuncha-cli".into());
            let saved = xuncha_client::login(store.path(), &server, &user, &password, store.device_id(), &device_name)?;
            println!(
                "已登录 {}：{}（{}），分配园区 {} 个",
                saved.server,
                saved.session.user_name,
                saved.session.role,
                saved.session.parks.len()
            );
        }
        Command::Sync { json } => {
            let mut store = open_existing(db)?;
            let mut transport = xuncha_client::HttpTransport::for_store(store.path())?;
            let report = store.sync(&mut transport)?;
            let status = store.sync_status()?;
            if json {
                print_json(&serde_json::json!({"report": report, "status": status}))?;
            } else {
                println!(
                    "推送 {} 条（接受 {}，待裁决 {}，被拒绝 {}），拉取 {} 条",
                    report.pushed, report.accepted, report.held, report.rejected, report.pulled
                );
                println!(
                    "文件：上传 {}，下载 {}，服务器尚未收到 {}",
                    report.blobs_uploaded, report.blobs_downloaded, report.blobs_waiting
                );
                if report.reference_received > 0 || report.numbers_leased > 0 {
                    println!(
                        "参考资料：收到 {} 份；文书编号：领取 {} 个",
                        report.reference_received, report.numbers_leased
                    );
                }
                println!(
                    "待发送 {}，待裁决 {}，被拒绝 {}，待上传文件 {}；园区内冲突待主管裁决 {}",
                    status.pending, status.held, status.rejected, status.uploads_pending, status.conflicts_waiting
                );
                if status.overwritten > 0 || status.set_aside > 0 {
                    println!(
                        "被他人覆盖的修改 {}（见冲突列表）；无法读取而搁置的服务器记录 {}",
                        status.overwritten, status.set_aside
                    );
                }
                for line in &report.set_aside {
                    println!("注意：已搁置{line}，其余记录照常同步");
                }
                for (conflict, why) in &report.decisions_refused {
                    println!("注意：对冲突 {conflict} 的裁决未被接受：{why}");
                }
                for sha in &report.blobs_damaged {
                    println!("注意：本机文件 {sha} 已损坏（内容与校验值不符），未上传，请重新添加原件");
                }
                if let Some(stop) = &report.stopped {
                    println!("注意：{}", xuncha_core::sync::describe_stop(stop));
                }
            }
            if report.stopped.is_some() {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Conflicts { park, all, json } => {
            let store = open_existing(db)?;
            let mut transport = xuncha_client::HttpTransport::for_store(store.path())?;
            let parks = match park {
                Some(p) => vec![p],
                None => store.parks()?.into_iter().map(|p| p.id).collect(),
            };
            let mut listed = transport.conflicts(parks)?;
            listed.retain(|c| all || c.resolution.is_none());
            if json {
                print_json(&listed)?;
            } else if listed.is_empty() {
                println!("没有待裁决的冲突");
            } else {
                for c in store.conflict_items(listed)? {
                    let state = match &c.resolution {
                        None => "待主管裁决".to_string(),
                        Some(v) => format!("已定为 {v}"),
                    };
                    println!(
                        "{}  {}  字段 {}：服务器 {}，笔记本 {}（{state}）",
                        c.conflict_id, c.entity_name, c.field, c.server_value, c.device_value
                    );
                }
            }
        }
        Command::Resolve { conflict, take } => {
            let mut store = open_existing(db)?;
            let mut transport = xuncha_client::HttpTransport::for_store(store.path())?;
            // The decision is kept here first and sent with every round
            // until the server answers, so a lost reply loses nothing.
            store.decide_conflict(conflict, take == "laptop")?;
            let choice = if take == "laptop" { "采用笔记本上的值" } else { "保留服务器上的值" };
            match store.sync(&mut transport) {
                Ok(report) => {
                    if let Some((_, why)) = report.decisions_refused.iter().find(|(c, _)| *c == conflict) {
                        return Err(Failure(format!("裁决未被服务器接受：{why}")));
                    }
                    println!("已裁决：{choice}。各笔记本下次同步时得到结果");
                }
                Err(xuncha_core::sync::SyncError::Transport(e)) => {
                    println!("已记录裁决（{choice}），但未能发送：{e}");
                }
                Err(e) => return Err(e.into()),
            }
        }
        Command::Numbers { json } => {
            let left = open_existing(db)?.numbers_left()?;
            if json {
                print_json(&left)?;
            } else if left.is_empty() {
                println!("本机没有可用的文书编号：请联网同步以领取编号段（环保管家账号不领取编号）");
            } else {
                for n in &left {
                    match n.next {
                        Some(next) => println!(
                            "{}（{}年）：余 {} 个，下一个 {}〔{}〕{}号",
                            n.series, n.year, n.left, n.prefix, n.year, next
                        ),
                        None => println!("{}（{}年）：已用完，请联网同步领取", n.series, n.year),
                    }
                }
            }
        }
        Command::Reference { json } => {
            let entries = open_existing(db)?.reference_entries()?;
            if json {
                print_json(&entries)?;
            } else if entries.is_empty() {
                println!("本机还没有参考资料：联网同步后从服务器获取");
            } else {
                for e in &entries {
                    println!("{}/{} 第 {} 版  {}（发布于 {}）", e.kind, e.key, e.version, e.title, e.published_at);
                }
            }
        }
        Command::Status { json } => {
            let store = open_existing(db)?;
            let status = store.sync_status()?;
            if json {
                print_json(&status)?;
            } else {
                println!(
                    "待发送 {}，待裁决 {}，被拒绝 {}，待上传文件 {}，上次同步：{}",
                    status.pending,
                    status.held,
                    status.rejected,
                    status.uploads_pending,
                    status.last_sync_at.as_deref().unwrap_or("从未同步")
                );
                println!(
                    "园区内冲突待主管裁决 {}，被他人覆盖的修改 {}，待发送的裁决 {}",
                    status.conflicts_waiting, status.overwritten, status.decisions_waiting
                );
                for s in store.set_aside()? {
                    println!("已搁置服务器第 {} 号变更（{} {}）：{}", s.change_no, s.entity, s.entity_id, s.reason);
                }
            }
        }
        Command::Init { sample } => {
            let path = db.ok_or_else(|| Failure("请用 --db PATH 指定数据库文件".into()))?;
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            let mut store = Store::open(path, Env::system())?;
            println!("数据库已就绪：{}", path.display());
            if sample {
                let loaded = sample::load_sample(&mut store)?;
                println!(
                    "示例数据：{}个园区、{}家企业（本次写入{}条记录）",
                    loaded.parks, loaded.enterprises, loaded.changes
                );
            }
        }
        Command::Patrol { command: PatrolCommand::Due { park, today, json } } => {
            let store = open_existing(db)?;
            let today = day_or_today(today)?;
            let parks = match park {
                Some(key) => vec![store.find_park(&key)?.ok_or_else(|| Failure(format!("未找到园区“{key}”")))?.id],
                None => store.parks()?.into_iter().map(|p| p.id).collect(),
            };
            let plans = parks.into_iter().map(|p| store.patrol_plan(p, today)).collect::<Result<Vec<_>, _>>()?;
            if json {
                print_json(&plans)?;
            } else {
                plans.iter().for_each(show::print_patrol_plan);
            }
        }
        Command::Notice { command } => {
            let mut store = open_existing(db)?;
            match command {
                NoticeCommand::Issue {
                    inspection,
                    office,
                    plan_due,
                    laws,
                    findings,
                    series,
                    reviewed_by,
                    case_id,
                    json,
                } => {
                    let text = std::fs::read_to_string(&office)
                        .map_err(|e| Failure(format!("无法读取通知书设置 {}：{e}", office.display())))?;
                    let office = serde_json::from_str(&text)
                        .map_err(|e| Failure(format!("通知书设置 {} 格式不对：{e}", office.display())))?;
                    let new = xuncha_core::store::notice::NewNotice {
                        inspection_id: inspection,
                        series,
                        finding_ids: findings,
                        laws,
                        plan_due,
                        office,
                        case_id,
                        reviewed_by,
                    };
                    let n = store.issue_notice(&new)?;
                    if json {
                        print_json(&n)?;
                    } else {
                        println!("已下发整改通知书 {}（{}）：{}", n.number, n.addressee, n.id);
                    }
                }
                NoticeCommand::Void { id, reason } => {
                    let v = store.void_notice(id, &reason)?;
                    println!("文号 {} 已作废：{}", v.number, v.reason);
                }
                NoticeCommand::List { json } => {
                    let notices = store.notices(None)?;
                    let voids = store.number_voids()?;
                    if json {
                        print_json(&serde_json::json!({ "notices": notices, "voids": voids }))?;
                    } else {
                        for n in &notices {
                            let void = voids.iter().find(|v| v.notice_id == Some(n.id));
                            let mark = void.map(|v| format!("（已作废：{}）", v.reason)).unwrap_or_default();
                            println!("{}\t{}\t{}\t{}{mark}", n.number, n.issued_on, n.addressee, n.id);
                        }
                        for v in voids.iter().filter(|v| v.notice_id.is_none()) {
                            println!("{}\t作废未用：{}", v.number, v.reason);
                        }
                    }
                }
            }
        }
        Command::Transfer { command } => {
            let mut store = open_existing(db)?;
            match command {
                TransferCommand::Create {
                    inspection,
                    office,
                    findings,
                    subject,
                    subject_unknown,
                    description,
                    materials,
                    receiver_name,
                    receiver_phone,
                    series,
                    json,
                } => {
                    let text = std::fs::read_to_string(&office)
                        .map_err(|e| Failure(format!("无法读取移交设置 {}：{e}", office.display())))?;
                    let office = serde_json::from_str(&text)
                        .map_err(|e| Failure(format!("移交设置 {} 格式不对：{e}", office.display())))?;
                    let mut new = store.clue_transfer_draft(inspection, &findings)?;
                    new.office = office;
                    new.series = series;
                    new.receiver_name = receiver_name;
                    new.receiver_phone = receiver_phone;
                    if subject_unknown {
                        new.subject = None;
                    } else if subject.is_some() {
                        new.subject = subject;
                    }
                    if let Some(d) = description {
                        new.description = d;
                    }
                    if !materials.is_empty() {
                        new.materials = materials;
                    }
                    let t = store.transfer_clue(&new)?;
                    if json {
                        print_json(&t)?;
                    } else {
                        let number = t.number.as_ref().map(|n| format!(" {n}")).unwrap_or_default();
                        println!("已移交违法线索{number}（{}）：{}", t.office.receiver, t.id);
                    }
                }
                TransferCommand::List { json } => {
                    let transfers = store.clue_transfers(None)?;
                    if json {
                        print_json(&transfers)?;
                    } else {
                        for t in &transfers {
                            let number =
                                t.number.as_ref().map(ToString::to_string).unwrap_or_else(|| "（无文号）".into());
                            let subject = t.subject.as_deref().unwrap_or("（暂不清楚）");
                            println!("{number}\t{}\t{subject}\t{}\t{}", t.transferred_on, t.office.receiver, t.id);
                        }
                    }
                }
            }
        }
        Command::Print { command, fang_font, title_font } => {
            let store = open_existing(db)?;
            let office = xuncha_print::OfficeFonts { fang: fang_font, title: title_font };
            let book = xuncha_print::FontBook::load(&xuncha_print::FontBook::shipped_dir(), &office)?;
            let now = Env::system().now().timestamp();
            match command {
                PrintCommand::Notice { id, out } => {
                    write_file(&out, &xuncha_print::stored::notice(&store, &book, id)?.pdf)?;
                    println!("已生成整改通知书：{}", out.display());
                }
                PrintCommand::Transfer { id, out } => {
                    write_file(&out, &xuncha_print::stored::transfer(&store, &book, id)?.pdf)?;
                    println!("已生成违法线索移交书：{}", out.display());
                }
                PrintCommand::Record { id, out } => {
                    write_file(&out, &xuncha_print::stored::record(&store, &book, id)?.pdf)?;
                    println!("已生成现场检查记录：{}", out.display());
                }
                PrintCommand::Cards { enterprise, out } => {
                    let e = store
                        .find_enterprise(&enterprise)?
                        .ok_or_else(|| Failure(format!("未找到企业“{enterprise}”")))?;
                    if e.facilities.is_empty() {
                        return Err(Failure(format!("{} 的档案中没有废水、废气处理设施，无明白卡可打印", e.name)));
                    }
                    std::fs::create_dir_all(&out)
                        .map_err(|err| Failure(format!("无法创建文件夹 {}：{err}", out.display())))?;
                    for doc in xuncha_print::stored::cards(&store, &book, e.id, now)? {
                        let path = out.join(&doc.file_name);
                        write_file(&path, &doc.pdf)?;
                        println!("已生成明白卡：{}", path.display());
                    }
                }
            }
        }
        Command::Summary { json } => {
            let store = open_existing(db)?;
            let summary = show::summary(&store)?;
            if json {
                print_json(&summary)?;
            } else {
                show::print_summary(&summary);
            }
        }
        Command::Import { file, park, dry_run, json } => {
            let mut store = open_existing(db)?;
            let report = roster::import(&mut store, &file, &ImportOptions { park, dry_run })?;
            if json {
                print_json(&report)?;
            } else {
                show::print_import_report(&report, dry_run);
            }
            if report.errors().next().is_some() {
                eprintln!("错误：名录有{}处错误，未导入任何数据；请修改后重新导入", report.errors().count());
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Export { ledger: Some(ExportCommand::Ledger { kind, file, park, today }), .. } => {
            let store = open_existing(db)?;
            let park_id = park_of(&store, park)?;
            let kind = xuncha_core::ledger::LedgerKind::parse(&kind).ok_or_else(|| {
                Failure(format!("没有“{kind}”台账；可选：rectification、overdue、transfer、patrol、compliance、waste"))
            })?;
            let today = day_or_today(today)?;
            let ledger = xuncha_core::ledger::ledger(&store, kind, park_id, today)?;
            match file.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
                Some("xlsx") => xuncha_core::ledger::write_xlsx(&ledger, &file)
                    .map_err(|e| Failure(format!("无法写入 {}：{e}", file.display())))?,
                Some("pdf") => {
                    let book =
                        xuncha_print::FontBook::load(&xuncha_print::FontBook::shipped_dir(), &Default::default())?;
                    let now = Env::system().now().timestamp();
                    write_file(&file, &xuncha_print::ledger::render(&book, &ledger, now)?)?;
                }
                _ => return Err(Failure(format!("台账只能导出为 .xlsx 或 .pdf：{}", file.display()))),
            }
            println!("已导出{}（{} 行）到 {}", ledger.title, ledger.rows.len(), file.display());
        }
        Command::Export { ledger: None, file, park } => {
            let store = open_existing(db)?;
            let file = file.ok_or_else(|| Failure("请给出导出的文件名（.xlsx 或 .csv）".into()))?;
            let park_id = park_of(&store, park)?;
            let n = roster::export(&store, &file, park_id)?;
            println!("已导出{n}家企业到 {}", file.display());
        }
        Command::Search { query, park, tier, category, status, industry, limit, json } => {
            let mut store = open_existing(db)?;
            let q = Query {
                text: query,
                park,
                tier: tier
                    .map(|t| Tier::parse(&t).ok_or_else(|| Failure(format!("巡查类别“{t}”应为A、B或C"))))
                    .transpose()?,
                category: category
                    .map(|c| {
                        ManagementCategory::parse(&c)
                            .ok_or_else(|| Failure(format!("管理类别“{c}”应为重点、简化或登记")))
                    })
                    .transpose()?,
                status: status
                    .map(|s| {
                        EnterpriseStatus::parse(&s)
                            .ok_or_else(|| Failure(format!("运行状态“{s}”应为正常投产、在建、试生产、停产或退园")))
                    })
                    .transpose()?,
                industry,
                limit,
            };
            let hits = store.search(&q)?;
            if json {
                print_json(&hits)?;
            } else {
                show::print_hits(&hits);
            }
        }
        Command::Enterprise { command: EnterpriseCommand::Show { key, json } } => {
            let store = open_existing(db)?;
            let e = store.find_enterprise(&key)?.ok_or_else(|| Failure(format!("未找到企业“{key}”")))?;
            if json {
                let problems = e.check();
                print_json(&serde_json::json!({
                    "enterprise": e,
                    "tier": e.tier(),
                    "problems": problems,
                }))?;
            } else {
                let park = store.park(e.park_id)?;
                show::print_enterprise(&e, park.as_ref());
            }
        }
        Command::Enterprise { command: EnterpriseCommand::Attach { key, item, file } } => {
            let mut store = open_existing(db)?;
            let e = store.find_enterprise(&key)?.ok_or_else(|| Failure(format!("未找到企业“{key}”")))?;
            let (a, added) = store.attach_archive_file(e.id, item, &file)?;
            if added {
                println!("已附加“{}”（{}字节，SHA-256 {}）到{}档案第{item}项", a.file_name, a.size, a.sha256, e.name);
            } else {
                println!("{}档案第{item}项已有相同内容的附件“{}”，未重复添加", e.name, a.file_name);
            }
        }
        Command::Enterprise { command: EnterpriseCommand::Tier { key, tier, reason, default } } => {
            let mut store = open_existing(db)?;
            let mut e = store.find_enterprise(&key)?.ok_or_else(|| Failure(format!("未找到企业“{key}”")))?;
            e.tier_override = if default {
                None
            } else {
                let t = tier.ok_or_else(|| Failure("请给出巡查类别A、B或C，或用 --default 恢复默认".into()))?;
                let tier = Tier::parse(&t).ok_or_else(|| Failure(format!("巡查类别“{t}”应为A、B或C")))?;
                let reason = reason.ok_or_else(|| Failure("调整巡查类别必须用 --reason 填写理由".into()))?;
                Some(xuncha_core::enterprise::TierOverride { tier, reason })
            };
            store.save_enterprise(&e)?;
            let now = store.enterprise(e.id)?.expect("just saved");
            println!("{}：巡查类别为{}", now.name, now.tier().map(|t| t.label()).unwrap_or("未定"));
        }
        Command::Outbox { json } => {
            let store = open_existing(db)?;
            let entries = store.outbox()?;
            if json {
                print_json(&entries)?;
            } else {
                for e in &entries {
                    println!(
                        "{:>6}  {}  {} {}  基于第{}版  {}",
                        e.seq, e.created_at, e.entity, e.entity_id, e.base_version, e.state
                    );
                }
                println!("共{}条", entries.len());
            }
        }
        Command::Bench { enterprises, parks, queries, json } => {
            let results = bench::run(enterprises, parks, queries)?;
            if json {
                print_json(&results)?;
            } else {
                bench::print(&results);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Severity in Chinese for reports.
fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Error => "错误",
        Severity::Warning => "提示",
    }
}

/// `--today`, or today in China.
fn day_or_today(today: Option<String>) -> Result<chrono::NaiveDate, Failure> {
    match today {
        Some(t) => chrono::NaiveDate::parse_from_str(&t, "%Y-%m-%d")
            .map_err(|_| Failure(format!("日期“{t}”格式不对，应为 YYYY-MM-DD"))),
        None => Ok(Env::system().now_in_china().date_naive()),
    }
}

/// The park named by `--park` (code, name or id).
fn park_of(store: &Store, park: Option<String>) -> Result<Option<Uuid>, Failure> {
    match park {
        Some(key) => Ok(Some(store.find_park(&key)?.ok_or_else(|| Failure(format!("未找到园区“{key}”")))?.id)),
        None => Ok(None),
    }
}
