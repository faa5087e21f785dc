//! Generated parks and enterprises for benchmarks and load tests: plausible
//! Chinese names, valid credit codes and permit numbers, EIA approvals,
//! emergency filings and facilities, all from a seed.

use rand::{rngs::StdRng, Rng, SeedableRng};

use crate::enterprise::*;
use crate::ident::credit_code_check_char;
use crate::park::{Park, ParkLevel};
use crate::roster::Column;
use crate::store::{Store, StoreError};

const PLACES: [&str; 12] =
    ["湖南", "衡阳市", "祁东县", "益阳市", "长沙", "株洲市", "湘潭", "岳阳市", "常德", "郴州市", "永州", "娄底市"];
const TRADE: [&str; 40] = [
    "领", "湃", "广", "裕", "力", "方", "顺", "隆", "长", "城", "建", "汉", "尚", "鑫", "万", "祺", "日", "虹", "富",
    "生", "罗", "亚", "牧", "诚", "荣", "晟", "昌", "润", "祥", "志", "达", "莞", "商", "佳", "美", "永", "发", "糖",
    "中", "宏",
];
const BUSINESS: [(&str, &str); 10] = [
    ("新能源科技", "电气机械和器材制造业"),
    ("新材料科技", "非金属矿物制品业"),
    ("化工", "化学原料和化学制品制造业"),
    ("食品工业", "食品制造业"),
    ("机械制造", "通用设备制造业"),
    ("电子科技", "计算机、通信和其他电子设备制造业"),
    ("包装材料", "印刷和记录媒介复制业"),
    ("生物科技", "医药制造业"),
    ("金属制品", "金属制品业"),
    ("服饰", "纺织服装、服饰业"),
];
const CODE_CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// A valid credit code for region `430426`-style codes, from `rng`.
pub fn credit_code(rng: &mut StdRng) -> String {
    let region = 430000 + rng.gen_range(100..1000);
    let mut body = format!("91{region}");
    for _ in 0..9 {
        body.push(CODE_CHARS[rng.gen_range(0..CODE_CHARS.len())] as char);
    }
    let check = credit_code_check_char(&body).expect("generated from the alphabet");
    body.push(check);
    body
}

/// `n` enterprises spread over `parks` parks, as roster rows (header first),
/// with approvals (a quarter with a continuation row), filings and permits.
pub fn roster_grid(n: usize, park_codes: &[String], seed: u64) -> Vec<Vec<String>> {
    let mut rng = StdRng::seed_from_u64(seed);
    let headers = [
        Column::No,
        Column::Name,
        Column::Industry,
        Column::Eia,
        Column::Acceptance,
        Column::Emergency,
        Column::Permit,
        Column::Category,
        Column::ParkCode,
    ];
    let mut grid = vec![headers.iter().map(|c| c.header().to_string()).collect::<Vec<_>>()];
    for i in 0..n {
        let (business, industry) = BUSINESS[rng.gen_range(0..BUSINESS.len())];
        let trade: String = (0..2).map(|_| TRADE[rng.gen_range(0..TRADE.len())]).collect();
        let name = format!("{}{trade}{business}有限公司{}", PLACES[rng.gen_range(0..PLACES.len())], i + 1);
        let code = credit_code(&mut rng);
        let year = rng.gen_range(2012..2025);
        let category = match rng.gen_range(0..10) {
            0 => "重点",
            1..=3 => "简化",
            _ => "登记",
        };
        grid.push(vec![
            (i + 1).to_string(),
            name,
            industry.to_string(),
            format!("祁环评[{year}]{}号", rng.gen_range(1..100)),
            if rng.gen_bool(0.8) { "是" } else { "否" }.to_string(),
            if rng.gen_bool(0.4) {
                format!(
                    "430426-{}-{:03}-{}",
                    rng.gen_range(2018..2025),
                    rng.gen_range(1..200),
                    ["L", "M", "H"][rng.gen_range(0..3)]
                )
            } else {
                "否".to_string()
            },
            format!("{code}{:03}{}", rng.gen_range(1..3), ['U', 'Q', 'W', 'X', 'Y', 'Z'][rng.gen_range(0..6)]),
            category.to_string(),
            park_codes[i % park_codes.len()].clone(),
        ]);
        if rng.gen_bool(0.25) {
            let mut cont = vec![String::new(); headers.len()];
            cont[3] = format!("衡环评[{}]{}号", rng.gen_range(2012..2025), rng.gen_range(1..100));
            grid.push(cont);
        }
    }
    grid
}

/// Creates `parks` generated parks (codes S900001 ...) and returns their codes.
pub fn create_parks(store: &mut Store, parks: usize) -> Result<Vec<String>, StoreError> {
    let mut codes = Vec::new();
    store.write(|w| {
        for i in 0..parks {
            let mut p = Park::new(w.new_id(), format!("测试园区{}号", i + 1));
            let code = format!("S{:06}", 900001 + i);
            p.code = Some(code.clone());
            p.level = Some(ParkLevel::Provincial);
            p.region_code = Some("430426".into());
            w.save_park(&p)?;
            codes.push(code);
        }
        Ok::<_, StoreError>(())
    })?;
    Ok(codes)
}

/// Gives every enterprise in the store a wastewater and a waste-gas facility.
pub fn add_facilities(store: &mut Store) -> Result<(), StoreError> {
    let ids = store.enterprise_ids(None)?;
    store.write(|w| {
        for id in ids {
            let mut e = w.enterprise(id)?.expect("listed enterprise exists");
            e.facilities = vec![
                Facility {
                    id: w.new_id(),
                    kind: FacilityKind::Wastewater,
                    name: "生产废水处理站".into(),
                    discharge_standard: Some("《污水综合排放标准》(GB 8978-1996)三级".into()),
                    discharge_destination: Some("园区污水管网".into()),
                    design_capacity: Some("50".into()),
                    actual_capacity: Some("30".into()),
                    power_mode: Some("电".into()),
                    online_monitoring: Some(false),
                    online_factors: None,
                    removal_efficiency: Some("COD 85%".into()),
                    process: Some("调节池—混凝沉淀—水解酸化—接触氧化—沉淀".into()),
                    process_diagram_sha256: None,
                    dosing_mode: Some("人工".into()),
                    dosing_amount: Some("PAC 5 kg/d".into()),
                    consumables_replacement: Some("滤芯每季度一次".into()),
                    sludge_press_frequency: Some("每周一次".into()),
                    waste_disposal: Some("污泥交有资质单位处置".into()),
                },
                Facility {
                    id: w.new_id(),
                    kind: FacilityKind::WasteGas,
                    name: "有机废气处理设施".into(),
                    discharge_standard: Some("《大气污染物综合排放标准》(GB 16297-1996)二级".into()),
                    discharge_destination: None,
                    design_capacity: Some("20000 m³/h".into()),
                    actual_capacity: None,
                    power_mode: Some("电".into()),
                    online_monitoring: Some(false),
                    online_factors: None,
                    removal_efficiency: Some("VOCs 80%".into()),
                    process: Some("二级活性炭吸附".into()),
                    process_diagram_sha256: None,
                    dosing_mode: None,
                    dosing_amount: None,
                    consumables_replacement: Some("活性炭每三个月更换".into()),
                    sludge_press_frequency: None,
                    waste_disposal: Some("废活性炭交有资质单位处置".into()),
                },
            ];
            w.save_enterprise(&e)?;
        }
        Ok::<_, StoreError>(())
    })
}
