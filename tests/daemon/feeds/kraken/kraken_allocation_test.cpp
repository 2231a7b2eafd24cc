// Steady-state parsing must not allocate: this binary replaces global operator new to count calls
// made while a test has counting switched on.
#include <gtest/gtest.h>

#include <cstdlib>
#include <new>
#include <string>

#include "feeds/kraken/kraken_book.h"
#include "feeds/kraken/kraken_parse.h"
#include "kraken_test_util.h"

namespace {
thread_local bool counting = false;
thread_local std::size_t allocations = 0;
}  // namespace

void* operator new(std::size_t size) {
  if (counting) ++allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace tickguard::feeds::kraken {
namespace {

TEST(KrakenParser, DoesNotAllocateOnceWarmedUp) {
  const auto lines = testing::read_fixture_lines("ws_v1_book-1000_KSM-XBT_XMR-USD.jsonl");
  const std::string trade =
      R"({"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":64231.5,)"
      R"("qty":0.0015,"ord_type":"market","trade_id":1,"timestamp":"2024-05-01T12:00:00.123456Z"}]})";
  const std::string book =
      R"({"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":64230.0,"qty":0}],)"
      R"("asks":[{"price":64231.5,"qty":0.5}],"checksum":1,"timestamp":"2024-05-01T12:00:01.5Z"}]})";
  KrakenParser parser;
  KrakenBookSync sync(KrakenBookOptions{.depth = 1000});
  for (const std::string& line : lines) {  // warm-up: the largest frames size every buffer
    ASSERT_NE(parser.parse_v1_book(line), KrakenMessageKind::kInvalid);
  }
  ASSERT_EQ(parser.parse(trade), KrakenMessageKind::kTrade);
  ASSERT_EQ(parser.parse(book), KrakenMessageKind::kBookUpdate);
  ASSERT_EQ(parser.parse_v1_book(lines[0]), KrakenMessageKind::kBookSnapshot);
  ASSERT_EQ(sync.apply(parser.books()[0]), KrakenBookStatus::kApplied);
  const std::string symbol(parser.books()[0].symbol);

  counting = true;
  allocations = 0;
  std::size_t applied = 0;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    if (parser.parse_v1_book(lines[i]) != KrakenMessageKind::kBookUpdate) continue;
    if (parser.books()[0].symbol != symbol) continue;
    if (sync.apply(parser.books()[0]) == KrakenBookStatus::kApplied) ++applied;
  }
  const bool trade_ok = parser.parse(trade) == KrakenMessageKind::kTrade;
  const bool book_ok = parser.parse(book) == KrakenMessageKind::kBookUpdate;
  counting = false;
  EXPECT_TRUE(trade_ok);
  EXPECT_TRUE(book_ok);
  EXPECT_GT(applied, 0u);
  EXPECT_EQ(allocations, 0u);
}

}  // namespace
}  // namespace tickguard::feeds::kraken
