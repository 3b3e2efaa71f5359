#include "kube/watch_event.h"

#include <utility>

#include "core/json_reader.h"

namespace kscale::kube {

namespace json = boost::json;
using namespace core::json_reader;

namespace {

bool is_blank(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

core::Result<WatchEventType> event_type(std::string_view t) {
  if (t == "ADDED") {
    return WatchEventType::Added;
  }
  if (t == "MODIFIED") {
    return WatchEventType::Modified;
  }
  if (t == "DELETED") {
    return WatchEventType::Deleted;
  }
  if (t == "BOOKMARK") {
    return WatchEventType::Bookmark;
  }
  if (t == "ERROR") {
    return WatchEventType::Error;
  }
  return core::fail(field_error("type", "Unsupported value: \"" + std::string(t) + "\""));
}

// A metav1.Status in an ERROR event.
void decode_status(const json::value& status, WatchEvent& e) {
  if (const auto* code = member(status, "code"); code != nullptr && code->is_int64()) {
    e.code = static_cast<int>(code->get_int64());
  }
  if (const auto* reason = member(status, "reason"); reason != nullptr && reason->is_string()) {
    e.reason = std::string(reason->get_string());
  }
  if (const auto* message = member(status, "message"); message != nullptr && message->is_string()) {
    e.message = std::string(message->get_string());
  }
}

core::Result<WatchEvent> decode_event(const json::value& v, ObjectShape shape) {
  WatchEvent e;
  const auto* type = member(v, "type");
  if (type == nullptr) {
    return core::fail(field_error("type", "Required value"));
  }
  KSCALE_TRY(type_text, as_string(*type, "type"));
  KSCALE_TRY(t, event_type(type_text));
  e.type = t;
  const auto* object = member(v, "object");
  if (object == nullptr) {
    return core::fail(field_error("object", "Required value"));
  }
  if (t == WatchEventType::Error) {
    decode_status(*object, e);
    return e;
  }
  if (t == WatchEventType::Bookmark) {
    // A bookmark carries only metadata.resourceVersion (and annotations); no name.
    if (const auto* md = member(*object, "metadata")) {
      if (const auto* rv = member(*md, "resourceVersion"); rv != nullptr && rv->is_string()) {
        e.object.resource_version = std::string(rv->get_string());
      }
    }
    return e;
  }
  KSCALE_TRY(o, decode_object_metadata(*object, shape, "object"));
  e.object = std::move(o);
  return e;
}

}  // namespace

WatchEventStream::WatchEventStream(ObjectShape shape,
                                   std::function<core::Result<void>(WatchEvent&&)> on_event)
    : shape_(shape), on_event_(std::move(on_event)) {}

core::Result<void> WatchEventStream::feed(std::string_view piece) {
  while (!piece.empty()) {
    if (!in_value_) {
      while (!piece.empty() && is_blank(piece.front())) {
        piece.remove_prefix(1);
      }
      if (piece.empty()) {
        return {};
      }
      in_value_ = true;
    }
    boost::system::error_code ec;
    const std::size_t used = parser_.write_some(piece.data(), piece.size(), ec);
    if (ec) {
      return core::fail(core::Error::bad_request("watch stream: invalid JSON: " + ec.message()));
    }
    piece.remove_prefix(used);
    if (parser_.done()) {
      if (auto r = deliver(); !r) {
        return r;
      }
    }
  }
  return {};
}

core::Result<void> WatchEventStream::deliver() {
  json::value v = parser_.release();
  parser_.reset();
  in_value_ = false;
  auto event = decode_event(v, shape_);
  if (!event) {
    return core::fail(event.error().with_context("watch event: "));
  }
  ++events_;
  return on_event_(std::move(*event));
}

core::Result<void> WatchEventStream::finish() const {
  if (in_value_) {
    return core::fail(core::Error::bad_request("watch stream: the body ended inside an event"));
  }
  return {};
}

}  // namespace kscale::kube
