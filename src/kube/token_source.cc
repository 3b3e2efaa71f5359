#include "kube/token_source.h"

#include <fstream>
#include <sstream>
#include <utility>

#include <spdlog/spdlog.h>

#include "core/text.h"

namespace kscale::kube {

TokenSource::TokenSource(std::string token, std::string token_file, const core::Clock& clock)
    : fixed_(std::move(token)), file_(std::move(token_file)), clock_(clock) {}

// Upstream: client-go transport/token_source.go fileTokenSource.Token (TrimSpace, an empty file
// is an error) and cachingTokenSource.Token (a failed read keeps the cached token, logged).
void TokenSource::read_file_locked() {
  std::ifstream in(file_);
  std::stringstream text;
  text << in.rdbuf();
  const std::string token(core::trim_space(text.str()));
  if (!in || token.empty()) {
    if (cached_.empty() && fixed_.empty()) {
      spdlog::error("cannot read a bearer token from {}: sending requests without one", file_);
    } else {
      spdlog::error("cannot read a bearer token from {}: using the last one", file_);
    }
    stale_ = true;
    return;
  }
  if (token != cached_) {
    cached_ = token;
    ++generation_;
  }
  stale_ = false;
  read_at_ = clock_.monotonic_now();
}

BearerToken TokenSource::token() {
  if (file_.empty()) {
    return BearerToken{fixed_, 0};
  }
  std::lock_guard lock(mutex_);
  if (stale_ || clock_.monotonic_now() - read_at_ >= kFileTokenTtl) {
    read_file_locked();
  }
  if (cached_.empty()) {
    return BearerToken{fixed_, 0};
  }
  return BearerToken{cached_, generation_};
}

// Upstream: client-go transport/round_trippers.go bearerAuthRoundTripper: on 401,
// ResetTokenOlderThan(the request's start) — only a token read before the request is dropped.
bool TokenSource::invalidate(const BearerToken& used) {
  if (file_.empty()) {
    return false;
  }
  std::lock_guard lock(mutex_);
  if (used.generation == generation_) {
    stale_ = true;
  }
  return true;
}

}  // namespace kscale::kube
