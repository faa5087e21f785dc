//! `xuncha`: the command line for clerks' batch work and for tests.
//!
//! Every command works on one local store (`--db PATH`). Human output is
//! Chinese; `--json` prints machine-readable output on standard output, and
//! a failure as the shared `{code, message, problems}` error on standard
//! error. The exit status follows the
//! error's code (see [`exit_status`]). Each area's commands live in one
//! module under `cmd/`, a few lines over flows written once in the crates.

mod bench;
mod cmd;
mod show;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use uuid::Uuid;
use xuncha_core::api::{ApiError, ErrorCode};
use xuncha_core::id::*;
use xuncha_core::{Env, Store};

use cmd::{data, document, sync};

#[derive(Parser)]
#[command(name = "xuncha", version, about = "巡查：园区企业环境档案与现场检查（命令行）")]
struct Cli {
    /// 本地数据库文件
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    /// 输出 JSON（出错时在标准错误输出 {code, message, problems}）
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

// Parsed once per run: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
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
    /// 设置本人姓名（记录、案件经过和文书上署此姓名；需联网，服务器为本账号的各台笔记本保存）
    Name {
        /// 姓名，如 张伟
        full_name: String,
    },
    /// 与同步服务器同步一次：推送本机修改，拉取所分配园区的更新
    Sync,
    /// 同步状态：待发送、待裁决、被拒绝的修改，上次同步时间
    Status,
    /// 本机的文书编号余量（联网同步时从服务器领取编号段）
    Numbers,
    /// 本机保存的参考资料（检查表模板等）及其版本
    Reference,
    /// 列出所分配园区的同步冲突（两边的值，是否待主管裁决）
    Conflicts {
        /// 只看这个园区（默认：本机所有园区）
        #[arg(long)]
        park: Option<ParkId>,
        /// 连已裁决的一起列出
        #[arg(long)]
        all: bool,
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
    Summary,
    /// 导入企业名录（.xlsx 或 .csv）：全部导入或全部不导入
    Import {
        file: PathBuf,
        /// 表中无“园区代码”列时导入到的园区（代码、名称或ID）
        #[arg(long)]
        park: Option<String>,
        /// 只检查并报告，不写入
        #[arg(long)]
        dry_run: bool,
    },
    /// 导出企业名录（.xlsx 或 .csv）
    #[command(args_conflicts_with_subcommands = true)]
    Export {
        #[command(subcommand)]
        ledger: Option<document::ExportCommand>,
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
        #[command(flatten)]
        filter: data::SearchFilter,
    },
    /// 企业档案
    Enterprise {
        #[command(subcommand)]
        command: data::EnterpriseCommand,
    },
    /// 巡查计划
    Patrol {
        #[command(subcommand)]
        command: data::PatrolCommand,
    },
    /// 整改通知书：下发（自动取本机号段中的下一个文号）、作废、列表
    Notice {
        #[command(subcommand)]
        command: document::NoticeCommand,
    },
    /// 违法线索移交：依据已签名的检查记录移交、列表
    Transfer {
        #[command(subcommand)]
        command: document::TransferCommand,
    },
    /// 打印文书（PDF）：整改通知书、违法线索移交书、现场检查记录、设施明白卡
    Print {
        #[command(subcommand)]
        command: document::PrintCommand,
        /// 本单位的仿宋_GB2312 字体文件（缺字时用随附字体补齐）
        #[arg(long, global = true, value_name = "FONT")]
        fang_font: Option<PathBuf>,
        /// 本单位的方正小标宋字体文件
        #[arg(long, global = true, value_name = "FONT")]
        title_font: Option<PathBuf>,
    },
    /// 待同步的变更记录
    Outbox,
    /// 性能测试：生成10,000家企业的数据库并测量搜索与导入耗时
    Bench {
        #[arg(long, default_value_t = 10_000)]
        enterprises: usize,
        #[arg(long, default_value_t = 50)]
        parks: usize,
        /// 每类查询的次数
        #[arg(long, default_value_t = 300)]
        queries: usize,
    },
}

/// What every command is given: where the store is and how to answer.
pub struct Ctx {
    db: Option<PathBuf>,
    json: bool,
}

impl Ctx {
    /// The database file named by `--db`.
    pub fn db(&self) -> Result<&Path, ApiError> {
        self.db.as_deref().ok_or_else(|| ApiError::new(ErrorCode::NoDataFolder, "请用 --db PATH 指定数据库文件"))
    }

    /// The store at `--db`, which must exist already.
    pub fn open(&self) -> Result<Store, ApiError> {
        let db = self.db()?;
        if !db.exists() {
            return Err(ApiError::new(
                ErrorCode::NoDataFolder,
                format!("数据库文件 {} 不存在，请先运行 xuncha --db {} init", db.display(), db.display()),
            ));
        }
        let mut store = Store::open(db, Env::system())?;
        // What this run records is credited to the signed-in person.
        store.set_operator(&xuncha_client::signed_in(db).map(|s| s.person).unwrap_or_default());
        Ok(store)
    }

    /// Prints `value` as JSON under `--json`, else runs `human`.
    pub fn say<T: serde::Serialize>(&self, value: &T, human: impl FnOnce(&T)) -> Result<(), ApiError> {
        if self.json {
            println!("{}", to_json(value)?);
        } else {
            human(value);
        }
        Ok(())
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, ApiError> {
    serde_json::to_string_pretty(value)
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("无法输出 JSON：{}", xuncha_core::api::describe(&e))))
}

/// The exit status of a failure, by its code: scripts branch on these as
/// the window branches on the codes (clap's own usage errors exit with 2).
pub fn exit_status(code: ErrorCode) -> u8 {
    match code {
        ErrorCode::Internal => 1,
        ErrorCode::NoDataFolder => 2,
        ErrorCode::Invalid => 3,
        ErrorCode::NotFound => 4,
        ErrorCode::Stale => 5,
        ErrorCode::File => 6,
        ErrorCode::SignedOut => 7,
        ErrorCode::Offline => 8,
        ErrorCode::Forbidden
        | ErrorCode::Refused
        | ErrorCode::Throttled
        | ErrorCode::TooLarge
        | ErrorCode::UploadOffset
        | ErrorCode::HashMismatch => 9,
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ctx = Ctx { db: cli.db, json: cli.json };
    match run(&ctx, cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Standard output keeps the result (an import's report, say);
            // the failure goes to standard error, as JSON under `--json`.
            match to_json(&e) {
                Ok(text) if ctx.json => eprintln!("{text}"),
                _ => eprintln!("错误：{}", e.message),
            }
            ExitCode::from(exit_status(e.code))
        }
    }
}

fn run(ctx: &Ctx, command: Command) -> Result<(), ApiError> {
    match command {
        Command::Login { server, user } => sync::login(ctx, &server, &user),
        Command::Name { full_name } => sync::name(ctx, &full_name),
        Command::Sync => sync::sync(ctx),
        Command::Status => sync::status(ctx),
        Command::Numbers => sync::numbers(ctx),
        Command::Reference => sync::reference(ctx),
        Command::Conflicts { park, all } => sync::conflicts(ctx, park, all),
        Command::Resolve { conflict, take } => sync::resolve(ctx, conflict, take == "laptop"),
        Command::Outbox => sync::outbox(ctx),
        Command::Init { sample } => data::init(ctx, sample),
        Command::Summary => data::summary(ctx),
        Command::Import { file, park, dry_run } => data::import(ctx, &file, park, dry_run),
        Command::Export { ledger: Some(ledger), .. } => document::export(ctx, ledger),
        Command::Export { ledger: None, file, park } => data::export(ctx, file, park),
        Command::Search { query, filter } => data::search(ctx, query, filter),
        Command::Enterprise { command } => data::enterprise(ctx, command),
        Command::Patrol { command } => data::patrol(ctx, command),
        Command::Notice { command } => document::notice(ctx, command),
        Command::Transfer { command } => document::transfer(ctx, command),
        Command::Print { command, fang_font, title_font } => {
            document::print(ctx, command, xuncha_print::OfficeFonts { fang: fang_font, title: title_font })
        }
        Command::Bench { enterprises, parks, queries } => {
            let results = bench::run(enterprises, parks, queries).map_err(|e| {
                ApiError::new(ErrorCode::Internal, format!("性能测试失败：{}", xuncha_core::api::describe(e.as_ref())))
            })?;
            ctx.say(&results, bench::print)
        }
    }
}
