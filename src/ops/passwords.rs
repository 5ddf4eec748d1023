//! Password hashing on one dedicated thread. argon2id needs several MiB per hash: one hash at a
//! time bounds that memory whatever the burst of sign-ins, keeps a core free on a small machine,
//! and each work area is handed back to the system when its hash is done.

use super::Error;
use super::secrets::{hex, random_bytes};
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::mpsc;
use tokio::sync::oneshot;

/// argon2id with 7 MiB of memory and 5 passes: one of OWASP's equivalent recommended settings,
/// the lightest in memory, for small machines. Parameters travel in each hash, so hashes made
/// with other parameters still verify.
fn params() -> Result<Params, Error> {
    Params::new(7 * 1024, 5, 1, Some(32)).map_err(|e| Error::Internal(format!("argon2: {e}")))
}

/// The argon2 work area. Each hash takes a fresh one and gives it back, so that no memory
/// stays resident between sign-ins. Its capacity is reserved above 32 MiB on purpose: glibc
/// serves such a request with its own mapping and unmaps it on free, whereas a freed buffer of
/// the hash's real size (7 MiB) was kept by the allocator for good. Only the blocks the hash
/// uses are ever touched, so the rest of the reservation costs address space, not memory.
const RESERVED_BLOCKS: usize = (33 << 20) / Block::SIZE;

struct Memory(Vec<Block>);

impl Memory {
    /// A work area of `count` blocks, freshly reserved (see `RESERVED_BLOCKS`).
    fn blocks(&mut self, count: usize) -> &mut [Block] {
        self.0 = Vec::with_capacity(RESERVED_BLOCKS.max(count));
        self.0.resize(count, Block::default());
        &mut self.0[..count]
    }

    /// Gives the work area back to the system.
    fn release(&mut self) {
        self.0 = Vec::new();
    }

    fn hash(&mut self, plain: &str) -> Result<String, Error> {
        let params = params()?;
        let salt = SaltString::encode_b64(&random_bytes::<16>()?).map_err(internal)?;
        let mut salt_bytes = [0u8; 64];
        let salt_bytes = salt
            .as_salt()
            .decode_b64(&mut salt_bytes)
            .map_err(internal)?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        let blocks = self.blocks(params.block_count());
        let output = Output::init_with(32, |out| {
            argon
                .hash_password_into_with_memory(plain.as_bytes(), salt_bytes, out, &mut *blocks)
                .map_err(|_| argon2::password_hash::Error::Crypto)
        })
        .map_err(internal)?;
        let phc = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&params).map_err(internal)?,
            salt: Some(salt.as_salt()),
            hash: Some(output),
        };
        Ok(phc.to_string())
    }

    /// Recomputes `hash` for `plain` with the parameters stored in it; `Output` compares in
    /// constant time.
    fn verify(&mut self, plain: &str, hash: &str) -> bool {
        let mut check = || -> Option<bool> {
            let parsed = PasswordHash::new(hash).ok()?;
            let params = Params::try_from(&parsed).ok()?;
            let algorithm = Algorithm::try_from(parsed.algorithm).ok()?;
            let version = match parsed.version {
                Some(v) => Version::try_from(v).ok()?,
                None => Version::default(),
            };
            let expected = parsed.hash?;
            let mut salt_bytes = [0u8; 64];
            let salt_bytes = parsed.salt?.decode_b64(&mut salt_bytes).ok()?;
            let argon = Argon2::new(algorithm, version, params.clone());
            let blocks = self.blocks(params.block_count());
            let actual = Output::init_with(expected.len(), |out| {
                argon
                    .hash_password_into_with_memory(plain.as_bytes(), salt_bytes, out, &mut *blocks)
                    .map_err(|_| argon2::password_hash::Error::Crypto)
            })
            .ok()?;
            Some(actual == expected)
        };
        check().unwrap_or(false)
    }
}

fn internal(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("password hashing: {e}"))
}

enum Job {
    Hash {
        plain: String,
        reply: oneshot::Sender<Result<String, Error>>,
    },
    /// `hash: None` checks against a dummy hash, so that an unknown username costs as much time
    /// as a known one and timing does not reveal which usernames exist.
    Verify {
        plain: String,
        hash: Option<String>,
        reply: oneshot::Sender<bool>,
    },
}

pub struct PasswordWorker {
    jobs: mpsc::Sender<Job>,
}

impl PasswordWorker {
    /// Starts the worker thread; it ends when the worker is dropped.
    pub fn start() -> Result<PasswordWorker, Error> {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("guichet-passwords".into())
            .spawn(move || work(&queue))
            .map_err(|e| Error::Internal(format!("cannot start the password thread: {e}")))?;
        Ok(PasswordWorker { jobs })
    }

    pub async fn hash(&self, plain: &str) -> Result<String, Error> {
        let (reply, answer) = oneshot::channel();
        self.send(Job::Hash {
            plain: plain.to_owned(),
            reply,
        })?;
        answer.await.map_err(|_| stopped())?
    }

    pub async fn verify(&self, plain: &str, hash: Option<&str>) -> Result<bool, Error> {
        let (reply, answer) = oneshot::channel();
        self.send(Job::Verify {
            plain: plain.to_owned(),
            hash: hash.map(str::to_owned),
            reply,
        })?;
        answer.await.map_err(|_| stopped())
    }

    fn send(&self, job: Job) -> Result<(), Error> {
        self.jobs.send(job).map_err(|_| stopped())
    }
}

fn stopped() -> Error {
    Error::Internal("the password thread stopped".into())
}

fn work(queue: &mpsc::Receiver<Job>) {
    let mut memory = Memory(Vec::new());
    let mut dummy: Option<String> = None;
    for job in queue {
        match job {
            Job::Hash { plain, reply } => {
                let _ = reply.send(memory.hash(&plain));
                memory.release();
            }
            Job::Verify { plain, hash, reply } => {
                let matches = match hash {
                    Some(hash) => memory.verify(&plain, &hash),
                    None => {
                        if dummy.is_none() {
                            let secret = random_bytes::<16>().map(|b| hex(&b)).unwrap_or_default();
                            dummy = memory.hash(&secret).ok();
                        }
                        if let Some(dummy) = &dummy {
                            memory.verify(&plain, dummy);
                        }
                        false
                    }
                };
                memory.release();
                let _ = reply.send(matches);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_carry_their_parameters() {
        let mut memory = Memory(Vec::new());
        let hash = memory.hash("correct horse").expect("hash");
        assert!(hash.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"), "{hash}");
        assert!(memory.verify("correct horse", &hash));
        assert!(!memory.verify("wrong horse", &hash));
        assert!(!memory.verify("x", "not a hash"));
        assert_ne!(memory.hash("correct horse").expect("hash"), hash, "salted");
    }

    #[test]
    fn hashes_made_with_other_parameters_still_verify() {
        use argon2::PasswordHasher;
        let salt = SaltString::encode_b64(b"0123456789abcdef").expect("salt");
        let other = Argon2::default()
            .hash_password(b"s3cret pass", &salt)
            .expect("hash")
            .to_string();
        assert!(other.contains("m=19456"));
        let mut memory = Memory(Vec::new());
        assert!(memory.verify("s3cret pass", &other));
        assert!(!memory.verify("s3cret pasS", &other));
    }
}
