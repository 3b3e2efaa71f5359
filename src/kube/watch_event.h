#pragma once
// kube::WatchEventStream: the body of a watch — a stream of JSON objects {"type":T,"object":O}
// decoded as bytes arrive, with no reliance on chunk or line boundaries (Boost.JSON's
// stream_parser fed piece by piece).

#include <functional>
#include <string>
#include <string_view>

#include <boost/json/stream_parser.hpp>

#include "core/errors.h"
#include "kube/object_metadata.h"

namespace kscale::kube {

enum class WatchEventType { Added, Modified, Deleted, Bookmark, Error };

struct WatchEvent {
  WatchEventType type = WatchEventType::Added;
  ObjectMetadata object;  // Added, Modified, Deleted; Bookmark: only resource_version
  // Error only: the metav1.Status the server sent.
  int code = 0;
  std::string reason;
  std::string message;
};

/// Not thread-safe: one stream, fed from one coroutine.
class WatchEventStream {
 public:
  /// `on_event` is called for each complete event, in order; its error stops the stream.
  WatchEventStream(ObjectShape shape, std::function<core::Result<void>(WatchEvent&&)> on_event);

  /// Feeds the next piece of the body (any size, split anywhere). Errors: malformed JSON, an
  /// event that is not {"type","object"}, or the callback's error.
  [[nodiscard]] core::Result<void> feed(std::string_view piece);
  /// The body ended: an error when it ended inside an event.
  [[nodiscard]] core::Result<void> finish() const;
  /// Events decoded so far.
  std::size_t events() const { return events_; }

 private:
  [[nodiscard]] core::Result<void> deliver();

  ObjectShape shape_;
  std::function<core::Result<void>(WatchEvent&&)> on_event_;
  boost::json::stream_parser parser_;
  bool in_value_ = false;  // a non-blank byte arrived since the last complete event
  std::size_t events_ = 0;
};

}  // namespace kscale::kube
