#pragma once
// kube::detail::JsonArena: a Boost.JSON memory resource for one document that is built or parsed
// and dropped within one synchronous call (a batch write's body).

#include <cstddef>
#include <memory>

#include <boost/container/pmr/memory_resource.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/storage_ptr.hpp>

namespace kscale::kube::detail {

/// Why: a 1000-item document is ~10,000 small nodes. A monotonic arena turns their malloc/free
/// pairs into pointer bumps, and starting it on a per-thread buffer that is kept between
/// requests means big documents do not make the heap grow and shrink (brk, page faults) on
/// every request. When a document outgrows the buffer, the overflow comes from the heap and the
/// buffer is enlarged by that much for the next document, up to kMaxKeptBytes per buffer and
/// thread. Each `Slot` is one buffer per thread; if the slot is already in use on this thread
/// (nesting), the arena simply starts without it.
class JsonArena {
 public:
  enum class Slot { Decode };
  static constexpr size_t kMaxKeptBytes = 8 << 20;

  /// `expected_bytes`: a first guess at the document's node bytes (sizes a new buffer).
  JsonArena(Slot slot, size_t expected_bytes);
  ~JsonArena();
  JsonArena(const JsonArena&) = delete;
  JsonArena& operator=(const JsonArena&) = delete;

  /// Valid while this arena lives; everything allocated from it dies with it.
  boost::json::storage_ptr storage() { return boost::json::storage_ptr(&resource_); }

 private:
  struct Buffer {
    std::unique_ptr<unsigned char[]> data;
    size_t size = 0;
    bool in_use = false;
  };
  // The heap, counting what the arena takes from it beyond the buffer.
  class CountingUpstream final : public boost::container::pmr::memory_resource {
   public:
    size_t allocated = 0;

   private:
    void* do_allocate(size_t bytes, size_t align) override;
    void do_deallocate(void* p, size_t bytes, size_t align) override;
    bool do_is_equal(const memory_resource& other) const noexcept override {
      return this == &other;
    }
  };

  static Buffer* acquire(Slot slot, size_t expected_bytes);

  Buffer* buffer_;
  CountingUpstream upstream_;
  boost::json::monotonic_resource resource_;
};

}  // namespace kscale::kube::detail
