//! The journal's segments written around the page cache (`O_DIRECT`) where the file system
//! allows it: a group goes from the journal's buffer straight to the disk, so that a commit
//! neither copies its pages into the cache, nor has `fdatasync` write them back, nor drops
//! them from the cache afterwards. That was a fifth of the writer thread's time (issue 17:
//! the journal's write 10 %, `fdatasync`'s own CPU 10 %), on two cores that are otherwise
//! busy serving. Where the file system refuses the flag (tmpfs before Linux 6.6), or a device
//! refuses a write for its alignment, the segment is written through the cache as before.
//!
//! Direct writes need their memory, offset and length aligned to the device's blocks: the
//! buffer is anonymous memory (page-aligned), and a group's writes are of whole 4 KiB pages at
//! page offsets.

use super::PAGE;
use std::fs::File;
use std::io;
use std::path::Path;

/// Bytes gathered before they go to the segment: a group larger than this is written in
/// several steps.
const CAPACITY: usize = 1 << 20;

/// The open group's bytes not yet in the segment, in page-aligned memory.
#[derive(Debug, Default)]
pub(super) struct Buffer {
    /// Mapped on first use, so that a store opened only to be read maps nothing.
    pages: Option<memmap2::MmapMut>,
    len: usize,
}

impl Buffer {
    pub(super) fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub(super) fn is_full(&self) -> bool {
        self.len == CAPACITY
    }

    /// Copies as much of `bytes` as there is room for; answers how much.
    pub(super) fn take(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let pages = match &mut self.pages {
            Some(pages) => pages,
            None => self.pages.insert(memmap2::MmapMut::map_anon(CAPACITY)?),
        };
        let n = bytes.len().min(CAPACITY - self.len);
        pages[self.len..self.len + n].copy_from_slice(&bytes[..n]);
        self.len += n;
        Ok(n)
    }

    /// Fills the last page with zeros. `CAPACITY` being whole pages, it always fits.
    pub(super) fn pad(&mut self) {
        let padded = self.len.next_multiple_of(PAGE);
        if let Some(pages) = &mut self.pages {
            pages[self.len..padded].fill(0);
            self.len = padded;
        }
    }

    /// The bytes gathered: whole pages when the buffer is full or padded, the only times it
    /// is written out.
    pub(super) fn bytes(&self) -> &[u8] {
        match &self.pages {
            Some(pages) => &pages[..self.len],
            None => &[],
        }
    }

    /// Empties the buffer, its bytes written.
    pub(super) fn clear(&mut self) {
        self.len = 0;
    }
}

/// A segment open for writing.
#[derive(Debug)]
pub(super) struct Segment {
    pub(super) file: File,
    /// Its writes bypass the page cache.
    direct: bool,
}

impl Segment {
    /// Creates (or empties) the segment at `path`, around the page cache where the file system
    /// allows it.
    pub(super) fn create(path: &Path) -> io::Result<Segment> {
        #[cfg(target_os = "linux")]
        match options(true).open(path) {
            Ok(file) => return Ok(Segment { file, direct: true }),
            // File systems without direct I/O (tmpfs before Linux 6.6) refuse the flag.
            Err(e) if e.raw_os_error() == Some(rustix::io::Errno::INVAL.raw_os_error()) => {}
            Err(e) => return Err(e),
        }
        let file = options(false).open(path)?;
        Ok(Segment {
            file,
            direct: false,
        })
    }

    /// Writes whole pages at `offset` (a page's start).
    pub(super) fn write(&mut self, bytes: &[u8], offset: u64) -> io::Result<()> {
        match super::write_at(&self.file, bytes, offset) {
            #[cfg(target_os = "linux")]
            Err(e)
                if self.direct
                    && e.raw_os_error() == Some(rustix::io::Errno::INVAL.raw_os_error()) =>
            {
                // A device whose blocks are larger than a page: through the cache from now on.
                let flags = rustix::fs::fcntl_getfl(&self.file)?;
                rustix::fs::fcntl_setfl(&self.file, flags - rustix::fs::OFlags::DIRECT)?;
                self.direct = false;
                super::write_at(&self.file, bytes, offset)
            }
            done => done,
        }
    }

    /// Makes `len` bytes written from `offset` on durable and, if they went through the page
    /// cache, drops them from it: read again only after a crash, they would take the room of
    /// the store's pages (and count against a memory limit).
    pub(super) fn flush(&self, offset: u64, len: u64) -> io::Result<()> {
        self.file.sync_data()?;
        if !self.direct {
            drop_cached(&self.file, offset, len)?;
        }
        Ok(())
    }

    /// Whether its writes bypass the page cache.
    #[cfg(test)]
    pub(super) fn is_direct(&self) -> bool {
        self.direct
    }
}

fn options(direct: bool) -> std::fs::OpenOptions {
    let mut options = File::options();
    options.read(true).write(true).create(true).truncate(true);
    #[cfg(target_os = "linux")]
    if direct {
        use std::os::unix::fs::OpenOptionsExt;
        // The flag's bits fit an `i32`, which is how the system call takes them.
        options.custom_flags(rustix::fs::OFlags::DIRECT.bits().cast_signed());
    }
    #[cfg(not(target_os = "linux"))]
    let _ = direct;
    options
}

fn drop_cached(segment: &File, offset: u64, len: u64) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        let len = std::num::NonZeroU64::new(len);
        rustix::fs::fadvise(segment, offset, len, rustix::fs::Advice::DontNeed)?;
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (segment, offset, len);
    Ok(())
}
