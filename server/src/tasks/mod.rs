//! Tasks: a tool call that outlives its request. The client gets a handle at
//! once, the tool runs in the background, and the client polls for the
//! outcome, answers the tool's questions, or cancels it.
//!
//! One implementation serves two wires: the tasks extension of 2026-07-28
//! (`io.modelcontextprotocol/tasks`, SEP-2663: `resultType: "task"`,
//! `tasks/get` inlining the outcome, `tasks/update`, `tasks/cancel`) and the
//! experimental tasks of 2025-11-25 (`params.task`, `tasks/get`,
//! `tasks/result`, `tasks/list`, `tasks/cancel`). Only the rendering differs
//! (`routes` picks it by the request's era).
//!
//! What lives where:
//! - the [`TaskStore`] keeps every task as data (status, timestamps, TTL,
//!   questions, outcome): a shared store lets any process answer a poll;
//! - the running future stays in the process that started it, which keeps a
//!   [`Local`] per task: its cancellation token, and its open questions with
//!   the channel each answer goes down. A task's handler waits for an answer
//!   in memory (a task lives in one process, unlike a stateless request,
//!   which is re-run from the start every round).
//!
//! Any process may serve a task's `tasks/*` requests. Cancelling goes
//! through the store first (the task becomes `cancelled` for everyone), then
//! fires the local token, if the task runs here, which drops the handler's
//! future; a runner also watches [`TaskStore::cancelled`], which is how a
//! cancellation made in another process reaches it. Answers (`tasks/update`)
//! go down their channels at once when the task runs here; otherwise they
//! are checked against the questions the store shows and left in the store
//! ([`TaskChange::Answer`]), and a handler waiting for an answer also watches
//! [`TaskStore::answered`] and takes them from there. `Mcp-Name` carries the
//! task id on `tasks/*` requests, so a load balancer that routes by it saves
//! that detour.

mod memory;
mod store;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::FutureExt as _;
use mcpwire_protocol::types::TaskStatusNotificationParams;
use mcpwire_protocol::types::{
    CreateMessageResult, DetailedTask, ElicitResult, InputRequest, InputRequests, InputResponse, InputResponses,
    JsonObject, ListRootsResult, ResultType, Task, TaskState, TaskStatus,
};
use mcpwire_protocol::{ErrorCode, ErrorObject, ServerNotification};
use mcpwire_transport::OutgoingMessageSender;
use serde::Deserialize as _;
use serde_json::Value;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

pub use memory::MemoryTaskStore;
pub use store::{StoreFuture, TaskChange, TaskOutcome, TaskRecord, TaskStore, TaskStoreError, TaskWire};

use crate::tool::BoxFuture;

/// The limits and timings of tasks.
///
/// Who is a "client", for `max_tasks_per_client`: without sessions there is
/// no connection to count by, so a stateless request's tasks belong to the
/// name in its `clientInfo` (all clients that give the same name share the
/// limit, and none can read another's tasks); a 2025-11-25 session's tasks
/// belong to the session. Task ids are 128 random bits, so a task cannot be
/// reached by guessing its id either.
#[derive(Debug, Clone)]
pub struct TaskConfig {
    /// How long a task is kept after creation when the client asks for
    /// nothing else; `None` keeps tasks until the server stops. Default 5 min.
    pub default_ttl: Option<Duration>,
    /// The longest TTL a client may ask for (2025-11-25's `params.task.ttl`).
    /// Default 1 hour.
    pub max_ttl: Duration,
    /// How often clients should poll (`pollIntervalMs`). Default 250 ms.
    pub poll_interval: Duration,
    /// Live tasks one client may hold; creating one more is refused (-32000)
    /// until some expire. Default 256.
    pub max_tasks_per_client: usize,
    /// Live tasks the default store holds in all. Default 10,000.
    pub max_tasks: usize,
    /// Bytes of questions, answers waiting to be taken, and outcomes the
    /// store holds in all; an outcome that does not fit fails its task
    /// (-32603), answers that do not fit are refused (-32000). Default 64 MiB.
    pub max_stored_bytes: usize,
}

impl Default for TaskConfig {
    fn default() -> Self {
        Self {
            default_ttl: Some(Duration::from_secs(5 * 60)),
            max_ttl: Duration::from_secs(60 * 60),
            poll_interval: Duration::from_millis(250),
            max_tasks_per_client: 256,
            max_tasks: 10_000,
            max_stored_bytes: 64 << 20,
        }
    }
}

/// A server's tasks: the store, and the tasks running in this process.
pub(crate) struct Tasks {
    pub(crate) store: Arc<dyn TaskStore>,
    pub(crate) config: TaskConfig,
    /// Tasks whose future runs in this process, by id.
    local: Mutex<HashMap<String, Arc<Local>>>,
}

/// A task running in this process.
pub(crate) struct Local {
    /// Fires on `tasks/cancel`: drops the handler's future.
    cancel: CancellationToken,
    questions: Mutex<Questions>,
    /// Held while the open questions are written to the store, so that the
    /// last write always carries every question asked before it began.
    publishing: tokio::sync::Mutex<()>,
    /// Where `notifications/tasks/status` go (a 2025-11-25 task's session),
    /// and the status last announced there.
    announce: Option<(Arc<OutgoingMessageSender>, Mutex<TaskStatus>)>,
}

#[derive(Default)]
struct Questions {
    /// Asked and not yet answered, by key.
    open: BTreeMap<String, Open>,
    /// Every key used so far: a key is never used twice in a task's life.
    used: HashSet<String>,
    /// Numbers the questions asked without a key, in the order asked.
    next: u32,
    /// Answers given before the task was created (its input-required
    /// rounds), by key.
    answered_before: InputResponses,
}

struct Open {
    request: InputRequest,
    /// Where the answer goes; `None` for a question of a 2025-11-25 task,
    /// which is a real request to the client and is answered as one.
    answer: Option<oneshot::Sender<InputResponse>>,
}

/// What a task's handler context knows of its task.
pub(crate) struct TaskBinding {
    pub(crate) id: String,
    pub(crate) wire: TaskWire,
    tasks: Arc<Tasks>,
    local: Arc<Local>,
}

impl std::fmt::Debug for TaskBinding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskBinding").field("id", &self.id).field("wire", &self.wire).finish_non_exhaustive()
    }
}

/// How to create a task.
pub(crate) struct NewTask {
    pub(crate) wire: TaskWire,
    pub(crate) owner: String,
    /// The TTL the client asked for, in milliseconds (2025-11-25 only).
    pub(crate) requested_ttl: Option<u64>,
    /// Answers its request carried (input-required rounds before the task).
    pub(crate) answered: InputResponses,
    /// The session to tell of status changes (2025-11-25), if any.
    pub(crate) announce_to: Option<Arc<OutgoingMessageSender>>,
}

impl Tasks {
    pub(crate) fn new(store: Arc<dyn TaskStore>, config: TaskConfig) -> Self {
        Self { store, config, local: Mutex::default() }
    }

    fn local(&self, id: &str) -> Option<Arc<Local>> {
        self.local.lock().expect("tasks lock").get(id).cloned()
    }

    /// Create a task and keep it in the store: once this returns, a
    /// `tasks/get` from anywhere finds it. Its future is started with
    /// [`run`](Self::run).
    pub(crate) async fn create(self: &Arc<Self>, new: NewTask) -> Result<(TaskRecord, Arc<TaskBinding>), ErrorObject> {
        let ttl = match new.requested_ttl {
            Some(ms) => Some(Duration::from_millis(ms).min(self.config.max_ttl)),
            None => self.config.default_ttl,
        }
        // A TTL is never zero on the wire: the task would be gone before the
        // client could ask for it.
        .map(|ttl| ttl.max(Duration::from_millis(1)));
        let now = SystemTime::now();
        let record = TaskRecord {
            id: new_id(),
            owner: new.owner,
            wire: new.wire,
            status: TaskStatus::Working,
            status_message: None,
            created_at: now,
            last_updated_at: now,
            ttl,
            poll_interval: self.config.poll_interval,
            input_requests: JsonObject::new(),
            input_responses: JsonObject::new(),
            outcome: None,
        };
        self.store.create(record.clone()).await.map_err(|e| e.to_error_object())?;
        let questions = Questions { answered_before: new.answered, ..Questions::default() };
        let local = Arc::new(Local {
            cancel: CancellationToken::new(),
            questions: Mutex::new(questions),
            publishing: tokio::sync::Mutex::new(()),
            announce: new.announce_to.map(|sender| (sender, Mutex::new(TaskStatus::Working))),
        });
        self.local.lock().expect("tasks lock").insert(record.id.clone(), Arc::clone(&local));
        let binding =
            Arc::new(TaskBinding { id: record.id.clone(), wire: record.wire, tasks: Arc::clone(self), local });
        Ok((record, binding))
    }

    /// Run a task's work in the background until it finishes or is
    /// cancelled, and store how it ended. `work` resolves to the terminal
    /// status and outcome; a panic in it fails the task with -32603.
    pub(crate) fn run(self: &Arc<Self>, binding: &Arc<TaskBinding>, work: BoxFuture<(TaskStatus, TaskOutcome)>) {
        let tasks = Arc::clone(self);
        let id = binding.id.clone();
        let cancel = binding.local.cancel.clone();
        tokio::spawn(async move {
            let poll = tasks.config.poll_interval;
            let ended = tokio::select! {
                biased;
                () = cancel.cancelled() => None,
                () = tasks.store.cancelled(&id, poll) => None,
                ended = std::panic::AssertUnwindSafe(work).catch_unwind() => Some(ended),
            };
            match ended {
                Some(Ok((status, outcome))) => tasks.finish(&id, status, outcome).await,
                Some(Err(panic)) => {
                    let message = crate::processor::panic_message(panic.as_ref()).to_owned();
                    tracing::error!(task = %id, message, "a task's handler panicked");
                    let error = ErrorObject::internal_error(format!("the handler panicked: {message}"));
                    tasks.finish(&id, TaskStatus::Failed, TaskOutcome::Error(error)).await;
                }
                // Cancelled here or through the store: make sure the store
                // says so (a no-op when it already does).
                None => match tasks.store.update(&id, TaskChange::Cancel).await {
                    Ok(after) => tasks.announce(&id, after.as_ref()),
                    Err(error) => tracing::warn!(task = %id, %error, "could not record a task's cancellation"),
                },
            }
            tasks.local.lock().expect("tasks lock").remove(&id);
        });
    }

    async fn finish(&self, id: &str, status: TaskStatus, outcome: TaskOutcome) {
        let message = match &outcome {
            TaskOutcome::Error(error) => Some(error.message.to_string()),
            TaskOutcome::Result(_) => None,
        };
        let change = TaskChange::Finished { status, outcome, message };
        let stored = match self.store.update(id, change).await {
            Err(TaskStoreError::Full(limit)) => {
                // The outcome does not fit: keep a short error in its place,
                // so the client learns why instead of polling until expiry.
                let error = ErrorObject::internal_error(format!(
                    "the task's result is too large for the task store ({limit} bytes in all)"
                ));
                let message = Some(error.message.to_string());
                let outcome = TaskOutcome::Error(error);
                self.store.update(id, TaskChange::Finished { status: TaskStatus::Failed, outcome, message }).await
            }
            other => other,
        };
        match stored {
            Ok(after) => self.announce(id, after.as_ref()),
            Err(error) => tracing::warn!(task = %id, %error, "could not record how a task ended"),
        }
    }

    /// Tell a 2025-11-25 task's session that its status changed
    /// (`notifications/tasks/status`, which that revision makes optional);
    /// only a change is announced. Never waits: a session that reads too
    /// slowly misses some, which its polls make up for.
    fn announce(&self, id: &str, task: Option<&TaskRecord>) {
        let (Some(task), Some(local)) = (task, self.local(id)) else { return };
        let Some((sender, last)) = &local.announce else { return };
        let changed = {
            let mut last = last.lock().expect("status lock");
            std::mem::replace(&mut *last, task.status) != task.status
        };
        if changed {
            let params = TaskStatusNotificationParams::new(legacy(task));
            sender.try_send_server_notification(ServerNotification::TaskStatus(params));
        }
    }

    /// The task `id`, if `owner` may see it: -32602 otherwise, the same
    /// whether it never existed, expired, or is someone else's.
    pub(crate) async fn lookup(&self, id: &str, owner: &str) -> Result<TaskRecord, ErrorObject> {
        match self.store.get(id).await {
            Ok(Some(task)) if task.owner == owner => Ok(task),
            Ok(_) => Err(ErrorObject::invalid_params(format!("Failed to retrieve task: Task not found ({id})"))),
            Err(error) => Err(error.to_error_object()),
        }
    }

    /// Cancel a task that is not terminal yet; the task as it is afterwards.
    pub(crate) async fn cancel(&self, id: &str) -> Result<Option<TaskRecord>, ErrorObject> {
        let after = self.store.update(id, TaskChange::Cancel).await.map_err(|e| e.to_error_object())?;
        self.announce(id, after.as_ref());
        if let Some(local) = self.local(id) {
            local.cancel.cancel();
        }
        Ok(after)
    }

    /// Deliver answers to a task's open questions (`tasks/update`): answers
    /// to keys that are not open, or that are not an answer to their
    /// question, are ignored. Resolves once the store shows the questions
    /// answered. A task running here gets its answers in memory; one running
    /// in another process gets them through the store, which may refuse
    /// them (-32000 when they do not fit).
    pub(crate) async fn answer(
        &self,
        task: &TaskRecord,
        responses: serde_json::Map<String, Value>,
    ) -> Result<(), ErrorObject> {
        let Some(local) = self.local(&task.id) else { return self.leave_answers(task, responses).await };
        local.questions.lock().expect("questions lock").deliver(&task.id, responses);
        self.publish(&task.id, &local).await;
        Ok(())
    }

    /// Leave answers in the store for a task that runs in another process,
    /// whose waiting handler takes them from there (see [`TaskBinding::ask`]).
    /// They are checked against the questions the store shows, as the
    /// running process checks them, so an answer that does not fit its
    /// question leaves the question open for everyone.
    async fn leave_answers(&self, task: &TaskRecord, responses: JsonObject) -> Result<(), ErrorObject> {
        let fits = |key: &String, value: &Value| {
            task.input_requests
                .get(key)
                .and_then(|question| InputRequest::deserialize(question).ok())
                .is_some_and(|question| read_answer(&question, value).is_some())
        };
        let answers: JsonObject = responses.into_iter().filter(|(key, value)| fits(key, value)).collect();
        if answers.is_empty() {
            return Ok(());
        }
        self.store.update(&task.id, TaskChange::Answer(answers)).await.map_err(|e| e.to_error_object())?;
        Ok(())
    }

    /// Take the answers that `tasks/update` left in the store, through any
    /// process, and send them to the questions of this task that wait here;
    /// how many were sent. Writing the questions left back to the store then
    /// drops the answers taken from it.
    async fn take_answers(&self, id: &str, local: &Local) -> usize {
        let answers = match self.store.get(id).await {
            Ok(Some(task)) => task.input_responses,
            Ok(None) => return 0,
            Err(error) => {
                tracing::debug!(task = %id, %error, "could not read the answers left for a task");
                return 0;
            }
        };
        let delivered = local.questions.lock().expect("questions lock").deliver(id, answers);
        if delivered > 0 {
            self.publish(id, local).await;
        }
        delivered
    }

    /// Write a task's open questions to the store (its status follows).
    async fn publish(&self, id: &str, local: &Local) {
        let _publishing = local.publishing.lock().await;
        let open: JsonObject = {
            let questions = local.questions.lock().expect("questions lock");
            questions
                .open
                .iter()
                .map(|(key, open)| (key.clone(), serde_json::to_value(&open.request).unwrap_or_default()))
                .collect()
        };
        match self.store.update(id, TaskChange::Waiting(open)).await {
            Ok(after) => self.announce(id, after.as_ref()),
            Err(error) => tracing::warn!(task = %id, %error, "could not record a task's questions"),
        }
    }

    /// Wait until a task is terminal (2025-11-25's `tasks/result` blocks);
    /// `None` when it is gone first.
    pub(crate) async fn terminal(&self, id: &str) -> Result<Option<TaskRecord>, ErrorObject> {
        loop {
            let task = self.store.get(id).await.map_err(|e| e.to_error_object())?;
            match task {
                Some(task) if !task.status.is_terminal() => tokio::time::sleep(self.config.poll_interval).await,
                other => return Ok(other),
            }
        }
    }
}

impl TaskBinding {
    /// Fires when the task is cancelled.
    pub(crate) fn cancellation(&self) -> CancellationToken {
        self.local.cancel.clone()
    }

    /// Ask the client something from inside a task of the extension: the
    /// question becomes one of the task's `inputRequests` (its status
    /// `input_required`), and the handler waits, in memory, until
    /// `tasks/update` brings the answer. A question its request already
    /// answered (input-required rounds before the task) is answered at once.
    pub(crate) async fn ask(&self, key: Option<String>, request: InputRequest) -> Result<InputResponse, crate::Error> {
        let waiting = {
            let mut questions = self.local.questions.lock().expect("questions lock");
            let key = questions.key(key, &request);
            if let Some(answer) = questions.answered_before.get(&key) {
                return Ok(answer.clone());
            }
            let (sender, waiting) = oneshot::channel();
            questions.open.insert(key, Open { request, answer: Some(sender) });
            waiting
        };
        self.tasks.publish(&self.id, &self.local).await;
        // The answer comes down the channel: sent by `tasks/update` in this
        // process, or taken from the store, where any other process leaves
        // it. So the store is watched only while a question is open.
        let poll = self.tasks.config.poll_interval;
        let mut waiting = std::pin::pin!(waiting);
        let mut idle = false;
        loop {
            let watch = async {
                // Nothing was new at the last wake-up (answers already
                // taken, or a failing store): wait a poll before looking again.
                if idle {
                    tokio::time::sleep(poll).await;
                }
                self.tasks.store.answered(&self.id, poll).await;
            };
            tokio::select! {
                answer = &mut waiting => return answer.map_err(|_| crate::Error::TaskEnded),
                () = watch => {}
            }
            // Outside the `select!`, so that an answer arriving meanwhile
            // cannot cut the taking short before the store is written.
            idle = self.tasks.take_answers(&self.id, &self.local).await == 0;
        }
    }

    /// Mark a 2025-11-25 task `input_required` while `asking` (a request to
    /// the client) is answered, then `working` again.
    pub(crate) async fn while_asking<T>(
        &self,
        request: InputRequest,
        asking: impl std::future::Future<Output = T>,
    ) -> T {
        let key = {
            let mut questions = self.local.questions.lock().expect("questions lock");
            let key = questions.key(None, &request);
            questions.open.insert(key.clone(), Open { request, answer: None });
            key
        };
        self.tasks.publish(&self.id, &self.local).await;
        let answer = asking.await;
        self.local.questions.lock().expect("questions lock").open.remove(&key);
        self.tasks.publish(&self.id, &self.local).await;
        answer
    }
}

impl Questions {
    /// Send each answer that fits an open question of the extension down its
    /// channel, closing the question; how many were sent. Answers to other
    /// keys, or that are not an answer to their question, are ignored.
    fn deliver(&mut self, task: &str, answers: JsonObject) -> usize {
        let mut delivered = 0;
        for (key, value) in answers {
            let Some(Open { request, answer: Some(_) }) = self.open.get(&key) else { continue };
            let Some(answer) = read_answer(request, &value) else { continue };
            let Some(Open { answer: Some(sender), .. }) = self.open.remove(&key) else { continue };
            delivered += 1;
            if sender.send(answer).is_err() {
                tracing::debug!(task, key, "an answer for a handler that is gone");
            }
        }
        delivered
    }

    /// The key of a question: the handler's own, or the next number; a key
    /// already used in this task gets a suffix, so no key names two questions.
    fn key(&mut self, key: Option<String>, request: &InputRequest) -> String {
        let mut key = key.unwrap_or_else(|| {
            self.next += 1;
            format!("{}-{}", kind(request), self.next)
        });
        // A key the input-required rounds answered is the same question
        // asked again by the re-run handler: it keeps its key.
        if self.answered_before.contains_key(&key) {
            return key;
        }
        let base = key.clone();
        let mut again = 1;
        while !self.used.insert(key.clone()) {
            again += 1;
            key = format!("{base}#{again}");
        }
        key
    }
}

fn kind(request: &InputRequest) -> &'static str {
    match request {
        InputRequest::Elicit(_) => "elicitation",
        InputRequest::CreateMessage(_) => "sampling",
        InputRequest::ListRoots(_) => "roots",
        _ => "input",
    }
}

/// `value` read as the answer to `request`, or `None` if it is not one.
fn read_answer(request: &InputRequest, value: &Value) -> Option<InputResponse> {
    match request {
        InputRequest::Elicit(_) => ElicitResult::deserialize(value).ok().map(InputResponse::Elicit),
        InputRequest::CreateMessage(_) => {
            CreateMessageResult::deserialize(value).ok().map(InputResponse::CreateMessage)
        }
        InputRequest::ListRoots(_) => ListRootsResult::deserialize(value).ok().map(InputResponse::ListRoots),
        _ => None,
    }
}

/// 128 random bits as hex: a task id nobody can guess.
pub(crate) fn new_id() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system provides random bytes");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX).max(1)
}

/// A task's state as the tasks extension writes it.
pub(crate) fn state(task: &TaskRecord) -> TaskState {
    TaskState {
        task_id: task.id.clone(),
        status: task.status,
        status_message: task.status_message.clone(),
        created_at: iso8601(task.created_at),
        last_updated_at: iso8601(task.last_updated_at),
        ttl_ms: task.ttl.map(millis),
        poll_interval_ms: Some(millis(task.poll_interval)),
    }
}

/// `tasks/get` of the extension: the state, with the outcome or the open
/// questions inlined as the status calls for.
pub(crate) fn detailed(task: &TaskRecord) -> DetailedTask {
    let mut detailed =
        DetailedTask { result_type: Some(ResultType::COMPLETE), task: state(task), ..DetailedTask::default() };
    match (task.status, &task.outcome) {
        (TaskStatus::Completed, Some(TaskOutcome::Result(result))) => detailed.result = Some(result.clone()),
        (TaskStatus::Failed, Some(TaskOutcome::Error(error))) => detailed.error = Some(error.clone()),
        // The extension keeps a tool's own failure `completed`; a record of
        // the other wire cannot get here (its owner is a session).
        (TaskStatus::Failed, Some(TaskOutcome::Result(result))) => detailed.result = Some(result.clone()),
        (TaskStatus::InputRequired, _) => {
            let questions: Option<InputRequests> =
                serde_json::from_value(Value::Object(task.input_requests.clone())).ok();
            detailed.input_requests = Some(questions.unwrap_or_default());
        }
        _ => {}
    }
    detailed
}

/// A task as 2025-11-25 writes it.
pub(crate) fn legacy(task: &TaskRecord) -> Task {
    Task {
        task_id: task.id.clone(),
        status: task.status,
        status_message: task.status_message.clone(),
        created_at: iso8601(task.created_at),
        last_updated_at: iso8601(task.last_updated_at),
        ttl: task.ttl.map(millis),
        poll_interval: Some(millis(task.poll_interval)),
    }
}

/// Whether a stateless request declared the tasks extension in its
/// `_meta` capabilities: only then may it get a task, or use `tasks/*`.
pub(crate) fn declares_extension(meta: Option<&mcpwire_protocol::Meta>) -> bool {
    meta.and_then(|meta| meta.get(mcpwire_protocol::meta::keys::CLIENT_CAPABILITIES))
        .and_then(|capabilities| capabilities.get("extensions"))
        .and_then(|extensions| extensions.get(mcpwire_protocol::types::TASKS_EXTENSION))
        .is_some()
}

/// The error of a task method the client may not use: -32021, naming the
/// extension the request did not declare.
pub(crate) fn missing_extension() -> ErrorObject {
    let required = serde_json::json!({ "extensions": { mcpwire_protocol::types::TASKS_EXTENSION: {} } });
    ErrorObject::new(
        ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY,
        format!("the request did not declare the `{}` extension", mcpwire_protocol::types::TASKS_EXTENSION),
    )
    .with_data(serde_json::json!({ "requiredCapabilities": required }))
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ`, UTC.
pub(crate) fn iso8601(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let seconds = since.as_secs();
    let days = i64::try_from(seconds / 86_400).unwrap_or(0);
    let of_day = seconds % 86_400;
    // Howard Hinnant's days-to-civil algorithm: eras of 400 years, March-based years.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        of_day / 3600,
        of_day / 60 % 60,
        of_day % 60,
        since.subsec_millis()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_iso_8601_in_utc() {
        assert_eq!(iso8601(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let leap_day = UNIX_EPOCH + Duration::from_millis(951_782_400_000 + 3_723_456);
        assert_eq!(iso8601(leap_day), "2000-02-29T01:02:03.456Z");
    }

    #[test]
    fn question_keys_are_never_reused_within_a_task() {
        let mut questions = Questions::default();
        let roots = InputRequest::ListRoots(Default::default());
        assert_eq!(questions.key(None, &roots), "roots-1");
        assert_eq!(questions.key(Some("confirm".into()), &roots), "confirm");
        assert_eq!(questions.key(Some("confirm".into()), &roots), "confirm#2");
        questions.answered_before.insert("early".into(), InputResponse::ListRoots(Default::default()));
        assert_eq!(questions.key(Some("early".into()), &roots), "early");
    }

    #[test]
    fn answers_that_do_not_fit_their_question_are_not_answers() {
        let roots = InputRequest::ListRoots(Default::default());
        assert!(read_answer(&roots, &serde_json::json!({"ignored": true})).is_none());
        assert!(read_answer(&roots, &serde_json::json!({"roots": []})).is_some());
    }

    #[test]
    fn ids_are_32_hex_digits_and_differ() {
        let (a, b) = (new_id(), new_id());
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
