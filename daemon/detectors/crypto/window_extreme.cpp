#include "detectors/crypto/window_extreme.h"

#include <algorithm>

namespace tickguard {

WindowExtreme::WindowExtreme(Kind kind, std::size_t buckets)
    : kind_(kind),
      span_(static_cast<std::int64_t>(std::max<std::size_t>(buckets, 1))),
      entries_(std::max<std::size_t>(buckets, 1) + 1) {}

void WindowExtreme::clear() {
  head_ = 0;
  size_ = 0;
}

void WindowExtreme::add(std::int64_t bucket, double value) {
  while (size_ > 0 && entries_[head_].bucket < bucket - span_) {
    head_ = head_ + 1 == entries_.size() ? 0 : head_ + 1;
    --size_;
  }
  while (size_ > 0 && dominates(value, entries_[back()].value)) --size_;
  // Within one bucket only the most extreme value matters: they all expire together.
  if (size_ > 0 && entries_[back()].bucket >= bucket) return;
  if (size_ == entries_.size()) {  // unreachable with non-decreasing buckets; keeps the ring sound
    head_ = head_ + 1 == entries_.size() ? 0 : head_ + 1;
    --size_;
  }
  entries_[(head_ + size_) % entries_.size()] = Entry{.bucket = bucket, .value = value};
  ++size_;
}

}  // namespace tickguard
