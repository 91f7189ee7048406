//! Every failure reaches the UI as an [`AppError`]: a code the UI can act on
//! and a message it can show. Messages come from the layer that knows what
//! went wrong; validation messages name the field.

use rounds_client::ClientError;
use rounds_core::doc::DocError;
use rounds_store::StoreError;

pub use crate::types::{AppError, ErrorCode};

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> AppError {
        AppError {
            code,
            message: message.into(),
            field: None,
        }
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> AppError {
        AppError {
            code: ErrorCode::Invalid,
            message: message.into(),
            field: Some(field.to_owned()),
        }
    }
}

fn from_doc(e: &DocError) -> AppError {
    match e {
        DocError::Invalid { field, .. } => AppError::invalid(field, e.to_string()),
        DocError::ReadOnly { .. } => AppError::new(ErrorCode::ReadOnly, e.to_string()),
        DocError::NotRounds(_) | DocError::Automerge(_) => {
            AppError::new(ErrorCode::Internal, e.to_string())
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match &e {
            StoreError::Doc(d) => from_doc(d),
            StoreError::NotFound(_) | StoreError::Ambiguous(..) => {
                AppError::new(ErrorCode::NotFound, e.to_string())
            }
            StoreError::Invalid(msg) => {
                // Store messages start with the field they are about
                // ("name: must be …"), like the core's.
                let field = msg.split_once(':').map(|(f, _)| f.trim().to_owned());
                AppError {
                    code: ErrorCode::Invalid,
                    message: e.to_string(),
                    field,
                }
            }
            StoreError::Json(_) => AppError::new(ErrorCode::Invalid, e.to_string()),
            StoreError::NewerKind { .. } => AppError::new(ErrorCode::ReadOnly, e.to_string()),
            // Sharing a case: the UI marks the findings or the attestation.
            // (The store's own messages point to the CLI's flags.)
            StoreError::Identifiers(n) => AppError::invalid(
                "findings",
                format!(
                    "this case still holds {n} likely patient identifier(s): mask or remove them before sharing"
                ),
            ),
            StoreError::NotAttested => AppError::invalid(
                "attestation",
                "sharing a case needs your confirmation that it carries no patient identifiers",
            ),
            _ => AppError::new(ErrorCode::Internal, e.to_string()),
        }
    }
}

pub(crate) fn from_client(e: &ClientError) -> AppError {
    match e {
        ClientError::NotJoined => AppError::new(ErrorCode::NotJoined, e.to_string()),
        ClientError::AlreadyJoined(_) => AppError::new(ErrorCode::Invalid, e.to_string()),
        ClientError::Url(_) => AppError::invalid("url", e.to_string()),
        ClientError::Offline(_) => AppError::new(ErrorCode::Offline, e.to_string()),
        ClientError::Unauthorized(_) => AppError::new(ErrorCode::Unauthorized, e.to_string()),
        ClientError::CertificateChanged { .. } => {
            AppError::new(ErrorCode::CertificateChanged, e.to_string())
        }
        ClientError::CertificateUntrusted { .. }
        | ClientError::FingerprintMismatch { .. }
        | ClientError::CertificateInvalid(_) => {
            AppError::new(ErrorCode::CertificateUntrusted, e.to_string())
        }
        // A refused one-time code is the office's 4xx answer to enrolment.
        ClientError::Office { status, .. } if (400..500).contains(status) => {
            AppError::invalid("code", e.to_string())
        }
        ClientError::Store(s) => {
            // StoreError is not Clone; its message and code are what matter.
            let mapped: AppError = match s {
                StoreError::Doc(d) => from_doc(d),
                StoreError::NotFound(_) => AppError::new(ErrorCode::NotFound, s.to_string()),
                _ => AppError::new(ErrorCode::Internal, s.to_string()),
            };
            mapped
        }
        _ => AppError::new(ErrorCode::Internal, e.to_string()),
    }
}

impl From<ClientError> for AppError {
    fn from(e: ClientError) -> AppError {
        from_client(&e)
    }
}
