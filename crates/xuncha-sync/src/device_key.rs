//! The laptop's second factor: an Ed25519 key pair made on the laptop at
//! its first login. The server keeps the public key with the device; login
//! and refresh carry a signature it checks, so a password without the
//! laptop, or a copied token without the laptop, gets nobody in.
//!
//! What is signed is fixed here, once, for both sides: a login signs the
//! server's one-time challenge with the device and the user name; a
//! refresh signs the SHA-256 of the refresh token it spends (a token is
//! good for one use, so the signature is too; the key is the device's).

use ring::rand::SecureRandom;
use ring::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};
use sha2::{Digest, Sha256};
use xuncha_domain::DeviceId;

/// A device's key pair, kept by the laptop as PKCS#8 bytes.
pub struct DeviceKey {
    pair: Ed25519KeyPair,
    pkcs8: Vec<u8>,
}

/// Shows the public key only.
impl std::fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceKey").field("public_key", &self.public_key()).finish_non_exhaustive()
    }
}

/// The PKCS#8 bytes do not hold an Ed25519 key.
#[derive(Debug, thiserror::Error)]
#[error("device key is not a valid Ed25519 PKCS#8 document")]
pub struct BadDeviceKey;

impl DeviceKey {
    /// Makes a new key pair from `rng`.
    pub fn generate(rng: &dyn SecureRandom) -> Result<DeviceKey, BadDeviceKey> {
        let doc = Ed25519KeyPair::generate_pkcs8(rng).map_err(|_| BadDeviceKey)?;
        DeviceKey::from_pkcs8(doc.as_ref())
    }

    pub fn from_pkcs8(bytes: &[u8]) -> Result<DeviceKey, BadDeviceKey> {
        let pair = Ed25519KeyPair::from_pkcs8(bytes).map_err(|_| BadDeviceKey)?;
        Ok(DeviceKey { pair, pkcs8: bytes.to_vec() })
    }

    /// A key from a 32-byte seed: for tests, where each made-up device
    /// needs the same key every time.
    pub fn from_seed(seed: &[u8; 32]) -> DeviceKey {
        let pair = Ed25519KeyPair::from_seed_unchecked(seed).expect("any 32 bytes are an Ed25519 seed");
        // The seed form is enough for tests; they never store the key.
        DeviceKey { pair, pkcs8: Vec::new() }
    }

    pub fn pkcs8(&self) -> &[u8] {
        &self.pkcs8
    }

    /// The public key as 64 hex digits, as the server stores it.
    pub fn public_key(&self) -> String {
        hex::encode(self.pair.public_key().as_ref())
    }

    /// The signature (128 hex digits) a login with `challenge` carries.
    pub fn sign_login(&self, device: DeviceId, user: &str, challenge: &str) -> String {
        hex::encode(self.pair.sign(&login_message(device, user, challenge)).as_ref())
    }

    /// The signature a refresh spending `refresh_token` carries.
    pub fn sign_refresh(&self, refresh_token: &str) -> String {
        hex::encode(self.pair.sign(&refresh_message(refresh_token)).as_ref())
    }
}

fn login_message(device: DeviceId, user: &str, challenge: &str) -> Vec<u8> {
    format!("xuncha-login/1\n{device}\n{user}\n{challenge}").into_bytes()
}

fn refresh_message(refresh_token: &str) -> Vec<u8> {
    let spent = hex::encode(Sha256::digest(refresh_token.as_bytes()));
    format!("xuncha-refresh/1\n{spent}").into_bytes()
}

/// Whether `signature` is `public_key`'s signature of the login. Anything
/// malformed (wrong lengths, not hex) is simply not a valid signature.
pub fn verify_login(public_key: &str, device: DeviceId, user: &str, challenge: &str, signature: &str) -> bool {
    verify(public_key, &login_message(device, user, challenge), signature)
}

/// Whether `signature` is `public_key`'s signature of the refresh.
pub fn verify_refresh(public_key: &str, refresh_token: &str, signature: &str) -> bool {
    verify(public_key, &refresh_message(refresh_token), signature)
}

fn verify(public_key: &str, message: &[u8], signature: &str) -> bool {
    let (mut key, mut sig) = ([0u8; 32], [0u8; 64]);
    if hex::decode_to_slice(public_key, &mut key).is_err() || hex::decode_to_slice(signature, &mut sig).is_err() {
        return false;
    }
    UnparsedPublicKey::new(&ED25519, key).verify(message, &sig).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_holds_only_for_its_key_device_user_and_challenge() {
        let key = DeviceKey::from_seed(&[7; 32]);
        let other = DeviceKey::from_seed(&[8; 32]);
        let device = DeviceId(uuid::Uuid::from_u128(1));
        let sig = key.sign_login(device, "zhang", "c1");
        assert!(verify_login(&key.public_key(), device, "zhang", "c1", &sig));
        assert!(!verify_login(&other.public_key(), device, "zhang", "c1", &sig), "another key");
        assert!(
            !verify_login(&key.public_key(), DeviceId(uuid::Uuid::from_u128(2)), "zhang", "c1", &sig),
            "another device"
        );
        assert!(!verify_login(&key.public_key(), device, "li", "c1", &sig), "another user");
        assert!(!verify_login(&key.public_key(), device, "zhang", "c2", &sig), "another challenge");
        assert!(!verify_login(&key.public_key(), device, "zhang", "c1", "zz"), "not hex");
        assert!(!verify_login("00", device, "zhang", "c1", &sig), "a short key");

        let r = key.sign_refresh("token-1");
        assert!(verify_refresh(&key.public_key(), "token-1", &r));
        assert!(!verify_refresh(&other.public_key(), "token-1", &r), "another key");
        assert!(!verify_refresh(&key.public_key(), "token-2", &r), "another token");
        assert!(!verify_login(&key.public_key(), device, "zhang", "c1", &r), "a refresh is not a login");
    }

    #[test]
    fn a_generated_key_survives_its_pkcs8_form() {
        let key = DeviceKey::generate(&ring::rand::SystemRandom::new()).unwrap();
        let again = DeviceKey::from_pkcs8(key.pkcs8()).unwrap();
        assert_eq!(key.public_key(), again.public_key());
        assert!(DeviceKey::from_pkcs8(b"not a key").is_err());
    }
}
