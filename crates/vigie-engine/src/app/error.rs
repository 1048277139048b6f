//! Errors as the user sees them: a stable code, an English sentence, and what the error is
//! about as data, so a screen words it in its own language.

use serde::Serialize;
use vigie_domain::approval::TeamRefusal;
use vigie_domain::publish::{PostProblem, Refusal};
use vigie_secrets::SecretsError;
use vigie_store::StoreError;

/// An error as the user sees it: a stable code and a sentence (in English). `what` and `key`
/// say more where the code alone does not (a duplicate *watch* named "Danone", a disk that is
/// *full*), and `refusal` / `problem` / `team` carry publishing and teamwork errors as data,
/// so the UI can word them in its own language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub what: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Why a publishing guard said no, as data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refusal: Option<Box<Refusal>>,
    /// Why checking an account with its server failed, as data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<Box<PostProblem>>,
    /// Why a teamwork action was refused, as data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<Box<TeamRefusal>>,
}

impl AppError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        AppError {
            code,
            message: message.into(),
            what: None,
            key: None,
            refusal: None,
            problem: None,
            team: None,
        }
    }

    /// The OS keychain failed: locked (or waiting for a password), unreachable, or refusing.
    pub fn keychain(e: SecretsError) -> Self {
        let message = e.to_string();
        match e {
            e if e.is_locked() => AppError::new("keychain", message).about("locked", None),
            SecretsError::Unavailable { detail } => {
                AppError::new("keychain", message).about("unavailable", Some(detail))
            }
            _ => AppError::new("keychain", message),
        }
    }

    /// Names what the error is about, for the UI's wording.
    pub fn about(mut self, what: &'static str, key: Option<String>) -> Self {
        self.what = Some(what);
        self.key = key;
        self
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        let message = e.to_string();
        match e {
            StoreError::NotFound { what, key } => {
                AppError::new("not_found", message).about(what, Some(key))
            }
            StoreError::Duplicate { what, key } => {
                AppError::new("duplicate", message).about(what, Some(key))
            }
            StoreError::Invalid { what, .. } => AppError::new("invalid", message).about(what, None),
            StoreError::Busy { .. } => AppError::new("busy", message),
            StoreError::ReadOnly { .. } => {
                AppError::new("storage", message).about("read_only", None)
            }
            StoreError::DiskFull { .. } => {
                AppError::new("storage", message).about("disk_full", None)
            }
            StoreError::BatchRolledBack { .. } => {
                AppError::new("storage", message).about("rolled_back", None)
            }
            StoreError::NewerSchema { .. } => AppError::new("newer_schema", message),
            _ => AppError::new("internal", message),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
