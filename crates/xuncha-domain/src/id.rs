//! Typed identifiers and content hashes.
//!
//! Every record is named by a UUIDv7 ([`crate::Env::new_id`]); the type
//! says which kind of record, so an enterprise's id cannot be passed where
//! an inspection's is expected. On the wire, in JSON and in TypeScript they
//! are the plain hyphenated UUID string, so the stored and signed records
//! read exactly as before.
//!
//! Files (photos, signatures, attachments) are blobs named by their
//! [`Sha256`]: 32 bytes, written as 64 lowercase hex digits.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::Digest;
use ts_rs::TS;
use uuid::Uuid;

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// The nil id, for a record that has not been given one yet.
            pub const NIL: $name = $name(Uuid::nil());

            pub fn uuid(self) -> Uuid {
                self.0
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                $name(id)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map($name)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }
    )*};
}

ids! {
    /// An industrial park (一园一档).
    ParkId;
    /// An enterprise's file (一企一档).
    EnterpriseId;
    /// A facility in an enterprise's file; checklist items repeat per facility.
    FacilityId;
    /// An inspection record, draft or signed.
    InspectionId;
    /// A problem found on an inspection.
    FindingId;
    /// A photo taken on an inspection.
    PhotoId;
    /// A rectification notice (整改通知书).
    NoticeId;
    /// A rectification case, which follows a notice's problems to closure.
    CaseId;
    /// One event in a case's history.
    CaseEventId;
    /// A clue transfer form (违法线索移交书).
    ClueTransferId;
    /// A laptop registered with the bureau server.
    DeviceId;
}

/// A SHA-256 digest: of a file's bytes (the blob's name), or of a record.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, TS)]
#[ts(type = "string")]
pub struct Sha256([u8; 32]);

/// A text that is not 64 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("不是有效的 SHA-256 摘要（应为 64 位小写十六进制）：{0:.80}")]
pub struct BadSha256(pub String);

impl Sha256 {
    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Sha256(sha2::Sha256::digest(bytes).into())
    }

    /// The digest a [`sha2::Sha256`] hasher finished with.
    pub fn from_hasher(hasher: sha2::Sha256) -> Self {
        Sha256(hasher.finalize().into())
    }

    /// The 64 lowercase hex digits.
    pub fn hex(&self) -> String {
        self.to_string()
    }

    /// The first `n` hex digits, to name a file to a person.
    pub fn short(&self, n: usize) -> String {
        let mut s = self.to_string();
        s.truncate(n.min(64));
        s
    }
}

impl From<[u8; 32]> for Sha256 {
    fn from(bytes: [u8; 32]) -> Self {
        Sha256(bytes)
    }
}

impl FromStr for Sha256 {
    type Err = BadSha256;
    /// Only the canonical form: 64 lowercase hex digits. Signed records
    /// are digested as written, so a second spelling of one hash must not
    /// enter them.
    fn from_str(s: &str) -> Result<Self, BadSha256> {
        let bad = || BadSha256(s.to_string());
        if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return Err(bad());
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
        }
        Ok(Sha256(out))
    }
}

impl fmt::Display for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256({self})")
    }
}

impl Serialize for Sha256 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Sha256 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_reads_and_writes_as_lowercase_hex() {
        // SHA-256 of "abc" (FIPS 180-2, appendix B.1).
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(Sha256::of(b"abc").to_string(), abc);
        assert_eq!(abc.parse::<Sha256>().unwrap(), Sha256::of(b"abc"));
        assert_eq!(serde_json::to_string(&Sha256::of(b"abc")).unwrap(), format!("\"{abc}\""));
        assert_eq!(serde_json::from_str::<Sha256>(&format!("\"{abc}\"")).unwrap(), Sha256::of(b"abc"));
        assert_eq!(Sha256::of(b"abc").short(12), "ba7816bf8f01");
    }

    #[test]
    fn a_hash_in_another_spelling_is_refused() {
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        for bad in [&abc.to_uppercase(), &abc[..63], &format!("{abc}0"), "", &abc.replace('b', "g"), "../etc/passwd"] {
            assert!(bad.parse::<Sha256>().is_err(), "{bad}");
            assert!(serde_json::from_str::<Sha256>(&format!("\"{bad}\"")).is_err(), "{bad}");
        }
        assert!(BadSha256("x".into()).to_string().contains("SHA-256"));
    }

    #[test]
    fn an_id_is_its_uuid_on_the_wire() {
        let uuid = Uuid::parse_str("0192f5a4-7b1c-7d2e-8f00-1234567890ab").unwrap();
        let id = EnterpriseId(uuid);
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"0192f5a4-7b1c-7d2e-8f00-1234567890ab\"");
        assert_eq!(serde_json::from_str::<EnterpriseId>("\"0192f5a4-7b1c-7d2e-8f00-1234567890ab\"").unwrap(), id);
        assert_eq!(id.to_string().parse::<EnterpriseId>().unwrap(), id);
        assert!(serde_json::from_str::<EnterpriseId>("\"not-an-id\"").is_err());
    }
}
