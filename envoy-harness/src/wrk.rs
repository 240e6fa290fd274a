//! Reading `wrk`'s report (the load generator the benchmarks and the soak
//! drive Envoy with).

/// `wrk` with one thread, `connections` connections, for `secs` seconds:
/// how the bench and the soak both drive Envoy (the caller adds the rest).
pub fn command(connections: u32, secs: u32) -> std::process::Command {
    let mut wrk = std::process::Command::new("wrk");
    wrk.args([
        "-t1",
        "-c",
        &connections.to_string(),
        "-d",
        &format!("{secs}s"),
    ]);
    wrk
}

/// The socket errors of a `Socket errors: connect 0, read 0, write 0,
/// timeout 0` line (the part after the colon), summed.
pub fn socket_errors(counts: &str) -> u64 {
    counts
        .split(',')
        .filter_map(|part| part.split_whitespace().last())
        .filter_map(|n| n.parse::<u64>().ok())
        .sum()
}

#[cfg(test)]
mod tests {
    #[test]
    fn socket_errors_are_summed() {
        assert_eq!(
            super::socket_errors(" connect 1, read 2, write 0, timeout 4"),
            7
        );
        assert_eq!(super::socket_errors(""), 0);
    }
}
