// WindowExtreme: the maximum (or minimum) of the values seen in the last N time buckets, as a
// monotonic deque: O(1) amortized per value, at most one entry per bucket, so memory is fixed at
// construction however fast values arrive.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tickguard {

class WindowExtreme {
 public:
  enum class Kind { kMax, kMin };

  // Keeps the extreme over the current bucket and the `buckets` before it. Allocates once, here.
  WindowExtreme(Kind kind, std::size_t buckets);

  // Adds `value` in `bucket`, first evicting values from buckets older than bucket - buckets.
  // Buckets must not decrease (callers clamp late values into the latest bucket).
  void add(std::int64_t bucket, double value);
  // Forgets every value.
  void clear();

  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return entries_.size(); }
  // The extreme of the window; 0 when empty.
  double extreme() const { return empty() ? 0.0 : entries_[head_].value; }

 private:
  struct Entry {
    std::int64_t bucket = 0;
    double value = 0;
  };
  // True when `a` is at least as extreme as `b`, so `b` can never be the extreme while `a` lives.
  bool dominates(double a, double b) const { return kind_ == Kind::kMax ? a >= b : a <= b; }
  std::size_t back() const { return (head_ + size_ - 1) % entries_.size(); }

  Kind kind_;
  std::int64_t span_;
  std::vector<Entry> entries_;  // ring; the extreme is at head_, values get less extreme behind it
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace tickguard
