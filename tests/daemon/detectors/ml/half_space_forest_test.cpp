#include "detectors/ml/half_space_forest.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "tests/daemon/detectors/detector_test_support.h"

namespace tickguard {
namespace {

using testing::Random;

// Fills the latest window with `count` points around (0.5, 0.5) and makes it the reference.
void train_cluster(HalfSpaceForest& forest, Random& random, int count) {
  for (int i = 0; i < count; ++i) {
    const std::array<double, 2> point = {0.5 + 0.05 * random.gaussian(), 0.5 + 0.05 * random.gaussian()};
    forest.update(point);
  }
  forest.swap_windows();
}

TEST(HalfSpaceForest, IsolatedPointHasFarLessMassThanTheCluster) {
  HalfSpaceForest forest(25, 8, 2, 1);
  Random random(1);
  train_cluster(forest, random, 256);
  EXPECT_EQ(forest.reference_count(), 256u);
  EXPECT_EQ(forest.latest_count(), 0u);
  const std::array<double, 2> center = {0.5, 0.5};
  const std::array<double, 2> far = {0.95, 0.05};
  EXPECT_GT(forest.relative_mass(center), 20 * forest.relative_mass(far));
}

TEST(HalfSpaceForest, EmptyReferenceGivesZeroMass) {
  HalfSpaceForest forest(5, 4, 2, 1);
  const std::array<double, 2> point = {0.5, 0.5};
  EXPECT_EQ(forest.relative_mass(point), 0.0);
  forest.update(point);
  EXPECT_EQ(forest.relative_mass(point), 0.0);  // still only in the latest window
  forest.swap_windows();
  EXPECT_GT(forest.relative_mass(point), 0.0);
  EXPECT_EQ(forest.relative_mass(point, true), 0.0);  // without itself, the reference is empty
}

TEST(HalfSpaceForest, LeaveOneOutRemovesThePointsOwnCount) {
  HalfSpaceForest forest(10, 6, 2, 3);
  const std::array<double, 2> lonely = {0.9, 0.9};
  const std::array<double, 2> crowd = {0.2, 0.2};
  for (int i = 0; i < 99; ++i) forest.update(crowd);
  forest.update(lonely);
  forest.swap_windows();
  EXPECT_GT(forest.relative_mass(lonely), 0.0);
  EXPECT_LT(forest.relative_mass(lonely, true), forest.relative_mass(lonely));
  EXPECT_GT(forest.relative_mass(crowd, true), forest.relative_mass(lonely, true));
}

TEST(HalfSpaceForest, SwapReplacesTheReference) {
  HalfSpaceForest forest(10, 6, 1, 4);
  const std::array<double, 1> low = {0.1};
  const std::array<double, 1> high = {0.9};
  for (int i = 0; i < 50; ++i) forest.update(low);
  forest.swap_windows();
  const double high_before = forest.relative_mass(high);
  for (int i = 0; i < 50; ++i) forest.update(high);
  forest.swap_windows();
  EXPECT_GT(forest.relative_mass(high), high_before);
  EXPECT_LT(forest.relative_mass(low), forest.relative_mass(high));
}

TEST(HalfSpaceForest, SameSeedBuildsSameTrees) {
  HalfSpaceForest first(10, 6, 3, 9);
  HalfSpaceForest second(10, 6, 3, 9);
  HalfSpaceForest other(10, 6, 3, 10);
  Random random(5);
  std::vector<std::array<double, 3>> points(200);
  for (auto& point : points) point = {random.uniform(), random.uniform(), random.uniform()};
  for (const auto& point : points) {
    first.update(point);
    second.update(point);
    other.update(point);
  }
  first.swap_windows();
  second.swap_windows();
  other.swap_windows();
  bool any_different = false;
  for (const auto& point : points) {
    EXPECT_EQ(first.relative_mass(point), second.relative_mass(point));
    any_different |= first.relative_mass(point) != other.relative_mass(point);
  }
  EXPECT_TRUE(any_different);
}

TEST(HalfSpaceForest, SizesFollowTreesAndDepth) {
  HalfSpaceForest forest(4, 3, 2, 1);
  EXPECT_EQ(forest.nodes_per_tree(), 15u);
  // Two counters per node and one split per internal node.
  EXPECT_EQ(forest.memory_bytes(),
            4 * (15 * 2 * sizeof(std::uint32_t) + 7 * (sizeof(std::uint32_t) + sizeof(double))));
}

}  // namespace
}  // namespace tickguard
