//! The persons that imports have met, by national identity number, kept from one chunk and one
//! file to the next.
//!
//! Each file of an import names its persons again, and looking them up (the number's index, then
//! the person's row) took a sixth of an import at a million persons (docs/benchmarks.md). What an
//! import needs of a registered person does not change: the id, and the birth date, which comes
//! from the number; persons are never removed. The one exception is a missing postal code, which
//! only imports fill, and never overwrite (`where postal_code is null`). So the persons of every
//! committed chunk are kept, and only numbers not kept are looked up. A postal code kept as
//! missing that another process filled meanwhile costs one update that changes nothing.
//!
//! Only what a committed transaction wrote or read is kept, never a person of a chunk that was
//! rolled back. Up to [`KEEP_AT_MOST`] persons; beyond that, the rest are looked up as before.

use samverka_store::signal::KnownPerson;
use std::collections::HashMap;
use std::sync::Mutex;

/// About 110 bytes a person: 220 MB at most.
pub const KEEP_AT_MOST: usize = 2_000_000;

pub struct KnownPersons {
    by_number: Mutex<HashMap<String, KnownPerson>>,
    room: usize,
}

impl Default for KnownPersons {
    fn default() -> Self {
        KnownPersons::with_room(KEEP_AT_MOST)
    }
}

// By hand: the map holds identity numbers, which must never reach a log.
impl std::fmt::Debug for KnownPersons {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KnownPersons")
            .field("kept", &self.map().len())
            .finish()
    }
}

impl KnownPersons {
    /// Keeping at most `room` persons.
    pub fn with_room(room: usize) -> KnownPersons {
        KnownPersons {
            by_number: Mutex::new(HashMap::new()),
            room,
        }
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, KnownPerson>> {
        // A panic while holding the lock leaves whole entries only (inserts are single calls).
        self.by_number.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The kept persons among `numbers`, and the numbers to look up.
    pub fn split<'a>(&self, numbers: &[&'a str]) -> (HashMap<String, KnownPerson>, Vec<&'a str>) {
        let map = self.map();
        let mut kept = HashMap::new();
        let mut missing = Vec::new();
        for &n in numbers {
            match map.get(n) {
                Some(k) => {
                    kept.insert(n.to_owned(), k.clone());
                }
                None => missing.push(n),
            }
        }
        (kept, missing)
    }

    /// Keeps the persons a committed chunk read or wrote, while there is room. Runs in the
    /// import's turn after each commit, so a person kept as they are costs a look-up, not a copy.
    pub fn keep(&self, persons: &HashMap<String, KnownPerson>) {
        let mut map = self.map();
        for (n, k) in persons {
            let full = map.len() >= self.room;
            match map.get_mut(n) {
                Some(kept) if kept == k => {}
                Some(kept) => *kept = k.clone(),
                None if full => {}
                None => {
                    map.insert(n.clone(), k.clone());
                }
            }
        }
    }

    pub fn len(&self) -> usize {
        self.map().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use samverka_core::PersonId;

    fn person(postal: Option<&str>) -> KnownPerson {
        KnownPerson {
            id: PersonId::new(),
            birth_date: None,
            postal_code: postal.map(str::to_owned),
        }
    }

    #[test]
    fn kept_persons_are_found_and_the_rest_are_to_be_looked_up() {
        let kept = KnownPersons::default();
        let (found, missing) = kept.split(&["198001011234", "198002021234"]);
        assert!(found.is_empty());
        assert_eq!(missing, ["198001011234", "198002021234"]);

        let anna = person(None);
        kept.keep(&HashMap::from([("198001011234".to_owned(), anna.clone())]));
        let (found, missing) = kept.split(&["198001011234", "198002021234"]);
        assert_eq!(
            found,
            HashMap::from([("198001011234".to_owned(), anna.clone())])
        );
        assert_eq!(missing, ["198002021234"]);

        // A later chunk that filled her postal code keeps her with it.
        let filled = KnownPerson {
            postal_code: Some("58222".into()),
            ..anna
        };
        kept.keep(&HashMap::from([(
            "198001011234".to_owned(),
            filled.clone(),
        )]));
        assert_eq!(kept.split(&["198001011234"]).0["198001011234"], filled);
        assert_eq!(kept.len(), 1);
        // Nothing of a person in what a log could print.
        assert_eq!(format!("{kept:?}"), "KnownPersons { kept: 1 }");
    }

    #[test]
    fn no_more_than_the_room_is_kept_and_kept_persons_are_still_updated() {
        let kept = KnownPersons::with_room(2);
        let numbers = ["1", "2", "3"].map(str::to_owned);
        kept.keep(&numbers.iter().map(|n| (n.clone(), person(None))).collect());
        assert_eq!(kept.len(), 2);
        let (found, missing) = kept.split(&["1", "2", "3"]);
        assert_eq!(found.len() + missing.len(), 3);
        assert_eq!(missing.len(), 1);
        let inside = found.keys().next().expect("one kept").clone();
        kept.keep(&HashMap::from([(inside.clone(), person(Some("58222")))]));
        assert_eq!(kept.len(), 2);
        assert_eq!(
            kept.split(&[inside.as_str()]).0[&inside]
                .postal_code
                .as_deref(),
            Some("58222")
        );
    }
}
