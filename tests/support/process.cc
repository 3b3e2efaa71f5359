#include "support/process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace kscale::testing {

namespace {

std::vector<std::string> environment_with(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    env.emplace_back(*e);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) {
    out.push_back(s.data());
  }
  out.push_back(nullptr);
  return out;
}

int spawn(std::vector<std::string> argv, std::vector<std::string> env, int stdin_fd, int stdout_fd,
          int stderr_fd) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (stdin_fd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0);
  }
  posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, stderr_fd, 2);
  auto args = c_strings(argv);
  auto envp = c_strings(env);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
  }
  return pid;
}

int decode_status(int raw) { return WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw); }

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Process::Process(std::vector<std::string> argv, std::vector<std::string> extra_env) {
  char tmpl[] = "/tmp/kscale-proc-XXXXXX";
  const int fd = mkstemp(tmpl);
  log_ = tmpl;
  pid_ = spawn(std::move(argv), environment_with(extra_env), -1, fd, fd);
  close(fd);
}

Process::~Process() {
  stop();
  std::error_code ec;
  std::filesystem::remove(log_, ec);
}

std::string Process::output() const { return slurp(log_); }

bool Process::running() {
  if (status_) {
    return false;
  }
  int raw = 0;
  if (waitpid(pid_, &raw, WNOHANG) == pid_) {
    status_ = decode_status(raw);
    return false;
  }
  return true;
}

std::optional<std::string> Process::wait_for(const std::regex& pattern,
                                             std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string out = output();
    std::smatch m;
    if (std::regex_search(out, m, pattern)) {
      return m.size() > 1 ? m[1].str() : m[0].str();
    }
    if (!running()) {
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::nullopt;
}

int Process::stop(std::chrono::milliseconds grace) {
  if (!running()) {
    return status_.value_or(-1);
  }
  kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running()) {
      return *status_;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid_, SIGKILL);
  int raw = 0;
  waitpid(pid_, &raw, 0);
  status_ = decode_status(raw);
  return *status_;
}

CommandResult run_command(const std::vector<std::string>& argv, const std::string& input,
                          std::vector<std::string> extra_env) {
  TempDir dir;
  const auto in_path = dir.path() / "in";
  const auto out_path = dir.path() / "out";
  const auto err_path = dir.path() / "err";
  std::ofstream(in_path) << input;
  const int in_fd = open(in_path.c_str(), O_RDONLY);
  const int out_fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const int err_fd = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const int pid = spawn(argv, environment_with(extra_env), in_fd, out_fd, err_fd);
  close(in_fd);
  close(out_fd);
  close(err_fd);
  int raw = 0;
  waitpid(pid, &raw, 0);
  return CommandResult{decode_status(raw), slurp(out_path), slurp(err_path)};
}

TempDir::TempDir() {
  char tmpl[] = "/tmp/kscale-test-XXXXXX";
  path_ = mkdtemp(tmpl);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string kscale_binary() {
#ifdef KSCALE_BINARY
  return KSCALE_BINARY;
#else
  const char* env = std::getenv("KSCALE_BINARY");
  return env != nullptr ? env : "kscale";
#endif
}

}  // namespace kscale::testing
