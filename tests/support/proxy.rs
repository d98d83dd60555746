//! An HTTP CONNECT proxy and a SOCKS5 proxy for tests, on 127.0.0.1.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::AsyncWriteExt;

/// How the test proxy answers a CONNECT.
#[derive(Clone)]
pub enum Mode {
    /// Opens every tunnel.
    Open,
    /// Opens tunnels for this `Proxy-Authorization` value only; 407 otherwise.
    Auth(String),
    /// Refuses every tunnel with 403.
    Forbidden,
}

/// An HTTP CONNECT proxy that counts the tunnels it opened and keeps the
/// request heads it read (so a test sees what the proxy could see).
pub struct Proxy {
    pub port: u16,
    tunnels: Arc<AtomicUsize>,
    pub heads: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    pub fn start(rt: &tokio::runtime::Runtime, mode: Mode) -> Proxy {
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        let tunnels = Arc::new(AtomicUsize::new(0));
        let heads = Arc::new(Mutex::new(Vec::new()));
        let (count, seen) = (tunnels.clone(), heads.clone());
        rt.spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let (mode, count, seen) = (mode.clone(), count.clone(), seen.clone());
                tokio::spawn(async move {
                    let head = super::read_head(&mut client).await;
                    seen.lock().unwrap().push(head.clone());
                    let target = head
                        .strip_prefix("CONNECT ")
                        .and_then(|rest| rest.split(' ').next())
                        .map(str::to_string);
                    let authorized = |expected: &str| {
                        head.lines().any(|l| {
                            l.to_ascii_lowercase().starts_with("proxy-authorization:")
                                && l[l.find(':').unwrap() + 1..].trim() == expected
                        })
                    };
                    let answer = match (&mode, &target) {
                        (_, None) => "HTTP/1.1 405 Method Not Allowed\r\n\r\n",
                        (Mode::Forbidden, _) => "HTTP/1.1 403 Forbidden\r\n\r\n",
                        (Mode::Auth(expected), _) if !authorized(expected) => {
                            "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\n\r\n"
                        }
                        _ => "",
                    };
                    if !answer.is_empty() {
                        let _ = client.write_all(answer.as_bytes()).await;
                        return;
                    }
                    let Ok(mut upstream) =
                        tokio::net::TcpStream::connect(target.unwrap().as_str()).await
                    else {
                        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
                        return;
                    };
                    count.fetch_add(1, Ordering::SeqCst);
                    let _ = client
                        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                        .await;
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                });
            }
        });
        Proxy {
            port,
            tunnels,
            heads,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn tunnels(&self) -> usize {
        self.tunnels.load(Ordering::SeqCst)
    }
}

/// A SOCKS5 proxy that counts the connections it opened: without
/// authentication, or asking for this username and password (RFC 1929).
/// Returns its URL.
pub fn socks5(
    rt: &tokio::runtime::Runtime,
    auth: Option<(&str, &str)>,
) -> (String, Arc<AtomicUsize>) {
    use tokio::io::AsyncReadExt;
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    let opened = Arc::new(AtomicUsize::new(0));
    let count = opened.clone();
    let auth = auth.map(|(u, p)| (u.as_bytes().to_vec(), p.as_bytes().to_vec()));
    rt.spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let (count, auth) = (count.clone(), auth.clone());
            tokio::spawn(async move {
                let mut greeting = [0u8; 2];
                client.read_exact(&mut greeting).await?;
                let mut methods = vec![0u8; greeting[1] as usize];
                client.read_exact(&mut methods).await?;
                match &auth {
                    None => client.write_all(&[5, 0]).await?,
                    Some((user, pass)) => {
                        client.write_all(&[5, 2]).await?;
                        let field = async |client: &mut tokio::net::TcpStream| {
                            let len = client.read_u8().await? as usize;
                            let mut bytes = vec![0u8; len];
                            client.read_exact(&mut bytes).await?;
                            Ok::<_, std::io::Error>(bytes)
                        };
                        let _version = client.read_u8().await?;
                        let (u, p) = (field(&mut client).await?, field(&mut client).await?);
                        if (&u, &p) != (user, pass) {
                            client.write_all(&[1, 1]).await?;
                            return Ok(());
                        }
                        client.write_all(&[1, 0]).await?;
                    }
                }
                let mut request = [0u8; 4];
                client.read_exact(&mut request).await?;
                let host = match request[3] {
                    1 => {
                        let mut ip = [0u8; 4];
                        client.read_exact(&mut ip).await?;
                        std::net::Ipv4Addr::from(ip).to_string()
                    }
                    3 => {
                        let len = client.read_u8().await? as usize;
                        let mut name = vec![0u8; len];
                        client.read_exact(&mut name).await?;
                        String::from_utf8_lossy(&name).into_owned()
                    }
                    _ => return Ok::<(), std::io::Error>(()),
                };
                let port = client.read_u16().await?;
                let mut upstream = tokio::net::TcpStream::connect((host.as_str(), port)).await?;
                count.fetch_add(1, Ordering::SeqCst);
                client.write_all(&[5, 0, 0, 1, 0, 0, 0, 0, 0, 0]).await?;
                tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
                Ok(())
            });
        }
    });
    (format!("socks5://127.0.0.1:{port}"), opened)
}
