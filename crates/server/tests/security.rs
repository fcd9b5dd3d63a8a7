//! Security headers on every kind of answer, request and connection time limits (JSON
//! 408s, stalled and trickled bodies, slow headers), and https with the TLS flags.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use common::{device, record, TestApp};
use gatewatch_model::PushRequest;
use gatewatch_server::security::{CSP, HSTS};
use gatewatch_server::{Limits, StartError, TlsConfig};

/// Asserts the headers every answer carries; `what` names the answer in failures.
fn assert_security_headers(headers: &HeaderMap, what: &str) {
    let get = |name: header::HeaderName| {
        headers
            .get(&name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{what}: no {name}"))
            .to_owned()
    };
    let csp = get(header::CONTENT_SECURITY_POLICY);
    assert_eq!(csp, CSP, "{what}");
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval';"),
        "{what}: {csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(csp.contains("object-src 'none'"), "{what}: {csp}");
    assert_eq!(get(header::X_CONTENT_TYPE_OPTIONS), "nosniff", "{what}");
    assert_eq!(get(header::REFERRER_POLICY), "no-referrer", "{what}");
    assert_eq!(get(header::X_FRAME_OPTIONS), "DENY", "{what}");
}

#[tokio::test]
async fn every_kind_of_answer_carries_the_security_headers() {
    let t = TestApp::new().await;
    let push = serde_json::to_vec(&PushRequest {
        device: device(),
        records: vec![record(1, 100)],
    })
    .unwrap();
    let cases: Vec<(&str, Request<Body>, StatusCode)> = vec![
        ("API JSON", get("/api/health"), StatusCode::OK),
        ("a push", post("/api/sync/push", push), StatusCode::OK),
        (
            "a CSV",
            get("/api/export/checkins.csv?from=2026-01-01&to=2026-01-31"),
            StatusCode::OK,
        ),
        ("unknown API path", get("/api/nope"), StatusCode::NOT_FOUND),
        (
            "malformed JSON",
            post("/api/sync/push", b"{".to_vec()),
            StatusCode::BAD_REQUEST,
        ),
        (
            "body too large",
            post(
                "/api/sync/push",
                vec![b' '; gatewatch_server::MAX_BODY_BYTES + 1],
            ),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            "wrong method",
            Request::delete("/api/health").body(Body::empty()).unwrap(),
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        ("the PWA index", get("/"), StatusCode::OK),
        ("a client-side route", get("/history"), StatusCode::OK),
        ("a static file", get("/sw.js"), StatusCode::OK),
        (
            "a precompressed file",
            Request::get("/gatewatch-0123456789abcdef.js")
                .header(header::ACCEPT_ENCODING, "br")
                .body(Body::empty())
                .unwrap(),
            StatusCode::OK,
        ),
        ("the admin page", get("/admin"), StatusCode::OK),
        ("the admin script", get("/admin/admin.js"), StatusCode::OK),
        ("unknown admin file", get("/admin/x"), StatusCode::NOT_FOUND),
    ];
    for (what, request, status) in cases {
        let response = t.call(request).await;
        assert_eq!(response.status, status, "{what}: {}", response.text());
        assert_security_headers(&response.headers, what);
        // Over plain http, HSTS would be ignored at best and misleading at worst.
        assert!(
            response
                .headers
                .get(header::STRICT_TRANSPORT_SECURITY)
                .is_none(),
            "{what}"
        );
    }

    let unbuilt = TestApp::without_dist().await;
    let response = unbuilt.get("/").await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert_security_headers(&response.headers, "the not-built page");
}

#[tokio::test]
async fn no_api_answer_is_kept_in_the_browser_cache() {
    let t = TestApp::new().await;
    t.push(&[record(1, 100)]).await;
    let login = serde_json::json!({
        "username": "admin", "password": common::ADMIN_PASSWORD, "device": "cachephone",
    });
    let cases: Vec<(&str, Request<Body>, StatusCode)> = vec![
        ("a pull page", get("/api/sync/pull?since=0"), StatusCode::OK),
        (
            "a gate secret",
            get("/api/posts/s01-g1/secret"),
            StatusCode::OK,
        ),
        ("the profile", get("/api/auth/me"), StatusCode::OK),
        ("the user list", get("/api/admin/users"), StatusCode::OK),
        ("the catalog", get("/api/posts"), StatusCode::OK),
        ("health", get("/api/health"), StatusCode::OK),
        (
            "a login",
            post("/api/auth/login", login.to_string().into_bytes()),
            StatusCode::OK,
        ),
        (
            "an unknown API path",
            get("/api/nope"),
            StatusCode::NOT_FOUND,
        ),
        (
            "a refused record id",
            get("/api/records/not-a-uuid/history"),
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (what, request, status) in cases {
        let response = t.call(request).await;
        assert_eq!(response.status, status, "{what}: {}", response.text());
        assert_eq!(
            response.header(header::CACHE_CONTROL),
            Some("no-store"),
            "{what}"
        );
    }
    let signed_out = t.anonymous().get("/api/auth/me").await;
    signed_out.assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
    assert_eq!(signed_out.header(header::CACHE_CONTROL), Some("no-store"));
    // The app's files are revalidated, not forbidden from the cache: the service worker
    // precaches them through it.
    for path in ["/", "/sw.js", "/history"] {
        assert_eq!(
            t.get(path).await.header(header::CACHE_CONTROL),
            Some("no-cache"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_admin_page_has_no_inline_script_or_style() {
    let t = TestApp::new().await;
    let page = t.get("/admin").await.text();
    // Every <script> names a file; no style attribute or element, no on* handler.
    for tag in page.split("<script").skip(1) {
        let open = &tag[..tag.find('>').unwrap()];
        assert!(open.contains("src="), "inline script: <script{open}>");
        assert!(tag[open.len() + 1..].starts_with("</script>"), "{tag}");
    }
    assert!(!page.contains("<style"), "inline <style>");
    assert!(!page.contains("style="), "a style attribute");
    assert!(
        !page
            .split_whitespace()
            .any(|w| w.starts_with("on") && w.contains("=\"")),
        "an inline event handler"
    );
}

/// A body that sends `first` and then, every `every` (if any), one more byte, never
/// ending: a stalled upload (`None`) or a trickled one.
fn endless_body(first: &'static [u8], every: Option<Duration>) -> Body {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(1);
    tokio::spawn(async move {
        if tx.send(Ok(Bytes::from_static(first))).await.is_err() {
            return;
        }
        match every {
            None => tx.closed().await,
            Some(every) => loop {
                tokio::time::sleep(every).await;
                if tx.send(Ok(Bytes::from_static(b" "))).await.is_err() {
                    return;
                }
            },
        }
    });
    Body::from_stream(futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx)))
}

fn short_limits() -> Limits {
    Limits {
        request: Duration::from_millis(800),
        body_idle: Duration::from_millis(300),
        header_read: Duration::from_millis(500),
        tls_handshake: Duration::from_millis(500),
        ..Limits::default()
    }
}

#[tokio::test]
async fn a_stalled_upload_is_a_json_408() {
    let mut t = TestApp::new().await;
    t.state.limits = short_limits();
    let started = Instant::now();
    let response = t
        .call(
            Request::post("/api/sync/push")
                .header(header::CONTENT_TYPE, "application/json")
                .body(endless_body(b"{\"device\":", None))
                .unwrap(),
        )
        .await;
    let body = response.assert_error(StatusCode::REQUEST_TIMEOUT, "request_timeout");
    assert!(body.detail.contains("stopped arriving"), "{}", body.detail);
    assert!(started.elapsed() < Duration::from_millis(800));
    assert_security_headers(&response.headers, "a stalled upload");

    // The CSV import reads its body its own way: the same answer.
    let response = t
        .call(
            Request::post("/api/admin/import")
                .header(header::CONTENT_TYPE, "text/csv")
                .body(endless_body(b"school_id,", None))
                .unwrap(),
        )
        .await;
    response.assert_error(StatusCode::REQUEST_TIMEOUT, "request_timeout");
}

#[tokio::test]
async fn a_trickled_upload_is_cut_at_the_request_timeout_with_a_json_408() {
    let mut t = TestApp::new().await;
    t.state.limits = short_limits();
    let started = Instant::now();
    // A byte every 100 ms never trips the idle timeout; the request timeout ends it.
    let response = t
        .call(
            Request::post("/api/sync/push")
                .header(header::CONTENT_TYPE, "application/json")
                .body(endless_body(
                    b"{\"device\":",
                    Some(Duration::from_millis(100)),
                ))
                .unwrap(),
        )
        .await;
    let body = response.assert_error(StatusCode::REQUEST_TIMEOUT, "request_timeout");
    assert!(body.detail.contains("within 800ms"), "{}", body.detail);
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(800) && took < Duration::from_secs(3),
        "{took:?}"
    );
    assert_security_headers(&response.headers, "a request timeout");
}

/// Reads until the server closes the connection (or `limit` passes: a failure).
fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> String {
    stream.set_read_timeout(Some(limit)).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            // A reset after the answer is also a close.
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!(
                "connection still open after {limit:?} ({e}); got: {}",
                String::from_utf8_lossy(&got)
            ),
        }
    }
    String::from_utf8_lossy(&got).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_cannot_hold_a_connection() {
    let mut t = TestApp::new().await;
    t.state.limits = short_limits();
    let (addr, stop) = t.start_server(None).await;
    let session = t.session.clone().unwrap();

    let answers = tokio::task::spawn_blocking(move || {
        // A body that stops after 10 of its 100 bytes: a JSON 408, then the close.
        let mut stalled = TcpStream::connect(addr).unwrap();
        let head = format!(
            "POST /api/sync/push HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
             Cookie: gw_session={session}\r\nX-Gatewatch: 1\r\nContent-Length: 100\r\n\r\n"
        );
        stalled.write_all(head.as_bytes()).unwrap();
        stalled.write_all(b"{\"device\":").unwrap();
        let stalled = read_until_closed(&mut stalled, Duration::from_secs(5));

        // Headers that never end: the connection is closed.
        let started = Instant::now();
        let mut slow_headers = TcpStream::connect(addr).unwrap();
        slow_headers
            .write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\n")
            .unwrap();
        read_until_closed(&mut slow_headers, Duration::from_secs(5));
        (stalled, started.elapsed())
    })
    .await
    .unwrap();
    let (stalled, header_wait) = answers;
    assert!(stalled.starts_with("HTTP/1.1 408"), "{stalled}");
    assert!(
        stalled.contains("\"error\":\"request_timeout\""),
        "{stalled}"
    );
    assert!(
        stalled
            .to_ascii_lowercase()
            .contains("content-security-policy"),
        "{stalled}"
    );
    assert!(header_wait < Duration::from_secs(3), "{header_wait:?}");
    stop.send(()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_declared_over_the_limit_is_refused_at_once() {
    // The default limits: without the check, the server waits the body idle timeout
    // (15 s) for a body it would refuse, then answers 408.
    let t = TestApp::new().await;
    let (addr, stop) = t.start_server(None).await;
    let session = t.session.clone().unwrap();
    let too_big = [
        (
            "/api/sync/push",
            "application/json",
            gatewatch_server::MAX_BODY_BYTES,
            "",
        ),
        (
            "/api/sync/push",
            "application/json",
            gatewatch_server::MAX_BODY_BYTES,
            "Expect: 100-continue\r\n",
        ),
        (
            "/api/admin/import",
            "text/csv",
            gatewatch_server::MAX_IMPORT_BYTES,
            "",
        ),
        (
            "/api/admin/users/import",
            "text/csv",
            gatewatch_server::MAX_IMPORT_BYTES,
            "",
        ),
    ];
    for (path, content_type, limit, extra) in too_big {
        let session = session.clone();
        let answer = tokio::task::spawn_blocking(move || {
            let started = Instant::now();
            let mut stream = TcpStream::connect(addr).unwrap();
            let head = format!(
                "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\n\
                 Cookie: gw_session={session}\r\nX-Gatewatch: 1\r\n{extra}\
                 Content-Length: {}\r\n\r\n",
                limit + 1
            );
            stream.write_all(head.as_bytes()).unwrap();
            // The body's first bytes only: the rest never comes.
            stream.write_all(b"{").unwrap();
            (
                read_until_closed(&mut stream, Duration::from_secs(20)),
                started.elapsed(),
            )
        });
        let (answer, took) = answer.await.unwrap();
        assert!(
            answer.starts_with("HTTP/1.1 413"),
            "{path} {extra}: {answer}"
        );
        assert!(
            answer.contains("\"error\":\"payload_too_large\""),
            "{answer}"
        );
        assert!(
            answer.contains(&format!("larger than {limit} bytes")),
            "{answer}"
        );
        assert!(
            took < Duration::from_secs(5),
            "{path} {extra}: answered after {took:?}"
        );
    }
    stop.send(()).unwrap();
}

/// A self-signed certificate for 127.0.0.1 and localhost, written as PEM files.
fn self_signed(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf, Vec<u8>) {
    let certified =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    let cert_pem = certified.cert.pem();
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, &cert_pem).unwrap();
    std::fs::write(&key, certified.key_pair.serialize_pem()).unwrap();
    (cert, key, cert_pem.into_bytes())
}

#[tokio::test]
async fn the_tls_files_serve_https_with_hsts() {
    let t = TestApp::new().await;
    let (cert, key, cert_pem) = self_signed(t.dir.path());
    let tls = TlsConfig::from_pem_files(&cert, &key).unwrap();
    let (addr, stop) = t.start_server(Some(tls)).await;

    let client = reqwest::Client::builder()
        .use_rustls_tls()
        .add_root_certificate(reqwest::Certificate::from_pem(&cert_pem).unwrap())
        .build()
        .unwrap();
    for path in ["/api/health", "/", "/admin"] {
        let response = client
            .get(format!("https://{addr}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::OK, "{path}");
        assert_security_headers(response.headers(), path);
        assert_eq!(
            response.headers()[header::STRICT_TRANSPORT_SECURITY],
            HSTS,
            "{path}"
        );
    }
    let push = PushRequest {
        device: device(),
        records: vec![record(1, 100)],
    };
    // Over https the session cookie is Secure: never sent over plain http.
    let login = client
        .post(format!("https://{addr}/api/auth/login"))
        .header("x-gatewatch", "1")
        .json(&serde_json::json!({
            "username": "admin", "password": common::ADMIN_PASSWORD, "device": "tlsphone",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), reqwest::StatusCode::OK);
    // The session's: a login also sets a device cookie, in no set order.
    let set_cookie = login
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|c| c.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("gw_session="))
        .unwrap();
    for attribute in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    let session = set_cookie.split(';').next().unwrap().to_owned();
    let pushed = client
        .post(format!("https://{addr}/api/sync/push"))
        .header("x-gatewatch", "1")
        .header(header::COOKIE, session)
        .json(&push)
        .send()
        .await
        .unwrap();
    assert_eq!(pushed.status(), reqwest::StatusCode::OK);

    // The port speaks TLS only: a plain http request gets no answer.
    let plain = reqwest::Client::new()
        .get(format!("http://{addr}/api/health"))
        .timeout(Duration::from_secs(5))
        .send()
        .await;
    assert!(plain.is_err(), "{plain:?}");
    // An unknown certificate is refused by a client that checks it.
    let strict = reqwest::Client::builder().use_rustls_tls().build().unwrap();
    assert!(strict
        .get(format!("https://{addr}/api/health"))
        .send()
        .await
        .is_err());
    stop.send(()).unwrap();
}

#[tokio::test]
async fn bad_tls_files_are_refused_with_the_file_named() {
    let t = TestApp::new().await;
    let (cert, key, _) = self_signed(t.dir.path());
    let missing = t.dir.path().join("missing.pem");
    let other_dir = tempfile::tempdir().unwrap();
    let (_, other_key, _) = self_signed(other_dir.path());
    for (cert, key, names) in [
        (&missing, &key, &missing),
        (&cert, &missing, &missing),
        // A key as the certificate: no certificate in it.
        (&key, &key, &key),
        (&cert, &other_key, &other_key),
    ] {
        let error = TlsConfig::from_pem_files(cert, key).unwrap_err();
        assert!(matches!(error, StartError::Tls { .. }), "{error}");
        let text = error.to_string();
        assert!(text.contains(&names.display().to_string()), "{text}");
    }
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

fn post(uri: &str, body: Vec<u8>) -> Request<Body> {
    Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .unwrap()
}
