//! The central office server of Rounds: it stores every document its member
//! devices push, validates each change, and pages the change log out to the
//! devices allowed to read it. See `docs/sync-protocol.md`.
//!
//! Layers, each knowing only the one below: [`http`] (axum: routes, limits,
//! error bodies, logs) → [`service`] (enrollment, authentication,
//! validation, paging) → [`db::OfficeDb`] (storage; [`sqlite`] by default).

pub mod db;
pub mod http;
pub mod service;
pub mod sqlite;
pub mod validate;
pub mod wake;
