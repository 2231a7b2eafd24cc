#include "detectors/ml/half_space_forest.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace tickguard {

namespace {

constexpr std::size_t kMaxDepth = 20;

// SplitMix64: a tiny portable generator, so the same seed builds the same trees everywhere.
std::uint64_t next_random(std::uint64_t& state) {
  state += 0x9E3779B97F4A7C15ULL;
  std::uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

double next_uniform(std::uint64_t& state) {
  return static_cast<double>(next_random(state) >> 11) * 0x1.0p-53;
}

}  // namespace

HalfSpaceForest::HalfSpaceForest(std::size_t trees, std::size_t depth, std::size_t dimensions,
                                 std::uint64_t seed)
    : trees_(std::max<std::size_t>(trees, 1)),
      depth_(std::clamp<std::size_t>(depth, 1, kMaxDepth)),
      dimensions_(std::max<std::size_t>(dimensions, 1)),
      nodes_per_tree_((std::size_t{2} << depth_) - 1),
      internal_per_tree_((std::size_t{1} << depth_) - 1),
      split_dimension_(trees_ * internal_per_tree_, 0),
      split_value_(trees_ * internal_per_tree_, 0.0),
      reference_(trees_ * nodes_per_tree_, 0),
      latest_(trees_ * nodes_per_tree_, 0) {
  std::uint64_t random_state = seed;
  std::vector<double> low(dimensions_);
  std::vector<double> high(dimensions_);
  for (std::size_t tree = 0; tree < trees_; ++tree) {
    // The work space of each tree: a random box at least twice as wide as [0,1] that contains it,
    // so that the split points vary between trees (Tan et al., section 3).
    for (std::size_t q = 0; q < dimensions_; ++q) {
      const double s = next_uniform(random_state);
      const double half_width = 2.0 * std::max(s, 1.0 - s);
      low[q] = s - half_width;
      high[q] = s + half_width;
    }
    build(tree, 0, 0, low, high, random_state);
  }
}

void HalfSpaceForest::build(std::size_t tree, std::size_t node, std::size_t level, std::vector<double>& low,
                            std::vector<double>& high, std::uint64_t& random_state) {
  if (level == depth_) return;
  const auto q = static_cast<std::uint32_t>(next_random(random_state) % dimensions_);
  const double middle = 0.5 * (low[q] + high[q]);
  const std::size_t slot = tree * internal_per_tree_ + node;
  split_dimension_[slot] = q;
  split_value_[slot] = middle;
  const double saved_high = high[q];
  high[q] = middle;
  build(tree, 2 * node + 1, level + 1, low, high, random_state);
  high[q] = saved_high;
  const double saved_low = low[q];
  low[q] = middle;
  build(tree, 2 * node + 2, level + 1, low, high, random_state);
  low[q] = saved_low;
}

std::size_t HalfSpaceForest::child(std::size_t tree, std::size_t node, std::span<const double> point) const {
  const std::size_t slot = tree * internal_per_tree_ + node;
  // NaN coordinates go left, deterministically.
  return point[split_dimension_[slot]] < split_value_[slot] || std::isnan(point[split_dimension_[slot]])
             ? 2 * node + 1
             : 2 * node + 2;
}

void HalfSpaceForest::update(std::span<const double> point) {
  if (point.size() < dimensions_) return;
  for (std::size_t tree = 0; tree < trees_; ++tree) {
    std::uint32_t* counts = latest_.data() + tree * nodes_per_tree_;
    std::size_t node = 0;
    for (std::size_t level = 0;; ++level) {
      ++counts[node];
      if (level == depth_) break;
      node = child(tree, node, point);
    }
  }
  ++latest_count_;
}

void HalfSpaceForest::swap_windows() {
  reference_.swap(latest_);
  std::fill(latest_.begin(), latest_.end(), 0);
  reference_count_ = latest_count_;
  latest_count_ = 0;
}

double HalfSpaceForest::relative_mass(std::span<const double> point, bool exclude_self) const {
  if (point.size() < dimensions_) return 0;
  const std::size_t own = exclude_self ? 1 : 0;
  if (reference_count_ <= own) return 0;
  const double size_limit = kSizeLimitFraction * static_cast<double>(reference_count_);
  // The product of the trees' r·2^k, kept as a mantissa in [0.5, 1) and a binary exponent so that it
  // neither overflows nor underflows: one log for the whole forest instead of one per tree.
  double mantissa = 1;
  std::int64_t exponent = 0;
  for (std::size_t tree = 0; tree < trees_; ++tree) {
    const std::uint32_t* counts = reference_.data() + tree * nodes_per_tree_;
    std::size_t node = 0;
    for (std::size_t level = 0;; ++level) {
      const std::uint32_t count = counts[node] >= own ? counts[node] - own : 0;
      if (level == depth_ || count < size_limit) {
        int shift = 0;
        mantissa = std::frexp(mantissa * std::max(static_cast<double>(count), 0.5), &shift);
        exponent += shift + static_cast<std::int64_t>(level);
        break;
      }
      node = child(tree, node, point);
    }
  }
  const double sum_log_mass = std::log(mantissa) + static_cast<double>(exponent) * std::numbers::ln2;
  return std::exp(sum_log_mass / static_cast<double>(trees_)) / static_cast<double>(reference_count_ - own);
}

std::size_t HalfSpaceForest::memory_bytes() const {
  return split_dimension_.capacity() * sizeof(std::uint32_t) + split_value_.capacity() * sizeof(double) +
         (reference_.capacity() + latest_.capacity()) * sizeof(std::uint32_t);
}

}  // namespace tickguard
