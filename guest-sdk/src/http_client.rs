//! Outbound HTTP calls to gateway clusters (Higress `HttpClient`).
//!
//! A call returns at once; the callback runs when the answer arrives, with
//! the originating request current again. Callbacks are kept per request
//! and dropped when the request ends.

use std::fmt;
use std::rc::Rc;

use crate::{HttpContext, Status, host, runtime};

/// Default call timeout, as Higress.
pub const DEFAULT_TIMEOUT_MS: u32 = 500;

/// A gateway cluster: its Envoy cluster name and the host name used as
/// `:authority` when the URL has none.
pub trait Cluster {
    /// The Envoy cluster name (e.g. `outbound|80||svc.static`).
    fn cluster_name(&self) -> String;
    /// The default `:authority`.
    fn host_name(&self) -> String;
}

/// The cluster of the current request's route (property `cluster_name`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RouteCluster {
    /// `:authority`; empty means the request's own `:authority`.
    pub host: String,
}

impl Cluster for RouteCluster {
    fn cluster_name(&self) -> String {
        match host::get_property(&["cluster_name"]) {
            Some(v) => String::from_utf8_lossy(&v).into_owned(),
            None => {
                crate::log_error!("get route cluster failed: property `cluster_name` not found");
                String::new()
            }
        }
    }
    fn host_name(&self) -> String {
        if !self.host.is_empty() {
            return self.host.clone();
        }
        host::get_header(host::MapKind::RequestHeaders, ":authority").unwrap_or_default()
    }
}

/// A cluster named explicitly.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetCluster {
    /// `:authority`.
    pub host: String,
    /// The Envoy cluster name, as given.
    pub cluster: String,
}

impl Cluster for TargetCluster {
    fn cluster_name(&self) -> String {
        self.cluster.clone()
    }
    fn host_name(&self) -> String {
        self.host.clone()
    }
}

/// A Kubernetes service: `outbound|<port>|<version>|<svc>.<ns>.svc.cluster.local`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct K8sCluster {
    /// Service name.
    pub service_name: String,
    /// Namespace; empty means `default`.
    pub namespace: String,
    /// Service port.
    pub port: u16,
    /// Subset (version); usually empty.
    pub version: String,
    /// `:authority`; empty means the service FQDN.
    pub host: String,
}

impl K8sCluster {
    fn namespace(&self) -> &str {
        if self.namespace.is_empty() {
            "default"
        } else {
            &self.namespace
        }
    }
}

impl Cluster for K8sCluster {
    fn cluster_name(&self) -> String {
        format!(
            "outbound|{}|{}|{}.{}.svc.cluster.local",
            self.port,
            self.version,
            self.service_name,
            self.namespace()
        )
    }
    fn host_name(&self) -> String {
        if !self.host.is_empty() {
            return self.host.clone();
        }
        // The raw namespace, as Go's and Higress's Rust SDK: an empty one
        // gives `svc..svc.cluster.local` (the cluster name defaults it).
        format!("{}.{}.svc.cluster.local", self.service_name, self.namespace)
    }
}

/// A Nacos service: `outbound|<port>|<version>|<svc>.<group>.<nsid>.nacos`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NacosCluster {
    /// Service name.
    pub service_name: String,
    /// Group; empty means `DEFAULT-GROUP` (`_` becomes `-`).
    pub group: String,
    /// Namespace id.
    pub namespace_id: String,
    /// Service port.
    pub port: u16,
    /// An external (EDAS/SAE) registry: suffix `nacos-ext`.
    pub is_ext_registry: bool,
    /// Subset (version); usually empty.
    pub version: String,
    /// `:authority`; empty means the service name.
    pub host: String,
}

impl Cluster for NacosCluster {
    fn cluster_name(&self) -> String {
        let group = if self.group.is_empty() {
            "DEFAULT-GROUP".to_string()
        } else {
            self.group.replace('_', "-")
        };
        let tail = if self.is_ext_registry {
            "nacos-ext"
        } else {
            "nacos"
        };
        format!(
            "outbound|{}|{}|{}.{}.{}.{}",
            self.port, self.version, self.service_name, group, self.namespace_id, tail
        )
    }
    fn host_name(&self) -> String {
        host_or(&self.host, &self.service_name)
    }
}

/// `host`, or `default` when it is empty (Higress's clusters fall back to
/// the service name for `:authority`).
fn host_or(host: &str, default: &str) -> String {
    if host.is_empty() { default } else { host }.to_string()
}

/// A fixed-address service: `outbound|<port>||<svc>.static`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StaticIpCluster {
    /// Service name.
    pub service_name: String,
    /// Service port.
    pub port: u16,
    /// `:authority`; empty means the service name.
    pub host: String,
}

impl Cluster for StaticIpCluster {
    fn cluster_name(&self) -> String {
        format!("outbound|{}||{}.static", self.port, self.service_name)
    }
    fn host_name(&self) -> String {
        host_or(&self.host, &self.service_name)
    }
}

/// A DNS service: `outbound|<port>||<svc>.dns`, `:authority` the domain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DnsCluster {
    /// Service name.
    pub service_name: String,
    /// Domain, used as `:authority`.
    pub domain: String,
    /// Service port.
    pub port: u16,
}

impl Cluster for DnsCluster {
    fn cluster_name(&self) -> String {
        format!("outbound|{}||{}.dns", self.port, self.service_name)
    }
    fn host_name(&self) -> String {
        self.domain.clone()
    }
}

/// A Consul service: `outbound|<port>||<svc>.<dc>.consul`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsulCluster {
    /// Service name.
    pub service_name: String,
    /// Datacenter.
    pub datacenter: String,
    /// Service port.
    pub port: u16,
    /// `:authority`; empty means the service name.
    pub host: String,
}

impl Cluster for ConsulCluster {
    fn cluster_name(&self) -> String {
        format!(
            "outbound|{}||{}.{}.consul",
            self.port, self.service_name, self.datacenter
        )
    }
    fn host_name(&self) -> String {
        host_or(&self.host, &self.service_name)
    }
}

/// A service by full name: `outbound|<port>||<fqdn>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FqdnCluster {
    /// Full service name with its kind suffix (e.g. `my-svc.dns`,
    /// `redis.my-ns.svc.cluster.local`).
    pub fqdn: String,
    /// `:authority`; empty means the FQDN.
    pub host: String,
    /// Service port.
    pub port: u16,
}

impl Cluster for FqdnCluster {
    fn cluster_name(&self) -> String {
        format!("outbound|{}||{}", self.port, self.fqdn)
    }
    fn host_name(&self) -> String {
        host_or(&self.host, &self.fqdn)
    }
}

/// Why an HTTP call produced no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallFailure {
    /// The call's time ran out after the answer's headers arrived. Out of
    /// time before them, the gateway answers itself (Envoy: status 504,
    /// body `upstream request timeout`), as Go plugins see it.
    Timeout,
    /// The connection failed or was reset after the answer's headers
    /// arrived. Before them the gateway answers itself (Envoy: status 503,
    /// body `upstream connect error or disconnect/reset before headers.
    /// reset reason: ...`).
    Reset,
}

impl fmt::Display for CallFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CallFailure::Timeout => "timeout",
            CallFailure::Reset => "connection reset",
        })
    }
}

/// The answer to an HTTP call, as Higress hands it to callbacks:
/// `(status, headers, body)`. A call that failed has status 502, no
/// headers and no body, and says why in [`Self::failure`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status: from `:status`; 502 if missing or the call failed; 500
    /// if `:status` is not a number.
    pub status: u16,
    /// Response headers (`:status` included).
    pub headers: Vec<(String, String)>,
    /// Response body.
    pub body: Vec<u8>,
    /// Why the call failed, if it did.
    pub failure: Option<CallFailure>,
}

impl HttpResponse {
    pub(crate) fn from_parts(headers: Vec<(String, String)>, body: Vec<u8>) -> Self {
        let status = status_of(&headers);
        HttpResponse {
            status,
            headers,
            body,
            failure: None,
        }
    }

    pub(crate) fn failed(failure: CallFailure) -> Self {
        HttpResponse {
            status: 502,
            headers: Vec::new(),
            body: Vec::new(),
            failure: Some(failure),
        }
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn status_of(headers: &[(String, String)]) -> u16 {
    match headers.iter().find(|(k, _)| k == ":status") {
        None => 502,
        Some((_, v)) => v.trim().parse().unwrap_or(500),
    }
}

/// Split a URL (absolute, scheme-relative or a bare path) into its
/// authority (if any) and its request path (path + query, no fragment).
pub(crate) fn split_url(url: &str) -> (Option<&str>, String) {
    let url = match url.find('#') {
        Some(i) => &url[..i],
        None => url,
    };
    // Bytes, not `str::find("://")`: a substring search sets up a two-way
    // searcher, some 500 instructions on every call for a 3-byte needle.
    let scheme_end = url.as_bytes().windows(3).position(|w| w == b"://");
    let rest = if let Some(i) = scheme_end {
        let scheme = &url[..i];
        if !scheme.is_empty()
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.')
        {
            Some(&url[i + 3..])
        } else {
            None
        }
    } else {
        url.strip_prefix("//")
    };
    let Some(rest) = rest else {
        return (None, default_path(url));
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..end];
    // Drop `user:pass@`: it is not part of the authority sent upstream.
    let authority = match authority.rfind('@') {
        Some(i) => &authority[i + 1..],
        None => authority,
    };
    let authority = (!authority.is_empty()).then_some(authority);
    (authority, default_path(&rest[end..]))
}

/// Go sends `"/" + TrimPrefix(path, "/")`: a relative URL such as `token`
/// becomes `/token`.
fn default_path(p: &str) -> String {
    if p.starts_with('/') {
        p.to_string()
    } else {
        format!("/{p}")
    }
}

/// The headers of an outbound call: the user's, minus `:method`, `:path`,
/// `:authority`, plus the client's own.
pub(crate) fn call_headers<'a, K: AsRef<str>, V: AsRef<str>>(
    method: &'a str,
    path: &'a str,
    authority: &'a str,
    user: &'a [(K, V)],
) -> Vec<(&'a str, &'a str)> {
    let mut headers = Vec::with_capacity(user.len() + 3);
    let user = user.iter().map(|(k, v)| (k.as_ref(), v.as_ref()));
    headers.extend(user.filter(|(k, _)| {
        !(k.eq_ignore_ascii_case(":method")
            || k.eq_ignore_ascii_case(":path")
            || k.eq_ignore_ascii_case(":authority"))
    }));
    headers.push((":method", method));
    headers.push((":path", path));
    headers.push((":authority", authority));
    headers
}

fn authority_for(url_authority: Option<&str>, cluster_host: String) -> String {
    match url_authority {
        Some(a) => a.to_string(),
        None if !cluster_host.is_empty() => cluster_host,
        None => "unknownhost".to_string(),
    }
}

/// An HTTP client bound to one cluster. Cheap to clone.
#[derive(Clone)]
pub struct HttpClient {
    cluster: Rc<dyn Cluster>,
    timeout_ms: u32,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("timeout_ms", &self.timeout_ms)
            .finish_non_exhaustive()
    }
}

macro_rules! method_without_body {
    ($(#[$doc:meta] $name:ident => $method:literal),* $(,)?) => {$(
        #[$doc]
        pub fn $name(
            &self,
            url: &str,
            headers: &[(&str, &str)],
            callback: impl FnOnce(&mut HttpContext, HttpResponse) + 'static,
        ) -> Result<(), Status> {
            self.call($method, url, headers, &[], None, callback)
        }
    )*};
}

macro_rules! method_with_body {
    ($(#[$doc:meta] $name:ident => $method:literal),* $(,)?) => {$(
        #[$doc]
        pub fn $name(
            &self,
            url: &str,
            headers: &[(&str, &str)],
            body: impl AsRef<[u8]>,
            callback: impl FnOnce(&mut HttpContext, HttpResponse) + 'static,
        ) -> Result<(), Status> {
            self.call($method, url, headers, body.as_ref(), None, callback)
        }
    )*};
}

impl HttpClient {
    /// A client for `cluster` with the default 500 ms timeout.
    pub fn new(cluster: impl Cluster + 'static) -> Self {
        HttpClient {
            cluster: Rc::new(cluster),
            timeout_ms: DEFAULT_TIMEOUT_MS,
        }
    }

    /// The same client with another default timeout.
    pub fn with_timeout(mut self, timeout_ms: u32) -> Self {
        self.timeout_ms = timeout_ms;
        self
    }

    /// The Envoy cluster name calls go to.
    pub fn cluster_name(&self) -> String {
        self.cluster.cluster_name()
    }

    method_without_body! {
        /// `GET url`.
        get => "GET",
        /// `HEAD url`.
        head => "HEAD",
        /// `OPTIONS url`.
        options => "OPTIONS",
    }

    method_with_body! {
        /// `POST url` with `body`.
        post => "POST",
        /// `PUT url` with `body`.
        put => "PUT",
        /// `PATCH url` with `body`.
        patch => "PATCH",
        /// `DELETE url` with `body`.
        delete => "DELETE",
        /// `CONNECT url` with `body` (as Go's `Connect`).
        connect => "CONNECT",
        /// `TRACE url` with `body` (as Go's `Trace`).
        trace => "TRACE",
    }

    /// Send `method url` with `headers` and `body`; `timeout_ms` overrides
    /// the client's timeout. `callback` runs with the answer (or a 502 on
    /// failure); an error here means the call was not sent (unknown
    /// cluster, bad request) and the callback will not run.
    pub fn call(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        timeout_ms: Option<u32>,
        callback: impl FnOnce(&mut HttpContext, HttpResponse) + 'static,
    ) -> Result<(), Status> {
        let (url_authority, path) = split_url(url);
        let authority = authority_for(url_authority, self.cluster.host_name());
        let headers = call_headers(method, &path, &authority, headers);
        let cluster = self.cluster.cluster_name();
        let timeout = timeout_ms.unwrap_or(self.timeout_ms);
        let call = host::dispatch_http_call(&cluster, &headers, body, timeout)?;
        crate::log_debug!(
            "http call start, cluster: {cluster}, method: {method}, path: {path}, timeout: {timeout}ms"
        );
        runtime::register_http_callback(call, Box::new(callback));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_names_and_hosts() {
        let k = K8sCluster {
            service_name: "foo".into(),
            port: 8080,
            ..Default::default()
        };
        assert_eq!(
            k.cluster_name(),
            "outbound|8080||foo.default.svc.cluster.local"
        );
        assert_eq!(k.host_name(), "foo..svc.cluster.local", "as Go");
        let k = K8sCluster {
            service_name: "foo".into(),
            namespace: "ns".into(),
            port: 80,
            version: "v1".into(),
            host: "h".into(),
        };
        assert_eq!(k.cluster_name(), "outbound|80|v1|foo.ns.svc.cluster.local");
        assert_eq!(k.host_name(), "h");

        let n = NacosCluster {
            service_name: "svc".into(),
            namespace_id: "public".into(),
            port: 80,
            ..Default::default()
        };
        assert_eq!(
            n.cluster_name(),
            "outbound|80||svc.DEFAULT-GROUP.public.nacos"
        );
        assert_eq!(n.host_name(), "svc");
        let n = NacosCluster {
            group: "MY_GROUP".into(),
            is_ext_registry: true,
            version: "v2".into(),
            ..n
        };
        assert_eq!(
            n.cluster_name(),
            "outbound|80|v2|svc.MY-GROUP.public.nacos-ext"
        );

        let s = StaticIpCluster {
            service_name: "token".into(),
            port: 80,
            host: String::new(),
        };
        assert_eq!(s.cluster_name(), "outbound|80||token.static");
        assert_eq!(s.host_name(), "token");

        let d = DnsCluster {
            service_name: "api".into(),
            domain: "api.example.com".into(),
            port: 443,
        };
        assert_eq!(d.cluster_name(), "outbound|443||api.dns");
        assert_eq!(d.host_name(), "api.example.com");

        let c = ConsulCluster {
            service_name: "svc".into(),
            datacenter: "dc1".into(),
            port: 8500,
            host: String::new(),
        };
        assert_eq!(c.cluster_name(), "outbound|8500||svc.dc1.consul");
        assert_eq!(c.host_name(), "svc");

        let f = FqdnCluster {
            fqdn: "redis.dns".into(),
            host: String::new(),
            port: 6379,
        };
        assert_eq!(f.cluster_name(), "outbound|6379||redis.dns");
        assert_eq!(f.host_name(), "redis.dns");

        let t = TargetCluster {
            host: "h".into(),
            cluster: "my-cluster".into(),
        };
        assert_eq!(
            (t.cluster_name(), t.host_name()),
            ("my-cluster".into(), "h".into())
        );
    }

    #[test]
    fn urls() {
        assert_eq!(split_url("/token?x=1#frag"), (None, "/token?x=1".into()));
        assert_eq!(split_url("token"), (None, "/token".into()), "as Go");
        assert_eq!(split_url(""), (None, "/".into()));
        assert_eq!(
            split_url("http://a.example.com:8080/p/q?x=1#f"),
            (Some("a.example.com:8080"), "/p/q?x=1".into())
        );
        assert_eq!(split_url("https://h"), (Some("h"), "/".into()));
        assert_eq!(split_url("https://h?x"), (Some("h"), "/?x".into()));
        assert_eq!(split_url("//h/p"), (Some("h"), "/p".into()));
        assert_eq!(split_url("http://u:p@h/p"), (Some("h"), "/p".into()));
        assert_eq!(split_url(""), (None, "/".into()));
    }

    #[test]
    fn authority_rules() {
        assert_eq!(authority_for(Some("u"), "c".into()), "u");
        assert_eq!(authority_for(None, "c".into()), "c");
        assert_eq!(authority_for(None, String::new()), "unknownhost");
    }

    #[test]
    fn user_pseudo_headers_are_replaced() {
        let h = call_headers(
            "GET",
            "/p",
            "a",
            &[
                (":method", "POST"),
                (":PATH", "/x"),
                (":authority", "b"),
                ("x", "1"),
            ],
        );
        assert_eq!(
            h,
            [
                ("x", "1"),
                (":method", "GET"),
                (":path", "/p"),
                (":authority", "a"),
            ]
        );
    }

    #[test]
    fn statuses() {
        let r = HttpResponse::from_parts(vec![(":status".into(), "200".into())], vec![]);
        assert_eq!(r.status, 200);
        let r = HttpResponse::from_parts(vec![("X-Token".into(), "t".into())], vec![]);
        assert_eq!(r.status, 502);
        assert_eq!(r.header("x-token"), Some("t"));
        let r = HttpResponse::from_parts(vec![(":status".into(), "abc".into())], vec![]);
        assert_eq!(r.status, 500);
        let r = HttpResponse::failed(CallFailure::Timeout);
        assert_eq!(
            (r.status, r.headers.len(), r.failure),
            (502, 0, Some(CallFailure::Timeout))
        );
    }
}
