//! The accept loop: plain http or https (rustls) on a bound listener, with the
//! connection's own limits and a graceful shutdown. Ours rather than `axum::serve`,
//! which has neither a header-read timeout nor TLS.
//!
//! Every phase of a connection has a deadline, so silent or half-open peers cannot
//! pile up until the process runs out of file descriptors: the TLS handshake, the first
//! request (whatever arrives before it: nothing, a few bytes, an HTTP/2 preface and
//! SETTINGS), the headers of each request, the wait between requests (HTTP/1
//! keep-alive, HTTP/2 with no open stream), and an HTTP/2 peer that stops answering
//! pings. And connections are capped (`Limits::max_connections`, see `Connections`).

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request};
use axum::response::Response;
use axum::Router;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::time::Instant;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::error::StartError;
use crate::security::Limits;

/// A certificate chain and its private key, ready to serve https.
#[derive(Clone)]
pub struct TlsConfig(Arc<ServerConfig>);

impl std::fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TlsConfig")
    }
}

impl TlsConfig {
    /// Reads a PEM certificate chain (the server's certificate first) and a PEM private
    /// key (PKCS#8, PKCS#1 or SEC1). The errors name the file and what is wrong.
    pub fn from_pem_files(cert: &Path, key: &Path) -> Result<Self, StartError> {
        let tls_error = |path: &Path, detail: String| StartError::Tls {
            path: path.to_owned(),
            detail,
        };
        let chain = CertificateDer::pem_file_iter(cert)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|e| tls_error(cert, e.to_string()))?;
        if chain.is_empty() {
            return Err(tls_error(cert, "no PEM certificate in it".into()));
        }
        let key_der =
            PrivateKeyDer::from_pem_file(key).map_err(|e| tls_error(key, e.to_string()))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .and_then(|b| b.with_no_client_auth().with_single_cert(chain, key_der))
            .map_err(|e| tls_error(key, format!("does not fit the certificate: {e}")))?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Self(Arc::new(config)))
    }
}

/// Serves `app` on `listener` (over TLS when `tls` is given) until `shutdown`
/// completes, then lets requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    tls: Option<TlsConfig>,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let acceptor = tls.map(|TlsConfig(config)| TlsAcceptor::from(config));
    let graceful = GracefulShutdown::new();
    let connections = Arc::new(Connections::new(
        limits.max_connections,
        limits.keep_alive_idle,
    ));
    let mut shutdown = pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    // (A peer that reset before accept is not worth a log line.)
                    if !is_connection_error(&e) {
                        tracing::error!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let admitted = tokio::select! {
            admitted = connections.admit(peer.ip()) => admitted,
            () = &mut shutdown => break,
        };
        let app = app.clone();
        let watcher = graceful.watcher();
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let activity = admitted.activity.clone();
            tokio::select! {
                () = handshake_and_serve(tcp, acceptor, peer, app, limits, watcher, activity.clone()) => {}
                () = activity.idle_past_deadline(limits) => {
                    tracing::debug!(%peer, "closed a connection that sent no request in time");
                }
                () = activity.evicted.notified() => {
                    tracing::debug!(%peer, "closed the connection idle the longest: at the cap");
                }
            }
            drop(admitted);
        });
    }
    drop(listener);
    // Bounded: a request ends within `limits.request`, but a slow download need not.
    let grace = limits.request + Duration::from_secs(5);
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open {grace:?} after shutdown began: closing them");
    }
}

/// The TLS handshake if there is one, then the connection.
async fn handshake_and_serve(
    tcp: TcpStream,
    acceptor: Option<TlsAcceptor>,
    peer: SocketAddr,
    app: Router,
    limits: Limits,
    watcher: Watcher,
    activity: Arc<Activity>,
) {
    let Some(acceptor) = acceptor else {
        return connection(tcp, peer, app, limits, watcher, activity).await;
    };
    match tokio::time::timeout(limits.tls_handshake, acceptor.accept(tcp)).await {
        Ok(Ok(tls)) => connection(tls, peer, app, limits, watcher, activity).await,
        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
    }
}

/// One connection, http/1.1 or h2, until the peer or the shutdown closes it (or the
/// caller drops it: idle too long, or evicted at the cap). Each request carries the
/// peer's address (`ConnectInfo`): the login rate limit counts failures per address.
/// Each request counts as in flight until its answer's body is sent.
async fn connection<I>(
    io: I,
    peer: SocketAddr,
    app: Router,
    limits: Limits,
    watcher: Watcher,
    activity: Arc<Activity>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = tower::service_fn(move |request: Request<Incoming>| {
        let in_flight = InFlight::begin(activity.clone());
        let mut request = request.map(Body::new);
        request.extensions_mut().insert(ConnectInfo(peer));
        let app = app.clone();
        async move {
            let response: Response = app.oneshot(request).await?;
            Ok::<_, std::convert::Infallible>(
                response.map(|body| Body::new(TrackedBody::new(body, in_flight))),
            )
        }
    });
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read);
    // Pings find a peer gone mid-answer; an h2 connection with no stream open is closed
    // by the idle deadline instead (its pongs would keep it alive forever).
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(limits.h2_ping)
        .keep_alive_timeout(limits.h2_ping);
    let conn =
        builder.serve_connection_with_upgrades(TokioIo::new(io), TowerToHyperService::new(service));
    if let Err(e) = watcher.watch(conn).await {
        // Peers that go away mid-request are ordinary on phones.
        tracing::debug!(error = %e, "connection ended with an error");
    }
}

fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    matches!(
        e.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    )
}

/// The open connections, for the cap. At the cap a new connection is still accepted:
/// an idle one (no request in flight, or an answer nobody reads) is closed to make room
/// — of the address holding the most connections, the one idle the longest. Not accepting instead would let whoever holds the connections (silent
/// sockets, or phones that went out of coverage mid-keep-alive) shut everyone else out
/// until their deadlines pass, while the kernel's backlog queued real requests behind
/// them; closing an idle connection costs its peer at most a reconnect. Only when every
/// connection has a request in flight does the loop wait for one to end: that is real
/// load, and the backlog is the right place for the next one.
struct Connections {
    cap: usize,
    /// How long an answer may go unread before its connection counts as idle.
    send_stall: Duration,
    open: Mutex<HashMap<u64, Arc<Activity>>>,
    next_id: AtomicU64,
    /// Signalled whenever a connection ends.
    ended: Notify,
}

impl Connections {
    fn new(cap: usize, send_stall: Duration) -> Self {
        Self {
            cap: cap.max(1),
            send_stall,
            open: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
            ended: Notify::new(),
        }
    }

    fn open(&self) -> MutexGuard<'_, HashMap<u64, Arc<Activity>>> {
        // The map stays consistent whatever panicked while holding it.
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A place for a new connection: at once under the cap or by closing the
    /// connection idle the longest, else when a connection ends.
    async fn admit(self: &Arc<Self>, peer: IpAddr) -> Admitted {
        loop {
            // Registered before looking, so an end in between is not missed.
            let ended = self.ended.notified();
            if let Some(admitted) = self.try_admit(peer) {
                return admitted;
            }
            tracing::warn!(
                cap = self.cap,
                "every connection has a request in flight: waiting for one to end"
            );
            ended.await;
        }
    }

    /// Under the cap, a place at once. At the cap, the connection to close is an idle
    /// one of the address holding the most connections (a flood from one place evicts
    /// its own sockets, not a phone's that has not sent its request yet), the one idle
    /// the longest among those.
    fn try_admit(self: &Arc<Self>, peer: IpAddr) -> Option<Admitted> {
        let mut open = self.open();
        if open.len() >= self.cap {
            let now = Instant::now();
            let mut per_address: HashMap<IpAddr, usize> = HashMap::new();
            for activity in open.values() {
                *per_address.entry(activity.peer).or_default() += 1;
            }
            let oldest_idle = open
                .iter()
                .filter(|(_, activity)| activity.closable(self.send_stall, now))
                .min_by_key(|(_, activity)| {
                    let held = per_address.get(&activity.peer).copied().unwrap_or(0);
                    (std::cmp::Reverse(held), activity.idle_since())
                })
                .map(|(id, _)| *id)?;
            if let Some(evicted) = open.remove(&oldest_idle) {
                evicted.evicted.notify_one();
            }
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let activity = Arc::new(Activity::new(peer));
        open.insert(id, activity.clone());
        Some(Admitted {
            id,
            activity,
            connections: self.clone(),
        })
    }
}

/// A connection's place among the open ones, given back when it is dropped.
struct Admitted {
    id: u64,
    activity: Arc<Activity>,
    connections: Arc<Connections>,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        // Already gone if it was evicted.
        self.connections.open().remove(&self.id);
        self.connections.ended.notify_one();
    }
}

/// Whether a connection is in use: its requests in flight (from their headers to the
/// end of their answer's body), since when it has been idle, whether it has been
/// answered yet, and whether the peer is still reading the answers being sent.
struct Activity {
    /// Where the connection comes from.
    peer: IpAddr,
    in_flight: AtomicUsize,
    /// Answers whose bodies are being sent.
    sending: AtomicUsize,
    /// When an answer's body last moved on (started, or a piece taken by the peer).
    progress: Mutex<Instant>,
    answered: AtomicBool,
    idle_since: Mutex<Instant>,
    /// Signalled when a request ends or its answer starts: the deadlines move.
    changed: Notify,
    /// Told to close at the cap.
    evicted: Notify,
}

impl Activity {
    fn new(peer: IpAddr) -> Self {
        Self {
            peer,
            in_flight: AtomicUsize::new(0),
            sending: AtomicUsize::new(0),
            progress: Mutex::new(Instant::now()),
            answered: AtomicBool::new(false),
            idle_since: Mutex::new(Instant::now()),
            changed: Notify::new(),
            evicted: Notify::new(),
        }
    }

    fn idle_since(&self) -> Instant {
        *self
            .idle_since
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn progressed(&self) {
        *self.progress.lock().unwrap_or_else(PoisonError::into_inner) = Instant::now();
    }

    /// When the answer being sent stalls for good: `stall` after its last progress (a
    /// peer that never reads — hyper has no write deadline — would otherwise keep the
    /// request in flight, and the connection, forever). `None` while nothing is sent.
    fn stalls_at(&self, stall: Duration) -> Option<Instant> {
        (self.sending.load(Ordering::Acquire) > 0)
            .then(|| *self.progress.lock().unwrap_or_else(PoisonError::into_inner) + stall)
    }

    /// Whether the connection may be closed at the cap: no request in flight, or an
    /// answer nobody reads.
    fn closable(&self, stall: Duration, now: Instant) -> bool {
        self.in_flight.load(Ordering::Acquire) == 0
            || self.stalls_at(stall).is_some_and(|at| at <= now)
    }

    /// Completes once the connection has had no request in flight for longer than it
    /// may: `header_read` before its first request, `keep_alive_idle` after.
    async fn idle_past_deadline(&self, limits: Limits) {
        loop {
            // Registered before looking, so a change in between is not missed.
            let changed = self.changed.notified();
            let allowed = match self.answered.load(Ordering::Acquire) {
                true => limits.keep_alive_idle,
                false => limits.header_read,
            };
            let now = Instant::now();
            let stalls_at = self.stalls_at(limits.keep_alive_idle);
            if stalls_at.is_some_and(|at| at <= now) {
                return;
            }
            let wake = match self.in_flight.load(Ordering::Acquire) {
                0 => self.idle_since() + allowed,
                // Busy: look again once it could have become idle for long enough, or
                // its answer stalled.
                _ => stalls_at.map_or(now + allowed, |at| at.min(now + allowed)),
            };
            if wake <= now && self.in_flight.load(Ordering::Acquire) == 0 {
                return;
            }
            tokio::select! {
                () = tokio::time::sleep_until(wake) => {}
                () = changed => {}
            }
        }
    }
}

/// One request in flight on a connection, until dropped.
struct InFlight(Arc<Activity>);

impl InFlight {
    fn begin(activity: Arc<Activity>) -> Self {
        activity.in_flight.fetch_add(1, Ordering::AcqRel);
        activity.answered.store(true, Ordering::Release);
        Self(activity)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        // The clock first: the idle deadline must not see the old time with no request.
        *self
            .0
            .idle_since
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Instant::now();
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
        self.0.changed.notify_waiters();
    }
}

/// An answer's body that keeps its request in flight until hyper has sent it (or
/// dropped it): a long download is not an idle connection, as long as the peer takes
/// its pieces (`Activity::stalls_at`).
struct TrackedBody {
    body: Body,
    in_flight: InFlight,
}

impl TrackedBody {
    fn new(body: Body, in_flight: InFlight) -> Self {
        in_flight.0.sending.fetch_add(1, Ordering::AcqRel);
        in_flight.0.progressed();
        // The deadline watcher may be asleep until the keep-alive deadline: from now on
        // it must also look for a stall.
        in_flight.0.changed.notify_waiters();
        Self { body, in_flight }
    }
}

impl Drop for TrackedBody {
    fn drop(&mut self) {
        self.in_flight.0.sending.fetch_sub(1, Ordering::AcqRel);
    }
}

impl hyper::body::Body for TrackedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let frame = Pin::new(&mut self.body).poll_frame(cx);
        // hyper asks for the next piece once the last one is written out.
        if let Poll::Ready(Some(Ok(_))) = &frame {
            self.in_flight.0.progressed();
        }
        frame
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
