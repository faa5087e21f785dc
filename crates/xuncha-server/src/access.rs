//! Who may do what: one table of roles and actions, and one rule for
//! parks. Every write path asks [`authorize`] with the park the server
//! holds for the record it touches, never a park the request names.

use xuncha_domain::ParkId;

use crate::{Principal, Role};

/// What a caller asks to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Create or edit an enterprise file, or edit a park's file.
    EditFile,
    /// Open a new park.
    CreatePark,
    /// Send a signed inspection record.
    RecordInspection,
    /// Send an issued notice or void a number; lease numbers.
    Number,
    /// Send a clue transfer or news of one.
    TransferClue,
    /// Record a step of a rectification case.
    RecordCaseEvent,
    /// Decide a held conflict.
    DecideConflict,
}

/// The table: which roles may do an action at all (in their own parks).
pub fn may(role: Role, action: Action) -> bool {
    use Role::*;
    match action {
        Action::EditFile | Action::RecordInspection | Action::TransferClue | Action::RecordCaseEvent => true,
        Action::CreatePark => role == Admin,
        // Steward teams are contractors: they inspect, the bureau numbers.
        Action::Number => matches!(role, Inspector | Clerk | Supervisor | Admin),
        Action::DecideConflict => matches!(role, Supervisor | Admin),
    }
}

/// Why `who` may not do `action` in `park` (the park the server holds for
/// the target), or `None` when allowed. `vouched`: the server's own
/// receipt shows it accepted this very write before it lost it.
pub fn authorize(who: &Principal, action: Action, park: Option<ParkId>, vouched: bool) -> Option<&'static str> {
    if vouched {
        return None;
    }
    if !may(who.role, action) {
        return Some(match action {
            Action::CreatePark => "只有管理员可以新建园区，请联系管理员在服务器上建园",
            Action::Number => "环保管家账号不能领取或使用文书编号",
            Action::DecideConflict => "只有主管可以裁决冲突",
            _ => "您的角色不能进行此操作",
        });
    }
    match park {
        Some(park) if !who.may_access(park) => Some("您未被分配到该园区，不能修改其档案"),
        _ => None,
    }
}
