#include "kube/detail/json_arena.h"

#include <algorithm>
#include <new>

namespace kscale::kube::detail {

namespace {

constexpr size_t kMinBufferBytes = 64 << 10;

}  // namespace

void* JsonArena::CountingUpstream::do_allocate(size_t bytes, size_t align) {
  allocated += bytes;
  return ::operator new(bytes, std::align_val_t(std::max(align, alignof(std::max_align_t))));
}

void JsonArena::CountingUpstream::do_deallocate(void* p, size_t, size_t align) {
  ::operator delete(p, std::align_val_t(std::max(align, alignof(std::max_align_t))));
}

JsonArena::Buffer* JsonArena::acquire(Slot slot, size_t expected_bytes) {
  thread_local Buffer decode;
  Buffer& b = decode;
  static_cast<void>(
      slot);  // one slot left: answers are written as text (metric_value_list_encode.cc)
  if (b.in_use) {
    return nullptr;
  }
  const size_t want = std::min(std::max(expected_bytes, kMinBufferBytes), kMaxKeptBytes);
  if (b.size < want) {
    b.data = std::make_unique_for_overwrite<unsigned char[]>(want);
    b.size = want;
  }
  b.in_use = true;
  return &b;
}

JsonArena::JsonArena(Slot slot, size_t expected_bytes)
    : buffer_(acquire(slot, expected_bytes)),
      resource_(buffer_ != nullptr ? buffer_->data.get() : nullptr,
                buffer_ != nullptr ? buffer_->size : 0, boost::json::storage_ptr(&upstream_)) {}

JsonArena::~JsonArena() {
  if (buffer_ == nullptr) {
    return;
  }
  // Next time, start with room for what this document needed.
  if (upstream_.allocated > 0 && buffer_->size < kMaxKeptBytes) {
    const size_t grown = std::min(buffer_->size + upstream_.allocated, kMaxKeptBytes);
    buffer_->data = std::make_unique_for_overwrite<unsigned char[]>(grown);
    buffer_->size = grown;
  }
  buffer_->in_use = false;
}

}  // namespace kscale::kube::detail
