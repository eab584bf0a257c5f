//! The task store: where tasks live between the request that created them
//! and the polls that read them, behind a trait so that processes behind a
//! load balancer can share one.
//!
//! The store holds everything a task is except the future that runs it:
//! its status, its timestamps and TTL, the questions it waits on, and its
//! outcome (the request's result or its JSON-RPC error), all as plain data
//! that serialises. The running future stays in the process that started it
//! (see the `tasks` module); the store is how every process sees it, and how
//! the other processes reach it: a cancellation, or answers to its questions,
//! is written to the store, and the process running the task watches for
//! both ([`TaskStore::cancelled`], [`TaskStore::answered`]).

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use mcpwire_protocol::ErrorObject;
use mcpwire_protocol::types::{JsonObject, TaskStatus};
use serde::{Deserialize, Serialize};

/// A future a [`TaskStore`] returns: boxed and sendable, so the trait is
/// object-safe and a store may do real I/O.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, TaskStoreError>> + Send + 'a>>;

/// Which wire a task was created on, which decides how it is shown: the
/// tasks extension (2026-07-28) or the experimental tasks of 2025-11-25.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TaskWire {
    /// `io.modelcontextprotocol/tasks` (SEP-2663), on the stateless wire.
    Extension,
    /// The `tasks` capability of a 2025-11-25 session.
    Experimental,
}

/// How a task ended: what its request would have answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TaskOutcome {
    /// The request's result, as a JSON object (for `tools/call`, a
    /// `CallToolResult`, `isError` included).
    Result(JsonObject),
    /// The JSON-RPC error the request ended with.
    Error(ErrorObject),
}

/// One task, as the store keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskRecord {
    /// The task's id: 128 random bits as hex, so it cannot be guessed.
    pub id: String,
    /// Who created it (see [`TaskConfig`](crate::TaskConfig) for how a client
    /// is told apart): limits count per owner, and only the owner may read,
    /// answer or cancel it.
    pub owner: String,
    /// The wire it was created on.
    pub wire: TaskWire,
    /// Where it is.
    pub status: TaskStatus,
    /// A human-readable word on the status.
    pub status_message: Option<String>,
    /// When it was created.
    pub created_at: SystemTime,
    /// When it last changed.
    pub last_updated_at: SystemTime,
    /// How long it is kept after creation; `None` for ever. The store never
    /// forgets a task before this has passed.
    pub ttl: Option<Duration>,
    /// How often clients should poll.
    pub poll_interval: Duration,
    /// The questions it waits on, by key, each `{"method", "params"}`: not
    /// empty exactly when the status is `input_required`.
    pub input_requests: JsonObject,
    /// Answers given through the store ([`TaskChange::Answer`]) that the
    /// process running the task has not taken yet, by the key of their
    /// question, which has left `input_requests`. Absent from the JSON when
    /// empty, so records written before it existed read as they were.
    #[serde(default, skip_serializing_if = "JsonObject::is_empty")]
    pub input_responses: JsonObject,
    /// How it ended, once terminal (`cancelled` has none).
    pub outcome: Option<TaskOutcome>,
}

impl TaskRecord {
    /// Roughly what keeping the record costs, in bytes: its questions,
    /// waiting answers and outcome as JSON, which is all that can grow, plus
    /// a fixed share.
    pub fn stored_bytes(&self) -> usize {
        const FIXED: usize = 256;
        let json = |object: &JsonObject| match object.is_empty() {
            true => 0,
            false => serde_json::to_vec(object).map_or(0, |json| json.len()),
        };
        let outcome = self.outcome.as_ref().map_or(0, |outcome| serde_json::to_vec(outcome).map_or(0, |j| j.len()));
        FIXED + self.id.len() + self.owner.len() + json(&self.input_requests) + json(&self.input_responses) + outcome
    }

    /// Apply `change` as every store must (see [`TaskChange`] for what each
    /// does); whether anything changed. A terminal task never changes, and
    /// answers to no open question change nothing. A store that keeps whole
    /// records calls this rather than matching on the change itself, so that
    /// it follows the engine when a kind of change is added.
    pub fn apply(&mut self, change: TaskChange) -> bool {
        if self.status.is_terminal() {
            return false;
        }
        match change {
            TaskChange::Waiting(questions) => {
                self.input_responses.retain(|key, _| questions.contains_key(key));
                self.input_requests = questions;
                self.input_requests.retain(|key, _| !self.input_responses.contains_key(key));
                self.status = self.waiting_status();
            }
            TaskChange::Answer(answers) => {
                let mut answered = false;
                for (key, answer) in answers {
                    // A key still among the questions has no answer waiting:
                    // answering moves it out.
                    if self.input_requests.remove(&key).is_some() {
                        self.input_responses.insert(key, answer);
                        answered = true;
                    }
                }
                if !answered {
                    return false;
                }
                self.status = self.waiting_status();
            }
            TaskChange::Finished { status, outcome, message } => {
                self.status = status;
                self.outcome = Some(outcome);
                self.status_message = message;
                self.input_requests.clear();
                self.input_responses.clear();
            }
            TaskChange::Cancel => {
                self.status = TaskStatus::Cancelled;
                self.status_message = Some("The task was cancelled by request.".into());
                self.input_requests.clear();
                self.input_responses.clear();
            }
        }
        self.last_updated_at = std::time::SystemTime::now();
        true
    }

    /// `input_required` while a question is left unanswered, `working` once
    /// none is.
    fn waiting_status(&self) -> TaskStatus {
        match self.input_requests.is_empty() {
            true => TaskStatus::Working,
            false => TaskStatus::InputRequired,
        }
    }
}

/// A change to a task that is not yet terminal. A task that is terminal
/// never changes again: the store applies none of these to it and returns
/// it as it is. [`TaskRecord::apply`] is what each does to a record.
///
/// Non-exhaustive: the engine may learn new kinds of change. A store that
/// translates changes into its own operations falls back, for a kind it
/// does not know, to reading the record, [`apply`](TaskRecord::apply)ing the
/// change and writing it back in one step.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TaskChange {
    /// Every question the process running the task now waits on, by key.
    /// The ones answered through the store stay answered (their answers wait
    /// in `input_responses`, their questions stay out of `input_requests`);
    /// an answer whose key is not among them is dropped, since the process
    /// took it or its question is gone. The status is `input_required` while
    /// a question is left unanswered, `working` otherwise.
    Waiting(JsonObject),
    /// Answers to some of its questions, by key, given through a process
    /// that does not run the task (`tasks/update`). Each answer whose key is
    /// among `input_requests` moves its question out of them and waits in
    /// `input_responses` until the process running the task takes it; an
    /// answer to any other key is dropped. The status follows the questions
    /// left, as for `Waiting`. Answers count against the byte limit like
    /// the rest of the record.
    Answer(JsonObject),
    /// It ended, with this status (`completed` or `failed`) and outcome.
    Finished {
        /// The terminal status.
        status: TaskStatus,
        /// What the request answered.
        outcome: TaskOutcome,
        /// A word on it, for `statusMessage`.
        message: Option<String>,
    },
    /// It was cancelled.
    Cancel,
}

/// Why the store refused or failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TaskStoreError {
    /// The client already holds as many live tasks as it may.
    #[error("this client already has {0} tasks, the most it may hold; let some finish or expire")]
    TooManyForClient(usize),
    /// The store holds as many live tasks as it may.
    #[error("the server holds {0} tasks, the most it may; try again later")]
    TooMany(usize),
    /// The change would take the store past its byte limit.
    #[error("the task store is full ({0} bytes)")]
    Full(usize),
    /// A `tasks/list` cursor the store did not issue.
    #[error("invalid cursor {0:?}")]
    InvalidCursor(String),
    /// The store's backend failed (a shared store's connection, say).
    #[error("the task store failed: {0}")]
    Backend(String),
}

impl TaskStoreError {
    /// The JSON-RPC error a request that met this gets: -32000 (the server
    /// is overloaded, try later) for the limits, -32603 for a backend failure.
    pub fn to_error_object(&self) -> ErrorObject {
        match self {
            Self::Backend(_) => ErrorObject::internal_error(self.to_string()),
            Self::InvalidCursor(_) => ErrorObject::invalid_params(self.to_string()),
            _ => ErrorObject::new(mcpwire_protocol::ErrorCode::SERVER_OVERLOADED, self.to_string()),
        }
    }
}

/// Where tasks are kept. The default, [`MemoryTaskStore`](crate::MemoryTaskStore),
/// serves one process; a deployment with several processes plugs in one they
/// share ([`ServerBuilder::task_store`](crate::ServerBuilder::task_store)).
///
/// Every method is asynchronous, so a store may talk to a database. What a
/// store must guarantee:
/// - `create` resolves only once a `get` of the task, from any process,
///   would find it (clients may poll the moment they learn the id);
/// - a task stays retrievable until its TTL has passed, and may vanish any
///   time after;
/// - a terminal task never changes again (see [`TaskChange`]);
/// - a change is applied as [`TaskRecord::apply`] applies it, as one step,
///   whoever else changes the task meanwhile;
/// - its limits (tasks per owner, in all, stored bytes, answers waiting
///   included) hold even when requests race: `create` checks and inserts as
///   one step, and a change that would break the byte limit is refused
///   ([`TaskStoreError::Full`]) and leaves the task as it was.
///
/// Two methods let the process running a task hear what other processes did
/// to it: [`cancelled`](Self::cancelled) and [`answered`](Self::answered).
/// Their defaults poll [`get`](Self::get), which is correct for any store;
/// a store that can push a change (a notification channel) should override
/// both.
pub trait TaskStore: Send + Sync + 'static {
    /// Keep a new task, unless that would break a limit.
    fn create(&self, task: TaskRecord) -> StoreFuture<'_, ()>;

    /// The task with this id; `None` when unknown or expired.
    fn get(&self, id: &str) -> StoreFuture<'_, Option<TaskRecord>>;

    /// Apply `change` to the task; the task as it is afterwards, or `None`
    /// when unknown or expired. A terminal task comes back unchanged.
    fn update(&self, id: &str, change: TaskChange) -> StoreFuture<'_, Option<TaskRecord>>;

    /// One page of `owner`'s live tasks, oldest first, and the cursor of the
    /// next page.
    fn list(
        &self,
        owner: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> StoreFuture<'_, (Vec<TaskRecord>, Option<String>)>;

    /// Resolves once the task is cancelled (by any process) or gone: how a
    /// cancellation made through a shared store reaches the process running
    /// the task. The default polls `get` every `poll`; a store that can push
    /// (a notification channel) should say so here.
    fn cancelled<'a>(&'a self, id: &'a str, poll: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>> {
        Box::pin(async move {
            loop {
                match self.get(id).await {
                    // A failing store says nothing about the task: ask again.
                    Ok(Some(task)) if task.status != TaskStatus::Cancelled => {}
                    Err(_) => {}
                    Ok(_) => return,
                }
                tokio::time::sleep(poll).await;
            }
        })
    }

    /// Resolves once answers wait in the task's `input_responses` (given
    /// through any process, [`TaskChange::Answer`]), or it is terminal or
    /// gone: how answers given through a shared store reach the process
    /// running the task, which then takes them from the record. The process
    /// waits on this only while a question of the task is open. The default
    /// polls `get` every `poll`; a store that can push should say so here.
    fn answered<'a>(&'a self, id: &'a str, poll: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>> {
        Box::pin(async move {
            loop {
                match self.get(id).await {
                    Ok(Some(task)) if task.input_responses.is_empty() && !task.status.is_terminal() => {}
                    // A failing store says nothing about the task: ask again.
                    Err(_) => {}
                    Ok(_) => return,
                }
                tokio::time::sleep(poll).await;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use serde_json::json;

    use super::*;

    fn waiting_on(keys: &[&str]) -> TaskRecord {
        let mut record = TaskRecord {
            id: "t".into(),
            owner: "o".into(),
            wire: TaskWire::Extension,
            status: TaskStatus::Working,
            status_message: None,
            created_at: UNIX_EPOCH,
            last_updated_at: UNIX_EPOCH,
            ttl: None,
            poll_interval: Duration::from_millis(250),
            input_requests: JsonObject::new(),
            input_responses: JsonObject::new(),
            outcome: None,
        };
        assert!(record.apply(TaskChange::Waiting(questions(keys))));
        record
    }

    fn questions(keys: &[&str]) -> JsonObject {
        keys.iter().map(|key| ((*key).to_owned(), json!({"method": "roots/list"}))).collect()
    }

    fn answers(keys: &[&str]) -> JsonObject {
        keys.iter().map(|key| ((*key).to_owned(), json!({"roots": []}))).collect()
    }

    fn keys(object: &JsonObject) -> Vec<&str> {
        object.keys().map(String::as_str).collect()
    }

    #[test]
    fn answers_move_their_questions_out_until_the_running_process_takes_them() {
        let mut record = waiting_on(&["a", "b"]);
        assert_eq!(record.status, TaskStatus::InputRequired);
        // An answer to a key nobody asked changes nothing.
        assert!(!record.apply(TaskChange::Answer(answers(&["unknown"]))));
        assert!(record.apply(TaskChange::Answer(answers(&["a", "unknown"]))));
        assert_eq!((keys(&record.input_requests), keys(&record.input_responses)), (vec!["b"], vec!["a"]));
        assert_eq!(record.status, TaskStatus::InputRequired);
        // A second answer to the same question is not kept: the first stands.
        assert!(!record.apply(TaskChange::Answer(answers(&["a"]))));
        assert!(record.apply(TaskChange::Answer(answers(&["b"]))));
        assert_eq!(record.status, TaskStatus::Working, "every question is answered");
        // The running process has not taken `b` yet but asks `c`: `b` stays
        // answered; it took `a`, which leaves the store.
        assert!(record.apply(TaskChange::Waiting(questions(&["b", "c"]))));
        assert_eq!((keys(&record.input_requests), keys(&record.input_responses)), (vec!["c"], vec!["b"]));
        assert_eq!(record.status, TaskStatus::InputRequired);
    }

    #[test]
    fn answers_count_against_the_stored_bytes() {
        let mut record = waiting_on(&["a"]);
        let before = record.stored_bytes();
        let long = json!({"action": "accept", "content": {"text": "x".repeat(10_000)}});
        record.apply(TaskChange::Answer([("a".to_owned(), long)].into_iter().collect()));
        assert!(record.stored_bytes() >= before + 10_000, "{} after {before}", record.stored_bytes());
    }

    #[test]
    fn an_ending_clears_questions_and_answers_and_nothing_changes_it_again() {
        let mut record = waiting_on(&["a", "b"]);
        record.apply(TaskChange::Answer(answers(&["a"])));
        assert!(record.apply(TaskChange::Cancel));
        assert_eq!(record.status, TaskStatus::Cancelled);
        assert_eq!(record.status_message.as_deref(), Some("The task was cancelled by request."));
        assert!(record.input_requests.is_empty() && record.input_responses.is_empty());
        assert!(record.last_updated_at > UNIX_EPOCH);
        let ended = record.clone();
        assert!(!record.apply(TaskChange::Waiting(questions(&["c"]))));
        assert!(!record.apply(TaskChange::Answer(answers(&["b"]))));
        let outcome = TaskOutcome::Result(JsonObject::new());
        assert!(!record.apply(TaskChange::Finished { status: TaskStatus::Completed, outcome, message: None }));
        assert_eq!(record, ended);
    }

    #[test]
    fn a_record_without_waiting_answers_keeps_its_json() {
        let record = waiting_on(&["a"]);
        let json = serde_json::to_value(&record).unwrap();
        assert!(json.get("input_responses").is_none(), "{json}");
        let mut older = json;
        older.as_object_mut().unwrap().remove("input_responses");
        assert_eq!(serde_json::from_value::<TaskRecord>(older).unwrap(), record);
    }
}
