//! Documents: notices, clue transfers, printing and ledgers.

use std::path::PathBuf;

use clap::Subcommand;
use xuncha_core::api::{ApiError, ErrorCode, Printable};
use xuncha_core::id::*;
use xuncha_core::ledger::LedgerKind;
use xuncha_core::Env;
use xuncha_print::stored;
use xuncha_print::{FontBook, OfficeFonts};

use super::{day_or_today, enterprise_of, park_of, write_file};
use crate::Ctx;

#[derive(Subcommand)]
pub enum NoticeCommand {
    /// 依据已签名的检查记录下发整改通知书
    Issue {
        /// 检查记录ID
        inspection: InspectionId,
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
        findings: Vec<FindingId>,
        /// 文号系列
        #[arg(long, default_value = "notice")]
        series: String,
        /// 审核人（案件尚未审核时必填）
        #[arg(long, default_value = "")]
        reviewed_by: String,
        /// 企业整改责任人（姓名及电话）；不填则取企业档案中的环保负责人
        #[arg(long, default_value = "")]
        responsible: String,
        /// 已立案的整改案件ID；不填则随通知书立案
        #[arg(long = "case", value_name = "CASE_ID")]
        case_id: Option<CaseId>,
    },
    /// 作废一份通知书的文号（须写明原因），该文号不再使用
    Void {
        id: NoticeId,
        #[arg(long)]
        reason: String,
    },
    /// 本机的整改通知书及作废的文号
    List,
}

// Parsed once per run: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
pub enum TransferCommand {
    /// 依据已签名的检查记录移交违法线索；未给出的内容按检查记录填写（严重问题、企业名称、随附材料）
    Create {
        /// 检查记录ID
        inspection: InspectionId,
        /// 本单位的移交设置（JSON：市名、接收单位、正文称谓、落款单位、移交人、电话）
        #[arg(long, value_name = "OFFICE.json")]
        office: PathBuf,
        /// 移交的问题ID（可多次）；默认为全部严重问题
        #[arg(long = "finding", value_name = "ID")]
        findings: Vec<FindingId>,
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
    },
    /// 本机的违法线索移交书
    List,
}

#[derive(Subcommand)]
pub enum ExportCommand {
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
pub enum PrintCommand {
    /// 生态环境问题整改通知书（通知书ID），含现场照片页
    Notice {
        id: NoticeId,
        #[arg(long, value_name = "FILE.pdf")]
        out: PathBuf,
    },
    /// 违法线索移交书（移交书ID），一式三联
    Transfer {
        id: ClueTransferId,
        #[arg(long, value_name = "FILE.pdf")]
        out: PathBuf,
    },
    /// 现场检查记录（检查记录ID）
    Record {
        id: InspectionId,
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

/// An office's settings file (`what` names it for the user).
fn office_file<T: serde::de::DeserializeOwned>(path: &PathBuf, what: &str) -> Result<T, ApiError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ApiError::new(ErrorCode::File, format!("无法读取{what} {}：{e}", path.display())))?;
    serde_json::from_str(&text)
        .map_err(|e| ApiError::new(ErrorCode::Invalid, format!("{what} {} 格式不对：{e}", path.display())))
}

pub fn notice(ctx: &Ctx, command: NoticeCommand) -> Result<(), ApiError> {
    let mut store = ctx.open()?;
    match command {
        NoticeCommand::Issue {
            inspection,
            office,
            plan_due,
            laws,
            findings,
            series,
            reviewed_by,
            responsible,
            case_id,
        } => {
            let new = xuncha_core::store::notice::NewNotice {
                inspection_id: inspection,
                series,
                finding_ids: findings,
                laws,
                plan_due,
                office: office_file(&office, "通知书设置")?,
                case_id,
                reviewed_by,
                responsible,
            };
            let n = store.issue_notice(&new)?;
            ctx.say(&n, |n| println!("已下发整改通知书 {}（{}）：{}", n.number, n.addressee, n.id))
        }
        NoticeCommand::Void { id, reason } => {
            let v = store.void_notice(id, &reason)?;
            ctx.say(&v, |v| println!("文号 {} 已作废：{}", v.number, v.reason))
        }
        NoticeCommand::List => {
            let list = xuncha_core::api::NoticeList { notices: store.notices(None)?, voids: store.number_voids()? };
            ctx.say(&list, |list| {
                for n in &list.notices {
                    let void = list.voids.iter().find(|v| v.notice_id == Some(n.id));
                    let mark = void.map(|v| format!("（已作废：{}）", v.reason)).unwrap_or_default();
                    println!("{}\t{}\t{}\t{}{mark}", n.number, n.issued_on, n.addressee, n.id);
                }
                for v in list.voids.iter().filter(|v| v.notice_id.is_none()) {
                    println!("{}\t作废未用：{}", v.number, v.reason);
                }
            })
        }
    }
}

pub fn transfer(ctx: &Ctx, command: TransferCommand) -> Result<(), ApiError> {
    let mut store = ctx.open()?;
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
        } => {
            let mut new = store.clue_transfer_draft(inspection, &findings)?;
            new.office = office_file(&office, "移交设置")?;
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
            ctx.say(&t, |t| {
                let number = t.number.as_ref().map(|n| format!(" {n}")).unwrap_or_default();
                println!("已移交违法线索{number}（{}）：{}", t.office.receiver, t.id);
            })
        }
        TransferCommand::List => {
            let transfers = store.clue_transfers(None)?;
            ctx.say(&transfers, |transfers| {
                for t in transfers {
                    let number = t.number.as_ref().map(ToString::to_string).unwrap_or_else(|| "（无文号）".into());
                    let subject = t.subject.as_deref().unwrap_or("（暂不清楚）");
                    println!("{number}\t{}\t{subject}\t{}\t{}", t.transferred_on, t.office.receiver, t.id);
                }
            })
        }
    }
}

pub fn print(ctx: &Ctx, command: PrintCommand, fonts: OfficeFonts) -> Result<(), ApiError> {
    let store = ctx.open()?;
    let book = FontBook::load(&FontBook::shipped_dir(), &fonts)?;
    let now = Env::system().now().timestamp();
    let (document, out, what) = match command {
        PrintCommand::Notice { id, out } => (Printable::Notice(id), out, "整改通知书"),
        PrintCommand::Transfer { id, out } => (Printable::Transfer(id), out, "违法线索移交书"),
        PrintCommand::Record { id, out } => (Printable::Record(id), out, "现场检查记录"),
        PrintCommand::Cards { enterprise, out } => {
            (Printable::Cards(enterprise_of(&store, &enterprise)?.id), out, "明白卡")
        }
    };
    let docs = stored::gather(&store, document, now)?.render(&book)?;
    let written = if matches!(document, Printable::Cards(_)) {
        std::fs::create_dir_all(&out)
            .map_err(|e| ApiError::new(ErrorCode::File, format!("无法创建文件夹 {}：{e}", out.display())))?;
        docs.iter()
            .map(|d| {
                let path = out.join(&d.file_name);
                write_file(&path, &d.pdf).map(|()| path)
            })
            .collect::<Result<Vec<_>, _>>()?
    } else {
        let doc = docs.first().expect("one file for a single document");
        write_file(&out, &doc.pdf)?;
        vec![out]
    };
    ctx.say(&written, |written| written.iter().for_each(|p| println!("已生成{what}：{}", p.display())))
}

pub fn export(ctx: &Ctx, command: ExportCommand) -> Result<(), ApiError> {
    let ExportCommand::Ledger { kind, file, park, today } = command;
    let store = ctx.open()?;
    let park_id = park_of(&store, park)?;
    let kind = LedgerKind::parse(&kind).ok_or_else(|| {
        ApiError::new(
            ErrorCode::Invalid,
            format!("没有“{kind}”台账；可选：rectification、overdue、transfer、patrol、compliance、waste"),
        )
    })?;
    let ledger = xuncha_core::ledger::ledger(&store, kind, park_id, day_or_today(today)?)?;
    match file.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("xlsx") => xuncha_core::ledger::write_xlsx(&ledger, &file)
            .map_err(|e| ApiError::new(ErrorCode::File, format!("无法写入 {}：{e}", file.display())))?,
        Some("pdf") => {
            let book = FontBook::load(&FontBook::shipped_dir(), &OfficeFonts::default())?;
            write_file(&file, &stored::ledger(&book, &ledger, Env::system().now_in_china())?.pdf)?;
        }
        _ => {
            return Err(ApiError::new(ErrorCode::Invalid, format!("台账只能导出为 .xlsx 或 .pdf：{}", file.display())))
        }
    }
    ctx.say(&serde_json::json!({ "file": file, "rows": ledger.rows.len() }), |_| {
        println!("已导出{}（{} 行）到 {}", ledger.title, ledger.rows.len(), file.display())
    })
}
