//! argon2id password hashing on a fixed pool of threads, one per core, each reusing its
//! own working memory.
//!
//! Why a pool and not `spawn_blocking`: every hash needs 19 MiB. Allocated afresh for
//! each hash on whichever blocking thread ran it, the freed blocks stayed with glibc's
//! per-thread arenas, and the server's RSS climbed to ~830 MiB after a login burst and
//! stayed there. Here each worker allocates its block once and keeps it, so memory is
//! bounded by design (cores × 19 MiB) and so is the CPU argon2 takes: a burst waits in
//! the queue, and the rest of the server keeps its share of the machine.

use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::oneshot;

/// Hashes handed over and not yet taken by a worker; past it, callers wait (as async
/// tasks, holding no thread) for room.
const QUEUE: usize = 1024;

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("password hashing failed: {0}")]
    Argon2(#[from] argon2::password_hash::Error),
    #[error("the password hashing workers stopped")]
    Stopped,
}

impl From<HashError> for crate::error::AppError {
    fn from(e: HashError) -> Self {
        Self::Internal(Box::new(e))
    }
}

/// OWASP's argon2id parameters: 19 MiB of memory, two passes, one lane.
fn our_params() -> Result<Params, HashError> {
    Ok(Params::new(19 * 1024, 2, 1, None).map_err(argon2::password_hash::Error::from)?)
}

/// The PHC string of `password` with a fresh salt.
pub async fn hash(password: String) -> Result<String, HashError> {
    let (done, answer) = oneshot::channel();
    submit(Job::Hash { password, done }).await?;
    answer.await.map_err(|_| HashError::Stopped)?
}

/// The PHC strings of `passwords`, in order, hashed on every worker (every core) at
/// once.
pub async fn hash_all(passwords: Vec<String>) -> Result<Vec<String>, HashError> {
    // A few jobs ahead per worker keep every core busy; no more, so a login arriving
    // during a 5,000-row import waits behind a handful of hashes, not the whole import.
    let window = std::thread::available_parallelism().map_or(2, |n| n.get()) * 2;
    let mut waiting = std::collections::VecDeque::with_capacity(window);
    let mut hashes = Vec::with_capacity(passwords.len());
    for password in passwords {
        if waiting.len() >= window {
            if let Some(answer) = waiting.pop_front() {
                hashes.push(receive(answer).await?);
            }
        }
        let (done, answer) = oneshot::channel();
        submit(Job::Hash { password, done }).await?;
        waiting.push_back(answer);
    }
    for answer in waiting {
        hashes.push(receive(answer).await?);
    }
    Ok(hashes)
}

async fn receive(
    answer: oneshot::Receiver<Result<String, HashError>>,
) -> Result<String, HashError> {
    answer.await.map_err(|_| HashError::Stopped)?
}

/// Whether `password` matches the PHC string `phc`. An unreadable hash matches nothing.
pub async fn verify(password: String, phc: String) -> Result<bool, HashError> {
    let (done, answer) = oneshot::channel();
    submit(Job::Verify {
        password,
        phc,
        done,
    })
    .await?;
    answer.await.map_err(|_| HashError::Stopped)?
}

enum Job {
    Hash {
        password: String,
        done: oneshot::Sender<Result<String, HashError>>,
    },
    Verify {
        password: String,
        phc: String,
        done: oneshot::Sender<Result<bool, HashError>>,
    },
}

impl Job {
    fn run(self, memory: &mut Vec<Block>) {
        // A send fails only when the caller is gone (its request was cancelled): there
        // is nobody left to tell, so the results are dropped on purpose.
        match self {
            Job::Hash { password, done } => {
                if !done.is_closed() {
                    let _ = done.send(hash_with(password.as_bytes(), memory));
                }
            }
            Job::Verify {
                password,
                phc,
                done,
            } => {
                if !done.is_closed() {
                    let _ = done.send(verify_with(password.as_bytes(), &phc, memory));
                }
            }
        }
    }
}

async fn submit(job: Job) -> Result<(), HashError> {
    workers()
        .send_async(job)
        .await
        .map_err(|_| HashError::Stopped)
}

/// The queue of the pool's workers, started on first use: one thread per core.
fn workers() -> &'static flume::Sender<Job> {
    static QUEUE_IN: OnceLock<flume::Sender<Job>> = OnceLock::new();
    QUEUE_IN.get_or_init(|| {
        let (jobs, queue) = flume::bounded(QUEUE);
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        for n in 0..cores {
            let queue = queue.clone();
            let started = std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || work(&queue));
            if let Err(e) = started {
                // Fewer workers is slower, not wrong; with none at all the queue has
                // no receiver and every hash fails with `Stopped` instead of waiting.
                tracing::error!(error = %e, "cannot start a password hashing worker");
            }
        }
        jobs
    })
}

/// One worker: takes jobs until the queue closes, always in the same memory.
fn work(queue: &flume::Receiver<Job>) {
    yield_to_syncs();
    let mut memory = Vec::new();
    for job in queue.iter() {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            job.run(&mut memory);
        }));
        if outcome.is_err() {
            // The job's caller sees its answer dropped (`Stopped`); the worker goes on.
            tracing::error!("a password hashing job panicked");
        }
    }
}

/// Hashing gives way to everything else on the machine (nice 10): in a burst of logins
/// the logins wait a little longer instead of every push and pull of the phones already
/// in. Linux only, where the nice value is a thread's own.
fn yield_to_syncs() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: only this thread's scheduling priority changes; no memory is touched.
        let failed = unsafe {
            let this_thread = libc::id_t::try_from(libc::gettid()).unwrap_or(0);
            libc::setpriority(libc::PRIO_PROCESS, this_thread, 10) != 0
        };
        if failed {
            tracing::warn!("cannot lower the priority of a password hashing worker");
        }
    }
}

fn hash_with(password: &[u8], memory: &mut Vec<Block>) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    let params = our_params()?;
    let output = compute(
        password,
        Algorithm::Argon2id,
        Version::V0x13,
        &params,
        salt.as_salt(),
        memory,
    )?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params)?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

fn verify_with(password: &[u8], phc: &str, memory: &mut Vec<Block>) -> Result<bool, HashError> {
    let Ok(stored) = PasswordHash::new(phc) else {
        tracing::error!("a stored password hash is unreadable");
        return Ok(false);
    };
    let (Some(salt), Some(expected)) = (stored.salt, stored.hash) else {
        tracing::error!("a stored password hash has no salt or no hash");
        return Ok(false);
    };
    let algorithm = Algorithm::try_from(stored.algorithm)?;
    let version = stored
        .version
        .map(Version::try_from)
        .transpose()
        .map_err(argon2::password_hash::Error::from)?
        .unwrap_or_default();
    let params = Params::try_from(&stored)?;
    let computed = compute(password, algorithm, version, &params, salt, memory)?;
    // `Output`'s equality is constant-time: no timing tells how much of a guess matched.
    Ok(computed == expected)
}

/// argon2 of `password` in `memory`, grown once to our parameters' size and reused. A
/// hash made with more memory than ours (another server's settings) gets a block of
/// its own for that one computation, so the worker's own stays bounded.
fn compute(
    password: &[u8],
    algorithm: Algorithm,
    version: Version,
    params: &Params,
    salt: Salt<'_>,
    memory: &mut Vec<Block>,
) -> Result<Output, HashError> {
    let mut salt_bytes = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_bytes)?;
    let blocks = params.block_count();
    let ours = our_params()?.block_count();
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let length = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    Ok(Output::init_with(length, |out| {
        if blocks <= ours {
            if memory.len() < blocks {
                memory.resize(ours, Block::default());
            }
            Ok(argon2.hash_password_into_with_memory(password, salt, out, &mut memory[..])?)
        } else {
            Ok(argon2.hash_password_into(password, salt, out)?)
        }
    })?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    #[tokio::test]
    async fn the_pool_agrees_with_the_argon2_crate_both_ways() {
        let stock = Argon2::new(Algorithm::Argon2id, Version::V0x13, our_params().unwrap());
        // Ours, checked by the crate's own verifier.
        let ours = hash("correct horse".into()).await.unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(stock.verify_password(b"correct horse", &parsed).is_ok());
        assert!(stock.verify_password(b"correct horsf", &parsed).is_err());
        // The crate's (what earlier servers stored), checked by ours.
        let salt = SaltString::generate(&mut OsRng);
        let theirs = stock
            .hash_password(b"battery staple", &salt)
            .unwrap()
            .to_string();
        assert_eq!(&theirs[..30], &ours[..30], "same algorithm and parameters");
        assert!(verify("battery staple".into(), theirs.clone())
            .await
            .unwrap());
        assert!(!verify("battery stapler".into(), theirs).await.unwrap());
        // Smaller and larger memory settings than ours verify too.
        for m in [1024, 24 * 1024] {
            let other = Argon2::new(
                Algorithm::Argon2id,
                Version::V0x13,
                Params::new(m, 1, 1, None).unwrap(),
            );
            let phc = other.hash_password(b"pw", &salt).unwrap().to_string();
            assert!(verify("pw".into(), phc.clone()).await.unwrap(), "m={m}");
            assert!(!verify("px".into(), phc).await.unwrap(), "m={m}");
        }
        assert!(!verify("x".into(), "not a hash".into()).await.unwrap());
        let many = hash_all(vec!["a-password".into(), "b-password".into()])
            .await
            .unwrap();
        assert!(verify("b-password".into(), many[1].clone()).await.unwrap());
        assert!(!verify("b-password".into(), many[0].clone()).await.unwrap());
    }
}
