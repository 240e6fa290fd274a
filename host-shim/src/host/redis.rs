//! `gatewit:plugin/redis`: Redis calls through a gateway Redis cluster.

use std::time::Duration;

use wasmtime::component::{HasSelf, Linker};

use crate::backend::{RedisConnection, decode_command};
use crate::bindings::StatusError;
use crate::bindings::gatewit::plugin::redis::{self, Host, RedisInitError, RedisOptions};
use crate::state::{
    HostState, Level, LogSource, PendingRedis, RedisBackend, RedisCallRecord, RedisCluster,
};

/// Adds `gatewit:plugin/redis` to `linker`.
pub fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    redis::add_to_linker::<HostState, HasSelf<HostState>>(linker, |s| s)
}

/// Used when the plugin asks for a 0 ms timeout, so a call still ends.
const DEFAULT_REDIS_TIMEOUT: Duration = Duration::from_millis(1000);

impl Host for HostState {
    fn redis_init(&mut self, cluster: String, options: RedisOptions) -> Result<(), RedisInitError> {
        let Some(backend) = self.p.redis_backends.get(&cluster).cloned() else {
            self.log(
                Level::Error,
                LogSource::Host,
                format!("redis cluster `{cluster}` is not configured"),
            );
            return Err(RedisInitError::Failed(StatusError::NotFound));
        };
        let timeout = if options.timeout_ms == 0 {
            DEFAULT_REDIS_TIMEOUT
        } else {
            Duration::from_millis(options.timeout_ms.into())
        };
        let mut entry = RedisCluster {
            backend: backend.clone(),
            username: options.username,
            password: options.password,
            database: options.database,
            timeout,
            connection: None,
        };
        if let RedisBackend::Real(addr) = backend {
            match RedisConnection::connect(
                addr,
                &entry.username,
                &entry.password,
                entry.database,
                timeout,
            ) {
                Ok(conn) => entry.connection = Some(conn),
                Err(e) => {
                    let refused = e
                        .chain()
                        .any(|c| c.downcast_ref::<std::io::Error>().is_some());
                    self.log(
                        Level::Warn,
                        LogSource::Host,
                        format!("redis cluster `{cluster}`: {e:#}"),
                    );
                    // Like Envoy, a server that is down now may be up by the
                    // first call: connect lazily. A server that answered and
                    // refused the credentials is a configuration error.
                    if !refused {
                        return Err(RedisInitError::Failed(StatusError::InternalFailure));
                    }
                }
            }
        }
        self.redis_clusters.insert(cluster, entry);
        Ok(())
    }

    fn redis_call(&mut self, cluster: String, query: Vec<u8>) -> Result<u32, StatusError> {
        if !self.redis_clusters.contains_key(&cluster) {
            return Err(if self.p.redis_backends.contains_key(&cluster) {
                StatusError::BadArgument
            } else {
                StatusError::NotFound
            });
        }
        let call_id = self.next_call_id;
        self.next_call_id = self.next_call_id.wrapping_add(1).max(1);
        let command = decode_command(&query)
            .map(|args| {
                args.iter()
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .collect()
            })
            .unwrap_or_default();
        self.p.redis_calls.push(RedisCallRecord {
            context: self.current,
            call_id,
            cluster,
            command,
            query,
            outcome: None,
        });
        self.pending_redis.push_back(PendingRedis {
            record_index: self.p.redis_calls.len() - 1,
        });
        Ok(call_id)
    }
}
