//! The central office server of Rounds: it stores every document its member
//! devices push, validates each change, and pages the change log out to the
//! devices allowed to read it. See `docs/sync-protocol.md`.
//!
//! Layers, each knowing only the one below: [`http`] (axum: routes, limits,
//! error bodies, logs) → [`service`] (enrollment, authentication,
//! validation, paging) → [`db::OfficeDb`] (storage: [`sqlite`] by default, [`pg`] for a province).
//! [`tls`] is the office's own TLS (certificates reloaded when they
//! change), [`tls_init`] the certificate authority of `rounds-office tls init`.
//! [`metrics`] counts what the office does, for `GET /metrics`;
//! [`downloads`] offers installers at `GET /downloads/`.

pub mod backend;
pub mod db;
pub mod downloads;
pub mod http;
pub mod metrics;
pub mod pg;
pub mod service;
pub mod sqlite;
pub mod tls;
pub mod tls_init;
pub mod validate;
pub mod wake;
