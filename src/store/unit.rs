//! Units of work: one write transaction that several store functions share. An operation opens
//! one with [`Store::begin`](super::Store::begin), calls store functions on it as on any
//! [`Store`], and commits; dropping it uncommitted rolls everything back.

use super::{AnyConnection, RawTx, Result, Store, timings::Held};
use sqlx::Any;
use sqlx::pool::PoolConnection;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use tokio::sync::{MappedMutexGuard, Mutex, MutexGuard};

/// The open transaction of a bound handle. The lock serialises the statements of one
/// operation (which run one after another anyway); `None` once committed.
pub(super) type Shared = Arc<Mutex<Option<RawTx>>>;

/// A connection a store function runs its statements on.
pub enum Conn<'a> {
    /// From a pool, for the one statement or transaction of a function called on a plain handle.
    Pooled(PoolConnection<Any>, Held),
    /// A function's own transaction; it commits it itself.
    Own(RawTx, Held),
    /// The operation's transaction, joined; the operation commits it.
    Joined(MappedMutexGuard<'a, RawTx>),
}

pub(super) async fn joined(tx: &Shared) -> Result<Conn<'_>> {
    match MutexGuard::try_map(tx.lock().await, Option::as_mut) {
        Ok(tx) => Ok(Conn::Joined(tx)),
        Err(_) => Err(ended()),
    }
}

impl Conn<'_> {
    /// Undoes a function's own transaction. A joined one cannot be undone in part: that is an
    /// error, which makes its operation roll back whole.
    pub async fn rollback(self) -> Result<()> {
        match self {
            Conn::Own(tx, _) => Ok(tx.rollback().await?),
            Conn::Pooled(..) => Ok(()),
            Conn::Joined(_) => Err(super::StoreError::Database(sqlx::Error::Protocol(
                "a store function cannot undo part of its operation's transaction".into(),
            ))),
        }
    }

    /// Commits a function's own transaction; a joined one commits with its operation.
    pub async fn commit(self) -> Result<()> {
        match self {
            Conn::Own(tx, _) => Ok(tx.commit().await?),
            Conn::Pooled(..) | Conn::Joined(_) => Ok(()),
        }
    }
}

impl Deref for Conn<'_> {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        match self {
            Conn::Pooled(c, _) => c,
            Conn::Own(tx, _) => tx,
            Conn::Joined(tx) => tx,
        }
    }
}

impl DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match self {
            Conn::Pooled(c, _) => c,
            Conn::Own(tx, _) => tx,
            Conn::Joined(tx) => tx,
        }
    }
}

/// One operation's write transaction, usable as a [`Store`] (it derefs to one bound to the
/// transaction). Commit it with [`Unit::commit`]; dropped uncommitted, it rolls back.
pub struct Unit {
    store: Store,
    _held: Held,
}

impl Unit {
    pub(super) fn new(mut store: Store, tx: RawTx, held: Held) -> Self {
        store.tx = Some(Arc::new(Mutex::new(Some(tx))));
        Self { store, _held: held }
    }

    pub async fn commit(self) -> Result<()> {
        let tx = self.store.tx.as_ref().and_then(|shared| shared.try_lock().ok().and_then(|mut g| g.take()));
        match tx {
            Some(tx) => Ok(tx.commit().await?),
            None => Err(ended()),
        }
    }
}

impl Deref for Unit {
    type Target = Store;

    fn deref(&self) -> &Store {
        &self.store
    }
}

/// A bound handle used after its transaction committed: a programming error, answered as a
/// database error rather than a panic.
fn ended() -> super::StoreError {
    super::StoreError::Database(sqlx::Error::Protocol("the transaction has already ended".into()))
}
