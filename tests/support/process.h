#pragma once
// Test support: start a real program (kscale, prometheus, nginx…) with its output captured in a
// file, wait for a line in that output, and stop it (SIGTERM, then SIGKILL) when the test ends.
// Also runs a command to completion and returns its exit status and standard output.

#include <chrono>
#include <filesystem>
#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace kscale::testing {

class Process {
 public:
  /// Starts argv[0] (looked up on PATH) with stdout+stderr appended to a temp file.
  explicit Process(std::vector<std::string> argv, std::vector<std::string> extra_env = {});
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  /// Waits until the output contains a match of `pattern`; returns the first capture group
  /// (or the whole match). nullopt on timeout or when the process exits first.
  std::optional<std::string> wait_for(const std::regex& pattern,
                                      std::chrono::milliseconds timeout = std::chrono::seconds(20));
  /// Everything the process printed so far.
  std::string output() const;
  bool running();
  /// SIGTERM, wait up to `grace`, then SIGKILL. Returns the exit status (128+signal if killed).
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  int pid() const { return pid_; }

 private:
  int pid_ = -1;
  std::optional<int> status_;
  std::filesystem::path log_;
};

struct CommandResult {
  int status = -1;
  std::string out;  // standard output
  std::string err;  // standard error
};

/// Runs a command (no shell) to completion with an optional standard input.
CommandResult run_command(const std::vector<std::string>& argv, const std::string& input = {},
                          std::vector<std::string> extra_env = {});

/// A fresh temporary directory, removed with the object.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// The kscale binary under test (set by CMake as KSCALE_BINARY).
std::string kscale_binary();

}  // namespace kscale::testing
