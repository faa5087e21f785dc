//! The on-site inspection record (现场检查记录): who, where, when, every
//! checklist result, the findings, the signatures or the refusal and its
//! witness, and the integrity digest that lets anyone check the paper
//! against the signed record.

use xuncha_core::enterprise::Enterprise;
use xuncha_core::inspection::{Inspection, SignerRole};
use xuncha_core::notice::{chinese_date, chinese_time};
use xuncha_core::Sha256;

use crate::font::FontBook;
use crate::layout::{paginate, Align, Block, Geometry, Table, MM};
use crate::pdf::{write, Meta, PageNumbers};
use crate::style::{cell, form_line, heading, label, title};
use crate::PrintError;

fn or_blank(s: Option<&str>) -> String {
    s.filter(|s| !s.trim().is_empty()).unwrap_or("—").to_string()
}

/// The record's blocks; `signature_png` gives a drawn signature's PNG by
/// its SHA-256, or `None` when the file is not on this computer.
pub fn blocks(
    enterprise: &Enterprise,
    inspection: &Inspection,
    signature_png: &dyn Fn(&Sha256) -> Option<Vec<u8>>,
) -> Vec<Block> {
    let i = inspection;
    let when = match &i.ended_at {
        Some(end) if end.get(..10) == i.started_at.get(..10) => {
            format!("{}{}至{}", chinese_date(&i.started_at), chinese_time(&i.started_at), chinese_time(end))
        }
        Some(end) => format!(
            "{}{}至{}{}",
            chinese_date(&i.started_at),
            chinese_time(&i.started_at),
            chinese_date(end),
            chinese_time(end)
        ),
        None => format!("{}{}起", chinese_date(&i.started_at), chinese_time(&i.started_at)),
    };
    let mut blocks = vec![title("现场检查记录"), Block::Space(6.0)];
    blocks.push(Block::Table(Table {
        columns: vec![0.25, 0.31, 0.17, 0.27],
        header_rows: 0,
        rows: vec![
            vec![label("被检查单位", 1), cell(&i.enterprise_name, Align::Left, 3)],
            vec![
                label("统一社会信用代码", 1),
                cell(or_blank(enterprise.credit_code.as_deref()), Align::Left, 1),
                label("法定代表人", 1),
                cell(or_blank(enterprise.legal_representative.as_deref()), Align::Left, 1),
            ],
            vec![label("地址", 1), cell(or_blank(enterprise.address.as_deref()), Align::Left, 3)],
            vec![
                label("检查类型", 1),
                cell(i.kind.label(), Align::Left, 1),
                label("检查时间", 1),
                cell(when, Align::Left, 1),
            ],
            vec![
                label("检查人员", 1),
                cell(i.inspectors.join("、"), Align::Left, 1),
                label("陪同人员", 1),
                cell(or_blank(i.accompanying.as_deref()), Align::Left, 1),
            ],
        ],
    }));

    blocks.push(heading("一、检查结果"));
    let mut rows = vec![vec![label("序号", 1), label("检查项目", 1), label("结果", 1), label("说明", 1)]];
    for (n, r) in i.results.iter().enumerate() {
        let item = match (&r.facility_name, &r.card_value) {
            (Some(f), Some(v)) => format!("{}：{}（明白卡：{v}）", f, r.text),
            (Some(f), None) => format!("{}：{}", f, r.text),
            _ => format!("{}　{}", r.code, r.text),
        };
        rows.push(vec![
            cell((n + 1).to_string(), Align::Center, 1),
            cell(item, Align::Left, 1),
            cell(r.outcome.label(r.phrasing), Align::Center, 1),
            cell(r.note.clone().unwrap_or_default(), Align::Left, 1),
        ]);
    }
    blocks.push(Block::Table(Table { columns: vec![0.08, 0.56, 0.12, 0.24], header_rows: 1, rows }));

    blocks.push(heading("二、发现的问题"));
    if i.findings.is_empty() {
        blocks.push(form_line("本次检查未发现问题。"));
    } else {
        let mut rows = vec![vec![
            label("序号", 1),
            label("发现的问题", 1),
            label("整改建议", 1),
            label("程度", 1),
            label("整改期限", 1),
        ]];
        for (n, f) in i.findings.iter().enumerate() {
            let suggestion = match &f.legal_basis {
                Some(b) if !b.trim().is_empty() => format!("{}（依据：{b}）", f.suggestion),
                _ => f.suggestion.clone(),
            };
            rows.push(vec![
                cell((n + 1).to_string(), Align::Center, 1),
                cell(&f.found, Align::Left, 1),
                cell(suggestion, Align::Left, 1),
                cell(f.severity.grade(), Align::Center, 1),
                cell(f.deadline.as_deref().map(chinese_date).unwrap_or_else(|| "—".into()), Align::Center, 1),
            ]);
        }
        // The two texts get the width; the grade and the date are short.
        blocks.push(Block::Table(Table { columns: vec![0.07, 0.33, 0.33, 0.08, 0.19], header_rows: 1, rows }));
    }
    if !i.photos.is_empty() {
        blocks.push(form_line(format!("现场照片 {} 张，原始文件以 SHA-256 登记，随记录保存。", i.photos.len())));
    }

    blocks.push(heading("三、其他情况"));
    blocks.push(form_line(if i.notes.trim().is_empty() { "无。".to_string() } else { i.notes.clone() }));
    if let (Some(original), Some(reason)) = (i.corrects, &i.correction_reason) {
        blocks.push(form_line(format!("本记录更正记录 {original}，更正原因：{reason}")));
    }

    // Each signer's row holds their name, the time and their drawn
    // signature, scaled to fit inside the row's rules.
    let mut sign_rows = Vec::new();
    for s in &i.signatures {
        let who = match s.role {
            SignerRole::Inspector => "检查人员",
            SignerRole::Representative => "企业代表",
        };
        let signed = format!("{}{}", chinese_date(&s.signed_at), chinese_time(&s.signed_at));
        let mut picture = None;
        let text = if s.refused {
            format!("{}拒绝签名；见证人：{}　{signed}", s.name, s.witness.as_deref().unwrap_or("—"))
        } else {
            match &s.image_sha256 {
                None => format!("{}　{signed}", s.name),
                Some(sha) => match signature_png(sha).map(|png| crate::signature_picture(&png, 60.0 * MM, 15.0 * MM)) {
                    Some(Some(p)) => {
                        picture = Some(p);
                        format!("{}（手写签名如下）　{signed}", s.name)
                    }
                    Some(None) => format!("{}　{signed}；手写签名图像无法读取（SHA-256：{sha}）", s.name),
                    None => format!("{}　{signed}；手写签名图像尚未同步到本机（SHA-256：{sha}）", s.name),
                },
            }
        };
        let mut c = cell(text, Align::Left, 1);
        c.min_height = 36.0;
        c.picture = picture;
        sign_rows.push(vec![label(who, 1), c]);
    }
    // The heading stays with the first signer; the rows, each whole, flow
    // on like the other sections' rows.
    blocks.push(heading("四、签名"));
    if sign_rows.is_empty() {
        blocks.push(form_line("（未签名）"));
    } else {
        blocks.push(Block::Table(Table { columns: vec![0.2, 0.8], header_rows: 0, rows: sign_rows }));
    }
    if let Some(digest) = &i.digest {
        let line = form_line(format!(
            "完整性摘要（SHA-256）：{digest}；本设备第 {} 份签名记录；上一份摘要：{}",
            i.chain_no.unwrap_or(0),
            i.prev_digest.map_or_else(|| "无".to_string(), |d| d.to_string())
        ));
        // The digest is read whole: its lines stay on one page.
        blocks.push(Block::Keep { blocks: vec![Block::Space(6.0), line], carry: 0 });
    }
    blocks
}

/// The record as PDF bytes; `created` is the signing time in seconds since 1970.
pub fn render(
    book: &FontBook,
    enterprise: &Enterprise,
    inspection: &Inspection,
    signature_png: &dyn Fn(&Sha256) -> Option<Vec<u8>>,
    created: i64,
) -> Result<Vec<u8>, PrintError> {
    let geometry = Geometry::official();
    let pages = paginate(book, &blocks(enterprise, inspection, signature_png), &geometry);
    let title = format!("现场检查记录 {}", inspection.enterprise_name);
    write(book, &geometry, pages, PageNumbers::Official, &Meta { title: &title, created })
}
