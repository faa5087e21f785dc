//! `xuncha-server`: the bureau server and its admin commands.

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use uuid::Uuid;
use xuncha_domain::{DeviceId, ParkId};
use xuncha_domain::{Env, Park};
use xuncha_server::backend::{Database, DeviceState};
use xuncha_server::blob::BlobDir;
use xuncha_server::postgres::Postgres;
use xuncha_server::sqlite::Sqlite;
use xuncha_server::{Bureau, Principal, Role, ServerError};
use xuncha_sync::{EntityKind, NumberSeries};

#[derive(Parser)]
#[command(name = "xuncha-server", about = "巡查同步服务器（生态环境局）")]
struct Cli {
    /// The data folder: photos and scans (blobs/) and, unless --database-url is given, the SQLite database.
    #[arg(long, global = true, default_value = "xuncha-server-data")]
    data: PathBuf,
    /// A PostgreSQL database instead of the embedded SQLite file:
    /// postgres://user:password@host/dbname (also XUNCHA_DATABASE_URL).
    #[arg(long, global = true, env = "XUNCHA_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// How many PostgreSQL connections this instance keeps at most.
    #[arg(long, global = true, default_value_t = 16)]
    db_connections: usize,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serves the sync API.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8730")]
        listen: SocketAddr,
        /// PEM certificate chain; with --tls-key, serves HTTPS.
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Allows plain HTTP on a non-loopback address, for a TLS-terminating proxy in front.
        #[arg(long)]
        behind_proxy: bool,
    },
    /// Manages user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The security audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Lists and revokes laptops.
    Device {
        #[command(subcommand)]
        command: DeviceCommand,
    },
    /// Manages parks.
    Park {
        #[command(subcommand)]
        command: ParkCommand,
    },
    /// Publishes reference data (checklist templates, …) to every laptop.
    Reference {
        #[command(subcommand)]
        command: ReferenceCommand,
    },
    /// Manages document-number series (numbers are leased to laptops in blocks).
    Series {
        #[command(subcommand)]
        command: SeriesCommand,
    },
    /// Checks every signed inspection of a park: digest, chain, and every
    /// photo and signature file; exits non-zero when anything is wrong.
    Inspections { park: ParkId },
    /// The last step after restoring the database from a backup (after
    /// `series skip`): a new server epoch, so every laptop sends again what
    /// the backup lacks and offers its files again.
    AfterRestore,
    /// Assigns a user to a park (or, with --remove, takes it away); the park
    /// by its id, its name, or a part of its name only it has.
    Assign {
        user: String,
        park: String,
        #[arg(long)]
        remove: bool,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Adds a user; the password is read from XUNCHA_PASSWORD or standard input.
    Add {
        name: String,
        /// inspector, steward, clerk, supervisor or admin.
        #[arg(long)]
        role: String,
        /// The person's name their records and papers carry, e.g. 张伟.
        #[arg(long)]
        full_name: Option<String>,
    },
    /// Sets the name a user's records and papers carry, e.g. `user name zhang 张伟`.
    Name { name: String, full_name: String },
    /// Lifts the lockout of an account after failed sign-ins.
    Unlock { name: String },
    /// Lists every user: login name, person's name, role and assigned parks.
    List,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Checks the hash chain of the whole audit trail; fails at the first row that does not hold.
    Verify,
    /// Prints the rows recorded since a date (2026-12-01) or time, as CSV or JSON lines.
    Export {
        #[arg(long, default_value = "")]
        since: String,
        /// csv or jsonl.
        #[arg(long, default_value = "csv")]
        format: String,
    },
}

#[derive(Subcommand)]
enum DeviceCommand {
    /// Lists every laptop that signed in: id, user, name, registered, key, state.
    List,
    /// Approves a user's new laptop (a user's first laptop needs none).
    Approve { id: DeviceId },
    /// Revokes a laptop: its sessions end at once and it cannot sign in again.
    Revoke { id: DeviceId },
}

#[derive(Subcommand)]
enum ReferenceCommand {
    /// Publishes FILE (a JSON object) as the next version of KIND/KEY; prints the version.
    Publish {
        #[arg(long)]
        kind: String,
        #[arg(long)]
        key: String,
        #[arg(long)]
        title: String,
        file: PathBuf,
    },
    /// Lists every published version.
    List,
    /// Publishes the versions of the checklist templates shipped with the
    /// program that are newer than the server's; prints each key and version.
    PublishChecklists,
}

#[derive(Subcommand)]
enum SeriesCommand {
    /// Creates a series, e.g. `series add notice --prefix 祁环改 --title 生态环境问题整改通知书`.
    Add {
        series: String,
        #[arg(long)]
        prefix: String,
        #[arg(long)]
        title: String,
    },
    /// Lists the series.
    List,
    /// Lists the blocks of a series: year, numbers, and the device each went to.
    Blocks { series: String },
    /// Gives the next COUNT numbers of a year to no one (after restoring a backup).
    Skip {
        series: String,
        #[arg(long)]
        year: i32,
        #[arg(long)]
        count: i64,
    },
}

#[derive(Subcommand)]
enum ParkCommand {
    /// Creates an empty park file and prints its id.
    Add { name: String },
    /// Lists every park: id and name.
    List,
    /// Puts the sample parks and their enterprises on an empty server.
    LoadSample,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("错误：{message}");
            ExitCode::FAILURE
        }
    }
}

fn open(cli: &Cli) -> Result<Bureau<Database>, String> {
    let data = &cli.data;
    keep_private(data)?;
    let env = Env::system();
    let now = env.now().to_rfc3339();
    let backend = match &cli.database_url {
        Some(url) => Database::Postgres(Box::new(
            Postgres::open(url, cli.db_connections, &now)
                .map_err(|e| format!("无法连接 PostgreSQL 数据库：{}", describe(e)))?,
        )),
        None => Database::Sqlite(Sqlite::open(data.join("server.db"), &now).map_err(describe)?),
    };
    Bureau::new(backend, BlobDir::new(data.join("blobs")), env).map_err(describe)
}

/// Makes the data folder the server's alone: it holds password and token
/// hashes, the receipt key and every photo. Whatever the umask, the folder
/// is 0700 and what the server writes in it 0600; a folder that others
/// may write is refused, since they could have replaced what is in it.
#[allow(unsafe_code, reason = "std has no safe way to set the umask")]
fn keep_private(data: &std::path::Path) -> Result<(), String> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    // Files and folders the server (and SQLite) creates from now on.
    // SAFETY: umask only sets this process's file-mode mask.
    unsafe { libc::umask(0o077) };
    if !data.exists() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(data)
            .map_err(|e| format!("无法创建数据目录 {}：{e}", data.display()))?;
    }
    let mode =
        std::fs::metadata(data).map_err(|e| format!("无法读取数据目录 {}：{e}", data.display()))?.permissions().mode();
    if mode & 0o022 != 0 {
        return Err(format!(
            "数据目录 {} 的权限为 {:o}，其他用户可以写入；请检查其中的文件后执行 chmod 700 {}",
            data.display(),
            mode & 0o777,
            data.display()
        ));
    }
    let private = |path: &std::path::Path, mode: u32| -> Result<(), String> {
        match std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(format!("无法设置 {} 的权限：{e}", path.display()))
            }
            _ => Ok(()),
        }
    };
    private(data, 0o700)?;
    for name in ["server.db", "server.db-wal", "server.db-shm"] {
        private(&data.join(name), 0o600)?;
    }
    private(&data.join("blobs"), 0o700)
}

fn describe(e: ServerError) -> String {
    xuncha_server::describe(&e)
}

fn run(cli: Cli) -> Result<(), String> {
    match &cli.command {
        Command::Serve { listen, tls_cert, tls_key, behind_proxy } => {
            let tls = tls_cert.clone().zip(tls_key.clone());
            if tls.is_none() && !listen.ip().is_loopback() && !behind_proxy {
                return Err(format!(
                    "{listen} 不是本机地址：明文 HTTP 只允许监听本机。请用 --tls-cert/--tls-key 启用 HTTPS，\
                     或在 TLS 反向代理之后运行并加上 --behind-proxy"
                ));
            }
            let bureau = Arc::new(open(&cli)?);
            serve(bureau, *listen, tls)
        }
        Command::User { command: UserCommand::Add { name, role, full_name } } => {
            let role = Role::parse(role)
                .ok_or_else(|| format!("未知角色“{role}”，可选：inspector、steward、clerk、supervisor、admin"))?;
            let password = password()?;
            let id = open(&cli)?.add_user(name, full_name.as_deref(), role, &password).map_err(describe)?;
            println!("{id}");
            eprintln!("已添加用户 {name}（{}）；用 assign {name} <园区> 分配园区", role.as_str());
            Ok(())
        }
        Command::User { command: UserCommand::Name { name, full_name } } => {
            let kept = open(&cli)?.name_user(name, full_name).map_err(describe)?;
            println!(
                "已将用户 {name} 的姓名设为“{kept}”；其笔记本在下次登录或下次刷新登录令牌（约每 15 分钟）的同步时取得此姓名，此后的记录和文书使用它"
            );
            Ok(())
        }
        Command::User { command: UserCommand::Unlock { name } } => {
            open(&cli)?.unlock(name).map_err(describe)?;
            println!("已解除用户 {name} 的登录锁定");
            Ok(())
        }
        Command::User { command: UserCommand::List } => {
            let bureau = open(&cli)?;
            let names: std::collections::HashMap<ParkId, String> =
                bureau.parks().map_err(describe)?.into_iter().collect();
            for (user, parks) in bureau.users().map_err(describe)? {
                let parks: Vec<&str> =
                    parks.iter().map(|p| names.get(p).map_or("（已不存在的园区）", String::as_str)).collect();
                let parks = if parks.is_empty() { "（未分配园区）".to_string() } else { parks.join("、") };
                let full = if user.full_name.is_empty() { "（未设姓名）" } else { &user.full_name };
                println!("{}\t{full}\t{}\t{parks}", user.name, user.role.as_str());
            }
            Ok(())
        }
        Command::Audit { command: AuditCommand::Verify } => match open(&cli)?.verify_audit().map_err(describe)? {
            Ok(n) => {
                println!("审计日志完整：共 {n} 条");
                Ok(())
            }
            Err(broken) => Err(format!("审计日志未通过核验：{broken}")),
        },
        Command::Audit { command: AuditCommand::Export { since, format } } => {
            let rows = open(&cli)?.audit_since(since).map_err(describe)?;
            match format.as_str() {
                "jsonl" => {
                    for r in &rows {
                        println!("{}", serde_json::to_string(r).map_err(|e| xuncha_server::describe(&e))?);
                    }
                }
                "csv" => {
                    println!("seq,at,actor,device_id,source,event,outcome,detail,prev_hash,hash");
                    for r in &rows {
                        let device = r.device_id.map(|d| d.to_string()).unwrap_or_default();
                        let fields = [
                            r.seq.to_string(),
                            r.at.clone(),
                            r.actor.clone(),
                            device,
                            r.source.clone().unwrap_or_default(),
                            r.event.clone(),
                            r.outcome.clone(),
                            r.detail.clone(),
                            r.prev_hash.clone(),
                            r.hash.clone(),
                        ];
                        let quoted: Vec<String> =
                            fields.iter().map(|f| format!("\"{}\"", f.replace('"', "\"\""))).collect();
                        println!("{}", quoted.join(","));
                    }
                }
                other => return Err(format!("未知的导出格式“{other}”，可选：csv、jsonl")),
            }
            Ok(())
        }
        Command::Device { command: DeviceCommand::List } => {
            for (d, user) in open(&cli)?.devices().map_err(describe)? {
                let state = match d.state() {
                    DeviceState::Active => "在用".to_string(),
                    DeviceState::Pending => "待批准".to_string(),
                    DeviceState::Revoked => format!("已停用 {}", d.revoked_at.as_deref().unwrap_or_default()),
                };
                // The key's first 16 hex digits, to compare with the laptop's.
                let key = d.public_key.as_deref().map_or("（未登记密钥）", xuncha_server::auth::fingerprint);
                println!("{}\t{user}\t{}\t{}\t{key}\t{state}", d.id, d.name, d.registered_at);
            }
            Ok(())
        }
        Command::Device { command: DeviceCommand::Approve { id } } => {
            open(&cli)?.approve_device(*id).map_err(describe)?;
            println!("已批准设备 {id}");
            Ok(())
        }
        Command::Device { command: DeviceCommand::Revoke { id } } => {
            open(&cli)?.revoke_device(*id).map_err(describe)?;
            println!("已停用设备 {id}：其登录立即失效");
            Ok(())
        }
        Command::Park { command: ParkCommand::List } => {
            for (id, name) in open(&cli)?.parks().map_err(describe)? {
                println!("{id}\t{name}");
            }
            Ok(())
        }
        Command::Park { command: ParkCommand::Add { name } } => {
            let bureau = open(&cli)?;
            let id: ParkId = bureau.new_id();
            let mut doc = match serde_json::to_value(Park::new(id, name.trim())) {
                Ok(serde_json::Value::Object(doc)) => doc,
                _ => return Err("无法生成园区档案".into()),
            };
            doc.remove("version");
            bureau.put_document(EntityKind::Park, id.uuid(), id, doc).map_err(describe)?;
            println!("{id}");
            Ok(())
        }
        Command::Inspections { park } => {
            let bureau = open(&cli)?;
            let checks = bureau.verify_inspections(*park).map_err(describe)?;
            for c in &checks {
                let state = if c.problems.is_empty() { "完整".to_string() } else { c.problems.join("；") };
                println!(
                    "{}\t{}\t{}\t文件{}个\t{state}",
                    c.id,
                    c.enterprise,
                    c.signed_at.as_deref().unwrap_or(""),
                    c.files
                );
            }
            let broken = checks.iter().filter(|c| !c.problems.is_empty()).count();
            if broken > 0 {
                return Err(format!("{broken} 份检查记录未通过完整性核验"));
            }
            Ok(())
        }
        Command::Park { command: ParkCommand::LoadSample } => {
            let bureau = open(&cli)?;
            if bureau.park_count().map_err(describe)? > 0 {
                return Err("服务器上已有园区；示例数据只能载入空服务器".into());
            }
            let sample = xuncha_domain::sample::sample_data();
            let (parks, enterprises) = bureau.import_files(&sample.parks).map_err(describe)?;
            for p in &sample.parks {
                println!("{}\t{}", p.park.id, p.park.name);
            }
            eprintln!("已载入 {parks} 个园区、{enterprises} 家企业");
            Ok(())
        }
        Command::Reference { command: ReferenceCommand::Publish { kind, key, title, file } } => {
            let text = std::fs::read_to_string(file).map_err(|e| format!("无法读取 {}：{e}", file.display()))?;
            let doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
                format!("{} 不是有效的 JSON：第 {} 行第 {} 列：{e}", file.display(), e.line(), e.column())
            })?;
            let version = open(&cli)?.publish_reference(kind, key, title, &doc).map_err(describe)?;
            println!("{version}");
            Ok(())
        }
        Command::Reference { command: ReferenceCommand::PublishChecklists } => {
            for (key, version) in open(&cli)?.publish_shipped_checklists().map_err(describe)? {
                println!("{key}\t{version}");
            }
            Ok(())
        }
        Command::Reference { command: ReferenceCommand::List } => {
            let admin = admin_principal();
            for e in open(&cli)?.reference_index(&admin).map_err(describe)? {
                println!("{}\t{}\t{}\t{}\t{}", e.kind, e.key, e.version, e.title, e.published_at);
            }
            Ok(())
        }
        Command::Series { command: SeriesCommand::Add { series, prefix, title } } => {
            let series =
                NumberSeries { series: series.clone(), prefix: prefix.trim().into(), title: title.trim().into() };
            open(&cli)?.add_series(&series).map_err(describe)?;
            println!("已添加文号系列 {}：{}〔年份〕N号（{}）", series.series, series.prefix, series.title);
            Ok(())
        }
        Command::Series { command: SeriesCommand::List } => {
            for s in open(&cli)?.number_series(&admin_principal()).map_err(describe)? {
                println!("{}\t{}\t{}", s.series, s.prefix, s.title);
            }
            Ok(())
        }
        Command::Series { command: SeriesCommand::Blocks { series } } => {
            for (b, device) in open(&cli)?.number_blocks(series).map_err(describe)? {
                let to = if device == DeviceId::NIL { "（已跳过）".to_string() } else { device.to_string() };
                println!("{}\t{}〔{}〕{}–{}号\t{to}", b.series, b.prefix, b.year, b.first, b.last);
            }
            Ok(())
        }
        Command::Series { command: SeriesCommand::Skip { series, year, count } } => {
            let b = open(&cli)?.skip_numbers(series, *year, *count).map_err(describe)?;
            println!("已跳过 {}〔{}〕{}–{}号", b.prefix, b.year, b.first, b.last);
            Ok(())
        }
        Command::AfterRestore => {
            let epoch = open(&cli)?.renew_epoch().map_err(describe)?;
            println!("已更换服务器纪元（{epoch}）：各笔记本下次同步时重新发送备份之后的记录，并重新核对照片和文件");
            Ok(())
        }
        Command::Assign { user, park, remove } => {
            let bureau = open(&cli)?;
            // A park's id is taken away even when the server no longer
            // holds that park (user list shows such a park as gone).
            let (park, name) = match (remove, park.trim().parse::<ParkId>()) {
                (true, Ok(id)) => (
                    id,
                    bureau
                        .parks()
                        .map_err(describe)?
                        .into_iter()
                        .find(|p| p.0 == id)
                        .map_or_else(|| "（已不存在的园区）".to_string(), |p| p.1),
                ),
                _ => bureau.park_named(park).map_err(describe)?,
            };
            bureau.assign(user, park, !remove).map_err(describe)?;
            if *remove {
                println!("已取消用户 {user} 的园区“{name}”（{park}）");
            } else {
                println!("已将园区“{name}”（{park}）分配给用户 {user}");
            }
            Ok(())
        }
    }
}

/// The operator at the server's console.
fn admin_principal() -> Principal {
    Principal { user_id: Uuid::nil(), device_id: DeviceId::NIL, role: Role::Admin, parks: Vec::new() }
}

fn password() -> Result<String, String> {
    if let Ok(p) = std::env::var("XUNCHA_PASSWORD") {
        return Ok(p);
    }
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).map_err(|e| format!("无法读取密码：{e}"))?;
    Ok(text.trim_end_matches(['\r', '\n']).to_string())
}

fn serve(bureau: Arc<Bureau<Database>>, listen: SocketAddr, tls: Option<(PathBuf, PathBuf)>) -> Result<(), String> {
    let runtime = tokio::runtime::Runtime::new().map_err(|e| format!("无法启动：{e}"))?;
    runtime.block_on(async move {
        let app = xuncha_server::http::router(bureau);
        match tls {
            Some((cert, key)) => {
                let _ = rustls::crypto::ring::default_provider().install_default();
                let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(&cert, &key)
                    .await
                    .map_err(|e| format!("无法读取证书 {} 或私钥 {}：{e}", cert.display(), key.display()))?;
                eprintln!("xuncha-server: listening on https://{listen}");
                axum_server::bind_rustls(listen, config)
                    .serve(app.into_make_service_with_connect_info::<SocketAddr>())
                    .await
                    .map_err(|e| format!("无法监听 {listen}：{e}"))
            }
            None => {
                let listener =
                    tokio::net::TcpListener::bind(listen).await.map_err(|e| format!("无法监听 {listen}：{e}"))?;
                eprintln!(
                    "xuncha-server: listening on http://{}",
                    listener.local_addr().map_err(|e| xuncha_server::describe(&e))?
                );
                axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
                    .await
                    .map_err(|e| format!("服务中断：{e}"))
            }
        }
    })
}
