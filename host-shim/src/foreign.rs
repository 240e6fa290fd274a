//! The foreign functions (`call-foreign-function`) the host shim and the
//! emulator offer: those of stock Envoy 1.40 that need nothing of Envoy's
//! internals, with Envoy's statuses, so a plugin sees the same answers on
//! every tier.

use std::io::{Read as _, Write as _};

use gatewit_abi::proxy::status;

/// Runs foreign function `name` on `args`: its answer, or the proxy-wasm
/// status Envoy gives (`NOT_FOUND` for a name it does not know).
pub fn call(name: &str, args: &[u8]) -> Result<Vec<u8>, u32> {
    match name {
        // zlib's `compress()`: the zlib format at the default level. The
        // bytes may differ from Envoy's (another deflate implementation);
        // what they decompress to does not.
        "compress" => {
            let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            z.write_all(args)
                .and_then(|()| z.finish())
                .map_err(|_| status::SERIALIZATION_FAILURE)
        }
        "uncompress" => {
            let mut out = Vec::new();
            flate2::read::ZlibDecoder::new(args)
                .read_to_end(&mut out)
                .map_err(|_| status::SERIALIZATION_FAILURE)?;
            Ok(out)
        }
        // The route is chosen once per request here, after the request
        // headers phase, so there is no cached route to clear.
        "clear_route_cache" => Ok(Vec::new()),
        _ => Err(status::NOT_FOUND),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compress_round_trips_and_garbage_fails_as_in_envoy() {
        let text = b"gatewit gatewit gatewit gatewit".repeat(10);
        let small = call("compress", &text).unwrap();
        assert!(small.len() < text.len());
        assert_eq!(small[0], 0x78, "zlib header");
        assert_eq!(call("uncompress", &small).unwrap(), text);
        assert_eq!(
            call("uncompress", b"not zlib"),
            Err(status::SERIALIZATION_FAILURE)
        );
        assert_eq!(call("clear_route_cache", b""), Ok(Vec::new()));
        assert_eq!(call("no_such_function", b""), Err(status::NOT_FOUND));
    }
}
