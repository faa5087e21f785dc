//! People and access: argon2 password hashes, devices with their keys,
//! and short-lived access tokens bound to a device with one-use refresh
//! tokens.
//!
//! A login takes two factors: the password, and a signature by the key
//! pair the laptop made at its first login (see
//! [`xuncha_sync::device_key`]) of a one-time challenge from this server.
//! A refresh carries that key's signature as well. A user's first device
//! is approved at its first login; every later new device waits until an
//! administrator approves it, so a password alone opens nothing.
//!
//! Tokens are 32 random bytes; only their SHA-256 is stored, so a copy of
//! the database does not let anyone in. A refresh token presented a second
//! time means it was copied: its whole family is revoked and the user
//! logs in again.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;
use xuncha_domain::{DeviceId, ParkId};
use xuncha_sync::device_key::{verify_login, verify_refresh};
use xuncha_sync::{LoginChallenge, LoginRequest, RefreshRequest, Session};

use crate::audit::{self, Event, Outcome};
use crate::backend::{Backend, DeviceRow, LoginFailure, TokenRow, Tx, UserRow};
use crate::{Bureau, Principal, Role, ServerError};

/// How long an access token lives.
pub const ACCESS_SECONDS: i64 = 15 * 60;
/// How long an unused refresh token lives.
pub const REFRESH_SECONDS: i64 = 30 * 24 * 3600;
/// How long a used refresh token may be sent again (its reply was lost)
/// and get the same new pair, if that pair is still unused.
pub const REFRESH_GRACE_SECONDS: i64 = 120;

/// How long a login challenge is good for.
pub const CHALLENGE_SECONDS: i64 = 5 * 60;

/// The longest device name kept, in characters.
pub const MAX_DEVICE_NAME: usize = 64;
/// The longest user name, in characters; longer names never exist.
pub const MAX_USER_NAME: usize = 64;
/// The longest person's name, in characters (复姓 and minority names
/// included, with room to spare).
pub const MAX_FULL_NAME: usize = 20;
/// The longest password checked, in bytes (argon2 hashes any length; this
/// bounds the work one request can cause).
pub const MAX_PASSWORD_BYTES: usize = 256;

/// The fewest characters a new password may have.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// A person's name as records carry it: trimmed, not empty, at most
/// [`MAX_FULL_NAME`] characters, no control characters and none that are
/// invisible or turn the writing direction (they would print a different
/// name from the one stored).
pub fn full_name(typed: &str) -> Result<String, ServerError> {
    let name = typed.trim();
    if name.is_empty() {
        return Err(ServerError::BadRequest("姓名不能为空".into()));
    }
    if name.chars().count() > MAX_FULL_NAME {
        return Err(ServerError::BadRequest(format!(
            "姓名最多 {MAX_FULL_NAME} 个字符，此处 {} 个",
            name.chars().count()
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(ServerError::BadRequest("姓名不能含换行、制表符等控制字符".into()));
    }
    let hidden =
        |c: char| matches!(c, '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}');
    if name.chars().any(hidden) {
        return Err(ServerError::BadRequest("姓名不能含看不见的字符或改变书写方向的字符".into()));
    }
    Ok(name.to_string())
}

/// The rule for new passwords: at least [`MIN_PASSWORD_CHARS`] characters,
/// at most [`MAX_PASSWORD_BYTES`] bytes, and at least three of the four
/// classes lower-case letters, upper-case letters, digits, and others
/// (punctuation, Chinese characters). No command skips it.
pub fn check_password(password: &str) -> Result<(), ServerError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS || password.len() > MAX_PASSWORD_BYTES {
        return Err(ServerError::BadRequest(format!(
            "密码须为 {MIN_PASSWORD_CHARS} 个字符以上、{MAX_PASSWORD_BYTES} 字节以内，此密码 {chars} 个字符"
        )));
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|c| **c).count() < 3 {
        return Err(ServerError::BadRequest(
            "密码须至少包含小写字母、大写字母、数字、其他字符（标点或汉字）中的三类".into(),
        ));
    }
    Ok(())
}

/// Growing delays, then a lockout, after consecutive failed sign-ins.
pub struct Lockout {
    /// Failures counted before the first delay.
    pub free: i64,
    /// Delay in seconds after each further failure, the last repeating.
    pub delays: &'static [i64],
    /// Failures older than this many seconds are forgotten.
    pub window: i64,
}

/// Per account: 2 free failures, then 5 s and 30 s, and from the 5th
/// failure on a 15-minute lockout.
pub const ACCOUNT_LOCKOUT: Lockout = Lockout { free: 2, delays: &[5, 30, 15 * 60], window: 15 * 60 };
/// Per source address (any account names): from the 20th failure on,
/// 15 minutes.
pub const ADDRESS_LOCKOUT: Lockout = Lockout { free: 19, delays: &[15 * 60], window: 15 * 60 };

impl Lockout {
    /// How long a subject waits after `failures` consecutive failures.
    pub fn delay(&self, failures: i64) -> i64 {
        match usize::try_from(failures - self.free - 1) {
            Ok(i) => self.delays[i.min(self.delays.len() - 1)],
            Err(_) => 0,
        }
    }

    fn after_failure(&self, before: Option<LoginFailure>, now: i64) -> LoginFailure {
        let failures = match before {
            Some(f) if now - f.last_at <= self.window || f.locked_until > now => f.failures + 1,
            _ => 1,
        };
        LoginFailure { failures, last_at: now, locked_until: now + self.delay(failures) }
    }
}

/// "30 秒" or "15 分钟".
pub fn wait_text(seconds: i64) -> String {
    if seconds < 60 {
        format!("{seconds} 秒")
    } else {
        format!("{} 分钟", (seconds + 59) / 60)
    }
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn unauthorized(message: &str) -> ServerError {
    ServerError::Unauthorized(message.to_string())
}

impl<B: Backend> Bureau<B> {
    fn random_bytes<const N: usize>(&self) -> [u8; N] {
        let mut bytes = [0u8; N];
        self.env().rng.fill_bytes(&mut bytes);
        bytes
    }

    fn now_seconds(&self) -> i64 {
        self.env().now().timestamp()
    }

    /// Creates a user (the admin CLI), with the name records will carry if
    /// given. The password is hashed with argon2id.
    pub fn add_user(&self, name: &str, full: Option<&str>, role: Role, password: &str) -> Result<Uuid, ServerError> {
        let full_name = full.map(full_name).transpose()?.unwrap_or_default();
        let name = name.trim();
        if name.is_empty() {
            return Err(ServerError::BadRequest("用户名不能为空".into()));
        }
        if name.chars().count() > MAX_USER_NAME {
            return Err(ServerError::BadRequest(format!("用户名最多 {MAX_USER_NAME} 个字符")));
        }
        check_password(password)?;
        let salt = SaltString::encode_b64(&self.random_bytes::<16>())
            .map_err(|e| ServerError::Damaged(format!("salt: {e}")))?;
        let password_hash = Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map_err(|e| ServerError::Damaged(format!("argon2: {e}")))?
            .to_string();
        let id = self.new_id();
        let now = self.env().now().to_rfc3339();
        self.backend().transaction(|tx| {
            if tx.user_by_name(name)?.is_some() {
                return Err(ServerError::BadRequest(format!("用户“{name}”已存在")));
            }
            let user = UserRow {
                id,
                name: name.to_string(),
                role,
                password_hash: password_hash.clone(),
                full_name: full_name.clone(),
            };
            tx.insert_user(&user, &now)?;
            let full = if user.full_name.is_empty() { String::new() } else { format!("（{}）", user.full_name) };
            let detail = format!("新建用户 {name}{full}，角色 {}", role.as_str());
            console(tx, &now, Event::UserAdded, &detail)
        })?;
        Ok(id)
    }

    /// Every user, by name, with the parks assigned to each.
    pub fn users(&self) -> Result<Vec<(UserRow, Vec<ParkId>)>, ServerError> {
        self.backend().transaction(|tx| {
            let mut out = Vec::new();
            for u in tx.users()? {
                let parks = tx.parks_of(u.id)?;
                out.push((u, parks));
            }
            Ok(out)
        })
    }

    /// Sets the name a user's records carry (the admin CLI); returns it as kept.
    pub fn name_user(&self, user_name: &str, full: &str) -> Result<String, ServerError> {
        let full = full_name(full)?;
        let now = self.env().now().to_rfc3339();
        self.backend().transaction(|tx| {
            let user =
                tx.user_by_name(user_name)?.ok_or_else(|| ServerError::NotFound(format!("没有用户“{user_name}”")))?;
            tx.set_full_name(user.id, &full)?;
            let detail = format!("用户 {user_name} {}", renamed(&user.full_name, &full));
            console(tx, &now, Event::UserNamed, &detail)
        })?;
        Ok(full)
    }

    /// Sets the name the signed-in user's records carry; returns it as kept.
    pub fn name_self(&self, who: &Principal, full: &str) -> Result<String, ServerError> {
        let full = full_name(full)?;
        let now = self.env().now().to_rfc3339();
        self.backend().transaction(|tx| {
            let user = tx.user(who.user_id)?.ok_or_else(|| unauthorized("用户已不存在"))?;
            // The same name again changes nothing and writes nothing.
            if user.full_name == full {
                return Ok(());
            }
            tx.set_full_name(user.id, &full)?;
            let detail = renamed(&user.full_name, &full);
            audit::by(tx, &now, who, Event::UserNamed, Outcome::Success, &detail)
        })?;
        Ok(full)
    }

    /// Lifts a lockout of an account after failed sign-ins (the admin CLI).
    pub fn unlock(&self, user_name: &str) -> Result<(), ServerError> {
        let now = self.env().now().to_rfc3339();
        self.backend().transaction(|tx| {
            tx.user_by_name(user_name)?.ok_or_else(|| ServerError::NotFound(format!("没有用户“{user_name}”")))?;
            tx.set_login_failure(&format!("user:{user_name}"), None)?;
            console(tx, &now, Event::UserUnlocked, &format!("解除用户 {user_name} 的登录锁定"))
        })
    }

    /// Every registered device with its user's name (the admin CLI).
    pub fn devices(&self) -> Result<Vec<(DeviceRow, String)>, ServerError> {
        self.backend().transaction(|tx| {
            let mut out = Vec::new();
            for d in tx.devices()? {
                let user = tx.user(d.user_id)?.map(|u| u.name).unwrap_or_default();
                out.push((d, user));
            }
            Ok(out)
        })
    }

    /// Revokes a device: its tokens stop working at once and it cannot
    /// sign in again. What it already synced stays.
    pub fn revoke_device(&self, id: DeviceId) -> Result<(), ServerError> {
        let now = self.env().now().to_rfc3339();
        self.backend().transaction(|tx| {
            tx.device(id)?.ok_or_else(|| ServerError::NotFound(format!("服务器上没有设备 {id}")))?;
            tx.revoke_device(id, &now)?;
            console(tx, &now, Event::DeviceRevoked, &format!("停用设备 {id}"))
        })
    }

    /// Approves a user's new device, which may then sign in.
    pub fn approve_device(&self, id: DeviceId) -> Result<(), ServerError> {
        let now = self.env().now().to_rfc3339();
        self.backend().transaction(|tx| {
            let mut d = tx.device(id)?.ok_or_else(|| ServerError::NotFound(format!("服务器上没有设备 {id}")))?;
            if d.revoked_at.is_some() {
                return Err(ServerError::BadRequest(format!("设备 {id} 已停用，不能批准")));
            }
            if d.approved_at.is_some() {
                return Err(ServerError::BadRequest(format!("设备 {id} 已批准过")));
            }
            d.approved_at = Some(now.clone());
            tx.update_device(&d)?;
            let user = tx.user(d.user_id)?.map(|u| u.name).unwrap_or_default();
            console(tx, &now, Event::DeviceApproved, &format!("批准用户 {user} 的设备 {id}（{}）", d.name))
        })
    }

    /// A one-time challenge for a login on `device`. It needs no storage:
    /// its id is a UUIDv7 (its time, and an order among challenges), and
    /// the server's key vouches that this server made it for this device.
    pub fn login_challenge(&self, device: DeviceId) -> LoginChallenge {
        let id: Uuid = self.new_id();
        let mac = self.derive(&format!("login-challenge/{device}/{id}"));
        LoginChallenge { challenge: format!("{id}.{mac}"), expires_in: CHALLENGE_SECONDS }
    }

    /// The id of a challenge this server made for `device` that has not
    /// expired.
    fn challenge_id(&self, device: DeviceId, challenge: &str) -> Option<Uuid> {
        let (id, mac) = challenge.split_once('.')?;
        let id = Uuid::parse_str(id).ok()?;
        let made = id.get_timestamp()?.to_unix();
        let made_ms = i64::try_from(made.0).ok()?.checked_mul(1000)? + i64::from(made.1 / 1_000_000);
        let age_ms = self.env().now().timestamp_millis() - made_ms;
        // Five seconds of grace for instances whose clocks differ a little.
        let fresh = (-5_000..=CHALLENGE_SECONDS * 1000).contains(&age_ms);
        (fresh && crate::bureau::same(mac, &self.derive(&format!("login-challenge/{device}/{id}")))).then_some(id)
    }

    /// Assigns a user to a park, or takes the park away.
    pub fn assign(&self, user_name: &str, park: ParkId, assigned: bool) -> Result<(), ServerError> {
        let now = self.env().now().to_rfc3339();
        self.backend().transaction(|tx| {
            let user =
                tx.user_by_name(user_name)?.ok_or_else(|| ServerError::NotFound(format!("没有用户“{user_name}”")))?;
            if assigned && tx.entity(xuncha_sync::EntityKind::Park, park.uuid())?.is_none() {
                return Err(ServerError::NotFound(format!("服务器上没有园区 {park}")));
            }
            tx.set_assigned(user.id, park, assigned)?;
            let detail = format!("{} {user_name} {park}", if assigned { "分配园区" } else { "取消园区" });
            console(tx, &now, Event::Assignment, &detail)
        })
    }

    /// Signs a user in on a device. `source` is the caller's address, for
    /// counting failures per address as well as per account.
    /// A device belongs to the user who first signed in on it: its place in
    /// the sync log and its number blocks are that user's.
    pub fn login(&self, req: &LoginRequest, source: Option<std::net::IpAddr>) -> Result<Session, ServerError> {
        let device_name = req.device_name.trim();
        if device_name.chars().count() > MAX_DEVICE_NAME {
            return Err(ServerError::BadRequest(format!(
                "设备名称过长：最多 {MAX_DEVICE_NAME} 个字符，收到 {} 个",
                device_name.chars().count()
            )));
        }
        if req.user.chars().count() > MAX_USER_NAME || req.password.len() > MAX_PASSWORD_BYTES {
            return Err(unauthorized("用户名或密码不正确"));
        }
        let now_seconds = self.now_seconds();
        let subjects: Vec<String> = [Some(format!("user:{}", req.user.trim())), source.map(|a| format!("addr:{a}"))]
            .into_iter()
            .flatten()
            .collect();
        let (user, locked) = self.backend().transaction(|tx| {
            let mut until = 0;
            for subject in &subjects {
                until = until.max(tx.login_failure(subject)?.map_or(0, |f| f.locked_until));
            }
            Ok((tx.user_by_name(req.user.trim())?, until))
        })?;
        let at = self.env().now().to_rfc3339();
        let source_text = source.map(|a| a.to_string());
        let trail = |tx: &mut dyn Tx, outcome: Outcome, event: Event, detail: &str| {
            let entry = audit::Entry {
                at: &at,
                actor: req.user.trim(),
                device_id: Some(req.device_id),
                source: source_text.as_deref(),
                event,
                outcome,
                detail,
            };
            audit::record(tx, &entry)
        };
        if locked > now_seconds {
            let wait = locked - now_seconds;
            self.backend()
                .transaction(|tx| trail(tx, Outcome::Refused, Event::Login, &format!("等待中，还需 {wait} 秒")))?;
            return Err(ServerError::Throttled { retry_after: wait });
        }
        // Verify against a stand-in hash for unknown names, so the answer
        // takes as long as for a known name with a wrong password.
        let stored = user.as_ref().map_or(STAND_IN_HASH, |u| u.password_hash.as_str());
        let parsed = PasswordHash::new(stored).map_err(|e| ServerError::Damaged(format!("password hash: {e}")))?;
        let ok = Argon2::default().verify_password(req.password.as_bytes(), &parsed).is_ok();
        let Some(user) = user.filter(|_| ok) else {
            let failures = self.backend().transaction(|tx| {
                let mut most = 0;
                for (i, subject) in subjects.iter().enumerate() {
                    let policy = if i == 0 { &ACCOUNT_LOCKOUT } else { &ADDRESS_LOCKOUT };
                    let next = policy.after_failure(tx.login_failure(subject)?, now_seconds);
                    tx.set_login_failure(subject, Some(&next))?;
                    if i == 0 {
                        most = next.failures;
                    }
                }
                trail(tx, Outcome::Failure, Event::Login, &format!("密码错误或无此用户，连续第 {most} 次"))?;
                Ok(most)
            })?;
            return Err(unauthorized(&match ACCOUNT_LOCKOUT.delay(failures) {
                0 => "用户名或密码不正确".to_string(),
                d => format!("用户名或密码不正确；已连续失败 {failures} 次，请 {} 后再试", wait_text(d)),
            }));
        };
        self.backend().transaction(|tx| tx.set_login_failure(&subjects[0], None))?;
        let now = self.env().now().to_rfc3339();
        let family = self.new_id();
        let (access, refresh) = (self.random_bytes::<32>(), self.random_bytes::<32>());
        let expires = self.now_seconds();
        let outcome = self.backend().transaction(|tx| {
            let known = tx.device(req.device_id)?;
            if known.as_ref().is_some_and(|d| d.revoked_at.is_some()) {
                trail(tx, Outcome::Refused, Event::Login, "设备已停用")?;
                return Ok(Err("这台设备已被管理员停用，不能再登录；请联系管理员".to_string()));
            }
            let Some(proof) = &req.proof else {
                trail(tx, Outcome::Refused, Event::Login, "未附设备签名")?;
                return Ok(Err("登录缺少本机设备密钥的签名；请将巡查升级到最新版本后再登录".to_string()));
            };
            let challenge = self.challenge_id(req.device_id, &proof.challenge);
            let signed = verify_login(&proof.public_key, req.device_id, &req.user, &proof.challenge, &proof.signature);
            let Some(challenge) = challenge.filter(|_| signed) else {
                trail(tx, Outcome::Refused, Event::Login, "设备签名无效或登录挑战已过期")?;
                return Ok(Err("本机设备签名无效或登录请求已过期，请重新登录".to_string()));
            };
            let device = match known {
                Some(d) => d,
                None => {
                    // A user's first device is approved now; a later one waits.
                    let first = !tx.devices()?.iter().any(|d| d.user_id == user.id);
                    let stored = tx.register_device(&DeviceRow {
                        id: req.device_id,
                        user_id: user.id,
                        name: device_name.to_string(),
                        registered_at: now.clone(),
                        revoked_at: None,
                        public_key: Some(proof.public_key.clone()),
                        approved_at: first.then(|| now.clone()),
                        last_challenge: None,
                    })?;
                    if stored.user_id == user.id && stored.public_key.as_deref() == Some(&proof.public_key) {
                        let detail = if first { "启用" } else { "待管理员批准" };
                        trail(
                            tx,
                            Outcome::Success,
                            Event::DeviceBound,
                            &format!("设备“{device_name}”登记给本用户，{detail}"),
                        )?;
                    }
                    stored
                }
            };
            if device.user_id != user.id {
                trail(tx, Outcome::Refused, Event::Login, &format!("设备属于另一用户 {}", device.user_id))?;
                return Ok(Err(
                    "这台设备已登记在另一位用户名下，不能用其他账号登录；请在本机新建数据文件后再登录".to_string()
                ));
            }
            if device.public_key.as_ref().is_some_and(|k| *k != proof.public_key) {
                trail(tx, Outcome::Refused, Event::Login, "设备密钥与登记的不符")?;
                return Ok(Err(format!(
                    "本机的设备密钥与服务器登记的不符（数据文件可能是从另一台电脑复制来的）；请在本机新建数据文件后重新登录，并请管理员批准这台新设备（原设备编号 {}）",
                    req.device_id
                )));
            }
            if !tx.use_challenge(req.device_id, challenge, &proof.public_key)? {
                trail(tx, Outcome::Refused, Event::Login, "登录挑战重复使用")?;
                return Ok(Err("登录请求已使用过，请重新登录".to_string()));
            }
            if device.approved_at.is_none() {
                trail(tx, Outcome::Refused, Event::Login, "设备待管理员批准")?;
                return Ok(Err(format!(
                    "这台设备须经管理员批准后才能登录；请把本机密钥指纹 {} 告诉管理员，由其核对后运行 xuncha-server device approve {}",
                    fingerprint(&proof.public_key),
                    req.device_id
                )));
            }
            if device.public_key.is_none() {
                trail(tx, Outcome::Success, Event::DeviceBound, "登记设备密钥")?;
            }
            trail(tx, Outcome::Success, Event::Login, "")?;
            Ok(Ok(self.issue(tx, &user, req.device_id, family, &access, &refresh, expires)?))
        })?;
        // A refusal is returned after its audit row commits.
        outcome.map_err(ServerError::Forbidden)
    }

    /// Trades a refresh token for a new pair. The new pair is derived from
    /// the old token under the server's key, so a retry of the same token
    /// (its reply was lost) within [`REFRESH_GRACE_SECONDS`] gets the same
    /// pair back, as long as that pair has not been used; any other second
    /// use means the token was copied and revokes the whole family.
    /// The request must carry the device key's signature of the token.
    pub fn refresh(&self, req: &RefreshRequest) -> Result<Session, ServerError> {
        let refresh_token = req.refresh_token.as_str();
        let hash = token_hash(refresh_token);
        let now = self.now_seconds();
        let successor = |what: &str| -> [u8; 32] {
            let hex = self.derive(&format!("refresh-successor/{what}/{refresh_token}"));
            let mut out = [0u8; 32];
            hex::decode_to_slice(hex, &mut out).expect("an HMAC-SHA-256 is 32 bytes");
            out
        };
        let (access, refresh) = (successor("access"), successor("refresh"));
        let at = self.env().now().to_rfc3339();
        let outcome = self.backend().transaction(|tx| {
            let Some(t) = tx.token(&hash)?.filter(|t| t.refresh) else {
                refused_token(tx, &at, None, "未知的刷新凭据")?;
                return Ok(Err("登录已失效，请重新登录"));
            };
            let user = tx.user(t.user_id)?.ok_or_else(|| ServerError::Damaged("token of a missing user".into()))?;
            // Checked first: without the laptop's key a copied token can
            // neither refresh nor, sent twice, end the laptop's session.
            let key = tx.device(t.device_id)?.and_then(|d| d.public_key);
            let signed = match (&key, &req.signature) {
                (Some(key), Some(signature)) => verify_refresh(key, refresh_token, signature),
                _ => false,
            };
            if !signed {
                refused_token(tx, &at, Some((&user.name, t.device_id)), "刷新缺少有效的设备签名")?;
                return Ok(Err("登录需要本机设备密钥确认，请重新登录"));
            }
            if t.used {
                let next = tx.token(&token_hash(&hex::encode(refresh)))?;
                let retry = next.filter(|n| {
                    let issued = n.expires_at - REFRESH_SECONDS;
                    n.family == t.family && !n.used && now - issued <= REFRESH_GRACE_SECONDS
                });
                if retry.is_some() {
                    return Ok(Ok(self.session(tx, &user, &access, &refresh)?));
                }
                tx.revoke_family(t.family)?;
                refused_token(tx, &at, Some((&user.name, t.device_id)), "刷新凭据被重复使用，整组注销")?;
                return Ok(Err("登录凭据被重复使用，为安全起见已全部注销，请重新登录"));
            }
            if t.expires_at <= now {
                refused_token(tx, &at, Some((&user.name, t.device_id)), "刷新凭据已过期")?;
                return Ok(Err("登录已过期，请重新登录"));
            }
            tx.mark_token_used(&hash)?;
            let entry = audit::Entry {
                at: &at,
                actor: &user.name,
                device_id: Some(t.device_id),
                source: None,
                event: Event::Refresh,
                outcome: Outcome::Success,
                detail: "",
            };
            audit::record(tx, &entry)?;
            Ok(Ok(self.issue(tx, &user, t.device_id, t.family, &access, &refresh, now)?))
        })?;
        // A revocation must commit, so the refusal is returned after it.
        outcome.map_err(unauthorized)
    }

    #[allow(clippy::too_many_arguments)]
    fn issue(
        &self,
        tx: &mut dyn crate::backend::Tx,
        user: &UserRow,
        device: DeviceId,
        family: Uuid,
        access: &[u8; 32],
        refresh: &[u8; 32],
        now: i64,
    ) -> Result<Session, ServerError> {
        for (token, is_refresh, ttl) in [(access, false, ACCESS_SECONDS), (refresh, true, REFRESH_SECONDS)] {
            tx.insert_token(&TokenRow {
                hash: token_hash(&hex::encode(token)),
                refresh: is_refresh,
                user_id: user.id,
                device_id: device,
                family,
                expires_at: now + ttl,
                used: false,
            })?;
        }
        self.session(tx, user, access, refresh)
    }

    fn session(
        &self,
        tx: &mut dyn crate::backend::Tx,
        user: &UserRow,
        access: &[u8],
        refresh: &[u8],
    ) -> Result<Session, ServerError> {
        Ok(Session {
            access_token: hex::encode(access),
            access_expires_in: ACCESS_SECONDS,
            refresh_token: hex::encode(refresh),
            user_id: user.id,
            user_name: user.name.clone(),
            full_name: user.full_name.clone(),
            role: user.role.as_str().to_string(),
            parks: tx.parks_of(user.id)?,
        })
    }

    /// The caller behind an access token, with the parks assigned now.
    pub fn principal(&self, access_token: &str) -> Result<Principal, ServerError> {
        let hash = token_hash(access_token);
        let now = self.now_seconds();
        let found = self.backend().transaction(|tx| {
            let Some(t) = tx.token(&hash)?.filter(|t| !t.refresh) else {
                return Ok(Err((None, "登录已失效，请重新登录")));
            };
            let user = tx.user(t.user_id)?.ok_or_else(|| unauthorized("用户已不存在"))?;
            if t.expires_at <= now {
                return Ok(Err((Some((user.name, t.device_id)), "登录已过期，请刷新后重试")));
            }
            Ok(Ok(Principal {
                user_id: user.id,
                device_id: t.device_id,
                role: user.role,
                parks: tx.parks_of(user.id)?,
            }))
        })?;
        found.or_else(|(who, message)| {
            let at = self.env().now().to_rfc3339();
            self.backend().transaction(|tx| {
                refused_token(tx, &at, who.as_ref().map(|(name, device)| (name.as_str(), *device)), message)
            })?;
            Err(unauthorized(message))
        })
    }
}

/// The first 16 hex digits of a public key: what a laptop shows and
/// `device list` prints, for an administrator to compare.
pub fn fingerprint(public_key: &str) -> &str {
    &public_key[..public_key.len().min(16)]
}

/// What a change of a person's name says in the audit trail.
fn renamed(before: &str, after: &str) -> String {
    if before.is_empty() {
        format!("设置姓名“{after}”")
    } else {
        format!("姓名由“{before}”改为“{after}”")
    }
}

/// Records an action of the operator at the server's console.
pub(crate) fn console(tx: &mut dyn Tx, at: &str, event: Event, detail: &str) -> Result<(), ServerError> {
    let entry = audit::Entry {
        at,
        actor: audit::CONSOLE,
        device_id: None,
        source: None,
        event,
        outcome: Outcome::Success,
        detail,
    };
    audit::record(tx, &entry)
}

/// Records a token the server would not take (never the token itself).
fn refused_token(tx: &mut dyn Tx, at: &str, who: Option<(&str, DeviceId)>, detail: &str) -> Result<(), ServerError> {
    let entry = audit::Entry {
        at,
        actor: who.map_or("（未知）", |(name, _)| name),
        device_id: who.map(|(_, device)| device),
        source: None,
        event: Event::TokenRefused,
        outcome: Outcome::Refused,
        detail,
    };
    audit::record(tx, &entry)
}

/// An argon2id hash of a random password nobody knows.
const STAND_IN_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c3RhbmRpbnNhbHQxMjM0NQ$Zx1cZ8Vb7s0Lr1z0fLqfH8yq3m8B3tZ4o1y9pZb2m9Q";
