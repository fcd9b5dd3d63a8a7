//! Connections through the real accept loop on loopback: silent ones, ones that sent
//! only an HTTP/2 preface, idle keep-alive (HTTP/1 and HTTP/2), an HTTP/2 peer that
//! stops answering pings, and the connection cap — each closed by the server in time
//! while ordinary requests keep being answered.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::TestApp;
use gatewatch_server::Limits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

/// The client half of an HTTP/2 connection's start: the preface, then empty SETTINGS.
fn h2_preface() -> Vec<u8> {
    let mut bytes = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    bytes.extend(h2_frame(0x4, 0, 0, &[]));
    bytes
}

/// One HTTP/2 frame: 24-bit length, type, flags, stream id.
fn h2_frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let length = u32::try_from(payload.len()).unwrap().to_be_bytes();
    let mut frame = length[1..].to_vec();
    frame.extend([kind, flags]);
    frame.extend(stream.to_be_bytes());
    frame.extend(payload);
    frame
}

/// A HEADERS frame on stream 1 (end of headers; end of stream unless a body follows),
/// each header a literal without indexing (HPACK, no Huffman coding).
fn h2_request(method: &str, path: &str, headers: &[(&str, &str)], body_follows: bool) -> Vec<u8> {
    let mut block = Vec::new();
    let pseudo = [
        (":method", method),
        (":scheme", "http"),
        (":path", path),
        (":authority", "x"),
    ];
    for (name, value) in pseudo.iter().chain(headers) {
        block.push(0x00);
        for text in [name, value] {
            block.push(u8::try_from(text.len()).unwrap());
            block.extend(text.as_bytes());
        }
    }
    let flags = if body_follows { 0x4 } else { 0x4 | 0x1 };
    h2_frame(0x1, flags, 1, &block)
}

/// Reads until the server closes the connection; whether it did before `deadline`.
async fn closed_by(stream: &mut TcpStream, deadline: Instant) -> bool {
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => {}
            Err(_) => return false,
        }
    }
}

/// `/api/health` on a new connection, as a phone that just came online sends it.
async fn health(addr: SocketAddr) -> Result<reqwest::StatusCode, reqwest::Error> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(5))
        .build()?;
    let answer = client
        .get(format!("http://{addr}/api/health"))
        .send()
        .await?;
    Ok(answer.status())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_connections_are_closed_and_requests_still_answered() {
    // 550 sockets here and up to 100 on the server's side in one process.
    rlimit::increase_nofile_limit(4096).unwrap();
    let mut t = TestApp::new().await;
    // The default deadlines; a cap well under the flood, so the cap is exercised too.
    t.state.limits = Limits {
        max_connections: 100,
        ..Limits::default()
    };
    let (addr, stop) = t.start_server(None).await;
    let started = Instant::now();
    let mut sockets = Vec::new();
    for n in 0..550 {
        let mut socket = TcpStream::connect(addr).await.unwrap();
        if n % 11 == 0 {
            socket.write_all(&h2_preface()).await.unwrap();
        }
        sockets.push(socket);
    }
    let deadline = started + Duration::from_secs(20);
    let watchers: Vec<_> = sockets
        .into_iter()
        .map(|mut socket| tokio::spawn(async move { closed_by(&mut socket, deadline).await }))
        .collect();

    // Meanwhile, a phone's requests are answered.
    let mut answered = 0;
    while Instant::now() + Duration::from_secs(2) < deadline && answered < 30 {
        assert_eq!(health(addr).await.unwrap(), reqwest::StatusCode::OK);
        answered += 1;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let mut open = 0;
    for watcher in watchers {
        if !watcher.await.unwrap() {
            open += 1;
        }
    }
    assert_eq!(open, 0, "{open} of 550 silent connections open after 20 s");
    assert_eq!(health(addr).await.unwrap(), reqwest::StatusCode::OK);
    stop.send(()).unwrap();
}

/// Short deadlines for one phase; the others long enough not to interfere.
fn limits(tune: impl FnOnce(&mut Limits)) -> Limits {
    let mut limits = Limits {
        request: Duration::from_secs(60),
        body_idle: Duration::from_secs(60),
        header_read: Duration::from_secs(60),
        keep_alive_idle: Duration::from_secs(60),
        h2_ping: Duration::from_secs(60),
        ..Limits::default()
    };
    tune(&mut limits);
    limits
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_keep_alive_connections_are_closed() {
    let mut t = TestApp::new().await;
    t.state.limits = limits(|l| l.keep_alive_idle = Duration::from_millis(500));
    let (addr, stop) = t.start_server(None).await;

    let mut http1 = TcpStream::connect(addr).await.unwrap();
    http1
        .write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut h2 = TcpStream::connect(addr).await.unwrap();
    h2.write_all(&h2_preface()).await.unwrap();
    h2.write_all(&h2_request("GET", "/api/health", &[], false))
        .await
        .unwrap();
    // Answered (the answer is read with the rest), then closed once idle.
    let deadline = Instant::now() + Duration::from_secs(5);
    assert!(closed_by(&mut http1, deadline).await, "HTTP/1 kept alive");
    assert!(
        closed_by(&mut h2, deadline).await,
        "HTTP/2 with no stream kept open"
    );
    stop.send(()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http2_peer_that_stops_answering_pings_is_dropped() {
    let mut t = TestApp::new().await;
    t.state.limits = limits(|l| l.h2_ping = Duration::from_millis(300));
    let (addr, stop) = t.start_server(None).await;
    let mut h2 = TcpStream::connect(addr).await.unwrap();
    h2.write_all(&h2_preface()).await.unwrap();
    // A login whose body never comes: the stream stays open, the request in flight;
    // this client never answers the server's pings.
    let headers = [("content-type", "application/json"), ("x-gatewatch", "1")];
    h2.write_all(&h2_request("POST", "/api/auth/login", &headers, true))
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    assert!(closed_by(&mut h2, deadline).await, "a dead peer kept");
    stop.send(()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_that_never_reads_its_answer_is_dropped() {
    let mut t = TestApp::new().await;
    // Far more than the kernel's socket buffers hold: the answer stalls.
    const FILE: usize = 32 * 1024 * 1024;
    std::fs::write(t.dist().join("big.bin"), vec![7u8; FILE]).unwrap();
    t.state.limits = limits(|l| l.keep_alive_idle = Duration::from_millis(500));
    let (addr, stop) = t.start_server(None).await;
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut reader = socket.connect(addr).await.unwrap();
    reader
        .write_all(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    // Reads nothing for a while: the server's answer stops moving.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mut received = 0;
    let mut buf = vec![0u8; 64 * 1024];
    let deadline = Instant::now() + Duration::from_secs(20);
    let closed = loop {
        match tokio::time::timeout_at(deadline, reader.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break true,
            Ok(Ok(n)) => received += n,
            Err(_) => break false,
        }
    };
    assert!(closed, "the connection was never closed");
    assert!(
        received < FILE,
        "the whole answer waited for a peer that did not read ({received} bytes)"
    );
    assert_eq!(health(addr).await.unwrap(), reqwest::StatusCode::OK);
    stop.send(()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_cap_a_flood_evicts_its_own_sockets_not_a_phone_about_to_ask() {
    let mut t = TestApp::new().await;
    t.state.limits = limits(|l| l.max_connections = 20);
    let (addr, stop) = t.start_server(None).await;
    // A phone on a slow network: connected, its request not sent yet.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.2:0".parse().unwrap()).unwrap();
    let mut phone = socket.connect(addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    // Meanwhile one address opens twice the cap in silent sockets.
    let mut flood = Vec::new();
    for _ in 0..40 {
        flood.push(TcpStream::connect(addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    phone
        .write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), phone.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "no answer in time");
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "the phone was cut off: {answer:?}"
    );
    drop(flood);
    stop.send(()).unwrap();
}
