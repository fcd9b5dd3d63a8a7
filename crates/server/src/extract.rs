//! Extractors whose rejections are `AppError`s, so a bad request gets the same JSON
//! error body as every other failure instead of axum's plain-text rejection.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};

use crate::csv_text;
use crate::error::AppError;
use crate::MAX_IMPORT_BYTES;

/// `axum::Json`, rejecting with `AppError` (400 / 413 / 415 / 422).
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct AppJson<T>(pub T);

/// `axum::extract::Query`, rejecting with `AppError` (400 `bad_query`).
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct AppQuery<T>(pub T);

/// `axum::extract::Path`, rejecting with `AppError` (400 `bad_path`).
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct AppPath<T>(pub T);

/// A `text/csv` body of at most `MAX_IMPORT_BYTES`, as text: its bytes decoded by
/// `csv_text::decode` (UTF-8 with or without Excel's byte order mark, else GB18030).
/// A `charset` parameter is not trusted: a browser uploading a file does not know it,
/// so the bytes decide. Rejects with 415, 413 or 422 `invalid_encoding`.
#[derive(Debug)]
pub struct CsvBody(pub String);

impl<S: Send + Sync> FromRequest<S> for CsvBody {
    type Rejection = AppError;

    async fn from_request(mut request: Request, state: &S) -> Result<Self, AppError> {
        if !is_csv(request.headers()) {
            return Err(AppError::UnsupportedMediaType("text/csv"));
        }
        // Refused before reading, like any body declared over the app-wide limit.
        if crate::security::declared_length(request.headers())
            .is_some_and(|length| length > MAX_IMPORT_BYTES as u64)
        {
            return Err(AppError::PayloadTooLarge(MAX_IMPORT_BYTES));
        }
        // Replaces the app-wide limit for this body only.
        DefaultBodyLimit::max(MAX_IMPORT_BYTES).apply(&mut request);
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::PayloadTooLarge(MAX_IMPORT_BYTES)
                } else if crate::security::body_timed_out(&rejection) {
                    AppError::body_stalled()
                } else {
                    AppError::BadBody(rejection.body_text())
                }
            })?;
        Ok(CsvBody(csv_text::decode(&bytes)?))
    }
}

/// `text/csv`, with or without parameters such as `charset=utf-8`.
fn is_csv(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("text/csv"))
}
