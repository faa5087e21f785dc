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
    pub id: Uuid,
    pub park_id: Uuid,
    pub enterprise_id: Uuid,
    pub inspection_id: Uuid,
    /// The findings the clue rests on.
    pub finding_ids: Vec<Uuid>,
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
    pub device_id: Option<Uuid>,
}
