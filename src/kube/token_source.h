#pragma once
// kube::TokenSource: the bearer token of a cluster client — a fixed `token`, or a token file
// (tokenFile, the service account's projected token) re-read as the kubelet rotates it.
// Upstream: client-go transport/token_source.go (NewCachedFileTokenSource, ResettableTokenSource).

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "core/clock.h"

namespace kscale::kube {

struct BearerToken {
  std::string value;        // empty: send no Authorization header
  uint64_t generation = 0;  // which read produced it (0 = the fixed token)
};

/// Thread-safe: every member may be called from any thread.
class TokenSource {
 public:
  /// How long a token read from the file is used before the file is read again (client-go's
  /// cachingTokenSource period: one minute).
  static constexpr std::chrono::seconds kFileTokenTtl{60};

  /// `token` is used while `token_file` is empty or has never been read successfully; the last
  /// successful read of `token_file` beats it. `clock` must outlive the source.
  TokenSource(std::string token, std::string token_file, const core::Clock& clock);
  TokenSource(const TokenSource&) = delete;
  TokenSource& operator=(const TokenSource&) = delete;

  /// The token to send now: the cached file token while younger than kFileTokenTtl, else the file
  /// read again (whitespace trimmed). A failed or empty read keeps the last good token (logged).
  BearerToken token();

  /// After a 401 for a request sent with `used`: discards the cached file token only if it is
  /// that one (read before the failed request), so the next token() reads the file again.
  /// Returns false when there is no file (a fixed token cannot change); the caller retries only
  /// if token() then differs from `used`.
  bool invalidate(const BearerToken& used);

  bool has_file() const { return !file_.empty(); }

 private:
  void read_file_locked();

  const std::string fixed_;
  const std::string file_;
  const core::Clock& clock_;
  std::mutex mutex_;
  std::string cached_;  // the last good read of file_
  uint64_t generation_ = 0;
  bool stale_ = true;
  core::MonotonicTime read_at_{};
};

}  // namespace kscale::kube
