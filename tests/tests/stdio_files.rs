//! stdio that is neither a pipe nor a socket: the binary run as
//! `mcpwire < requests.jsonl > answers.jsonl`. Regular files cannot be polled,
//! so the transport takes its portable path (a blocking thread per read and
//! write), the path every platform without Unix pipes always takes; this is
//! how a Linux test run keeps it working.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;

use mcpwire_tests::{
    DEFAULT_TIMEOUT, LATEST_VERSION, initialize_params, mcpwire_binary, request, result_definition, schema,
};
use serde_json::{Value, json};

/// A fresh directory for one test under Cargo's scratch space for
/// integration tests, emptied first so a previous run's files cannot pass
/// for this run's.
fn scratch_dir(test: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("stdio_files").join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the scratch directory");
    dir
}

/// Run the binary with stdin read from `input` and stdout written to
/// `output`, both regular files, and wait for it to exit. Returns its exit
/// status and everything it logged.
///
/// # Panics
/// When it has not exited within [`DEFAULT_TIMEOUT`]; it is killed first.
fn run_with_files(input: &Path, output: &Path) -> (ExitStatus, String) {
    let mut child = Command::new(mcpwire_binary())
        // The transport says which path it took at debug level.
        .args(["--log-level", "info,mcpwire_transport=debug"])
        .stdin(File::open(input).expect("open the input file"))
        .stdout(File::create(output).expect("create the output file"))
        .stderr(Stdio::piped())
        .spawn()
        .expect("start mcpwire");
    // Nobody else holds the server's stderr, so it reaches end of file when
    // the process exits: waiting for it is waiting for the exit, with a
    // timeout and without polling.
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let (logs_tx, logs) = mpsc::channel();
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        let _ = logs_tx.send(text);
    });
    let Ok(logs) = logs.recv_timeout(DEFAULT_TIMEOUT) else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("mcpwire did not exit within {DEFAULT_TIMEOUT:?} of reading all its input from a file");
    };
    let status = child.wait().expect("wait for mcpwire");
    (status, logs)
}

#[test]
fn a_session_read_from_a_file_is_answered_into_a_file_and_the_server_exits_zero() {
    let dir = scratch_dir("session");
    let (input, output) = (dir.join("requests.jsonl"), dir.join("answers.jsonl"));
    let session = [
        request(json!(1), "initialize", initialize_params(LATEST_VERSION, json!({}))),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        request(json!(2), "tools/call", json!({"name": "echo", "arguments": {"text": "read from a file"}})),
    ];
    let lines: String = session.iter().map(|message| format!("{message}\n")).collect();
    std::fs::write(&input, lines).expect("write the input file");

    let (status, logs) = run_with_files(&input, &output);

    assert!(status.success(), "mcpwire exited with {status}; its stderr:\n{logs}");
    // Without these the test would pass just as well on the polled path, and
    // cover nothing the pipe tests do not.
    for path in ["stdin cannot be polled", "stdout cannot be polled"] {
        assert!(logs.contains(path), "the portable path was not taken ({path:?} is not logged):\n{logs}");
    }
    let written = std::fs::read_to_string(&output).expect("read the output file");
    let answers: Vec<Value> = written
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}\n{logs}")))
        .collect();
    assert_eq!(answers.len(), 2, "one answer per request, nothing else:\n{written}\n{logs}");
    if let Some(validator) = schema() {
        for (answer, method) in answers.iter().zip(["initialize", "tools/call"]) {
            if let Err(errors) = validator.check_server_message(answer, result_definition(method)) {
                panic!("the answer to `{method}` breaks the schema:\n{answer}\n{errors}");
            }
        }
    }
    let initialized = &answers[0];
    assert_eq!(initialized["id"], 1, "{initialized}");
    assert_eq!(initialized["result"]["protocolVersion"], LATEST_VERSION, "{initialized}");
    assert_eq!(initialized["result"]["serverInfo"]["name"], "mcpwire", "{initialized}");
    assert_eq!(
        answers[1],
        json!({"jsonrpc": "2.0", "id": 2, "result": {"content": [{"type": "text", "text": "read from a file"}]}})
    );
}
