//! A wiremock responder that forwards every request to the reference server and lets a test
//! change the request or the response: one misbehaving server per defect.
//!
//! wiremock answers on its own thread, so the forward uses a small blocking HTTP/1.1 client.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;

use scimcheck::server::RunningServer;
use serde_json::Value;
use wiremock::{matchers::any, Mock, MockServer, Request, Respond, ResponseTemplate};

/// A request as the defect sees it (and may change before it is forwarded).
#[derive(Debug, Clone)]
pub struct Req {
    pub method: String,
    /// Path and query, e.g. `/scim/v2/Users?filter=...`.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
    /// A body that is not JSON (a document cut short), as received; forwarded as is.
    pub unparsed: Option<Vec<u8>>,
}

impl Req {
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    pub fn query(&self, name: &str) -> Option<String> {
        let url = url::Url::parse(&format!("http://x{}", self.target)).ok()?;
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    pub fn set_query(&mut self, name: &str, value: &str) {
        let mut url = url::Url::parse(&format!("http://x{}", self.target)).unwrap();
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let v = if k == name {
                    value.to_string()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
        self.target = format!("{}?{}", url.path(), url.query().unwrap_or_default());
    }

    pub fn set_header(&mut self, name: &str, value: &str) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value.to_string()));
    }
}

/// A response as the defect sees it.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    pub fn set_json(&mut self, value: &Value) {
        self.body = serde_json::to_vec(value).unwrap();
    }

    pub fn set_header(&mut self, name: &str, value: &str) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value.to_string()));
    }

    pub fn scim(status: u16, body: Value) -> Resp {
        Resp {
            status,
            headers: vec![("content-type".into(), "application/scim+json".into())],
            body: serde_json::to_vec(&body).unwrap(),
        }
    }

    pub fn scim_error(status: u16, scim_type: Option<&str>, detail: &str) -> Resp {
        let mut body = serde_json::json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": status.to_string(), "detail": detail});
        if let Some(t) = scim_type {
            body["scimType"] = t.into();
        }
        Resp::scim(status, body)
    }
}

/// Forwards to the reference server.
pub struct Upstream {
    addr: String,
}

impl Upstream {
    pub fn send(&self, req: &Req) -> Resp {
        let mut stream = TcpStream::connect(&self.addr).expect("reference server reachable");
        let body = match (&req.body, &req.unparsed) {
            (Some(b), _) => serde_json::to_vec(b).unwrap(),
            (None, Some(raw)) => raw.clone(),
            (None, None) => vec![],
        };
        let mut head = format!(
            "{} {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            req.method,
            req.target,
            self.addr,
            body.len()
        );
        for (n, v) in &req.headers {
            if !["host", "connection", "content-length", "transfer-encoding"]
                .contains(&n.to_ascii_lowercase().as_str())
            {
                head.push_str(&format!("{n}: {v}\r\n"));
            }
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(&body).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        parse_response(&raw)
    }
}

fn parse_response(raw: &[u8]) -> Resp {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("response head");
    let head = String::from_utf8_lossy(&raw[..split]);
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"))
    {
        body = dechunk(&body);
    }
    let headers = headers
        .into_iter()
        .filter(|(n, _)| {
            !["content-length", "transfer-encoding", "connection", "date"].contains(&n.as_str())
        })
        .collect();
    Resp {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(pos) = data.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(
            String::from_utf8_lossy(&data[..pos])
                .split(';')
                .next()
                .unwrap()
                .trim(),
            16,
        )
        .unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[pos + 2..pos + 2 + size]);
        data = &data[pos + 2 + size + 2..];
    }
    out
}

type Defect = dyn Fn(Req, &Upstream) -> Resp + Send + Sync;

struct Forward {
    upstream: Upstream,
    defect: Arc<Defect>,
}

impl Respond for Forward {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let req = Req {
            method: request.method.to_string(),
            target: match request.url.query() {
                Some(q) => format!("{}?{q}", request.url.path()),
                None => request.url.path().to_string(),
            },
            headers: request
                .headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_string()))
                .collect(),
            body: serde_json::from_slice(&request.body).ok(),
            unparsed: (serde_json::from_slice::<Value>(&request.body).is_err()
                && !request.body.is_empty())
            .then(|| request.body.clone()),
        };
        let resp = (self.defect)(req, &self.upstream);
        let mut template = ResponseTemplate::new(resp.status);
        for (n, v) in &resp.headers {
            template = template.insert_header(n.as_str(), v.as_str());
        }
        template.set_body_bytes(resp.body)
    }
}

/// A reference server and, in front of it, a wiremock server with one defect.
pub struct Faulty {
    pub mock: MockServer,
    reference: RunningServer,
}

impl Faulty {
    /// `defect` gets every request and the upstream; `forward` is the faithful behaviour.
    pub async fn start(defect: impl Fn(Req, &Upstream) -> Resp + Send + Sync + 'static) -> Faulty {
        Faulty::start_with(scimcheck::server::Behaviour::reference(), defect).await
    }

    /// As [`Faulty::start`], in front of a server making the choices of `behaviour`.
    pub async fn start_with(
        behaviour: scimcheck::server::Behaviour,
        defect: impl Fn(Req, &Upstream) -> Resp + Send + Sync + 'static,
    ) -> Faulty {
        let reference = crate::support::server_with(behaviour).await;
        let addr = url::Url::parse(reference.base_url()).unwrap();
        let upstream = Upstream {
            addr: format!("{}:{}", addr.host_str().unwrap(), addr.port().unwrap()),
        };
        let mock = MockServer::start().await;
        Mock::given(any())
            .respond_with(Forward {
                upstream,
                defect: Arc::new(defect),
            })
            .mount(&mock)
            .await;
        Faulty { mock, reference }
    }

    /// The reference server behind the mock, to seed or inspect.
    pub fn reference(&self) -> &RunningServer {
        &self.reference
    }

    pub fn base_url(&self) -> String {
        format!("{}/scim/v2", self.mock.uri())
    }
}

/// The faithful behaviour: forward unchanged.
pub fn forward(req: Req, up: &Upstream) -> Resp {
    up.send(&req)
}
