//! The default task store: a bounded map in this process's memory.
//!
//! Bounded three ways, each a [`TaskConfig`] limit: live tasks per owner,
//! live tasks in all, and stored bytes (questions, waiting answers and
//! outcomes as JSON). A task is forgotten once its TTL has passed, never
//! before: expiry deadlines sit in an ordered set, so every call first drops
//! exactly the tasks whose deadline has passed, at a cost of one set lookup
//! when none has.

use std::collections::{BTreeSet, HashMap};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mcpwire_protocol::types::TaskStatus;
use tokio::sync::Notify;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::store::{StoreFuture, TaskChange, TaskRecord, TaskStore, TaskStoreError};
use crate::TaskConfig;

/// Tasks in this process's memory, within the limits of a [`TaskConfig`].
/// What [`Server::builder`](crate::Server::builder) uses unless given
/// another store.
#[derive(Debug)]
pub struct MemoryTaskStore {
    max_per_owner: usize,
    max_tasks: usize,
    max_bytes: usize,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    tasks: HashMap<String, Entry>,
    /// `(deadline, id)` of every task with a TTL, soonest first.
    deadlines: BTreeSet<(Instant, String)>,
    /// Live tasks per owner.
    per_owner: HashMap<String, usize>,
    /// What every entry's `bytes` adds up to.
    bytes: usize,
    /// Numbers entries in creation order, for `list`'s pages.
    next_sequence: u64,
}

#[derive(Debug)]
struct Entry {
    record: TaskRecord,
    /// `record.stored_bytes()` when last stored.
    bytes: usize,
    sequence: u64,
    /// Fires when the task is cancelled or forgotten.
    gone: CancellationToken,
    /// Wakes whoever waits in `answered` when answers are left for the task.
    answered: Arc<Notify>,
}

impl MemoryTaskStore {
    /// A store within `config`'s limits (`max_tasks_per_client`,
    /// `max_tasks`, `max_stored_bytes`).
    pub fn new(config: &TaskConfig) -> Self {
        Self {
            max_per_owner: config.max_tasks_per_client,
            max_tasks: config.max_tasks,
            max_bytes: config.max_stored_bytes,
            state: Mutex::default(),
        }
    }

    /// How many tasks it holds (expired ones dropped first).
    pub fn len(&self) -> usize {
        let mut state = self.lock();
        state.expire(Instant::now());
        state.tasks.len()
    }

    /// Whether it holds no task.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// What the tasks it holds take, as [`TaskRecord::stored_bytes`] counts.
    pub fn stored_bytes(&self) -> usize {
        let mut state = self.lock();
        state.expire(Instant::now());
        state.bytes
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("task store lock")
    }

    fn create_now(&self, record: TaskRecord) -> Result<(), TaskStoreError> {
        let now = Instant::now();
        let mut state = self.lock();
        state.expire(now);
        if state.per_owner.get(&record.owner).copied().unwrap_or(0) >= self.max_per_owner {
            return Err(TaskStoreError::TooManyForClient(self.max_per_owner));
        }
        if state.tasks.len() >= self.max_tasks {
            return Err(TaskStoreError::TooMany(self.max_tasks));
        }
        let bytes = record.stored_bytes();
        if state.bytes + bytes > self.max_bytes {
            return Err(TaskStoreError::Full(self.max_bytes));
        }
        let deadline = record.ttl.map(|ttl| now + ttl);
        if let Some(deadline) = deadline {
            state.deadlines.insert((deadline, record.id.clone()));
        }
        *state.per_owner.entry(record.owner.clone()).or_default() += 1;
        state.bytes += bytes;
        let sequence = state.next_sequence;
        state.next_sequence += 1;
        let entry = Entry { record, bytes, sequence, gone: CancellationToken::new(), answered: Arc::default() };
        state.tasks.insert(entry.record.id.clone(), entry);
        Ok(())
    }

    fn update_now(&self, id: &str, change: TaskChange) -> Result<Option<TaskRecord>, TaskStoreError> {
        let mut state = self.lock();
        state.expire(Instant::now());
        let State { tasks, bytes: total, .. } = &mut *state;
        let Some(entry) = tasks.get_mut(id) else { return Ok(None) };
        let answering = matches!(change, TaskChange::Answer(_));
        let mut record = entry.record.clone();
        // A terminal task, or answers to no open question: nothing to store.
        if !record.apply(change) {
            return Ok(Some(record));
        }
        let bytes = record.stored_bytes();
        if *total - entry.bytes + bytes > self.max_bytes {
            return Err(TaskStoreError::Full(self.max_bytes));
        }
        *total = *total - entry.bytes + bytes;
        entry.bytes = bytes;
        if record.status == TaskStatus::Cancelled {
            entry.gone.cancel();
        }
        entry.record = record;
        if answering {
            entry.answered.notify_waiters();
        }
        Ok(Some(entry.record.clone()))
    }

    /// Whether whoever waits in `answered` for task `id` may stop: answers
    /// wait for it, or it is terminal or gone.
    fn answers_wait(&self, id: &str) -> bool {
        let mut state = self.lock();
        state.expire(Instant::now());
        state
            .tasks
            .get(id)
            .is_none_or(|entry| !entry.record.input_responses.is_empty() || entry.record.status.is_terminal())
    }
}

impl State {
    /// Forget every task whose deadline has passed (strictly: a task is
    /// still there at the very instant its TTL ends).
    fn expire(&mut self, now: Instant) {
        while let Some((deadline, _)) = self.deadlines.first() {
            if *deadline >= now {
                return;
            }
            let Some((_, id)) = self.deadlines.pop_first() else { return };
            let Some(entry) = self.tasks.remove(&id) else { continue };
            self.bytes -= entry.bytes;
            if let Some(count) = self.per_owner.get_mut(&entry.record.owner) {
                *count -= 1;
                if *count == 0 {
                    self.per_owner.remove(&entry.record.owner);
                }
            }
            entry.gone.cancel();
        }
    }
}

impl TaskStore for MemoryTaskStore {
    fn create(&self, task: TaskRecord) -> StoreFuture<'_, ()> {
        let created = self.create_now(task);
        Box::pin(async move { created })
    }

    fn get(&self, id: &str) -> StoreFuture<'_, Option<TaskRecord>> {
        let found = {
            let mut state = self.lock();
            state.expire(Instant::now());
            state.tasks.get(id).map(|entry| entry.record.clone())
        };
        Box::pin(async move { Ok(found) })
    }

    fn update(&self, id: &str, change: TaskChange) -> StoreFuture<'_, Option<TaskRecord>> {
        let updated = self.update_now(id, change);
        Box::pin(async move { updated })
    }

    fn list(
        &self,
        owner: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> StoreFuture<'_, (Vec<TaskRecord>, Option<String>)> {
        let after = match cursor.map(str::parse::<u64>) {
            None => None,
            Some(Ok(sequence)) => Some(sequence),
            Some(Err(_)) => {
                let error = TaskStoreError::InvalidCursor(cursor.unwrap_or_default().to_owned());
                return Box::pin(async move { Err(error) });
            }
        };
        let page = {
            let mut state = self.lock();
            state.expire(Instant::now());
            let mut owned: Vec<&Entry> = state
                .tasks
                .values()
                .filter(|entry| entry.record.owner == owner && after.is_none_or(|after| entry.sequence > after))
                .collect();
            owned.sort_unstable_by_key(|entry| entry.sequence);
            let more = owned.len() > limit.max(1);
            owned.truncate(limit.max(1));
            let next = more.then(|| owned.last().map(|entry| entry.sequence.to_string())).flatten();
            (owned.into_iter().map(|entry| entry.record.clone()).collect(), next)
        };
        Box::pin(async move { Ok(page) })
    }

    fn cancelled<'a>(
        &'a self,
        id: &'a str,
        _poll: Duration,
    ) -> Pin<Box<dyn std::future::Future<Output = ()> + Send + 'a>> {
        let gone = self.lock().tasks.get(id).map(|entry| entry.gone.clone());
        Box::pin(async move {
            if let Some(gone) = gone {
                gone.cancelled().await;
            }
        })
    }

    fn answered<'a>(
        &'a self,
        id: &'a str,
        _poll: Duration,
    ) -> Pin<Box<dyn std::future::Future<Output = ()> + Send + 'a>> {
        let watch = self.lock().tasks.get(id).map(|entry| (Arc::clone(&entry.answered), entry.gone.clone()));
        Box::pin(async move {
            let Some((answered, gone)) = watch else { return };
            loop {
                // Created before the look, so answers left between the look
                // and the wait still wake it (`notify_waiters` wakes every
                // `Notified` created before it, polled or not).
                let woken = answered.notified();
                if self.answers_wait(id) {
                    return;
                }
                tokio::select! {
                    () = woken => {}
                    () = gone.cancelled() => return,
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use mcpwire_protocol::types::TaskStatus;

    use super::*;
    use crate::tasks::store::{TaskOutcome, TaskWire};

    fn record(id: &str, owner: &str, ttl: Option<Duration>) -> TaskRecord {
        TaskRecord {
            id: id.to_owned(),
            owner: owner.to_owned(),
            wire: TaskWire::Extension,
            status: TaskStatus::Working,
            status_message: None,
            created_at: SystemTime::now(),
            last_updated_at: SystemTime::now(),
            ttl,
            poll_interval: Duration::from_millis(200),
            input_requests: Default::default(),
            input_responses: Default::default(),
            outcome: None,
        }
    }

    fn config(per_client: usize, tasks: usize, bytes: usize) -> TaskConfig {
        TaskConfig {
            max_tasks_per_client: per_client,
            max_tasks: tasks,
            max_stored_bytes: bytes,
            ..TaskConfig::default()
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_task_lives_exactly_its_ttl() {
        let store = MemoryTaskStore::new(&TaskConfig::default());
        store.create(record("t", "c", Some(Duration::from_secs(60)))).await.unwrap();
        tokio::time::advance(Duration::from_secs(60)).await;
        assert!(store.get("t").await.unwrap().is_some(), "still there the instant its TTL ends");
        tokio::time::advance(Duration::from_millis(1)).await;
        assert!(store.get("t").await.unwrap().is_none());
        assert_eq!((store.len(), store.stored_bytes()), (0, 0));
    }

    #[tokio::test]
    async fn a_terminal_task_never_changes_again() {
        let store = MemoryTaskStore::new(&TaskConfig::default());
        store.create(record("t", "c", None)).await.unwrap();
        let outcome = TaskOutcome::Result(Default::default());
        let change = TaskChange::Finished { status: TaskStatus::Completed, outcome, message: None };
        store.update("t", change).await.unwrap();
        let after = store.update("t", TaskChange::Cancel).await.unwrap().unwrap();
        assert_eq!(after.status, TaskStatus::Completed);
        let after = store.update("t", TaskChange::Waiting(Default::default())).await.unwrap().unwrap();
        assert_eq!(after.status, TaskStatus::Completed);
    }

    #[tokio::test]
    async fn ten_thousand_tasks_from_one_client_stay_within_the_limits() {
        let store = MemoryTaskStore::new(&config(256, 1000, 1 << 20));
        let mut refused = 0;
        for n in 0..10_000 {
            match store.create(record(&format!("t{n}"), "one", Some(Duration::from_secs(300)))).await {
                Ok(()) => {}
                Err(TaskStoreError::TooManyForClient(256)) => refused += 1,
                Err(other) => panic!("unexpected {other}"),
            }
        }
        assert_eq!((store.len(), refused), (256, 10_000 - 256));
        // Another client still has room: the limit is per client.
        store.create(record("other", "two", None)).await.unwrap();
        assert!(store.stored_bytes() <= 1 << 20);
    }

    #[tokio::test]
    async fn the_total_and_byte_limits_hold_across_clients() {
        let store = MemoryTaskStore::new(&config(10, 3, 100_000));
        for n in 0..3 {
            store.create(record(&format!("t{n}"), &format!("c{n}"), None)).await.unwrap();
        }
        assert_eq!(store.create(record("t3", "c3", None)).await, Err(TaskStoreError::TooMany(3)));
        let huge: serde_json::Map<_, _> =
            [("text".to_owned(), serde_json::json!("x".repeat(200_000)))].into_iter().collect();
        let change =
            TaskChange::Finished { status: TaskStatus::Completed, outcome: TaskOutcome::Result(huge), message: None };
        assert_eq!(store.update("t0", change).await, Err(TaskStoreError::Full(100_000)));
        assert_eq!(store.get("t0").await.unwrap().unwrap().status, TaskStatus::Working);
    }

    #[tokio::test]
    async fn pages_of_an_owners_tasks_come_in_creation_order() {
        let store = MemoryTaskStore::new(&TaskConfig::default());
        for n in 0..5 {
            store.create(record(&format!("t{n}"), "me", None)).await.unwrap();
        }
        store.create(record("theirs", "them", None)).await.unwrap();
        let (first, cursor) = store.list("me", None, 3).await.unwrap();
        let (second, end) = store.list("me", cursor.as_deref(), 3).await.unwrap();
        let ids: Vec<_> = first.iter().chain(&second).map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["t0", "t1", "t2", "t3", "t4"]);
        assert_eq!(end, None);
    }

    #[tokio::test]
    async fn cancelling_wakes_whoever_waits_on_it() {
        let store = std::sync::Arc::new(MemoryTaskStore::new(&TaskConfig::default()));
        store.create(record("t", "c", None)).await.unwrap();
        let waiting = {
            let store = std::sync::Arc::clone(&store);
            tokio::spawn(async move { store.cancelled("t", Duration::from_secs(1)).await })
        };
        store.update("t", TaskChange::Cancel).await.unwrap();
        tokio::time::timeout(Duration::from_secs(10), waiting).await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn answers_wake_whoever_waits_for_them_and_count_against_the_byte_limit() {
        let store = std::sync::Arc::new(MemoryTaskStore::new(&config(10, 10, 2_000)));
        store.create(record("t", "c", None)).await.unwrap();
        let question = serde_json::json!({"method": "roots/list"});
        let questions: serde_json::Map<_, _> = [("q".to_owned(), question)].into_iter().collect();
        store.update("t", TaskChange::Waiting(questions)).await.unwrap();
        let waiting = {
            let store = std::sync::Arc::clone(&store);
            tokio::spawn(async move { store.answered("t", Duration::from_secs(3600)).await })
        };
        let answer = |text: &str| -> serde_json::Map<_, _> {
            [("q".to_owned(), serde_json::json!({"roots": [], "note": text}))].into_iter().collect()
        };
        // Too large for the store: refused, and the question stays open.
        assert_eq!(
            store.update("t", TaskChange::Answer(answer(&"x".repeat(5_000)))).await,
            Err(TaskStoreError::Full(2_000))
        );
        assert_eq!(store.get("t").await.unwrap().unwrap().status, TaskStatus::InputRequired);
        assert!(!waiting.is_finished());
        let after = store.update("t", TaskChange::Answer(answer("short"))).await.unwrap().unwrap();
        assert_eq!((after.status, after.input_responses.len()), (TaskStatus::Working, 1));
        // The poll is an hour: only the answer can have woken it.
        tokio::time::timeout(Duration::from_secs(10), waiting).await.unwrap().unwrap();
        assert_eq!(store.stored_bytes(), after.stored_bytes());
    }
}
