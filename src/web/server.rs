//! The HTTP server loop: every connection is admitted under a global cap and a per-address cap,
//! and is closed when it idles between requests, takes too long to send a request head, or too
//! long to send a request body. Hostile clients that open sockets and stay silent, or send a
//! byte now and then, cannot hold the server.
//!
//! hyper's own `header_read_timeout` starts as soon as it waits for a head, so on a kept-alive
//! connection it would also cut the idle wait: the two limits are told apart here, by a small
//! watchdog per connection that sees when a head begins (first bytes while no request is in
//! flight) and when a response ends. axum's `serve` offers none of these limits.
//!
//! Invariant: the clock of every limit is tokio's; a closed connection is simply dropped, as
//! the client would see after a network failure.

use crate::config::IpRange;
use crate::domain::session::throttle::address_key;
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::{Instant, Sleep};
use tower_service::Service;

/// The limits of `[http]` in the configuration.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Once a request head has begun, it must be complete within this time.
    pub header_timeout: Duration,
    /// A kept-alive connection waiting for its next request is closed after this time.
    pub idle_timeout: Duration,
    /// A request body must be received whole within this time of its head.
    pub body_timeout: Duration,
    pub max_connections: usize,
    /// Not applied to trusted proxies, whose connections carry many clients.
    pub max_connections_per_address: usize,
    pub trusted_proxies: Arc<[IpRange]>,
}

/// Serves `router` on `listener` until `shutdown` completes, then lets requests in flight
/// finish (at most 30 s).
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    limits: Limits,
) -> std::io::Result<()> {
    let admission = Arc::new(Admission::default());
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(found) => found,
                Err(e) => {
                    // Out of file descriptors, most likely: wait a little rather than spin.
                    tracing::warn!("cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let limits = limits.clone();
        let Some(ticket) = admission.admit(peer.ip(), &limits) else {
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let state = Arc::new(Mutex::new(ConnState::new()));
        let io = TokioIo::new(Watched {
            inner: stream,
            state: Arc::clone(&state),
        });
        let body_timeout = limits.body_timeout;
        let service = hyper::service::service_fn({
            let (router, state) = (router.clone(), Arc::clone(&state));
            move |request: Request<Incoming>| {
                started(&state);
                let (mut parts, body) = request.into_parts();
                parts.extensions.insert(ConnectInfo(peer));
                let body = Body::new(Deadline {
                    inner: body,
                    deadline: Instant::now() + body_timeout,
                    sleep: None,
                });
                let mut router = router.clone();
                let state = Arc::clone(&state);
                async move {
                    let response = router.call(Request::from_parts(parts, body)).await?;
                    Ok::<_, std::convert::Infallible>(response.map(|body| {
                        Body::new(Finished {
                            inner: body,
                            state: Some(state),
                        })
                    }))
                }
            }
        });
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .serve_connection(io, service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            tokio::select! {
                _ = connection => {},
                () = watchdog(&state, &limits) => {},
            }
            drop(ticket);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {},
        () = tokio::time::sleep(Duration::from_secs(30)) => {
            tracing::warn!("stopping with connections still open after 30 s");
        }
    }
    Ok(())
}

/// What a connection is doing, as the watchdog sees it.
struct ConnState {
    /// Requests whose response has not been sent whole yet.
    in_flight: usize,
    /// When the first bytes of the next request head arrived, while no request was in flight.
    head_since: Option<Instant>,
    /// When the connection last finished a response (or was accepted).
    idle_since: Instant,
}

impl ConnState {
    fn new() -> ConnState {
        ConnState {
            in_flight: 0,
            head_since: None,
            idle_since: Instant::now(),
        }
    }
}

fn started(state: &Mutex<ConnState>) {
    if let Ok(mut s) = state.lock() {
        s.in_flight += 1;
        s.head_since = None;
    }
}

/// Completes when the connection has overstayed: idle, or slow to send a request head.
async fn watchdog(state: &Mutex<ConnState>, limits: &Limits) {
    loop {
        let deadline = match state.lock() {
            Ok(s) if s.in_flight > 0 => None,
            Ok(s) => Some(match s.head_since {
                Some(since) => since + limits.header_timeout,
                None => s.idle_since + limits.idle_timeout,
            }),
            Err(_) => return,
        };
        let now = Instant::now();
        match deadline {
            Some(deadline) if deadline <= now => return,
            Some(deadline) => tokio::time::sleep_until(deadline.min(now + CHECK_EVERY)).await,
            None => tokio::time::sleep(CHECK_EVERY).await,
        }
    }
}

/// How often the watchdog looks again while a request is in flight or before a deadline.
const CHECK_EVERY: Duration = Duration::from_millis(250);

/// The socket, noting when a request head begins.
struct Watched {
    inner: tokio::net::TcpStream,
    state: Arc<Mutex<ConnState>>,
}

impl tokio::io::AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before
            && let Ok(mut s) = self.state.lock()
            && s.in_flight == 0
            && s.head_since.is_none()
        {
            s.head_since = Some(Instant::now());
        }
        polled
    }
}

impl tokio::io::AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    // Without these hyper copies every response body behind its head to send one buffer;
    // with them it hands the socket both as they are, in one `writev`.
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A request body that fails once its time is up, whatever the client is still sending. Its
/// timer is set only when a body is actually read, so that requests without one cost nothing.
struct Deadline {
    inner: Incoming,
    deadline: Instant,
    sleep: Option<Pin<Box<Sleep>>>,
}

impl HttpBody for Deadline {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if self.inner.is_end_stream() {
            return Pin::new(&mut self.inner)
                .poll_frame(cx)
                .map_err(|e| Box::new(e) as Self::Error);
        }
        let deadline = self.deadline;
        let sleep = self
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        if sleep.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err("the request body took too long to arrive".into())));
        }
        Pin::new(&mut self.inner)
            .poll_frame(cx)
            .map_err(|e| Box::new(e) as Self::Error)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// A response body that tells the connection when it is done (sent whole, or dropped).
struct Finished {
    inner: Body,
    state: Option<Arc<Mutex<ConnState>>>,
}

impl Finished {
    fn done(&mut self) {
        if let Some(state) = self.state.take()
            && let Ok(mut s) = state.lock()
        {
            s.in_flight = s.in_flight.saturating_sub(1);
            s.idle_since = Instant::now();
        }
    }
}

impl Drop for Finished {
    fn drop(&mut self) {
        self.done();
    }
}

impl HttpBody for Finished {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None)) {
            self.done();
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Connections open now, in all and per address (IPv6 by /64: one host holds a whole /64).
#[derive(Default)]
struct Admission {
    open: Mutex<(usize, HashMap<IpAddr, usize>)>,
    /// When a refusal was last logged, so that a flood gives one line every few seconds.
    logged: Mutex<Option<Instant>>,
}

/// Holds a connection's place; gives it back when dropped.
struct Ticket {
    admission: Arc<Admission>,
    key: IpAddr,
}

impl Admission {
    fn admit(self: &Arc<Self>, ip: IpAddr, limits: &Limits) -> Option<Ticket> {
        let key = address_key(ip);
        let mut open = self.open.lock().ok()?;
        let (total, per_address) = &mut *open;
        let mine = per_address.get(&key).copied().unwrap_or(0);
        let proxy = limits.trusted_proxies.iter().any(|p| p.contains(ip));
        if *total >= limits.max_connections
            || (!proxy && mine >= limits.max_connections_per_address)
        {
            let (total, mine) = (*total, mine);
            drop(open);
            self.log_refusal(key, total, mine, limits);
            return None;
        }
        *total += 1;
        per_address.insert(key, mine + 1);
        Some(Ticket {
            admission: Arc::clone(self),
            key,
        })
    }

    fn log_refusal(&self, key: IpAddr, total: usize, mine: usize, limits: &Limits) {
        let Ok(mut logged) = self.logged.lock() else {
            return;
        };
        if logged.is_some_and(|at| at.elapsed() < Duration::from_secs(10)) {
            return;
        }
        *logged = Some(Instant::now());
        tracing::warn!(
            "refusing connections from {key}: {mine} open from there (limit {}), {total} in all \
             (limit {}); see [http] in the configuration",
            limits.max_connections_per_address,
            limits.max_connections
        );
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if let Ok(mut open) = self.admission.open.lock() {
            let (total, per_address) = &mut *open;
            *total = total.saturating_sub(1);
            if let Some(n) = per_address.get_mut(&self.key) {
                *n -= 1;
                if *n == 0 {
                    per_address.remove(&self.key);
                }
            }
        }
    }
}
