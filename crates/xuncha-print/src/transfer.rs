//! The clue transfer form (违法线索移交书) after 000 附件3, printed in three
//! copies: the transferring office, the receiving branch, and the
//! enforcement unit at the same level.

use crate::font::{FontBook, Role};
use crate::layout::{paginate, Align, Block, Geometry, Ink, Table, SIZE_3};
use crate::pdf::{write, Meta, PageNumbers};
use crate::style::{body, cell, centred, flush, grid, label as label_cell, signature_and_date, title};
use crate::PrintError;
use xuncha_core::clue_transfer::ClueTransfer;
use xuncha_core::notice::chinese_date;

const COPIES: [&str; 3] = ["第一联　移交部门存", "第二联　接收部门存", "第三联　抄送同级执法机构"];

fn copy(book: &FontBook, t: &ClueTransfer, which: &str) -> Vec<Block> {
    let (_, line_pitch, _) = grid();
    let mut blocks = vec![
        centred(which, Role::Song, 10.5, Ink::Black, 16.0),
        title(format!("{}生态环境违法线索移交书", t.office.city)),
    ];
    if let Some(number) = &t.number {
        blocks.push(centred(number.to_string(), Role::Fang, SIZE_3, Ink::Black, line_pitch));
    }
    // The addressee one line below the title (GB/T 9704 7.3.2).
    blocks.push(Block::Space(line_pitch));
    blocks.push(flush(format!("{}：", t.office.receiver)));
    let subject = t.subject.as_deref().filter(|s| !s.trim().is_empty()).unwrap_or("（涉嫌违法单位或个人暂不清楚）");
    blocks.push(body(format!(
        "{}在履行生态环境保护日常监管职责过程中，发现{}存在{}的环境违法行为线索，现将违法线索移交你单位处理。",
        t.office.sender_phrase,
        subject,
        t.description.trim_end_matches('。')
    )));
    // Room to sign by hand, the printed name (when known) beneath.
    let signer = |label: &str, name: &str, phone: &str| {
        let printed = if name.is_empty() { String::new() } else { format!("（{name}）") };
        let mut space = cell(printed, Align::Right, 1);
        space.min_height = 44.0;
        vec![label_cell(label, 1), space, label_cell("联系电话", 1), cell(phone, Align::Center, 1)]
    };
    blocks.push(Block::Space(6.0));
    blocks.push(Block::Table(Table {
        columns: vec![0.24, 0.34, 0.16, 0.26],
        header_rows: 0,
        rows: vec![
            signer("违法线索移交人签字", &t.office.sender_name, &t.office.sender_phone),
            signer("违法线索接收人签字", &t.receiver_name, &t.receiver_phone),
        ],
    }));
    blocks.push(Block::Space(6.0));
    blocks.push(flush(format!("附：相关材料清单（{}）份", t.materials.len())));
    for (n, m) in t.materials.iter().enumerate() {
        blocks.push(body(format!("{}．{m}", n + 1)));
    }
    blocks.push(signature_and_date(book, &t.office.issuer, &format!("移送时间：{}", chinese_date(&t.transferred_on))));
    blocks.push(Block::Space(line_pitch / 2.0));
    blocks.push(body("备注：本违法线索移交书一式三份，移交部门和接收部门各执一份，抄送同级执法机构一份。"));
    blocks
}

/// The three copies as one PDF, each copy starting on a new page.
pub fn render(book: &FontBook, t: &ClueTransfer, created: i64) -> Result<Vec<u8>, PrintError> {
    let geometry = Geometry::official();
    let mut blocks = Vec::new();
    for (n, which) in COPIES.iter().enumerate() {
        if n > 0 {
            blocks.push(Block::PageBreak);
        }
        blocks.extend(copy(book, t, which));
    }
    let pages = paginate(book, &blocks, &geometry);
    let title = format!("{}生态环境违法线索移交书", t.office.city);
    write(book, &geometry, pages, PageNumbers::Official, &Meta { title: &title, created })
}
