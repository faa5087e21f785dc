//! Violation clue transfers (违法线索移交书, 000 附件3): a serious problem
//! the park found, handed to the eco-environment bureau's branch for
//! enforcement.
//!
//! A transfer is written from a signed inspection and, like a notice, is
//! evidence once made: it never changes. What the bureau later reports back
//! is recorded beside it, not in it. The source form carries no number; an
//! office that numbers its transfers takes one from a leased block exactly
//! as for notices.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::id::{ClueTransferId, DeviceId, EnterpriseId, FindingId, InspectionId, ParkId};

use crate::notice::DocNumber;

/// What the transferring office puts on every transfer; kept in the
/// settings and copied onto each transfer when it is made.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct TransferOffice {
    /// The city in the form's title: `益阳市`.
    pub city: String,
    /// The receiving branch: `益阳市生态环境局赫山分局`.
    pub receiver: String,
    /// How the form names the sender in its text: `我管委会`.
    pub sender_phrase: String,
    /// 落款: the transferring office.
    pub issuer: String,
    /// 违法线索移交人 and phone.
    pub sender_name: String,
    pub sender_phone: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ClueTransfer {
    pub id: ClueTransferId,
    pub park_id: ParkId,
    pub enterprise_id: EnterpriseId,
    pub inspection_id: InspectionId,
    /// The findings the clue rests on.
    pub finding_ids: Vec<FindingId>,
    /// Set when the office numbers its transfers.
    pub number: Option<DocNumber>,
    /// The suspected unit or person; `None` when not yet known (the form
    /// allows it to be left blank).
    pub subject: Option<String>,
    /// 违法行为线索简要描述.
    pub description: String,
    /// 相关材料清单: what goes with the form.
    pub materials: Vec<String>,
    /// 违法线索接收人 and phone; empty when the receiver fills them in by hand.
    pub receiver_name: String,
    pub receiver_phone: String,
    pub office: TransferOffice,
    /// 移送时间 (`YYYY-MM-DD`).
    pub transferred_on: String,
    pub created_at: String,
    pub device_id: Option<DeviceId>,
}

/// What happened to a transfer after it left the park: delivery to the
/// branch, the bureau's feedback, the park's follow-up of the enterprise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TransferNews {
    /// 送达接收单位: to whom, on which day, how.
    Delivered { to: String, on: String, how: String },
    /// 执法部门反馈: whether a case was opened (立案), its number, the
    /// result, and when it was closed.
    Feedback { filed: bool, case_number: Option<String>, result: String, closed_on: Option<String> },
    /// 园区跟进: the park's follow-up of the enterprise's rectification.
    FollowUp { on: String, note: String, rectified: bool },
}

impl TransferNews {
    pub fn label(&self) -> &'static str {
        match self {
            TransferNews::Delivered { .. } => "送达",
            TransferNews::Feedback { .. } => "执法部门反馈",
            TransferNews::FollowUp { .. } => "园区跟进",
        }
    }
}

/// One piece of news about a transfer: a record of its own, written once,
/// so that two clerks recording news offline never overwrite each other.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TransferUpdate {
    pub id: Uuid,
    pub transfer_id: ClueTransferId,
    pub park_id: ParkId,
    pub enterprise_id: EnterpriseId,
    pub news: TransferNews,
    pub recorded_by: String,
    pub recorded_at: String,
    pub device_id: DeviceId,
}

/// A transfer with its news, latest last, and where it stands.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct TransferFile {
    pub transfer: ClueTransfer,
    pub updates: Vec<TransferUpdate>,
    /// The latest delivery, feedback and follow-up.
    pub delivered: Option<TransferNews>,
    pub feedback: Option<TransferNews>,
    pub follow_up: Option<TransferNews>,
    /// Where it stands, as the ledger says it (see [`TransferFile::standing`]).
    pub standing: String,
}

impl TransferFile {
    pub fn new(transfer: ClueTransfer, mut updates: Vec<TransferUpdate>) -> TransferFile {
        updates.sort_by(|a, b| a.recorded_at.cmp(&b.recorded_at).then(a.id.cmp(&b.id)));
        let latest = |f: fn(&TransferNews) -> bool| updates.iter().rev().map(|u| &u.news).find(|n| f(n)).cloned();
        let mut file = TransferFile {
            delivered: latest(|n| matches!(n, TransferNews::Delivered { .. })),
            feedback: latest(|n| matches!(n, TransferNews::Feedback { .. })),
            follow_up: latest(|n| matches!(n, TransferNews::FollowUp { .. })),
            transfer,
            updates,
            standing: String::new(),
        };
        file.standing = file.standing().to_string();
        file
    }

    /// The transfer's standing as the ledger shows it.
    pub fn standing(&self) -> &'static str {
        match (&self.feedback, &self.follow_up, &self.delivered) {
            (_, Some(TransferNews::FollowUp { rectified: true, .. }), _) => "企业已整改",
            (Some(TransferNews::Feedback { closed_on: Some(_), .. }), _, _) => "执法部门已结案",
            (Some(TransferNews::Feedback { filed: true, .. }), _, _) => "已立案调查",
            (Some(TransferNews::Feedback { filed: false, .. }), _, _) => "执法部门未立案",
            (_, _, Some(_)) => "已送达，待反馈",
            _ => "待送达",
        }
    }
}
