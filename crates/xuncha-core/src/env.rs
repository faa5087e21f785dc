//! Time and randomness, passed in so that tests are deterministic.

use chrono::{DateTime, Utc};
use rand::{rngs::StdRng, RngCore, SeedableRng};
use uuid::Uuid;

/// Where the current time comes from.
pub trait Clock: Send {
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still unless moved; for tests and generated data.
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// The clock and random source a store uses for timestamps and ids.
pub struct Env {
    pub clock: Box<dyn Clock>,
    pub rng: StdRng,
}

impl Env {
    /// The real clock and an entropy-seeded random source.
    pub fn system() -> Self {
        Env { clock: Box::new(SystemClock), rng: StdRng::from_entropy() }
    }

    /// A fixed time and a seeded random source: every id is reproducible.
    pub fn fixed(now: DateTime<Utc>, seed: u64) -> Self {
        Env { clock: Box::new(FixedClock(now)), rng: StdRng::seed_from_u64(seed) }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// A new UUIDv7 from this environment's clock and random source.
    pub fn new_id(&mut self) -> Uuid {
        let mut random = [0u8; 10];
        self.rng.fill_bytes(&mut random);
        uuid_v7(self.now(), &random)
    }
}

/// A UUIDv7 for a given time and ten random bytes.
pub fn uuid_v7(at: DateTime<Utc>, random: &[u8; 10]) -> Uuid {
    let millis = u64::try_from(at.timestamp_millis()).unwrap_or(0);
    uuid::Builder::from_unix_timestamp_millis(millis, random).into_uuid()
}
