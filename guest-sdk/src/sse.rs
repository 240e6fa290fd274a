//! Server-sent events across body chunks, for streaming AI responses
//! (`text/event-stream`): the gateway hands a streaming plugin the body in
//! whatever chunks the upstream wrote, and an event (`data: {...}\n\n`)
//! may be cut anywhere, even inside a multi-byte character. [`SseSplitter`]
//! keeps the unfinished tail between chunks and yields whole events, parsed
//! as the WHATWG `EventSource` spec reads them.
//!
//! ```
//! use gatewit_sdk::sse::SseSplitter;
//! let mut sse = SseSplitter::default();
//! assert!(sse.push(b"data: {\"a\":").is_empty());
//! let events = sse.push(b"1}\n\ndata: [DONE]\n\n");
//! assert_eq!(events[0].data, "{\"a\":1}");
//! assert_eq!(events[1].data, "[DONE]");
//! ```

/// One event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SseEvent {
    /// `event:` (empty: the default type, `message`).
    pub event: String,
    /// The `data:` lines, joined with `\n`.
    pub data: String,
    /// `id:`, if the event set one.
    pub id: Option<String>,
    /// `retry:` in milliseconds, if given and numeric.
    pub retry: Option<u64>,
    /// The event's bytes as they came (field lines and the blank line), to
    /// pass on unchanged or to rewrite.
    pub raw: Vec<u8>,
}

/// Splits a stream of body chunks into events.
#[derive(Debug, Default)]
pub struct SseSplitter {
    pending: Vec<u8>,
}

impl SseSplitter {
    /// Adds a chunk; returns the events it completes, in order.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<SseEvent> {
        self.pending.extend_from_slice(chunk);
        let mut events = Vec::new();
        while let Some(end) = event_end(&self.pending) {
            let raw: Vec<u8> = self.pending.drain(..end).collect();
            if let Some(event) = parse(raw) {
                events.push(event);
            }
        }
        events
    }

    /// The end of the stream: the unfinished tail as an event, if it holds
    /// any field (a stream may end without the final blank line).
    pub fn finish(&mut self) -> Option<SseEvent> {
        let raw = std::mem::take(&mut self.pending);
        parse(raw)
    }

    /// Bytes received but not yet part of a whole event.
    pub fn pending(&self) -> &[u8] {
        &self.pending
    }
}

/// The end (exclusive) of the first complete event: its blank line, with
/// `\n`, `\r\n` or `\r` line ends.
fn event_end(buf: &[u8]) -> Option<usize> {
    let mut line_start = 0;
    let mut i = 0;
    while i < buf.len() {
        let end = match buf[i] {
            b'\n' => i + 1,
            // A lone `\r` at the end may be the first half of `\r\n`.
            b'\r' if i + 1 == buf.len() => return None,
            b'\r' if buf[i + 1] == b'\n' => i + 2,
            b'\r' => i + 1,
            _ => {
                i += 1;
                continue;
            }
        };
        if i == line_start {
            return Some(end);
        }
        line_start = end;
        i = end;
    }
    None
}

fn parse(raw: Vec<u8>) -> Option<SseEvent> {
    let text = String::from_utf8_lossy(&raw).into_owned();
    let mut event = SseEvent::default();
    let mut data: Vec<&str> = Vec::new();
    let mut any = false;
    for line in text.split(['\n', '\r']) {
        if line.is_empty() || line.starts_with(':') {
            continue;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        any = true;
        match field {
            "data" => data.push(value),
            "event" => event.event = value.to_string(),
            "id" if !value.contains('\0') => event.id = Some(value.to_string()),
            "retry" => event.retry = value.parse().ok(),
            _ => {}
        }
    }
    if !any {
        return None;
    }
    event.data = data.join("\n");
    event.raw = raw;
    Some(event)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(chunks: &[&[u8]]) -> Vec<SseEvent> {
        let mut sse = SseSplitter::default();
        let mut out: Vec<SseEvent> = chunks.iter().flat_map(|c| sse.push(c)).collect();
        out.extend(sse.finish());
        out
    }

    #[test]
    fn events_cut_anywhere_come_out_whole() {
        let stream = "event: delta\ndata: {\"text\":\"héllo\"}\n\ndata: a\ndata: b\nid: 7\n\n: comment\n\ndata: [DONE]\n\n";
        let bytes = stream.as_bytes();
        let whole = all(&[bytes]);
        assert_eq!(whole.len(), 3);
        assert_eq!(
            (whole[0].event.as_str(), whole[0].data.as_str()),
            ("delta", "{\"text\":\"héllo\"}")
        );
        assert_eq!(
            (whole[1].data.as_str(), whole[1].id.as_deref()),
            ("a\nb", Some("7"))
        );
        assert_eq!(whole[2].data, "[DONE]");
        // Every split point, including inside `é`.
        for cut in 0..bytes.len() {
            assert_eq!(all(&[&bytes[..cut], &bytes[cut..]]), whole, "cut at {cut}");
        }
        assert_eq!(
            whole[0].raw,
            "event: delta\ndata: {\"text\":\"héllo\"}\n\n".as_bytes()
        );
    }

    #[test]
    fn line_ends_and_the_last_event() {
        let events = all(&[b"data: x\r\n\r", b"\ndata: y\r\rdata:z"]);
        let data: Vec<&str> = events.iter().map(|e| e.data.as_str()).collect();
        assert_eq!(data, ["x", "y", "z"]);
        assert!(all(&[b": only a comment\n\n"]).is_empty());
        assert_eq!(all(&[b"retry: 3000\ndata\n\n"])[0].retry, Some(3000));
    }
}
