//! Encryption at rest of personal information (resident ID numbers), as PIPL expects.
//!
//! Values are sealed with AES-256-GCM under the store's key; a keyed hash (HMAC-SHA256 under a
//! key derived from the same secret) lets us find duplicates without decrypting anything.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::StoreError;

const NONCE_LEN: usize = 12;

#[derive(Clone)]
pub struct PiiCipher {
    cipher: Aes256Gcm,
    index_key: [u8; 32],
    link_key: [u8; 32],
}

impl PiiCipher {
    pub fn new(key: &[u8; 32]) -> Self {
        let index_key = hmac_sha256(key, b"fours/pii/blind-index/v1");
        PiiCipher {
            cipher: Aes256Gcm::new(key.into()),
            index_key,
            link_key: hmac_sha256(key, b"fours/links/v1"),
        }
    }

    /// A fresh random 256-bit key, for a key file created on first start.
    pub fn generate_key() -> [u8; 32] {
        rand::random()
    }

    /// `base64(nonce ‖ ciphertext)`.
    pub fn seal(&self, plain: &str) -> Result<String, StoreError> {
        let nonce_bytes: [u8; NONCE_LEN] = rand::random();
        let nonce = Nonce::try_from(&nonce_bytes[..]).map_err(|_| StoreError::Cipher("nonce"))?;
        let sealed = self
            .cipher
            .encrypt(&nonce, plain.as_bytes())
            .map_err(|_| StoreError::Cipher("encrypt"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(BASE64.encode(out))
    }

    pub fn open(&self, stored: &str) -> Result<String, StoreError> {
        let bytes = BASE64
            .decode(stored)
            .map_err(|_| StoreError::Cipher("encoding"))?;
        if bytes.len() <= NONCE_LEN {
            return Err(StoreError::Cipher("length"));
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_from(nonce).map_err(|_| StoreError::Cipher("nonce"))?;
        let plain = self
            .cipher
            .decrypt(&nonce, sealed)
            .map_err(|_| StoreError::Cipher("decrypt (wrong key?)"))?;
        String::from_utf8(plain).map_err(|_| StoreError::Cipher("utf8"))
    }

    /// A signature for a link sent to a customer (the added-work approval page), under its own
    /// derived key.
    pub fn sign_link(&self, message: &str) -> String {
        hex(&hmac_sha256(&self.link_key, message.as_bytes()))
    }

    /// Whether `signature` is [`Self::sign_link`] of `message`, compared in constant time.
    pub fn verify_link(&self, message: &str, signature: &str) -> bool {
        let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.link_key) else {
            return false;
        };
        mac.update(message.as_bytes());
        let Some(bytes) = unhex(signature) else {
            return false;
        };
        mac.verify_slice(&bytes).is_ok()
    }

    /// Deterministic keyed hash for equality look-ups.
    pub fn blind_index(&self, plain: &str) -> String {
        hex(&hmac_sha256(&self.index_key, plain.as_bytes()))
    }
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(message);
    mac.finalize().into_bytes().into()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_signatures_verify_only_their_message_and_key() {
        let cipher = PiiCipher::new(&[7; 32]);
        let signature = cipher.sign_link("order:1:2026-12-02");
        assert!(cipher.verify_link("order:1:2026-12-02", &signature));
        assert!(!cipher.verify_link("order:2:2026-12-02", &signature));
        assert!(!cipher.verify_link("order:1:2026-12-02", "zz"));
        assert!(!PiiCipher::new(&[8; 32]).verify_link("order:1:2026-12-02", &signature));
        assert_ne!(signature, cipher.blind_index("order:1:2026-12-02"));
    }

    #[test]
    fn sealed_values_open_and_do_not_contain_the_plain_text() {
        let cipher = PiiCipher::new(&[7; 32]);
        let sealed = cipher.seal("360402199001010071").unwrap();
        assert!(!sealed.contains("360402199001010071"));
        assert_eq!(cipher.open(&sealed).unwrap(), "360402199001010071");
        assert_ne!(
            sealed,
            cipher.seal("360402199001010071").unwrap(),
            "nonce must vary"
        );
    }

    #[test]
    fn another_key_cannot_open() {
        let sealed = PiiCipher::new(&[7; 32]).seal("x").unwrap();
        assert!(PiiCipher::new(&[8; 32]).open(&sealed).is_err());
    }

    #[test]
    fn blind_index_is_stable_per_key() {
        let a = PiiCipher::new(&[1; 32]);
        assert_eq!(a.blind_index("abc"), a.blind_index("abc"));
        assert_ne!(
            a.blind_index("abc"),
            PiiCipher::new(&[2; 32]).blind_index("abc")
        );
    }
}
