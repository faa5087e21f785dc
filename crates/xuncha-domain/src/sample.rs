//! The sample data shipped in `assets/sample/`: the real Qidong high-tech
//! zone with its 50 enterprises (002 table 1.3-1 and table 10) and the nine
//! Yiyang parks (001 附件1-1), as extracted by `xuncha-seed`.
//!
//! Sample records carry fixed ids, so every laptop that loads the sample
//! holds the same records and a later sync merges them instead of doubling.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::enterprise::Enterprise;
use crate::park::Park;

/// The sample data file, embedded in the program.
pub const SAMPLE_JSON: &str = include_str!("../../../assets/sample/sample-parks.json");

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct SampleData {
    /// Where the data comes from, in words.
    pub source: String,
    pub parks: Vec<SamplePark>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SamplePark {
    pub park: Park,
    pub enterprises: Vec<Enterprise>,
}

pub fn sample_data() -> SampleData {
    serde_json::from_str(SAMPLE_JSON).expect("the embedded sample data is valid (checked by tests)")
}

/// The notice settings of the sample park's administration, for a first
/// demonstration and for tests: what an office fills in once.
pub fn notice_office() -> crate::notice::NoticeOffice {
    crate::notice::NoticeOffice {
        issuer: "祁东县归阳工业园管理委员会".into(),
        inspected_by: "园区环保管家".into(),
        submit_to: "归阳工业园安全环保办公室".into(),
        submit_email: "gyhb@example.cn".into(),
        contact: "周文".into(),
        phone: "0734-6321234".into(),
        red_header: None,
        responsibilities: String::new(),
    }
}

/// The clue-transfer settings of the sample park's administration.
pub fn transfer_office() -> crate::clue_transfer::TransferOffice {
    crate::clue_transfer::TransferOffice {
        city: "衡阳市".into(),
        receiver: "衡阳市生态环境局祁东分局".into(),
        sender_phrase: "我管委会".into(),
        issuer: "祁东县归阳工业园管理委员会".into(),
        sender_name: "周文".into(),
        sender_phone: "0734-6321234".into(),
    }
}
