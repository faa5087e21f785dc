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
    /// The last id handed out, so ids made within one millisecond (or while
    /// the clock stands still) still sort in the order they were made.
    last_id: u128,
}

impl Env {
    /// The real clock and an entropy-seeded random source.
    pub fn system() -> Self {
        Env { clock: Box::new(SystemClock), rng: StdRng::from_entropy(), last_id: 0 }
    }

    /// A fixed time and a seeded random source: every id is reproducible.
    pub fn fixed(now: DateTime<Utc>, seed: u64) -> Self {
        Env { clock: Box::new(FixedClock(now)), rng: StdRng::seed_from_u64(seed), last_id: 0 }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Now in China Standard Time (UTC+8), the time documents are dated in.
    pub fn now_in_china(&self) -> DateTime<chrono::FixedOffset> {
        let cst = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
        self.now().with_timezone(&cst)
    }

    /// A new UUIDv7 from this environment's clock and random source. Ids
    /// from one environment always increase: within one millisecond the
    /// random tail of the previous id is counted up instead. The caller
    /// names the kind of id (`let id: InspectionId = env.new_id();`).
    pub fn new_id<I: From<Uuid>>(&mut self) -> I {
        let mut random = [0u8; 10];
        self.rng.fill_bytes(&mut random);
        let id = uuid_v7(self.now(), &random).as_u128();
        let id = if id > self.last_id {
            id
        } else {
            // The low 62 bits are the random tail; the variant bits sit above them.
            const TAIL: u128 = (1 << 62) - 1;
            let tail = (self.last_id & TAIL) + 1;
            if tail > TAIL {
                // Tail exhausted within one millisecond: move to the next one.
                let next_ms = (self.last_id >> 80) + 1;
                uuid_v7_millis(next_ms as u64, &random).as_u128()
            } else {
                (self.last_id & !TAIL) | tail
            }
        };
        self.last_id = id;
        I::from(Uuid::from_u128(id))
    }
}

/// A UUIDv7 for a given time and ten random bytes.
pub fn uuid_v7(at: DateTime<Utc>, random: &[u8; 10]) -> Uuid {
    uuid_v7_millis(u64::try_from(at.timestamp_millis()).unwrap_or(0), random)
}

fn uuid_v7_millis(millis: u64, random: &[u8; 10]) -> Uuid {
    uuid::Builder::from_unix_timestamp_millis(millis, random).into_uuid()
}
