//! A minimal QMP client: one connection per call, capabilities negotiated, one command sent,
//! events skipped until its answer. QMP speaks one JSON object per line over the VM's
//! `qmp.sock`.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value};

/// What went wrong talking QMP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QmpError {
    /// The socket is absent or nobody listens: QEMU is not running.
    Unreachable(String),
    /// QEMU answered with an error (`class: desc`).
    Command(String),
    /// The connection broke or the answer was not QMP.
    Protocol(String),
}

impl std::fmt::Display for QmpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QmpError::Unreachable(s) | QmpError::Command(s) | QmpError::Protocol(s) => {
                f.write_str(s)
            }
        }
    }
}

const TIMEOUT: Duration = Duration::from_secs(10);

/// A connection with capabilities negotiated.
pub struct Qmp {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
}

impl Qmp {
    pub fn connect(socket: &Path) -> Result<Qmp, QmpError> {
        let stream =
            UnixStream::connect(socket).map_err(|e| QmpError::Unreachable(e.to_string()))?;
        let io = |e: std::io::Error| QmpError::Protocol(e.to_string());
        stream.set_read_timeout(Some(TIMEOUT)).map_err(io)?;
        stream.set_write_timeout(Some(TIMEOUT)).map_err(io)?;
        let writer = stream.try_clone().map_err(io)?;
        let mut qmp = Qmp {
            reader: BufReader::new(stream),
            writer,
        };
        let greeting = qmp.read()?;
        if greeting.get("QMP").is_none() {
            return Err(QmpError::Protocol(greeting.to_string()));
        }
        qmp.execute("qmp_capabilities", None)?;
        Ok(qmp)
    }

    fn read(&mut self) -> Result<Value, QmpError> {
        let mut line = String::new();
        let n = self
            .reader
            .read_line(&mut line)
            .map_err(|e| QmpError::Protocol(e.to_string()))?;
        if n == 0 {
            return Err(QmpError::Protocol(crate::t!("qemu.qmp_closed")));
        }
        serde_json::from_str(&line).map_err(|e| QmpError::Protocol(format!("{e}: {line}")))
    }

    /// Runs one command and returns its `return` value.
    pub fn execute(&mut self, command: &str, arguments: Option<Value>) -> Result<Value, QmpError> {
        let mut request = json!({ "execute": command });
        if let Some(args) = arguments {
            request["arguments"] = args;
        }
        let mut text = request.to_string();
        text.push('\n');
        self.writer
            .write_all(text.as_bytes())
            .map_err(|e| QmpError::Protocol(e.to_string()))?;
        loop {
            let answer = self.read()?;
            if let Some(ret) = answer.get("return") {
                return Ok(ret.clone());
            }
            if let Some(err) = answer.get("error") {
                let class = err.get("class").and_then(Value::as_str).unwrap_or("");
                let desc = err.get("desc").and_then(Value::as_str).unwrap_or("");
                return Err(QmpError::Command(format!("{class}: {desc}")));
            }
            // An event ({"event": ...}): not our answer.
        }
    }
}

/// Connects, runs one command, disconnects.
pub fn call(socket: &Path, command: &str, arguments: Option<Value>) -> Result<Value, QmpError> {
    Qmp::connect(socket)?.execute(command, arguments)
}

/// The run state `query-status` reports (`running`, `paused`, `shutdown`...), lowercase.
pub fn status(socket: &Path) -> Result<String, QmpError> {
    let ret = call(socket, "query-status", None)?;
    Ok(ret
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or("unknown")
        .to_string())
}

#[cfg(test)]
pub mod testserver {
    //! A QMP server for tests: answers each command from a closure and records them.
    use super::*;
    use std::os::unix::net::UnixListener;
    use std::sync::{Arc, Mutex};

    pub type Log = Arc<Mutex<Vec<Value>>>;

    /// Serves `connections` connections on `socket`, in a thread.
    pub fn serve(
        socket: &Path,
        connections: usize,
        answer: impl Fn(&Value) -> Value + Send + 'static,
    ) -> (Log, std::thread::JoinHandle<()>) {
        let listener = UnixListener::bind(socket).unwrap();
        let log: Log = Arc::default();
        let seen = log.clone();
        let handle = std::thread::spawn(move || {
            for _ in 0..connections {
                let (stream, _) = listener.accept().unwrap();
                let mut writer = stream.try_clone().unwrap();
                writeln!(
                    writer,
                    "{}",
                    json!({"QMP": {"version": {"qemu": {"major": 7}}, "capabilities": []}})
                )
                .unwrap();
                let reader = BufReader::new(stream);
                for line in reader.lines() {
                    let Ok(line) = line else { break };
                    let request: Value = serde_json::from_str(&line).unwrap();
                    seen.lock().unwrap().push(request.clone());
                    // An event first, which the client must skip.
                    writeln!(writer, "{}", json!({"event": "RESUME", "timestamp": {}})).unwrap();
                    let reply = if request["execute"] == "qmp_capabilities" {
                        json!({"return": {}})
                    } else {
                        answer(&request)
                    };
                    writeln!(writer, "{reply}").unwrap();
                }
            }
        });
        (log, handle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_skips_events_and_returns_the_answer() {
        let dir = tempfile::tempdir().unwrap();
        let sock = dir.path().join("qmp.sock");
        let (log, handle) = testserver::serve(&sock, 2, |req| match req["execute"].as_str() {
            Some("query-status") => json!({"return": {"status": "paused", "running": false}}),
            _ => json!({"error": {"class": "GenericError", "desc": "no such thing"}}),
        });
        assert_eq!(status(&sock).unwrap(), "paused");
        let err = call(&sock, "device_del", Some(json!({"id": "fs-x"}))).unwrap_err();
        assert_eq!(err, QmpError::Command("GenericError: no such thing".into()));
        handle.join().unwrap();
        let seen = log.lock().unwrap().clone();
        assert_eq!(seen[0], json!({"execute": "qmp_capabilities"}));
        assert_eq!(seen[1], json!({"execute": "query-status"}));
        assert_eq!(
            seen[3],
            json!({"execute": "device_del", "arguments": {"id": "fs-x"}})
        );
    }

    #[test]
    fn a_missing_socket_is_unreachable() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            status(&dir.path().join("none.sock")),
            Err(QmpError::Unreachable(_))
        ));
    }
}
