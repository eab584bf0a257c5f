//! A [`TaskStore`] in Redis (feature `redis`), so that the processes behind
//! one load balancer share their tasks: a task created through one process
//! is read, answered and cancelled through any other. What this module leaves to the
//! task engine: running the task (its future stays in the process that
//! created it) and what a task means; it only keeps records.
//!
//! Layout, under a prefix (`mcpwire:{tasks}:` by default; the braces make
//! every key hash to one slot, as Redis Cluster needs for scripts):
//!
//! - `t:<id>`: the [`TaskRecord`] as JSON, expiring with the task's TTL
//!   (`PEXPIREAT`), so Redis forgets it exactly when the store may;
//! - `all` and `o:<owner>`: sorted sets of live ids, scored by their expiry
//!   (`+inf` for none), for the limits and for `list`;
//! - `bytes` (id → what its record costs) and `total`: the byte limit.
//!
//! Creating checks every limit and inserts in one Lua script, so the limits
//! hold however many processes race. A change is read, applied here, and
//! written back only if the record is still what was read (a compare-and-set
//! script, retried on a conflict), so two processes never lose each other's
//! change. A cancellation is also published on `cancelled`, and answers left
//! for a task on `answered`: every store listens on both, and wakes the
//! watcher of that task at once instead of at its next poll.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::StreamExt as _;
use mcpwire_protocol::types::TaskStatus;
use redis::AsyncCommands as _;
use redis::aio::ConnectionManager;
use tokio::sync::Notify;

use crate::{StoreFuture, TaskChange, TaskConfig, TaskRecord, TaskStore, TaskStoreError};

/// The default key prefix.
pub const DEFAULT_PREFIX: &str = "mcpwire:{tasks}:";

/// How many times a change is tried again when another process changed the
/// same task between the read and the write: each retry means another
/// process made progress, so a handful is plenty.
const CAS_ATTEMPTS: usize = 16;

/// How long the listener for cancellations and answers waits before
/// connecting again after its connection failed; the watchers poll meanwhile.
const RESUBSCRIBE_AFTER: Duration = Duration::from_secs(1);

/// Creates a task if every limit allows. KEYS: task, all, owner, bytes,
/// total. ARGV: id, record, expiry (ms since the epoch, or `+inf`), now
/// (ms), per-owner limit, total limit, byte limit, the record's bytes.
/// Returns 0, or which limit refused: 1 per owner, 2 in all, 3 bytes.
const CREATE: &str = r"
local now = tonumber(ARGV[4])
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. now)
for _, id in ipairs(expired) do
  local bytes = redis.call('HGET', KEYS[4], id)
  if bytes then
    redis.call('DECRBY', KEYS[5], bytes)
    redis.call('HDEL', KEYS[4], id)
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. now)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. now)
if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[5]) then return 1 end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[6]) then return 2 end
local total = tonumber(redis.call('GET', KEYS[5]) or '0')
if total + tonumber(ARGV[8]) > tonumber(ARGV[7]) then return 3 end
redis.call('SET', KEYS[1], ARGV[2])
if ARGV[3] ~= '+inf' then redis.call('PEXPIREAT', KEYS[1], ARGV[3]) end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
local last = redis.call('ZRANGE', KEYS[3], -1, -1, 'WITHSCORES')
if last[2] == 'inf' then
  redis.call('PERSIST', KEYS[3])
else
  redis.call('PEXPIREAT', KEYS[3], last[2])
end
redis.call('HSET', KEYS[4], ARGV[1], ARGV[8])
redis.call('INCRBY', KEYS[5], ARGV[8])
return 0
";

/// Replaces a record if it is still the one that was read. KEYS: task,
/// bytes, total. ARGV: id, the record read, the new record, its bytes, the
/// byte limit, the channel to publish the id on (empty for none). Returns
/// 0, or -1 when the task is gone, -2 when it changed meanwhile, -3 when the
/// byte limit refuses.
const REPLACE: &str = r"
local current = redis.call('GET', KEYS[1])
if not current then return -1 end
if current ~= ARGV[2] then return -2 end
local old = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
local new = tonumber(ARGV[4])
local total = tonumber(redis.call('GET', KEYS[3]) or '0')
if total - old + new > tonumber(ARGV[5]) then return -3 end
redis.call('SET', KEYS[1], ARGV[3], 'KEEPTTL')
redis.call('HSET', KEYS[2], ARGV[1], new)
redis.call('INCRBY', KEYS[3], new - old)
if ARGV[6] ~= '' then redis.call('PUBLISH', ARGV[6], ARGV[1]) end
return 0
";

/// Tasks in Redis, within the limits of a [`TaskConfig`], shared by every
/// process that uses the same server and prefix.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use mcpwire_server::{RedisTaskStore, Server, TaskConfig};
///
/// let store = RedisTaskStore::connect("redis://127.0.0.1:6379", &TaskConfig::default()).await?;
/// let server = Server::builder("example", "1.0.0").task_store(Arc::new(store)).build();
/// # let _ = server;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct RedisTaskStore {
    /// Reconnects by itself after a failure; shared by every call.
    connection: ConnectionManager,
    /// Every key starts with it.
    prefix: String,
    max_per_owner: usize,
    max_tasks: usize,
    max_bytes: usize,
    /// Wakes the watchers of a task when its cancellation, or an answer for
    /// it, is heard.
    watchers: Arc<Watchers>,
    create: Arc<redis::Script>,
    replace: Arc<redis::Script>,
}

impl std::fmt::Debug for RedisTaskStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisTaskStore").field("prefix", &self.prefix).finish_non_exhaustive()
    }
}

/// What a watcher waits for, each published on a channel of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Event {
    /// The task was cancelled (`cancelled`).
    Cancelled,
    /// Answers were left for the task (`answered`).
    Answered,
}

impl Event {
    const ALL: [Self; 2] = [Self::Cancelled, Self::Answered];

    /// The channel's name after the prefix.
    fn channel(self) -> &'static str {
        match self {
            Self::Cancelled => "cancelled",
            Self::Answered => "answered",
        }
    }
}

/// Who waits for what of which task, woken by the listener.
#[derive(Default)]
struct Watchers {
    by_task: Mutex<HashMap<(Event, String), Weak<Notify>>>,
}

impl Watchers {
    fn watch(&self, event: Event, id: &str) -> Arc<Notify> {
        let mut by_task = self.by_task.lock().expect("watchers lock");
        by_task.retain(|_, notify| notify.strong_count() > 0);
        let key = (event, id.to_owned());
        if let Some(notify) = by_task.get(&key).and_then(Weak::upgrade) {
            return notify;
        }
        let notify = Arc::new(Notify::new());
        by_task.insert(key, Arc::downgrade(&notify));
        notify
    }

    fn wake(&self, event: Event, id: &str) {
        let key = (event, id.to_owned());
        let notify = self.by_task.lock().expect("watchers lock").get(&key).and_then(Weak::upgrade);
        if let Some(notify) = notify {
            notify.notify_waiters();
        }
    }
}

impl RedisTaskStore {
    /// Connects to the Redis server at `url` (`redis://host:port/db`) and
    /// keeps tasks there within `config`'s limits, under [`DEFAULT_PREFIX`].
    ///
    /// Once it returns, the store hears every cancellation and answer other
    /// stores publish (see [`TaskStore::cancelled`]).
    ///
    /// # Errors
    /// [`TaskStoreError::Backend`] when the URL is wrong or the server cannot
    /// be reached.
    pub async fn connect(url: &str, config: &TaskConfig) -> Result<Self, TaskStoreError> {
        Self::connect_with_prefix(url, config, DEFAULT_PREFIX).await
    }

    /// As [`connect`](Self::connect), with every key under `prefix`: stores
    /// with different prefixes on one Redis server do not see each other.
    ///
    /// # Errors
    /// As [`connect`](Self::connect).
    pub async fn connect_with_prefix(url: &str, config: &TaskConfig, prefix: &str) -> Result<Self, TaskStoreError> {
        let client = redis::Client::open(url).map_err(backend)?;
        let connection = ConnectionManager::new(client.clone()).await.map_err(backend)?;
        let watchers = Arc::new(Watchers::default());
        let channels = Event::ALL.map(|event| (format!("{prefix}{}", event.channel()), event));
        // Subscribed before the store is handed out, so that it hears every
        // event published from then on (but during a reconnection).
        let subscribed = subscribe(&client, &channels).await.map_err(backend)?;
        tokio::spawn(listen(client, channels, subscribed, Arc::downgrade(&watchers)));
        Ok(Self {
            connection,
            prefix: prefix.to_owned(),
            max_per_owner: config.max_tasks_per_client,
            max_tasks: config.max_tasks,
            max_bytes: config.max_stored_bytes,
            watchers,
            create: Arc::new(redis::Script::new(CREATE)),
            replace: Arc::new(redis::Script::new(REPLACE)),
        })
    }

    fn key(&self, what: &str) -> String {
        format!("{}{what}", self.prefix)
    }

    fn task_key(&self, id: &str) -> String {
        self.key(&format!("t:{id}"))
    }

    fn owner_key(&self, owner: &str) -> String {
        self.key(&format!("o:{owner}"))
    }

    async fn create_now(&self, task: TaskRecord) -> Result<(), TaskStoreError> {
        let json = serde_json::to_string(&task).map_err(backend)?;
        let now = millis_since_epoch(SystemTime::now());
        let expiry = match task.ttl {
            Some(ttl) => millis_since_epoch(task.created_at + ttl).to_string(),
            None => "+inf".to_owned(),
        };
        let refused: i64 = self
            .create
            .key(self.task_key(&task.id))
            .key(self.key("all"))
            .key(self.owner_key(&task.owner))
            .key(self.key("bytes"))
            .key(self.key("total"))
            .arg(&task.id)
            .arg(json)
            .arg(expiry)
            .arg(now)
            .arg(self.max_per_owner)
            .arg(self.max_tasks)
            .arg(self.max_bytes)
            .arg(task.stored_bytes())
            .invoke_async(&mut self.connection.clone())
            .await
            .map_err(backend)?;
        match refused {
            0 => Ok(()),
            1 => Err(TaskStoreError::TooManyForClient(self.max_per_owner)),
            2 => Err(TaskStoreError::TooMany(self.max_tasks)),
            _ => Err(TaskStoreError::Full(self.max_bytes)),
        }
    }

    /// The record as stored, and parsed.
    async fn read(&self, id: &str) -> Result<Option<(String, TaskRecord)>, TaskStoreError> {
        let json: Option<String> = self.connection.clone().get(self.task_key(id)).await.map_err(backend)?;
        let Some(json) = json else { return Ok(None) };
        let record = serde_json::from_str(&json).map_err(backend)?;
        Ok(Some((json, record)))
    }

    async fn update_now(&self, id: &str, change: TaskChange) -> Result<Option<TaskRecord>, TaskStoreError> {
        for _ in 0..CAS_ATTEMPTS {
            let Some((read, mut record)) = self.read(id).await? else { return Ok(None) };
            let event = match &change {
                TaskChange::Cancel => Some(Event::Cancelled),
                TaskChange::Answer(_) => Some(Event::Answered),
                _ => None,
            };
            // A terminal task, or answers to no open question: nothing to write.
            if !record.apply(change.clone()) {
                return Ok(Some(record));
            }
            let channel = event.map_or_else(String::new, |event| self.key(event.channel()));
            let written: i64 = self
                .replace
                .key(self.task_key(id))
                .key(self.key("bytes"))
                .key(self.key("total"))
                .arg(id)
                .arg(read)
                .arg(serde_json::to_string(&record).map_err(backend)?)
                .arg(record.stored_bytes())
                .arg(self.max_bytes)
                .arg(channel)
                .invoke_async(&mut self.connection.clone())
                .await
                .map_err(backend)?;
            match written {
                0 => return Ok(Some(record)),
                -1 => return Ok(None),
                -3 => return Err(TaskStoreError::Full(self.max_bytes)),
                _ => {}
            }
        }
        Err(TaskStoreError::Backend(format!("task {id} kept changing under {CAS_ATTEMPTS} attempts to change it")))
    }

    async fn list_now(
        &self,
        owner: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<TaskRecord>, Option<String>), TaskStoreError> {
        let after =
            cursor.map(|cursor| parse_cursor(cursor).ok_or_else(|| TaskStoreError::InvalidCursor(cursor.to_owned())));
        let after = after.transpose()?;
        let now = millis_since_epoch(SystemTime::now());
        let mut connection = self.connection.clone();
        let ids: Vec<String> = connection.zrangebyscore(self.owner_key(owner), now, "+inf").await.map_err(backend)?;
        if ids.is_empty() {
            return Ok((Vec::new(), None));
        }
        let keys: Vec<String> = ids.iter().map(|id| self.task_key(id)).collect();
        let found: Vec<Option<String>> =
            redis::cmd("MGET").arg(&keys).query_async(&mut connection).await.map_err(backend)?;
        let mut tasks: Vec<TaskRecord> = found
            .into_iter()
            .flatten()
            .filter_map(|json| serde_json::from_str::<TaskRecord>(&json).ok())
            .filter(|task| task.owner == owner)
            .filter(|task| after.as_ref().is_none_or(|after| order(task) > *after))
            .collect();
        tasks.sort_by_key(order);
        let limit = limit.max(1);
        let more = tasks.len() > limit;
        tasks.truncate(limit);
        let next = more.then(|| tasks.last().map(|task| cursor_of(&order(task)))).flatten();
        Ok((tasks, next))
    }
}

impl TaskStore for RedisTaskStore {
    fn create(&self, task: TaskRecord) -> StoreFuture<'_, ()> {
        Box::pin(self.create_now(task))
    }

    fn get(&self, id: &str) -> StoreFuture<'_, Option<TaskRecord>> {
        let id = id.to_owned();
        Box::pin(async move { Ok(self.read(&id).await?.map(|(_, record)| record)) })
    }

    fn update(&self, id: &str, change: TaskChange) -> StoreFuture<'_, Option<TaskRecord>> {
        let id = id.to_owned();
        Box::pin(async move { self.update_now(&id, change).await })
    }

    fn list(
        &self,
        owner: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> StoreFuture<'_, (Vec<TaskRecord>, Option<String>)> {
        let (owner, cursor) = (owner.to_owned(), cursor.map(str::to_owned));
        Box::pin(async move { self.list_now(&owner, cursor.as_deref(), limit).await })
    }

    /// Resolves once the task is cancelled or gone: at once when a
    /// cancellation is published, and otherwise at the first poll that
    /// finds it so (a task that expires publishes nothing, and the listener
    /// may be reconnecting).
    fn cancelled<'a>(&'a self, id: &'a str, poll: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>> {
        Box::pin(self.watch(Event::Cancelled, id, poll, |task| task.status == TaskStatus::Cancelled))
    }

    /// Resolves once answers wait for the task, or it is terminal or gone:
    /// at once when answers are published, and otherwise at the first poll
    /// that finds them.
    fn answered<'a>(&'a self, id: &'a str, poll: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>> {
        Box::pin(
            self.watch(Event::Answered, id, poll, |task| !task.input_responses.is_empty() || task.status.is_terminal()),
        )
    }
}

impl RedisTaskStore {
    /// Resolves once the task is gone or `done` says so of it, looking again
    /// whenever `event` is published for it, and every `poll`.
    async fn watch(&self, event: Event, id: &str, poll: Duration, done: impl Fn(&TaskRecord) -> bool) {
        let notify = self.watchers.watch(event, id);
        loop {
            // Registered before the read, so an event published between the
            // read and the wait still wakes it.
            let woken = notify.notified();
            match self.get(id).await {
                Ok(Some(task)) if !done(&task) => {}
                // A failing store says nothing about the task: ask again.
                Err(_) => {}
                Ok(_) => return,
            }
            tokio::select! {
                () = woken => {}
                () = tokio::time::sleep(poll) => {}
            }
        }
    }
}

/// A connection subscribed to every channel of `channels`.
async fn subscribe(client: &redis::Client, channels: &[(String, Event)]) -> redis::RedisResult<redis::aio::PubSub> {
    let mut pubsub = client.get_async_pubsub().await?;
    let names: Vec<&str> = channels.iter().map(|(name, _)| name.as_str()).collect();
    pubsub.subscribe(&names).await?;
    Ok(pubsub)
}

/// Listens on `subscribed`, the channels of every [`Event`], for as long as
/// the store lives, waking the watchers of each task named there;
/// subscribes again after a failure.
async fn listen(
    client: redis::Client,
    channels: [(String, Event); 2],
    mut subscribed: redis::aio::PubSub,
    watchers: Weak<Watchers>,
) {
    loop {
        let mut messages = subscribed.on_message();
        while let Some(message) = messages.next().await {
            let Some(watchers) = watchers.upgrade() else { return };
            let event = channels.iter().find(|(name, _)| name == message.get_channel_name());
            if let (Some((_, event)), Ok(id)) = (event, message.get_payload::<String>()) {
                watchers.wake(*event, &id);
            }
        }
        drop(messages);
        // The connection failed; the watchers poll until it is back.
        subscribed = loop {
            if watchers.strong_count() == 0 {
                return;
            }
            tokio::time::sleep(RESUBSCRIBE_AFTER).await;
            match subscribe(&client, &channels).await {
                Ok(subscribed) => break subscribed,
                Err(error) => tracing::debug!(%error, "listening for task events failed; trying again"),
            }
        };
    }
}

/// A task's place in its owner's list: creation time, then id.
fn order(task: &TaskRecord) -> (u128, String) {
    let created = task.created_at.duration_since(UNIX_EPOCH).unwrap_or_default().as_nanos();
    (created, task.id.clone())
}

fn cursor_of((created, id): &(u128, String)) -> String {
    format!("{created}.{id}")
}

fn parse_cursor(cursor: &str) -> Option<(u128, String)> {
    let (created, id) = cursor.split_once('.')?;
    Some((created.parse().ok()?, id.to_owned()))
}

fn millis_since_epoch(time: SystemTime) -> u64 {
    u64::try_from(time.duration_since(UNIX_EPOCH).unwrap_or_default().as_millis()).unwrap_or(u64::MAX)
}

fn backend(error: impl std::fmt::Display) -> TaskStoreError {
    TaskStoreError::Backend(error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_what_they_did_not_issue() {
        let place = (1_700_000_000_123_456_789u128, "ab12".to_owned());
        assert_eq!(parse_cursor(&cursor_of(&place)), Some(place));
        assert_eq!(parse_cursor("not a cursor"), None);
        assert_eq!(parse_cursor("12x.ab"), None);
    }

    /// The Redis server of the tests below: `MCPWIRE_TEST_REDIS`, which
    /// `cargo xtask test` sets to a `redis-server` of its own. Without it,
    /// `None` after saying so, or a failure under `CI=true`.
    fn test_redis() -> Option<String> {
        match std::env::var("MCPWIRE_TEST_REDIS") {
            Ok(url) => Some(url),
            Err(_) if std::env::var("CI").is_ok_and(|ci| ci == "true") => {
                panic!("the Redis task store's tests need MCPWIRE_TEST_REDIS under CI=true; `cargo xtask test` sets it")
            }
            Err(_) => {
                eprintln!("redis_tasks: skipped without MCPWIRE_TEST_REDIS (redis://127.0.0.1:PORT/0)");
                None
            }
        }
    }

    /// Two stores on `url` under a prefix of their own, as two processes
    /// sharing their tasks have, within `config`'s limits.
    async fn two_stores(url: &str, config: &TaskConfig) -> (RedisTaskStore, RedisTaskStore) {
        let prefix = format!("mcpwire:{{test-{}}}:", crate::tasks::new_id());
        let running = RedisTaskStore::connect_with_prefix(url, config, &prefix).await.unwrap();
        let other = RedisTaskStore::connect_with_prefix(url, config, &prefix).await.unwrap();
        (running, other)
    }

    fn waiting_task(id: &str) -> TaskRecord {
        TaskRecord {
            id: id.to_owned(),
            owner: "client:test".to_owned(),
            wire: crate::TaskWire::Extension,
            status: TaskStatus::Working,
            status_message: None,
            created_at: SystemTime::now(),
            last_updated_at: SystemTime::now(),
            ttl: Some(Duration::from_secs(60)),
            poll_interval: Duration::from_millis(250),
            input_requests: mcpwire_protocol::types::JsonObject::new(),
            input_responses: mcpwire_protocol::types::JsonObject::new(),
            outcome: None,
        }
    }

    /// Long enough for any honest wait; only a hang reaches it.
    const PATIENCE: Duration = Duration::from_secs(10);

    /// So long that only a published event can end a wait in time.
    const NEVER: Duration = Duration::from_secs(3600);

    #[tokio::test]
    async fn answers_left_through_one_store_wake_the_other_and_count_against_its_bytes() {
        let Some(url) = test_redis() else { return };
        let config = TaskConfig { max_stored_bytes: 4 << 10, ..TaskConfig::default() };
        let (running, other) = two_stores(&url, &config).await;
        running.create(waiting_task("t")).await.unwrap();
        let question = serde_json::json!({"method": "roots/list", "params": {}});
        let questions: mcpwire_protocol::types::JsonObject = [("q".to_owned(), question)].into_iter().collect();
        running.update("t", TaskChange::Waiting(questions.clone())).await.unwrap();
        let answer = |note: String| -> mcpwire_protocol::types::JsonObject {
            [("q".to_owned(), serde_json::json!({"roots": [], "note": note}))].into_iter().collect()
        };
        let running = Arc::new(running);
        let waiting = {
            let running = Arc::clone(&running);
            tokio::spawn(async move { running.answered("t", NEVER).await })
        };
        let too_large = other.update("t", TaskChange::Answer(answer("x".repeat(8 << 10)))).await;
        assert_eq!(too_large, Err(TaskStoreError::Full(4 << 10)));
        assert_eq!(other.get("t").await.unwrap().unwrap().input_requests, questions, "the question stays open");
        let after = other.update("t", TaskChange::Answer(answer("fits".into()))).await.unwrap().unwrap();
        assert_eq!((after.status, after.input_requests.len()), (TaskStatus::Working, 0));
        tokio::time::timeout(PATIENCE, waiting).await.expect("the published answer woke the watcher").unwrap();
        let seen = running.get("t").await.unwrap().unwrap();
        assert_eq!(seen.input_responses["q"]["note"], "fits");
        // The running process took it, and asks nothing more: the answer leaves the store.
        let taken = running
            .update("t", TaskChange::Waiting(mcpwire_protocol::types::JsonObject::new()))
            .await
            .unwrap()
            .unwrap();
        assert!(taken.input_responses.is_empty() && taken.status == TaskStatus::Working);
    }

    #[tokio::test]
    async fn a_cancellation_through_one_store_wakes_the_other() {
        let Some(url) = test_redis() else { return };
        let (running, other) = two_stores(&url, &TaskConfig::default()).await;
        running.create(waiting_task("t")).await.unwrap();
        let running = Arc::new(running);
        let waiting = {
            let running = Arc::clone(&running);
            tokio::spawn(async move { running.cancelled("t", NEVER).await })
        };
        let after = other.update("t", TaskChange::Cancel).await.unwrap().unwrap();
        assert_eq!(after.status, TaskStatus::Cancelled);
        tokio::time::timeout(PATIENCE, waiting).await.expect("the published cancellation woke the watcher").unwrap();
    }
}
