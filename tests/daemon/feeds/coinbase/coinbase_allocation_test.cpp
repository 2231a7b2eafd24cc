// Counts heap allocations made by this test binary to check that parsing recorded frames does
// not allocate once the parser has seen frames of that size.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "coinbase_fixtures.h"
#include "feeds/coinbase/coinbase_book.h"
#include "feeds/coinbase/coinbase_parse.h"

namespace {
std::atomic<std::size_t> allocation_count{0};
}  // namespace

void* operator new(std::size_t size) {
  allocation_count.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace tickguard::feeds::coinbase {
namespace {

TEST(CoinbaseParser, DoesNotAllocatePerMessageInSteadyState) {
  std::vector<std::string> frames;
  for (const char* file : {"ws_snapshot.jsonl", "ws_l2update.jsonl", "ws_match.jsonl", "ws_ticker.jsonl",
                           "ws_last_match.jsonl", "ws_subscriptions.jsonl"}) {
    for (auto& line : testing::read_lines(file)) frames.push_back(std::move(line));
  }
  CoinbaseParser parser;
  CoinbaseBookSync book;
  WsMessage msg;
  const std::size_t cold = allocation_count.load();
  for (const auto& frame : frames) ASSERT_EQ(parser.parse(frame, msg), ParseError::kNone);
  ASSERT_GT(allocation_count.load(), cold);  // the first frames size the buffers (and the counter works)

  const std::size_t before = allocation_count.load();
  for (const auto& frame : frames) {
    ASSERT_EQ(parser.parse(frame, msg), ParseError::kNone);
    if (msg.product_id == "SKL-USD") book.apply(msg);
  }
  EXPECT_EQ(allocation_count.load() - before, 0u);
}

}  // namespace
}  // namespace tickguard::feeds::coinbase
