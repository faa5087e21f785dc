//! Loading the sample data (see [`xuncha_domain::sample`]) into a store.

use serde::Serialize;
use ts_rs::TS;

pub use xuncha_domain::sample::*;

use crate::store::{Store, StoreError};

/// What loading the sample did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct SampleLoaded {
    pub parks: usize,
    pub enterprises: usize,
    /// Records written; 0 when the sample was already loaded unchanged.
    pub changes: usize,
}

/// Loads the sample parks and enterprises in one transaction. Loading it
/// again changes nothing; a record the user has edited since is left alone.
pub fn load_sample(store: &mut Store) -> Result<SampleLoaded, StoreError> {
    let data = sample_data();
    store.write(|w| {
        let mut loaded = SampleLoaded::default();
        for sp in &data.parks {
            loaded.parks += 1;
            if w.park(sp.park.id)?.is_none() {
                w.save_park(&sp.park)?;
                loaded.changes += 1;
            }
            for e in &sp.enterprises {
                loaded.enterprises += 1;
                if w.enterprise(e.id)?.is_none() {
                    w.save_enterprise(e)?;
                    loaded.changes += 1;
                }
            }
        }
        Ok(loaded)
    })
}
