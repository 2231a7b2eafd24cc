// HalfSpaceForest: the Half-Space Trees ensemble of Tan, Ting & Liu (2011), the streaming isolation
// forest behind IsolationForestDetector. Memory is fixed at construction; updates never allocate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace tickguard {

// T random trees of depth d over points whose coordinates are scaled so that normal data lies
// roughly in [0,1]. Each node counts the points of two windows that reach it: the reference window
// (complete, used for scoring) and the latest window (being filled). swap_windows() makes the
// latest window the reference. A point's mass is how many reference points share its cells, so
// low mass means an isolated point.
class HalfSpaceForest {
 public:
  // The traversal stops at the first node with fewer reference points than this fraction of the
  // reference window (the paper's sizeLimit = 0.1 ψ).
  static constexpr double kSizeLimitFraction = 0.1;

  // Builds `trees` trees (at least 1) of `depth` levels below the root (1 to 20) over
  // `dimensions`-dimensional points (at least 1). The same seed builds the same trees. Allocates
  // T·(2^(d+1) - 1) node counters and T·(2^d - 1) split nodes, here only.
  HalfSpaceForest(std::size_t trees, std::size_t depth, std::size_t dimensions, std::uint64_t seed);

  // Counts `point` (dimensions() coordinates) into the latest window. O(T·d).
  void update(std::span<const double> point);
  // The latest window becomes the reference, the latest window starts empty. O(T·2^d).
  void swap_windows();

  // Relative mass of `point` against the reference window: over the trees, the geometric mean of
  // r·2^k (r floored at 0.5), divided by the reference size n, where k is the depth at which the
  // traversal stopped and r the reference count of that node. That is the density around the
  // point relative to n points spread evenly over a tree's work space: 1 for uniform data, more
  // where data is concentrated, near 0 for a point alone in an empty cell. The paper sums r·2^k;
  // the geometric mean lets the trees that isolate a point pull its mass down even when most trees
  // never split on the coordinates that make it odd (many features, shingles).
  // With `exclude_self`, the point is taken to be one of the reference points and its own count
  // is removed (leave-one-out). 0 while the reference window is empty. O(T·d).
  double relative_mass(std::span<const double> point, bool exclude_self = false) const;

  std::size_t trees() const { return trees_; }
  std::size_t depth() const { return depth_; }
  std::size_t dimensions() const { return dimensions_; }
  std::size_t reference_count() const { return reference_count_; }
  std::size_t latest_count() const { return latest_count_; }
  // Nodes per tree, 2^(d+1) - 1.
  std::size_t nodes_per_tree() const { return nodes_per_tree_; }
  // Bytes held by the node arrays (their capacity), for checking that memory stays bounded.
  std::size_t memory_bytes() const;

 private:
  void build(std::size_t tree, std::size_t node, std::size_t level, std::vector<double>& low,
             std::vector<double>& high, std::uint64_t& random_state);
  // The child of internal node `node` (index within its tree) that `point` falls into.
  std::size_t child(std::size_t tree, std::size_t node, std::span<const double> point) const;

  std::size_t trees_;
  std::size_t depth_;
  std::size_t dimensions_;
  std::size_t nodes_per_tree_;
  std::size_t internal_per_tree_;               // 2^d - 1; nodes with a split, in heap order
  std::vector<std::uint32_t> split_dimension_;  // per internal node
  std::vector<double> split_value_;             // per internal node: left if coordinate < value
  std::vector<std::uint32_t> reference_;        // per node: reference window count
  std::vector<std::uint32_t> latest_;           // per node: latest window count
  std::size_t reference_count_ = 0;
  std::size_t latest_count_ = 0;
};

}  // namespace tickguard
