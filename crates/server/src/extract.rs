//! Extractors whose rejections are `AppError`s, so a bad request gets the same JSON
//! error body as every other failure instead of axum's plain-text rejection.

use axum::extract::{FromRequest, FromRequestParts};

use crate::error::AppError;

/// `axum::Json`, rejecting with `AppError` (400 / 413 / 415 / 422).
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct AppJson<T>(pub T);

/// `axum::extract::Query`, rejecting with `AppError` (400 `bad_query`).
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct AppQuery<T>(pub T);
