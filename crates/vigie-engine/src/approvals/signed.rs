//! Signed statements exchanged between laptops as plain text blocks (file, mail, chat):
//!
//! ```text
//! -----BEGIN VIGIE APPROVAL-----
//! <base64 of the JSON payload, 76 columns>
//! -----SIGNATURE-----
//! <base64 Ed25519 signature of those exact payload bytes>
//! -----END VIGIE APPROVAL-----
//! ```
//!
//! The signature covers the payload bytes as sent, so there is no canonical-JSON ambiguity.

use base64::Engine as _;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use vigie_domain::publish::{Content, Network};
use vigie_domain::Timestamp;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The account a request or an approval is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    pub network: Network,
    pub server: String,
    pub remote_id: String,
    pub handle: String,
}

impl Target {
    /// The key approvals are filed under: `network|server|remote id`.
    pub fn key(&self) -> String {
        format!("{}|{}|{}", self.network, self.server, self.remote_id)
    }
}

/// "Please approve this exact content for this exact account."
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    pub v: u8,
    pub id: String,
    pub draft_id: i64,
    pub title: String,
    pub content: Content,
    pub content_hash: String,
    pub target: Target,
    pub level: String,
    pub author_key: String,
    pub author_name: String,
    pub at: Timestamp,
}

/// "I, approver, with this role, approve this content (or this statement's fixed text) for
/// this account, until `expires_at`."
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Approval {
    pub v: u8,
    /// `approval` or `pre_approval`.
    pub kind: String,
    /// Content hash, or the statement's template hash for a pre-approval.
    pub subject_hash: String,
    pub target: Target,
    /// The request it answers (approvals), or the playbook and statement (pre-approvals).
    pub request_id: Option<String>,
    pub author_key: Option<String>,
    pub playbook: Option<String>,
    pub statement: Option<String>,
    /// Pre-approvals: valid up to this level.
    pub max_level: Option<String>,
    pub approver_key: String,
    pub approver_name: String,
    pub role: String,
    pub signed_at: Timestamp,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlockError {
    #[error("this is not a Vigie {0} block (it should start with -----BEGIN VIGIE {0}-----)")]
    NotABlock(&'static str),
    #[error("the block is damaged: {0}")]
    Damaged(String),
    #[error("the signature does not match the content: the block was altered or forged")]
    BadSignature,
}

pub fn public_key_b64(key: &SigningKey) -> String {
    B64.encode(key.verifying_key().as_bytes())
}

fn wrap(s: &str) -> String {
    s.as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).expect("base64 is ascii"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Signs `payload` and returns the text block.
pub fn seal<T: Serialize>(label: &'static str, payload: &T, key: &SigningKey) -> String {
    let bytes = serde_json::to_vec(payload).expect("payload serialises");
    let sig = key.sign(&bytes);
    format!(
        "-----BEGIN VIGIE {label}-----\n{}\n-----SIGNATURE-----\n{}\n-----END VIGIE {label}-----\n",
        wrap(&B64.encode(&bytes)),
        B64.encode(sig.to_bytes())
    )
}

/// Reads a block, checks its signature against `signer_of(payload)`, returns the payload and
/// the signature (base64, the block's identity).
pub fn open<T: DeserializeOwned>(
    label: &'static str,
    text: &str,
    signer_of: impl Fn(&T) -> String,
) -> Result<(T, String), BlockError> {
    let begin = format!("-----BEGIN VIGIE {label}-----");
    let end = format!("-----END VIGIE {label}-----");
    let start = text.find(&begin).ok_or(BlockError::NotABlock(label))?;
    let body = &text[start + begin.len()..];
    let stop = body.find(&end).ok_or(BlockError::NotABlock(label))?;
    let body = &body[..stop];
    let (payload_b64, sig_b64) = body
        .split_once("-----SIGNATURE-----")
        .ok_or_else(|| BlockError::Damaged("no signature part".into()))?;
    let clean = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let bytes = B64
        .decode(clean(payload_b64))
        .map_err(|e| BlockError::Damaged(format!("payload: {e}")))?;
    let sig_text = clean(sig_b64);
    let sig_bytes: [u8; 64] = B64
        .decode(&sig_text)
        .map_err(|e| BlockError::Damaged(format!("signature: {e}")))?
        .try_into()
        .map_err(|_| BlockError::Damaged("the signature has the wrong length".into()))?;
    let payload: T =
        serde_json::from_slice(&bytes).map_err(|e| BlockError::Damaged(format!("payload: {e}")))?;
    let key = verifying_key(&signer_of(&payload)).ok_or(BlockError::BadSignature)?;
    key.verify(&bytes, &Signature::from_bytes(&sig_bytes))
        .map_err(|_| BlockError::BadSignature)?;
    Ok((payload, sig_text))
}

pub fn verifying_key(b64: &str) -> Option<VerifyingKey> {
    let bytes: [u8; 32] = B64.decode(b64).ok()?.try_into().ok()?;
    VerifyingKey::from_bytes(&bytes).ok()
}

pub fn signing_key_from_b64(b64: &str) -> Option<SigningKey> {
    let bytes: [u8; 32] = B64.decode(b64.trim()).ok()?.try_into().ok()?;
    Some(SigningKey::from_bytes(&bytes))
}

pub fn signing_key_to_b64(key: &SigningKey) -> String {
    B64.encode(key.to_bytes())
}

pub fn new_signing_key() -> SigningKey {
    use rand::RngCore;
    let mut seed = [0u8; 32];
    rand::rng().fill_bytes(&mut seed);
    SigningKey::from_bytes(&seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct P {
        who: String,
        n: i64,
    }

    #[test]
    fn sealed_blocks_open_and_tampering_is_caught() {
        let k = new_signing_key();
        let who = public_key_b64(&k);
        let block = seal(
            "TEST",
            &P {
                who: who.clone(),
                n: 7,
            },
            &k,
        );
        let (p, _) = open::<P>("TEST", &block, |p| p.who.clone()).unwrap();
        assert_eq!(p.n, 7);
        // Pasted inside a mail with surrounding text: still fine.
        let mail = format!("Bonjour,\n\n{block}\nCordialement");
        assert!(open::<P>("TEST", &mail, |p| p.who.clone()).is_ok());
        // Change the payload (n = 8) and keep the signature: forged.
        let forged_payload = B64.encode(
            serde_json::to_vec(&P {
                who: who.clone(),
                n: 8,
            })
            .unwrap(),
        );
        let sig = block.split("-----SIGNATURE-----\n").nth(1).unwrap();
        let forged =
            format!("-----BEGIN VIGIE TEST-----\n{forged_payload}\n-----SIGNATURE-----\n{sig}");
        assert_eq!(
            open::<P>("TEST", &forged, |p| p.who.clone()).unwrap_err(),
            BlockError::BadSignature
        );
        // Signed by someone else than the payload claims.
        let other = new_signing_key();
        let claimed = seal("TEST", &P { who, n: 1 }, &other);
        assert_eq!(
            open::<P>("TEST", &claimed, |p| p.who.clone()).unwrap_err(),
            BlockError::BadSignature
        );
        assert!(matches!(
            open::<P>("OTHER", &block, |p| p.who.clone()),
            Err(BlockError::NotABlock(_))
        ));
    }
}
