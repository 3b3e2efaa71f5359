#include "autoscaler/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

namespace kscale::autoscaler {

namespace {

// Everything the child touches between fork and exec is prepared before fork: only
// async-signal-safe calls happen in the child (the parent may have other threads).
[[noreturn]] void exec_child(char* const* argv, char* const* envp, int out_fd, bool inherit_stdout,
                             bool group, pid_t parent, int error_fd) {
  if (group) {
    setpgid(0, 0);
  }
  // Upstream idea: a pod's containers never outlive the kubelet's supervision; locally, the
  // replicas die with kscale even when it is killed with SIGKILL.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) {
    _exit(127);
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  signal(SIGPIPE, SIG_DFL);
  if (out_fd >= 0) {
    if (!inherit_stdout) {
      dup2(out_fd, STDOUT_FILENO);
    }
    dup2(out_fd, STDERR_FILENO);
  }
  int devnull = open("/dev/null", O_RDONLY);
  if (devnull >= 0) {
    dup2(devnull, STDIN_FILENO);
  }
  execvpe(argv[0], argv, envp);
  const int err = errno;
  [[maybe_unused]] auto n = write(error_fd, &err, sizeof err);
  _exit(127);
}

}  // namespace

core::Result<ChildProcess> ChildProcess::spawn(const SpawnOptions& o) {
  if (o.argv.empty()) {
    return core::fail(core::Error::bad_request("no command to run"));
  }
  std::vector<std::string> argv_copy = o.argv;
  std::vector<std::string> env_copy = o.env;
  std::vector<char*> argv;
  for (auto& a : argv_copy) {
    argv.push_back(a.data());
  }
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : env_copy) {
    envp.push_back(e.data());
  }
  envp.push_back(nullptr);
  int out_fd = -1;
  if (!o.output_file.empty()) {
    out_fd = open(o.output_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (out_fd < 0) {
      return core::fail(
          core::Error::bad_request(fmt::format("{}: {}", o.output_file, std::strerror(errno))));
    }
  }
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    if (out_fd >= 0) {
      close(out_fd);
    }
    return core::fail(core::Error::internal(fmt::format("pipe: {}", std::strerror(errno))));
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) {
    close(pipe_fds[0]);
    exec_child(argv.data(), envp.data(), out_fd, o.inherit_stdout, o.own_process_group, parent,
               pipe_fds[1]);
  }
  const int fork_errno = errno;
  close(pipe_fds[1]);
  if (out_fd >= 0) {
    close(out_fd);
  }
  if (pid < 0) {
    close(pipe_fds[0]);
    return core::fail(core::Error::internal(fmt::format("fork: {}", std::strerror(fork_errno))));
  }
  if (o.own_process_group) {
    setpgid(pid, pid);  // also here, so that signals sent right after spawn reach the group
  }
  int exec_errno = 0;
  ssize_t n;
  do {
    n = read(pipe_fds[0], &exec_errno, sizeof exec_errno);
  } while (n < 0 && errno == EINTR);
  close(pipe_fds[0]);
  ChildProcess child(pid, o.own_process_group);
  if (n == sizeof exec_errno) {
    int status = 0;
    waitpid(pid, &status, 0);
    child.status_ = status;
    return core::fail(
        core::Error::bad_request(fmt::format("exec {}: {}", o.argv[0], std::strerror(exec_errno))));
  }
  return child;
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), group_(other.group_), status_(other.status_) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0 && !status_) {
      signal(SIGKILL);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
    pid_ = std::exchange(other.pid_, -1);
    group_ = other.group_;
    status_ = other.status_;
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !status_) {
    signal(SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
}

bool ChildProcess::running() {
  if (pid_ <= 0 || status_) {
    return false;
  }
  int status = 0;
  const pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    status_ = status;
    return false;
  }
  return r == 0;
}

void ChildProcess::signal(int sig) {
  if (pid_ <= 0 || status_) {
    return;
  }
  if (group_) {
    ::kill(-pid_, sig);
  }
  ::kill(pid_, sig);
}

void ChildProcess::stop(std::chrono::milliseconds grace) {
  if (!running()) {
    return;
  }
  signal(SIGTERM);
  constexpr auto kStep = std::chrono::milliseconds(20);
  for (auto waited = std::chrono::milliseconds(0); waited < grace; waited += kStep) {
    if (!running()) {
      return;
    }
    std::this_thread::sleep_for(kStep);
  }
  signal(SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  status_ = status;
}

std::string describe_exit(int status) {
  if (WIFEXITED(status)) {
    return fmt::format("exited with code {}", WEXITSTATUS(status));
  }
  if (WIFSIGNALED(status)) {
    return fmt::format("killed by signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)));
  }
  return fmt::format("ended with wait status {}", status);
}

std::string current_executable() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("kscale") : p.string();
}

}  // namespace kscale::autoscaler
