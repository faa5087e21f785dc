//! Facility cards (环保设施明白卡) after 000 附件2-1 (wastewater) and 附件2-2
//! (waste gas): one A4 page per facility, every field of the card with the
//! wording of the source, printed to hang at the facility.

use xuncha_core::enterprise::{Enterprise, Facility, FacilityKind};

use crate::font::{FontBook, Role};
use crate::layout::{paginate, Align, Block, Cell, Geometry, Para, Table, SIZE_4};
use crate::pdf::{write, Meta, PageNumbers};
use crate::style::{flush, title};
use crate::PrintError;

fn text(v: &Option<String>) -> String {
    v.as_deref().filter(|s| !s.trim().is_empty()).unwrap_or("").to_string()
}

/// The card's fields in the source's order: label and value.
pub fn fields(f: &Facility) -> Vec<(&'static str, String)> {
    let monitoring = match (f.online_monitoring, &f.online_factors) {
        (Some(true), Some(factors)) if !factors.trim().is_empty() => format!("是（{factors}）"),
        (Some(true), _) => "是".into(),
        (Some(false), _) => "否".into(),
        (None, _) => String::new(),
    };
    match f.kind {
        FacilityKind::Wastewater => vec![
            ("环保设施名称", f.name.clone()),
            ("废水排放标准", text(&f.discharge_standard)),
            ("排水去向", text(&f.discharge_destination)),
            ("废水处理设施设计规模（××吨/日）", text(&f.design_capacity)),
            ("废水处理设施实际处理规模（××吨/日）", text(&f.actual_capacity)),
            ("运行方式（电/气）", text(&f.power_mode)),
            ("是否安装在线监测设施（主要处理因子）", monitoring),
            ("废水处理设施处理效率（主要处理因子）", text(&f.removal_efficiency)),
            ("废水处理设施工艺流程图", text(&f.process)),
            ("药剂投加方式（自动/人工）", text(&f.dosing_mode)),
            ("药剂投加数量（自定义）", text(&f.dosing_amount)),
            ("环保耗材（滤芯、过滤膜、紫外线灯管等）更换频次", text(&f.consumables_replacement)),
            ("废水处理污泥压滤频次", text(&f.sludge_press_frequency)),
            ("废弃物（滤芯、过滤膜、紫外线灯管、污泥等）处置去向", text(&f.waste_disposal)),
        ],
        FacilityKind::WasteGas => vec![
            ("环保设施名称", f.name.clone()),
            ("废气排放标准", text(&f.discharge_standard)),
            ("废气处理设施规模（风机风量）", text(&f.design_capacity)),
            ("运行方式（电/气）", text(&f.power_mode)),
            ("是否安装在线监测设施（主要处理因子）", monitoring),
            ("废气处理设施处理效率（主要处理因子）", text(&f.removal_efficiency)),
            ("废气处理设施工艺原理", text(&f.process)),
            ("药剂投加方式（自动/人工）", text(&f.dosing_mode)),
            ("药剂投加数量（自定义）", text(&f.dosing_amount)),
            ("环保耗材（活性炭、催化剂、布袋等）更换频次", text(&f.consumables_replacement)),
            ("废弃物（废活性炭、废布袋、脱硫石膏等）处置去向", text(&f.waste_disposal)),
        ],
    }
}

fn card_cell(text: String, role: Role, align: Align) -> Cell {
    let mut cell = Cell::new(Para::plain(text, role, SIZE_4, 20.0, align), 1);
    cell.min_height = 34.0;
    cell
}

pub fn blocks(enterprise: &Enterprise, facility: &Facility) -> Vec<Block> {
    let (name, place) = match facility.kind {
        FacilityKind::Wastewater => ("企业废水处理环保设施明白卡", "废水污染防治设施"),
        FacilityKind::WasteGas => ("企业废气处理环保设施明白卡", "废气污染防治设施"),
    };
    let rows = fields(facility)
        .into_iter()
        .map(|(label, value)| {
            vec![card_cell(label.into(), Role::Hei, Align::Left), card_cell(value, Role::Song, Align::Left)]
        })
        .collect();
    vec![
        title(name),
        Block::Space(4.0),
        flush(format!("企业名称：{}", enterprise.name)),
        Block::Space(4.0),
        Block::Table(Table { columns: vec![0.42, 0.58], header_rows: 0, rows }),
        Block::Space(8.0),
        flush(format!("备注：此明白卡需制作并悬挂于{place}醒目处。")),
    ]
}

/// One facility's card as PDF bytes.
pub fn render(
    book: &FontBook,
    enterprise: &Enterprise,
    facility: &Facility,
    created: i64,
) -> Result<Vec<u8>, PrintError> {
    let geometry = Geometry::card();
    let pages = paginate(book, &blocks(enterprise, facility), &geometry);
    let title = format!("{} {}", enterprise.name, facility.name);
    write(book, &geometry, pages, PageNumbers::None, &Meta { title: &title, created })
}
