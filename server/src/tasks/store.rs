//! The task store: where tasks live between the request that created them
//! and the polls that read them, behind a trait so that processes behind a
//! load balancer can share one.
//!
//! The store holds everything a task is except the future that runs it:
//! its status, its timestamps and TTL, the questions it waits on, and its
//! outcome (the request's result or its JSON-RPC error), all as plain data
//! that serialises. The running future stays in the process that started it
//! (see the `tasks` module); the store is how every process sees it.

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
    /// How it ended, once terminal (`cancelled` has none).
    pub outcome: Option<TaskOutcome>,
}

impl TaskRecord {
    /// Roughly what keeping the record costs, in bytes: its questions and
    /// outcome as JSON, which is all that can grow, plus a fixed share.
    pub fn stored_bytes(&self) -> usize {
        const FIXED: usize = 256;
        let questions = if self.input_requests.is_empty() {
            0
        } else {
            serde_json::to_vec(&self.input_requests).map_or(0, |json| json.len())
        };
        let outcome = self.outcome.as_ref().map_or(0, |outcome| serde_json::to_vec(outcome).map_or(0, |j| j.len()));
        FIXED + self.id.len() + self.owner.len() + questions + outcome
    }
}

/// A change to a task that is not yet terminal. A task that is terminal
/// never changes again: the store applies none of these to it and returns
/// it as it is.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskChange {
    /// The questions it now waits on: `input_required` with them, or
    /// `working` again when there are none.
    Waiting(JsonObject),
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
/// - its limits (tasks per owner, in all, stored bytes) hold even when
///   requests race: `create` checks and inserts as one step.
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
}
