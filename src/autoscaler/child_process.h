#pragma once
// autoscaler::ChildProcess: one local process started with fork/exec that dies with its parent
// (PR_SET_PDEATHSIG), optionally in its own process group, with its output in a file.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/errors.h"

namespace kscale::autoscaler {

struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0] is looked up on PATH when it has no '/'
  std::vector<std::string> env;   // the complete environment, "NAME=value"
  std::string output_file;        // stdout and stderr appended here; empty: inherited
  bool inherit_stdout = false;    // with output_file: only stderr goes to the file
  bool own_process_group = true;  // signals go to the whole group (a shell and its children)
};

/// Not thread-safe; owned by one thread. The destructor kills (SIGKILL) and reaps a process that
/// is still running, so that no child outlives its owner.
class ChildProcess {
 public:
  /// Starts the process. An exec failure (no such file, not executable) is reported here as a
  /// BadRequest naming the program, not as an exit status later.
  [[nodiscard]] static core::Result<ChildProcess> spawn(const SpawnOptions& options);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  int pid() const { return pid_; }
  /// Reaps the process if it has ended; false once it has.
  bool running();
  /// The wait status once ended (see describe_exit).
  std::optional<int> wait_status() const { return status_; }
  /// Sends `sig` to the process (its group when it has its own); no-op once ended.
  void signal(int sig);
  /// SIGTERM, then SIGKILL if it is still running after `grace`; blocks until it has ended.
  void stop(std::chrono::milliseconds grace);

 private:
  explicit ChildProcess(int pid, bool group) : pid_(pid), group_(group) {}
  int pid_ = -1;
  bool group_ = false;
  std::optional<int> status_;
};

/// "exited with code 1", "killed by signal 9 (Killed)".
std::string describe_exit(int wait_status);

/// The path of the running executable (/proc/self/exe resolved), to start kscale subcommands.
std::string current_executable();

}  // namespace kscale::autoscaler
