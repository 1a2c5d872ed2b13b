//! The access log's entries and the hash chain that makes them tamper-evident.
//!
//! Every entry is sealed with `hash = SHA-256(prev_hash ‖ canonical(entry))`, where `prev_hash` is
//! the hash of the entry sealed before it (or [`GENESIS`] for the first). Changing an entry breaks
//! its own hash; removing or reordering entries breaks the link of the entry after; removing the
//! newest entries is caught by the chain head the store keeps beside the log. [`verify`] walks a
//! chain and names the first entry where it breaks. Pure: no I/O.

use crate::ids::{AccessLogId, OrganisationId, PersonId, UnitId, UserId};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry in a chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One access to person data, allowed or denied (DOMAIN.md, "Access log entry").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub id: AccessLogId,
    pub at: DateTime<Utc>,
    pub user_id: Option<UserId>,
    pub organisation_id: Option<OrganisationId>,
    pub unit_id: Option<UnitId>,
    /// The actor's role code.
    pub role: Option<String>,
    /// `policy::Action` code.
    pub action: String,
    pub person_id: Option<PersonId>,
    /// What was touched, e.g. "person", "person_search_result".
    pub what: String,
    /// Why: the stated purpose or emergency reason.
    pub purpose: Option<String>,
    /// "allowed" or "denied:<reason>".
    pub outcome: String,
}

impl Entry {
    /// A professional's allowed read of a person's record at `at`, with fresh ids: the typical
    /// entry, for tests and benchmarks.
    pub fn sample_read(at: DateTime<Utc>) -> Entry {
        Entry {
            id: AccessLogId::new(),
            at,
            user_id: Some(UserId::new()),
            organisation_id: Some(OrganisationId::new()),
            unit_id: None,
            role: Some("professional".into()),
            action: "read".into(),
            person_id: Some(PersonId::new()),
            what: "person".into(),
            purpose: None,
            outcome: "allowed".into(),
        }
    }

    /// The bytes that are hashed: a JSON array of every field in a fixed order, so that no two
    /// different entries share an encoding. Times are written to the microsecond, as stored.
    pub fn canonical(&self) -> Vec<u8> {
        let uuid = |u: Option<uuid::Uuid>| u.map(|u| u.hyphenated().to_string());
        let fields = serde_json::json!([
            self.id.0.hyphenated().to_string(),
            self.at.to_rfc3339_opts(SecondsFormat::Micros, true),
            uuid(self.user_id.map(|x| x.0)),
            uuid(self.organisation_id.map(|x| x.0)),
            uuid(self.unit_id.map(|x| x.0)),
            self.role,
            self.action,
            uuid(self.person_id.map(|x| x.0)),
            self.what,
            self.purpose,
            self.outcome,
        ]);
        fields.to_string().into_bytes()
    }
}

/// The hash that seals `entry` after the entry whose hash is `prev_hash`.
pub fn seal(prev_hash: &str, entry: &Entry) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update([0u8]);
    h.update(entry.canonical());
    hex::encode(h.finalize())
}

/// An entry as sealed in the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sealed {
    pub seq: i64,
    pub prev_hash: String,
    pub hash: String,
    pub entry: Entry,
}

/// The newest sealed position, kept apart from the entries so that removing the newest entries
/// shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
}

impl Head {
    pub fn genesis() -> Head {
        Head {
            seq: 0,
            hash: GENESIS.to_owned(),
        }
    }
}

/// Where and how a chain breaks.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("entry {seq} (id {id}) was changed: its content no longer matches its hash")]
    Changed { seq: i64, id: AccessLogId },
    #[error("entry {missing} was removed (the log jumps from {before} to {after})")]
    Gap {
        missing: i64,
        before: i64,
        after: i64,
    },
    #[error(
        "entry {seq} (id {id}) is out of order: it was sealed right after entry {sealed_after}"
    )]
    Reordered {
        seq: i64,
        id: AccessLogId,
        sealed_after: i64,
    },
    /// The entry is intact but does not link to the entry before it: that one was removed (and
    /// the positions renumbered), or the entries were moved. [`ChainError::refine`] tells which,
    /// given where the hash it links to stands now.
    #[error(
        "an entry before entry {seq} (id {id}) was removed: it does not link to the entry before it"
    )]
    Unlinked {
        seq: i64,
        id: AccessLogId,
        links_to: String,
    },
    #[error("entries after {last} were removed: the chain head says the log ends at {head}")]
    Truncated { last: i64, head: i64 },
    #[error("the chain head was changed: it does not match entry {seq}")]
    HeadChanged { seq: i64 },
}

/// How far a verification got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    pub entries: i64,
}

impl ChainError {
    /// Turns an [`Unlinked`](ChainError::Unlinked) entry into [`Reordered`](ChainError::Reordered)
    /// when the entry it links to is still in the log, at `position_of_link`.
    pub fn refine(self, position_of_link: Option<i64>) -> ChainError {
        match (self, position_of_link) {
            (ChainError::Unlinked { seq, id, .. }, Some(sealed_after)) => ChainError::Reordered {
                seq,
                id,
                sealed_after,
            },
            (e, _) => e,
        }
    }
}

/// Checks a chain incrementally, page by page, so that a log of any length verifies in constant
/// memory.
#[derive(Debug)]
pub struct Verifier {
    expected_seq: i64,
    prev_hash: String,
    count: i64,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier {
            expected_seq: 1,
            prev_hash: GENESIS.to_owned(),
            count: 0,
        }
    }
}

impl Verifier {
    /// Feeds the next entry, in ascending `seq` order.
    pub fn push(&mut self, s: &Sealed) -> Result<(), ChainError> {
        if seal(&s.prev_hash, &s.entry) != s.hash {
            return Err(ChainError::Changed {
                seq: s.seq,
                id: s.entry.id,
            });
        }
        if s.seq != self.expected_seq {
            return Err(ChainError::Gap {
                missing: self.expected_seq,
                before: self.expected_seq - 1,
                after: s.seq,
            });
        }
        if s.prev_hash != self.prev_hash {
            return Err(ChainError::Unlinked {
                seq: s.seq,
                id: s.entry.id,
                links_to: s.prev_hash.clone(),
            });
        }
        self.prev_hash = s.hash.clone();
        self.expected_seq += 1;
        self.count += 1;
        Ok(())
    }

    /// Ends the walk against the stored chain head.
    pub fn finish(self, head: &Head) -> Result<Verified, ChainError> {
        let last = self.expected_seq - 1;
        if head.seq > last {
            return Err(ChainError::Truncated {
                last,
                head: head.seq,
            });
        }
        if head.seq != last || head.hash != self.prev_hash {
            return Err(ChainError::HeadChanged { seq: last });
        }
        Ok(Verified {
            entries: self.count,
        })
    }
}

/// Verifies a whole chain held in memory (tests, small logs).
pub fn verify(entries: &[Sealed], head: &Head) -> Result<Verified, ChainError> {
    let mut v = Verifier::default();
    for s in entries {
        v.push(s)?;
    }
    v.finish(head)
}

/// Seals `entries` after `head`, returning them with their positions and the new head.
pub fn seal_all(head: &Head, entries: Vec<Entry>) -> (Vec<Sealed>, Head) {
    let mut prev = head.hash.clone();
    let mut seq = head.seq;
    let sealed: Vec<Sealed> = entries
        .into_iter()
        .map(|entry| {
            seq += 1;
            let hash = seal(&prev, &entry);
            Sealed {
                seq,
                prev_hash: std::mem::replace(&mut prev, hash.clone()),
                hash,
                entry,
            }
        })
        .collect();
    (sealed, Head { seq, hash: prev })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn entry(i: u32) -> Entry {
        Entry::sample_read(
            DateTime::from_timestamp(1_790_000_000 + i64::from(i), i * 1000).expect("time"),
        )
    }

    fn chain(n: u32) -> (Vec<Sealed>, Head) {
        seal_all(&Head::genesis(), (0..n).map(entry).collect())
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let (c, head) = chain(5);
        assert_eq!(verify(&c, &head), Ok(Verified { entries: 5 }));
        assert_eq!(verify(&[], &Head::genesis()), Ok(Verified { entries: 0 }));
    }

    #[test]
    fn sealing_in_two_batches_equals_sealing_in_one() {
        let entries: Vec<Entry> = (0..6).map(entry).collect();
        let (all, head_all) = seal_all(&Head::genesis(), entries.clone());
        let (first, mid) = seal_all(&Head::genesis(), entries[..2].to_vec());
        let (second, head) = seal_all(&mid, entries[2..].to_vec());
        assert_eq!(head, head_all);
        assert_eq!([first, second].concat(), all);
    }

    #[test]
    fn a_changed_field_is_named() {
        let (mut c, head) = chain(5);
        c[2].entry.outcome = "denied:role_not_permitted".into();
        assert_eq!(
            verify(&c, &head),
            Err(ChainError::Changed {
                seq: 3,
                id: c[2].entry.id
            })
        );
        let (mut c, head) = chain(3);
        c[0].entry.purpose = Some("".into());
        assert!(matches!(
            verify(&c, &head),
            Err(ChainError::Changed { seq: 1, .. })
        ));
    }

    #[test]
    fn a_removed_entry_is_named() {
        let (mut c, head) = chain(5);
        c.remove(1);
        assert_eq!(
            verify(&c, &head),
            Err(ChainError::Gap {
                missing: 2,
                before: 1,
                after: 3
            })
        );
        // Renumbered to hide the gap: the link still breaks.
        let (mut c, head) = chain(5);
        c.remove(1);
        for s in c.iter_mut().skip(1) {
            s.seq -= 1;
        }
        assert!(matches!(
            verify(&c, &head),
            Err(ChainError::Unlinked { seq: 2, .. })
        ));
    }

    /// Where a hash stands in `c`, as the store would answer.
    fn position(c: &[Sealed], hash: &str) -> Option<i64> {
        c.iter().find(|s| s.hash == hash).map(|s| s.seq)
    }

    #[test]
    fn reordered_entries_are_named() {
        let (mut c, head) = chain(5);
        // Swap the places of entries 2 and 3.
        c.swap(1, 2);
        c[1].seq = 2;
        c[2].seq = 3;
        let e = verify(&c, &head).expect_err("reordered");
        let ChainError::Unlinked { links_to, .. } = &e else {
            panic!("{e:?}")
        };
        let pos = position(&c, links_to);
        assert_eq!(
            e.refine(pos),
            ChainError::Reordered {
                seq: 2,
                id: c[1].entry.id,
                sealed_after: 3
            }
        );
        // A removed entry does not turn into a reorder.
        let (mut c, head) = chain(5);
        c.remove(1);
        for s in c.iter_mut().skip(1) {
            s.seq -= 1;
        }
        let e = verify(&c, &head).expect_err("removed");
        let ChainError::Unlinked { links_to, .. } = &e else {
            panic!("{e:?}")
        };
        let pos = position(&c, links_to);
        assert!(matches!(e.refine(pos), ChainError::Unlinked { seq: 2, .. }));
    }

    #[test]
    fn removing_the_newest_entries_is_caught_by_the_head() {
        let (mut c, head) = chain(5);
        c.truncate(3);
        assert_eq!(
            verify(&c, &head),
            Err(ChainError::Truncated { last: 3, head: 5 })
        );
        let (c, mut head) = chain(5);
        head.hash = GENESIS.into();
        assert_eq!(verify(&c, &head), Err(ChainError::HeadChanged { seq: 5 }));
    }

    proptest! {
        #[test]
        fn any_single_change_to_any_entry_is_detected(n in 1u32..20, pick in 0usize..20, what in 0u8..4) {
            let (mut c, head) = chain(n);
            let i = pick % c.len();
            match what {
                0 => c[i].entry.action.push('x'),
                1 => c[i].entry.at += chrono::Duration::microseconds(1),
                2 => c[i].entry.person_id = Some(PersonId::new()),
                _ => c[i].entry.user_id = None,
            }
            let changed = matches!(verify(&c, &head), Err(ChainError::Changed { .. }));
            prop_assert!(changed);
        }

        #[test]
        fn any_removal_is_detected(n in 1u32..20, pick in 0usize..20) {
            let (mut c, head) = chain(n);
            let i = pick % c.len();
            c.remove(i);
            prop_assert!(verify(&c, &head).is_err());
        }
    }
}
