//! The access log's durable tail on SQLite: append-only segment files beside the database.
//!
//! On SQLite every commit rewrites each page the commit touched (in the write-ahead log, then in
//! the database file) and makes every other connection drop its page cache, so committing the log
//! after each group of reads cost 30–60 % of a short read (docs/benchmarks.md). The log writer
//! therefore makes a batch durable by appending it to a segment file and syncing that (one
//! sequential write, one `fdatasync`), and moves the segment's entries into the `access_log` table,
//! sealed into the hash chain, in one transaction per segment a moment later. A segment file is
//! removed only after that transaction committed; one left behind by a crash is moved by the next
//! writer that starts ([`TailDir::orphans`]).
//!
//! A segment is a sequence of records: payload length (u32, little-endian), CRC-32C of the payload
//! (u32, little-endian), the entry as JSON. A record cut short by a crash fails its length or
//! checksum; it is the last one, its batch never synced, so no caller was told it was written, and
//! reading stops there.
//!
//! Every live segment is held under an exclusive file lock by the process writing it, so a writer
//! starting beside a running one (a CLI command beside the server) never moves entries the other
//! still owns.

use crate::Db;
use samverka_core::audit::Entry;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Read, Seek, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

const CRC: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISCSI);
const SUFFIX: &str = "tail";
/// A file made ahead to become a segment; it holds no entries.
const SPARE: &str = "spare";
/// No entry comes near this; a larger length is a torn or damaged record.
const MAX_RECORD: u32 = 1 << 20;

/// The directory of a SQLite database's tail segments: `<database file>-accesslog`.
#[derive(Clone, Debug)]
pub struct TailDir {
    dir: PathBuf,
}

impl TailDir {
    /// The tail directory of `db`, or `None` where there is no tail: PostgreSQL (whose commit is
    /// cheap enough, measured) and an in-memory SQLite database.
    pub fn of(db: &Db) -> Option<TailDir> {
        match db {
            Db::Sqlite(pool) => {
                let file = pool.connect_options().get_filename().to_path_buf();
                let name = file.file_name()?.to_str()?;
                if name.is_empty() || name.starts_with(':') {
                    return None;
                }
                Some(TailDir::at(
                    file.with_file_name(format!("{name}-accesslog")),
                ))
            }
            Db::Postgres(_) => None,
        }
    }

    /// A tail directory at `dir`.
    pub fn at(dir: PathBuf) -> TailDir {
        TailDir { dir }
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// A new, empty segment, locked by this process, with `reserve` bytes of zeros written
    /// ahead ([`TailDir::prepare`]).
    pub fn create_segment(&self, reserve: u64) -> io::Result<Segment> {
        self.prepare(reserve)?.into_segment()
    }

    /// A file to become the next segment, locked by this process, with `reserve` bytes written
    /// as zeros and synced. Appends within the reserve overwrite blocks the file already has,
    /// so their sync writes only the data: no file size, no block allocation, no journal commit
    /// (half the time and half the kernel's work of a sync that grows the file, measured on
    /// these VMs). Appends beyond it grow the file as usual.
    ///
    /// Until [`Spare::into_segment`] names it a segment it is no orphan to anyone, so no other
    /// process can take it between its creation and its lock. On an error the file is removed.
    pub fn prepare(&self, reserve: u64) -> io::Result<Spare> {
        std::fs::create_dir_all(&self.dir)?;
        let path = self
            .dir
            .join(format!("{}.{SPARE}", uuid::Uuid::now_v7().simple()));
        let file = OpenOptions::new()
            .create_new(true)
            .read(true)
            .write(true)
            .open(&path)?;
        let filled = file
            .try_lock()
            .map_err(lock_error)
            .and_then(|()| fill(&file, reserve));
        match filled {
            Ok(()) => Ok(Spare {
                file,
                path,
                dir: self.dir.clone(),
            }),
            Err(e) => {
                let _ = std::fs::remove_file(&path);
                Err(e)
            }
        }
    }

    /// Segments no live process holds (their writer stopped before moving them), oldest first,
    /// each locked for the caller.
    pub fn orphans(&self) -> io::Result<Vec<Orphan>> {
        let listing = match std::fs::read_dir(&self.dir) {
            Ok(l) => l,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut paths: Vec<PathBuf> = Vec::new();
        for path in listing.filter_map(|e| e.ok().map(|e| e.path())) {
            match path.extension().and_then(|x| x.to_str()) {
                Some(SUFFIX) => paths.push(path),
                // A spare whose writer stopped holds no entries.
                Some(SPARE) => remove_if_unlocked(&path)?,
                _ => {}
            }
        }
        // uuid v7 names sort by creation time.
        paths.sort();
        let mut orphans = Vec::new();
        for path in paths {
            let file = match File::open(&path) {
                Ok(f) => f,
                // Moved and removed by its writer meanwhile.
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            match file.try_lock() {
                Ok(()) => orphans.push(Orphan { file, path }),
                Err(TryLockError::WouldBlock) => continue,
                Err(TryLockError::Error(e)) => return Err(e),
            }
        }
        Ok(orphans)
    }
}

fn lock_error(e: TryLockError) -> io::Error {
    match e {
        TryLockError::WouldBlock => io::Error::other("a new tail segment is locked by another"),
        TryLockError::Error(e) => e,
    }
}

/// Writes `reserve` zeros to `file` and syncs it.
fn fill(mut file: &File, reserve: u64) -> io::Result<()> {
    if reserve == 0 {
        return Ok(());
    }
    let zeros = vec![0u8; 256 * 1024];
    let mut left = reserve;
    while left > 0 {
        let n = left.min(zeros.len() as u64) as usize;
        file.write_all(&zeros[..n])?;
        left -= n as u64;
    }
    file.sync_all()
}

fn remove_if_unlocked(path: &Path) -> io::Result<()> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    match file.try_lock() {
        Ok(()) => match std::fs::remove_file(path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        },
        Err(TryLockError::WouldBlock) => Ok(()),
        Err(TryLockError::Error(e)) => Err(e),
    }
}

/// A file made ahead to become a segment, locked by this process.
#[derive(Debug)]
pub struct Spare {
    file: File,
    path: PathBuf,
    dir: PathBuf,
}

impl Spare {
    /// Names the spare a segment, as of now: segments are named when they are first written
    /// to, so their names sort in the order they were written, which is the order orphans are
    /// moved in. The directory is synced, so a segment that received a synced batch is found
    /// after a power cut.
    pub fn into_segment(self) -> io::Result<Segment> {
        let path = self
            .dir
            .join(format!("{}.{SUFFIX}", uuid::Uuid::now_v7().simple()));
        if let Err(e) = std::fs::rename(&self.path, &path) {
            let _ = std::fs::remove_file(&self.path);
            return Err(e);
        }
        File::open(&self.dir)?.sync_all()?;
        Ok(Segment {
            file: self.file,
            path,
            buf: Vec::new(),
            entries: 0,
            end: 0,
        })
    }

    /// Removes the spare, which holds no entries.
    pub fn remove(self) -> io::Result<()> {
        std::fs::remove_file(&self.path)
    }
}

/// The segment a writer appends to.
#[derive(Debug)]
pub struct Segment {
    file: File,
    path: PathBuf,
    buf: Vec<u8>,
    entries: usize,
    /// Where the next record goes: the end of the records, not of the file (which may hold a
    /// reserve of zeros beyond).
    end: u64,
}

impl Segment {
    /// Appends `entries` and syncs the file's data: when this returns `Ok`, they survive a crash
    /// or a power cut. On an error the segment must not be appended to again (a record may be
    /// half written); what it held before stays readable.
    pub fn append(&mut self, entries: &[Entry]) -> io::Result<()> {
        self.buf.clear();
        for e in entries {
            encode(e, &mut self.buf);
        }
        self.file.write_all_at(&self.buf, self.end)?;
        self.file.sync_data()?;
        self.entries += entries.len();
        self.end += self.buf.len() as u64;
        Ok(())
    }

    /// Bytes of records appended so far.
    pub fn bytes(&self) -> u64 {
        self.end
    }

    /// Entries appended so far.
    pub fn len(&self) -> usize {
        self.entries
    }

    pub fn is_empty(&self) -> bool {
        self.entries == 0
    }

    /// Removes the segment once its entries are in the database. The file is unlinked while still
    /// locked, so no other process can take it for an orphan in between.
    pub fn remove(self) -> io::Result<()> {
        std::fs::remove_file(&self.path)
    }
}

/// A segment left by a writer that stopped, locked by the caller.
#[derive(Debug)]
pub struct Orphan {
    file: File,
    path: PathBuf,
}

impl Orphan {
    /// The entries whose records are whole, in the order they were written.
    pub fn read(&self) -> io::Result<Vec<Entry>> {
        let mut bytes = Vec::new();
        let mut f = &self.file;
        f.seek(io::SeekFrom::Start(0))?;
        f.read_to_end(&mut bytes)?;
        Ok(decode_all(&bytes))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Removes the orphan once its entries are in the database.
    pub fn remove(self) -> io::Result<()> {
        let r = std::fs::remove_file(&self.path);
        drop(self.file);
        r
    }
}

fn encode(e: &Entry, out: &mut Vec<u8>) {
    let start = out.len();
    out.extend_from_slice(&[0; 8]);
    serde_json::to_writer(&mut *out, e).expect("an entry always serialises");
    let payload = &out[start + 8..];
    let len = u32::try_from(payload.len()).expect("an entry is far below 4 GiB");
    let crc = CRC.checksum(payload);
    out[start..start + 4].copy_from_slice(&len.to_le_bytes());
    out[start + 4..start + 8].copy_from_slice(&crc.to_le_bytes());
}

/// Every whole record from the start; stops at the first torn or damaged one.
fn decode_all(mut bytes: &[u8]) -> Vec<Entry> {
    let mut out = Vec::new();
    while bytes.len() >= 8 {
        let len = u32::from_le_bytes(bytes[0..4].try_into().expect("4 bytes"));
        let crc = u32::from_le_bytes(bytes[4..8].try_into().expect("4 bytes"));
        // Zeros: the unused reserve of a preallocated segment.
        if len == 0 || len > MAX_RECORD || bytes.len() - 8 < len as usize {
            break;
        }
        let payload = &bytes[8..8 + len as usize];
        if CRC.checksum(payload) != crc {
            break;
        }
        match serde_json::from_slice::<Entry>(payload) {
            Ok(e) => out.push(e),
            Err(_) => break,
        }
        bytes = &bytes[8 + len as usize..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn dir() -> TailDir {
        TailDir::at(std::env::temp_dir().join(format!("samverka-tail-{}", uuid::Uuid::now_v7())))
    }

    fn entries(n: usize) -> Vec<Entry> {
        (0..n)
            .map(|_| Entry::sample_read(chrono::SubsecRound::trunc_subsecs(Utc::now(), 6)))
            .collect()
    }

    #[test]
    fn a_segment_reads_back_what_was_appended_and_a_torn_record_ends_it() {
        let d = dir();
        let mut s = d.create_segment(0).expect("segment");
        let (a, b) = (entries(3), entries(2));
        s.append(&a).expect("append");
        s.append(&b).expect("append");
        assert_eq!(s.len(), 5);
        let path = s.path.clone();
        // A live segment is not an orphan.
        assert!(d.orphans().expect("orphans").is_empty());
        drop(s);
        let all: Vec<Entry> = a.iter().chain(&b).cloned().collect();
        let o = d.orphans().expect("orphans").pop().expect("one orphan");
        assert_eq!(o.read().expect("read"), all);
        drop(o);

        // A crash in the middle of a write leaves a record cut short: every whole one is read.
        let mut bytes = std::fs::read(&path).expect("bytes");
        let whole = bytes.len();
        let mut extra = Vec::new();
        encode(&entries(1)[0], &mut extra);
        bytes.extend_from_slice(&extra[..extra.len() - 3]);
        std::fs::write(&path, &bytes).expect("write");
        let o = d.orphans().expect("orphans").pop().expect("one orphan");
        assert_eq!(o.read().expect("read"), all);

        // A damaged record ends the reading there.
        bytes.truncate(whole);
        let last = whole - 5;
        bytes[last] ^= 0x55;
        std::fs::write(&path, &bytes).expect("write");
        assert_eq!(o.read().expect("read"), all[..4].to_vec());
        o.remove().expect("remove");
        assert!(d.orphans().expect("orphans").is_empty());
        std::fs::remove_dir_all(d.path()).expect("cleanup");
    }

    #[test]
    fn a_preallocated_segment_reads_back_its_records_and_not_its_reserve() {
        let d = dir();
        let reserve = 64 * 1024;
        let mut s = d.create_segment(reserve).expect("segment");
        let (a, b) = (entries(3), entries(2));
        s.append(&a).expect("append");
        s.append(&b).expect("append");
        // The appends overwrote the reserve: the file did not grow.
        let path = s.path.clone();
        assert_eq!(std::fs::metadata(&path).expect("meta").len(), reserve);
        // A crash in the middle of the next write leaves a record cut short within the reserve.
        let mut extra = Vec::new();
        encode(&entries(1)[0], &mut extra);
        s.file
            .write_all_at(&extra[..extra.len() - 3], s.bytes())
            .expect("torn write");
        drop(s);
        let all: Vec<Entry> = a.iter().chain(&b).cloned().collect();
        let o = d.orphans().expect("orphans").pop().expect("one orphan");
        assert_eq!(o.read().expect("read"), all);
        o.remove().expect("remove");

        // Records past the reserve grow the file and read back too.
        let mut s = d.create_segment(100).expect("segment");
        s.append(&a).expect("append");
        s.append(&b).expect("append");
        assert_eq!(std::fs::metadata(&s.path).expect("meta").len(), s.bytes());
        drop(s);
        let o = d.orphans().expect("orphans").pop().expect("one orphan");
        assert_eq!(o.read().expect("read"), all);
        std::fs::remove_dir_all(d.path()).expect("cleanup");
    }

    #[test]
    fn segments_are_named_when_first_used_and_a_stopped_writers_spare_is_removed() {
        let d = dir();
        // A spare made ahead, then a segment made while it was not ready yet and written
        // first: the spare, written second, is moved second.
        let spare = d.prepare(64 * 1024).expect("spare");
        let mut first = d.create_segment(0).expect("segment");
        let early = entries(1);
        first.append(&early).expect("append");
        // A spare is no orphan, locked or not.
        assert!(d.orphans().expect("orphans").is_empty());
        let mut second = spare.into_segment().expect("named");
        let late = entries(1);
        second.append(&late).expect("append");
        drop((first, second));
        let o = d.orphans().expect("orphans");
        assert_eq!(o.len(), 2);
        assert_eq!(o[0].read().expect("read"), early);
        assert_eq!(o[1].read().expect("read"), late);
        for orphan in o {
            orphan.remove().expect("remove");
        }

        // A live writer's spare stays; one whose writer stopped is removed.
        let live = d.prepare(4096).expect("spare");
        let stopped = d.prepare(4096).expect("spare");
        drop(stopped);
        assert!(d.orphans().expect("orphans").is_empty());
        assert_eq!(std::fs::read_dir(d.path()).expect("dir").count(), 1);
        live.remove().expect("remove");
        std::fs::remove_dir_all(d.path()).expect("cleanup");
    }

    proptest::proptest! {
        /// Whatever a crash leaves (a write cut anywhere, then zeros of the reserve or nothing),
        /// the reader returns exactly the records written whole before the cut, in order.
        #[test]
        fn a_cut_anywhere_reads_back_the_whole_records_before_it(
            n in 0usize..8,
            cut_permille in 0u32..=1000,
            zeros in 0usize..3000,
        ) {
            let all = entries(n);
            let mut bytes = Vec::new();
            let mut ends = Vec::new();
            for e in &all {
                encode(e, &mut bytes);
                ends.push(bytes.len());
            }
            let cut = bytes.len() * cut_permille as usize / 1000;
            bytes.truncate(cut);
            bytes.resize(cut + zeros, 0);
            let whole = ends.iter().filter(|&&end| end <= cut).count();
            proptest::prop_assert_eq!(decode_all(&bytes), all[..whole].to_vec());
        }
    }

    #[test]
    fn orphans_come_oldest_first() {
        let d = dir();
        let mut first = d.create_segment(0).expect("segment");
        first.append(&entries(1)).expect("append");
        let mut second = d.create_segment(0).expect("segment");
        let later = entries(1);
        second.append(&later).expect("append");
        drop((first, second));
        let o = d.orphans().expect("orphans");
        assert_eq!(o.len(), 2);
        assert_eq!(o[1].read().expect("read"), later);
        std::fs::remove_dir_all(d.path()).expect("cleanup");
    }
}
