//! A memory limit for the server under load, as a small machine gives one service: a cgroup
//! made by the bench itself (these machines have no systemd), version 2 where its memory
//! controller is enabled, else version 1. The server is started by a shell that moves itself
//! into the group and then becomes the server, so that every byte it ever takes is counted.

use std::path::PathBuf;

pub struct MemoryLimit {
    dir: PathBuf,
    /// cgroup v2 (`memory.max`, `memory.peak`, `memory.events`) or v1.
    v2: bool,
}

impl MemoryLimit {
    /// A new group limited to `mib` MiB, named after this process and `tag` (one group per
    /// server); `None` (with the reason printed) where no memory controller can be written.
    pub fn new(mib: u64, tag: &str) -> Option<MemoryLimit> {
        let name = format!("guichet-bench-{}-{tag}", std::process::id());
        let v2 = std::fs::read_to_string("/sys/fs/cgroup/cgroup.controllers")
            .is_ok_and(|c| c.split_whitespace().any(|c| c == "memory"));
        let (dir, file) = match v2 {
            true => (PathBuf::from("/sys/fs/cgroup").join(&name), "memory.max"),
            false => (
                PathBuf::from("/sys/fs/cgroup/memory").join(&name),
                "memory.limit_in_bytes",
            ),
        };
        let made = std::fs::create_dir(&dir)
            .and_then(|()| std::fs::write(dir.join(file), (mib << 20).to_string()));
        match made {
            Ok(()) => Some(MemoryLimit { dir, v2 }),
            Err(e) => {
                println!(
                    "no memory limit: cannot make the cgroup {} ({e})",
                    dir.display()
                );
                let _ = std::fs::remove_dir(&dir);
                None
            }
        }
    }

    /// The shell command that joins the group and then runs `program`.
    pub fn wrap(&self, program: &std::process::Command) -> std::process::Command {
        let procs = self.dir.join("cgroup.procs");
        let mut line = format!("echo $$ > '{}' && exec", procs.display());
        line.push_str(&format!(" '{}'", program.get_program().to_string_lossy()));
        for arg in program.get_args() {
            line.push_str(&format!(" '{}'", arg.to_string_lossy()));
        }
        let mut shell = std::process::Command::new("sh");
        shell.arg("-c").arg(line);
        for (key, value) in program.get_envs() {
            if let Some(value) = value {
                shell.env(key, value);
            }
        }
        shell
    }

    fn read(&self, file: &str) -> String {
        std::fs::read_to_string(self.dir.join(file)).unwrap_or_default()
    }

    /// The group's peak memory (process and page cache, as the limit counts it) and how many
    /// times it reached the limit or was killed for it.
    pub fn report(&self) -> String {
        if self.v2 {
            format!(
                "peak {} KiB; events: {}",
                self.read("memory.peak").trim().parse::<u64>().unwrap_or(0) >> 10,
                self.read("memory.events")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        } else {
            format!(
                "peak {} KiB; limit reached {} times; OOM control: {}",
                self.read("memory.max_usage_in_bytes")
                    .trim()
                    .parse::<u64>()
                    .unwrap_or(0)
                    >> 10,
                self.read("memory.failcnt").trim(),
                self.read("memory.oom_control")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        }
    }
}

impl Drop for MemoryLimit {
    fn drop(&mut self) {
        // Empty once the server has exited; a group cannot be removed before.
        for _ in 0..50 {
            if std::fs::remove_dir(&self.dir).is_ok() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
}
