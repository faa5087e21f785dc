//! The rectification notice (生态环境问题整改通知书) after 004 Appendix J,
//! on the GB/T 9704 page, with photo evidence pages after it.

use xuncha_core::notice::{chinese_date, chinese_numeral, chinese_time, Notice};

use crate::font::{FontBook, Role};
use crate::layout::{paginate, Block, Geometry, Ink, Picture, PictureData, MM, SIZE_2, SIZE_3, SIZE_5};
use crate::pdf::{write, Meta, PageNumbers};
use crate::style::{attachment_mark, body, centred, flush, grid, signature_and_date, title, title_line};
use crate::{jpeg_info, PrintError};

/// A photo's JPEG bytes (the watermarked copy) and its caption.
#[derive(Debug, Clone)]
pub struct Evidence {
    pub jpeg: Vec<u8>,
    pub caption: String,
}

/// The notice's text blocks, without the evidence pages.
pub fn blocks(book: &FontBook, notice: &Notice) -> Vec<Block> {
    let (_, line_pitch, _) = grid();
    // GB/T 9704 counts vertical space in lines of the body grid: "空二行"
    // leaves two empty lines between two lines of text. A line of text is
    // its characters' height and the body's leading, half above and half
    // below, so between the characters of two lines with N empty lines
    // between them lies N·pitch plus one leading.
    let leading = line_pitch - SIZE_3;
    let (mark_size, mark_pitch) = (30.0, 30.0 + leading);
    let title_pitch = SIZE_2 + leading;
    let mut blocks = Vec::new();
    if let Some(mark) = &notice.office.red_header {
        // 发文机关标志: red 小标宋, its top 35 mm below the block's top
        // (7.2.1); the number two lines below it (7.2.4); a red rule 4 mm
        // below the number (7.2.6); the title two lines below the rule (7.3.1).
        blocks.push(Block::Space(35.0 * MM - leading / 2.0));
        blocks.push(centred(mark, Role::Title, mark_size, Ink::Red, mark_pitch));
        blocks.push(Block::Space(2.0 * line_pitch));
        blocks.push(centred(notice.number.to_string(), Role::Fang, SIZE_3, Ink::Black, line_pitch));
        blocks.push(Block::Space(4.0 * MM - leading / 2.0));
        blocks.push(Block::Rule { ink: Ink::Red, thickness: 1.0 });
        blocks.push(Block::Space(2.0 * line_pitch));
    }
    blocks.push(title_line("生态环境问题整改通知书", title_pitch));
    if notice.office.red_header.is_none() {
        blocks.push(centred(notice.number.to_string(), Role::Fang, SIZE_3, Ink::Black, line_pitch));
    }
    // The addressee one line below the title, flush left (7.3.2).
    blocks.push(Block::Space(line_pitch));
    blocks.push(flush(format!("{}：", notice.addressee)));
    let from = &notice.inspected_from;
    let to = &notice.inspected_to;
    let window = if from.get(..10) == to.get(..10) {
        format!("{}{}至{}", chinese_date(from), chinese_time(from), chinese_time(to))
    } else {
        format!("{}{}至{}{}", chinese_date(from), chinese_time(from), chinese_date(to), chinese_time(to))
    };
    blocks.push(body(format!(
        "{window}，{}对你单位进行现场检查，发现你单位存在如下生态环境问题：",
        notice.office.inspected_by
    )));
    let last = notice.problems.len();
    for (n, p) in notice.problems.iter().enumerate() {
        let end = if n + 1 == last { "。" } else { "；" };
        blocks.push(body(format!("{}、{}{end}", chinese_numeral(n + 1), p.found.trim_end_matches(['。', '；', ';']))));
    }
    blocks.push(body(format!(
        "为贯彻落实{}要求，请你单位于{}前提交环境问题整改方案至{}，电子版发送至{}，逾期上报，我单位将依法依规处理。",
        notice.laws,
        chinese_date(&notice.plan_due),
        notice.office.submit_to,
        notice.office.submit_email
    )));
    blocks.push(body("环境问题整改建议如下："));
    for (n, p) in notice.problems.iter().enumerate() {
        let end = if n + 1 == last { "。" } else { "；" };
        let basis = p.legal_basis.as_deref().map(|b| format!("（依据：{b}）")).unwrap_or_default();
        blocks.push(body(format!(
            "{}、{}{basis}{end}",
            chinese_numeral(n + 1),
            p.suggestion.trim_end_matches(['。', '；', ';'])
        )));
    }
    blocks.push(body(format!("联系人：{}　　电话：{}", notice.office.contact, notice.office.phone)));
    blocks.push(body("附：相关法律责任"));
    blocks.push(signature_and_date(book, &notice.office.issuer, &chinese_date(&notice.issued_on)));
    if !notice.office.responsibilities.trim().is_empty() {
        // The attachment (8): 附 in 3号 黑体 flush left on the first line,
        // its title centred on the third, the text one line below.
        blocks.push(Block::PageBreak);
        blocks.push(attachment_mark("附"));
        blocks.push(Block::Space(line_pitch));
        blocks.push(title_line("相关法律责任", title_pitch));
        blocks.push(Block::Space(line_pitch));
        for line in notice.office.responsibilities.lines().filter(|l| !l.trim().is_empty()) {
            blocks.push(body(line.trim()));
        }
    }
    blocks
}

/// Evidence pages: each photo with its caption, two to a page.
fn evidence_blocks(notice: &Notice, evidence: &[Evidence]) -> Result<Vec<Block>, PrintError> {
    let (_, line_pitch, _) = grid();
    let mut blocks = vec![
        Block::PageBreak,
        title("现场检查照片"),
        centred(notice.number.to_string(), Role::Fang, SIZE_3, Ink::Black, line_pitch),
    ];
    for (n, e) in evidence.iter().enumerate() {
        let (width_px, height_px, components) =
            jpeg_info(&e.jpeg).ok_or_else(|| PrintError::BadPhoto { name: e.caption.clone() })?;
        let picture = Picture {
            data: PictureData::Jpeg { bytes: std::sync::Arc::new(e.jpeg.clone()), components },
            width_px,
            height_px,
            max_width: 156.0 * MM,
            max_height: 90.0 * MM,
        };
        let caption = centred(format!("图{}　{}", n + 1, e.caption), Role::Song, SIZE_5 + 1.5, Ink::Black, 18.0);
        blocks.push(Block::Keep { blocks: vec![Block::Space(3.0 * MM), Block::Picture(picture), caption], carry: 0 });
    }
    Ok(blocks)
}

/// The notice as PDF bytes; `created` is the issue time in seconds since 1970.
pub fn render(book: &FontBook, notice: &Notice, evidence: &[Evidence], created: i64) -> Result<Vec<u8>, PrintError> {
    let geometry = Geometry::official();
    let mut all = blocks(book, notice);
    if !evidence.is_empty() {
        all.extend(evidence_blocks(notice, evidence)?);
    }
    let pages = paginate(book, &all, &geometry);
    let title = format!("生态环境问题整改通知书 {}", notice.number);
    write(book, &geometry, pages, PageNumbers::Official, &Meta { title: &title, created })
}
