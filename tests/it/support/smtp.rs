//! A small SMTP server on loopback for the mail tests: it speaks just enough SMTP for lettre
//! (no TLS, no AUTH), keeps every message it accepts, and can refuse mails, for a while or for
//! good, or stop listening altogether (a relay that is down).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// How the sink answers a mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Accept,
    /// 451: try again later.
    Later,
    /// 550: refused for good.
    Never,
}

/// One accepted message: its envelope and its raw data.
#[derive(Debug, Clone)]
pub struct Received {
    pub to: Vec<String>,
    pub data: String,
}

impl Received {
    pub fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default()
            .parse(self.data.as_bytes())
            .expect("a message the parser reads")
    }
}

pub struct SmtpSink {
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    answer: Arc<Mutex<Answer>>,
    /// How long the sink takes to accept a message (a slow relay, for the mail bench).
    #[allow(dead_code)]
    delay: Arc<Mutex<std::time::Duration>>,
    task: Option<JoinHandle<()>>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        Self::start_on("127.0.0.1:0".parse().expect("addr")).await
    }

    /// Listens on `addr` (a port a stopped sink used, to bring a relay back).
    pub async fn start_on(addr: SocketAddr) -> SmtpSink {
        let listener = TcpListener::bind(addr).await.expect("bind the sink");
        let addr = listener.local_addr().expect("addr");
        let received = Arc::new(Mutex::new(Vec::new()));
        let answer = Arc::new(Mutex::new(Answer::Accept));
        let delay = Arc::new(Mutex::new(std::time::Duration::ZERO));
        let (r, a, d) = (received.clone(), answer.clone(), delay.clone());
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve(socket, r.clone(), a.clone(), d.clone()));
            }
        });
        SmtpSink {
            addr,
            received,
            answer,
            delay,
            task: Some(task),
        }
    }

    pub fn answer(&self, answer: Answer) {
        *self.answer.lock().expect("lock") = answer;
    }

    /// Makes the sink take `delay` to accept each message (the mail bench's slow relay).
    #[allow(dead_code)]
    pub fn delay(&self, delay: std::time::Duration) {
        *self.delay.lock().expect("lock") = delay;
    }

    /// How many messages it accepted (the mail bench's drain rate).
    #[allow(dead_code)]
    pub fn count(&self) -> usize {
        self.received.lock().expect("lock").len()
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }

    /// Stops listening: connections are refused until a sink starts on the same port.
    pub async fn stop(mut self) -> SocketAddr {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
        self.addr
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

async fn serve(
    socket: tokio::net::TcpStream,
    received: Arc<Mutex<Vec<Received>>>,
    answer: Arc<Mutex<Answer>>,
    delay: Arc<Mutex<std::time::Duration>>,
) {
    // Replies are small writes: without this, Nagle's algorithm and delayed ACKs add tens of
    // milliseconds to each one.
    let _ = socket.set_nodelay(true);
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    let mut to = Vec::new();
    if write.write_all(b"220 sink ESMTP\r\n").await.is_err() {
        return;
    }
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        let now = *answer.lock().expect("lock");
        let out = match verb.as_str() {
            "EHLO" => "250-sink\r\n250 8BITMIME\r\n",
            "HELO" | "RSET" | "NOOP" => "250 OK\r\n",
            "MAIL" => match now {
                Answer::Later => "451 4.3.0 try again later\r\n",
                _ => "250 OK\r\n",
            },
            "RCPT" => {
                if now == Answer::Never {
                    "550 5.1.1 no such mailbox\r\n"
                } else {
                    let address = line.trim().trim_start_matches(|c| c != '<');
                    to.push(address.trim_matches(['<', '>']).to_owned());
                    "250 OK\r\n"
                }
            }
            "DATA" => {
                if write.write_all(b"354 go ahead\r\n").await.is_err() {
                    return;
                }
                let mut data = String::new();
                loop {
                    let mut part = String::new();
                    if lines.read_line(&mut part).await.unwrap_or(0) == 0 {
                        return;
                    }
                    if part == ".\r\n" {
                        break;
                    }
                    // Dot-stuffing: a line starting with a dot was sent with two.
                    data.push_str(part.strip_prefix('.').unwrap_or(&part));
                }
                let wait = *delay.lock().expect("lock");
                tokio::time::sleep(wait).await;
                received.lock().expect("lock").push(Received {
                    to: std::mem::take(&mut to),
                    data,
                });
                "250 OK queued\r\n"
            }
            "QUIT" => {
                let _ = write.write_all(b"221 bye\r\n").await;
                return;
            }
            _ => "500 what?\r\n",
        };
        if write.write_all(out.as_bytes()).await.is_err() {
            return;
        }
    }
}
